"""OpenWrt logread's extra time stamp (-t), locally and in the RFC 3164 lines it streams (-r host port)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from tcplog import framing
from tcplog.framing.context import FramingContext

REF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
TW = "TCP: time wait bucket table overflow"
BERLIN = ZoneInfo("Europe/Berlin")


def ctx() -> FramingContext:
    return FramingContext(reference=REF, tz=BERLIN)


def test_logread_t_gives_the_entrys_epoch_time_with_its_milliseconds():
    """`logread -t`: `[epoch.ms] ` after the ctime date (local, 11:00 in Berlin): the epoch needs no zone."""
    r = framing.decode(f"Sun Nov 22 11:00:00 2026 [1795341600.123] kern.warn kernel: [   12.340000] {TW}".encode(),
                       ctx())
    assert (r.framing, r.program, r.kernel, r.facility, r.severity) == ("logread", "kernel", True, 0, 4)
    assert (r.time, r.monotonic, r.text) == (datetime(2026, 11, 22, 10, 0, 0, 123000, tzinfo=timezone.utc), 12.34, TW)


def test_logread_without_t_reads_the_ctime_date_in_the_zone_given():
    r = framing.decode(f"Mon Nov  2 11:00:00 2026 kern.warn kernel: [   12.340000] {TW}".encode(), ctx())
    assert r.time == datetime(2026, 11, 2, 10, tzinfo=timezone.utc)


def test_logread_r_t_streams_the_epoch_time_after_the_syslog_date():
    """`logread -r host port -t -h router`: `<PRI>` + the ctime date's 16 characters + `[epoch.ms] ` + host."""
    r = framing.decode(f"<4>Nov 22 11:00:00 [1795341600.123] router kernel: [   12.340000] {TW}".encode(), ctx())
    assert (r.framing, r.host, r.program, r.kernel, r.facility, r.severity) == ("rfc3164", "router", "kernel", True, 0, 4)
    assert (r.time, r.monotonic, r.text) == (datetime(2026, 11, 22, 10, 0, 0, 123000, tzinfo=timezone.utc), 12.34, TW)


def test_an_epoch_stamp_is_no_printk_stamp():
    """Three decimals are logread's; the kernel prints six: `[1795341600.123] ` is never a monotonic time."""
    r = framing.decode(f"<4>Nov 22 11:00:00 [1795341600.123] kernel: {TW}".encode(), ctx())
    assert (r.framing, r.host, r.program, r.monotonic, r.text) == ("rfc3164", None, "kernel", None, TW)
