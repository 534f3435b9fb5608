"""Tar archives (plain, gzip, bz2, xz, zstd): each regular member read as an input of its own.

Members are streamed from the archive, never extracted, so no member name can write anywhere;
links, devices and directories are skipped. A member is named `ARCHIVE!MEMBER` in events and
its mtime is the reference time for year-less dates. Members larger than `max_member` bytes
are skipped with a reason (a compression bomb cannot fill memory: members are read in blocks).
"""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Iterator
from datetime import datetime, timezone

from tcplog.connectors.files import rotation_order

MAX_MEMBER = 64 << 30


def is_tar(head: bytes) -> bool:
    """The first 512 bytes (decompressed) of a POSIX/GNU tar archive."""
    return len(head) >= 262 and head[257:262] == b"ustar"


def members(stream, path: str | None = None,
            max_member: int = MAX_MEMBER) -> Iterator[tuple[str, datetime, object, str | None]]:
    """(name, mtime, file object or None, why skipped) per member. From a file tarfile can open
    itself (plain, gzip, bz2, xz), members come per folder in name order with rotated sets oldest
    first; from any other stream (zstd, stdin) in archive order."""
    try:
        tar = tarfile.open(path, mode="r:*") if path and path != "-" else None
    except (tarfile.TarError, OSError):
        tar = None
    if tar is None:
        with tarfile.open(fileobj=stream, mode="r|") as streamed:
            for info in streamed:
                yield from _member(streamed, info, max_member)
        return
    with tar:
        infos = sorted((i for i in tar.getmembers() if i.isreg()),
                       key=lambda i: (posixpath.dirname(i.name), rotation_order(posixpath.basename(i.name))))
        for info in infos:
            yield from _member(tar, info, max_member)


def _member(tar, info, max_member: int):
    if not info.isreg():
        return
    when = datetime.fromtimestamp(info.mtime, tz=timezone.utc)
    if info.size > max_member:
        yield info.name, when, None, f"member larger than {max_member} bytes"
        return
    yield info.name, when, tar.extractfile(info), None
