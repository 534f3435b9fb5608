"""dmesg output: default, `-T`, `-d`, `-e`/`-H`, `-r`/`--raw`, `-x`/`--decode`, `--time-format iso`.

    [  751.966804] TCP: Treason uncloaked! Peer 85.225.142.84:63442/3155 shrinks window 281443515:281445827. Repaired.
    [  601.749973][    C1] TCP: request_sock_TCP: Possible SYN flooding on port 127.0.0.1:23456. Sending cookies.
    [Thu May 11 12:38:28 2023] net_ratelimit: 59 callbacks suppressed
    [So Nov 22 10:00:00 2026] [    C1] nf_conntrack: table full, dropping packet   (-T, de_DE, caller)
    [12345.678901 <    0.000123>] nf_conntrack: table full, dropping packet         (-d)
    [Sun Nov 22 10:00:00 2026 <    0.000123>] nf_conntrack: table full, ...         (-T -d)
    [Nov22 10:00] nf_conntrack: table full, dropping packet                          (-e, -H)
    [  +0.000123] TCP: too many orphaned sockets                                     (-e, -H)
    <4>[104243.800401] nf_conntrack: table full, dropping packet
    kern  :warn  : [104243.800401] nf_conntrack: table full, dropping packet
    kern  :warn  : [Thu May 11 12:38:28 2023] nf_conntrack: table full, dropping packet   (-x -T)
    2023-05-11T12:38:28,123456+00:00 net_ratelimit: 59 callbacks suppressed

dmesg (util-linux print_record) prints `-x` facility:level or `-r` <PRI>, then one stamp per
time format, then the caller as `[%*s] `, then the message. Header fields: monotonic seconds
(default, -d), wall time (-T, iso; -e once a minute), caller, level (-r, -x).
`-T` and iso wall times are recomputed by dmesg from the boot time (they drift after suspend) and
are marked derived; `-T` day and month names follow the locale (`So Nov`, `dim. nov.`).
`-e`/`-H` print `[Nov22 10:00]` (`%b%e %H:%M`: no year, no seconds) for the first record of a
minute and only the gap to the record before (`[  +0.000123]`) for the rest: the first is placed
in a year like an RFC 3164 date (minute precision, derived), the rest carry no time at all.
The `-d` gap is not kept.
"""

from __future__ import annotations

import re
from datetime import datetime

from tcplog.framing.context import month_number, parse_iso
from tcplog.framing.printk import level_prefix, seconds, split_caller, split_prefix, split_pri
from tcplog.framing.syslog3164 import FACILITIES, SEVERITIES
from tcplog.record import Record

NAME = "dmesg"

_GAP = r"(?: <\s*\d+\.\d+>)?"  # -d: ` <    0.000123>`, the gap to the record before
_STAMP = re.compile(
    r"\[\s*(?P<sec>\d{1,10})\.(?P<frac>\d{1,9})(?:@\d{1,4})?" + _GAP + r"\] ?"  # default, -d; Amlogic's @CPU
    r"|\[[^\W\d_][^\s\]]* (?P<mon>[^\s\]]+) +(?P<day>\d{1,2}) (?P<hh>\d{2}):(?P<mi>\d{2}):(?P<ss>\d{2})"
    r" (?P<year>\d{4})" + _GAP + r"\] ?"  # -T, -T -d: strftime %a %b %e %H:%M:%S %Y in the locale
    r"|\[(?P<rmon>\d{1,2}[月월]|[^\W\d_]+\.?) ?(?P<rday>\d{1,2}) (?P<rhh>\d{2}):(?P<rmi>\d{2})\] ?"  # -e
    r"|\[ *[+-]\d+\.\d{6}\] ?"  # -e: later records of the same minute
    r"|\[<\s*\d+\.\d+>\] ?"  # --time-format delta
    r"|(?P<iso>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2},\d{6}[+-]\d{2}:?\d{2}) "  # --time-format iso
)
_MAX_STAMPS = 4  # dmesg prints one per --time-format given; more than this is message text
_MORE = frozenset("[0123456789")  # how a second stamp (or an iso one) starts
_DECODE = re.compile(r"([a-z]+[0-7]?)\s*:([a-z]+)\s*: ?")  # -x: "%-6s:%-6s: "


def detect(line: str) -> bool:
    return bool(_STAMP.match(line) or split_caller(line)[0] or _level(line)[0] is not None)


def decode(line: str, raw: bytes, ctx) -> Record | None:
    line = line.rstrip("\r\n")
    facility, severity, rest = _level(line)
    time = None
    mono, caller, text = split_prefix(rest)  # the usual `[  751.966804]` (and caller) in one match
    if mono is None or text[:1] in _MORE:  # another time format, several, or the caller alone
        mono, time, rest = _stamps(rest, ctx)
        caller, text = split_caller(rest)
    if facility is None and len(text) == len(line):
        return None  # no dmesg header at all
    return Record(raw=raw, text=text, framing=NAME, kernel=facility in (None, 0), time=time,
                  time_derived=time is not None, facility=facility, severity=severity, monotonic=mono,
                  caller=caller)


def _level(line: str) -> tuple[int | None, int | None, str]:
    """(facility, severity, rest) from a leading `-x` `kern  :warn  : ` or `-r` `<4>`."""
    d = _DECODE.match(line)
    if d and d.group(1) in FACILITIES and d.group(2) in SEVERITIES:
        return FACILITIES[d.group(1)], SEVERITIES[d.group(2)], line[d.end():]
    pri, rest = level_prefix(line)
    return (*split_pri(pri), rest)


def _stamps(line: str, ctx) -> tuple[float | None, datetime | None, str]:
    """(monotonic seconds, wall time, rest) from the time stamps that lead the line, one per time format."""
    mono = time = None
    pos = 0
    for _ in range(_MAX_STAMPS):
        m = _STAMP.match(line, pos)
        if m is None:
            break
        kind = m.lastgroup  # the alternative's last named group; None for the gap-only stamps
        if kind == "frac":
            mono = seconds(m["sec"], m["frac"])
        elif kind == "year" or kind == "rmi":
            mon = month_number(m["mon"] or m["rmon"])
            if mon is None:
                break  # not a month name: message text
            time = _ctime(m, mon, ctx) if kind == "year" else _minute(m, mon, ctx)
        elif kind == "iso":
            time = parse_iso(m["iso"])
        pos = m.end()
    return mono, time, line[pos:]


def _ctime(m: re.Match, mon: int, ctx) -> datetime | None:
    """`-T`'s local time in UTC, or None when it names no date."""
    return parse_iso(f"{m.group('year')}-{mon:02d}-{int(m.group('day')):02d}T{m.group('hh')}:{m.group('mi')}:"
                     f"{m.group('ss')}", ctx.tz)


def _minute(m: re.Match, mon: int, ctx) -> datetime | None:
    """`-e`'s `Nov22 10:00` placed in a year by the context (like an RFC 3164 date), or None."""
    return ctx.place_text(mon, m.group("rday"), m.group("rhh"), m.group("rmi"), "00", None)
