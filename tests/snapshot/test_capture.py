"""Capturing snapshots: the live /proc of this machine, copied /proc trees, and `sysctl -a` dumps."""

from __future__ import annotations

import os
import shutil
import socket
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tcplog.connectors import procfs, sysctl_text
from tcplog.errors import InputError
from tcplog.snapshot import document

FIXTURES = Path(__file__).parent.parent / "fixtures"
VM = FIXTURES / "proc" / "vm-6.18"
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def live() -> dict:
    return procfs.capture()


# -- the live host ----------------------------------------------------------------------------

def test_live_capture_is_a_valid_document(live):
    """capture() gives a document validate() accepts."""
    assert document.validate(live, "<live>") is live


def test_live_capture_reads_hundreds_of_sysctls(live):
    """Every net.* sysctl of this host: more than 500 keys, none outside the selection."""
    assert len(live["sysctl"]) > 500
    assert all(k.startswith(("net.", "vm.", "kernel.printk")) for k in live["sysctl"])


def test_live_capture_sysctl_values_match_proc_sys(live):
    """A value equals the /proc/sys file with whitespace collapsed (tcp_mem has tabs)."""
    raw = Path("/proc/sys/net/ipv4/tcp_mem").read_text()
    assert live["sysctl"]["net.ipv4.tcp_mem"] == " ".join(raw.split())
    assert live["sysctl"]["net.core.somaxconn"] == Path("/proc/sys/net/core/somaxconn").read_text().strip()


def test_live_capture_keeps_socket_memory_vm_keys(live):
    """vm.min_free_kbytes and vm.overcommit_memory are in; unrelated vm keys are not."""
    assert "vm.min_free_kbytes" in live["sysctl"] and "vm.overcommit_memory" in live["sysctl"]
    assert "vm.dirty_ratio" not in live["sysctl"]


def test_live_capture_tcpext_has_more_than_100_columns(live):
    """The live netstat comes through by name, all columns."""
    assert len(live["netstat"]["TcpExt"]) > 100


def test_live_capture_snmp_and_snmp6_merge(live):
    """snmp holds Tcp (MaxConn -1) and, when IPv6 is on, the Ip6 group from snmp6."""
    assert live["snmp"]["Tcp"]["MaxConn"] == -1
    if os.path.exists("/proc/net/snmp6"):
        assert "Ip6" in live["snmp"] and "snmp6" in live["sources"]


def test_live_capture_identity(live):
    """host, kernel release, boot time and page size are this machine's."""
    assert live["host"] == Path("/proc/sys/kernel/hostname").read_text().strip()
    assert live["kernel"]["release"] == os.uname().release
    assert live["boot"]["time"] is not None and live["page_size"] == os.sysconf("SC_PAGE_SIZE")


def test_live_capture_conntrack_and_neighbour(live):
    """conntrack max equals the sysctl; arp_cache carries gc_thresh3 from its sysctl."""
    if not os.path.exists("/proc/sys/net/netfilter/nf_conntrack_max"):
        pytest.skip("nf_conntrack not loaded here")
    assert live["conntrack"]["max"] == int(Path("/proc/sys/net/netfilter/nf_conntrack_max").read_text())
    assert live["neighbour"]["arp_cache"]["gc_thresh3"] == int(
        Path("/proc/sys/net/ipv4/neigh/default/gc_thresh3").read_text())


def test_live_capture_finds_a_listener_we_open():
    """A socket we listen on shows up with its port, our pid and process name."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(17)
        port = s.getsockname()[1]
        doc = procfs.capture()
    (mine,) = [e for e in doc["listeners"] if e["port"] == port]
    assert mine["address"] == "127.0.0.1" and mine["proto"] == "tcp"
    assert mine["pid"] == os.getpid() and mine["process"]


def test_live_capture_backlog_comes_from_ss():
    """With ss installed, the backlog is the listen() backlog (17 here)."""
    if shutil.which("ss") is None:
        pytest.skip("ss not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(17)
        port = s.getsockname()[1]
        doc = procfs.capture()
    (mine,) = [e for e in doc["listeners"] if e["port"] == port]
    assert mine["backlog"] == 17


def test_live_capture_without_ss_leaves_backlog_null_and_says_why():
    """use_ss=False: backlog null for every listener."""
    doc = procfs.capture(use_ss=False)
    assert all(e["backlog"] is None for e in doc["listeners"])


def test_live_capture_time_is_the_given_now():
    """The capture time is the one passed in, formatted UTC with microseconds."""
    assert procfs.capture(now=T0, use_ss=False)["time"] == "2026-11-22T10:00:00.000000Z"


def test_live_capture_host_override():
    """host= replaces the hostname."""
    assert procfs.capture(host="web9", use_ss=False)["host"] == "web9"


# -- a copied /proc tree -----------------------------------------------------------------------

def test_copied_tree_reads_the_real_6_18_files():
    """The copy of this machine's /proc gives the same sections as a live capture."""
    doc = procfs.load_tree(str(VM))
    assert doc["host"] == "vm" and doc["kernel"]["release"].startswith("6.18")
    assert len(doc["netstat"]["TcpExt"]) > 130 and doc["snmp"]["Tcp"]["MaxConn"] == -1
    assert doc["conntrack"]["max"] == 262144 and doc["conntrack"]["stat"] is not None
    assert doc["neighbour"]["arp_cache"]["gc_thresh3"] == 1024
    assert doc["listeners"][0]["port"] == 2024


def test_copied_tree_sysctl_keys_from_paths():
    """sys/net/ipv4/tcp_mem becomes net.ipv4.tcp_mem with its tabs collapsed; vm keys come along."""
    doc = procfs.load_tree(str(VM))
    assert doc["sysctl"]["net.ipv4.tcp_mem"] == " ".join((VM / "sys/net/ipv4/tcp_mem").read_text().split())
    assert doc["sysctl"]["vm.min_free_kbytes"] == (VM / "sys/vm/min_free_kbytes").read_text().strip()
    assert doc["sysctl"]["net.nf_conntrack_max"] == "262144"


def test_copied_tree_is_timed_by_its_mtime():
    """A copy carries no capture time: the mtime of net/sockstat is used and said so."""
    doc = procfs.load_tree(str(VM))
    mtime = datetime.fromtimestamp(os.stat(VM / "net" / "sockstat").st_mtime, tz=timezone.utc)
    assert doc["time"] == document.format_time(mtime)
    assert doc["sources"]["time"].startswith("mtime of")


def test_copied_tree_has_no_page_size_and_says_so():
    """page_size is null and named in errors."""
    doc = procfs.load_tree(str(VM))
    assert doc["page_size"] is None
    assert any(e["section"] == "page_size" for e in doc["errors"])


def test_copied_tree_listeners_have_no_owner_or_backlog():
    """From a copy, pid/process/backlog are null and the reason is in errors."""
    doc = procfs.load_tree(str(FIXTURES / "proc" / "netns-listeners"))
    assert {(e["address"], e["port"], e["accept_queue"]) for e in doc["listeners"]} == {
        ("0.0.0.0", 22, 0), ("127.0.0.1", 8080, 3), ("::", 443, 0), ("::1", 9042, 0)}
    assert all(e["pid"] is None and e["backlog"] is None for e in doc["listeners"])
    assert any("not a live /proc" in e["error"] for e in doc["errors"])


def test_partial_tree_names_every_missing_section():
    """The 3.10 sample has net/ only: sysctl, memory and identity are null and each is named."""
    doc = procfs.load_tree(str(FIXTURES / "proc" / "rhel7-3.10"))
    assert doc["sockstat"]["TCP"]["tw"] == 64012
    assert doc["sysctl"] is None and doc["memory"] is None and doc["host"] is None
    named = {e["section"] for e in doc["errors"]}
    assert {"sysctl", "memory", "host", "kernel", "listeners"} <= named


def test_tree_2_6_18_reads_ip_conntrack_stat():
    """The 2.6.18 tree's net/stat/ip_conntrack fills conntrack.stat (count from its entries column)."""
    doc = procfs.load_tree(str(FIXTURES / "proc" / "rhel5-2.6.18"))
    assert doc["conntrack"]["stat"]["drop"] == 0x1F4 + 0xC8 and doc["conntrack"]["count"] == 0xFFF0


def test_unreadable_section_is_recorded_not_raised(tmp_path):
    """A sockstat that cannot be read (here: a folder in its place) is null and named in errors."""
    tree = tmp_path / "proc"
    shutil.copytree(VM, tree)
    (tree / "net" / "sockstat").unlink()
    (tree / "net" / "sockstat").mkdir()
    doc = procfs.load_tree(str(tree))
    assert doc["sockstat"] is None
    assert any(e["section"] == "sockstat" and "net/sockstat" in e["error"] for e in doc["errors"])


def test_malformed_line_in_a_copy_is_reported_in_errors(tmp_path):
    """A bad line in a copied sockstat is skipped and the file and line are in errors."""
    tree = tmp_path / "proc"
    shutil.copytree(VM, tree)
    (tree / "net" / "sockstat").write_text("sockets: used 3\nTCP: inuse x\n")
    doc = procfs.load_tree(str(tree))
    assert doc["sockstat"] == {"sockets": {"used": 3}}
    assert any("net/sockstat: line 2" in e["error"] for e in doc["errors"])


def test_sysctl_dot_in_path_component_becomes_slash(tmp_path):
    """A VLAN folder eth0.100 gives the key net.ipv4.conf.eth0/100.rp_filter, as sysctl names it."""
    tree = tmp_path / "proc"
    (tree / "net").mkdir(parents=True)
    (tree / "sys/net/ipv4/conf/eth0.100").mkdir(parents=True)
    (tree / "sys/net/ipv4/conf/eth0.100/rp_filter").write_text("1\n")
    doc = procfs.load_tree(str(tree))
    assert doc["sysctl"] == {"net.ipv4.conf.eth0/100.rp_filter": "1"}


def test_write_only_sysctl_is_skipped(tmp_path):
    """A file without read permission bits (route/flush) is skipped silently, as sysctl -a does."""
    tree = tmp_path / "proc"
    (tree / "net").mkdir(parents=True)
    (tree / "sys/net/ipv4/route").mkdir(parents=True)
    flush = tree / "sys/net/ipv4/route/flush"
    flush.write_text("")
    flush.chmod(0o200)
    (tree / "sys/net/ipv4/tcp_syncookies").write_text("1\n")
    doc = procfs.load_tree(str(tree))
    assert doc["sysctl"] == {"net.ipv4.tcp_syncookies": "1"}
    assert not any(e["section"] == "sysctl" for e in doc["errors"])


def test_load_tree_of_a_missing_folder_raises_input_error(tmp_path):
    """A path that is not a folder is an InputError naming it."""
    with pytest.raises(InputError):
        procfs.load_tree(str(tmp_path / "nope"))


def test_is_tree_tells_proc_copies_from_other_folders(tmp_path):
    """A folder with net/ is a tree; an empty one is not."""
    assert procfs.is_tree(str(VM)) and not procfs.is_tree(str(tmp_path))


# -- a `sysctl -a` dump ---------------------------------------------------------------------------

def test_sysctl_dump_fills_only_sysctl_and_what_it_names():
    """The real dump: sysctl, host/kernel/boot id from kernel.* keys; the /proc sections are null."""
    doc = sysctl_text.load(str(FIXTURES / "sysctl" / "vm-6.18_sysctl_-a.txt"), now=T0)
    assert len(doc["sysctl"]) > 1000
    assert doc["host"] == "vm" and doc["kernel"]["release"].startswith("6.18") and doc["boot"]["id"]
    assert doc["sockstat"] is None and doc["netstat"] is None and doc["listeners"] is None
    assert {"sockstat", "netstat", "snmp", "memory", "listeners"} <= {e["section"] for e in doc["errors"]}


def test_sysctl_dump_derives_conntrack_limits_2_6_18():
    """The 2.6.18 dump's ip_conntrack_count/max/buckets fill the conntrack section."""
    doc = sysctl_text.load(str(FIXTURES / "sysctl" / "rhel5-2.6.18_sysctl_-a.txt"), now=T0)
    assert doc["conntrack"] == {"count": 65520, "max": 65536, "buckets": 8192, "expect_max": None, "stat": None}
    assert doc["neighbour"]["arp_cache"]["gc_thresh3"] == 1024


def test_sysctl_dump_reports_its_error_lines():
    """The procps error line in the dump is listed under the sysctl section with the file named."""
    path = str(FIXTURES / "sysctl" / "rhel5-2.6.18_sysctl_-a.txt")
    doc = sysctl_text.load(path, now=T0)
    assert any(e["section"] == "sysctl" and path in e["error"] and "route.flush" in e["error"] for e in doc["errors"])


def test_sysctl_dump_host_override():
    """--host wins over kernel.hostname."""
    assert sysctl_text.load(str(FIXTURES / "sysctl" / "rhel5-2.6.18_sysctl_-a.txt"), host="db9")["host"] == "db9"


def test_sysctl_dump_of_garbage_names_the_problem(tmp_path):
    """A file with no key = value line is not a dump: InputError naming it and its first line."""
    bad = tmp_path / "x.txt"
    bad.write_bytes(b"not sysctl\n")
    with pytest.raises(InputError, match=r"x\.txt: no 'key = value' line: .*'not sysctl'"):
        sysctl_text.load(str(bad), now=T0)


def test_sysctl_text_without_key_value_lines_names_the_problem():
    """from_text (pure, the fuzz target) never raises: a null sysctl and an error saying why."""
    doc = sysctl_text.from_text("not sysctl\n", "x.txt", None, T0)
    assert doc["sysctl"] is None and any("no 'key = value' lines" in e["error"] for e in doc["errors"])


def test_sysctl_dump_missing_file_raises_input_error(tmp_path):
    """A missing dump is an InputError naming it."""
    with pytest.raises(InputError, match="nope"):
        sysctl_text.load(str(tmp_path / "nope"))
