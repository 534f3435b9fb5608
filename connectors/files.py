"""File inputs: paths and directories, `-` for stdin, gzip/bz2/xz/zstd by magic bytes.

Directories are walked recursively in name order. Only regular files are read from a walk: a
FIFO, socket or device found there is reported ("not a regular file") instead of blocking the
run, and a subdirectory that cannot be listed is reported too. A file is read once per run: a
symbolic or hard link to a file already read (same st_dev and st_ino), another spelling of its
path, or the file found again by a walk is skipped with a note on stderr; only a path named again
verbatim is read again, as asked. A FIFO named on the command line (or `<(...)`) is read.

Blocks handed to the scanner end on a record boundary (a newline not followed by a kmsg
continuation line); a line longer than the block size is carried until its newline, up to
`max_record` bytes. A text whose first 64 KiB hold carriage returns and no line feed has CR line
ends (old Mac, some network devices): each CR is read as a line end (offsets unchanged).

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
import os
import re
import stat
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
    and in worker processes forked after it. A scan run calls it first, before it names any input,
    so the files `expand` has seen are forgotten here too: a file is read once per run."""
    _limit[0] = limit or None
    _seen.clear()


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


_COMPRESSIONS = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
_UTF16 = ((b"\xff\xfe\x00\x00", "UTF-32", "FF FE 00 00"), (b"\xff\xfe", "UTF-16", "FF FE"),
          (b"\xfe\xff", "UTF-16", "FE FF"))
# Heads of inputs read whole, never cut into byte ranges (workers.plan reads this table):
# the compressions, and UTF-16 text, which is reported unreadable as a whole.
_MAGIC = _COMPRESSIONS + tuple((bom, kind) for bom, kind, _ in _UTF16)
CR_PROBE = 64 << 10  # a text with CRs and no LF in its first 64 KiB has CR line ends


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


def shown(name: str) -> str:
    """A file or member name as valid UTF-8 text: bytes that are not UTF-8 (kept by Python as
    surrogate escapes) are written `\\xe9`. The name to open stays the original."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_seen: dict[tuple[int, int], tuple[str, bool]] = {}  # (st_dev, st_ino) -> (name read under, named?), this run


def expand(paths: list[str], seen: dict | None = None) -> Iterator[tuple[str, str | None]]:
    """(path, error) for every input named or found below a named directory; `-` is stdin.
    Inside a directory, files are taken in name order with rotated sets oldest first; what is not
    a regular file, and a directory that cannot be listed, comes with its error. A regular file
    already given (by `seen`, default: this run's) is skipped with a note on stderr, unless the
    same path is named again."""
    seen = _seen if seen is None else seen
    for path in paths:
        if path == "-":
            yield path, None
            continue
        try:
            st = os.stat(path)
        except OSError as exc:
            yield shown(path), "no such file or directory" if isinstance(exc, FileNotFoundError) else _lower(exc)
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, seen)
        elif _first(path, st, seen, named=True):
            yield path, None  # named: a FIFO or `<(...)` is read too


def _walk(top: str, seen: dict) -> Iterator[tuple[str, str | None]]:
    errors: list[OSError] = []
    listed = found = False
    for root, dirs, names in os.walk(top, onerror=errors.append):
        listed = True
        found = found or bool(errors)
        yield from _listing_errors(errors)
        dirs.sort()  # a symbolic link to a directory is listed here but not followed (no loops)
        for name in sorted(names, key=rotation_order):
            found = True
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError as exc:  # a dangling or looping symbolic link
                yield shown(path), exc.strerror or str(exc)
                continue
            if not stat.S_ISREG(st.st_mode):
                yield shown(path), f"not a regular file ({_kind(st.st_mode)}): skipped"
            elif _first(path, st, seen):
                yield path, None
    found = found or bool(errors)
    yield from _listing_errors(errors)
    if listed and not found:  # (a subdirectory that could not be listed was reported instead)
        yield shown(top), "directory holds no files"


def _listing_errors(errors: list[OSError]) -> Iterator[tuple[str, str]]:
    while errors:
        exc = errors.pop(0)
        yield shown(str(exc.filename)), f"{_lower(exc)}: directory not read"


def _first(path: str, st: os.stat_result, seen: dict, named: bool = False) -> bool:
    """True the first time a regular file is given; later (a link to it, another spelling of its
    path, found again by a walk): False, with a note. A path named again verbatim on the command
    line (`named`, as it was the first time) is read again, as asked (`scan f f`, as `cat f f`)."""
    if not stat.S_ISREG(st.st_mode):
        return True
    key, name = (st.st_dev, st.st_ino), shown(path)
    if key not in seen:
        seen[key] = (name, named)
        return True
    first, first_named = seen[key]
    if named and first_named and first == name:
        return True
    again = "already read in this run" if first == name else f"the same file as {first}"
    print(f"tcplog: {name}: {again}: read once, skipped", file=sys.stderr)
    return False


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return kind
    return "special file"


def _lower(exc: OSError) -> str:
    why = exc.strerror or str(exc)
    return why[:1].lower() + why[1:]


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
        raise InputError(shown(path), exc.strerror or str(exc)) from exc
    return open_stream(raw, "<stdin>" if path == "-" else shown(path))


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

    def peek(self, size: int = 0) -> bytes:
        if self.failure is not None:
            return self._end()
        try:
            return self._inner.peek(size)
        except (InputError, *read_errors()) as exc:
            self._failed(exc)
            return self._end()

    def read(self, size: int | None = -1) -> bytes:
        if self.failure is not None:
            return self._end()
        want = sys.maxsize if size is None or size < 0 else size
        parts: list[bytes] = []
        try:
            part = self._inner.read1(min(want, BLOCK_SIZE))
            if len(part) == want or not part:
                return part  # (most reads: whatever was buffered, or a whole raw read)
            parts, got = [part], len(part)
            while got < want and (part := self._inner.read1(min(want - got, BLOCK_SIZE))):
                parts.append(part)
                got += len(part)
        except (InputError, *read_errors()) as exc:
            self._failed(exc)
            if not parts:
                return self._end()
        return b"".join(parts)

    def read1(self, size: int = -1) -> bytes:
        if self.failure is not None:
            return self._end()
        try:
            return self._inner.read1(size)
        except (InputError, *read_errors()) as exc:
            self._failed(exc)
            return self._end()

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        if self.failure is not None:
            return self._end()
        try:
            return self._inner.readline(-1 if size is None else size)
        except (InputError, *read_errors()) as exc:
            self._failed(exc)
            return self._end()

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


def utf16(head: bytes) -> str | None:
    """Why a text starting with a UTF-16 (or UTF-32) byte order mark is not read, else None.
    Offsets and raw bytes could not point into the file if it were converted here."""
    for bom, kind, spelled in _UTF16:
        if head.startswith(bom):
            return (f"{kind} text (byte order mark {spelled}): tcplog reads UTF-8; convert it first, "
                    f"e.g. iconv -f {kind} -t UTF-8")
    return None


def cr_lined(head: bytes) -> bool:
    """True for a text with CR line ends: carriage returns and no line feed in its first CR_PROBE bytes."""
    head = head[:CR_PROBE]
    return b"\r" in head and b"\n" not in head


def blocks(stream, size: int = BLOCK_SIZE, max_record: int | None = None,
           defer_limit: bool = False) -> Iterator[bytes]:
    """Blocks of about `size` bytes, each ending on a record boundary (except a final partial line).
    A text with CR line ends (`cr_lined`, decided on its first CR_PROBE bytes) reads each CR as a LF.

    At a Bounded stream's limit the bytes read so far are handed on, then InputTooLarge is raised;
    with `defer_limit` the blocks just end there and `raise_if_cut(stream)` raises it later (after
    the caller has flushed what it holds for this input). A Checked stream never raises: it ends."""
    max_record = max_record or _record[0]  # a longer record is handed on in pieces of this size
    tail = b""
    held: list[bytes] = []  # a record longer than a chunk, in pieces: joined once, not copied per chunk
    held_len = 0
    first, cr = True, False
    while True:
        try:
            chunk = stream.read(max(size, CR_PROBE) if first else size)
        except InputTooLarge as exc:
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
