"""journalctl's verbose output (`journalctl -o verbose`): a header line per entry, then its fields.

    Sun 2026-11-22 17:53:20.000000 UTC [s=a4c3205f…;i=1;b=01234567…;m=2dfdc1e29;t=660e127172400;x=f53c8392…]
        _BOOT_ID=0123456789abcdef0123456789abcdef
        _TRANSPORT=kernel
        PRIORITY=4
        MESSAGE=nf_conntrack: nf_conntrack: table full, dropping packet
        _HOSTNAME=web1
    -- Boot fedcba9876543210fedcba9876543210 --
    Sun 2026-11-22 17:53:22.000000 UTC [s=a4c3205f…;i=3;b=fedcba98…;m=2dfdc25f9;t=660e12735a880;x=f3ea3695…]
        MESSAGE=first line of a value
                second line (indented to the column after `MESSAGE=`)
        CTRL=[3B blob data]

The shape of systemd's `output_verbose()` (src/shared/logs-show.c):

- header: a time in the machine's zone (`UTC` with `--utc`; weekday and zone as the systemd
  version and locale print them; `_SOURCE_REALTIME_TIMESTAMP` when the entry has one, so not
  always the entry's time), a space and the cursor in brackets. The time text is not read: the
  cursor's `t=` is `__REALTIME_TIMESTAMP` (µs, hex), `m=` `__MONOTONIC_TIMESTAMP` (µs, hex),
  `b=` the boot id, `i=` `__SEQNUM` (hex), `s=` `__SEQNUM_ID`;
- one line per field, `    KEY=value`, in the journal's order; `_BOOT_ID` is a field like any
  other (the header's `b=` stands in when it is missing);
- a value holding newlines continues on lines indented by 4 + len(KEY) + 1 spaces (an empty line
  of the value is those spaces alone); trailing newlines of a value are not printed;
- a value that is not printable UTF-8 (tabs and newlines are), and with `--no-full` one of 300
  bytes or more, prints as `[59B blob data]` / `[4.2K blob data]` unless `-a`: read as absent
  (a blob MESSAGE gives no event, like `-o json`'s null);
- journalctl's own lines: `-- Boot ID --` between boots, `-- No entries --`, `-- Logs begin at … --`
  (older versions), `-- cursor: …` (`--show-cursor`), and with `-x` catalog text after an entry,
  each line led by `-- ` or `░░ `. They end the entry before them and are no record.

`chunks(stream)` cuts a binary stream (`readline()`) into Chunks: an `entry` (its fields, or None
when malformed: a line indented wrong, a last line cut off without its newline, an entry past
`MAX_ENTRY` bytes), a `stray` run of lines outside any entry (fields without a header, text that
is not verbose output: one unframed record), or a `note` (journalctl's lines, blank lines).
Every byte and line of the stream is in exactly one chunk (`size`, `lines`).
`decode(fields, raw)` reads an entry's fields through the journal-json decoder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tcplog.framing import journal_json
from tcplog.record import Record

NAME = "journal-verbose"
MAX_LINE = 64 * 1024 * 1024  # as journal_export.MAX_FIELD: a longer line is read on but not kept
MAX_ENTRY = 64 * 1024 * 1024  # an entry past this many bytes is counted, not kept (malformed)

_CURSOR = (rb"s=(?P<s>[0-9a-f]{32});i=(?P<i>[0-9a-f]{1,16});b=(?P<b>[0-9a-f]{32});"
           rb"m=(?P<m>[0-9a-f]{1,16});t=(?P<t>[0-9a-f]{1,16});x=[0-9a-f]{1,16}")
# The time text never starts with a space (a field line does) and holds no bracket.
_HEADER = re.compile(rb"(?:\xef\xbb\xbf)?[^ \[\n][^\[\n]{0,79} \[(?P<cursor>" + _CURSOR + rb")\]")
_SNIFF = re.compile(rb"(?:\xef\xbb\xbf)?(?:-- [^\n]{0,200}\n){0,2}[^ \[\n][^\[\n]{0,79} \[" + _CURSOR + rb"\]\r?\n")
_FIELD = re.compile(rb"    ([A-Z0-9_]{1,64})=(.*)", re.DOTALL)
_BLOB = re.compile(rb"\[\d{1,20}(?:\.\d)?[BKMGTPE] blob data\]")
_NOTE_PREFIXES = (b"-- ", b"\xe2\x96\x91\xe2\x96\x91")  # journalctl's lines; catalog text (░░ in UTF-8 locales)


def sniff(head: bytes) -> bool:
    """True when a stream starting with these bytes (a few hundred) is `journalctl -o verbose` output."""
    return _SNIFF.match(head) is not None


@dataclass(slots=True)
class Chunk:
    kind: str  # "entry", "stray" or "note"
    raw: bytes  # the bytes as read (an entry cut for size keeps none)
    fields: dict | None  # an entry's fields (bytes values; None for a blob); None when malformed
    offset: int  # byte offset of its first line (an entry's header)
    line: int  # 1-based number of its first line
    lines: int  # lines it spans
    size: int  # bytes it spans


class _Open:
    """The chunk being read."""

    __slots__ = ("kind", "parts", "fields", "key", "bad", "offset", "line", "lines", "size")

    def __init__(self, kind: str, offset: int, line: int, fields: dict | None = None):
        self.kind, self.parts, self.fields, self.key, self.bad = kind, [], fields, None, False
        self.offset, self.line, self.lines, self.size = offset, line, 0, 0

    def add(self, raw: bytes, size: int) -> None:
        self.lines += 1
        self.size += size
        if self.size > MAX_ENTRY:
            self.bad, self.parts, self.fields = True, [], None  # counted on, no longer kept
        else:
            self.parts.append(raw)

    def close(self) -> Chunk:
        fields = None
        if self.kind == "entry" and not self.bad:
            fields = {k: v.rstrip(b"\n") if v is not None else None for k, v in self.fields.items()}
        return Chunk(self.kind, b"".join(self.parts), fields, self.offset, self.line, self.lines, self.size)


def _header_fields(m: re.Match) -> dict:
    return {"__CURSOR": m["cursor"], "__REALTIME_TIMESTAMP": b"%d" % int(m["t"], 16),
            "__MONOTONIC_TIMESTAMP": b"%d" % int(m["m"], 16), "__SEQNUM": b"%d" % int(m["i"], 16),
            "__SEQNUM_ID": m["s"], "_BOOT_ID": m["b"]}


def read_line(stream) -> tuple[bytes, int]:
    """One line (at most MAX_LINE bytes kept) and its whole length; a longer line is read on to its end."""
    line = stream.readline(MAX_LINE)
    size = len(line)
    if size == MAX_LINE and not line.endswith(b"\n"):
        while True:
            more = stream.readline(MAX_LINE)
            size += len(more)
            if not more or more.endswith(b"\n"):
                break
    return line, size


def chunks(stream) -> Iterator[Chunk]:
    """The stream's entries, stray runs and notes, in order; every byte in exactly one of them."""
    cur: _Open | None = None
    offset, number = 0, 0
    while True:
        line, size = read_line(stream)
        if not size:
            break
        number += 1
        at, offset = offset, offset + size
        whole = size == len(line) and line.endswith(b"\n")
        body = line[:-1] if line.endswith(b"\n") else line
        if body.endswith(b"\r"):
            body = body[:-1]
        kind, m = _classify(body, cur)
        if kind == "header":
            if cur is not None:
                yield cur.close()
            cur = _Open("entry", at, number, _header_fields(m))
        elif kind in ("field", "more"):
            if cur.bad or size != len(line):
                cur.bad = True  # a malformed entry's fields are not read on
            elif kind == "field":
                cur.key = m[1].decode()
                cur.fields[cur.key] = None if _BLOB.fullmatch(m[2]) else m[2]
            else:
                _continue(cur, body)
        elif kind != (cur.kind if cur is not None else None):
            if cur is not None:
                yield cur.close()
            cur = _Open(kind, at, number)
        if not whole and cur.kind == "entry":
            cur.bad = True  # the stream ends (or the line is cut) inside the entry
        cur.add(line, size)
    if cur is not None:
        yield cur.close()


def _classify(body: bytes, cur: _Open | None) -> tuple[str, re.Match | None]:
    """header or field (with its match), more (a value's next line, or an entry line that fits nothing),
    note, or stray."""
    in_entry = cur is not None and cur.kind == "entry"
    if not body.strip():
        return ("more" if in_entry else "note"), None
    if body[:4] == b"    ":
        if not in_entry:
            return "stray", None
        m = _FIELD.fullmatch(body) if body[4:5] != b" " else None
        return ("field", m) if m else ("more", None)
    if body.startswith(_NOTE_PREFIXES):
        return "note", None
    m = _HEADER.fullmatch(body)
    return ("header", m) if m else ("stray", None)


def _continue(cur: _Open, body: bytes) -> None:
    """A line of the last field's value, indented to the column after `KEY=`; else the entry is malformed."""
    value = cur.fields.get(cur.key) if cur.key is not None else None
    indent = 4 + len(cur.key or "") + 1
    if not body.strip():  # an empty line of the value (its spaces perhaps trimmed), or a blank line
        if value is not None:
            cur.fields[cur.key] = value + b"\n" + body[indent:]
        return
    if value is None or body[:indent].strip():
        cur.bad = True  # indented text before any field, after a blob, or left of the value's column
        return
    cur.fields[cur.key] = value + b"\n" + body[indent:]


def decode(fields: dict, raw: bytes, ctx=None) -> Record | None:
    """A Record from an entry's fields; None when there is no message (absent, or a blob)."""
    return journal_json.decode_fields(fields, raw, NAME)
