"""journalctl short outputs that RFC 3164 does not already cover.

    [12345.678901] web1 kernel: nf_conntrack: table full, dropping packet        (-o short-monotonic)
    [12345.678901] kernel: nf_conntrack: table full, dropping packet             (--no-hostname)
    [12345.678901 <    0.000123 >] web1 kernel: nf_conntrack: table full, ...   (-o short-delta)
    1795370000.123456 web1 kernel: nf_conntrack: table full, dropping packet     (-o short-unix)
    Sun 2026-11-22 10:00:00 UTC web1 kernel: nf_conntrack: table full, ...       (-o short-full)
    Sun 2026-11-22 10:00:00 CET web1 kernel: nf_conntrack: table full, ...       (-o short-full, machine zone)

`-o short`, `short-precise`, `short-iso` and `short-iso-precise` have the RFC 3164 shape
(`Nov 22 10:00:00 web1 kernel: ...`, month names in the machine's locale, or an ISO date)
and are read by the rfc3164 framing. Header fields: time or monotonic seconds, host, program, pid.
The monotonic forms need a `kernel:` tag or `host name[pid]:` after the stamp, so a dmesg line
(`[  12.3] TCP: ...`, `[  2.1] systemd[1]: ...`) is never mistaken for them; without a host only
the `kernel:` tag tells them apart. short-delta's gap (` <    0.000123 >`, `*` when it spans
boots, blank on the first record) is not kept. short-full prints the machine zone's abbreviation
(strftime %Z): the unambiguous ones in `_ZONES` and tzdata's numeric ones (`+03`, `+0530`) give
the offset; any other (CST, PST, IST: several zones use them) is read in --tz.
"""

from __future__ import annotations

import re

from tcplog.framing.context import from_epoch_us, parse_iso
from tcplog.framing.origin import kernel_tag
from tcplog.framing.printk import seconds
from tcplog.framing.syslog3164 import split_host_tag
from tcplog.record import Record

NAME = "journal-short"

_MONO = re.compile(
    r"\[\s*(\d+)\.(\d{1,9})(?: +<\s*\d+\.\d+[ *]?>)? *\] "  # short-monotonic; short-delta adds the gap
    r"(?=kernel:(?:\s|$)|\S+ (?:kernel|[^\s\[\]:]+\[\d+\]):(?:\s|$))"  # --no-hostname: the kernel tag only
)
_UNIX = re.compile(r"(\d{9,11})\.(\d{6}) ")
_FULL = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?) (\S+) ")
# Zone abbreviations that name one UTC offset in every zone of tzdata 2025b that uses them in
# 2024-2026 (tests/test_framing.py checks this against the installed tzdata). Left out, several
# offsets each: CST (US, Cuba, China), CDT (US, Cuba), PST (US, Philippines), IST (India, Ireland,
# Israel). SGT is from tzdata before 2017 (Singapore now prints +08); EST meant Australia too before 2014.
_ZONES = {
    "UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00", "WET": "+00:00", "WEST": "+01:00", "BST": "+01:00",
    "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00", "EEST": "+03:00", "MSK": "+03:00", "SAST": "+02:00",
    "IDT": "+03:00", "PKT": "+05:00", "WIB": "+07:00", "HKT": "+08:00", "SGT": "+08:00", "AWST": "+08:00",
    "JST": "+09:00", "KST": "+09:00", "ACST": "+09:30", "ACDT": "+10:30", "AEST": "+10:00", "AEDT": "+11:00",
    "NZST": "+12:00", "NZDT": "+13:00",
    "EST": "-05:00", "EDT": "-04:00", "MST": "-07:00", "MDT": "-06:00", "PDT": "-07:00",
    "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
}
_NUMERIC_ZONE = re.compile(r"([+-]\d{2})(\d{2})?")  # tzdata's abbreviation for zones without one


def detect(line: str) -> bool:
    return bool(_MONO.match(line) or _UNIX.match(line) or _FULL.match(line))


def decode(line: str, raw: bytes, ctx) -> Record | None:
    line = line.rstrip("\r\n")
    mono = time = None
    m = _MONO.match(line)
    if m:
        mono = seconds(m.group(1), m.group(2))
    elif (m := _UNIX.match(line)) is not None:
        time = from_epoch_us(int(m.group(1)) * 1_000_000 + int(m.group(2)))
    elif (m := _FULL.match(line)) is not None:
        time = parse_iso(m.group(1) + (zone_offset(m.group(2)) or ""), ctx.tz)
    else:
        return None
    host, program, pid, text = split_host_tag(line[m.end():])
    return Record(raw=raw, text=text, framing=NAME, kernel=kernel_tag(program, pid), time=time, host=host,
                  program=program, pid=pid, monotonic=mono)


def zone_offset(zone: str) -> str | None:
    """`+01:00` for a zone abbreviation short-full prints (`CET`, `+0530`); None if ambiguous or unknown."""
    offset = _ZONES.get(zone)
    if offset is not None:
        return offset
    m = _NUMERIC_ZONE.fullmatch(zone)
    return f"{m.group(1)}:{m.group(2) or '00'}" if m else None
