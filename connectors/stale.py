"""Private folders a killed tcplog left behind: `<prefix><pid>-…` in a shared folder (the temp folder,
/dev/shm), removed when that pid no longer runs. A tcplog removes its own when it ends; one killed
with SIGKILL cannot, so the next that makes one of the kind removes them."""

from __future__ import annotations

import os
import shutil


def remove_stale(folder: str, prefix: str) -> None:
    """Removes the `<prefix><pid>-…` folders of `folder` whose pid is gone (another user's live ones stay)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix):].partition("-")[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(os.path.join(folder, name), ignore_errors=True)
        except OSError:  # another user's live process
            pass
