"""Batch scanning: blocks of bytes in, events out, with accounting.

The hot path stays in bytes: the dispatcher's prefilter runs over whole blocks, and only the
lines it hits are cut out, decoded, framed and parsed. Line numbers and byte offsets are
counted with bytes.count over the gaps, never line by line in Python.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from tcplog import flattened, framing, wrapped
from tcplog.assemble import Assembler
from tcplog.dispatch import Dispatcher
from tcplog.event import build
from tcplog.framing import ansible_oneline, host_prefix, inline_markup, journal_export
from tcplog.framing.context import FramingContext
from tcplog.record import Position

_KMSG_HEAD = re.compile(rb"\d{1,4},\d{1,20},\d{1,20},")


@dataclass
class Stats:
    """What a run read and found; `unreadable` and `skipped` list (input, reason)."""

    files: int = 0
    lines: int = 0
    bytes: int = 0
    candidates: int = 0
    unframed: int = 0
    not_kernel: int = 0
    unmatched: int = 0  # kernel records holding a trigger that no grammar accepted
    merged: int = 0  # continuation lines (martian ll header) folded into the event before them
    overlapped: int = 0  # events dropped: the same record read from another system log of its folder
    events: Counter = field(default_factory=Counter)
    messages: Counter = field(default_factory=Counter)
    causes: Counter = field(default_factory=Counter)  # filled where events leave the pipeline
    evicted: Counter = field(default_factory=Counter)  # what the state bounds pushed out (Pipeline.take_evictions)
    unreadable: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (input, reason): files not read again (a link to one read)

    def merge(self, other: "Stats") -> None:
        """Add another run's counts (a worker's) to these."""
        self.files += other.files
        self.lines += other.lines
        self.bytes += other.bytes
        self.candidates += other.candidates
        self.unframed += other.unframed
        self.not_kernel += other.not_kernel
        self.unmatched += other.unmatched
        self.merged += other.merged
        self.overlapped += other.overlapped
        self.events.update(other.events)
        self.messages.update(other.messages)
        self.causes.update(other.causes)
        self.evicted.update(other.evicted)
        self.unreadable.extend(other.unreadable)
        self.skipped.extend(other.skipped)

    def as_dict(self) -> dict:
        return {
            "files": self.files, "lines": self.lines, "bytes": self.bytes, "candidates": self.candidates,
            "unframed": self.unframed, "not_kernel": self.not_kernel, "unmatched": self.unmatched,
            "merged": self.merged, "overlapped": self.overlapped,
            "events": sum(self.events.values()), "events_by_family": _counts(self.events),
            "events_by_message": _counts(self.messages), "events_by_cause": _counts(self.causes),
            "evicted": dict(sorted(self.evicted.items())),
            "unreadable": [{"input": i, "reason": r} for i, r in self.unreadable],
            "skipped": [{"input": i, "reason": r} for i, r in self.skipped],
        }


class Scanner:
    def __init__(self, dispatcher: Dispatcher | None = None, forced_framing: str | None = None):
        self.dispatcher = dispatcher or Dispatcher(extra_triggers=framing.EXTRA_TRIGGERS)
        self.forced = None if forced_framing in (None, "auto") else forced_framing

    def scan_blocks(self, blocks: Iterable[bytes], ctx: FramingContext, name: str | None,
                    stats: Stats, offset: int = 0, lines_before: int = 0) -> Iterator[dict]:
        """Events from a byte stream cut into blocks that end on record boundaries.

        `offset` and `lines_before` place the first block inside a larger input (a byte range
        scanned by a worker): byte offsets and line numbers stay those of the whole input."""
        assembler = Assembler()
        positions = self.dispatcher.prefilter.positions
        decode, forced = framing.decode, self.forced
        last = b""
        for block in blocks:
            stats.bytes += len(block)
            counted_to, lines_at, done_to = 0, lines_before, -1
            for start in positions(block):
                if start < done_to:
                    continue
                ls = block.rfind(b"\n", 0, start) + 1
                le = block.find(b"\n", start)
                le = len(block) if le == -1 else le
                lines_at += block.count(b"\n", counted_to, ls)
                counted_to = ls
                done_to = le
                # (the leading-space test first: most candidates then skip slicing their line twice)
                if block[ls:ls + 1] == b" " and framing.is_continuation(block[ls:le]) \
                        and _belongs_to_kmsg_record(block, ls):
                    continue  # a dictionary line of an earlier record, read with it
                end = le
                if _KMSG_HEAD.match(block, ls):
                    end = done_to = _continuations(block, le)
                stats.candidates += 1
                record = decode(block[ls:end], ctx, forced)
                if record is None:
                    stats.unframed += 1
                    continue
                match = self.dispatcher.match(record)
                if match is None and (lines := self._oneline(block, ls, end, ctx)):
                    stats.candidates += len(lines) - 1  # ansible -o: a host's output on one line (ansible_oneline)
                    for start, line in lines:
                        if line is None:
                            stats.unframed += 1
                        else:
                            yield from self._emit(line, Position(name, lines_at + 1, offset + start), stats, assembler)
                    continue
                if match is None and (joined := wrapped.rejoin(record, block, end, self.dispatcher)) is not None:
                    record, done_to = joined  # a pasted line wrapped in two (tcplog.wrapped)
                    match = self.dispatcher.match(record)
                elif match is None and record.kernel and (pieces := self._pieces(record, block, ls, end, ctx)):
                    stats.candidates += len(pieces) - 1  # records a page ran together on one line (tcplog.flattened)
                    for start, piece in pieces:
                        yield from self._emit(piece, Position(name, lines_at + 1, offset + start), stats, assembler)
                    continue
                yield from self._emit(record, Position(name, lines_at + 1, offset + ls), stats, assembler, match)
            n = lines_at - lines_before + block.count(b"\n", counted_to)  # every byte counted once
            lines_before += n
            stats.lines += n
            offset += len(block)
            if block:
                last = block[-1:]
        if last and last != b"\n":
            stats.lines += 1
        yield from self._finish(assembler, stats)

    def scan_export(self, stream, ctx: FramingContext, name: str | None, stats: Stats) -> Iterator[dict]:
        """Events from a journal export stream (records span lines; no block prefilter)."""
        assembler = Assembler()
        offset = 0
        where = name or "<stdin>"
        for raw, fields in journal_export.entries(stream, where):
            stats.bytes += len(raw)
            stats.lines += raw.count(b"\n")
            position = Position(name, None, offset)
            offset += len(raw)
            stats.candidates += 1
            record = journal_export.decode(fields, raw) if fields is not None else None
            if record is None:
                stats.unframed += 1
                continue
            yield from self._emit(record, position, stats, assembler)
        yield from self._finish(assembler, stats)

    def scan_chunked(self, reader, stream, ctx: FramingContext, name: str | None, stats: Stats) -> Iterator[dict]:
        """Events from output whose records span lines, read record by record (no block prefilter):
        `journalctl -o verbose` and `-o json-pretty`, `dmesg --json` (tcplog.framing.STREAMED: each
        has chunks(stream) and decode(fields, raw, ctx)). An event's line and offset are its record's
        first; the outputs' own lines (journalctl's `-- … --`, dmesg's wrapper) are no record. A `line`
        chunk (text before a JSON document: a shell prompt, a heading; a line of a parallel shell's
        output gathered under a host's heading) is an ordinary log line, read as scan_blocks reads one: a
        candidate only when it holds a trigger; one with fields (its heading) is decoded by the reader."""
        assembler = Assembler()
        search = self.dispatcher.prefilter.search
        for chunk in reader.chunks(stream):
            stats.bytes += chunk.size
            stats.lines += chunk.lines
            if chunk.kind == "note" or (chunk.kind == "line" and not search(chunk.raw)):
                continue
            stats.candidates += 1
            if chunk.kind == "line":  # (with fields: a line under a host's heading, tcplog.framing.gathered)
                line = chunk.raw.removesuffix(b"\n")
                record = framing.decode(line, ctx, self.forced) if chunk.fields is None \
                    else reader.decode(chunk.fields, line, ctx, self.forced)
            else:
                record = reader.decode(chunk.fields, chunk.raw, ctx) if chunk.fields is not None else None
            if record is None:
                stats.unframed += 1  # a stray run of lines, a malformed record, no message (or a blob)
                continue
            yield from self._emit(record, Position(name, chunk.line, chunk.offset), stats, assembler)
        yield from self._finish(assembler, stats)

    def _oneline(self, block: bytes, ls: int, end: int, ctx) -> list | None:
        """(start in the block, record or None when unframed) of each line of an `ansible -o` result that holds a
        trigger, its host label attributed (tcplog.framing.ansible_oneline), or None when the line is none."""
        found = ansible_oneline.split(block[ls:end])
        if found is None:
            return None
        label, pieces = found
        search = self.dispatcher.prefilter.search
        lines = []
        for a, b in pieces:
            piece = block[ls + a:ls + b]
            if search(piece):
                record = framing.decode(piece, ctx, self.forced)
                lines.append((ls + a, None if record is None else host_prefix.attribute(record, label)))
        return lines or None

    def _pieces(self, record, block: bytes, ls: int, end: int, ctx) -> list | None:
        """(start in the block, record) of each kernel record a flattened line holds, or None when
        the line is not cut, or one of its pieces is not a kernel record of the line's framing."""
        starts = flattened.cuts(record.framing, block[ls:end])
        if not starts:
            return None
        first, stop = inline_markup.span(block[ls:end])  # (the marks around a line in Markdown inline markup)
        bounds = [ls + first, *(ls + s for s in starts), ls + stop]
        pieces = []
        for a, b in zip(bounds, bounds[1:]):
            piece = framing.decode(block[a:b].rstrip(b" "), ctx, self.forced)
            if piece is None or not piece.kernel or piece.framing != record.framing:
                return None
            pieces.append((a, piece))
        return pieces

    def _emit(self, record, position, stats, assembler, match=False) -> list[dict]:
        """The events one framed record completes (the assembler may hold it back), counted.
        `match`: the dispatcher's answer for the record when the caller has it already."""
        if match is False:
            match = self.dispatcher.match(record)
        if match is None:
            if record.kernel:
                stats.unmatched += 1
            else:
                stats.not_kernel += 1
            return []
        return _counted(assembler.push(build(record, match, position)), stats)

    @staticmethod
    def _finish(assembler, stats) -> list[dict]:
        stats.merged += assembler.merged
        return _counted(assembler.flush(), stats)


def _counts(counter: Counter) -> dict:
    """A counter as a sorted dict, without the keys that events dropped later brought to zero."""
    return {k: n for k, n in sorted(counter.items()) if n}


def _counted(events: list[dict], stats: Stats) -> list[dict]:
    for event in events:
        stats.events[event["family"]] += 1
        stats.messages[event["message_id"]] += 1
    return events


def _continuations(block: bytes, end: int) -> int:
    """End of a kmsg record whose first line ends at `end`, taking the ` KEY=value` lines after it."""
    while end < len(block):
        nxt = block.find(b"\n", end + 1)
        nxt = len(block) if nxt == -1 else nxt
        if not framing.is_continuation(block[end + 1:nxt]):
            break
        end = nxt
    return end


def _belongs_to_kmsg_record(block: bytes, ls: int) -> bool:
    """True when the continuation-looking line at `ls` follows a kmsg record (through its dictionary)."""
    for _ in range(64):
        if ls == 0:
            return False
        prev = block.rfind(b"\n", 0, ls - 1) + 1
        if _KMSG_HEAD.match(block, prev):
            return True
        if not framing.is_continuation(block[prev:ls - 1]):
            return False
        ls = prev
    return False
