"""Binary systemd journal files (`system.journal`, `user-1000@….journal~`): read through journalctl.

The journal file format (systemd's JOURNAL_FILE_FORMAT) is systemd's own and moves with it: data
objects compressed with xz, lz4 or zstd, keyed hashes (systemd 246), compact mode (252), files
left dirty by a crash. journalctl reads every version it knows, verifies what it reads and skips
what is corrupt, so a journal file is handed to `journalctl --file=FILE -o export` and its export
stream is read as the `journal-export` framing: the same events as `journalctl --file=FILE -o
export | tcplog scan -`, with the journal file as `source.file`.

A file is a journal by its signature (`LPKSHHRH`), whatever its name. journalctl maps the file, so
a journal inside an archive or a compressed file is first copied to a private temporary file
(bounded by --max-input-bytes like any decompression), removed after. Without journalctl, or when
it cannot read the file (a journal newer than this systemd, not a journal after all), the input
is unreadable with journalctl's own reason; the events before a failure are kept.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

from tcplog.errors import InputError

MAGIC = b"LPKSHHRH"
SUFFIXES = (".journal", ".journal~")  # how journald names its files (a walk's rule uses the names)


def is_journal(head: bytes) -> bool:
    return head.startswith(MAGIC)


@contextlib.contextmanager
def exported(stream, name: str, path: str | None = None) -> Iterator:
    """journalctl's `-o export` output of the journal in `stream` (a binary stream at its start), as a
    binary stream; `path` is the file itself when it can be handed to journalctl as it is. Raises
    InputError naming `name` when journalctl is missing or fails; the caller reads the stream to its
    end first."""
    journalctl = shutil.which("journalctl")
    if journalctl is None:
        raise InputError(name, "a binary systemd journal file: reading it needs journalctl (systemd) here; "
                               "or export it where it was written: journalctl --file FILE -o export > FILE.export")
    with contextlib.ExitStack() as stack:
        if path is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="tcplog-journal-"))
            path = os.path.join(folder, "copy.journal")
            with open(path, "wb") as copy:
                shutil.copyfileobj(stream, copy, 1 << 20)
        errors = stack.enter_context(tempfile.TemporaryFile())
        proc = subprocess.Popen([journalctl, f"--file={path}", "-o", "export", "--no-pager"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
        try:
            yield proc.stdout
            unread = proc.stdout.read(1)  # the reader stopped early (it keeps its own reason) or read all
        except BaseException:
            _stop(proc)
            raise
        if unread:
            _stop(proc)
            return
        proc.stdout.close()
        if (rc := proc.wait()) != 0:
            errors.seek(0)
            said = [line for line in errors.read().decode("utf-8", "replace").splitlines() if line.strip()]
            raise InputError(name, "journalctl could not read this journal file"
                                   + (f": {said[-1].strip()}" if said else f" (exit code {rc})"))


def _stop(proc: subprocess.Popen) -> None:
    """Stop the journalctl this module started, by its PID (nobody reads its output any more)."""
    proc.kill()
    proc.stdout.close()
    proc.wait()
