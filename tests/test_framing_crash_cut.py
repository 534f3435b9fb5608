"""A record cut by a crash, then a NUL run, then the next record on the same line; CRs that lead a line.

A crash that zeroes a log's last blocks cuts the record those blocks start in (its newline is lost with
the rest of it), and syslogd appends its next record right after the zeros. The whole record after the
NUL run is read, the cut one never gives an event, and the line is counted once."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from tcplog import framing
from tcplog.connectors.files import blocks
from tcplog.framing.context import FramingContext
from tcplog.scan import Scanner, Stats

REF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
CUT = b"Nov 22 10:00:00 web1 kernel: TCP: time wa\0\0\0\0"
CT = b"Nov 22 10:00:09 web1 kernel: nf_conntrack: table full, dropping packet"


def ctx() -> FramingContext:
    return FramingContext(reference=REF)


def scan(data: bytes, size: int = 1 << 20) -> tuple[list[dict], Stats]:
    stats = Stats()
    events = list(Scanner().scan_blocks(blocks(io.BytesIO(data), size=size), ctx(), "kern.log", stats))
    return events, stats


def test_the_record_after_the_nul_run_is_read_with_its_own_header():
    """Host, time, program and text are the whole record's; `raw` keeps the line as read."""
    r = framing.decode(CUT + CT, ctx())
    assert (r.framing, r.host, r.program, r.kernel) == ("rfc3164", "web1", "kernel", True)
    assert r.time == datetime(2026, 11, 22, 10, 0, 9, tzinfo=timezone.utc)
    assert (r.text, r.raw) == ("nf_conntrack: table full, dropping packet", CUT + CT)


@pytest.mark.parametrize("after,framing_name,text", [
    (b"<4>Nov 22 10:00:09 web1 kernel: TCP: time wait bucket table overflow", "rfc3164",
     "TCP: time wait bucket table overflow"),
    (b"[12345.678901] TCP: time wait bucket table overflow", "dmesg", "TCP: time wait bucket table overflow"),
    (b'{"MESSAGE":"TCP: time wait bucket table overflow","_TRANSPORT":"kernel","_HOSTNAME":"web2"}',
     "journal-json", "TCP: time wait bucket table overflow"),
    (b"kernel: TCP: time wait bucket table overflow", "dmesg-t", "TCP: time wait bucket table overflow"),
])
def test_any_framing_with_a_header_may_follow_the_nul_run(after, framing_name, text):
    r = framing.decode(b'{"MESSAGE":"TCP: tim\0\0' + after, ctx())
    assert (r.framing, r.text) == (framing_name, text)


def test_text_without_a_header_after_the_nuls_stays_the_records():
    """Without a header after them, the NULs are the text's (`a\\0b`), as before."""
    assert framing.decode(b"Nov 22 10:00:00 web1 kernel: a\0b\0", ctx()).text == "a\0b"
    assert framing.decode(b"Nov 22 10:00:00 web1 kernel: a\0\0TCP: b", ctx()).text == "a\0\0TCP: b"


def test_a_forced_framing_reads_the_record_after_the_nul_run():
    r = framing.decode(CUT + CT, ctx(), "rfc3164")
    assert (r.host, r.text) == ("web1", "nf_conntrack: table full, dropping packet")
    assert framing.decode(CUT + b"[ 12.5] TCP: x", ctx(), "dmesg").monotonic == 12.5
    assert framing.decode(b"x\0\0y", ctx(), "dmesg-t").text == "x\0\0y"  # bare text has no header to tell


def test_a_crash_cut_line_in_a_file_gives_one_event_and_counts_one_line():
    """Cut record + zeros + whole record on one line, between two whole lines: three events (the cut one
    gives none), three lines, three candidates, nothing unframed or unmatched; cut into small blocks too."""
    tw = b"Nov 22 09:59:59 web1 kernel: TCP: time wait bucket table overflow"
    data = tw + b"\n" + CUT + b"\0" * 500 + CT + b"\n" + tw.replace(b"09:59:59", b"10:00:10") + b"\n"
    events, stats = scan(data)
    assert [(e["message_id"], e["time"], e["source"]["line"]) for e in events] == [
        ("tw_bucket_overflow.legacy", "2026-11-22T09:59:59.000000Z", 1),
        ("conntrack_full.ratelimited", "2026-11-22T10:00:09.000000Z", 2),
        ("tw_bucket_overflow.legacy", "2026-11-22T10:00:10.000000Z", 3)]
    assert (stats.lines, stats.candidates, stats.unframed, stats.unmatched) == (3, 3, 0, 0)
    assert scan(data, size=64)[0] == events


def test_a_cut_record_that_still_parses_gives_no_event():
    """`port 44` of a record cut in `port 443`: the cut record is never read when a whole one follows."""
    line = b"Nov 22 10:00:00 web1 kernel: TCP: request_sock_TCP: Possible SYN flooding on port 44\0\0\0" + CT
    events, stats = scan(line + b"\n")
    assert [e["message_id"] for e in events] == ["conntrack_full.ratelimited"]
    assert not any(e["family"] == "syn_flood" for e in events) and stats.candidates == 1


def test_carriage_returns_leading_a_line_are_skipped():
    """`\\n\\r` line ends (serial consoles, Windows copies) put a CR first on each next line."""
    lines = [CT, CT.replace(b"web1", b"web2"), CT.replace(b"web1", b"web3")]
    events, stats = scan(b"\n\r".join(lines) + b"\n\r")
    assert [e["host"] for e in events] == ["web1", "web2", "web3"]
    assert [e["raw"] for e in events] == ["Nov 22 10:00:09 web1 kernel: nf_conntrack: table full, dropping packet",
                                          "\rNov 22 10:00:09 web2 kernel: nf_conntrack: table full, dropping packet",
                                          "\rNov 22 10:00:09 web3 kernel: nf_conntrack: table full, dropping packet"]
    assert (stats.lines, stats.candidates, stats.unmatched) == (4, 3, 0)
