"""The exec-filter transform: exactly one output record per input record.

A recognised record gains a `tcplog` object holding the event; any other record passes
through: a JSON object byte for byte, a raw line wrapped as `{"message": LINE}` (plus
`message_b64` with the exact bytes when the line is not valid UTF-8). Never raises on input.
"""

from __future__ import annotations

import base64
from bisect import bisect_right
from itertools import accumulate

import orjson

from tcplog.framing.context import FramingContext
from tcplog.recognize import Recognizer
from tcplog.record import Position


class Filter:
    def __init__(self, recognizer: Recognizer | None = None, explain=None, convert=None):
        self.recognizer = recognizer or Recognizer()
        self.explain = explain  # optional: event -> event (classification), e.g. Pipeline.explain
        self.convert = convert  # optional: event -> the `tcplog` object in another format (tcplog.formats)
        self.records = 0
        self.events = 0
        self.offset = 0
        self._marks: bytearray | None = None  # which lines of the current batch hold a trigger
        self._next = 0

    def prepare(self, lines: list[bytes]) -> None:
        """Mark the lines of the next batch that hold a trigger: one prefilter pass over the batch
        instead of one search per line. `process` then takes the lines in this order."""
        hits = self.recognizer.dispatcher.prefilter.positions(b"\n".join(lines))
        marks = bytearray(len(lines))
        if hits:
            starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
            for pos in hits:
                marks[bisect_right(starts, pos) - 1] = 1
        self._marks, self._next = marks, 0

    def process(self, line: bytes, ctx: FramingContext) -> bytes:
        """One input record (without its newline) -> one output line (with newline)."""
        candidate = None
        if self._marks is not None:
            if self._next < len(self._marks):
                candidate = self._marks[self._next] == 1
            self._next += 1
        self.records += 1
        if candidate is False and line[:1] not in (b"{", b"\x1e"):  # most records: raw, no trigger
            self.offset += len(line) + 1
            return wrap(line, None)
        position = Position(None, self.records, self.offset)
        self.offset += len(line) + 1
        body = line[:-1] if line.endswith(b"\r") else line
        obj = None
        if body[:1] in (b"{", b"\x1e"):
            try:
                parsed = orjson.loads(body.lstrip(b"\x1e"))
            except orjson.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict):
                obj = parsed
        event = self.recognizer.event(body, ctx, position, candidate)
        if event is not None:
            self.events += 1
            if self.explain is not None:
                event = self.explain(event)
            if self.convert is not None:
                event = self.convert(event)
        if obj is None:
            return wrap(line, event)
        if event is None:
            return line + b"\n"
        obj["tcplog"] = event
        out = orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
        return b"\x1e" + out if body[:1] == b"\x1e" else out  # json-seq in, json-seq out


def wrap(line: bytes, event: dict | None) -> bytes:
    try:
        out = {"message": line.decode("utf-8")}
    except UnicodeDecodeError:
        out = {"message": line.decode("utf-8", "replace"), "message_b64": base64.b64encode(line).decode("ascii")}
    if event is not None:
        out["tcplog"] = event
    return orjson.dumps(out, option=orjson.OPT_APPEND_NEWLINE)
