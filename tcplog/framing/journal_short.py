"""journalctl short outputs that RFC 3164 does not already cover.

    [12345.678901] web1 kernel: nf_conntrack: table full, dropping packet        (-o short-monotonic)
    1795370000.123456 web1 kernel: nf_conntrack: table full, dropping packet     (-o short-unix)
    Sun 2026-11-22 10:00:00 UTC web1 kernel: nf_conntrack: table full, ...       (-o short-full)

`-o short`, `short-precise`, `short-iso` and `short-iso-precise` have the RFC 3164 shape
(`Nov 22 10:00:00 web1 kernel: ...`, month names in the machine's locale, or an ISO date)
and are read by the rfc3164 framing. Header fields: time or monotonic seconds, host, program, pid.
The monotonic form needs a `kernel:` tag or `name[pid]:` after the host, so a dmesg line
(`[  12.3] TCP: ...`) is never mistaken for it.
"""

from __future__ import annotations

import re

from tcplog.framing.context import from_epoch_us, parse_iso
from tcplog.framing.syslog3164 import split_host_tag
from tcplog.record import Record

NAME = "journal-short"

_MONO = re.compile(r"\[\s*(\d+)\.(\d{1,9})\] (\S+) (?:kernel|[^\s\[\]:]+\[\d+\]):(?:\s|$)")
_UNIX = re.compile(r"(\d{9,11})\.(\d{6}) ")
_FULL = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?) (\S+) ")
_ZONES = {"UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00"}


def detect(line: str) -> bool:
    return bool(_MONO.match(line) or _UNIX.match(line) or _FULL.match(line))


def decode(line: str, raw: bytes, ctx) -> Record | None:
    line = line.rstrip("\r\n")
    mono = time = None
    m = _MONO.match(line)
    if m:
        mono = int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2))
        rest = line[line.index("]") + 2:]
    elif (m := _UNIX.match(line)) is not None:
        time = from_epoch_us(int(m.group(1)) * 1_000_000 + int(m.group(2)))
        rest = line[m.end():]
    elif (m := _FULL.match(line)) is not None:
        zone = m.group(2)
        offset = _ZONES.get(zone) or (zone if re.fullmatch(r"[+-]\d{4}", zone) else None)
        time = parse_iso(m.group(1) + (offset or ""), ctx.tz)
        rest = line[m.end():]
    else:
        return None
    host, program, pid, text = split_host_tag(rest)
    return Record(raw=raw, text=text, framing=NAME, kernel=program == "kernel", time=time, host=host,
                  program=program, pid=pid, monotonic=mono)
