"""OpenWrt `logread` (ubox): `Dow Mon DD HH:MM:SS YYYY facility.level tag: text`.

    Sun Jan 15 21:18:04 2023 kern.info kernel: [   12.345678] nf_conntrack: expectation table full
    Sun Jan 15 21:18:05 2023 kern.warn kernel: [  130.101010] neighbour: arp_cache: neighbor table overflow!
    Sun Jan 15 21:18:05 2023 [1673817485.123] kern.warn kernel: [  130.101010] ...   (logread -t)

BusyBox `logread` prints its syslogd format instead (`Jan 15 21:18:04 host kern.info kernel: ...`),
which the rfc3164 framing reads, and so does the RFC 3164 line `logread -r host port` streams
(`<4>Jan 15 21:18:05 [1673817485.123] router kernel: ...` with -t). `-t` adds the entry's own time
(epoch seconds and milliseconds, logread.c's buf_ts): it is the time, in UTC, with its milliseconds.
Header fields: time (full date, local zone from context),
facility/severity, program, pid, kernel monotonic seconds.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from tcplog.framing.context import ENGLISH_MONTHS, from_epoch_us
from tcplog.framing.origin import kernel_record
from tcplog.framing.printk import split_prefix
from tcplog.framing.syslog3164 import FACILITIES, SEVERITIES, split_host_tag
from tcplog.record import Record

NAME = "logread"

_HEAD = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) "
    r"(?:\[(\d{1,11})\.(\d{3})\] )?"  # -t: the entry's time in epoch seconds and ms
    r"([a-z0-9]+)\.([a-z]+) "
)


def detect(line: str) -> bool:
    return _HEAD.match(line) is not None


def decode(line: str, raw: bytes, ctx) -> Record | None:
    line = line.rstrip("\r\n")
    m = _HEAD.match(line)
    if m is None:
        return None
    mon, day, hh, mm, ss, year, epoch, ms, fac, sev = m.groups()
    try:
        time = datetime(int(year), ENGLISH_MONTHS[mon.lower()], int(day), int(hh), int(mm), int(ss),
                        tzinfo=ctx.tz).astimezone(timezone.utc)
    except (KeyError, ValueError):
        time = None
    if epoch is not None:  # no zone to guess, and milliseconds
        time = from_epoch_us(int(epoch) * 1_000_000 + int(ms) * 1000) or time
    facility, severity = FACILITIES.get(fac), SEVERITIES.get(sev)
    host, program, pid, msg = split_host_tag(line[m.end():])
    if host is not None and program is None:  # "kern.info some text" has no tag: host is text
        msg = line[m.end():]
        host = None
    mono, caller, text = split_prefix(msg)
    return Record(raw=raw, text=text, framing=NAME,
                  kernel=kernel_record(program, pid, facility), time=time,
                  host=host, program=program, pid=pid, facility=facility, severity=severity,
                  monotonic=mono, caller=caller)
