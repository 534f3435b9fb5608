"""What a console capture puts before the kernel's lines: a capture tool's time stamp, getty's login prompt.

    [2026-11-22 10:00:00.123] [  123.456789] TCP: time wait bucket table overflow     (ts '[%Y-%m-%d %H:%M:%.S]')
    [2026-11-22T10:00:00.123] [  123.456789] TCP: time wait bucket table overflow     (tio -t --timestamp-format iso8601)
    [10:00:00.123] [  123.456789] TCP: time wait bucket table overflow                (tio -t: no date)
    [0.123456 0.000123] [  123.456789] TCP: time wait bucket table overflow           (grabserial -t)
    [10:00:00.123456 0.000123] [  123.456789] TCP: time wait bucket table overflow    (grabserial -T)
    00:00:12 [  123.456789] TCP: time wait bucket table overflow                      (dmesg -w | ts -s, ts -i)
    2026-11-22 10:52:39+0200: [ 1234.567890] TCP: time wait bucket table overflow     (ts '%Y-%m-%d %H:%M:%S%z:')
    web1 login: [  123.456789] TCP: time wait bucket table overflow                   (a serial console at getty's prompt)

Tools that log a serial console or a pipe stamp each line with the time they read it: moreutils' and
toybox's ts (`%b %d %H:%M:%S` by default, read by the rfc3164 framing: tcplog.framing.syslog3164; any
strftime format, `%H:%M:%S` with -s and -i; a format with a date and a zone, a colon after it or not,
is read here when syslog's reading of the date cannot take it), tio (`[%H:%M:%S.mmm] `, `[%Y-%m-%dT%H:%M:%S.mmm] ` with
iso8601: tio src/timestamp.c), grabserial (`[%4.6f %2.6f] ` seconds since the first byte and since the
line before; `-T` the wall time and the gap: tbird20d/grabserial). A stamp with a date is the record's
time when the record carries none (read in --tz, or its own zone): the time the line was read, so for a
ring buffer's backlog (`dmesg | ts`) the time the command ran. A stamp without a date is cut and gives
no time. The kernel prints onto a console where getty's prompt waits (`%n login: `, agetty's issue
escape \\n is the node name): the prompt's host names the record's machine.

`split(line, ctx)` gives (time, host, where the record starts) or None. A bracketed stamp may stand
before any record (bare text too: a console with printk.time=0); an unbracketed one and the prompt
only before a printk stamp, which no kernel wording starts with after its own words.
"""

from __future__ import annotations

import re

from tcplog.framing.context import local_time, parse_iso

# [date time] (ts, tio iso8601, grabserial -T's older %y-%m-%d), [time] (tio), each with grabserial's gap
_BRACKETED = re.compile(
    r"\[(?:(?P<date>(?:\d{4}|\d{2})-\d{2}-\d{2})[T ])?(?P<hh>\d{2}):(?P<mm>\d{2}):(?P<ss>\d{2})(?:[.,](?P<frac>\d{1,9}))?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?(?: +\d{1,9}\.\d{6})?\] "
    r"|\[\d{1,9}\.\d{6} +-?\d{1,9}\.\d{6}\] "  # grabserial -t
)
_PRINTK = r"(?=\[\s*\d{1,10}\.\d{1,9}\])"
# ts -s, ts -i (`00:00:12 `); ts with a date format of the user's, a zone and a colon after it perhaps
# (`ts '%Y-%m-%d %H:%M:%S%z:'`: `2026-11-22 10:52:39+0200: `)
_UNBRACKETED = re.compile(
    r"(?:(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<hh>\d{2}):(?P<mm>\d{2}):(?P<ss>\d{2})(?:[.,](?P<frac>\d{1,9}))?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?:?|\d{2,}:\d{2}:\d{2}(?:\.\d{1,9})?) " + _PRINTK)
_LOGIN = re.compile(r"(?P<host>[A-Za-z0-9][A-Za-z0-9_.\-]{0,252}) login: " + _PRINTK)


_STARTS = frozenset("[0123456789")


def maybe(line: str) -> bool:
    """A quick test (no regular expression): whether `split` may find something."""
    return line[:1] in _STARTS or " login: " in line


def split(line: str, ctx):
    """(time or None, host or None, where the record starts) for a capture's stamp or a login prompt
    before a record, else None."""
    first = line[:1]
    if first == "[":
        m = _BRACKETED.match(line)
        return None if m is None else (_time(m, ctx), None, m.end())
    if first.isdigit():
        m = _UNBRACKETED.match(line)
        return None if m is None else (_time(m, ctx), None, m.end())
    m = _LOGIN.match(line)
    return None if m is None else (None, m.group("host"), m.end())


def _time(m: re.Match, ctx):
    """The stamp's wall time when it has a date: its zone, or --tz; else None."""
    date = m.group("date")
    if date is None:
        return None
    if len(date) == 8:  # grabserial -T before 2.0: %y-%m-%d
        date = "20" + date
    if m.group("zone"):
        frac = f".{m.group('frac')}" if m.group("frac") else ""
        return parse_iso(f"{date}T{m.group('hh')}:{m.group('mm')}:{m.group('ss')}{frac}{m.group('zone')}")
    year, month, day = (int(part) for part in date.split("-"))
    frac = (m.group("frac") or "0")[:6].ljust(6, "0")
    return local_time(year, month, day, int(m.group("hh")), int(m.group("mm")), int(m.group("ss")), int(frac), ctx.tz)
