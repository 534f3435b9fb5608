"""Real journald files: export stream -> systemd-journal-remote -> .journal -> journalctl -> tcplog.

No mock of journald: the entries are written by systemd-journal-remote into a real journal
file and read back with journalctl in every output mode tcplog accepts.
"""

from __future__ import annotations

import struct
import subprocess

import orjson
import pytest

from tests import conftest
from tests.test_cli import events, tcplog

BOOT = "0123456789abcdef0123456789abcdef"
BASE = 1795370000000000  # 2026-11-22T17:53:20Z in µs
KERNEL_MESSAGES = [
    (6, "TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:443. Sending cookies.", "syn_flood"),
    (4, "nf_conntrack: nf_conntrack: table full, dropping packet", "conntrack_full"),
    (6, "neighbour: arp_cache: neighbor table overflow!", "neigh_overflow"),
    (6, "TCP: out of memory -- consider tuning tcp_mem", "tcp_mem"),
    (4, "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex", None),
]


def _field(key: str, value) -> bytes:
    b = value.encode() if isinstance(value, str) else value
    if b"\n" in b or any(c < 32 and c != 9 for c in b):
        return key.encode() + b"\n" + struct.pack("<Q", len(b)) + b + b"\n"
    return key.encode() + b"=" + b + b"\n"


def export_stream() -> bytes:
    out = b""
    for i, (prio, msg, _) in enumerate(KERNEL_MESSAGES):
        mono = 12345678901 + i * 1000
        fields = [("__REALTIME_TIMESTAMP", str(BASE + i * 1_000_000)), ("__MONOTONIC_TIMESTAMP", str(mono + 500)),
                  ("_BOOT_ID", BOOT), ("_TRANSPORT", "kernel"), ("PRIORITY", str(prio)), ("SYSLOG_FACILITY", "0"),
                  ("SYSLOG_IDENTIFIER", "kernel"), ("MESSAGE", msg), ("_SOURCE_MONOTONIC_TIMESTAMP", str(mono)),
                  ("_HOSTNAME", "testhost"), ("_KERNEL_SUBSYSTEM", "net")]
        out += b"".join(_field(k, v) for k, v in fields) + b"\n"
    # a non-UTF-8 kernel message (stored binary-safe, read back as an array of bytes in -o json)
    out += b"".join(_field(k, v) for k, v in [
        ("__REALTIME_TIMESTAMP", str(BASE + 9_000_000)), ("_BOOT_ID", BOOT), ("_TRANSPORT", "kernel"),
        ("PRIORITY", "6"), ("SYSLOG_FACILITY", "0"), ("SYSLOG_IDENTIFIER", "kernel"), ("MESSAGE", b"NETDEV WATCHDOG: eth\xff0 (e1000e): transmit queue 0 timed out"), ("_HOSTNAME", "testhost")]) + b"\n"
    # an application saying a kernel phrase: not the kernel
    out += b"".join(_field(k, v) for k, v in [
        ("__REALTIME_TIMESTAMP", str(BASE + 10_000_000)), ("_BOOT_ID", BOOT), ("_TRANSPORT", "syslog"),
        ("PRIORITY", "4"), ("SYSLOG_IDENTIFIER", "myapp"), ("_PID", "4242"),
        ("MESSAGE", "nf_conntrack: table full, dropping packet"), ("_HOSTNAME", "testhost")]) + b"\n"
    return out


@pytest.fixture(scope="module")
def journal_file(tmp_path_factory) -> str:
    return conftest.real_journal(tmp_path_factory.mktemp("journal"), export_stream())


def journalctl(path: str, *args: str) -> bytes:
    return subprocess.run(["journalctl", "--file", path, "--no-pager", *args], check=True,
                          capture_output=True, timeout=60).stdout


EXPECTED = ["syn_flood", "conntrack_full", "neigh_overflow", "tcp_mem", "netdev_watchdog"]


def test_journal_json_from_a_real_journal_file(journal_file, tmp_path):
    """journalctl -o json output: every kernel event found, header fields kept, the app line ignored."""
    log = tmp_path / "j.json"
    log.write_bytes(journalctl(journal_file, "-o", "json"))
    got = events(tcplog("scan", str(log)).stdout)
    assert [e["family"] for e in got] == EXPECTED
    first = got[0]
    assert first["host"] == "testhost" and first["time"] == "2026-11-22T17:53:20.000000Z"
    assert first["kernel"]["monotonic"] == 12345.678901 and first["kernel"]["boot_id"] == BOOT
    assert first["kernel"]["level"] == 6 and first["source"]["cursor"].startswith("s=")
    assert first["source"]["extra"]["_KERNEL_SUBSYSTEM"] == "net"


def test_journal_json_message_as_byte_array(journal_file):
    """journalctl writes a non-UTF-8 MESSAGE as an array of byte values; it still parses."""
    out = journalctl(journal_file, "-o", "json")
    arrays = [line for line in out.splitlines() if b'"MESSAGE":[' in line]
    assert len(arrays) == 1
    (event,) = events(tcplog("filter", stdin=arrays[0] + b"\n").stdout)
    assert event["tcplog"]["fields"]["interface"] == "eth\ufffd0"


def test_journal_export_from_a_real_journal_file(journal_file, tmp_path):
    """journalctl -o export (binary-safe fields included) is sniffed and read entry by entry."""
    log = tmp_path / "j.export"
    log.write_bytes(journalctl(journal_file, "-o", "export"))
    got = events(tcplog("scan", str(log)).stdout)
    assert [e["family"] for e in got] == EXPECTED
    assert all(e["source"]["framing"] == "journal-export" for e in got)
    assert got[0]["source"]["cursor"].startswith("s=")


@pytest.mark.parametrize("mode", ["short", "short-iso", "short-precise", "short-iso-precise", "short-monotonic",
                                  "short-unix", "short-full", "cat"])
def test_journal_short_outputs_from_a_real_journal_file(journal_file, tmp_path, mode):
    """Every journalctl short mode (and -o cat) yields the kernel events (-a: show binary messages)."""
    log = tmp_path / f"j.{mode}"
    log.write_bytes(journalctl(journal_file, "-k", "-a", "-o", mode))
    r = tcplog("scan", str(log), "--reference-time", "2026-11-23T00:00:00Z")
    got = events(r.stdout)
    assert [e["family"] for e in got] == EXPECTED, r.stdout
    if mode != "cat":
        assert got[0]["host"] == "testhost"
    if mode in ("short-iso", "short-iso-precise", "short-unix", "short-full"):
        assert got[0]["time"] == "2026-11-22T17:53:20.000000Z"


@pytest.mark.parametrize("mode", ["json", "json-pretty", "export", "verbose"])
def test_journal_output_fields_without_an_origin_are_read_as_the_kernels(journal_file, tmp_path, mode):
    """`journalctl -k -o json --output-fields=MESSAGE,_HOSTNAME` keeps __CURSOR, __REALTIME_TIMESTAMP,
    __MONOTONIC_TIMESTAMP and _BOOT_ID, and no field that names a writer: read as bare text is (the
    kernel's), so -k's entries give their events (they were not_kernel)."""
    log = tmp_path / f"j.{mode}"
    log.write_bytes(journalctl(journal_file, "-k", "-a", "-o", mode, "--output-fields=MESSAGE,_HOSTNAME"))
    assert b"_TRANSPORT" not in log.read_bytes() and b"SYSLOG_IDENTIFIER" not in log.read_bytes()
    got = events(tcplog("scan", str(log)).stdout)
    assert [e["family"] for e in got] == EXPECTED
    assert got[0]["host"] == "testhost" and got[0]["time"] == "2026-11-22T17:53:20.000000Z"


def test_journal_output_fields_that_name_a_writer_still_decide(journal_file, tmp_path):
    """With SYSLOG_IDENTIFIER among the fields, the application's kernel phrase stays not the kernel's."""
    log = tmp_path / "j.json"
    log.write_bytes(journalctl(journal_file, "-o", "json", "--output-fields=MESSAGE,SYSLOG_IDENTIFIER"))
    got = events(tcplog("scan", str(log)).stdout)
    assert [e["family"] for e in got] == EXPECTED


def test_journal_stdin_through_filter(journal_file):
    """`journalctl -o json | tcplog filter`: one record out per entry, kernel ones annotated."""
    out = journalctl(journal_file, "-o", "json")
    r = tcplog("filter", stdin=out)
    recs = [orjson.loads(line) for line in r.stdout.splitlines()]
    assert len(recs) == len(out.splitlines())
    assert [x["tcplog"]["family"] for x in recs if "tcplog" in x] == EXPECTED


def test_binary_journal_file_scanned_as_journalctl_exports_it(journal_file, tmp_path):
    """`tcplog scan system.journal`: journalctl reads the file, the events are those of its -o export
    output, named after the journal file; with one worker and two, compressed and inside a tarball."""
    import gzip
    import shutil
    import tarfile

    export = tmp_path / "j.export"
    export.write_bytes(journalctl(journal_file, "-o", "export"))
    want = events(tcplog("scan", str(export)).stdout)
    assert [e["family"] for e in want] == EXPECTED

    def same(got):  # all but the file name
        return [dict(e, source=dict(e["source"], file=None)) for e in got]

    for workers in ("1", "2"):
        r = tcplog("scan", journal_file, "--workers", workers, "--stats")
        assert r.returncode == 0, r.stderr
        got = events(r.stdout)
        assert same(got) == same(want) and {e["source"]["file"] for e in got} == {journal_file}
        assert orjson.loads(r.stderr.splitlines()[-1])["unreadable"] == []
    packed = tmp_path / "system.journal.gz"
    with open(journal_file, "rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    with tarfile.open(tmp_path / "journal.tgz", "w:gz") as tar:
        tar.add(journal_file, arcname="var/log/journal/0123/system.journal")
    for path, name in ((packed, str(packed)), (tmp_path / "journal.tgz",
                                               f"{tmp_path / 'journal.tgz'}!var/log/journal/0123/system.journal")):
        got = events(tcplog("scan", str(path)).stdout)
        assert same(got) == same(want) and {e["source"]["file"] for e in got} == {name}


def test_binary_journal_unreadable_is_named_with_the_reason(journal_file, tmp_path):
    """No journalctl on PATH, or a file journalctl cannot read: the input is unreadable with why (exit
    code 1), and the other inputs are read."""
    import os

    other = tmp_path / "kern.log"
    other.write_bytes(b"Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet\n")
    bare = tmp_path / "bin"
    bare.mkdir()
    r = tcplog("scan", journal_file, str(other), env=dict(os.environ, PATH=str(bare)))
    assert r.returncode == 1 and len(events(r.stdout)) == 1
    assert b"a binary systemd journal file: reading it needs journalctl" in r.stderr
    broken = tmp_path / "broken.journal"
    broken.write_bytes(b"LPKSHHRH" + b"\0" * 300 + b"not a journal at all\n" * 100)
    r = tcplog("scan", str(broken), str(other), "--stats")
    assert r.returncode == 1 and len(events(r.stdout)) == 1, r.stderr
    (unreadable,) = orjson.loads(r.stderr.splitlines()[-1])["unreadable"]
    assert unreadable["input"] == str(broken) and unreadable["reason"].startswith("journalctl could not read")


def test_journal_beside_syslog_files_is_not_read_twice(journal_file, tmp_path):
    """A walked /var/log holding syslog files and journal/<machine>/system.journal: the journal's
    kernel records are the syslog files' too, so the journal is skipped with the reason; naming the
    journal folder reads it."""
    import shutil

    logs = tmp_path / "log"
    (logs / "journal" / "0123").mkdir(parents=True)
    shutil.copy(journal_file, logs / "journal" / "0123" / "system.journal")
    (logs / "syslog").write_bytes(b"Nov 22 17:53:21 testhost kernel: nf_conntrack: nf_conntrack: table full, "
                                  b"dropping packet\n")
    r = tcplog("scan", str(logs), "--stats")
    stats = orjson.loads(r.stderr.splitlines()[-1])
    assert r.returncode == 0 and [e["family"] for e in events(r.stdout)] == ["conntrack_full"]
    (skipped,) = stats["skipped"]
    assert skipped["input"].endswith("journal/0123/system.journal") and "binary journal beside" in skipped["reason"]
    r = tcplog("scan", str(logs / "journal"))
    assert [e["family"] for e in events(r.stdout)] == EXPECTED


def test_binary_journal_through_a_fifo_is_copied_for_journalctl(journal_file, tmp_path):
    """`tcplog scan <(cat system.journal)`: the FIFO's bytes are read once and handed to journalctl as a
    private copy (the FIFO is never opened twice, which would hang on a pipe whose writer is done)."""
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed():
        with open(journal_file, "rb") as src, open(fifo, "wb") as dst:
            dst.write(src.read())

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    r = tcplog("scan", str(fifo), "--workers", "1")
    writer.join(5)
    assert r.returncode == 0, r.stderr
    assert [e["family"] for e in events(r.stdout)] == EXPECTED
