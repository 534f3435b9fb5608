"""File inputs: paths and directories, `-` for stdin, gzip/bz2/xz/zstd by magic bytes.

Directories are walked recursively in name order. Blocks handed to the scanner end on a
record boundary (a newline not followed by a kmsg continuation line); a line longer than
the block size is carried until its newline, up to `max_record` bytes.

Decompression is bounded: a compressed input (and a compressed tar member) stops being read
after `max_input_bytes()` decompressed bytes (`scan --max-input-bytes`, default 64 GiB, the tar
member ceiling) and raises InputTooLarge, an InputError naming it, so the input is reported
unreadable ("decompressed past --max-input-bytes 64G (possible compression bomb)") while the
events found before the limit are kept. Memory stays flat whatever the limit (blocks); the limit
bounds the time a gzip bomb (~1000:1), an xz bomb or a zstd bomb (far more) can take.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import sys
import tarfile
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone

import zstandard

from tcplog.errors import InputError

BLOCK_SIZE = 1 << 20
MAX_RECORD = 64 << 20  # the most any caller may ask for
DEFAULT_MAX_RECORD = 1 << 20  # scan: a longer line is read in pieces of this size (printk lines are < 1 KiB)
_record: list[int] = [DEFAULT_MAX_RECORD]  # set per run (--max-record-bytes); forked workers inherit it
DEFAULT_MAX_INPUT_BYTES = 64 << 30  # as archives.MAX_MEMBER: no real rotated log decompresses past it
_limit: list[int | None] = [DEFAULT_MAX_INPUT_BYTES]  # set per run (--max-input-bytes); forked workers inherit it


class InputTooLarge(InputError):
    """A compressed input decompressed past the ceiling: read up to there, then given up."""


def max_input_bytes() -> int | None:
    """The ceiling on decompressed bytes per compressed input; None: unlimited."""
    return _limit[0]


def set_max_record_bytes(limit: int | None) -> None:
    """The longest record `blocks` holds whole (None or 0: the default); longer ones are cut."""
    _record[0] = min(limit or DEFAULT_MAX_RECORD, MAX_RECORD)


def set_max_input_bytes(limit: int | None) -> None:
    """Set the ceiling (None or 0: unlimited) for every input opened from now on, in this process
    and in worker processes forked after it."""
    _limit[0] = limit or None


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_SIZE = re.compile(r"\s*(\d+)\s*([KMGT]?)(?:I?B)?\s*\Z", re.IGNORECASE)


def parse_size(text: str) -> int | None:
    """`10G`, `500M`, `64K`, `1048576` (bytes; K/M/G/T are powers of 1024, `MiB`/`GB` spellings too)
    -> bytes; `0` -> None (unlimited). ValueError for anything else."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"not a size: {text!r} (use e.g. 500M, 10G)")
    return int(m.group(1)) * _UNITS[m.group(2).upper()] or None


def format_size(n: int) -> str:
    """The shortest exact spelling parse_size reads back: 10G, 500M, 1536K, 1000."""
    for unit in "TGMK":
        if n % _UNITS[unit] == 0:
            return f"{n // _UNITS[unit]}{unit}"
    return str(n)

_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


_NUMBERED = re.compile(r"(.*?)\.(\d+)(\.(?:gz|bz2|xz|zst))?\Z")
_DATED = re.compile(r"(.*?)-(\d{8,10})(\.(?:gz|bz2|xz|zst))?\Z")
_COMPRESSED = re.compile(r"\.(?:gz|bz2|xz|zst)\Z")


def rotation_order(name: str) -> tuple:
    """Sort key putting a rotated set oldest first, the live file last:
    messages.3.gz < messages.2.gz < messages.1 < messages; messages-20261115 < messages."""
    if m := _NUMBERED.match(name):
        return (m.group(1), 0, -int(m.group(2)))
    if m := _DATED.match(name):
        return (m.group(1), 0, int(m.group(2)))
    return (_COMPRESSED.sub("", name), 1, 0)


def expand(paths: list[str]) -> Iterator[tuple[str, str | None]]:
    """(path, error) for every file named or found below a named directory; `-` is stdin.
    Inside a directory, files are taken in name order with rotated sets oldest first."""
    for path in paths:
        if path == "-":
            yield path, None
        elif os.path.isdir(path):
            found = False
            for root, dirs, files in os.walk(path, onerror=None):
                dirs.sort()
                for name in sorted(files, key=rotation_order):
                    found = True
                    yield os.path.join(root, name), None
            if not found:
                yield path, "directory holds no files"
        elif os.path.exists(path):
            yield path, None
        else:
            yield path, "no such file or directory"


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
        raise InputError(path, exc.strerror or str(exc)) from exc
    return open_stream(raw, path)


def open_stream(raw, path: str):
    """A peekable binary stream of raw's bytes, decompressed when they start with a known magic."""
    stream = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    try:
        head = stream.peek(6)[:6]
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from exc
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            inner = _decompressor(kind, stream, path)
            limit = max_input_bytes()
            return inner if limit is None else Bounded(inner, limit, path)
    return stream


class Bounded(io.BufferedIOBase):
    """A decompressed stream that raises InputTooLarge (naming `where`) when read past `limit`
    bytes; everything up to the limit reads as usual (peek, read, read1, readinto, readline)."""

    def __init__(self, inner, limit: int, where: str):
        super().__init__()
        self._inner, self._left, self.limit, self.where = inner, limit, limit, where

    def readable(self) -> bool:
        return True

    def _at_limit(self) -> bytes:
        if self._inner.peek(1):
            raise InputTooLarge(self.where, f"decompressed past --max-input-bytes {format_size(self.limit)} "
                                            "(possible compression bomb)")
        return b""

    def peek(self, size: int = 0) -> bytes:
        data = self._inner.peek(size)
        return data if len(data) <= self._left else data[:self._left]

    def read(self, size: int | None = -1) -> bytes:
        if not self._left:
            return self._at_limit()
        if size is None or size < 0:
            data = self._inner.read(self._left)
            self._left -= len(data)
            return data + self.read() if not self._left else data
        data = self._inner.read(min(size, self._left))
        self._left -= len(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        if not self._left:
            return self._at_limit()
        data = self._inner.read1(self._left if size < 0 else min(size, self._left))
        self._left -= len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        if not self._left:
            return self._at_limit()
        line = self._inner.readline(self._left if size is None or size < 0 else min(size, self._left))
        self._left -= len(line)
        return line

    def close(self) -> None:
        self._inner.close()
        super().close()


def compression(head: bytes) -> str | None:
    """gzip, bz2, xz or zstd when `head` (the first 6 bytes) starts with its magic; else None."""
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


def _decompressor(kind: str, stream, path: str):
    if kind == "gzip":
        return io.BufferedReader(gzip.GzipFile(fileobj=stream))
    if kind == "bz2":
        return io.BufferedReader(bz2.BZ2File(stream))
    if kind == "xz":
        return io.BufferedReader(lzma.LZMAFile(stream))
    return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(stream))


def read_errors():
    """Exceptions that mean a stream went bad mid-read (corrupt archive, I/O error)."""
    return (OSError, EOFError, zlib.error, lzma.LZMAError, zstandard.ZstdError, gzip.BadGzipFile, ValueError,
            tarfile.TarError)


def blocks(stream, size: int = BLOCK_SIZE, max_record: int | None = None,
           defer_limit: bool = False) -> Iterator[bytes]:
    """Blocks of about `size` bytes, each ending on a record boundary (except a final partial line).

    At a Bounded stream's limit the bytes read so far are handed on, then InputTooLarge is raised;
    with `defer_limit` the blocks just end there and `raise_if_cut(stream)` raises it later (after
    the caller has flushed what it holds for this input)."""
    max_record = max_record or _record[0]  # a longer record is handed on in pieces of this size
    tail = b""
    held: list[bytes] = []  # a record longer than a chunk, in pieces: joined once, not copied per chunk
    held_len = 0
    while True:
        try:
            chunk = stream.read(size)
        except InputTooLarge as exc:
            if held or tail:
                yield b"".join(held) if held else tail  # what was read before the limit is scanned
            if not defer_limit:
                raise
            stream.cut = exc
            return
        if not chunk:
            if held or tail:
                yield b"".join(held) if held else tail
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
        yield buf[:cut]
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
