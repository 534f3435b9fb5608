"""`tcplog follow` as a real subprocess: files rotated under it, a fake kmsg, real journal files."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tests.conftest import require_tool

SYN = b"<4>Nov 22 10:00:%02d web1 kernel: TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:%d. Sending cookies.\n"
NOISE = b"<13>Nov 22 10:00:00 web1 app: hello\n"


def syn(n: int) -> bytes:
    return SYN % (n % 60, 1000 + n)


class Follow:
    """A running `tcplog follow`; `take(n)` reads n events, `stop()` sends SIGTERM."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "tcplog", "follow", "--no-classify",
                                      "--poll-interval", "0.05", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buf = b""
        if "--state" in args:  # the state file is written once tcplog is ready (signals handled)
            state = Path(args[args.index("--state") + 1])
            before = state.stat().st_mtime_ns if state.exists() else None
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and self.proc.poll() is None:
                if state.exists() and state.stat().st_mtime_ns != before:
                    break
                time.sleep(0.02)

    def take(self, n: int, timeout: float = 10) -> list[dict]:
        deadline = time.monotonic() + timeout
        while self.buf.count(b"\n") < n and time.monotonic() < deadline:
            chunk = self.proc.stdout.read()
            if chunk:
                self.buf += chunk
            else:
                time.sleep(0.02)
        lines = self.buf.split(b"\n")
        got, self.buf = lines[:n], b"\n".join(lines[n:])
        return [orjson.loads(line) for line in got if line]

    def read_offsets(self, path: Path) -> list[int]:
        """Where each of tcplog's descriptors of `path` stands (/proc/PID/fd and fdinfo)."""
        out = []
        for fd in Path(f"/proc/{self.proc.pid}/fd").iterdir():
            try:
                if os.readlink(fd) == str(path):
                    info = Path(f"/proc/{self.proc.pid}/fdinfo/{fd.name}").read_text()
                    out.append(int(re.search(r"^pos:\s*(\d+)", info, re.M).group(1)))
            except OSError:
                continue
        return out

    def wait_until(self, done, what: str, timeout: float = 10) -> None:
        """Polls `done()`: the test waits for tcplog to have seen a change to a file (a truncation is
        seen only while the file is shorter than what was read) rather than sleeping and hoping."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError(f"tcplog never {what}")
            time.sleep(0.02)

    def stop(self) -> tuple[int, bytes, bytes]:
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(10)
        os.set_blocking(self.proc.stdout.fileno(), True)
        rest = self.buf + self.proc.stdout.read()
        return rc, rest, self.proc.stderr.read()


def ports(events: list[dict]) -> list[int]:
    return [int(re.search(r"0\.0\.0\.0:(\d+)", e["raw"]).group(1)) - 1000 for e in events]


def test_follow_file_rotation_by_rename_copytruncate_and_truncate(tmp_path):
    """Every line written across rename, copytruncate and truncation comes out once, in order."""
    log, state = tmp_path / "kern.log", tmp_path / "state.json"
    log.write_bytes(syn(0) + NOISE)
    f = Follow(str(log), "--state", str(state), "--from-beginning")
    assert ports(f.take(1)) == [0]
    with log.open("ab") as w:
        w.write(syn(1))
    assert ports(f.take(1)) == [1]
    os.rename(log, tmp_path / "kern.log.1")  # rotation by rename; the old file still gets a line
    with (tmp_path / "kern.log.1").open("ab") as w:
        w.write(syn(2))
    time.sleep(0.3)
    log.write_bytes(syn(3))
    assert ports(f.take(2)) == [2, 3]
    # copytruncate
    (tmp_path / "kern.log.2").write_bytes(log.read_bytes())
    with log.open("r+b") as w:
        w.truncate(0)
    # new content as long as the old would hide the truncation from any reader: wait until it is seen
    f.wait_until(lambda: f.read_offsets(log) == [0], "went back to the start of the truncated file")
    with log.open("ab") as w:
        w.write(syn(4))
    assert ports(f.take(1)) == [4]
    # truncation by `> file` then new content
    log.write_bytes(b"")
    f.wait_until(lambda: f.read_offsets(log) == [0], "went back to the start of the truncated file")
    log.write_bytes(syn(5))
    assert ports(f.take(1)) == [5]
    rc, rest, err = f.stop()
    assert rc == 0 and rest == b"" and err == b""
    pos = orjson.loads(state.read_bytes())["files"][str(log)]
    assert pos["ino"] == log.stat().st_ino and pos["offset"] == len(syn(5))


def test_follow_file_restart_resumes_without_duplicates(tmp_path):
    """A restart reads only what was written while stopped, including a rotation meanwhile."""
    log, state = tmp_path / "kern.log", tmp_path / "state.json"
    log.write_bytes(syn(0) + syn(1))
    f = Follow(str(log), "--state", str(state), "--from-beginning")
    assert ports(f.take(2)) == [0, 1]
    assert f.stop()[0] == 0
    with log.open("ab") as w:
        w.write(syn(2))
    os.rename(log, tmp_path / "kern.log.1")
    log.write_bytes(syn(3))
    f = Follow(str(log), "--state", str(state))
    assert ports(f.take(2)) == [2, 3]
    rc, rest, _ = f.stop()
    assert rc == 0 and rest == b""


def test_follow_file_that_appears_later_is_read_from_its_start(tmp_path):
    """A path that does not exist yet is remembered as waiting and read from its start once it appears."""
    log, state = tmp_path / "later.log", tmp_path / "state.json"
    f = Follow(str(log), "--state", str(state))
    time.sleep(0.3)
    assert f.stop()[0] == 0
    assert orjson.loads(state.read_bytes())["files"][str(log)]["offset"] == 0
    f = Follow(str(log), "--state", str(state))
    time.sleep(0.3)
    log.write_bytes(NOISE + syn(7))
    assert ports(f.take(1)) == [7]
    assert f.stop()[0] == 0


def test_follow_without_verbose_writes_nothing_on_stderr_and_verbose_reports(tmp_path):
    """stderr stays empty unless --verbose, which reports rotations and the final count."""
    log = tmp_path / "kern.log"
    log.write_bytes(syn(0))
    f = Follow(str(log), "--from-beginning", "--verbose")
    f.take(1)
    os.rename(log, tmp_path / "kern.log.1")
    f.wait_until(lambda: f.read_offsets(tmp_path / "kern.log.1") == [], "closed the rotated file")
    rc, _, err = f.stop()
    assert rc == 0 and b"rotated" in err and b"1 events" in err


def test_corrupt_state_is_reported_and_moved_aside(tmp_path):
    """A corrupt state file is never silently reset: it is named on stderr and kept aside."""
    log, state = tmp_path / "kern.log", tmp_path / "state.json"
    log.write_bytes(syn(0))
    state.write_bytes(b"{not json")
    f = Follow(str(log), "--state", str(state), "--from-beginning")
    f.take(1)
    rc, _, err = f.stop()
    assert rc == 0 and b"unusable state" in err
    assert list(tmp_path.glob("state.json.corrupt-*"))
    assert orjson.loads(state.read_bytes())["source"] == "files"


def test_all_passes_every_record(tmp_path):
    """--all writes one record per record read, events carrying a `tcplog` object."""
    log = tmp_path / "kern.log"
    log.write_bytes(NOISE + syn(1))
    f = Follow(str(log), "--from-beginning", "--all")
    out = f.take(2)
    f.stop()
    assert out[0] == {"message": NOISE.decode().strip()} and out[1]["tcplog"]["family"] == "syn_flood"


# --- kmsg -------------------------------------------------------------------------------------

def kmsg(seq: int, port: int) -> bytes:
    return (b"4,%d,%d,-;TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:%d. Sending cookies.\n"
            b" SUBSYSTEM=net\n") % (seq, 1000000 + seq, 1000 + port)


def test_kmsg_resume_gap_and_reboot(tmp_path):
    """kmsg resumes after the last sequence, counts a sequence gap as loss, and detects a reboot."""
    dev, boot, state = tmp_path / "kmsg", tmp_path / "boot_id", tmp_path / "state.json"
    boot.write_text("aaaa\n")
    dev.write_bytes(kmsg(0, 0) + kmsg(1, 1))
    common = ("--kmsg", "--kmsg-path", str(dev), "--boot-id-file", str(boot), "--state", str(state))
    f = Follow(*common, "--from-beginning")
    assert ports(f.take(2)) == [0, 1]
    with dev.open("ab") as w:
        w.write(kmsg(2, 2) + kmsg(5, 5))  # 3 and 4 were overwritten
    assert ports(f.take(2)) == [2, 5]
    assert f.stop()[0] == 0
    st = orjson.loads(state.read_bytes())
    assert st["boot_id"] == "aaaa" and st["seq"] == 5 and st["lost"] == 2
    with dev.open("ab") as w:
        w.write(kmsg(6, 6))
    f = Follow(*common, "--verbose")
    assert ports(f.take(1)) == [6]  # nothing repeated
    assert f.stop()[1] == b""
    boot.write_text("bbbb\n")  # reboot: the new buffer numbers from 0 again
    dev.write_bytes(kmsg(0, 10) + kmsg(1, 11))
    f = Follow(*common, "--verbose")
    assert ports(f.take(2)) == [10, 11]
    rc, _, err = f.stop()
    assert rc == 0 and b"reboot detected" in err
    assert orjson.loads(state.read_bytes())["boot_id"] == "bbbb"


def test_real_dev_kmsg_is_readable_where_permitted(tmp_path):
    """/dev/kmsg itself opens and follows (skips where it cannot be read, outside CI)."""
    if not os.access("/dev/kmsg", os.R_OK):
        if os.environ.get("CI") == "true":
            pytest.fail("/dev/kmsg not readable")
        pytest.skip("/dev/kmsg not readable here")
    state = tmp_path / "state.json"
    f = Follow("--kmsg", "--state", str(state), "--from-beginning", "--all")
    out = f.take(1, timeout=5)
    rc, _, err = f.stop()
    assert rc == 0 and err == b"" and len(out) == 1
    st = orjson.loads(state.read_bytes())
    assert st["source"] == "kmsg" and st["seq"] >= 0 and st["boot_id"]


# --- journal ----------------------------------------------------------------------------------

BOOT = "0123456789abcdef0123456789abcdef"
BASE = 1795370000000000


def export(first: int, n: int) -> bytes:
    from tests.test_journald import _field

    out = b""
    for i in range(first, first + n):
        msg = f"TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:{1000 + i}. Sending cookies."
        fields = [("__REALTIME_TIMESTAMP", str(BASE + i * 1_000_000)), ("__MONOTONIC_TIMESTAMP", str(1000 + i)),
                  ("_BOOT_ID", BOOT), ("_TRANSPORT", "kernel"), ("PRIORITY", "4"), ("SYSLOG_FACILITY", "0"),
                  ("SYSLOG_IDENTIFIER", "kernel"), ("MESSAGE", msg), ("_HOSTNAME", "testhost")]
        out += b"".join(_field(k, v) for k, v in fields) + b"\n"
        out += b"".join(_field(k, v) for k, v in [
            ("__REALTIME_TIMESTAMP", str(BASE + i * 1_000_000 + 1)), ("_BOOT_ID", BOOT), ("_TRANSPORT", "syslog"),
            ("PRIORITY", "4"), ("SYSLOG_IDENTIFIER", "myapp"), ("MESSAGE", msg), ("_HOSTNAME", "testhost")]) + b"\n"
    return out


@pytest.fixture
def journal(tmp_path):
    remote = require_tool("/lib/systemd/systemd-journal-remote", "writes real .journal files")
    require_tool("journalctl", "reads .journal files")
    path = tmp_path / "kern.journal"

    def append(first: int, n: int) -> None:
        subprocess.run([remote, f"--output={path}", "-"], input=export(first, n), check=True,
                       capture_output=True, timeout=30)
    return path, append


def test_journal_follow_appends_and_restart_resumes_by_cursor(journal, tmp_path):
    """Entries appended while following come out; a restart resumes after the saved cursor."""
    path, append = journal
    state = tmp_path / "state.json"
    append(0, 2)
    f = Follow("--journal", "--journal-file", str(path), "--state", str(state), "--from-beginning")
    assert ports(f.take(2)) == [0, 1]  # the application line saying the same is not the kernel
    append(2, 1)
    assert ports(f.take(1)) == [2]
    rc, rest, err = f.stop()
    assert rc == 0 and rest == b"" and err == b""
    cursor = orjson.loads(state.read_bytes())["cursor"]
    assert ";i=5;" in cursor  # the kernel entry of the third pair
    append(3, 2)
    f = Follow("--journal", "--journal-file", str(path), "--state", str(state))
    assert ports(f.take(2)) == [3, 4]
    rc, rest, _ = f.stop()
    assert rc == 0 and rest == b""


def test_journal_directory_follows_rotation_to_a_new_file(journal, tmp_path):
    """In a journal directory, entries in a file added later (rotation) are read after the old ones."""
    path, append = journal
    remote = require_tool("/lib/systemd/systemd-journal-remote", "writes real .journal files")
    folder = tmp_path / "dir"
    folder.mkdir()
    state = tmp_path / "state.json"
    subprocess.run([remote, f"--output={folder / 'a.journal'}", "-"], input=export(0, 1), check=True,
                   capture_output=True)
    f = Follow("--journal", "--journal-dir", str(folder), "--state", str(state), "--from-beginning")
    assert ports(f.take(1)) == [0]
    assert f.stop()[0] == 0
    subprocess.run([remote, f"--output={folder / 'b.journal'}", "-"], input=export(1, 2), check=True,
                   capture_output=True)
    f = Follow("--journal", "--journal-dir", str(folder), "--state", str(state))
    assert ports(f.take(2)) == [1, 2]
    rc, rest, _ = f.stop()
    assert rc == 0 and rest == b""


def test_follow_kern_log_and_syslog_together_gives_each_record_once(tmp_path):
    """rsyslog writes each kernel line to kern.log and syslog: following both gives it once, and a line
    only one of them holds (a user-space one, a second flood line) is not lost."""
    kern, syslog = tmp_path / "kern.log", tmp_path / "syslog"
    kern.write_bytes(b"")
    syslog.write_bytes(b"")
    f = Follow(str(kern), str(syslog), "--state", str(tmp_path / "state.json"))
    for n in (1, 2):
        with kern.open("ab") as k, syslog.open("ab") as s:
            k.write(syn(n))
            s.write(NOISE + syn(n))
    with syslog.open("ab") as s:  # a record only syslog holds (kern.log rotated, say)
        s.write(syn(3))
    got = f.take(3)
    rc, rest, _ = f.stop()
    assert rc == 0 and rest == b"" and ports(got) == [1, 2, 3]
