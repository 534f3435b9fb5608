"""/dev/kmsg records (Linux 3.5+): `PRI,SEQ,USEC,FLAGS[,...];TEXT` and ` KEY=value` lines.

    6,1234,5678901,-;TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:7070. Sending cookies.
    2,1235,5679001,-,caller=C1;mlx5_core 0000:81:00.0 eth2: NETDEV WATCHDOG: CPU: 1: transmit queue 3 timed out 5376 ms
     SUBSYSTEM=net
     DEVICE=n2

Header fields: facility/severity (PRI = facility*8 + level), sequence, monotonic seconds
(USEC / 1e6), caller (5.1+ `caller=` field), continuation dictionary in `extra`. The kernel
wrote the record when the facility is kern: user space cannot inject facility 0. Non-printable
bytes arrive `\\xNN`-escaped and are unescaped here.
"""

from __future__ import annotations

import re

from tcplog.framing.printk import split_pri
from tcplog.record import Record

NAME = "kmsg"

_HEAD = re.compile(r"(\d{1,4}),(\d{1,20}),(\d{1,20}),([^,;]*)((?:,[^;]*)?);")
_ESC = re.compile(r"\\x([0-9a-fA-F]{2})")


def detect(line: str) -> bool:
    return _HEAD.match(line) is not None


def is_continuation(line: str) -> bool:
    """A dictionary line (` KEY=value`) that belongs to the record before it."""
    return line.startswith(" ") and "=" in line


def unescape(text: str) -> str:
    if "\\x" not in text:
        return text
    return _ESC.sub(lambda m: chr(int(m.group(1), 16)), text)


def decode(line: str, raw: bytes, ctx) -> Record | None:
    first, *cont = line.rstrip("\r\n").split("\n")
    m = _HEAD.match(first)
    if m is None:
        return None
    pri, seq, usec, _flags, more = m.groups()
    facility, severity = split_pri(int(pri))
    extra = {}
    for field in more.split(",")[1:]:
        key, _, value = field.partition("=")
        if key:
            extra[key] = value
    for c in cont:
        key, sep, value = c.strip().partition("=")
        if sep:
            extra[key] = unescape(value)
    caller = extra.pop("caller", None)
    return Record(raw=raw, text=unescape(first[m.end():]), framing=NAME, kernel=facility == 0,
                  facility=facility, severity=severity, monotonic=int(usec) / 1_000_000, caller=caller,
                  seq=int(seq), extra=extra)
