"""Decompression by magic bytes (gzip, bz2, xz, zstd), bounded and strict, and checked reading.

Decompression is bounded: a compressed input (and a compressed tar member) stops being read
after `max_input_bytes()` decompressed bytes (`scan --max-input-bytes`, default 64 GiB, the tar
member ceiling) and raises InputTooLarge, an InputError naming it, so the input is reported
unreadable ("decompressed past --max-input-bytes 64G (possible compression bomb)") while the
events found before the limit are kept. Memory stays flat whatever the limit (blocks); the limit
bounds the time a gzip bomb (~1000:1), an xz bomb or a zstd bomb (far more) can take.

Decompression is strict: concatenated gzip members, bz2 and xz streams and zstd frames are read
one after the other; data that ends inside one (a truncated file) raises EOFError, and bytes after
the last one that start no other (zero padding aside) raise TrailingGarbage, after every byte
before them was handed on. `Checked` turns any such read error into the end of the stream plus an
InputError kept for the caller, who reports it once it has flushed what it holds.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import sys
import tarfile
import zlib

import zstandard

from tcplog.connectors import sizes
from tcplog.errors import InputError

DEFAULT_MAX_INPUT_BYTES = 64 << 30  # as archives.MAX_MEMBER: no real rotated log decompresses past it
_limit: list[int | None] = [DEFAULT_MAX_INPUT_BYTES]  # set per run (--max-input-bytes); forked workers inherit it


class InputTooLarge(InputError):
    """A compressed input decompressed past the ceiling: read up to there, then given up."""


def max_input_bytes() -> int | None:
    """The ceiling on decompressed bytes per compressed input; None: unlimited."""
    return _limit[0]


def set_max_input_bytes(limit: int | None) -> None:
    """Set the ceiling (None or 0: unlimited) for every input opened from now on, in this process
    and in worker processes forked after it."""
    _limit[0] = limit or None


_COMPRESSIONS = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
_PIECE = 1 << 20  # as files.BLOCK_SIZE: the most a Checked stream reads at once (a block is one read)


def open_stream(raw, path: str):
    """A peekable binary stream of raw's bytes, decompressed when they start with a known magic."""
    stream = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    try:
        head = stream.peek(6)[:6]
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from exc
    for magic, kind in _COMPRESSIONS:
        if head.startswith(magic):
            inner = _decompressor(kind, stream, path)
            limit = max_input_bytes()
            return inner if limit is None else Bounded(inner, limit, path)
    return stream


def open_checked(raw, where: str) -> "Checked":
    """open_stream(raw, where) as a Checked stream; one that cannot even be opened reads as empty,
    its failure kept."""
    try:
        return Checked(open_stream(raw, where), where)
    except (InputError, *read_errors()) as exc:
        checked = Checked(io.BytesIO(), where)
        checked.failure = as_input_error(exc, where)
        return checked


def reason(exc: BaseException) -> str:
    """Why a read failed, for the unreadable list: `EOFError: Compressed file ended ...`."""
    if isinstance(exc, InputError):
        return exc.why
    if isinstance(exc, TrailingGarbage):
        return str(exc)
    return f"{'zlib.error' if isinstance(exc, zlib.error) else type(exc).__name__}: {exc}"


def as_input_error(exc: BaseException, where: str) -> InputError:
    """exc as an InputError: its own when it is one (it names where it happened), else naming where."""
    return exc if isinstance(exc, InputError) else InputError(where, reason(exc))


class Checked(io.BufferedIOBase):
    """A stream whose read errors end it instead of escaping mid-scan: every byte read before the
    error is handed on (reads go piece by piece, so a failing read loses nothing), then it reads as
    empty and `failure` holds an InputError naming `where` and why (InputTooLarge, EOFError of a
    truncated file, trailing garbage, an I/O error). The caller flushes what it holds, then raises
    `failure`. With `defer=False` the error is raised instead, at the read after the bytes before
    it (a tar archive read by tarfile: its members keep what was read before the archive failed)."""

    def __init__(self, inner, where: str, defer: bool = True):
        super().__init__()
        self._inner, self.where, self.defer = inner, where, defer
        self.failure: InputError | None = None

    def readable(self) -> bool:
        return True

    @property
    def inner(self):
        """The stream checked, for a reader that catches its errors itself."""
        return self._inner

    def _failed(self, exc: BaseException) -> None:
        if self.failure is None:
            self.failure = as_input_error(exc, self.where)

    def _end(self) -> bytes:
        if self.failure is not None and not self.defer:
            raise self.failure
        return b""

    def _guarded(self, method: str, *args) -> bytes:
        """The inner stream's `method`(*args); the end of the stream once it has failed, or fails now
        (a stream that failed to open is an empty stand-in: it is never asked)."""
        if self.failure is not None:
            return self._end()
        try:
            return getattr(self._inner, method)(*args)
        except (InputError, *read_errors()) as exc:
            self._failed(exc)
            return self._end()

    def peek(self, size: int = 0) -> bytes:
        return self._guarded("peek", size)

    def read(self, size: int | None = -1) -> bytes:
        if self.failure is not None:
            return self._end()
        want = sys.maxsize if size is None or size < 0 else size
        parts: list[bytes] = []
        try:
            part = self._inner.read1(min(want, _PIECE))
            if len(part) == want or not part:
                return part  # (most reads: whatever was buffered, or a whole raw read)
            parts, got = [part], len(part)
            while got < want and (part := self._inner.read1(min(want - got, _PIECE))):
                parts.append(part)
                got += len(part)
        except (InputError, *read_errors()) as exc:
            self._failed(exc)
            if not parts:
                return self._end()
        return b"".join(parts)

    def read1(self, size: int = -1) -> bytes:
        return self._guarded("read1", size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        return self._guarded("readline", -1 if size is None else size)

    def close(self) -> None:
        self._inner.close()
        super().close()


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
            raise InputTooLarge(self.where, f"decompressed past --max-input-bytes {sizes.format_size(self.limit)} "
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
    return next((kind for magic, kind in _COMPRESSIONS if head.startswith(magic)), None)


def _decompressor(kind: str, stream, path: str):
    return io.BufferedReader(_Decompressing(kind, stream))


class TrailingGarbage(ValueError):
    """Bytes after the last complete compressed stream that start no other stream."""


_NEXT = {"gzip": (b"\x1f\x8b",), "bz2": (b"BZh",), "xz": (b"\xfd7zXZ\x00",),
         "zstd": (b"\x28\xb5\x2f\xfd", *(bytes([b]) + b"\x2a\x4d\x18" for b in range(0x50, 0x60)))}  # + skippable
_FEED = {"gzip": 64 << 10, "bz2": 64 << 10, "xz": 64 << 10, "zstd": 256}  # zstd: 256 bytes give <= 8 MiB
_STEP = 64 << 10  # decompressed bytes per call at most: a corrupt stream loses no more than this before its error
_TRUNCATED = "Compressed file ended before the end-of-stream marker was reached"


class _Decompressing(io.RawIOBase):
    """The decompressed bytes of concatenated gzip members, bz2 or xz streams, or zstd frames
    (skippable ones included), read one after the other. Output per read is bounded (a bomb never
    sits in memory). Data that stops inside a stream raises EOFError; after the last complete
    stream, zero bytes (padding) are allowed and anything else raises TrailingGarbage. Every byte
    decompressed before such an error is returned first; the error is raised on the read after."""

    def __init__(self, kind: str, source):
        super().__init__()
        self.kind, self._src, self._feed = kind, source, _FEED[kind]
        self._dec = None  # the current stream's decompressor; None between streams
        self._in = b""  # compressed bytes read from the source, not yet given to the decompressor
        self._out, self._at = b"", 0  # zstd: decompressed bytes not yet returned (decompress() has no max)
        self._offset = 0  # compressed bytes read from the source
        self._error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._next(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def _next(self, size: int) -> bytes:
        if self._error is not None:
            raise self._error
        try:
            while True:
                if self._out:
                    data = self._out[self._at:self._at + size]
                    self._at += len(data)
                    if self._at >= len(self._out):
                        self._out, self._at = b"", 0
                    return data
                if self._dec is None and not self._begin():
                    return b""
                data = self._step(size)
                if data:
                    return data
        except (EOFError, ValueError, OSError, zlib.error, lzma.LZMAError, zstandard.ZstdError) as exc:
            self._error = exc
            raise

    def _read_source(self) -> bytes:
        chunk = self._src.read(self._feed)
        self._offset += len(chunk)
        return chunk

    def _begin(self) -> bool:
        """Start the next stream; False at the end (nothing, or only zero padding, left)."""
        starts = _NEXT[self.kind]
        while True:
            self._in = self._in.lstrip(b"\0")
            if len(self._in) < 6:
                chunk = self._read_source()
                if chunk:
                    self._in += chunk
                    continue
            if not self._in:
                return False
            if self._in.startswith(starts):
                self._dec = _new_decompressor(self.kind)
                return True
            if len(self._in) >= 6 or not any(s.startswith(self._in) for s in starts):
                at = self._offset - len(self._in)
                raise TrailingGarbage(f"trailing garbage after the {self.kind} data (at byte {at}): "
                                      "everything before it was read")
            raise EOFError(_TRUNCATED)  # a start of the next stream, cut short

    def _step(self, size: int) -> bytes:
        """Decompressed bytes of the current stream (at most size, zstd aside), or b"" at its end."""
        dec = self._dec
        if self.kind == "zstd":
            if not self._in:
                self._in = self._read_source()
                if not self._in:
                    raise EOFError(_TRUNCATED)
            piece, self._in = self._in[:self._feed], self._in[self._feed:]
            data = dec.decompress(piece)
            if dec.eof:
                self._in, self._dec = dec.unused_data + self._in, None
            if len(data) > size:
                self._out, self._at = data, size
                return data[:size]
            return data
        if self.kind == "gzip":  # zlib: input past max_length waits in unconsumed_tail
            data = dec.decompress(self._in, min(size, _STEP))
            self._in = dec.unused_data if dec.eof else dec.unconsumed_tail
            if dec.eof:
                self._dec = None
            elif not data and not self._in:
                self._in = self._read_source()
                if not self._in:
                    raise EOFError(_TRUNCATED)
            return data
        # bz2, xz: the decompressor keeps unconsumed input itself; needs_input says when to feed it
        if dec.needs_input:
            feed, self._in = self._in or self._read_source(), b""
            if not feed:
                raise EOFError(_TRUNCATED)
        else:
            feed = b""
        data = dec.decompress(feed, min(size, _STEP))
        if dec.eof:
            self._in, self._dec = dec.unused_data, None
        return data


def _new_decompressor(kind: str):
    if kind == "gzip":
        return zlib.decompressobj(wbits=31)
    if kind == "bz2":
        return bz2.BZ2Decompressor()
    if kind == "xz":
        return lzma.LZMADecompressor()
    return zstandard.ZstdDecompressor().decompressobj()


def read_errors():
    """Exceptions that mean a stream went bad mid-read (corrupt archive, I/O error)."""
    return (OSError, EOFError, zlib.error, lzma.LZMAError, zstandard.ZstdError, gzip.BadGzipFile, ValueError,
            tarfile.TarError)
