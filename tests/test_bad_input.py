"""Bad input is a normal case: no crash, nothing lost, nothing doubled, clear errors."""

from __future__ import annotations

import base64
import subprocess
import sys

import orjson

from tests.test_cli import CT, SYN, events, tcplog

BAD_RECORDS = [
    b"\xff\xfe\xfd TCP: too many orphaned sockets \xc3\x28",  # invalid UTF-8
    b"Nov 21 10:00:00 web1 kernel: nf_conntrack: table full\x00, dropping packet",  # NUL byte
    b'{"MESSAGE":"nf_conntrack: table full, dropping packet","_TRANSPORT":"kern',  # truncated JSON
    b'["nf_conntrack: table full, dropping packet"]',  # JSON, not an object
    b"\x00\x01\x02\x03\x04 binary garbage \x9c\x8d",
    b"",  # an empty line is a record too
    b"{" * 5000,  # deep nesting, not JSON
    b'{"MESSAGE":' * 2000,
    b"<999999999999>1 bogus",
    b"6,99999999999999999999999,1,-;TCP: too many orphaned sockets",
    b"[99999999999999999.9] TCP: too many orphaned sockets",
    b'{"message":"TCP: too many orphaned sockets","date":1e400}',
]


def test_filter_survives_every_bad_record_and_keeps_count():
    """Each bad record gets exactly one answer; the good ones around them still match."""
    data = SYN + b"\n".join(BAD_RECORDS) + b"\n" + CT
    r = tcplog("filter", stdin=data)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert len(out) == len(BAD_RECORDS) + 2
    assert orjson.loads(out[0])["tcplog"]["family"] == "syn_flood"
    assert orjson.loads(out[-1])["tcplog"]["family"] == "conntrack_full"
    for line in out:
        orjson.loads(line)  # every answer is valid JSON


def test_filter_keeps_invalid_utf8_bytes_exactly():
    """A raw line that is not UTF-8 passes with message_b64 holding its exact bytes."""
    r = tcplog("filter", stdin=BAD_RECORDS[0] + b"\n")
    rec = orjson.loads(r.stdout)
    assert base64.b64decode(rec["message_b64"]) == BAD_RECORDS[0]


def test_event_raw_b64_keeps_invalid_utf8_bytes_exactly(tmp_path):
    """An event from a line with invalid bytes carries the exact bytes in raw_b64."""
    line = b"Nov 21 10:00:00 web\xffhost kernel: TCP: too many orphaned sockets"
    log = tmp_path / "k.log"
    log.write_bytes(line + b"\n")
    (event,) = events(tcplog("scan", str(log)).stdout)
    assert base64.b64decode(event["raw_b64"]) == line


def test_filter_handles_a_one_megabyte_line():
    """A 1 MB line is answered as one record, with the records around it intact."""
    big = b"x" * (1 << 20)
    r = tcplog("filter", stdin=SYN + big + b"\n" + CT)
    out = r.stdout.splitlines()
    assert len(out) == 3 and len(orjson.loads(out[1])["message"]) == 1 << 20


def test_filter_empty_input_gives_empty_output():
    """No input, no output, exit 0."""
    r = tcplog("filter", stdin=b"")
    assert (r.returncode, r.stdout) == (0, b"")


def test_filter_last_record_without_newline_is_answered():
    """The final record is answered even when stdin ends without a newline."""
    r = tcplog("filter", stdin=SYN + CT[:-1])
    assert len(r.stdout.splitlines()) == 2


def test_filter_diagnostics_never_reach_stdout():
    """Only records go to stdout, so a shipper never reads a diagnostic as a record."""
    r = tcplog("filter", stdin=b"\n".join(BAD_RECORDS) + b"\n")
    assert all(line.startswith(b"{") for line in r.stdout.splitlines())


def test_scan_survives_bad_records_between_good_ones(tmp_path):
    """scan finds the good records around binary garbage and huge lines."""
    log = tmp_path / "mixed.log"
    log.write_bytes(SYN + b"\n".join(BAD_RECORDS) + b"\n" + b"y" * (3 << 20) + b"\n" + CT)
    r = tcplog("scan", str(log), "--stats")
    assert r.returncode == 0, r.stderr
    fams = [e["family"] for e in events(r.stdout)]
    assert fams[0] == "syn_flood" and fams[-1] == "conntrack_full"


def test_scan_empty_file_and_binary_file(tmp_path):
    """An empty file and a binary file are read without error and give no event."""
    (tmp_path / "empty.log").write_bytes(b"")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 4096)
    r = tcplog("scan", str(tmp_path))
    assert (r.returncode, r.stdout) == (0, b"")


def test_unreadable_file_permission(tmp_path):
    """A file that cannot be opened is named with the reason, exit 1."""
    import os

    if os.geteuid() == 0:
        # root reads anything; a directory entry that is a dangling symlink fails to open instead
        bad = tmp_path / "dangling.log"
        bad.symlink_to(tmp_path / "nowhere")
    else:
        bad = tmp_path / "secret.log"
        bad.write_bytes(SYN)
        bad.chmod(0)
    r = tcplog("scan", str(bad))
    assert r.returncode == 1 and str(bad).encode() in r.stderr


def test_python_dash_m_tcplog_works():
    """`python -m tcplog` is the same command."""
    r = subprocess.run([sys.executable, "-m", "tcplog", "--version"], capture_output=True)
    assert r.returncode == 0 and r.stdout.startswith(b"tcplog ")


def test_filter_sigterm_answers_what_was_read_and_exits_0():
    """SIGTERM while waiting for input: every record already sent is answered, exit code 0."""
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "tcplog", "filter"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    proc.stdin.write(SYN + CT)
    proc.stdin.flush()
    first = proc.stdout.readline()
    second = proc.stdout.readline()
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert b"syn_flood" in first and b"conntrack_full" in second


def test_filter_max_record_bytes_cuts_long_records():
    """--max-record-bytes: a longer record is answered in pieces, each piece one record."""
    r = tcplog("filter", "--max-record-bytes", "1000", stdin=b"x" * 2500 + b"\n")
    assert [len(orjson.loads(line)["message"]) for line in r.stdout.splitlines()] == [1000, 1000, 500]


def test_grammars_survive_numbers_of_thousands_of_digits():
    """A hostile line with a 10,000-digit number parses to nothing, never an exception (int digit limit)."""
    from tcplog.grammars import FAMILIES

    digits = "9" * 10_000
    for family in FAMILIES:
        for trigger in family.TRIGGERS:
            for text in (f"{trigger.decode()} {digits}", f"Suppressed {digits} messages from x",
                         f"net_ratelimit: {digits} callbacks suppressed", f"{digits} {trigger.decode()}"):
                family.parse(text)


def test_hostile_header_numbers_are_unframed_not_fatal(tmp_path):
    """A shipper record with a 10,000-digit pid or timestamp does not stop the scan of the lines after it."""
    digits = "9" * 10_000
    log = tmp_path / "hostile.log"
    log.write_bytes(b'{"message":"TCP: too many orphaned sockets","ident":"kernel","pid":"' + digits.encode() + b'"}\n'
                    + b'{"MESSAGE":"TCP: too many orphaned sockets","_TRANSPORT":"kernel","_PID":"' + digits.encode()
                    + b'","__REALTIME_TIMESTAMP":"' + digits.encode() + b'"}\n' + CT)
    r = tcplog("scan", str(log))
    assert r.returncode == 0, r.stderr
    assert events(r.stdout)[-1]["family"] == "conntrack_full"


def test_scan_reads_a_huge_line_in_pieces_with_bounded_memory(tmp_path):
    """A 40 MiB line between two kernel lines: both events found, the line counted once, and the
    scan's peak RSS stays where a small file's is (the line is read in --max-record-bytes pieces)."""
    kern = b"Nov 22 10:00:00 web1 kernel: TCP: too many orphaned sockets\n"
    log = tmp_path / "huge-line.log"
    with open(log, "wb") as f:
        f.write(kern)
        for _ in range(40):
            f.write(b"x" * (1 << 20))
        f.write(b"\n" + kern)
    peak = ("import resource, subprocess, sys\n"
            "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
            "sys.stdout.write(r.stdout.decode())\nsys.stderr.write(r.stderr.decode())\n")
    for extra, bound in (((), 64 << 10), (("--max-record-bytes", "8M"), 96 << 10)):
        r = subprocess.run([sys.executable, "-c", peak, sys.executable, "-m", "tcplog", "scan", str(log), "--stats",
                            "-q", "--workers", "1", *extra], capture_output=True, timeout=120)
        head, _, out = r.stdout.partition(b"\n")
        rss, code = map(int, head.split())
        assert code == 0, r.stderr
        assert [e["family"] for e in events(out)] == ["orphans", "orphans"]
        stats = orjson.loads(r.stderr.strip().splitlines()[-1])
        assert stats["lines"] == 3 and stats["events"] == 2
        assert rss < bound, f"peak RSS {rss} KiB with {extra or 'the default'}"
