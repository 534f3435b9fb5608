"""A report as it is sent, read as the report folder it packs: a sosreport (`sosreport-web1-….tar.xz`)
or a SUSE supportconfig (`scc_web1_261120_1105.txz`, `.tbz`, `.tgz`; `nts_…` before 3.0).

sos packs the report as one folder (`sosreport-<host>-…/`) in a tar, compressed with xz (or gzip,
bzip2, zstd); supportconfig packs its folder's files (`tar ${COMPRESS_OPT} ${TARBALL} --mode='ug+rw'
${BASE}/*`: members `scc_web1_…/basic-environment.txt`, no member for the folder itself), xz
(`COMPRESS="txz"`), else bzip2 (`tbz`) or gzip (`tgz`). `is_report` recognises one by its first
member: a path in a folder named `sosreport-…` or `scc_…`/`nts_…` (`KINDS`). `unpack` copies what
tcplog reads of it (the kind's `wanted`: the snapshot's files and, with `logs`, the log files) into a
private scratch folder and returns the report folder there, which connectors.sosreport or
connectors.supportconfig then reads as an unpacked report. Nothing else is extracted.

The archive is someone else's file: a member is written only below the report folder (no absolute
name, no `..`, no second top folder), only regular files and symbolic links are made, and the
links only after every file is written, and none below a link made before, so no file, folder or
link is written through a link; connectors.sosreport then refuses any link that leads outside the
report, as in a folder. Decompression stops at
`--max-input-bytes`. Names shown to the user are the archive's (`ARCHIVE!sosreport-…/var/log/messages`,
`shown`), never the scratch folder's.

Scratch folders (`tcplog-sos-<pid>-…` in the temp folder) are removed by `Scratch.close()`; one a
killed tcplog left behind is removed by the next that makes one. `Scratch.beside()` gives a folder
there shown under a report's name, for the log sections connectors.supportconfig writes as files.
"""

from __future__ import annotations

import errno
import os
import posixpath
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from tcplog.connectors import archives, decompress, files, sosreport, stale, supportconfig, walk
from tcplog.errors import InputError

_SCRATCH_PREFIX = "tcplog-sos-"
_COPY = 1 << 20


@dataclass(frozen=True)
class Kind:
    """A kind of packed report: the names of its top folder, what is unpacked, how its folder is told."""
    name: str
    prefixes: tuple[str, ...]
    wanted: Callable[[str, bool], bool]  # (path inside the folder, logs too?) -> unpack it?
    detect: Callable[[str], bool]  # the unpacked folder is one
    needs: str  # what detect() looks for, for the error when it fails


SOSREPORT = Kind("sosreport", ("sosreport-",), sosreport.wanted, sosreport.detect,
                 "no sos_commands/ or sos_reports/ with proc/ or etc/")
SUPPORTCONFIG = Kind("supportconfig", supportconfig.PREFIXES, supportconfig.wanted, supportconfig.detect,
                     f"no {supportconfig.BASIC_ENV}")
KINDS = (SOSREPORT, SUPPORTCONFIG)
PREFIXES = tuple(p for kind in KINDS for p in kind.prefixes)  # names a walk unpacks before reading


def is_report(path: str) -> Kind | None:
    """The kind of report a regular file packs: a tar (plain or compressed) whose first member lies in
    a `sosreport-…` (or `scc_…`, `nts_…`) folder; else None."""
    stream = archives.tar_stream(path)
    if stream is None:
        return None
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:  # (a pax or GNU long-name header first)
            first = tar.next()
    except (InputError, tarfile.TarError, *decompress.read_errors()):
        return None
    finally:
        stream.close()
    parts = _parts(first.name) if first is not None else None
    if parts is None or (len(parts) == 1 and not first.isdir()):
        return None
    return _kind(parts[0])


def _kind(top: str) -> Kind | None:
    return next((kind for kind in KINDS if top.startswith(kind.prefixes)), None)


class Scratch:
    """The private folder packed reports are unpacked into, for one run; `close()` removes it."""

    def __init__(self):
        self.folder: str | None = None
        self.folders: list[str] = []  # the report folders unpacked (each shown by its archive's name, walk.rename)

    def _new(self) -> str:
        if self.folder is None:
            parent = tempfile.gettempdir()
            stale.remove_stale(parent, _SCRATCH_PREFIX)
            self.folder = tempfile.mkdtemp(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-", dir=parent)
        return tempfile.mkdtemp(dir=self.folder)

    def unpack(self, path: str, logs: bool = True) -> str:
        """The report folder unpacked from the archive at `path`. InputError (naming the archive) when
        it cannot be read to its end or holds no report."""
        dest = self._new()
        top, kind = _unpack(path, dest, logs)
        folder = os.path.join(dest, top)
        if not kind.detect(folder):
            raise InputError(walk.shown(path), f"{top}/ holds {kind.needs}: not a {kind.name}")
        walk.rename(folder, f"{walk.shown(path)}!{top}")
        self.folders.append(folder)
        return folder

    def beside(self, folder: str) -> str:
        """An empty scratch folder whose files are shown as if they were in `folder` (its shown name)."""
        dest = self._new()
        walk.rename(dest, walk.shown(folder))
        self.folders.append(dest)
        return dest

    def named(self, doc: dict) -> dict:
        """The report's snapshot document with the files it was read from named as in the archive."""
        for folder in self.folders:
            known_as = walk.shown(folder)
            doc["sources"] = {k: v.replace(folder, known_as) if isinstance(v, str) else v
                              for k, v in doc["sources"].items()}
            for error in doc["errors"]:
                error["error"] = error["error"].replace(folder, known_as)
        return doc

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        for folder in self.folders:
            walk.rename(folder, None)
        self.folders.clear()


def _unpack(path: str, dest: str, logs: bool) -> tuple[str, Kind]:
    """Writes the wanted members of the archive's report folder below `dest`; returns the folder's name
    and the kind of report."""
    where = walk.shown(path)
    stream = files.open_input(path)
    top, kind, links, mtime, newest = None, None, [], None, None
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for info in tar:
                parts = _parts(info.name)
                if parts is None:
                    continue
                if top is None:
                    top, kind = parts[0], _kind(parts[0])
                    if kind is None:
                        raise InputError(where, f"first member {walk.shown(info.name)} is not in a "
                                                f"{'… or '.join(PREFIXES)}… folder")
                if parts[0] != top:
                    continue  # a second top folder: not the report's
                rel = "/".join(parts[1:])
                if info.isdir():
                    if not rel:
                        mtime = info.mtime
                    elif "/" not in rel:  # sos_commands/, proc/, etc/: what tells a report
                        os.makedirs(os.path.join(dest, top, rel), exist_ok=True)
                    continue
                if not rel or not kind.wanted(rel, logs):
                    continue
                newest = info.mtime if newest is None else max(newest, info.mtime)
                if info.issym():
                    links.append((rel, info.linkname))
                elif info.isreg():
                    _write(tar, info, os.path.join(dest, top, rel), where)
    except tarfile.TarError as exc:
        raise InputError(where, f"not a readable tar archive: {exc}") from None
    except decompress.read_errors() as exc:
        raise decompress.as_input_error(exc, where) from None
    finally:
        stream.close()
    if top is None or kind is None:
        raise InputError(where, "an empty archive")
    root = os.path.join(dest, top)
    for rel, target in links:  # after every file: no file was written through a link
        link = os.path.join(root, rel)
        if os.path.lexists(link) or _through_a_link(root, rel):
            continue  # (a link made before would carry this one, and its folders, out of the report)
        try:
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(target, link)
        except OSError as exc:
            _unwritable(exc, where)
    mtime = mtime if mtime is not None else newest  # supportconfig packs no member for its folder
    if mtime is not None and os.path.isdir(os.path.join(dest, top)):
        # a report without a date file is timed by its folder's mtime: the packed one
        os.utime(os.path.join(dest, top), (mtime, mtime))
    return top, kind


def _through_a_link(root: str, rel: str) -> bool:
    """True when a folder on the way from `root` to `rel` is a link (made for an earlier member)."""
    path = root
    for part in rel.split("/")[:-1]:
        path = os.path.join(path, part)
        if os.path.islink(path):
            return True
        if not os.path.exists(path):
            return False  # the rest is made as plain folders
    return False


def _parts(name: str) -> list[str] | None:
    """The member's path components; None for a name that would leave the folder it is unpacked in."""
    name = posixpath.normpath(name.lstrip("./") or ".")
    if name.startswith("/") or name == "." or name == ".." or name.startswith("../") or "\0" in name:
        return None
    return name.split("/")


def _write(tar, info, target: str, where: str) -> None:
    """The member's bytes to `target` (a later member of the same name replaces it, as tar does)."""
    source = tar.extractfile(info)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:  # a member named below a file member (`proc` then `proc/meminfo`): not written
        _unwritable(exc, where)
        return
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(_COPY):
            try:
                out.write(chunk)
            except OSError as exc:
                _unwritable(exc, where)
                raise


def _unwritable(exc: OSError, where: str) -> None:
    """A member the scratch folder cannot take is left out, unless the folder itself fails (full, read-only)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
        raise InputError(where, f"cannot unpack into {tempfile.gettempdir()}: {exc.strerror}") from None
