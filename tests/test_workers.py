"""--workers: the same output as one process, whatever the worker count and however files are cut."""

from __future__ import annotations

import dataclasses
import gzip
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timezone

import pytest

from tcplog import counters
from tcplog.connectors import workers
from tcplog.framing.context import parse_iso
from tcplog.pipeline import PipelineSettings
from tcplog.scan import Stats
from tests.test_cli import tcplog

LINES = [
    "Nov 20 10:00:{s:02d} web{h} kernel: nf_conntrack: nf_conntrack: table full, dropping packet",
    "Nov 20 10:00:{s:02d} web{h} kernel: net_ratelimit: {n} callbacks suppressed",
    "Nov 20 10:00:{s:02d} web{h} kernel: TCP: too many orphaned sockets",
    "Nov 20 10:00:{s:02d} web{h} last message repeated {n} times",
    "Nov 20 10:00:{s:02d} web{h} kernel: message repeated {n} times: [ nf_conntrack: nf_conntrack: table full, dropping packet]",
    "Nov 20 10:00:{s:02d} web{h} kernel: dvb_frontend_poll: {n} callbacks suppressed",
    "Nov 20 10:00:{s:02d} web{h} kernel: martian source 10.0.0.255 from 10.0.0.{n}, on dev eth0",
    "Nov 20 10:00:{s:02d} web{h} kernel: ll header: 00000000: ff ff ff ff ff ff 52 54 00 12 34 56 08 00",
    "Nov 20 10:00:{s:02d} web{h} sshd[{n}]: Accepted publickey for root from 10.0.0.{n} port 22",
    "{n},{s}{n},1000000,-;TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:443. Sending cookies.",
    " SUBSYSTEM=net",
]


def corpus(n: int, seed: int = 7) -> bytes:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        out.append(rnd.choice(LINES).format(s=i % 60, h=rnd.randint(1, 3), n=rnd.randint(1, 250)))
    return ("\n".join(out) + "\n").encode()


def scan_output(*args) -> bytes:
    r = tcplog("scan", *args, "--reference-time", "2026-11-21T00:00:00Z")
    assert r.returncode == 0, r.stderr
    return r.stdout


def _config(**changes) -> workers.Config:
    return dataclasses.replace(workers.Config(
        forced_framing=None, force_export=False, year=None, tz=timezone.utc,
        reference=parse_iso("2026-11-21T00:00:00Z"), settings=PipelineSettings(), snapshot_docs=(),
        snapshots_dir=None, catalog=True), **changes)


def test_byte_ranges_give_the_output_of_one_process(tmp_path, monkeypatch):
    """A file cut into many small ranges (notices, martians, kmsg continuations across the cuts) scans identically."""
    log = tmp_path / "big.log"
    log.write_bytes(corpus(6000))
    one = scan_output(str(log), "--workers", "1")
    tasks = workers.plan([(str(log), None)], True, range_bytes=20_000)
    assert len(tasks) > 10
    config = _config()
    out = bytearray()
    stats = Stats()
    workers.run(tasks, 2, config, out.extend, stats, counters.Seen(), lambda *a: pytest.fail(str(a)))
    assert bytes(out) == one
    assert stats.lines == 6000 and stats.files == 1


def test_results_come_back_through_a_private_spool_folder_that_is_removed(tmp_path, monkeypatch):
    """Workers leave each range's bytes in a file; the parent reads and deletes each one, and the
    folder is gone after the run (also when a task fails)."""
    log = tmp_path / "big.log"
    log.write_bytes(corpus(3000))
    made = []
    real = workers.tempfile.mkdtemp

    def mkdtemp(**kw):
        made.append(real(**kw))
        return made[-1]

    monkeypatch.setattr(workers.tempfile, "mkdtemp", mkdtemp)
    unspooled = []
    real_unspool = workers._unspool
    monkeypatch.setattr(workers, "_unspool", lambda r: unspooled.append(r.spooled) or real_unspool(r))
    tasks = workers.plan([(str(log), None)], True, range_bytes=20_000)
    out = bytearray()
    workers.run(tasks, 2, _config(), out.extend, Stats(), counters.Seen(), lambda *a: pytest.fail(str(a)))
    assert out.count(b"\n") > 1000
    assert len(made) == 1 and not os.path.exists(made[0])
    assert sum(p is not None for p in unspooled) == len(tasks)  # every range's bytes came by file
    assert len(set(unspooled)) == len(tasks)


def test_a_spool_that_cannot_be_written_sends_the_bytes_in_the_result(tmp_path):
    log = tmp_path / "small.log"
    log.write_bytes(corpus(200))
    config = _config(spool=str(tmp_path / "no-such-folder"))
    workers._init(config, in_parent=True)
    try:
        result = workers._run(workers.plan([(str(log), None)], False)[0])
    finally:
        workers._WORKER.clear()
    assert result.spooled is None and result.data.count(b"\n") > 50
    assert workers._unspool(result).data == result.data


def test_byte_ranges_stay_identical_when_the_host_bound_releases_early(tmp_path):
    """More hosts than the attacher may hold: ranges that could hit the bound are replayed in the
    parent, so early releases happen where one process has them."""
    rnd = random.Random(11)
    lines = [rnd.choice(LINES[:4]).format(s=i % 60, h=rnd.randint(1, 40), n=rnd.randint(1, 250)) for i in range(3000)]
    log = tmp_path / "many-hosts.log"
    log.write_bytes(("\n".join(lines) + "\n").encode())
    config = _config(settings=PipelineSettings(suppression_hosts=5))
    whole, one_stats = bytearray(), Stats()  # the file as one task: one pipeline over the whole stream
    workers.run(workers.plan([(str(log), None)], False), 1, config, whole.extend, one_stats, counters.Seen(), pytest.fail)
    one = bytes(whole)
    assert one.count(b'"count":1,"suppressed":0,') < one.count(b"\n")  # notices did attach
    tasks = workers.plan([(str(log), None)], True, range_bytes=8_000)
    assert len(tasks) > 10
    out, stats = bytearray(), Stats()
    workers.run(tasks, 2, config, out.extend, stats, counters.Seen(), lambda *a: pytest.fail(str(a)))
    assert bytes(out) == one
    assert sum(stats.events.values()) == sum(one_stats.events.values()) == one.count(b"\n")
    # the bound's early releases are counted, alike in both runs (--stats "evicted")
    assert stats.evicted["held_for_notices"] == one_stats.evicted["held_for_notices"] > 0


def test_cuts_never_separate_a_record_from_its_continuation(tmp_path):
    """No range starts with a kmsg dictionary line or a martian ll header line."""
    log = tmp_path / "big.log"
    data = corpus(4000, seed=3)
    log.write_bytes(data)
    for task in workers.plan([(str(log), None)], True, range_bytes=5_000):
        line = data[task.start:data.find(b"\n", task.start)]
        assert not line.startswith(b" ") and b"ll header" not in line
        assert task.start == 0 or data[task.start - 1:task.start] == b"\n"
        assert data[:task.start].count(b"\n") == task.line_base


@pytest.mark.parametrize("workers_n", ["2", "3"])
def test_cli_workers_output_identical_over_several_files(tmp_path, workers_n):
    """Several files (one gzip) through N workers: byte-identical to one process."""
    for i in range(4):
        (tmp_path / f"f{i}.log").write_bytes(corpus(500, seed=i))
    (tmp_path / "f9.log.gz").write_bytes(gzip.compress(corpus(500, seed=9)))
    assert scan_output(str(tmp_path), "--workers", workers_n) == scan_output(str(tmp_path), "--workers", "1")


def test_a_plain_tar_is_never_cut_into_byte_ranges(tmp_path):
    """An uncompressed tar bigger than two ranges is read member by member by one worker, exactly
    as one process reads it (it was cut into ranges and read as text)."""
    import io
    import tarfile

    tar = tmp_path / "logs.tar"
    with tarfile.open(tar, "w") as t:
        for name, data in (("a.log", corpus(200, seed=1)), ("big.log", corpus(30_000, seed=2)),
                           ("c.log", corpus(200, seed=3))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    assert tar.stat().st_size > 2 * workers.RANGE_BYTES
    assert [(t.start, t.end) for t in workers.plan([(str(tar), None)], True)] == [(0, None)]
    one = scan_output(str(tar), "--workers", "1")
    assert scan_output(str(tar), "--workers", "2") == one
    assert f"{tar}!c.log".encode() in one


def test_workers_with_dedupe_keep_whole_files_together(tmp_path):
    """--dedupe needs the whole stream: files are not cut, output still identical."""
    log = tmp_path / "a.log"
    log.write_bytes(corpus(3000, seed=5))
    (tmp_path / "b.log").write_bytes(corpus(300, seed=6))
    args = (str(tmp_path), "--dedupe", "30s")
    assert scan_output(*args, "--workers", "2") == scan_output(*args, "--workers", "1")


def test_workers_must_be_positive():
    """--workers 0 is a usage error."""
    assert tcplog("scan", "-", "--workers", "0").returncode == 2


def _spools(pid: int) -> list[str]:
    return [n for n in os.listdir(workers._spool_parent()) if n.startswith(f"{workers._SPOOL_PREFIX}{pid}-")]


def _scanning(log, stdout=subprocess.PIPE) -> subprocess.Popen:
    """`tcplog scan --workers 2` running, once its spool folder exists."""
    proc = subprocess.Popen([sys.executable, "-m", "tcplog", "scan", str(log), "--workers", "2",
                             "--reference-time", "2026-11-21T00:00:00Z"], stdout=stdout, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not _spools(proc.pid):
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.01)
    return proc


@pytest.fixture(scope="module")
def big_log(tmp_path_factory):
    log = tmp_path_factory.mktemp("spool") / "big.log"
    log.write_bytes(corpus(150_000))
    return log


def test_a_closed_stdout_ends_the_scan_by_sigpipe_and_removes_the_spool(big_log):
    proc = _scanning(big_log)
    proc.stdout.read(1000)
    proc.stdout.close()  # `| head -c 1000`
    assert proc.wait(60) == -signal.SIGPIPE
    assert proc.stderr.read() == b""
    assert _spools(proc.pid) == []


def test_sigterm_ends_the_scan_by_sigterm_and_removes_the_spool(big_log):
    proc = _scanning(big_log, stdout=subprocess.DEVNULL)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == -signal.SIGTERM
    assert _spools(proc.pid) == []


def test_a_spool_left_by_a_killed_scan_is_removed_by_the_next(big_log, tmp_path):
    proc = _scanning(big_log, stdout=subprocess.DEVNULL)
    proc.kill()
    proc.wait(60)
    assert len(_spools(proc.pid)) == 1  # SIGKILL: nothing could remove it
    mine = tempfile.mkdtemp(prefix=f"{workers._SPOOL_PREFIX}{os.getpid()}-",
                                          dir=workers._spool_parent())  # a live process's: kept
    try:
        small = tmp_path / "small.log"
        small.write_bytes(corpus(300))
        assert scan_output(str(small), str(small), "--workers", "2").count(b"\n") > 100
        assert _spools(proc.pid) == []
        assert os.path.isdir(mine)
    finally:
        os.rmdir(mine)
