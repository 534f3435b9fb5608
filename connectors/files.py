"""File inputs: paths and directories, `-` for stdin, gzip/bz2/xz/zstd by magic bytes.

Directories are walked recursively in name order. Blocks handed to the scanner end on a
record boundary (a newline not followed by a kmsg continuation line); a line longer than
the block size is carried until its newline, up to `max_record` bytes.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import sys
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone

import zstandard

from tcplog.errors import InputError

BLOCK_SIZE = 1 << 20
MAX_RECORD = 64 << 20

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
            return _decompressor(kind, stream, path)
    return stream


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
    return (OSError, EOFError, zlib.error, lzma.LZMAError, zstandard.ZstdError, gzip.BadGzipFile, ValueError)


def blocks(stream, size: int = BLOCK_SIZE, max_record: int = MAX_RECORD) -> Iterator[bytes]:
    """Blocks of about `size` bytes, each ending on a record boundary (except a final partial line)."""
    tail = b""
    while True:
        chunk = stream.read(size)
        if not chunk:
            if tail:
                yield tail
            return
        buf = tail + chunk if tail else chunk
        cut = _cut(buf)
        if cut == 0 and len(buf) < max_record:
            tail = buf
            continue
        if cut == 0:
            cut = len(buf)
        yield buf[:cut]
        tail = buf[cut:]


def _cut(buf: bytes) -> int:
    """Just after the last newline that starts a new record (the next line is complete and not a continuation)."""
    i = buf.rfind(b"\n")
    if i == len(buf) - 1:  # the next line is in the next chunk: it could be a continuation
        i = buf.rfind(b"\n", 0, i)
    while i != -1 and buf[i + 1:i + 2] == b" ":
        i = buf.rfind(b"\n", 0, i)
    return i + 1
