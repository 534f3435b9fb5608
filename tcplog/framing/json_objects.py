"""Pretty-printed JSON read object by object, for the outputs that put a record over many lines.

    journalctl -o json-pretty             dmesg --json (util-linux 2.37+)
    {                                     {
            "__CURSOR" : "s=…",              "dmesg": [
            "MESSAGE" : "TCP: …",               {
            …                                      "pri": 4,
    }                                                "time":  1234.567890,
    {                                                "msg": "TCP: …"
            …                                   },{
                                                    …

Both print one key per line, objects one after another (journalctl) or as the elements of one
array (dmesg), and both may be as large as the journal or the ring buffer, so the stream is read
line by line: `chunks(stream, depth, parse)` follows the braces and brackets outside strings and
cuts out each object that opens at `depth` (0: a stream of objects; 2: the elements of
`{"name": [ … ]}`), wherever on its line it opens or closes (`},{`). Text outside those objects
is a `note` (the wrapper of depth 2) or, at depth 0, a `stray` run (one unframed record);
journalctl's `-- … --` lines are notes. The lines before the first `{` (a shell prompt, a heading or
a log line pasted with the output: LEAD, up to three in the sniffs) are `line` chunks, one a line,
read as ordinary log lines. An object past MAX_ENTRY bytes, or one the stream ends inside, is malformed
(fields None). Every line of the stream is counted by exactly one chunk (the one that is yielded
after it is read), so `size` and `lines` add up to the stream's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import orjson

from tcplog.framing.journal_verbose import MAX_ENTRY, Chunk, read_line

# A string (to the end of the line when its closing quote is missing) or a bracket outside one.
_TOKENS = re.compile(rb'"(?:[^"\\\n]|\\.)*(?:"|$)|[{}\[\]]')
_NOTE = b"-- "
# The lines the sniffs let stand before the document (bytes, for their patterns): up to three, each
# empty or text that holds no `{` and starts with no space (`$ journalctl -o json-pretty`,
# `[root@web1 ~]# dmesg --json`, `=== web1 ===`, a log line pasted before the output).
LEAD = rb"(?:[^\s{][^{\n]{0,255})?\r?\n"


def parse_object(raw: bytes) -> dict | None:
    """The object, when the bytes are one JSON object; else None."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) else None


def chunks(stream, depth: int, parse: Callable[[bytes], dict | None], lead: bool = True) -> Iterator[Chunk]:
    """The stream's objects at `depth` (entries, parsed by `parse`), notes and stray runs, in order.
    `lead`: lines before the first `{` are `line` chunks (False: the document starts at the first byte, as
    a JSON array's `[` alone on its line)."""
    r = _Reader(depth, parse, lead)
    while True:
        line, size = read_line(stream)
        if not size:
            break
        yield from r.line(line, size)
    yield from r.end()


class _Reader:
    def __init__(self, depth: int, parse, lead: bool = True):
        self.depth, self.parse = depth, parse
        self.level = self.number = self.offset = 0
        self.parts: list[bytes] | None = None  # the open object's bytes (None: no object open)
        self.kept = 0  # its size so far; past MAX_ENTRY it is counted on, not kept
        self.start = (0, 0)  # its offset and line
        self.lines = self.size = 0  # read since the last chunk
        self.stray: tuple[int, int] | None = None  # an open stray run: its offset and line
        self.lead = lead  # no `{` read yet: lines are `line` chunks

    def line(self, line: bytes, size: int) -> Iterator[Chunk]:
        """The chunks one line completes (`size`: its whole length; `line` holds at most MAX_LINE bytes)."""
        self.number += 1
        at, self.offset = self.offset, self.offset + size
        if self.lead and not _opens(line):  # before the document: an ordinary line (counted by itself)
            yield Chunk("line", line if size == len(line) else b"", None, at, self.number, 1, size)
            return
        self.lead = False
        self.lines, self.size = self.lines + 1, self.size + size
        done: list[Chunk] = []
        if self.depth == 0 and line[:1] == b"{" and self.parts is not None:
            done.append(self._malformed())  # journalctl starts each object at column 0: resync
            self.level = 0
        spans, begin = [], (0 if self.parts is not None else None)
        for m in _TOKENS.finditer(line):
            c = line[m.start():m.start() + 1]
            if c == b'"':
                continue
            if c in b"{[":
                if c == b"{" and self.level == self.depth and self.parts is None:
                    self.parts, self.kept, begin = [], 0, m.start()
                    self.start = (at + m.start(), self.number)
                self.level += 1
                continue
            self.level = max(self.level - 1, 0)
            if c == b"}" and self.parts is not None and self.level == self.depth:
                spans.append((begin, m.end()))
                self._keep(line[begin:m.end()])
                raw = b"".join(self.parts) if self.kept <= MAX_ENTRY else b""
                done.append(Chunk("entry", raw, self.parse(raw) if raw else None, *self.start, 0, 0))
                self.parts, begin = None, None
        if self.parts is not None:  # the object goes on past this line
            spans.append((begin, len(line)))
            if size != len(line):  # a line longer than MAX_LINE breaks the object: counted on, not kept
                self.kept, self.parts = MAX_ENTRY + 1, []
            else:
                self._keep(line[begin:])
        outside = self.depth == 0 and _outside(line, spans)
        if self.stray is not None and (done or not outside):
            yield Chunk("stray", b"", None, *self.stray, 0, 0)
            self.stray = None
        if done:
            done[-1].lines, done[-1].size = self.lines, self.size
            self.lines = self.size = 0
            yield from done
        if outside and not done:
            self.stray = self.stray or (at, self.number)
        elif self.parts is None and self.stray is None and self.lines:
            yield Chunk("note", b"", None, at, self.number, self.lines, self.size)
            self.lines = self.size = 0

    def end(self) -> Iterator[Chunk]:
        if self.parts is not None:  # the stream ended inside an object
            chunk = self._malformed()
            chunk.lines, chunk.size = self.lines, self.size
            yield chunk
        elif self.stray is not None:
            yield Chunk("stray", b"", None, *self.stray, self.lines, self.size)
        elif self.lines:
            yield Chunk("note", b"", None, self.offset - self.size, self.number - self.lines + 1,
                        self.lines, self.size)

    def _keep(self, piece: bytes) -> None:
        self.kept += len(piece)
        if self.kept <= MAX_ENTRY:
            self.parts.append(piece)
        else:
            self.parts = []

    def _malformed(self) -> Chunk:
        self.parts = None
        return Chunk("entry", b"", None, *self.start, 0, 0)


def _opens(line: bytes) -> bool:
    """True when the line holds a `{` outside strings."""
    return b"{" in line and any(m[0] == b"{" for m in _TOKENS.finditer(line))


def _outside(line: bytes, spans: list[tuple[int, int]]) -> bool:
    """Text on the line outside the objects' spans, other than separators and journalctl's `-- ` lines."""
    rest, done = [], 0
    for s, e in spans:
        rest.append(line[done:s])
        done = e
    rest.append(line[done:])
    text = b"".join(rest).strip(b" \t\r\n,")
    return bool(text) and not text.startswith(_NOTE)
