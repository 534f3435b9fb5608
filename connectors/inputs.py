"""One input (a file, a byte range of one, or stdin) through the scanner and the pipeline.

Shared by the single-process `scan` loop and the workers, so both produce the same events.

An input that fails part way (a truncated or corrupt compressed file, trailing garbage, the
--max-input-bytes ceiling, a journal export record that cannot be framed, an I/O error) ends where
it failed: everything read before is scanned, the pipeline flushes what it holds for it (held
events, dedupe groups, incidents), and only then is the failure raised as an InputError naming the
input, so every event counted in `--stats` is written. A tar member that fails is reported as
`ARCHIVE!MEMBER` and the next member is read; a failure of the archive itself ends the archive.
Names that are not UTF-8 are shown with `\\xe9` escapes (`walk.shown`); UTF-16 text is reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from tcplog import framing
from tcplog.connectors import archives, decompress, files, journal_files, walk
from tcplog.errors import InputError
from tcplog.framing import journal_export
from tcplog.framing.context import FramingContext
from tcplog.pipeline import Pipeline
from tcplog.scan import Scanner, Stats


def events(path: str, host: str | None, scanner: Scanner, pipeline: Pipeline, ctx: FramingContext, stats: Stats,
           force_export: bool = False, on_skip=None, fixed_reference: bool = False) -> Iterator[dict]:
    """Every event of a whole input, through the whole pipeline (holding stages included).
    A tar archive is read member by member, each an input of its own (`ARCHIVE!MEMBER`);
    `on_skip(where, why)` hears of the members (and the archive's end) that could not be read."""
    name = "<stdin>" if path == "-" else walk.shown(path)
    stream = files.open_input(path)
    checked = decompress.Checked(stream, name)
    head = checked.peek(512)[:512]
    if checked.failure is None and archives.is_tar(head):
        # tarfile reads the archive; what was read before an error of the archive reaches its member
        archive = decompress.Checked(stream, name, defer=False)
        for member, mtime, fileobj, why in archives.members(archive, path):
            where = name if member is None else f"{name}!{walk.shown(member)}"
            if fileobj is None:
                if on_skip is None:
                    raise InputError(where, why)
                on_skip(where, why)
                continue
            member_ctx = FramingContext(reference=ctx.reference if fixed_reference else mtime, year=ctx.year,
                                        tz=ctx.tz)
            try:
                yield from _one(decompress.open_checked(fileobj, where), where, host, scanner, pipeline, member_ctx,
                                stats, force_export)
            except InputError as exc:
                if exc.where != where or on_skip is None:
                    raise  # the archive's own stream failed (or hit the limit): nothing after it can be read
                on_skip(exc.where, exc.why)  # the member failed: its events are out, on to the next
        return
    yield from _one(checked, name, host, scanner, pipeline, ctx, stats, force_export, head,
                    file=None if path == "-" else path)


def _one(stream: decompress.Checked, name, host, scanner, pipeline, ctx, stats, force_export,
         head=None, file: str | None = None) -> Iterator[dict]:
    """One input through the pipeline; its failure (kept by the Checked stream, or raised by the
    framing) is raised after the pipeline flushed what it holds: nothing read before it is lost.
    `file`: the input's own path, when it is a file of its own (not stdin, not an archive member)."""
    head = stream.peek(512)[:512] if head is None else head  # a verbose header line is ~170 bytes
    if stream.failure is None and (why := files.utf16(head)):
        raise InputError(name, why)
    failed: list[InputError] = []
    if stream.failure is None and journal_files.is_journal(head):
        # a binary journal: journalctl reads it (the file itself when it is not compressed)
        with journal_files.exported(stream, name, file if file and _uncompressed(file) else None) as export:
            found = _until_failure(scanner.scan_export(export, ctx, name, stats), name, failed)
            yield from pipeline.run(found, default_host=host)
        if stream.failure is not None:
            raise stream.failure
        if failed:
            raise failed[0]
        return
    # the journal framings read the stream itself (many small reads): its errors end them, caught here
    if force_export or journal_export.sniff(head):
        found = _until_failure(scanner.scan_export(stream.inner, ctx, name, stats), name, failed)
    elif (reader := framing.streamed(head)) is not None:
        found = _until_failure(scanner.scan_chunked(reader, stream.inner, ctx, name, stats), name, failed)
    else:
        found = scanner.scan_blocks(files.blocks(stream), ctx, name, stats)
    yield from pipeline.run(found, default_host=host)
    if stream.failure is not None:
        raise stream.failure
    if failed:
        raise failed[0]


def _uncompressed(path: str) -> bool:
    """The file's own bytes are the journal (it is not a compressed copy of one). A FIFO is not
    opened again (its bytes are read once, by the stream): journalctl gets a copy of it."""
    if not os.path.isfile(path):
        return False
    try:
        with open(path, "rb") as f:
            return journal_files.is_journal(f.read(len(journal_files.MAGIC)))
    except OSError:
        return False


def _until_failure(events: Iterator[dict], name: str, failed: list) -> Iterator[dict]:
    """The events of a framed stream until it cannot be read or a record cannot be framed; the
    error is kept in `failed`."""
    try:
        yield from events
    except (InputError, *decompress.read_errors()) as exc:
        failed.append(decompress.as_input_error(exc, name))


def range_events(path: str, start: int, end: int, line_base: int, host: str | None, scanner: Scanner,
                 pipeline: Pipeline, ctx: FramingContext, stats: Stats) -> Iterator[dict]:
    """The events of bytes [start, end) of an uncompressed file, joined and classified; suppression
    notices not yet attached, occurrences not yet settled (the caller does both, in order).
    The file's first bytes decide, as for a whole read, whether CRs end its lines."""
    name = walk.shown(path)
    try:
        with open(path, "rb") as f:
            head = f.read(files.CR_PROBE)
            f.seek(start)
            data = f.read(end - start)
    except OSError as exc:
        raise InputError(name, exc.strerror or str(exc)) from exc
    if files.cr_lined(head):  # (UTF-16 text is never cut into ranges: workers.plan reads it whole)
        data = data.replace(b"\r", b"\n")
    found = scanner.scan_blocks([data] if data else [], ctx, name, stats, offset=start, lines_before=line_base)
    for event in found:
        yield pipeline.explain(event, default_host=host)
