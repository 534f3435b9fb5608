"""Standard streams: the filter loop and the event sink.

The filter reads whatever stdin has (up to 64 KiB at a time), answers every complete record
in one write and flushes before it waits for more, so no answered record sits in a buffer
while tcplog waits. A record longer than `max_record` is answered in pieces of that size.
End of input, SIGTERM or SIGINT: every record already read is answered and flushed, exit 0.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from tcplog.errors import InputError

READ_SIZE = 64 * 1024
MAX_RECORD = 64 << 20


class _Stop(Exception):
    pass


class Stopper:
    """SIGTERM/SIGINT: answer what was already read, flush, and end with exit code 0.

    The signal interrupts only the wait for input; a record being answered is finished first."""

    def __init__(self):
        self.requested = False
        self.waiting = False

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame) -> None:
        self.requested = True
        if self.waiting:
            raise _Stop


def _read(fd: int, stopper: Stopper | None) -> bytes:
    if stopper is None:
        return os.read(fd, READ_SIZE)
    if stopper.requested:
        return b""
    stopper.waiting = True
    try:
        return os.read(fd, READ_SIZE)
    except _Stop:
        return b""
    finally:
        stopper.waiting = False


def filter_loop(process: Callable[[bytes], bytes], fd: int, out, max_record: int = MAX_RECORD,
                stopper: Stopper | None = None, prepare: Callable[[list], None] | None = None) -> None:
    """`prepare(lines)`, when given, sees each batch of complete lines before they are processed."""
    pending = b""
    while True:
        chunk = _read(fd, stopper)
        if not chunk:
            break
        pending += chunk
        if b"\n" not in chunk and len(pending) < max_record:
            continue
        *lines, pending = pending.split(b"\n")
        if any(len(line) > max_record for line in lines):
            lines = [piece for line in lines for piece in _pieces(line, max_record)]
        while len(pending) >= max_record:
            lines.append(pending[:max_record])
            pending = pending[max_record:]
        if lines:
            if prepare is not None:
                prepare(lines)
            out.write(b"".join([process(line) for line in lines]))
            out.flush()
    if pending:
        if prepare is not None:
            prepare([pending])
        out.write(process(pending))
        out.flush()


def _pieces(line: bytes, size: int) -> list[bytes]:
    return [line[i:i + size] for i in range(0, len(line), size)] or [line]


class EventSink:
    """Writes rendered events to a binary stream in batches of about `batch` bytes (one write
    call per batch, not per event), flushed at the end, or after every event when asked."""

    def __init__(self, stream, flush_each: bool = False, batch: int = 256 << 10):
        self.stream = stream
        self.flush_each = flush_each
        self.batch = batch
        self._buf = bytearray()

    def write(self, data: bytes) -> None:
        if self.flush_each:
            self.stream.write(data)
            self.stream.flush()
            return
        if len(data) >= self.batch:  # a worker's whole range: no copy through the buffer
            if self._buf:
                self.stream.write(self._buf)
                self._buf.clear()
            self.stream.write(data)
            return
        self._buf += data
        if len(self._buf) >= self.batch:
            self.stream.write(self._buf)
            self._buf.clear()

    def close(self) -> None:
        if self._buf:
            self.stream.write(self._buf)
            self._buf.clear()
        self.stream.flush()


def _at_end(unpacker) -> None:
    """The stream ended: an object begun and not finished is an error, not a silent drop."""
    try:
        unpacker.read_bytes(1)  # msgpack refuses this while an object is incomplete
    except ValueError:
        raise InputError("<stdin>", "the stream ends inside a msgpack record (cut off); the records before it "
                                    "were answered") from None


def msgpack_loop(process, fd: int, out, stopper: Stopper | None = None) -> None:
    """A stream of msgpack objects in, one packed answer per object out, flushed per read."""
    import msgpack

    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=MAX_RECORD)
    packer = msgpack.Packer(use_bin_type=True)
    while True:
        chunk = _read(fd, stopper)
        if not chunk:
            _at_end(unpacker)
            break
        unpacker.feed(chunk)
        answers = []
        try:
            for obj in unpacker:
                answers.append(packer.pack(process(obj)))
        except (msgpack.StackError, msgpack.FormatError, msgpack.ExtraData, ValueError) as exc:
            # The unpacker cannot find the next object after this: answer what came before, then stop.
            if answers:
                out.write(b"".join(answers))
                out.flush()
            raise InputError("<stdin>", f"msgpack stream unreadable past this point ({type(exc).__name__}: "
                                        f"{exc or 'nested too deep'}); the records before it were answered") \
                from None
        if answers:
            out.write(b"".join(answers))
            out.flush()
