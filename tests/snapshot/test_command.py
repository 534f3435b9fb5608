"""`tcplog snapshot` as a user runs it: live capture, series, --from, --store, -o, exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tcplog.connectors.snapshot_store import FolderStore
from tcplog.snapshot import document

FIXTURES = Path(__file__).parent.parent / "fixtures"


def tcplog(*args, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tcplog", "snapshot", *args], capture_output=True, timeout=timeout)


def test_default_prints_one_document_of_this_host():
    """No options: one indented document on stdout, valid, of this host."""
    r = tcplog()
    assert r.returncode == 0, r.stderr
    doc = document.load_bytes(r.stdout, "<stdout>")
    assert doc["host"] == Path("/proc/sys/kernel/hostname").read_text().strip()
    assert len(doc["sysctl"]) > 500 and r.stdout.count(b"\n") > 100


def test_output_file(tmp_path):
    """-o FILE writes the document there and nothing to stdout."""
    out = tmp_path / "web1.json"
    r = tcplog("-o", str(out), "--host", "web1")
    assert r.returncode == 0 and r.stdout == b""
    assert document.load_bytes(out.read_bytes(), str(out))["host"] == "web1"


def test_output_dash_is_stdout():
    """-o - is stdout."""
    r = tcplog("-o", "-")
    assert r.returncode == 0 and document.load_bytes(r.stdout, "<stdout>")


def test_series_is_ndjson_spaced_by_the_interval():
    """--interval 0.2 --count 3: three one-line documents, times at least 0.2 s apart."""
    r = tcplog("--interval", "0.2", "--count", "3")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3
    times = [document.parse_time(document.load_bytes(line, "<stdout>")["time"]) for line in lines]
    assert all((b - a).total_seconds() >= 0.19 for a, b in zip(times, times[1:]))


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_series_stops_on_sigterm_or_sigint_between_snapshots(tmp_path, signum):
    """`--count 0` runs until stopped (systemd stops with SIGTERM, a terminal with Ctrl-C): it stops at
    once, not at the next interval, with every snapshot taken written whole, and exits 0."""
    import signal
    import time

    out = tmp_path / "series.ndjson"
    proc = subprocess.Popen([sys.executable, "-m", "tcplog", "snapshot", "--count", "0", "--interval", "60",
                             "--host", "web1", "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (out.exists() and out.read_bytes().endswith(b"\n")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(getattr(signal, signum))
    started = time.monotonic()
    assert proc.wait(timeout=20) == 0, proc.stderr.read()
    assert time.monotonic() - started < 10
    (line,) = out.read_bytes().splitlines()
    assert document.load_bytes(line, str(out))["host"] == "web1"


def test_store_puts_files_and_prints_their_paths(tmp_path):
    """--store DIR writes <DIR>/<host>/<id>.json and prints each path."""
    r = tcplog("--store", str(tmp_path), "--host", "web1", "--count", "2", "--interval", "0.05")
    assert r.returncode == 0, r.stderr
    paths = r.stdout.decode().split()
    assert len(paths) == 2 and all(Path(p).parent == tmp_path / "web1" for p in paths)
    assert len(FolderStore(str(tmp_path)).refs("web1")) == 2


def test_from_sosreport():
    """--from a sosreport folder prints its snapshot."""
    r = tcplog("--from", str(FIXTURES / "sosreport-web1"))
    assert r.returncode == 0, r.stderr
    doc = orjson.loads(r.stdout)
    assert doc["host"] == "web1" and doc["time"] == "2026-11-20T10:05:00.000000Z"


def test_from_copied_proc_tree():
    """--from a copied /proc tree reads it, not this host."""
    r = tcplog("--from", str(FIXTURES / "proc" / "rhel7-3.10"), "--host", "db7")
    assert r.returncode == 0, r.stderr
    doc = orjson.loads(r.stdout)
    assert doc["host"] == "db7" and doc["sockstat"]["TCP"]["tw"] == 64012


def test_from_sysctl_file():
    """--from a `sysctl -a` file fills the sysctl section."""
    r = tcplog("--from", str(FIXTURES / "sysctl" / "rhel5-2.6.18_sysctl_-a.txt"))
    assert r.returncode == 0, r.stderr
    doc = orjson.loads(r.stdout)
    assert doc["host"] == "db-old" and doc["sysctl"]["net.ipv4.tcp_max_tw_buckets"] == "180000"


def test_from_into_store(tmp_path):
    """--from with --store files the report under its host and time."""
    r = tcplog("--from", str(FIXTURES / "sosreport-web1"), "--store", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().strip() == str(tmp_path / "web1" / "20261120T100500000000Z.json")


def test_unreadable_sections_are_summarised_on_stderr():
    """Sections named in errors are listed on stderr; the exit code stays 0."""
    r = tcplog("--from", str(FIXTURES / "sosreport-web1"))
    assert r.returncode == 0 and b"not read:" in r.stderr and b"listeners" in r.stderr


def test_missing_from_path_exits_1():
    """A --from path that does not exist: exit 1, named on stderr."""
    r = tcplog("--from", "/nonexistent/sos")
    assert r.returncode == 1 and b"/nonexistent/sos" in r.stderr


def test_folder_that_is_neither_exits_1(tmp_path):
    """An empty folder is neither a sosreport nor a /proc copy: exit 1."""
    r = tcplog("--from", str(tmp_path))
    assert r.returncode == 1 and b"neither a sosreport" in r.stderr


def test_unwritable_output_exits_1(tmp_path):
    """-o into a missing folder: exit 1 naming the file."""
    r = tcplog("-o", str(tmp_path / "no" / "x.json"))
    assert r.returncode == 1 and b"x.json" in r.stderr


def test_store_without_a_host_exits_1(tmp_path):
    """A sysctl dump with no kernel.hostname cannot be filed: exit 1, and --host is suggested."""
    dump = tmp_path / "s.txt"
    dump.write_text("net.core.somaxconn = 4096\n")
    r = tcplog("--from", str(dump), "--store", str(tmp_path / "st"))
    assert r.returncode == 1 and b"--host" in r.stderr


@pytest.mark.parametrize("args", [["--count", "-1"], ["--interval", "0"], ["--count", "abc"],
                                  ["--from", "x", "--count", "2"], ["--store", "d", "-o", "f"], ["--host", " "],
                                  ["--store", "/dev/null/d", "--to-kafka", "--bootstrap-servers", "127.0.0.1:1",
                                   "--snapshot-topic", "t"], ["--no-such-option"]])
def test_usage_errors_exit_2(args):
    """Bad option values and combinations exit 2."""
    assert tcplog(*args).returncode == 2


def test_help_names_options_example_and_exit_codes():
    """--help shows every option, an example line and the exit codes."""
    r = tcplog("--help")
    out = r.stdout.decode()
    assert r.returncode == 0
    for option in ("--from", "--host", "--interval", "--count", "--output", "--store"):
        assert option in out
    assert "tcplog snapshot --from" in out and "exit codes" in out


def test_private_netns_captures_its_own_sysctl_values(tmp_path):
    """Inside `unshare -n` with tcp_syncookies=0 and somaxconn=128, the snapshot shows those values."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare")
    out = tmp_path / "ns.json"
    script = (f"sysctl -qw net.ipv4.tcp_syncookies=0 net.core.somaxconn=128 && "
              f"{sys.executable} -m tcplog snapshot -o {out}")
    r = subprocess.run([unshare, "-n", "sh", "-c", script], capture_output=True, timeout=60)
    if r.returncode != 0 and b"Operation not permitted" in r.stderr:
        pytest.skip("unshare not permitted here")
    assert r.returncode == 0, r.stderr
    doc = document.load_bytes(out.read_bytes(), str(out))
    assert doc["sysctl"]["net.ipv4.tcp_syncookies"] == "0" and doc["sysctl"]["net.core.somaxconn"] == "128"
    assert doc["sockstat"]["sockets"]["used"] >= 0 and doc["listeners"] == []


def test_unread_sections_of_a_snapshot_without_a_host_name_say_so(capsys):
    from tcplog.commands.snapshot import _report

    _report({"host": None, "time": "2026-11-22T10:00:00Z", "errors": [{"section": "listeners"}]})
    assert capsys.readouterr().err == ('tcplog: snapshot of a host without a name at 2026-11-22T10:00:00Z: not read: '
                                       'listeners (see "errors" in the document)\n')
