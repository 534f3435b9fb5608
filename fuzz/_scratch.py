"""A scratch folder per fuzzing process, shared by the harnesses that write files."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile


def scratch(kind: str) -> str:
    """A folder for this process's files: below $TCPLOG_FUZZ_SCRATCH (the tests), else on tmpfs when
    there is one. libFuzzer ends the process without Python's atexit, so folders left by earlier
    runs (their pid gone) are removed here."""
    root = os.environ.get("TCPLOG_FUZZ_SCRATCH") or ("/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir())
    os.makedirs(root, exist_ok=True)
    prefix = f"tcplog-fuzz-{kind}-"
    for name in os.listdir(root):
        pid = name[len(prefix):]
        if name.startswith(prefix) and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
    path = os.path.join(root, prefix + str(os.getpid()))
    os.makedirs(path, exist_ok=True)
    atexit.register(shutil.rmtree, path, True)  # a replay (tests) ends normally
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
