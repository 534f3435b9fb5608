"""RFC 5424 syslog (rsyslog RSYSLOG_SyslogProtocol23Format, syslog-ng syslog(), journald forwarding).

    <4>1 2024-05-01T10:00:00.123456+00:00 web1 kernel - - - nf_conntrack: table full, dropping packet
    <6>1 2026-11-22T10:00:00Z web1 kernel - - [meta sequenceId="7"] \ufeffTCP: out of memory -- consider tuning tcp_mem

Header fields: facility/severity, time (UTC), host, program (APP-NAME), pid (PROCID when
numeric), MSGID and structured data kept in `extra`. The kernel wrote it when APP-NAME is
`kernel` with no PROCID (tcplog.framing.origin), or APP-NAME is nil and the facility is kern.
"""

from __future__ import annotations

import re

from tcplog.framing.context import parse_iso
from tcplog.framing.origin import kernel_record
from tcplog.framing.printk import split_pri, split_prefix
from tcplog.record import Record

NAME = "rfc5424"

_HEAD = re.compile(r"<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) ")
_NIL = "-"


def detect(line: str) -> bool:
    return _HEAD.match(line) is not None


def _structured_data(s: str) -> tuple[str, str]:
    """(SD, message) — SD is `-` or one or more `[...]` elements with `\\]` escapes."""
    if s.startswith(_NIL):
        return _NIL, s[2:] if s.startswith("- ") else s[1:]
    i = 0
    while i < len(s) and s[i] == "[":
        i += 1
        while i < len(s) and s[i] != "]":
            i += 2 if s[i] == "\\" else 1
        i += 1
    sd, msg = s[:i], s[i:]
    return sd, msg[1:] if msg.startswith(" ") else msg


def decode(line: str, raw: bytes, ctx) -> Record | None:
    line = line.rstrip("\r\n")
    m = _HEAD.match(line)
    if m is None:
        return None
    pri, ts, host, app, procid, msgid = m.groups()
    facility, severity = split_pri(int(pri))
    sd, msg = _structured_data(line[m.end():])
    if msg.startswith("\ufeff"):
        msg = msg[1:]
    mono, caller, text = split_prefix(msg)
    program = None if app == _NIL else app
    pid = int(procid) if procid.isdigit() else None
    extra = {}
    if msgid != _NIL:
        extra["msgid"] = msgid
    if sd != _NIL:
        extra["structured_data"] = sd
    return Record(raw=raw, text=text, framing=NAME,
                  kernel=kernel_record(program, pid, facility),
                  time=None if ts == _NIL else parse_iso(ts), host=None if host == _NIL else host,
                  program=program, pid=pid, facility=facility,
                  severity=severity, monotonic=mono, caller=caller, extra=extra)
