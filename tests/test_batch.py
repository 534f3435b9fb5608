"""Batch reprocessing: rotated sets oldest first, tar archives, the summary."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import tarfile

import orjson
import zstandard

from tcplog.connectors.walk import rotation_order
from tests.test_cli import events, tcplog

LINE = "Nov {d} 10:00:00 web1 kernel: TCP: too many orphaned sockets\n"


def test_rotation_order_puts_the_oldest_first():
    """messages.3.gz < messages.2.gz < messages.1 < messages; dated rotations before the live file."""
    names = ["messages", "messages.1", "messages.2.gz", "messages.3.gz", "messages-20261115", "kern.log"]
    assert sorted(names, key=rotation_order) == ["kern.log", "messages.3.gz", "messages.2.gz", "messages.1",
                                                 "messages-20261115", "messages"]


def test_rotated_set_in_a_directory_is_read_oldest_first(tmp_path):
    """A directory's rotated set is scanned oldest rotation first, so events come out in time order."""
    (tmp_path / "messages").write_text(LINE.format(d=21))
    (tmp_path / "messages.1").write_text(LINE.format(d=20))
    (tmp_path / "messages.2.gz").write_bytes(gzip.compress(LINE.format(d=19).encode()))
    got = events(tcplog("scan", str(tmp_path), "--reference-time", "2026-11-22T00:00:00Z").stdout)
    assert [e["time"][:10] for e in got] == ["2026-11-19", "2026-11-20", "2026-11-21"]


def _tar(files: dict[str, bytes], mtime: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), mtime
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("var/log/escape")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    return buf.getvalue()


def test_tar_members_are_inputs_named_archive_bang_member(tmp_path):
    """A .tar.gz is read member by member (oldest rotation first); links are skipped, never followed."""
    data = _tar({"var/log/messages": LINE.format(d=21).encode(), "var/log/messages.1": LINE.format(d=20).encode()},
                mtime=1795400000)
    archive = tmp_path / "logs.tar.gz"
    archive.write_bytes(gzip.compress(data))
    got = events(tcplog("scan", str(archive)).stdout)
    assert [e["source"]["file"] for e in got] == [f"{archive}!var/log/messages.1", f"{archive}!var/log/messages"]


def test_tar_member_mtime_places_the_year(tmp_path):
    """A member's own mtime is the reference for year-less dates (2009 archive → 2009 dates)."""
    archive = tmp_path / "old.tar.zst"
    archive.write_bytes(zstandard.ZstdCompressor().compress(_tar({"messages": LINE.format(d=20).encode()},
                                                                mtime=1262304000)))
    (event,) = events(tcplog("scan", str(archive)).stdout)
    assert event["time"].startswith("2009-11-20")


def test_stats_count_events_by_cause(tmp_path):
    """--stats reports events by cause too."""
    log = tmp_path / "m"
    log.write_text(LINE.format(d=20))
    stats = orjson.loads(tcplog("scan", str(log), "--stats").stderr)
    assert sum(stats["events_by_cause"].values()) == 1


def test_terminal_gets_a_readable_summary_and_quiet_silences_it(tmp_path):
    """On a terminal (stderr a tty) a summary appears; -q silences it; a pipe never gets it."""
    log = tmp_path / "m"
    log.write_text(LINE.format(d=20))
    cmd = f"{sys.executable} -m tcplog scan {log} -o /dev/null"
    tty = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, timeout=60)
    assert b"events" in tty.stdout and b"orphans" in tty.stdout
    quiet = subprocess.run(["script", "-qec", cmd + " -q", "/dev/null"], capture_output=True, timeout=60)
    assert b"orphans" not in quiet.stdout
    assert tcplog("scan", str(log), "-o", "/dev/null").stderr == b""
