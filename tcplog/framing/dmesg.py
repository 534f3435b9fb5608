"""dmesg output: default, `-T`, `-r`/`--raw`, `-x`/`--decode`, `--time-format iso`.

    [  751.966804] TCP: Treason uncloaked! Peer 85.225.142.84:63442/3155 shrinks window 281443515:281445827. Repaired.
    [  601.749973][    C1] TCP: request_sock_TCP: Possible SYN flooding on port 127.0.0.1:23456. Sending cookies.
    [Thu May 11 12:38:28 2023] net_ratelimit: 59 callbacks suppressed
    <4>[104243.800401] nf_conntrack: table full, dropping packet
    kern  :warn  : [104243.800401] nf_conntrack: table full, dropping packet
    kern  :warn  : [Thu May 11 12:38:28 2023] nf_conntrack: table full, dropping packet   (-x -T)
    2023-05-11T12:38:28,123456+00:00 net_ratelimit: 59 callbacks suppressed

Header fields: monotonic seconds, caller, level (-r, -x); `-T` wall time is recomputed by
dmesg from the boot time (drifts after suspend) and is marked derived.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from tcplog.framing.context import ENGLISH_MONTHS, parse_iso
from tcplog.framing.printk import level_prefix, split_pri, split_prefix
from tcplog.record import Record

NAME = "dmesg"

_MONO = re.compile(r"<\d{1,3}>|\[\s*\d+\.\d+\]")
_HUMAN = re.compile(r"\[(?:[A-Z][a-z]{2}) ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\]\s?")
_DECODE = re.compile(r"([a-z]+)\s*:([a-z]+)\s*: ?")
_ISO_HEAD = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2},\d{6}[+-]\d{2}:\d{2} ")
_FACILITIES = {"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7}
_LEVELS = {"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warn": 4, "notice": 5, "info": 6, "debug": 7}


def detect(line: str) -> bool:
    return bool(_MONO.match(line) or _HUMAN.match(line) or _ISO_HEAD.match(line)
                or (_DECODE.match(line) and line.split(":", 1)[0].strip() in _FACILITIES))


def decode(line: str, raw: bytes, ctx) -> Record | None:
    line = line.rstrip("\r\n")
    facility = severity = None
    d = _DECODE.match(line)
    if d and d.group(1) in _FACILITIES and d.group(2) in _LEVELS:  # -x: before any time (-T, iso)
        facility, severity = _FACILITIES[d.group(1)], _LEVELS[d.group(2)]
        line = line[d.end():]
    kernel = facility in (None, 0)
    m = _HUMAN.match(line)
    if m:
        mon = ENGLISH_MONTHS.get(m.group(1).lower())
        t = None
        if mon:
            try:
                t = datetime(int(m.group(6)), mon, int(m.group(2)), int(m.group(3)), int(m.group(4)),
                             int(m.group(5)), tzinfo=ctx.tz).astimezone(timezone.utc)
            except ValueError:
                t = None
        mono, caller, text = split_prefix(line[m.end():])
        return Record(raw=raw, text=text, framing=NAME, kernel=kernel, time=t, time_derived=t is not None,
                      facility=facility, severity=severity, monotonic=mono, caller=caller)
    if _ISO_HEAD.match(line):
        head, _, text = line.partition(" ")
        return Record(raw=raw, text=text, framing=NAME, kernel=kernel, time=parse_iso(head), time_derived=True,
                      facility=facility, severity=severity)
    pri, rest = level_prefix(line)
    if pri is not None:
        facility, severity = split_pri(pri)
    mono, caller, text = split_prefix(rest)
    if mono is None and pri is None and facility is None:
        return None
    return Record(raw=raw, text=text, framing=NAME, kernel=facility in (None, 0), facility=facility,
                  severity=severity, monotonic=mono, caller=caller)
