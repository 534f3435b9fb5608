"""rsyslog's RSYSLOG_DebugFormat: every property of a message, over several lines.

    Debug line with all properties:
    FROMHOST: 'localhost', fromhost-ip: '127.0.0.1', HOSTNAME: 'web1', PRI: 4,
    syslogtag 'kernel:', programname: 'kernel', APP-NAME: 'kernel', PROCID: '-', MSGID: '-',
    TIMESTAMP: 'Nov  2 10:00:00', STRUCTURED-DATA: '-',
    msg: ' nf_conntrack: nf_conntrack: table full, dropping packet'
    escaped msg: ' nf_conntrack: nf_conntrack: table full, dropping packet'
    inputname: imtcp rawmsg: '<4>Nov  2 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet'
    $!:
    $.:
    $/:

The built-in template of rsyslog (template_DebugFormat in runtime/rsconf.c), for troubleshooting:
`Debug line with all properties:`, then FROMHOST, fromhost-ip, HOSTNAME and PRI (a number), then
syslogtag, programname, APP-NAME, PROCID and MSGID, then TIMESTAMP (RFC 3164 form) and
STRUCTURED-DATA, then `msg: '…'`, `escaped msg: '…'`, `inputname: … rawmsg: '…'` (older releases: no
inputname; newer: the `$!:`, `$.:` and `$/:` variable lines), and an empty line. Values are written
as they are, unescaped: the message ends where `'` and the `escaped msg: '` line follow it, so a
message over several lines is read whole.

A record is read from its first line to the next one's (the message, the raw message and the
variables may repeat the kernel's words: one record, one event). Fields: HOSTNAME the host, PRI
facility and severity, programname and PROCID the program and pid, TIMESTAMP the time (placed in a
year like any RFC 3164 date), msg the text (its leading space dropped, a printk stamp read);
FROMHOST, the peer rsyslog heard it from, is kept in `extra["fromhost"]` when it is not HOSTNAME.
The kernel wrote it as an RFC 3164 record says: programname `kernel` with no PROCID, or facility kern with none.
Files and stdin are sniffed by the first line; workers never split them. Lines before the first
record (one stray run), a record whose fields do not read (cut off, edited) and one without a
message each count once as unframed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tcplog.framing import syslog3164
from tcplog.framing.journal_verbose import MAX_ENTRY, Chunk, read_line
from tcplog.framing.origin import kernel_record
from tcplog.framing.printk import split_pri, split_prefix
from tcplog.record import Record

NAME = "rsyslog-debug"

_FIRST = b"Debug line with all properties:"
_SNIFF = re.compile(rb"(?:\xef\xbb\xbf)?Debug line with all properties:\r?\nFROMHOST: '")
_RECORD = re.compile(
    r"\ufeff?Debug line with all properties:\r?\n"
    r"FROMHOST: '(?P<fromhost>[^\n]*?)', fromhost-ip: '[^\n]*?', HOSTNAME: '(?P<host>[^\n]*?)', "
    r"PRI: '?(?P<pri>\d{1,3})'?,\r?\n"
    r"syslogtag '[^\n]*?', programname: '(?P<program>[^\n]*?)', APP-NAME: '[^\n]*?', "
    r"PROCID: '(?P<procid>[^\n]*?)', MSGID: '[^\n]*?',\r?\n"
    r"TIMESTAMP: '(?P<time>[^\n]*?)', STRUCTURED-DATA: '[^\n]*',\r?\n"
    r"msg: '(?P<msg>.*?)'\r?\nescaped msg: '",
    re.DOTALL,
)
_PID = re.compile(r"[0-9]{1,10}")


def sniff(head: bytes) -> bool:
    """True when a stream starting with these bytes is RSYSLOG_DebugFormat output."""
    return _SNIFF.match(head) is not None


def chunks(stream) -> Iterator[Chunk]:
    """The stream's records, stray runs and blank notes, in order; every byte in exactly one of them."""
    kind, parts, start, lines, size, bad = None, [], (0, 0), 0, 0, False
    offset = number = 0
    while True:
        line, length = read_line(stream)
        if not length:
            break
        number += 1
        at, offset = offset, offset + length
        body = line.rstrip(b"\r\n")
        if number == 1 and body.startswith(b"\xef\xbb\xbf"):
            body = body[3:]
        new = "entry" if body == _FIRST else None
        if new is None and kind != "entry":
            new = "note" if not body.strip() else "stray"
            if new == kind:
                new = None
        if new is not None:
            if kind is not None:
                yield _close(kind, parts, bad, start, lines, size)
            kind, parts, start, lines, size, bad = new, [], (at, number), 0, 0, False
        lines, size = lines + 1, size + length
        if length != len(line) or size > MAX_ENTRY:
            bad, parts = True, []  # a line or a record past the bounds: counted on, not kept
        elif not bad:
            parts.append(line)
    if kind is not None:
        yield _close(kind, parts, bad, start, lines, size)


def _close(kind: str, parts: list[bytes], bad: bool, start: tuple[int, int], lines: int, size: int) -> Chunk:
    raw = b"".join(parts)
    fields = parse(raw) if kind == "entry" and not bad else None
    return Chunk(kind, raw, fields, start[0], start[1], lines, size)


def parse(raw: bytes) -> dict | None:
    """A record's fields, or None when its lines are not the template's."""
    m = _RECORD.match(raw.decode("utf-8", "replace"))
    return m.groupdict() if m else None


def decode(fields: dict, raw: bytes, ctx) -> Record | None:
    """A Record from a record's fields; None without a message."""
    msg = fields["msg"].lstrip(" ").rstrip("\r\n")  # rsyslog keeps the space after the tag's colon
    if not msg:
        return None
    facility, severity = split_pri(int(fields["pri"]))
    head = syslog3164.header(fields["time"] + " ")
    time = syslog3164.header_time(head[1], ctx) if head is not None else None
    host, program = fields["host"] or None, fields["program"] or None
    mono, caller, text = split_prefix(msg)
    pid = int(fields["procid"]) if _PID.fullmatch(fields["procid"]) else None
    record = Record(raw=raw, text=text, framing=NAME,
                    kernel=kernel_record(program, pid, facility), time=time, host=host,
                    program=program, pid=pid,
                    facility=facility, severity=severity, monotonic=mono, caller=caller)
    if fields["fromhost"] and fields["fromhost"] != host:
        record.extra["fromhost"] = fields["fromhost"]
    return record
