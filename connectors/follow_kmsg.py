"""Follow /dev/kmsg (or a file in its format), resumable by boot id + sequence number.

    6,1234,5678901,-;TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:7070. Sending cookies.
     SUBSYSTEM=net

The state is `{"boot_id": ..., "seq": N}`: the boot (`/proc/sys/kernel/random/boot_id`) and
the sequence number of the last record handed on. On start, records of the same boot with
`seq <= N` are skipped (/dev/kmsg always starts at the oldest record it still holds); another
boot id means the machine rebooted, and the new boot's buffer is read from its start.
A sequence gap — records the kernel overwrote before they were read, seen as EPIPE on
/dev/kmsg and as a jump in `seq` — is counted in `lost` (kept in the state file too).

On /dev/kmsg every read() returns exactly one record; a regular file (`--kmsg-path` in tests)
is read as lines, a ` KEY=value` line belonging to the record before it.
"""

from __future__ import annotations

import errno
import os
import re
import select
import stat
import time

from tcplog.errors import InputError
from tcplog.record import Position

SOURCE = "kmsg"
_SEQ = re.compile(rb"\d{1,4},(\d{1,20}),")


def boot_id(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as f:
            return f.read().strip() or None
    except OSError:
        return None


class KmsgFollower:
    def __init__(self, path: str, boot: str | None, state: dict | None, from_beginning: bool = False):
        self.path = path
        self.boot = boot
        self.lost = int((state or {}).get("lost", 0)) if state else 0
        self.reboots = 0
        self.notes: list[str] = []
        self.last_seq: int | None = None
        self.ended = False
        if state and state.get("boot_id") == boot and isinstance(state.get("seq"), int):
            self.last_seq = state["seq"]
            start_at_end = False
        elif state:
            self.reboots += 1
            self.notes.append(f"kmsg: reboot detected (boot {state.get('boot_id')} -> {boot}); "
                              f"reading the new boot's records from the start")
            start_at_end = False
            self.last_seq = -1  # a new boot numbers from 0: a first seq above 0 is a loss
        else:
            start_at_end = not from_beginning
        try:
            self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror}") from exc
        self.device = stat.S_ISCHR(os.fstat(self.fd).st_mode)
        if start_at_end:
            os.lseek(self.fd, 0, os.SEEK_END)
            self.baseline = True  # the first record seen sets the sequence, no gap counted
        else:
            self.baseline = self.last_seq is None
        self.pending = b""
        self.held: bytes | None = None
        self.records = 0

    def state(self) -> dict:
        return {"source": SOURCE, "boot_id": self.boot, "seq": self.last_seq, "lost": self.lost}

    def _read_device(self, timeout: float) -> list[bytes]:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        out = []
        while True:
            try:
                rec = os.read(self.fd, 16384)
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno == errno.EPIPE:  # overwritten; the next read's seq tells how many
                    continue
                raise
            if not rec:
                break
            out.append(rec.rstrip(b"\n"))
        return out

    def _read_file(self, timeout: float) -> list[bytes]:
        chunks = []
        while chunk := os.read(self.fd, 1 << 16):
            chunks.append(chunk)
        if not chunks:  # idle: the held record can get no more continuation lines
            if self.held is not None:
                held, self.held = self.held, None
                return [held]
            time.sleep(timeout)
            return []
        *lines, self.pending = (self.pending + b"".join(chunks)).split(b"\n")
        records = []
        for line in lines:
            if line.startswith(b" ") and self.held is not None:
                self.held += b"\n" + line
            elif line:
                if self.held is not None:
                    records.append(self.held)
                self.held = line
        return records

    def poll(self, timeout: float) -> list[tuple[bytes, Position]]:
        raw = self._read_device(timeout) if self.device else self._read_file(timeout)
        out = []
        for rec in raw:
            m = _SEQ.match(rec)
            if m is None:
                continue
            seq = int(m.group(1))
            if self.last_seq is not None and seq <= self.last_seq:
                continue  # handed on before the restart
            if self.last_seq is not None and seq > self.last_seq + 1 and not self.baseline:
                gap = seq - self.last_seq - 1
                self.lost += gap
                self.notes.append(f"kmsg: {gap} records lost (overwritten): sequence {self.last_seq} -> {seq}")
            self.baseline = False
            self.last_seq = seq
            self.records += 1
            out.append((rec, Position(self.path, None, seq)))
        return out

    def failure(self) -> str | None:
        return None

    def close(self) -> None:
        os.close(self.fd)
