"""A kernel record that a syslog daemon wrote to two logs of a folder (kern.log and syslog) gives one event.

The real case first: a private rsyslogd with Debian's default rules writes kern.log and syslog,
and a scan of the folder (plain, as a tarball, with one and two workers) gives each kernel record
once. Then the rule itself: logs, not files (rotations are one log), per folder, the most any one
log holds of a line.
"""

from __future__ import annotations

import subprocess
import tarfile

import orjson
import pytest

from tcplog.connectors.overlap import Overlap, compared_folders, log_of
from tests.conftest import require_tool
from tests.daemon_io import send_when_listening, stop, wait_for_lines
from tests.test_cli import events, tcplog
from tests.test_real_templates import RSYSLOG_MODULES, RSYSLOGD

REF = ("--reference-time", "2026-11-22T12:00:00Z")
CT = b"nf_conntrack: nf_conntrack: table full, dropping packet"
SYN = b"TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters."


def scan(*args: str) -> tuple[list[dict], dict]:
    r = tcplog("scan", *args, "--stats", *REF)
    assert r.returncode == 0, r.stderr
    return events(r.stdout), orjson.loads(r.stderr.splitlines()[-1])


def reconciled(stats: dict) -> bool:
    """Every candidate accounted for once: an event, a record read twice, unframed, user space or unmatched."""
    return stats["candidates"] == (stats["events"] + stats["overlapped"] + stats["unframed"]
                                   + stats["not_kernel"] + stats["unmatched"])


@pytest.mark.system
def test_rsyslog_debian_rules_kern_log_and_syslog_give_each_record_once(tmp_path):
    """Debian's rsyslog rules (`kern.* kern.log`, `*.*;auth,authpriv.none syslog`) in a real rsyslogd:
    both files hold the kernel lines; the folder gives one event per record sent, a flood's identical
    lines included (three of them stay three), and only syslog's user-space lines are not the kernel."""
    rsyslogd = require_tool(str(RSYSLOGD), "rsyslog unpacked privately by `make system-deps`")
    logs = tmp_path / "log"
    logs.mkdir()
    conf = [f'global(workDirectory="{tmp_path}")', 'module(load="imtcp")',
            'input(type="imtcp" port="19271" address="127.0.0.1")',
            "$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat",
            f"kern.*                         -{logs}/kern.log",
            f"*.*;auth,authpriv.none         -{logs}/syslog"]
    (tmp_path / "rsyslog.conf").write_text("\n".join(conf) + "\n")
    records = (b"<4>Nov 22 10:00:00 web1 kernel: " + CT + b"\n"
               + b"<4>Nov 22 10:00:00 web1 kernel: " + CT + b"\n"
               + b"<4>Nov 22 10:00:00 web1 kernel: " + CT + b"\n"
               + b"<6>Nov 22 10:00:01 web1 kernel: [ 1234.567890] " + SYN + b"\n"
               + b"<30>Nov 22 10:00:02 web1 systemd[1]: Started nginx.service.\n"
               + b"<46>Nov 22 10:00:03 web1 rsyslogd: imuxsock: begin to drop messages due to rate-limiting\n")
    proc = subprocess.Popen([rsyslogd, "-n", "-M", str(RSYSLOG_MODULES), "-f", str(tmp_path / "rsyslog.conf"),
                             "-i", str(tmp_path / "rsyslogd.pid")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        send_when_listening(19271, records, proc)
        wait_for_lines([logs / "syslog"], 6, proc)
        wait_for_lines([logs / "kern.log"], 4, proc)
    finally:
        out = stop(proc)
    assert (logs / "kern.log").read_bytes().count(b"\n") == 4, out
    assert (logs / "syslog").read_bytes().count(b"\n") == 6, out
    with tarfile.open(tmp_path / "var-log.tgz", "w:gz") as tar:
        tar.add(logs, arcname="var/log")
    outputs = []
    for args in ([str(logs)], [str(logs), "--workers", "2"], [str(tmp_path / "var-log.tgz")],
                 [str(tmp_path / "var-log.tgz"), "--workers", "2"]):
        got, stats = scan(*args)
        assert [e["family"] for e in got] == ["conntrack_full"] * 3 + ["syn_flood", "log_suppressed"], args
        assert stats["overlapped"] == 4 and stats["events"] == 5 and reconciled(stats), args
        assert stats["events_by_family"] == {"conntrack_full": 3, "log_suppressed": 1, "syn_flood": 1}, args
        outputs.append([(e["raw"], e["source"]["file"].rsplit("/", 1)[-1]) for e in got])
    # kern.log is read first (name order): its records are the events; syslog adds its own notice
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3]
    assert [name for _, name in outputs[0]] == ["kern.log"] * 4 + ["syslog"]
    assert outputs[0] == [(raw, name) for raw, name in outputs[2]]


def test_each_log_counts_its_own_repeats_and_rotations_are_one_log(tmp_path):
    """Ubuntu keeps kern.log four weeks and syslog one: the records only kern.log.1 still holds are
    kept; a line two logs hold is given as often as the log holding it most often."""
    old = b"Nov  1 10:00:00 web1 kernel: " + CT + b"\n"
    flood = b"Nov 22 10:00:00 web1 kernel: " + CT + b"\n"
    syn = b"Nov 22 10:00:01 web1 kernel: " + SYN + b"\n"
    (tmp_path / "kern.log.1").write_bytes(old + flood)
    (tmp_path / "kern.log").write_bytes(flood + syn)
    (tmp_path / "syslog").write_bytes(flood * 4 + syn + b"Nov 22 10:00:02 web1 cron[7]: (root) CMD (true)\n")
    got, stats = scan(str(tmp_path))
    # files in name order, rotations oldest first: syslog adds the two floods kern.log does not hold
    assert [e["raw"].encode() + b"\n" for e in got] == [old, flood, flood, syn, flood, flood]
    assert stats["overlapped"] == 3 and reconciled(stats)  # kern.log's two floods and its SYN line
    one, _ = scan(str(tmp_path), "--workers", "2")
    assert one == got


def test_folders_apart_and_other_names_are_not_compared(tmp_path):
    """web1/syslog and web2/kern.log are two hosts' logs; app.log beside syslog is no system log; stdin
    is not compared; a file named twice is read twice, as asked."""
    line = b"Nov 22 10:00:00 localhost kernel: " + CT + b"\n"
    for folder, name in (("web1", "syslog"), ("web2", "kern.log"), ("web3", "syslog"), ("web3", "app.log")):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).write_bytes(line)
    got, stats = scan(str(tmp_path))
    assert len(got) == 4 and stats["overlapped"] == 0
    r = tcplog("scan", "-", *REF, stdin=line * 2)
    assert len(events(r.stdout)) == 2
    got, stats = scan(str(tmp_path / "web1" / "syslog"), str(tmp_path / "web1" / "syslog"))
    assert len(got) == 2 and stats["overlapped"] == 0


def test_two_logs_named_on_the_command_line_are_compared(tmp_path):
    """`tcplog scan /var/log/syslog /var/log/kern.log` is the same folder's logs, named one by one."""
    line = b"Nov 22 10:00:00 web1 kernel: " + CT + b"\n"
    (tmp_path / "syslog").write_bytes(line)
    (tmp_path / "kern.log").write_bytes(line)
    got, stats = scan(str(tmp_path / "syslog"), str(tmp_path / "kern.log"))
    assert len(got) == 1 and stats["overlapped"] == 1
    assert got[0]["source"]["file"].endswith("/syslog")


def test_other_formats_drop_the_same_records(tmp_path):
    """--format ecs with workers: the records are dropped before the events are written as ECS."""
    line = b"Nov 22 10:00:00 web1 kernel: " + CT + b"\n"
    (tmp_path / "messages").write_bytes(line * 2)
    (tmp_path / "warn").write_bytes(line * 2)
    for workers in ("1", "2"):
        r = tcplog("scan", str(tmp_path), "--format", "ecs", "--workers", workers, *REF)
        assert r.returncode == 0 and len(events(r.stdout)) == 2, r.stderr


def test_the_boot_dump_in_dmesg_and_kern_log_give_each_record_once(tmp_path):
    """Ubuntu: /var/log/dmesg holds the boot's ring buffer in dmesg's format, kern.log and syslog the same
    records after rsyslog's header, printk stamps kept. Each record once (by stamp, message id and
    fields), whichever file is read first, plain, as a tarball and with two workers; the previous boot's
    dump (dmesg.0) holds other records with the same words, which stay."""
    vmalloc = b"nf_conntrack: falling back to vmalloc."
    stamped = [(b"[    4.512208] ", vmalloc), (b"[   61.100201] ", CT), (b"[   61.300442] ", CT)]
    header = b"Nov 22 09:58:%02d web1 kernel: "
    logs = tmp_path / "var" / "log"
    logs.mkdir(parents=True)
    (logs / "dmesg").write_bytes(b"[    0.000000] Linux version 5.15.0-91-generic\n"
                                 + b"".join(stamp + text + b"\n" for stamp, text in stamped[:1]))
    (logs / "dmesg.0").write_bytes(b"[    4.498001] " + vmalloc + b"\n")  # the boot before
    kern = b"".join((header % i) + stamp + text + b"\n" for i, (stamp, text) in enumerate(stamped))
    (logs / "kern.log").write_bytes(kern)
    (logs / "syslog").write_bytes(kern + b"Nov 22 09:59:00 web1 cron[7]: (root) CMD (true)\n")
    got, stats = scan(str(logs))
    assert sorted((e["kernel"]["monotonic"], e["message_id"]) for e in got) == [
        (4.498001, "conntrack_vmalloc.nf_conntrack"), (4.512208, "conntrack_vmalloc.nf_conntrack"),
        (61.100201, "conntrack_full.pr_fmt"), (61.300442, "conntrack_full.pr_fmt")]
    assert stats["overlapped"] == 4 and reconciled(stats)  # dmesg's, or kern.log's, vmalloc line and syslog's three
    two, _ = scan(str(logs), "--workers", "2")
    assert two == got
    with tarfile.open(tmp_path / "var-log.tar.gz", "w:gz") as tar:
        tar.add(logs, arcname="var/log")
    packed, stats = scan(str(tmp_path / "var-log.tar.gz"))
    assert len(packed) == 4 and stats["overlapped"] == 4


def test_overlap_compares_stamped_records_by_what_they_are():
    """The same stamp, message id and fields in dmesg and kern.log: one record; another stamp, or
    other fields at the same stamp, another record."""
    def event(file, raw, monotonic, fields):
        return {"source": {"file": file}, "raw": raw, "raw_b64": None, "message_id": "syn_flood.slab",
                "kernel": {"monotonic": monotonic}, "fields": fields}
    overlap = Overlap({"/v"})
    assert overlap.new(event("/v/dmesg", "[ 5.000001] x", 5.000001, {"port": 443}))
    assert not overlap.new(event("/v/kern.log", "Nov 22 10:00:00 h kernel: [ 5.000001] x", 5.000001, {"port": 443}))
    assert overlap.new(event("/v/kern.log", "Nov 22 10:00:00 h kernel: [ 5.000002] x", 5.000002, {"port": 443}))
    assert overlap.new(event("/v/kern.log", "Nov 22 10:00:00 h kernel: [ 5.000001] y", 5.000001, {"port": 80}))
    assert overlap.dropped == 1


def test_log_of_names_the_folder_and_the_log():
    assert log_of("/var/log/kern.log.2.gz") == ("/var/log", "kern.log")
    assert log_of("/var/log/messages-20261115") == ("/var/log", "messages")
    assert log_of("/srv/logs.tgz!var/log/syslog.1") == ("/srv/logs.tgz!var/log", "syslog")
    assert log_of("/srv/logs.tgz!syslog") == ("/srv/logs.tgz!", "syslog")
    assert log_of("/var/log/dmesg.1.gz") == ("/var/log", "dmesg")
    assert log_of("/var/log/nginx/error.log") is None and log_of("/var/log/syslog.log") is None
    assert compared_folders(["/a/syslog", "/a/syslog.1", "/b/syslog", "/b/kern.log", "-"]) == {"/b"}


def test_overlap_keeps_the_most_any_log_holds():
    """Three logs holding a line 2, 3 and 1 times give it 3 times, whichever is read first."""
    def event(file):
        return {"source": {"file": file}, "raw": "Nov 22 10:00:00 web1 kernel: x", "raw_b64": None}
    for order in (["kern.log"] * 2 + ["syslog"] * 3 + ["messages"],
                  ["messages"] + ["syslog"] * 3 + ["kern.log"] * 2,
                  ["syslog", "kern.log", "syslog", "messages", "kern.log", "syslog"]):
        overlap = Overlap({"/v"})
        kept = [name for name in order if overlap.new(event(f"/v/{name}"))]
        assert len(kept) == 3 and overlap.dropped == 3, order
    counter = {"source": {"file": None}, "raw": "x", "raw_b64": None}  # counter-only events have no file
    assert Overlap({"/v"}).new(counter)


def test_a_record_read_twice_is_logged_once_for_the_counter_events(tmp_path):
    """kern.log and syslog both hold the 'table full' line: the counter event of the same pair says
    one line was logged, not two, with one worker and with two (where the parent drops the copy)."""
    from tcplog.snapshot import document
    from tests.test_counter_events import EARLY, LATE, snapshot

    line = b"Nov 20 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet\n"
    logs = tmp_path / "log"
    logs.mkdir()
    (logs / "kern.log").write_bytes(line)
    (logs / "syslog").write_bytes(line)
    args = []
    for i, doc in enumerate((snapshot(EARLY), snapshot(LATE, {"conntrack.stat.drop": 90}))):
        (tmp_path / f"s{i}.json").write_bytes(document.dumps(doc))
        args += ["--snapshot", str(tmp_path / f"s{i}.json")]
    for workers in ("1", "2"):
        got, stats = scan(str(logs), *args, "--workers", workers)
        (ct,) = [e for e in got if e["message_id"] == "conntrack_full.counter"]
        assert (ct["fields"]["logged"], ct["fields"]["silent"]) == (1, 89), workers
        assert stats["overlapped"] == 1 and stats["events_by_message"]["conntrack_full.pr_fmt"] == 1


def test_a_bounded_overlap_forgets_the_oldest_lines_first():
    """follow's Overlap(limit=N): copies within the last N lines are dropped; an older one passes."""
    def event(file, raw):
        return {"source": {"file": file}, "raw": raw, "raw_b64": None}
    overlap = Overlap({"/v"}, limit=2)
    assert all(overlap.new(event("/v/kern.log", raw)) for raw in ("a", "b", "c"))
    assert not overlap.new(event("/v/syslog", "c")) and not overlap.new(event("/v/syslog", "b"))
    assert overlap.new(event("/v/syslog", "a"))  # forgotten: the copy passes
