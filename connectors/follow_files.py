"""Follow log files with `tail -F` semantics, resumable by a position per file (inode + offset).

    {"source": "files", "files": {"/var/log/kern.log": {"dev": 2049, "ino": 131, "offset": 40960}}}

Each poll reads every followed file to its end and hands on complete lines only (a partial last
line waits for its newline). Then, per path:
- rotation by rename (the path now names another inode, or nothing): the old file is read to
  its end (a partial last line is handed on as it is) and closed; the new file, once it
  exists, is read from its start;
- truncation (copytruncate, `> file`): the file is shorter than what was read, so it is read
  again from offset 0 (lines written between the last read and the truncation are lost, as
  with any reader of copytruncate'd files);
- a file that does not exist yet is opened when it appears, and read from its start.
On restart a path whose inode is unchanged resumes at the saved offset; when it was rotated
meanwhile, the old inode is looked for in the same folder (e.g. `kern.log.1`) and its rest is
read first. With no saved position a file present at start is read from its end unless
`--from-beginning`.
"""

from __future__ import annotations

import os
import time

from tcplog.record import Position

SOURCE = "files"
_WAITING = {"dev": -1, "ino": -1, "offset": 0}  # no file yet: read the next one from its start


class _Tail:
    def __init__(self, path: str, fd: int, offset: int):
        st = os.fstat(fd)
        self.path, self.fd, self.dev, self.ino = path, fd, st.st_dev, st.st_ino
        if offset > st.st_size:
            offset = 0  # truncated while we were not looking
        os.lseek(fd, offset, os.SEEK_SET)
        self.offset = offset  # end of the last complete line handed on
        self.pending = b""

    def read_lines(self) -> list[tuple[bytes, int]]:
        if os.fstat(self.fd).st_size < self.offset + len(self.pending):
            os.lseek(self.fd, 0, os.SEEK_SET)  # truncated: start over
            self.offset, self.pending = 0, b""
        chunks = []
        while chunk := os.read(self.fd, 1 << 16):
            chunks.append(chunk)
        if not chunks:
            return []
        *lines, self.pending = (self.pending + b"".join(chunks)).split(b"\n")
        out = []
        for line in lines:
            out.append((line, self.offset))  # where the line starts
            self.offset += len(line) + 1
        return out

    def finish(self) -> list[tuple[bytes, int]]:
        """The rest of a rotated-away file, a partial last line included; then close it."""
        out = self.read_lines()
        if self.pending:
            out.append((self.pending, self.offset))
            self.offset += len(self.pending)
            self.pending = b""
        os.close(self.fd)
        return out


def _identity(path: str):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _find_inode(path: str, dev: int, ino: int) -> str | None:
    folder = os.path.dirname(os.path.abspath(path))
    try:
        with os.scandir(folder) as it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if (st.st_dev, st.st_ino) == (dev, ino) and entry.is_file(follow_symlinks=False):
                    return entry.path
    except OSError:
        return None
    return None


class FileFollower:
    def __init__(self, paths: list[str], state: dict | None, from_beginning: bool = False):
        self.paths = list(dict.fromkeys(paths))
        saved = (state or {}).get("files", {}) if state else {}
        self.tails: dict[str, _Tail | None] = {}
        self.notes: list[str] = []
        self.records = 0
        self.ended = False
        self.backlog: list[tuple[bytes, Position]] = []
        self.positions: dict[str, dict] = {}
        for path in self.paths:
            pos = saved.get(path) if isinstance(saved, dict) else None
            self.tails[path] = None
            ident = _identity(path)
            if isinstance(pos, dict) and all(isinstance(pos.get(k), int) for k in ("dev", "ino", "offset")):
                if ident == (pos["dev"], pos["ino"]):
                    self._open(path, pos["offset"])
                    continue
                old = _find_inode(path, pos["dev"], pos["ino"])
                if old is not None:  # rotated while tcplog was down: finish the old file first
                    self.notes.append(f"{path}: rotated while stopped; reading the rest of {old}")
                    fd = os.open(old, os.O_RDONLY)
                    tail = _Tail(old, fd, pos["offset"])
                    self.backlog += [(line, Position(path, None, off)) for line, off in tail.finish()]
                if ident is not None:
                    self._open(path, 0)
            elif ident is not None:
                self._open(path, None if not from_beginning else 0)
            if self.tails[path] is None:
                self.positions[path] = dict(_WAITING)

    def _open(self, path: str, offset: int | None) -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return
        if offset is None:
            offset = os.fstat(fd).st_size
        self.tails[path] = _Tail(path, fd, offset)
        t = self.tails[path]
        self.positions[path] = {"dev": t.dev, "ino": t.ino, "offset": t.offset}

    def state(self) -> dict:
        return {"source": SOURCE, "files": dict(self.positions)}

    def poll(self, timeout: float) -> list[tuple[bytes, Position]]:
        out, self.backlog = self.backlog, []
        for path in self.paths:
            tail = self.tails[path]
            if tail is not None:
                out += [(line, Position(path, None, off)) for line, off in tail.read_lines()]
                if _identity(path) != (tail.dev, tail.ino):
                    self.notes.append(f"{path}: rotated (inode {tail.ino} replaced or removed)")
                    out += [(line, Position(path, None, off)) for line, off in tail.finish()]
                    self.tails[path] = None
                    self.positions[path] = dict(_WAITING)
                else:
                    self.positions[path] = {"dev": tail.dev, "ino": tail.ino, "offset": tail.offset}
            if self.tails[path] is None and _identity(path) is not None:
                self._open(path, 0)
                tail = self.tails[path]
                if tail is not None:
                    out += [(line, Position(path, None, off)) for line, off in tail.read_lines()]
                    self.positions[path] = {"dev": tail.dev, "ino": tail.ino, "offset": tail.offset}
        self.records += len(out)
        if not out:
            time.sleep(timeout)
        return out

    def failure(self) -> str | None:
        return None

    def close(self) -> None:
        for tail in self.tails.values():
            if tail is not None:
                os.close(tail.fd)
