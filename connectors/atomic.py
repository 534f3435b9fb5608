"""Atomic file replacement: the one way tcplog writes state (snapshots, positions, cursors).

A temporary file in the same folder, fsync, rename over the final name, fsync of the folder:
a reader (or a restart after a crash at any point) sees the old content or the new, never half.
A crash can leave a stray `.NAME.*.tmp` file, which readers ignore.
"""

from __future__ import annotations

import os
import tempfile


def write(path: str, data: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(folder)


def fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
