"""Tar archives (plain, gzip, bz2, xz, zstd): each regular member read as an input of its own.

Members are streamed from the archive, never extracted, so no member name can write anywhere;
links, devices and directories are skipped. A member is named `ARCHIVE!MEMBER` in events (a name
that is not UTF-8 is shown with `\\xe9` escapes) and its mtime is the reference time for year-less
dates. Members larger than `max_member` bytes are skipped with a reason (a compression bomb cannot
fill memory: members are read in blocks).
A compressed archive is read up to `decompress.max_input_bytes()` decompressed bytes: the member
that would end past it is reported ("decompressed past --max-input-bytes ...") and nothing after it
is read, so listing the members of a bomb costs no more than the limit.

An archive that cannot be read on (a corrupt or truncated header, where tarfile itself would end
the archive silently; a read error of the archive's own data) gives every member before that
point, then one entry naming the archive itself (name None) with the reason.
"""

from __future__ import annotations

import os
import posixpath
import tarfile
from collections.abc import Iterator
from datetime import datetime, timezone

from tcplog.connectors import decompress, files, sizes, walk
from tcplog.connectors.walk import rotation_order
from tcplog.errors import InputError

MAX_MEMBER = 64 << 30


class _Header(tarfile.TarInfo):
    """TarInfo that notes on the archive why a header could not be read: past the first member,
    tarfile's next() takes a corrupt or truncated header for the end of the archive."""

    @classmethod
    def fromtarfile(cls, tar):
        try:
            return super().fromtarfile(tar)
        except (tarfile.InvalidHeaderError, tarfile.TruncatedHeaderError) as exc:
            tar.bad_header = (tar.offset, str(exc))
            raise


def is_tar(head: bytes) -> bool:
    """The first 512 bytes (decompressed) of a POSIX/GNU tar archive."""
    return len(head) >= 262 and head[257:262] == b"ustar"


def tar_stream(path: str):
    """The (decompressed) stream of a regular file that holds a tar archive, plain or compressed, at its
    start; None for anything else. Stdin and FIFOs are not looked at: peeking would take their bytes."""
    if path == "-" or not os.path.isfile(path):
        return None
    try:
        stream = files.open_input(path)
    except InputError:
        return None
    checked = decompress.Checked(stream, path)
    if checked.failure is None and is_tar(checked.peek(512)[:512]):
        return checked
    checked.close()
    return None


def members(stream, path: str | None = None,
            max_member: int = MAX_MEMBER) -> Iterator[tuple[str | None, datetime | None, object, str | None]]:
    """(name, mtime, file object or None, why skipped) per member; a last (None, None, None, why)
    when the archive could not be read to its end. From a file tarfile can open itself (plain,
    gzip, bz2, xz), members come per folder in name order with rotated sets oldest first; from any
    other stream (zstd, stdin) in archive order."""
    try:
        tar = tarfile.open(path, mode="r:*", tarinfo=_Header) if path and path != "-" else None
    except (tarfile.TarError, *decompress.read_errors()):
        tar = None
    if tar is None:
        yield from _streamed(stream, max_member)
        return
    with tar:
        limit = decompress.max_input_bytes() if _compressed(path) else None
        infos, over, problem = [], None, None
        try:
            while (info := tar.next()) is not None:  # tar.getmembers() would decompress all of a bomb first
                if limit is not None and info.offset_data + info.size > limit:
                    over = info
                    break
                if info.isreg():
                    infos.append(info)
        except decompress.read_errors() as exc:
            problem = _unreadable(tar, exc)
        infos.sort(key=lambda i: (posixpath.dirname(i.name), rotation_order(posixpath.basename(i.name))))
        for info in infos:
            yield from _member(tar, info, max_member)
        if over is not None:
            yield (over.name, _mtime(over), None,
                   f"decompressed past --max-input-bytes {sizes.format_size(limit)} (possible compression bomb); "
                   "no later member is read")
        elif problem or (problem := _cut_short(tar)):
            yield None, None, None, problem


def _streamed(stream, max_member: int):
    """Members in archive order from a stream tarfile reads once (`r|`)."""
    try:
        tar = tarfile.open(fileobj=stream, mode="r|", tarinfo=_Header)
    except (tarfile.TarError, *decompress.read_errors()) as exc:
        yield None, None, None, f"not a readable tar archive: {decompress.reason(exc)}"
        return
    with tar:
        problem = None
        while True:
            try:
                info = tar.next()
            except decompress.read_errors() as exc:
                problem = _unreadable(tar, exc)
                break
            if info is None:
                break
            yield from _member(tar, info, max_member)
        if problem or (problem := _cut_short(tar)):
            yield None, None, None, problem


def _unreadable(tar, exc: BaseException) -> str:
    last = tar.members[-1].name if tar.members else None
    after = f" after member {walk.shown(last)}" if last else ""
    return f"archive unreadable{after} ({decompress.reason(exc)}): no later member is read"


def _cut_short(tar) -> str | None:
    """Why tarfile stopped early at a header (None at a proper end of archive)."""
    bad = getattr(tar, "bad_header", None)
    if bad is None:
        return None
    offset, why = bad
    last = tar.members[-1].name if tar.members else None
    after = f", after member {walk.shown(last)}" if last else ""
    what = "cut short inside a tar header" if why == "truncated header" else f"corrupt tar header ({why})"
    return f"{what} at byte {offset}{after}: no later member is read"


def _mtime(info) -> datetime:
    """The member's mtime; now when the header holds one no datetime can (a hostile 10**20)."""
    try:
        return datetime.fromtimestamp(info.mtime, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return datetime.now(timezone.utc)


def _compressed(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return decompress.compression(f.read(6)) is not None
    except OSError:
        return False


def _member(tar, info, max_member: int):
    if not info.isreg():
        return
    when = _mtime(info)
    if info.size > max_member:
        yield info.name, when, None, f"member larger than {max_member} bytes"
        return
    yield info.name, when, tar.extractfile(info), None
