"""The `tcplog` command as a user runs it: scan, filter, families, exit codes, --help."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import subprocess
import sys

import orjson
import pytest
import zstandard

SYN = b"Sep  2 14:14:11 db02 kernel: TCP: TCP: Possible SYN flooding on port 9042. Sending cookies.  Check SNMP counters.\n"
CT = b"Nov 21 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet\n"
NOISE = b"Nov 21 10:00:01 web1 sshd[22]: Accepted publickey for root from 192.0.2.7 port 50022\n"


def tcplog(*args, stdin: bytes = b"", env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tcplog", *args], input=stdin, capture_output=True,
                          timeout=60, env=env)


def events(out: bytes) -> list[dict]:
    return [orjson.loads(line) for line in out.splitlines()]


def test_scan_file_prints_one_event_per_kernel_line(tmp_path):
    """scan prints an event per recognised kernel line and nothing for the rest."""
    log = tmp_path / "kern.log"
    log.write_bytes(SYN + NOISE + CT)
    r = tcplog("scan", str(log))
    assert r.returncode == 0, r.stderr
    got = events(r.stdout)
    assert [e["family"] for e in got] == ["syn_flood", "conntrack_full"]
    assert [e["source"]["line"] for e in got] == [1, 3]
    assert got[1]["source"]["offset"] == len(SYN) + len(NOISE)
    assert r.stderr == b""


@pytest.mark.parametrize("suffix,compress", [
    (".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress),
    (".zst", lambda b: zstandard.ZstdCompressor().compress(b)),
])
def test_scan_reads_compressed_files(tmp_path, suffix, compress):
    """gzip, bz2, xz and zstd are recognised by their magic bytes."""
    log = tmp_path / ("messages.1" + suffix)
    log.write_bytes(compress(SYN + NOISE + CT))
    r = tcplog("scan", str(log))
    assert r.returncode == 0, r.stderr
    assert [e["family"] for e in events(r.stdout)] == ["syn_flood", "conntrack_full"]


def test_scan_walks_directories_in_name_order(tmp_path):
    """A directory is read recursively, files in name order."""
    (tmp_path / "b").mkdir()
    (tmp_path / "a.log").write_bytes(SYN)
    (tmp_path / "b" / "c.log").write_bytes(CT)
    r = tcplog("scan", str(tmp_path))
    assert [os.path.basename(e["source"]["file"]) for e in events(r.stdout)] == ["a.log", "c.log"]


def test_scan_stdin_dash():
    """`-` reads standard input."""
    r = tcplog("scan", "-", "--reference-time", "2026-11-22T00:00:00Z", stdin=SYN + CT)
    got = events(r.stdout)
    assert [e["source"]["file"] for e in got] == ["<stdin>", "<stdin>"]
    assert got[0]["time"] == "2026-09-02T14:14:11.000000Z"


def test_unreadable_file_among_readable_ones_exits_1_and_names_it(tmp_path):
    """A missing or corrupt file is named on stderr; the others are still read; exit code 1."""
    good = tmp_path / "good.log"
    good.write_bytes(SYN)
    corrupt = tmp_path / "bad.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00garbage-not-gzip")
    r = tcplog("scan", str(tmp_path / "missing.log"), str(corrupt), str(good))
    assert r.returncode == 1
    assert [e["family"] for e in events(r.stdout)] == ["syn_flood"]
    err = r.stderr.decode()
    assert "missing.log: no such file or directory" in err
    assert "bad.gz" in err


def test_scan_stats_summary_on_stderr(tmp_path):
    """--stats prints one JSON summary line on stderr."""
    log = tmp_path / "kern.log"
    log.write_bytes(SYN + NOISE + CT)
    r = tcplog("scan", str(log), "--stats")
    stats = orjson.loads(r.stderr)
    assert stats["files"] == 1 and stats["lines"] == 3 and stats["bytes"] == len(SYN + NOISE + CT)
    assert stats["events_by_family"] == {"conntrack_full": 1, "syn_flood": 1}


def test_scan_output_file(tmp_path):
    """-o writes events to a file instead of stdout."""
    log, out = tmp_path / "kern.log", tmp_path / "events.ndjson"
    log.write_bytes(SYN)
    r = tcplog("scan", str(log), "-o", str(out))
    assert r.stdout == b"" and len(events(out.read_bytes())) == 1


def test_scan_year_and_tz_options(tmp_path):
    """--year and --tz decide where RFC 3164 local times land."""
    log = tmp_path / "kern.log"
    log.write_bytes(SYN)
    r = tcplog("scan", str(log), "--year", "2011", "--tz", "America/New_York")
    assert events(r.stdout)[0]["time"] == "2011-09-02T18:14:11.000000Z"


def test_scan_file_mtime_is_the_reference_for_the_year(tmp_path):
    """Without --year, dates are placed at or before the file's mtime."""
    log = tmp_path / "kern.log"
    log.write_bytes(SYN)
    os.utime(log, (1262304000, 1262304000))  # 2010-01-01
    assert events(tcplog("scan", str(log)).stdout)[0]["time"].startswith("2009-09-02")


def test_usage_errors_exit_2():
    """Bad options and unknown zones are usage errors (exit 2)."""
    assert tcplog("scan").returncode == 2
    assert tcplog("scan", "-", "--framing", "nope").returncode == 2
    r = tcplog("scan", "-", "--tz", "Mars/Olympus")
    assert r.returncode == 2 and b"unknown time zone" in r.stderr
    assert tcplog().returncode == 2


@pytest.mark.parametrize("command", [[]] + [[c.NAME] for c in __import__("tcplog.commands", fromlist=["COMMANDS"]).COMMANDS])
def test_help_on_every_command(command):
    """Every command answers --help with its exit codes."""
    r = tcplog(*command, "--help")
    assert r.returncode == 0 and b"exit codes" in r.stdout


def test_families_lists_every_family():
    """`tcplog families --json` lists the whole registry."""
    from tcplog.grammars import FAMILIES

    catalog = orjson.loads(tcplog("families", "--json").stdout)
    assert [f["family"] for f in catalog] == [f.FAMILY for f in FAMILIES]


def test_filter_one_record_out_per_record_in():
    """filter answers every record: events annotated, others passed through."""
    journal = b'{"MESSAGE":"TCP: too many orphaned sockets","_TRANSPORT":"kernel","__REALTIME_TIMESTAMP":"1795370000000000"}\n'
    other = b'{"MESSAGE":"hello","_TRANSPORT":"syslog"}\n'
    r = tcplog("filter", stdin=SYN + NOISE + journal + other + b"not json {\n")
    out = r.stdout.splitlines(keepends=True)
    assert r.returncode == 0 and len(out) == 5 and r.stderr == b""
    assert orjson.loads(out[0])["tcplog"]["family"] == "syn_flood"
    assert orjson.loads(out[1]) == {"message": NOISE[:-1].decode()}
    assert orjson.loads(out[2])["tcplog"]["family"] == "orphans"
    assert out[3] == other  # byte for byte
    assert orjson.loads(out[4]) == {"message": "not json {"}


def test_filter_flushes_each_record_before_waiting_for_more():
    """A record's answer arrives while stdin is still open."""
    proc = subprocess.Popen([sys.executable, "-m", "tcplog", "filter"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    try:
        proc.stdin.write(SYN)
        proc.stdin.flush()
        line = proc.stdout.readline()
        assert orjson.loads(line)["tcplog"]["family"] == "syn_flood"
        proc.stdin.write(NOISE)
        proc.stdin.flush()
        assert orjson.loads(proc.stdout.readline())["message"].startswith("Nov 21")
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0


def test_filter_rejects_journal_export_framing():
    """Export records span lines, so filter refuses that framing with a usage error."""
    assert tcplog("filter", "--framing", "journal-export").returncode == 2


def test_closed_stdout_ends_quietly(tmp_path):
    """SIGPIPE on stdout ends tcplog without a traceback."""
    log = tmp_path / "kern.log"
    log.write_bytes(SYN * 200000)
    proc = subprocess.Popen(f"{sys.executable} -m tcplog scan {log} | head -n 1", shell=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=120)
    assert len(out.splitlines()) == 1 and b"Traceback" not in err
