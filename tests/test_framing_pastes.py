"""Shapes real pastes showed around a record: busybox's empty hostname, an `aws logs tail` stream name before
bare kernel text, a `ts` stamp closed by a colon, an RFC 6587 octet count from a captured TCP stream."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from tcplog import framing
from tcplog.connectors.files import blocks
from tcplog.framing.context import FramingContext
from tcplog.scan import Scanner, Stats

REF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
TW = "TCP: time wait bucket table overflow"


def ctx() -> FramingContext:
    return FramingContext(reference=REF)


def scan(data: bytes) -> tuple[list[dict], Stats]:
    stats = Stats()
    return list(Scanner().scan_blocks(blocks(io.BytesIO(data)), ctx(), "pasted.log", stats)), stats


def at(hh: int, mm: int, ss: int, us: int = 0) -> datetime:
    return datetime(2026, 11, 22, hh, mm, ss, us, tzinfo=timezone.utc)


@pytest.mark.parametrize("line", [
    b"Nov 22 10:00:00  kern.warn kernel: TCP: time wait bucket table overflow",  # "%s %.64s %s %s\n", hostname ""
    b"<4>Nov 22 10:00:00  kern.warn kernel: TCP: time wait bucket table overflow",  # (the general decoder)
])
def test_busybox_token_where_an_empty_hostname_stands_is_facility_and_level(line):
    """busybox syslogd with an empty hostname leaves two spaces: `kern.warn` is no host."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.host, r.program, r.kernel, r.facility, r.severity, r.text, r.time) == (
        "rfc3164", None, "kernel", True, 0, 4, TW, at(10, 0, 0))


def test_busybox_token_after_a_host_and_a_host_named_like_no_token_stay():
    r = framing.decode(b"Nov 22 10:00:00 router kern.warn kernel: " + TW.encode(), ctx())
    assert (r.host, r.facility, r.severity) == ("router", 0, 4)
    r = framing.decode(b"Nov 22 10:00:00 kern.bogus kernel: " + TW.encode(), ctx())
    assert (r.host, r.facility) == ("kern.bogus", None)


def test_busybox_empty_hostname_in_a_file_gives_its_event():
    events, stats = scan(b"Nov 22 10:00:00  kern.warn kernel: TCP: time wait bucket table overflow\n")
    assert [(e["message_id"], e["host"], e["kernel"]["level"], e["source"]["program"]) for e in events] == [
        ("tw_bucket_overflow.legacy", None, 4, "kernel")]
    assert (stats.lines, stats.candidates, len(events), stats.unmatched, stats.not_kernel) == (1, 1, 1, 0, 0)


CW = b"2026-11-22T10:00:01.000000+00:00 i-0abc nf_conntrack: nf_conntrack: table full, dropping packet"


def test_stream_name_before_bare_kernel_text_is_the_host():
    """`aws logs tail`: the stamp, the stream name, then the kernel's text, whose subsystem prefix is no tag."""
    r = framing.decode(CW, ctx())
    assert (r.framing, r.host, r.program, r.kernel, r.time, r.text, r.extra) == (
        "dmesg-t", "i-0abc", None, True, at(10, 0, 1), "nf_conntrack: nf_conntrack: table full, dropping packet",
        {"prefix_host": "i-0abc"})


@pytest.mark.parametrize("line,program,kernel", [
    (b"2026-11-22T10:00:01.000000+00:00 web1 TCP[12]: " + TW.encode(), "TCP", False),  # a pid: a program's tag
    (b"2026-11-22T10:00:01.000000+00:00 web1 myapp: " + TW.encode(), "myapp", False),
    (b"2026-11-22T10:00:01.000000+00:00 web1 kernel: " + TW.encode(), "kernel", True),
])
def test_a_tag_that_is_no_kernel_prefix_stays_syslogs(line, program, kernel):
    r = framing.decode(line, ctx())
    assert (r.framing, r.host, r.program, r.kernel) == ("rfc3164", "web1", program, kernel)


def test_stream_name_before_kernel_text_in_a_file_counts_once():
    events, stats = scan(CW + b"\n" + CW.replace(b"i-0abc", b"web1").replace(b"nf_conntrack: nf", b"myd: nf") + b"\n")
    assert [(e["message_id"], e["host"], e["time"], e["source"]["line"]) for e in events] == [
        ("conntrack_full.pr_fmt", "i-0abc", "2026-11-22T10:00:01.000000Z", 1)]
    assert (stats.lines, stats.candidates, len(events), stats.not_kernel, stats.unmatched) == (2, 2, 1, 1, 0)


@pytest.mark.parametrize("line,time", [
    (b"2026-11-22 10:52:39+0200: [ 1234.567890] " + TW.encode(), at(8, 52, 39)),  # ts '%Y-%m-%d %H:%M:%S%z:'
    (b"2026-11-22 10:52:39: [ 1234.567890] " + TW.encode(), at(10, 52, 39)),  # no zone: --tz
    (b"2026-11-22T10:52:39.5Z [ 1234.567890] " + TW.encode(), at(10, 52, 39, 500000)),
])
def test_a_dated_ts_stamp_closed_by_a_colon_before_a_printk_stamp(line, time):
    r = framing.decode(line, ctx())
    assert (r.framing, r.host, r.kernel, r.time, r.monotonic, r.text) == ("dmesg", None, True, time, 1234.56789, TW)


def test_a_dated_stamp_and_colon_before_bare_text_is_no_capture():
    """Only a printk stamp after an unbracketed stamp says the capture's line is the kernel's: the line stays whole."""
    line = b"2026-11-22 10:52:39+0200: " + TW.encode()
    r = framing.decode(line, ctx())
    assert (r.framing, r.time, r.text) == ("dmesg-t", None, line.decode())


def test_a_ts_stamp_with_a_colon_in_a_file_gives_its_event():
    events, stats = scan(b"2026-11-22 10:52:39+0200: [ 1234.567890] " + TW.encode() + b"\n")
    assert [(e["message_id"], e["time"], e["kernel"]["monotonic"], e["source"]["framing"]) for e in events] == [
        ("tw_bucket_overflow.legacy", "2026-11-22T08:52:39.000000Z", 1234.56789, "dmesg")]
    assert (stats.lines, stats.candidates, len(events), stats.unmatched) == (1, 1, 1, 0)


@pytest.mark.parametrize("line,framing_name,time", [
    (b"79 <4>1 2026-11-22T10:00:00Z web1 kernel - - - " + TW.encode(), "rfc5424", at(10, 0, 0)),
    (b"73 <4>Nov 22 10:00:00 web1 kernel: " + TW.encode(), "rfc3164", at(10, 0, 0)),
])
def test_an_octet_count_before_a_syslog_record_is_read_past(line, framing_name, time):
    """RFC 6587 octet counting (syslog-ng's syslog() driver, rsyslog omfwd octet-counted) in a capture."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.host, r.program, r.kernel, r.facility, r.severity, r.time, r.text, r.raw) == (
        framing_name, "web1", "kernel", True, 0, 4, time, TW, line)


@pytest.mark.parametrize("line", [
    b"73 " + TW.encode(),  # no PRI after the count: text starting with a number stays whole
    b"073 <4>Nov 22 10:00:00 web1 kernel: " + TW.encode(),  # MSG-LEN starts with a non-zero digit
])
def test_a_number_that_is_no_octet_count_is_not_read_past(line):
    r = framing.decode(line, ctx())
    assert (r.framing, r.host, r.program, r.text) == ("dmesg-t", None, None, line.decode())


def test_octet_counted_frames_in_a_file_give_their_events_and_counts_add_up():
    data = (b"79 <4>1 2026-11-22T10:00:00Z web1 kernel - - - " + TW.encode() + b"\n"
            b"73 <4>Nov 22 10:00:01 web2 kernel: " + TW.encode() + b"\n"
            b"73 <14>Nov 22 10:00:02 web2 myapp: " + TW.encode() + b"\n")
    events, stats = scan(data)
    assert [(e["host"], e["source"]["framing"], e["source"]["line"]) for e in events] == [
        ("web1", "rfc5424", 1), ("web2", "rfc3164", 2)]
    assert (stats.lines, stats.candidates, len(events), stats.not_kernel, stats.unmatched, stats.unframed) == (
        3, 3, 2, 1, 0, 0)


@pytest.mark.parametrize("line", [
    b"`Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow`",  # inline code in running text
    b"``Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow``.",  # doubled, a full stop after
    b"*Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow*",  # emphasis (a cloud vendor's doc)
    b"**Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow**",
])
def test_a_headed_record_in_markdown_inline_markup_is_read(line):
    """Backticks or asterisks around a whole syslog line: the line inside, with its host and time."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.host, r.program, r.text, r.time) == ("rfc3164", "web1", "kernel", TW, at(10, 0, 0))


@pytest.mark.parametrize("line", [
    b"`TCP: time wait bucket table overflow`",  # the kernel's bare words quoted by a document
    b"* `neighbour: ndisc_cache: neighbor table overflow!`",  # a list item
    b"`Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow` in the log",  # markup not closing the line
    b"***",  # a Markdown rule
])
def test_markup_around_bare_words_or_not_closing_the_line_gives_no_record_of_its_inside(line):
    """No header inside, or the closing marks not at the end: bare text as before (no event from prose)."""
    r = framing.decode(line, ctx())
    assert r is None or r.framing == "dmesg-t" and r.program is None


def test_inline_code_record_in_a_file_gives_its_event():
    events, _ = scan(b"`Nov 22 10:00:00 web1 kernel: IPv4: martian source 10.0.0.1 from 10.0.0.2, on dev tun0`\n")
    assert [(e["message_id"], e["host"], e["fields"]["interface"]) for e in events] == [
        ("martian_source.pr_fmt", "web1", "tun0")]
