"""Follow kernel messages in the journal: `journalctl -f -o json _TRANSPORT=kernel`, resumable.

    journalctl --no-pager -f -o json --all [--directory DIR | --file FILE] \
        (--after-cursor CURSOR | --no-tail | -n 0) _TRANSPORT=kernel

The state is the `__CURSOR` of the last record handed on: the next run passes it to
`--after-cursor`, so nothing is skipped or repeated across restarts; journalctl itself follows
journal file rotation. `_TRANSPORT=kernel` rather than `-k`, because `-k` also means "this boot
only", which would skip the rest of the previous boot after a reboot. `--all` keeps fields
over 4096 bytes (journalctl prints them as null otherwise).
"""

from __future__ import annotations

import os
import select
import subprocess

import orjson

from tcplog.errors import InputError
from tcplog.record import Position

SOURCE = "journal"


class JournalFollower:
    def __init__(self, state: dict | None, directory: str | None = None, file: str | None = None,
                 from_beginning: bool = False, journalctl: str = "journalctl"):
        self.cursor = (state or {}).get("cursor")
        cmd = [journalctl, "--no-pager", "-f", "-o", "json", "--all"]
        if directory:
            cmd += ["--directory", directory]
        if file:
            cmd += ["--file", file]
        if self.cursor:
            cmd += ["--after-cursor", self.cursor, "--no-tail"]
        else:
            cmd += ["--no-tail"] if from_beginning else ["-n", "0"]
        cmd.append("_TRANSPORT=kernel")
        self.command = cmd
        self.records = 0
        self.notes: list[str] = []
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE)
        except OSError as exc:
            raise InputError(f"cannot run {journalctl}: {exc}") from exc
        self.fd = self.proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.pending = b""
        self.ended = False

    def state(self) -> dict:
        return {"source": SOURCE, "cursor": self.cursor}

    def poll(self, timeout: float) -> list[tuple[bytes, Position]]:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        chunks = []
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                self.ended = True
                break
            chunks.append(chunk)
        data = self.pending + b"".join(chunks)
        *lines, self.pending = data.split(b"\n")
        if self.ended and self.pending:
            lines.append(self.pending)
            self.pending = b""
        out = []
        for line in lines:
            if not line.strip():
                continue
            self.records += 1
            cursor = _cursor(line)
            if cursor is not None:
                self.cursor = cursor
            out.append((line, Position(None, self.records, None)))
        return out

    def failure(self) -> str | None:
        """Why journalctl stopped, once it has (None while it runs)."""
        if not self.ended:
            return None
        code = self.proc.wait()
        err = self.proc.stderr.read().decode("utf-8", "replace").strip()
        return f"journalctl exited with {code}" + (f": {err}" if err else "")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


def _cursor(line: bytes) -> str | None:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    value = obj.get("__CURSOR") if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None
