"""The sosreport loader: detection, the snapshot inside a report, its log files, and hostile symlinks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tcplog.connectors import sosreport
from tcplog.errors import InputError
from tcplog.snapshot import document

FIXTURES = Path(__file__).parent.parent / "fixtures"
SOS = FIXTURES / "sosreport-web1"


@pytest.fixture(scope="module")
def loaded() -> tuple[dict, list[str]]:
    return sosreport.load(str(SOS))


@pytest.fixture
def copy(tmp_path) -> Path:
    dst = tmp_path / "sosreport-web1"
    shutil.copytree(SOS, dst, symlinks=True)
    return dst


def test_detect_the_sample_report():
    """The sample has sos_commands/ and proc/: a sosreport."""
    assert sosreport.detect(str(SOS))


@pytest.mark.parametrize("path", [FIXTURES / "proc" / "vm-6.18", FIXTURES / "sysctl" / "vm-6.18_sysctl_-a.txt"])
def test_detect_refuses_other_inputs(path):
    """A copied /proc tree or a file is not a sosreport."""
    assert not sosreport.detect(str(path))


def test_detect_needs_proc_or_etc(tmp_path):
    """sos_commands/ alone is not enough."""
    (tmp_path / "sos_commands").mkdir()
    assert not sosreport.detect(str(tmp_path))
    (tmp_path / "etc").mkdir()
    assert sosreport.detect(str(tmp_path))


def test_document_is_valid(loaded):
    """The report's snapshot passes validation."""
    document.validate(loaded[0], str(SOS))


def test_identity_from_the_report(loaded):
    """host from the hostname symlink, kernel from uname -a, boot from proc/stat and boot_id."""
    doc = loaded[0]
    assert doc["host"] == "web1"
    assert doc["kernel"] == {"release": "4.18.0-513.5.1.el8_9.x86_64", "version": "#1 SMP Fri Sep 29 05:21:10 EDT 2023"}
    assert doc["boot"] == {"time": "2026-11-14T11:00:00.000000Z", "id": "3f0c1b8e-9d57-4a43-8b1e-52a6c0f3d7aa"}


def test_time_is_the_report_date_in_utc(loaded):
    """date_--utc gives the snapshot time (date itself says EST, which is ambiguous)."""
    assert loaded[0]["time"] == "2026-11-20T10:05:00.000000Z"
    assert loaded[0]["sources"]["time"].endswith("sos_commands/date/date_--utc")


def test_sysctl_from_sysctl_a(loaded):
    """sos_commands/kernel/sysctl_-a: net.* kept whole (the VLAN key too), tabs collapsed, dirty_ratio dropped."""
    sysctl = loaded[0]["sysctl"]
    assert sysctl["net.ipv4.tcp_max_tw_buckets"] == "180000"
    assert sysctl["net.ipv4.tcp_mem"] == "1540833 2054446 3081666"
    assert sysctl["net.ipv4.conf.eth0/100.rp_filter"] == "1"
    assert "vm.min_free_kbytes" in sysctl and "vm.dirty_ratio" not in sysctl and "kernel.hostname" not in sysctl


def test_sysctl_message_lines_are_reported(loaded):
    """The permission-denied and stable_secret lines of the dump are in errors, with the file."""
    texts = [e["error"] for e in loaded[0]["errors"] if e["section"] == "sysctl"]
    assert any("fs.protected_regular" in t for t in texts) and any("stable_secret" in t for t in texts)


def test_proc_net_sections(loaded):
    """sockstat, netstat and snmp come from proc/net: TIME_WAIT at the bucket limit, MaxConn -1."""
    doc = loaded[0]
    assert doc["sockstat"]["TCP"]["tw"] == 180000
    assert doc["netstat"]["TcpExt"]["TCPTimeWaitOverflow"] == 4412
    assert doc["snmp"]["Tcp"]["MaxConn"] == -1 and doc["memory"]["MemTotal"] == 16266488


def test_conntrack_and_neighbour_from_sysctl(loaded):
    """conntrack count/max/buckets and gc_thresh come from the dump; the missing stat is named."""
    doc = loaded[0]
    assert doc["conntrack"]["count"] == 8211 and doc["conntrack"]["max"] == 262144
    assert doc["neighbour"]["ndisc_cache"]["gc_thresh3"] == 1024
    assert any(e["section"] == "conntrack" and "nf_conntrack" in e["error"] for e in doc["errors"])


def test_missing_files_are_named_not_raised(loaded):
    """The sample has no sockstat6 or net/tcp: those sections are null and named."""
    doc = loaded[0]
    assert doc["sockstat6"] is None and doc["listeners"] is None
    assert {"sockstat6", "listeners", "page_size"} <= {e["section"] for e in doc["errors"]}


def test_logs_rotated_first_then_current_and_no_second_copy(loaded):
    """messages-20261116 (older) before messages; dmesg, which repeats their kernel lines, is not read."""
    assert [os.path.relpath(p, SOS) for p in loaded[1]] == ["var/log/messages-20261116", "var/log/messages"]


def test_syslog_files_win_over_the_journal_and_dmesg(copy):
    """messages and its rotations are read; the journal and dmesg (same kernel lines) are not."""
    (copy / "sos_commands/logs").mkdir()
    (copy / "sos_commands/logs/journalctl_--no-pager").write_text("x\n")
    (copy / "sos_commands/logs/journalctl_--no-pager_--boot").write_text("x\n")
    logs = [os.path.relpath(p, copy) for p in sosreport.load(str(copy))[1]]
    assert logs == ["var/log/messages-20261116", "var/log/messages"]


def test_kern_log_alone_when_debian_writes_the_kernel_lines_to_three_files(copy):
    """Debian/Ubuntu rsyslog writes each kernel line to kern.log and syslog (and, up to Debian 11,
    messages): only kern.log and its rotations are read."""
    (copy / "var/log/kern.log").write_text("x\n")
    (copy / "var/log/kern.log.1").write_text("x\n")
    (copy / "var/log/kern.log.2.gz").write_bytes(b"\x1f\x8b")
    (copy / "var/log/syslog").write_text("x\n")
    (copy / "var/log/syslog.1").write_text("x\n")
    logs = [os.path.relpath(p, copy) for p in sosreport.load(str(copy))[1]]
    assert logs == ["var/log/kern.log.2.gz", "var/log/kern.log.1", "var/log/kern.log"]


def test_syslog_when_there_is_no_kern_log_or_messages(copy):
    for f in (copy / "var/log").iterdir():
        f.unlink()
    (copy / "var/log/syslog").write_text("x\n")
    (copy / "var/log/syslog.1").write_text("x\n")
    assert [os.path.relpath(p, copy) for p in sosreport.load(str(copy))[1]] == ["var/log/syslog.1", "var/log/syslog"]


def test_an_ubuntu_report_counts_each_kernel_line_once(copy, tmp_path):
    """The whole command on a report holding the same kernel line in kern.log, syslog and messages."""
    line = "Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet\n"
    for f in (copy / "var/log").iterdir():
        f.unlink()
    for name in ("kern.log", "syslog", "messages"):
        (copy / "var/log" / name).write_text(line)
    r = subprocess.run([sys.executable, "-m", "tcplog", "scan", str(copy), "-q", "--stats",
                        "--reference-time", "2026-11-22T12:00:00Z"], capture_output=True, text=True, check=False)
    events = [json.loads(x) for x in r.stdout.splitlines()]
    assert r.returncode == 0, r.stderr
    assert [(e["message_id"], e["source"]["file"]) for e in events] == [
        ("conntrack_full.ratelimited", str(copy / "var/log/kern.log"))]


def test_journal_when_there_are_no_syslog_files(copy):
    """Without var/log syslog files, the full journal dump is read (not its per-boot parts, not dmesg)."""
    for f in (copy / "var/log").iterdir():
        f.unlink()
    (copy / "sos_commands/logs").mkdir()
    (copy / "sos_commands/logs/journalctl_--no-pager").write_text("x\n")
    (copy / "sos_commands/logs/journalctl_--no-pager_--boot").write_text("x\n")
    assert [os.path.relpath(p, copy) for p in sosreport.load(str(copy))[1]] == ["sos_commands/logs/journalctl_--no-pager"]


def test_dmesg_when_there_is_nothing_else(copy):
    """The ring buffer dump is the last resort."""
    for f in (copy / "var/log").iterdir():
        f.unlink()
    assert [os.path.relpath(p, copy) for p in sosreport.load(str(copy))[1]] == ["sos_commands/kernel/dmesg"]


def test_per_boot_journals_when_the_full_one_is_missing(copy):
    """Without journalctl_--no-pager, the per-boot files are taken."""
    for f in (copy / "var/log").iterdir():
        f.unlink()
    (copy / "sos_commands/logs").mkdir()
    (copy / "sos_commands/logs/journalctl_--no-pager_--boot").write_text("x\n")
    logs = sosreport.load(str(copy))[1]
    assert logs[-1].endswith("journalctl_--no-pager_--boot")


def test_host_override(copy):
    """host= wins over the report's hostname."""
    assert sosreport.load(str(copy), host="web9")[0]["host"] == "web9"


def test_hostname_falls_back_to_the_sysctl_dump(copy):
    """No hostname files: kernel.hostname from sysctl_-a names the host."""
    for name in ("hostname", "sos_commands/host/hostname", "etc/hostname"):
        os.unlink(copy / name)
    doc = sosreport.load(str(copy))[0]
    assert doc["host"] == "web1" and "kernel.hostname" in doc["sources"]["host"]


def test_time_falls_back_to_the_folder_mtime(copy):
    """Without a UTC date file, the folder's mtime times the snapshot and errors says so."""
    os.unlink(copy / "sos_commands/date/date_--utc")
    doc = sosreport.load(str(copy))[0]
    assert doc["sources"]["time"].startswith("mtime of")
    assert any(e["section"] == "time" for e in doc["errors"])


def test_sos_3_reports_are_timed_by_the_general_plugin_date(copy):
    """sos 3.0-3.5 (RHEL 6, early RHEL 7) have no date plugin: the general plugin's date times the report."""
    shutil.rmtree(copy / "sos_commands/date")
    (copy / "sos_commands/general").mkdir(exist_ok=True)
    (copy / "sos_commands/general/date").write_text("Tue Mar  9 07:16:00 UTC 2021\n")
    doc = sosreport.load(str(copy))[0]
    assert doc["time"].startswith("2021-03-09T07:16:00")
    assert doc["sources"]["time"].endswith("sos_commands/general/date")
    assert not any(e["section"] == "time" for e in doc["errors"])


def test_symlink_leaving_the_report_is_refused(copy, tmp_path):
    """proc/net/sockstat pointing outside the report is not read; the refusal is named."""
    outside = tmp_path / "secret"
    outside.write_text("sockets: used 1\n")
    os.unlink(copy / "proc/net/sockstat")
    os.symlink(outside, copy / "proc/net/sockstat")
    doc = sosreport.load(str(copy))[0]
    assert doc["sockstat"] is None
    assert any(e["section"] == "sockstat" and "outside the folder" in e["error"] for e in doc["errors"])


def test_relative_symlink_escaping_with_dotdot_is_refused(copy):
    """A log symlink ../../../../etc/passwd is not handed to the scanner."""
    os.symlink("../../../../../../../../etc/passwd", copy / "var/log/messages.1")
    doc, logs = sosreport.load(str(copy))
    assert not any(p.endswith("messages.1") for p in logs)
    assert any(e["section"] == "logs" and "messages.1" in e["error"] for e in doc["errors"])


def test_symlinked_sysctl_dump_leaving_the_report_is_refused(copy, tmp_path):
    """sysctl_-a linked to a file outside is refused, and sysctl stays null."""
    outside = tmp_path / "sysctl"
    outside.write_text("net.core.somaxconn = 1\n")
    os.unlink(copy / "sos_commands/kernel/sysctl_-a")
    os.symlink(outside, copy / "sos_commands/kernel/sysctl_-a")
    doc = sosreport.load(str(copy))[0]
    assert doc["sysctl"] is None
    assert any(e["section"] == "sysctl" and "outside the folder" in e["error"] for e in doc["errors"])


def test_symlinks_inside_the_report_are_followed(loaded):
    """The top-level hostname symlink (into sos_commands/) is read."""
    assert os.path.islink(SOS / "hostname") and loaded[0]["sources"]["host"].endswith("/hostname")


def test_load_of_a_file_raises_input_error():
    """A path that is not a folder is an InputError."""
    with pytest.raises(InputError):
        sosreport.load(str(SOS / "version.txt"))


def test_rotation_order_sorts_oldest_first():
    """Numbered: higher is older; dated: earlier is older; the live file last."""
    names = ["messages", "messages-20261116", "messages-20261109", "kern.log.1", "kern.log", "kern.log.3.gz"]
    assert sorted(names, key=sosreport.rotation_order) == [
        "kern.log.3.gz", "kern.log.1", "kern.log", "messages-20261109", "messages-20261116", "messages"]
