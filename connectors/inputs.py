"""One input (a file, a byte range of one, or stdin) through the scanner and the pipeline.

Shared by the single-process `scan` loop and the workers, so both produce the same events.
"""

from __future__ import annotations

from collections.abc import Iterator

from tcplog.connectors import archives, files
from tcplog.framing import journal_export, journal_verbose
from tcplog.framing.context import FramingContext
from tcplog.pipeline import Pipeline
from tcplog.scan import Scanner, Stats


def events(path: str, host: str | None, scanner: Scanner, pipeline: Pipeline, ctx: FramingContext, stats: Stats,
           force_export: bool = False, on_skip=None, fixed_reference: bool = False) -> Iterator[dict]:
    """Every event of a whole input, through the whole pipeline (holding stages included).
    A tar archive is read member by member, each an input of its own (`ARCHIVE!MEMBER`)."""
    stream = files.open_input(path)
    name = "<stdin>" if path == "-" else path
    head = stream.peek(512)[:512]
    if archives.is_tar(head):
        for member, mtime, fileobj, why in archives.members(stream, path):
            where = f"{name}!{member}"
            if fileobj is None:
                if on_skip is not None:
                    on_skip(where, why)
                continue
            member_ctx = FramingContext(reference=ctx.reference if fixed_reference else mtime, year=ctx.year,
                                        tz=ctx.tz)
            inner = files.open_stream(fileobj, where)
            try:
                yield from _one(inner, where, host, scanner, pipeline, member_ctx, stats, force_export)
            except files.InputTooLarge as exc:
                if exc.where != where or on_skip is None:
                    raise  # the archive's own stream hit the limit: nothing after it can be read
                on_skip(exc.where, exc.why)  # a compressed member did: its events are out, on to the next
        return
    yield from _one(stream, name, host, scanner, pipeline, ctx, stats, force_export, head)


def _one(stream, name, host, scanner, pipeline, ctx, stats, force_export, head=None) -> Iterator[dict]:
    """One input through the pipeline. At the --max-input-bytes ceiling the input ends where it
    was cut, the pipeline flushes what it holds (held events, dedupe groups, incidents), and
    only then is InputTooLarge raised: nothing read before the limit is lost."""
    head = stream.peek(512)[:512] if head is None else head  # a verbose header line is ~170 bytes
    cut: list = []
    if force_export or journal_export.sniff(head):
        found = _until_cut(scanner.scan_export(stream, ctx, name, stats), cut)
    elif journal_verbose.sniff(head):
        found = _until_cut(scanner.scan_verbose(stream, ctx, name, stats), cut)
    else:
        found = scanner.scan_blocks(files.blocks(stream, defer_limit=True), ctx, name, stats)
    yield from pipeline.run(found, default_host=host)
    files.raise_if_cut(stream)
    if cut:
        raise cut[0]


def _until_cut(events: Iterator[dict], cut: list) -> Iterator[dict]:
    """The events of a stream until it hits the ceiling; the InputTooLarge is kept in `cut`."""
    try:
        yield from events
    except files.InputTooLarge as exc:
        cut.append(exc)


def range_events(path: str, start: int, end: int, line_base: int, host: str | None, scanner: Scanner,
                 pipeline: Pipeline, ctx: FramingContext, stats: Stats) -> Iterator[dict]:
    """The events of bytes [start, end) of an uncompressed file, joined and classified; suppression
    notices not yet attached, occurrences not yet settled (the caller does both, in order)."""
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    found = scanner.scan_blocks([data] if data else [], ctx, path, stats, offset=start, lines_before=line_base)
    for event in found:
        yield pipeline.explain(event, default_host=host)
