"""journald's export format (`journalctl -o export`, the input of systemd-journal-remote).

    __CURSOR=s=...;i=3;b=...
    __REALTIME_TIMESTAMP=1795370002000000
    _TRANSPORT=kernel
    MESSAGE=nf_conntrack: nf_conntrack: table full, dropping packet
    <blank line ends the entry>

A field is `NAME=value\\n`, or, binary-safe, `NAME\\n` + little-endian u64 length + bytes + `\\n`.
Entries are read from a binary stream (any object with `readline()` and `read(n)`), each
returned with its exact bytes; the fields become a Record through the journal-json decoder.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

from tcplog.errors import InputError
from tcplog.framing import journal_json
from tcplog.record import Record

NAME = "journal-export"
_FIELD_NAME = re.compile(rb"[A-Z0-9_]{1,64}")
_SNIFF = re.compile(rb"(?:__CURSOR|__REALTIME_TIMESTAMP|__MONOTONIC_TIMESTAMP|__SEQNUM|_BOOT_ID)=")
MAX_FIELD = 64 * 1024 * 1024


def sniff(head: bytes) -> bool:
    """True when a stream starting with these bytes is in export format."""
    return _SNIFF.match(head) is not None


def entries(stream, where: str = "<stream>") -> Iterator[tuple[bytes, dict[str, bytes] | None]]:
    """(raw bytes, fields) per entry; fields is None for an entry that is malformed (kept raw)."""
    stream = _Rewind(stream)
    raw: list[bytes] = []
    fields: dict[str, bytes] = {}
    bad = False
    while True:
        line = stream.readline()
        if not line:
            break
        raw.append(line)
        body = line[:-1] if line.endswith(b"\n") else line
        if body == b"":
            if len(raw) > 1:
                yield b"".join(raw), (None if bad else fields)
            raw, fields, bad = [], {}, False
            continue
        name, eq, value = body.partition(b"=")
        if eq:
            if _FIELD_NAME.fullmatch(name):
                fields[name.decode()] = value
            else:
                bad = True
            continue
        if not _FIELD_NAME.fullmatch(body):
            bad = True
            continue
        size_bytes = stream.read(8)
        raw.append(size_bytes)
        if len(size_bytes) < 8:
            bad = True
            break
        (size,) = struct.unpack("<Q", size_bytes)
        if size > MAX_FIELD:
            raise InputError(where, f"journal export field {body.decode()} claims {size} bytes")
        value = stream.read(size)
        tail = stream.read(1)
        if len(value) < size or tail != b"\n":
            # The length lied (or the stream ends): what it took is read again as lines, so the
            # entries a too-large length swallowed are read; this one is malformed.
            bad = True
            stream.put_back(value + tail)
            continue
        raw.extend((value, tail))
        fields[body.decode()] = value
    if raw and any(r.strip() for r in raw):
        yield b"".join(raw), (None if bad else fields)


class _Rewind:
    """A stream that bytes can be put back in front of (readline() and read(n) take them first)."""

    __slots__ = ("stream", "back")

    def __init__(self, stream):
        self.stream, self.back = stream, b""

    def put_back(self, data: bytes) -> None:
        self.back = data + self.back

    def readline(self) -> bytes:
        if not self.back:
            return self.stream.readline()
        i = self.back.find(b"\n") + 1
        if i:
            line, self.back = self.back[:i], self.back[i:]
            return line
        line, self.back = self.back, b""
        return line + self.stream.readline()

    def read(self, n: int) -> bytes:
        if not self.back:
            return self.stream.read(n)
        out, self.back = self.back[:n], self.back[n:]
        return out + self.stream.read(n - len(out)) if len(out) < n else out


def decode(fields: dict[str, bytes], raw: bytes) -> Record | None:
    return journal_json.decode_fields(fields, raw, NAME)
