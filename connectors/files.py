"""File inputs: a path or `-` for stdin, opened (decompressed by magic bytes: `decompress`) and
cut into blocks on record boundaries.

Blocks handed to the scanner end on a record boundary (a newline not followed by a kmsg
continuation line); a line longer than the block size is carried until its newline, up to
`max_record` bytes. A text whose first 64 KiB hold carriage returns and no line feed has CR line
ends (old Mac, some network devices): each CR is read as a line end (offsets unchanged).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import datetime, timezone

from tcplog.connectors import decompress, walk
from tcplog.errors import InputError

BLOCK_SIZE = 1 << 20
MAX_RECORD = 64 << 20  # the most any caller may ask for
DEFAULT_MAX_RECORD = 1 << 20  # scan: a longer line is read in pieces of this size (printk lines are < 1 KiB)
_record: list[int] = [DEFAULT_MAX_RECORD]  # set per run (--max-record-bytes); forked workers inherit it


def set_max_record_bytes(limit: int | None) -> None:
    """The longest record `blocks` holds whole (None or 0: the default); longer ones are cut."""
    _record[0] = min(limit or DEFAULT_MAX_RECORD, MAX_RECORD)


_UTF16 = ((b"\xff\xfe\x00\x00", "UTF-32", "FF FE 00 00"), (b"\xff\xfe", "UTF-16", "FF FE"),
          (b"\xfe\xff", "UTF-16", "FE FF"))
CR_PROBE = 64 << 10  # a text with CRs and no LF in its first 64 KiB has CR line ends


def mtime(path: str) -> datetime | None:
    if path == "-":
        return None
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, tz=timezone.utc)
    except OSError:
        return None


def open_input(path: str):
    """A binary stream of the file's (decompressed) bytes. Raises InputError naming the file."""
    try:
        raw = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as exc:
        raise InputError(walk.shown(path), exc.strerror or str(exc)) from exc
    return decompress.open_stream(raw, "<stdin>" if path == "-" else walk.shown(path))


def utf16(head: bytes) -> str | None:
    """Why a text starting with a UTF-16 (or UTF-32) byte order mark is not read, else None.
    Offsets and raw bytes could not point into the file if it were converted here."""
    for bom, kind, spelled in _UTF16:
        if head.startswith(bom):
            return (f"{kind} text (byte order mark {spelled}): tcplog reads UTF-8; convert it first, "
                    f"e.g. iconv -f {kind} -t UTF-8")
    kind = _wide(head)
    if kind:
        return f"{kind} text (no byte order mark): tcplog reads UTF-8; convert it first, e.g. iconv -f {kind} -t UTF-8"
    return None


def _wide(head: bytes) -> str | None:
    """UTF-16LE/BE or UTF-32LE/BE without a byte order mark, told by where the NULs of text that
    is mostly ASCII fall (every 2nd or 4th byte zero, the others not), else None."""
    head = head[:256]
    for width, kinds in ((4, ("UTF-32LE", "UTF-32BE")), (2, ("UTF-16LE", "UTF-16BE"))):
        n = len(head) // width
        if n < 8:
            continue
        units = [head[i * width:(i + 1) * width] for i in range(n)]
        for kind, text_at in zip(kinds, (0, width - 1)):
            text = sum(1 for u in units if u[text_at] and not any(u[j] for j in range(width) if j != text_at))
            if text >= 0.9 * n:
                return kind
    return None


def cr_lined(head: bytes) -> bool:
    """True for a text with CR line ends: carriage returns and no line feed in its first CR_PROBE bytes."""
    head = head[:CR_PROBE]
    return b"\r" in head and b"\n" not in head


def blocks(stream, size: int = BLOCK_SIZE, max_record: int | None = None,
           defer_limit: bool = False) -> Iterator[bytes]:
    """Blocks of about `size` bytes, each ending on a record boundary (except a final partial line).
    A text with CR line ends (`cr_lined`, decided on its first CR_PROBE bytes) reads each CR as a LF.
    The input's last line stays in the block before it (a block is held until the next read shows
    whether more follows), so a wrapped last line is read with the line it continues (tcplog.wrapped).

    At a Bounded stream's limit (`decompress`) the bytes read so far are handed on, then
    InputTooLarge is raised; with `defer_limit` the blocks just end there and `raise_if_cut(stream)`
    raises it later (after the caller has flushed what it holds for this input). A Checked stream
    never raises: it ends."""
    max_record = max_record or _record[0]  # a longer record is handed on in pieces of this size
    tail = b""
    held: list[bytes] = []  # a record longer than a chunk, in pieces: joined once, not copied per chunk
    held_len = 0
    first, cr = True, False
    ready = b""  # the last block cut, handed on once more input follows (or with the input's last line)
    while True:
        try:
            chunk = stream.read(max(size, CR_PROBE) if first else size)
        except decompress.InputTooLarge as exc:
            if ready:
                yield ready
            if held or tail:
                yield b"".join(held) if held else tail  # what was read before the limit is scanned
            if not defer_limit:
                raise
            stream.cut = exc
            return
        if first:
            first, cr = False, cr_lined(chunk)
        if cr:
            chunk = chunk.replace(b"\r", b"\n")
        if not chunk:
            if held:
                if ready:
                    yield ready
                yield b"".join(held)
            elif ready or tail:
                yield ready + tail  # the last line with the block before it
            return
        if held:
            # no newline in the chunk (and none ending the held part): still no record boundary
            if held_len + len(chunk) < max_record and b"\n" not in chunk and not held[-1].endswith(b"\n"):
                held.append(chunk)
                held_len += len(chunk)
                continue
            held.append(chunk)
            buf, held, held_len = b"".join(held), [], 0
        else:
            buf = tail + chunk if tail else chunk
        cut = _cut(buf)
        if cut == 0 and len(buf) < max_record:
            held, held_len, tail = [buf], len(buf), b""
            continue
        if cut == 0:
            cut = len(buf)
        if ready:
            yield ready
        ready = buf[:cut]
        tail = buf[cut:]


def raise_if_cut(stream) -> None:
    """The InputTooLarge that `blocks(stream, defer_limit=True)` stopped at, if it did."""
    cut = getattr(stream, "cut", None)
    if cut is not None:
        raise cut


def _cut(buf: bytes) -> int:
    """Just after the last newline that starts a new record (the next line is complete and not a continuation)."""
    i = buf.rfind(b"\n")
    if i == len(buf) - 1:  # the next line is in the next chunk: it could be a continuation
        i = buf.rfind(b"\n", 0, i)
    while i != -1 and buf[i + 1:i + 2] == b" ":
        i = buf.rfind(b"\n", 0, i)
    return i + 1
