"""Console and pipe captures: a capture tool's time stamp (ts, tio, grabserial) or getty's login prompt before
the kernel's line, serial-console line ends, script(1) and conserver framing lines."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tcplog import framing
from tcplog.connectors.files import blocks
from tcplog.framing.context import FramingContext
from tcplog.scan import Scanner, Stats

REF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
TW = "TCP: time wait bucket table overflow"
UTC = timezone.utc


def ctx(tz=UTC) -> FramingContext:
    return FramingContext(reference=REF, tz=tz)


def at(*fields) -> datetime:
    return datetime(*fields, tzinfo=UTC)


@pytest.mark.parametrize("line,time,monotonic", [
    (f"Nov 22 10:00:00 [  123.456789] {TW}", at(2026, 11, 22, 10), 123.456789),  # dmesg -w | ts
    (f"Nov 22 10:00:00.250000 [  123.456789] {TW}", at(2026, 11, 22, 10, 0, 0, 250000), 123.456789),  # ts '%b %d %.T'
    (f"2026-11-22 10:00:00 [  123.456789] {TW}", at(2026, 11, 22, 10), 123.456789),  # ts '%Y-%m-%d %H:%M:%S'
    (f"00:00:12 [  123.456789] {TW}", None, 123.456789),  # ts -s: no date
    (f"[2026-11-22 10:00:00.123] [  123.456789] {TW}", at(2026, 11, 22, 10, 0, 0, 123000), 123.456789),
    (f"[2026-11-22T10:00:00.123] [  123.456789] {TW}", at(2026, 11, 22, 10, 0, 0, 123000), 123.456789),  # tio iso8601
    (f"[2026-11-22T10:00:00.123+01:00] [  123.456789] {TW}", at(2026, 11, 22, 9, 0, 0, 123000), 123.456789),
    (f"[10:00:00.123] [  123.456789] {TW}", None, 123.456789),  # tio: no date
    (f"[0.123456 0.000123] [  123.456789] {TW}", None, 123.456789),  # grabserial -t
    (f"[10:00:00.123456 0.000123] [  123.456789] {TW}", None, 123.456789),  # grabserial -T
    (f"[26-11-22 10:00:00 0.000123] [  123.456789] {TW}", at(2026, 11, 22, 10), 123.456789),  # grabserial -T, 1.x
])
def test_a_capture_stamp_before_a_dmesg_line_gives_its_time_when_it_has_a_date(line, time, monotonic):
    r = framing.decode(line.encode(), ctx())
    assert (r.framing, r.kernel, r.host, r.time, r.monotonic, r.text) == ("dmesg", True, None, time, monotonic, TW)
    assert r.raw == line.encode()


def test_a_capture_stamp_without_a_zone_is_read_in_the_zone_given():
    r = framing.decode(f"[2026-11-22 10:00:00.123] [  123.456789] {TW}".encode(), ctx(ZoneInfo("Europe/Berlin")))
    assert r.time == at(2026, 11, 22, 9, 0, 0, 123000)
    r = framing.decode(f"Nov 22 10:00:00 [  123.456789] {TW}".encode(), ctx(ZoneInfo("Europe/Berlin")))
    assert r.time == at(2026, 11, 22, 9)


def test_the_records_own_time_wins_over_the_capture_stamp():
    r = framing.decode(f"[2026-11-22 10:00:05.000] Nov 22 10:00:00 web1 kernel: {TW}".encode(), ctx())
    assert (r.framing, r.host, r.time, r.text) == ("rfc3164", "web1", at(2026, 11, 22, 10), TW)


def test_a_bracketed_capture_stamp_may_stand_before_bare_kernel_text():
    """A console with printk.time=0 prints the text alone."""
    r = framing.decode(f"[2026-11-22 10:00:00.123] {TW}".encode(), ctx())
    assert (r.framing, r.time, r.text) == ("dmesg-t", at(2026, 11, 22, 10, 0, 0, 123000), TW)


def test_the_login_prompt_a_kernel_line_was_printed_after_names_the_host():
    r = framing.decode(f"web1 login: [  123.456789] {TW}".encode(), ctx())
    assert (r.framing, r.host, r.extra, r.monotonic, r.text) == ("dmesg", "web1", {"prefix_host": "web1"}, 123.456789,
                                                                 TW)


@pytest.mark.parametrize("line", [f"web1 login: {TW}", f"00:00:12 {TW}"])
def test_without_a_printk_stamp_after_them_a_prompt_and_a_bare_time_stay_text(line):
    """No host and no time are read from them, and the kernel's text does not start the record."""
    r = framing.decode(line.encode(), ctx())
    assert (r.framing, r.host, r.time, r.text) == ("dmesg-t", None, None, line)


def test_an_applications_line_after_a_bracketed_time_gives_no_event():
    stats = Stats()
    data = b"[2026-11-22 10:00:00] INFO conntrack table full, dropping packet\n"
    assert list(Scanner().scan_blocks(blocks(io.BytesIO(data)), ctx(), "app.log", stats)) == []
    assert (stats.candidates, stats.unmatched) == (1, 1)


def test_a_syslog_header_without_host_and_tag_is_still_no_kernel_record_without_a_printk_stamp():
    """`ts` over another program's output: not the kernel's."""
    r = framing.decode(b"Nov 22 10:00:00 [worker] TCP: time wait bucket table overflow", ctx())
    assert r.kernel is False


def test_a_serial_console_capture_gives_each_kernel_line_its_event():
    """A minicom/screen/picocom log (`\\r\\r\\n`, a CR-only progress line), conserver's MARK line, a login prompt,
    a script(1) header: the kernel's lines give events, every line is counted once."""
    data = (b"Script started on 2026-11-22 10:00:00+00:00 [COMMAND=\"picocom /dev/ttyS0\" TERM=\"xterm\"]\n"
            b"[-- MARK -- Sun Nov 22 10:00:00 2026]\r\n"
            b"[  120.000000] TCP: time wait bucket table overflow\r\r\n"
            b"\r\n"
            b"Ubuntu 24.04 LTS web1 ttyS0\r\n"
            b"web1 login: [  121.000000] nf_conntrack: nf_conntrack: table full, dropping packet\r\n"
            b"[2026-11-22 10:00:02.000] [  122.000000] TCP: time wait bucket table overflow\r\n")
    stats = Stats()
    events = list(Scanner().scan_blocks(blocks(io.BytesIO(data)), ctx(), "console.log", stats))
    assert [(e["source"]["line"], e["host"], e["time"], e["kernel"]["monotonic"], e["message_id"]) for e in events] == [
        (3, None, None, 120.0, "tw_bucket_overflow.legacy"),
        (6, "web1", None, 121.0, "conntrack_full.pr_fmt"),
        (7, None, "2026-11-22T10:00:02.000000Z", 122.0, "tw_bucket_overflow.legacy")]
    assert (stats.lines, stats.candidates, stats.unframed, stats.unmatched, stats.not_kernel) == (7, 3, 0, 0, 0)


def test_a_kernel_line_after_a_console_status_line_sent_back_by_a_cr_is_read():
    """systemd redraws its status line with a CR; the kernel's line printed then follows the CR."""
    line = (b"[\x1b[0;1;31m*\x1b[0m\x1b[0;31m*  \x1b[0m] A start job is running for /dev/sda (5s / 1min 30s)"
            b"\r\x1b[K[  123.456789] TCP: time wait bucket table overflow")
    r = framing.decode(line, ctx())
    assert (r.framing, r.monotonic, r.text, r.raw) == ("dmesg", 123.456789, TW, line)
    assert framing.decode(b"abc\rTCP: time wait bucket table overflow", ctx()).text == f"abc\r{TW}"  # no header
