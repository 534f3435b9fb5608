"""Standard streams: the filter loop and the event sink.

The filter reads whatever stdin has (up to 64 KiB at a time), answers every complete record
in one write and flushes before it waits for more, so no answered record sits in a buffer
while tcplog waits. A record longer than `max_record` is answered in pieces of that size.
"""

from __future__ import annotations

import os
from collections.abc import Callable

READ_SIZE = 64 * 1024
MAX_RECORD = 64 << 20


def filter_loop(process: Callable[[bytes], bytes], fd: int, out, max_record: int = MAX_RECORD) -> None:
    pending = b""
    while True:
        chunk = os.read(fd, READ_SIZE)
        if not chunk:
            break
        pending += chunk
        if b"\n" not in chunk and len(pending) < max_record:
            continue
        *lines, pending = pending.split(b"\n")
        while len(pending) >= max_record:
            lines.append(pending[:max_record])
            pending = pending[max_record:]
        if lines:
            out.write(b"".join([process(line) for line in lines]))
            out.flush()
    if pending:
        out.write(process(pending))
        out.flush()


class EventSink:
    """Writes rendered events to a binary stream, buffered, flushed at the end or on request."""

    def __init__(self, stream, flush_each: bool = False):
        self.stream = stream
        self.flush_each = flush_each

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        if self.flush_each:
            self.stream.flush()

    def close(self) -> None:
        self.stream.flush()
