"""Talking to a daemon a test started: send once it listens, wait until its output files fill, stop it."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path


def send_when_listening(port: int, data: bytes, proc: subprocess.Popen, timeout: float = 15) -> None:
    """Connect to 127.0.0.1:`port` as soon as the daemon listens and send `data`; raise when it
    does not listen within `timeout` s or exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.05)
    with sock:
        sock.sendall(data)


def wait_for_lines(paths: list[Path], lines: int, proc: subprocess.Popen, timeout: float = 15) -> None:
    """Until every file holds at least `lines` lines, the daemon exits, or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if all(p.exists() and p.read_bytes().count(b"\n") >= lines for p in paths):
            return
        time.sleep(0.05)


def stop(proc: subprocess.Popen) -> bytes:
    """Stop the daemon the test started, by its PID (SIGTERM, then SIGKILL after 10 s); what it
    printed on a piped stdout."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.stdout.read() if proc.stdout else b""
