"""FolderStore: the embedded snapshot store, one JSON file per host and capture time.

    <root>/<host>/<YYYYMMDDTHHMMSSffffffZ>.json       e.g. snapshots/web1/20261122T100000000000Z.json

It implements tcplog.snapshot.store.SnapshotStore. Files are written atomically: a temporary
file in the same folder, fsync, rename over the final name, fsync of the folder; a reader
never sees half a snapshot, and a crash leaves at most a stray `.*.tmp` file (ignored).
Host names become folder names: case-folded, anything outside `A-Z a-z 0-9 . _ -` replaced
by `_`, never `.`/`..`/empty, so no host name can leave the root.

Files are read defensively (tcplog.snapshot.document.load_bytes). `refs(host)` validates every
file of the host once (again only when it changes) and skips the bad ones: a corrupt, truncated
or misplaced file is listed in `problems` as (path, why) and never stops the others.
`load(ref)` raises SnapshotError naming the file and the field.
"""

from __future__ import annotations

import os
import re

from tcplog.connectors import atomic
from tcplog.connectors.procfs import read_bounded
from tcplog.errors import SnapshotError
from tcplog.snapshot.document import MAX_BYTES, dumps, load_bytes, validate
from tcplog.snapshot.store import SnapshotRef, parse_id, ref_of

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(host: str) -> str:
    """A folder name for a host: no separators, no `..`, at most 200 characters."""
    name = _UNSAFE.sub("_", host.casefold())[:200].lstrip(".")
    return name or "_"


class FolderStore:
    def __init__(self, root: str):
        self.root = root
        self._seen: dict[str, tuple[tuple, SnapshotRef | None]] = {}  # path -> ((inode, mtime, size), ref)
        self._problems: dict[str, str] = {}

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(path, why) for every file the last refs() calls skipped."""
        return sorted(self._problems.items())

    def path(self, ref: SnapshotRef) -> str:
        return os.path.join(self.root, safe_name(ref.host), f"{ref.id}.json")

    def put(self, doc: dict) -> SnapshotRef:
        validate(doc, "<snapshot to store>")
        ref = ref_of(doc, "<snapshot to store>")
        atomic.write(self.path(ref), dumps(doc, pretty=True))
        return ref

    def hosts(self) -> list[str]:
        """The host folders present (their safe names)."""
        try:
            return sorted(n for n in os.listdir(self.root) if os.path.isdir(os.path.join(self.root, n)))
        except FileNotFoundError:
            return []

    def refs(self, host: str) -> list[SnapshotRef]:
        folder = os.path.join(self.root, safe_name(host))
        try:
            names = sorted(os.listdir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
        out = []
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                continue  # an interrupted put
            path = os.path.join(folder, name)
            ref = self._check(path, name, safe_name(host))
            if ref is not None:
                out.append(ref)
        return sorted(out, key=lambda r: r.time)

    def load(self, ref: SnapshotRef) -> dict:
        path = self.path(ref)
        if not os.path.isfile(path):
            raise SnapshotError(path, None, "no such snapshot")
        return _load_file(path)

    def _check(self, path: str, name: str, folder: str) -> SnapshotRef | None:
        """The file's ref when it is a valid snapshot in the right place; else None and a problem."""
        try:
            st = os.stat(path)
        except OSError as exc:
            return self._problem(path, (exc.strerror or str(exc)).lower())
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        cached = self._seen.get(path)
        if cached and cached[0] == key:
            return cached[1]
        ref = None
        try:
            stem = name[:-5] if name.endswith(".json") else None
            if stem is None or parse_id(stem) is None:
                raise SnapshotError(path, None, "not a snapshot file name (<YYYYMMDDTHHMMSSffffffZ>.json)")
            doc = _load_file(path)
            ref = ref_of(doc, path)
            if safe_name(ref.host) != folder or ref.id != stem:
                raise SnapshotError(path, None, f"misplaced: the document is {ref.host} at {doc['time']}")
            self._problems.pop(path, None)
        except SnapshotError as exc:
            self._problems[path] = exc.why
            ref = None
        self._seen[path] = (key, ref)
        return ref

    def _problem(self, path: str, why: str) -> None:
        self._problems[path] = why


def _load_file(path: str) -> dict:
    try:
        data = read_bounded(path, MAX_BYTES)
    except OSError as exc:
        raise SnapshotError(path, None, (exc.strerror or str(exc)).lower()) from None
    if data is None:
        raise SnapshotError(path, None, f"larger than {MAX_BYTES} bytes")
    return load_bytes(data, path)
