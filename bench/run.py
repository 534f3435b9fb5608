"""The benchmark runner: tcplog against the floors and the C peers, on the same files, in one run.

    make bench                       # = python bench/run.py
    python bench/run.py --runs 5     # more runs per figure (median reported)
    python bench/run.py --lines 100000 --runs 1     # a quick look (targets are set for 1,000,000)

1. Generates the corpora if missing (bench/corpus.py, cached in bench/.cache/, seed 1): 0.1 %,
   1 % and 20 % network-stack lines, 1,000,000 lines each, syslog and journald JSON, with a
   manifest of the events tcplog must find.
2. On each syslog corpus, in the same run, round-robin over the tools (so a noisy neighbour hits
   them alike): the floors (cat, grep -c -E with tcplog's trigger words, a bare Python line loop,
   a Python bytes.find prefilter over 1 MiB blocks), the peers (lognormalizer with
   bench/peers/tcplog.rulebase, syslog-ng db-parser() with bench/peers/tcplog.pdb) and
   `tcplog scan` (and `--workers 2` when scan has that option). Every tool that finds events runs
   once more, untimed, writing its JSON to a file, whose events are counted against the manifest.
3. journald JSON (1 %): `tcplog scan journal.json`, records/s and events.
4. `tcplog filter`: throughput on raw lines, and per-record latency fed at a steady rate.
5. `--workers 1/2` scaling and identical output (sorted event hashes), when the option exists.
6. Prints every target of issue 4 as MET / NOT MET with the measured figure, and writes
   bench/results/latest.md and bench/results/latest.json.

Figures: median wall time over --runs runs (default 3), lines/s and MB/s (10^6 bytes) from it,
peak RSS from os.wait4's rusage of the measured process (the largest process for a pipeline or
a process tree), and each tool's wall time divided by tcplog's on the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "peers"))

import corpus  # noqa: E402
import rules  # noqa: E402

CORPORA = (("0.1 %", 0.001), ("1 %", 0.01), ("20 %", 0.2))
RULEBASE = HERE / "peers" / "tcplog.rulebase"
PDB = HERE / "peers" / "tcplog.pdb"
DEB = {"lognormalizer": "liblognorm-utils", "syslog-ng": "syslog-ng-core", "time": "time"}
PY = sys.executable
LL = "martian_source.ll_header"
BASE = "tcplog scan"  # one process (--workers 1 when scan has the option): the reference of every ratio
W2 = "tcplog scan --workers 2"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- processes ----------------------------------------------------------------------------------

@dataclass
class Run:
    wall: float
    rss_kib: int
    rc: int
    stdout: bytes
    stderr: bytes


def measure(argv: list[str], stdin: Path | None = None, stdout: Path | None = None, feeder: list[str] | None = None,
            env: dict | None = None, capture: bool = False) -> Run:
    """Run argv once; wall time from start to exit, peak RSS from the wait4 rusage of argv's process.

    Linux carries a forked child's RSS high-water mark across exec, so a child forked from this
    (large) Python process would report at least our own RSS. When GNU time is installed it is
    the parent of argv and reports argv's ru_maxrss (its `%M`); otherwise our own wait4 is used
    and the figure is an upper bound.

    feeder: a command whose stdout becomes argv's stdin (a pipe), e.g. `cat FILE`.
    stdout: a file to write to (default /dev/null); capture=True captures stdout instead.
    """
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as cap, \
            tempfile.NamedTemporaryFile("r", prefix="bench-rss-") as rss:
        if GNU_TIME:
            argv = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv]
        out = cap if capture else open(stdout or os.devnull, "wb")
        fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
        feed = None
        try:
            t0 = time.perf_counter()
            if feeder:
                feed = subprocess.Popen(feeder, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
                fin = feed.stdout
            p = subprocess.Popen(argv, stdin=fin, stdout=out, stderr=err, env=env)
            if feed:
                feed.stdout.close()
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            if feed:
                feed.wait()
        finally:
            if stdin:
                fin.close()
            if not capture:
                out.close()
        err.seek(0)
        cap.seek(0)
        peak = ru.ru_maxrss
        if GNU_TIME:
            text = rss.read().split()
            peak = int(text[-1]) if text and text[-1].isdigit() else peak
        return Run(wall, peak, p.returncode, cap.read() if capture else b"", err.read())


def _gnu_time() -> str | None:
    """GNU time, to read a child's peak RSS from a small parent (see measure)."""
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    r = subprocess.run([path, "-f", "%M", "true"], capture_output=True, text=True, check=False)
    return path if r.returncode == 0 and r.stderr.strip().isdigit() else None


GNU_TIME = _gnu_time()


def measure_ok(tries: int = 3, ok=(0,), **kwargs) -> Run:
    """measure(), retried when the tool fails (tcplog's tree may be mid-edit by someone else)."""
    for i in range(tries):
        r = measure(**kwargs)
        if r.rc in ok:
            return r
        log(f"  ! {Path(kwargs['argv'][0]).name} ... exited {r.rc}"
            + (", retrying" if i + 1 < tries else "") + ": " + r.stderr.decode("utf-8", "replace").strip()[-200:])
        time.sleep(2)
    return r


def which(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in ("/usr/sbin", "/sbin", "/usr/bin"):
        if os.access(f"{d}/{name}", os.X_OK):
            return f"{d}/{name}"
    return None


def ensure_tools() -> dict[str, str | None]:
    """Paths of lognormalizer and syslog-ng, installing the Debian packages when root and possible."""
    found = {name: which(name) for name in DEB}
    missing = [name for name, path in found.items() if path is None]
    if not missing:
        return found
    pkgs = [DEB[n] for n in missing]
    if os.geteuid() != 0:
        log(f"NOTE: {', '.join(missing)} not installed and not root: missing peers are skipped"
            + (" and peak RSS is an upper bound" if "time" in missing else "")
            + f". Install with: sudo apt-get install {' '.join(pkgs)}")
        return found
    if "syslog-ng-core" in pkgs and _dpkg_installed("rsyslog"):
        log("NOTE: the rsyslog package is installed; installing syslog-ng-core would remove it (they conflict). "
            "syslog-ng is skipped. Unpack rsyslog privately instead (dpkg-deb -x, see shared/reference/integration.md).")
        pkgs.remove("syslog-ng-core")
    if pkgs:
        log(f"installing {' '.join(pkgs)} with apt-get ...")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        r = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *pkgs], env=env,
                           stdout=subprocess.DEVNULL, check=False)
        if r.returncode != 0:
            log(f"NOTE: apt-get install {' '.join(pkgs)} failed (exit {r.returncode}); the missing peers are skipped")
    global GNU_TIME
    GNU_TIME = GNU_TIME or _gnu_time()
    return {name: which(name) for name in DEB}


def _dpkg_installed(pkg: str) -> bool:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True, check=False)
    return "install ok installed" in r.stdout


# -- corpora ------------------------------------------------------------------------------------

def corpus_dir(cache: Path, ratio: float, lines: int, seed: int) -> Path:
    return cache / f"corpus-r{ratio:g}-n{lines}-s{seed}"


def ensure_corpus(d: Path, ratio: float, lines: int, seed: int) -> dict:
    m = d / "manifest.json"
    if m.exists():
        manifest = json.loads(m.read_text())
        files_ok = all((d / name).exists() and (d / name).stat().st_size == info["bytes"]
                       for name, info in manifest["files"].items())
        if manifest.get("version") == corpus.VERSION and files_ok:
            return manifest
    log(f"generating {d.name} ...")
    t0 = time.perf_counter()
    manifest = corpus.generate(d, lines, ratio, seed)
    log(f"  {manifest['files']['syslog.log']['bytes'] / 1e6:.0f} MB syslog, "
        f"{manifest['files']['journal.json']['bytes'] / 1e6:.0f} MB journal JSON in {time.perf_counter() - t0:.0f} s")
    return manifest


def triggers() -> list[str]:
    """tcplog's prefilter words, from its family registry (the keywords of the grep floor)."""
    from tcplog.grammars import FAMILIES
    words = {t.decode() for f in FAMILIES for t in f.TRIGGERS}
    # a word that holds another one finds no line the shorter one misses
    words = {w for w in words if not any(o != w and o in w for o in words)}
    return sorted(words, key=lambda w: (-len(w), w))


# -- counting what a tool found -----------------------------------------------------------------

def fold_ll(events: list[tuple[str, str | None]]) -> Counter:
    """Message ids counted as tcplog's assembler counts: an ll header right after a martian of its host joins it."""
    c: Counter = Counter()
    held = None
    for mid, host in events:
        if mid == LL and held is not None and held == host:
            continue
        held = host if mid.startswith("martian_source.") and mid != LL else None
        c[mid] += 1
    return c


def count_tcplog(path: Path) -> tuple[Counter, list[str]]:
    c: Counter = Counter()
    hashes = []
    with open(path, "rb") as f:
        for line in f:
            e = json.loads(line)
            c[e["message_id"]] += 1
            hashes.append(hashlib.sha1(line.rstrip(b"\n")).hexdigest())
    hashes.sort()
    return c, hashes


def count_lognorm(path: Path) -> Counter:
    events = []
    with open(path, "rb") as f:
        for line in f:
            e = json.loads(line)
            tags = e.get("event.tags") or []
            if len(tags) >= 2:
                events.append((tags[1], e.get("host")))
    return fold_ll(events)


def count_syslog_ng(path: Path) -> Counter:
    events = []
    with open(path, "rb") as f:
        for line in f:
            e = json.loads(line)
            events.append((e.get("message_id"), e.get("HOST")))
    return fold_ll(events)


def compare(found: Counter, expected: dict) -> dict:
    diff = {k: [expected.get(k, 0), found.get(k, 0)] for k in sorted(set(expected) | set(found))
            if expected.get(k, 0) != found.get(k, 0)}
    return {"found": sum(found.values()), "expected": sum(expected.values()), "match": not diff,
            "diff": diff}


# -- tools --------------------------------------------------------------------------------------

@dataclass
class Tool:
    name: str
    kind: str  # floor | peer | tcplog
    timed: object  # (file) -> dict of measure() kwargs
    verify: object = None  # (file, outdir) -> (Counter or int, extra)
    runs: list = field(default_factory=list)


def make_tools(tools: dict, work: Path, workers: bool) -> list[Tool]:
    words = triggers()
    ere = "|".join(re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", w) for w in words)
    cenv = dict(os.environ, LC_ALL="C")
    out: list[Tool] = [
        Tool("cat", "floor", lambda f: dict(argv=["cat", str(f)])),
        Tool("grep -c -E", "floor", lambda f: dict(argv=["grep", "-c", "-E", ere, str(f)], env=cenv, capture=True)),
        Tool("python line loop", "floor", lambda f: dict(argv=[PY, str(HERE / "floors.py"), "lines", str(f)],
                                                          capture=True)),
        Tool("python find 1 MiB", "floor", lambda f: dict(argv=[PY, str(HERE / "floors.py"), "find", str(f), *words],
                                                           capture=True)),
    ]
    if tools.get("lognormalizer"):
        ln = [tools["lognormalizer"], "-r", str(RULEBASE), "-T", "-p", "-e", "json"]

        def ln_verify(f, d):
            r = measure_ok(argv=ln, stdin=f, stdout=d / "lognormalizer.jsonl")
            return count_lognorm(d / "lognormalizer.jsonl"), r
        out.append(Tool("lognormalizer", "peer", lambda f: dict(argv=ln, stdin=f), ln_verify))
    if tools.get("syslog-ng"):
        sng_dir = work / "syslog-ng"
        sng_dir.mkdir(parents=True, exist_ok=True)

        def sng_argv(dest: Path) -> list[str]:
            conf = sng_dir / (dest.name + ".conf")
            conf.write_text(rules.SYSLOG_NG_CONF.format(pdb=PDB, out=dest, sentinel=rules.SENTINEL))
            persist = sng_dir / "syslog-ng.persist"
            if persist.exists():
                persist.unlink()
            return [tools["syslog-ng"], "-F", "--no-caps", "-f", str(conf), "-p", str(sng_dir / "syslog-ng.pid"),
                    "-R", str(persist), "-c", str(sng_dir / "syslog-ng.ctl")]

        def sng_verify(f, d):
            dest = d / "syslog-ng.jsonl"
            if dest.exists():
                dest.unlink()
            r = measure_ok(argv=sng_argv(dest), feeder=["cat", str(f)])
            return count_syslog_ng(dest), r
        out.append(Tool("syslog-ng patterndb", "peer",
                        lambda f: dict(argv=sng_argv(Path(os.devnull)), feeder=["cat", str(f)]), sng_verify))

    def tl(extra):
        def verify(f, d):
            dest = d / f"tcplog{''.join(extra)}.jsonl"
            r = measure_ok(argv=[PY, "-m", "tcplog", "scan", str(f), *extra, "-o", str(dest)])
            return count_tcplog(dest), r
        return verify
    # The targets are single-process unless stated: with --workers, the reference row is --workers 1.
    one = ["--workers", "1"] if workers else []
    out.append(Tool(BASE, "tcplog", lambda f: dict(argv=[PY, "-m", "tcplog", "scan", str(f), *one]), tl(one)))
    if workers:
        out.append(Tool(W2, "tcplog",
                        lambda f: dict(argv=[PY, "-m", "tcplog", "scan", str(f), "--workers", "2"]),
                        tl(["--workers", "2"])))
    return out


def scan_has_workers() -> bool:
    r = subprocess.run([PY, "-m", "tcplog", "scan", "--help"], capture_output=True, text=True, check=False)
    return "--workers" in r.stdout


# -- sections -----------------------------------------------------------------------------------

def bench_corpus(label: str, d: Path, manifest: dict, tools: list[Tool], runs: int, work: Path) -> dict:
    f = d / "syslog.log"
    info = manifest["files"]["syslog.log"]
    expected = info["events_by_message"]
    outdir = work / "out" / d.name
    outdir.mkdir(parents=True, exist_ok=True)
    log(f"[{label}] {f} ({info['lines']} lines, {info['bytes'] / 1e6:.0f} MB, {info['events']} events expected)")
    measure(["cat", str(f)])  # page cache
    rows = {}
    hashes = {}
    for tool in tools:
        row = rows[tool.name] = {"tool": tool.name, "kind": tool.kind, "runs": [], "rss_kib": []}
        if tool.verify:
            found, r = tool.verify(f, outdir)
            if isinstance(found, tuple):
                found, hashes[tool.name] = found
            row.update(compare(found, expected))
            row["verify_rc"] = r.rc
            row["rss_kib"].append(r.rss_kib)
            if r.rc != 0:
                row["error"] = r.stderr.decode("utf-8", "replace")[-500:]
            flag = "ok" if row["match"] else "MISMATCH"
            log(f"  {tool.name}: {row['found']} events / {row['expected']} expected  {flag}")
    for i in range(runs):
        for tool in tools:
            ok = (0, 1) if tool.name == "grep -c -E" else (0,)  # grep: 1 = no line matched
            r = measure_ok(ok=ok, **tool.timed(f))
            row = rows[tool.name]
            if r.rc not in ok:  # a failed run is no timing: left out of the median, flagged
                row["error"] = f"exit {r.rc}: " + r.stderr.decode("utf-8", "replace")[-300:]
                row["runs"].append(float("nan"))
                continue
            row["runs"].append(r.wall)
            row["rss_kib"].append(r.rss_kib)
            if tool.kind == "floor" and r.stdout:
                row["candidates"] = int(r.stdout.split()[0])
        log(f"  run {i + 1}/{runs}: " + ", ".join(f"{t.name} {rows[t.name]['runs'][-1]:.2f}s" for t in tools))
    def median(runs):
        good = [x for x in runs if x == x]
        return statistics.median(good) if good else float("nan")
    base = median(rows[BASE]["runs"])
    for row in rows.values():
        med = median(row["runs"])
        row.update(median_s=med, lines_per_s=info["lines"] / med, mb_per_s=info["bytes"] / 1e6 / med,
                   peak_rss_mib=max(row["rss_kib"]) / 1024, ratio_to_tcplog=med / base)
    identical = None
    if len(hashes) > 1:
        first = next(iter(hashes.values()))
        identical = all(h == first for h in hashes.values())
    return {"label": label, "file": str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f),
            "lines": info["lines"], "bytes": info["bytes"], "expected_events": info["events"],
            "rows": list(rows.values()), "workers_identical": identical}


def bench_journal(d: Path, manifest: dict, runs: int, work: Path, extra: list[str]) -> dict:
    f = d / "journal.json"
    info = manifest["files"]["journal.json"]
    log(f"[journald JSON 1 %] {f} ({info['lines']} records, {info['bytes'] / 1e6:.0f} MB)")
    measure(["cat", str(f)])
    dest = work / "out" / "journal-tcplog.jsonl"
    r = measure_ok(argv=[PY, "-m", "tcplog", "scan", str(f), *extra, "-o", str(dest)])
    found, _ = count_tcplog(dest)
    res = compare(found, info["events_by_message"])
    times, rss = [], [r.rss_kib]
    for _ in range(runs):
        r2 = measure_ok(argv=[PY, "-m", "tcplog", "scan", str(f), *extra])
        times.append(r2.wall)
        rss.append(r2.rss_kib)
    med = statistics.median(times)
    res.update(records=info["lines"], bytes=info["bytes"], runs=times, median_s=med,
               records_per_s=info["lines"] / med, mb_per_s=info["bytes"] / 1e6 / med, peak_rss_mib=max(rss) / 1024)
    log(f"  {res['records_per_s']:,.0f} records/s, events {res['found']}/{res['expected']}"
        f" {'ok' if res['match'] else 'MISMATCH'}")
    return res


def bench_filter(d: Path, records: int, runs: int, work: Path) -> dict:
    src = d / "syslog.log"
    f = work / f"filter-input-{records}.log"
    if not f.exists():
        with open(src, "rb") as a, open(f, "wb") as b:
            for i, line in enumerate(a):
                if i >= records:
                    break
                b.write(line)
    n = sum(1 for _ in open(f, "rb"))
    log(f"[tcplog filter] {n} raw lines from {src.parent.name}")
    dest = work / "out" / "filter.jsonl"
    r = measure_ok(argv=[PY, "-m", "tcplog", "filter"], stdin=f, stdout=dest)
    out_lines = tagged = 0
    with open(dest, "rb") as fh:
        for line in fh:
            out_lines += 1
            tagged += b'"tcplog":' in line
    times, rss = [], [r.rss_kib]
    for _ in range(runs):
        r2 = measure_ok(argv=[PY, "-m", "tcplog", "filter"], stdin=f)
        times.append(r2.wall)
        rss.append(r2.rss_kib)
    med = statistics.median(times)
    res = {"records": n, "out_records": out_lines, "one_per_record": out_lines == n, "annotated": tagged,
           "runs": times, "median_s": med, "records_per_s": n / med, "peak_rss_mib": max(rss) / 1024,
           "rc": r.rc}
    log(f"  {res['records_per_s']:,.0f} records/s, {out_lines} out for {n} in")
    return res


def bench_latency(d: Path, rate: float, seconds: float, argv: list[str] | None = None) -> dict:
    """Feed `tcplog filter` at a steady rate; latency = answer read time - record write time, one to one.

    A feeder loop writes each record at its slot (start + i / rate) and notes the time; a reader
    thread notes when each answer line arrives; filter answers exactly once per record, in order.
    """
    argv = argv or [PY, "-m", "tcplog", "filter"]
    rss_file = tempfile.NamedTemporaryFile("r", prefix="bench-rss-")
    if GNU_TIME:
        argv = [GNU_TIME, "-f", "%M", "-o", rss_file.name, *argv]
    n = int(rate * seconds)
    lines = []
    with open(d / "syslog.log", "rb") as fh:
        for line in fh:
            lines.append(line)
            if len(lines) >= n:
                break
    n = len(lines)
    log(f"[tcplog filter latency] {n} records at {rate:,.0f}/s")
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    sent = [0.0] * n
    recv = [0.0] * n
    got = [0]

    ready = threading.Event()

    def reader():
        p.stdout.readline()  # the warm-up record's answer
        ready.set()
        i = 0
        for _ in p.stdout:
            if i < n:
                recv[i] = time.perf_counter()
            i += 1
        got[0] = i

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    fd = p.stdin.fileno()
    os.write(fd, lines[0])  # warm-up: the clock starts once the interpreter answers
    ready.wait(60)
    t0 = time.perf_counter()
    for i, line in enumerate(lines):
        target = t0 + i / rate
        while True:
            now = time.perf_counter()
            if now >= target:
                break
            time.sleep(min(target - now, 0.0005))
        sent[i] = time.perf_counter()
        os.write(fd, line)
    feed_s = time.perf_counter() - t0
    p.stdin.close()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    th.join(10)
    lat = sorted((recv[i] - sent[i]) * 1000 for i in range(min(n, got[0])))
    peak = ru.ru_maxrss
    if GNU_TIME:
        text = rss_file.read().split()
        peak = int(text[-1]) if text and text[-1].isdigit() else peak
    rss_file.close()

    def pct(q):
        return lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
    res = {"records": n, "answers": got[0], "one_per_record": got[0] == n, "rate": rate,
           "achieved_rate": n / feed_s if feed_s else 0, "p50_ms": pct(0.50), "p99_ms": pct(0.99),
           "max_ms": lat[-1] if lat else float("nan"), "peak_rss_mib": peak / 1024}
    log(f"  p50 {res['p50_ms']:.3f} ms, p99 {res['p99_ms']:.3f} ms, max {res['max_ms']:.1f} ms, "
        f"{got[0]} answers for {n}")
    return res


def workers_summary(corpora: list[dict]) -> dict:
    """--workers 1 vs 2 from the corpus tables: speed-up, and identical output (sorted event hashes)."""
    res = {}
    for c in corpora:
        one, two = _row(c, BASE), _row(c, W2)
        if one and two:
            res[c["label"]] = {"median_s": {"1": one["median_s"], "2": two["median_s"]},
                               "speedup": one["median_s"] / two["median_s"], "identical": c["workers_identical"]}
    return res


# -- targets and report -------------------------------------------------------------------------

def _row(c: dict, name: str) -> dict | None:
    return next((r for r in c["rows"] if r["tool"] == name), None)


def targets(res: dict) -> list[dict]:
    by = {c["label"]: c for c in res["corpora"]}
    out = []

    def add(text, value, limit, met, shown, note=""):
        out.append({"target": text, "value": value, "limit": limit, "met": bool(met), "shown": shown, "note": note})

    def ratio(label, a, b, text, limit, le=True):
        c = by.get(label)
        ra, rb = (_row(c, a), _row(c, b)) if c else (None, None)
        if not ra or not rb:
            missing = a if not ra else b
            add(text, None, limit, False, "not measured", f"{missing} not run")
            return
        v = ra["median_s"] / rb["median_s"]
        note = ""
        bad = [r["tool"] for r in (ra, rb) if r["kind"] == "peer" and not r.get("match", True)]
        if bad:
            note = f"{', '.join(bad)} MISMATCH: not like for like"
        met = (v <= limit if le else v >= limit) and not bad
        add(text, v, limit, met, f"{v:.2f}", note)

    ratio("1 %", BASE, "lognormalizer", "1 %: tcplog scan time / lognormalizer time ≤ 1.0", 1.0)
    ratio("1 %", "syslog-ng patterndb", BASE, "1 %: syslog-ng time / tcplog scan time ≥ 2.5", 2.5, le=False)
    ratio("0.1 %", BASE, "grep -c -E", "0.1 %: tcplog scan time / grep -c -E time ≤ 4.0", 4.0)
    ratio("20 %", BASE, "syslog-ng patterndb", "20 %: tcplog scan time / syslog-ng time < 1.0", 1.0 - 1e-9)
    if res.get("workers_option"):
        ratio("20 %", W2, "lognormalizer",
              "20 %: tcplog scan --workers 2 time / lognormalizer time ≤ 1.0", 1.0)
    else:
        add("20 %: tcplog scan --workers 2 time / lognormalizer time ≤ 1.0", None, 1.0, False, "not measured",
            "tcplog scan has no --workers option")
    j = res.get("journal")
    if j:
        add("journald JSON 1 %: ≥ 400 k records/s", j["records_per_s"], 400_000, j["records_per_s"] >= 400_000,
            f"{j['records_per_s'] / 1000:,.0f} k/s")
    f = res.get("filter")
    if f:
        add("tcplog filter on raw lines: ≥ 250 k records/s", f["records_per_s"], 250_000,
            f["records_per_s"] >= 250_000 and f["one_per_record"], f"{f['records_per_s'] / 1000:,.0f} k/s",
            "" if f["one_per_record"] else "not one answer per record")
    lat = res.get("latency")
    if lat:
        add(f"tcplog filter p99 latency at {lat['rate']:,.0f} records/s < 2 ms", lat["p99_ms"], 2.0,
            lat["p99_ms"] < 2.0 and lat["one_per_record"], f"{lat['p99_ms']:.2f} ms",
            "" if lat["one_per_record"] else "answers lost")
    rss = [r["peak_rss_mib"] for c in res["corpora"] for r in c["rows"] if r["kind"] == "tcplog"]
    rss += [x["peak_rss_mib"] for x in (j, f, lat) if x]
    if rss:
        add("tcplog peak RSS ≤ 64 MiB (every corpus, journal, filter)", max(rss), 64, max(rss) <= 64,
            f"{max(rss):.0f} MiB")
    w = res.get("workers")
    if w:
        same = all(v["identical"] for v in w.values()) and all(
            c.get("workers_identical") in (True, None) for c in res["corpora"])
        add("output identical whatever the worker count", same, True, same, "identical" if same else "DIFFERENT")
    else:
        add("output identical whatever the worker count", None, True, False, "not measured",
            "tcplog scan has no --workers option")
    exact = [(c["label"], r) for c in res["corpora"] for r in c["rows"] if r["kind"] == "tcplog"]
    bad = [f"{label} {r['tool']}" for label, r in exact if not r.get("match")]
    if j and not j["match"]:
        bad.append("journald JSON")
    add("tcplog finds exactly the expected events on every corpus", not bad, True, not bad,
        "exact" if not bad else "MISMATCH", "; ".join(bad))
    return out


def _fmt_rate(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.0f} k"


def markdown(res: dict) -> str:
    m = res["machine"]
    out = [f"# Benchmark results ({res['generated']})", "",
           f"Machine: {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}, load average {m['load_before']} before, "
           f"{m['load_after']} after. tcplog {m['tcplog_commit']}; {m['lognormalizer']}; {m['syslog_ng']}.",
           f"Median of {res['args']['runs']} runs per figure; corpora of {res['args']['lines']:,} lines "
           f"(seed {res['args']['seed']}). `tcplog scan` is one process"
           + (" (`--workers 1`)" if res.get("workers_option") else "")
           + "; `time / tcplog` = the tool's median wall time / tcplog scan's on the same file. "
           "Peak RSS: " + ("GNU time's `%M` (the child's ru_maxrss; for `--workers`, the largest process)."
                           if GNU_TIME else "this process's wait4 (an upper bound: includes the runner's RSS at fork)."),
           ""]
    for c in res["corpora"]:
        out += [f"## {c['label']} corpus: `{c['file']}` ({c['lines']:,} lines, {c['bytes'] / 1e6:.0f} MB, "
                f"{c['expected_events']:,} events expected)", "",
                "| tool | median s | lines/s | MB/s | peak RSS MiB | events found / expected | time / tcplog |",
                "| --- | ---: | ---: | ---: | ---: | --- | ---: |"]
        for r in c["rows"]:
            if r["kind"] == "floor":
                ev = f"({r['candidates']:,} candidate lines)" if "candidates" in r else "—"
            else:
                ev = f"{r['found']:,} / {r['expected']:,} " + ("ok" if r["match"] else "**MISMATCH**")
            err = " (error)" if r.get("error") else ""
            out.append(f"| {r['tool']}{err} | {r['median_s']:.3f} | {_fmt_rate(r['lines_per_s'])} | "
                       f"{r['mb_per_s']:.0f} | {r['peak_rss_mib']:.0f} | {ev} | {r['ratio_to_tcplog']:.2f} |")
        mism = [r for r in c["rows"] if r["kind"] != "floor" and not r.get("match")]
        for r in mism:
            out.append("")
            out.append(f"MISMATCH {r['tool']}: message id [expected, found]: "
                       + ", ".join(f"`{k}` {v}" for k, v in r["diff"].items()))
        out.append("")
    j, f, lat, w = (res.get(k) for k in ("journal", "filter", "latency", "workers"))
    out += ["## tcplog alone", "", "| figure | value |", "| --- | --- |"]
    if j:
        out.append(f"| journald JSON 1 % (`{j['records']:,}` records, {j['bytes'] / 1e6:.0f} MB) | "
                   f"{j['median_s']:.2f} s, {_fmt_rate(j['records_per_s'])} records/s, {j['mb_per_s']:.0f} MB/s, "
                   f"peak RSS {j['peak_rss_mib']:.0f} MiB, events {j['found']:,} / {j['expected']:,} "
                   f"{'ok' if j['match'] else '**MISMATCH**'} |")
    if f:
        out.append(f"| `tcplog filter`, {f['records']:,} raw lines | {f['median_s']:.2f} s, "
                   f"{_fmt_rate(f['records_per_s'])} records/s, {f['out_records']:,} answers "
                   f"({f['annotated']:,} annotated), peak RSS {f['peak_rss_mib']:.0f} MiB |")
    if lat:
        out.append(f"| `tcplog filter` fed at {lat['rate']:,.0f} records/s ({lat['records']:,} records) | "
                   f"p50 {lat['p50_ms']:.3f} ms, p99 {lat['p99_ms']:.3f} ms, max {lat['max_ms']:.1f} ms, "
                   f"{lat['answers']:,} answers |")
        h = lat.get("harness")
        if h:
            out.append(f"| the latency harness itself (`cat` in tcplog's place) | p50 {h['p50_ms']:.3f} ms, "
                       f"p99 {h['p99_ms']:.3f} ms, max {h['max_ms']:.1f} ms |")
    if w:
        for label, v in w.items():
            out.append(f"| `--workers` 1 → 2, {label} | {v['median_s']['1']:.2f} s → {v['median_s']['2']:.2f} s "
                       f"(×{v['speedup']:.2f}), output {'identical' if v['identical'] else '**DIFFERENT**'} |")
    else:
        out.append("| `--workers` scaling | not measured: `tcplog scan` has no `--workers` option |")
    out += ["", "## Targets (issue 4)", "", "| target | measured | status |", "| --- | --- | --- |"]
    for t in res["targets"]:
        note = f" ({t['note']})" if t["note"] else ""
        out.append(f"| {t['target']} | {t['shown']}{note} | {'MET' if t['met'] else '**NOT MET**'} |")
    return "\n".join(out) + "\n"


def paste_readme(md: str, readme: Path = HERE / "README.md") -> None:
    """Replace the block between the README's latest-results markers with this run's tables."""
    begin, end = "<!-- latest results: begin -->", "<!-- latest results: end -->"
    text = readme.read_text()
    if begin not in text or end not in text:
        log(f"NOTE: {readme} has no '{begin}' / '{end}' markers; not pasted")
        return
    title, body = md.split("\n", 1)
    when = title.removeprefix("# Benchmark results (").rstrip(")")
    body = f"Latest run: {when}.\n" + body.replace("\n## ", "\n### ")  # one heading level down
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{begin}\n{body.strip()}\n{end}{tail}")
    log(f"pasted into {readme}")


def machine(tools: dict) -> dict:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "not installed"
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "tcplog", "grammars", "connectors"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "tcplog_commit": commit + (" + uncommitted changes" if dirty else ""),
            "lognormalizer": version([tools["lognormalizer"], "-V"]) if tools.get("lognormalizer") else "no lognormalizer",
            "syslog_ng": version([tools["syslog-ng"], "--version"]) if tools.get("syslog-ng") else "no syslog-ng",
            "load_before": "%.2f %.2f %.2f" % os.getloadavg()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3, help="timed runs per figure; the median is reported (default 3)")
    p.add_argument("--lines", type=int, default=1_000_000, help="lines per corpus (default 1,000,000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cache", type=Path, default=HERE / ".cache", help="corpora and outputs (default bench/.cache)")
    p.add_argument("--results", type=Path, default=HERE / "results", help="where latest.md/.json go")
    p.add_argument("--filter-records", type=int, default=200_000, help="raw lines for the filter throughput")
    p.add_argument("--latency-rate", type=float, default=5000, help="records/s fed for the latency figure")
    p.add_argument("--latency-seconds", type=float, default=10, help="how long to feed (default 10 s)")
    p.add_argument("--no-peers", action="store_true", help="skip lognormalizer and syslog-ng")
    p.add_argument("--readme", action="store_true",
                   help="also paste the table into bench/README.md (between its 'latest' markers)")
    a = p.parse_args(argv)
    if a.runs < 1 or a.lines < 1000:
        p.error("--runs must be ≥ 1 and --lines ≥ 1000")
    try:
        triggers()
    except Exception as exc:  # tcplog must import: the grep keywords come from its registry
        log(f"cannot import tcplog ({exc}); run `make venv` first")
        return 2
    tools = {} if a.no_peers else ensure_tools()
    work = a.cache
    (work / "out").mkdir(parents=True, exist_ok=True)
    res = {"generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "args": {"runs": a.runs, "lines": a.lines, "seed": a.seed}, "machine": machine(tools)}
    dirs, manifests = {}, {}
    for label, ratio in CORPORA:
        d = corpus_dir(work, ratio, a.lines, a.seed)
        manifests[label] = ensure_corpus(d, ratio, a.lines, a.seed)
        dirs[label] = d
    workers = scan_has_workers()
    res["workers_option"] = workers
    tl = make_tools(tools, work, workers)
    res["corpora"] = [bench_corpus(label, dirs[label], manifests[label], tl, a.runs, work) for label, _ in CORPORA]
    res["journal"] = bench_journal(dirs["1 %"], manifests["1 %"], a.runs, work, ["--workers", "1"] if workers else [])
    res["filter"] = bench_filter(dirs["1 %"], a.filter_records, a.runs, work)
    res["latency"] = bench_latency(dirs["1 %"], a.latency_rate, a.latency_seconds)
    # the harness's own floor under the same load: `cat` answers each line as it comes
    res["latency"]["harness"] = bench_latency(dirs["1 %"], a.latency_rate, a.latency_seconds, argv=["cat"])
    res["workers"] = workers_summary(res["corpora"]) if workers else None
    res["machine"]["load_after"] = "%.2f %.2f %.2f" % os.getloadavg()
    res["targets"] = targets(res)
    md = markdown(res)
    a.results.mkdir(parents=True, exist_ok=True)
    (a.results / "latest.md").write_text(md)
    (a.results / "latest.json").write_text(json.dumps(res, indent=1, default=str) + "\n")
    print(md)
    if a.readme:
        paste_readme(md)
    mism = [(c["label"], r["tool"]) for c in res["corpora"] for r in c["rows"]
            if r["kind"] != "floor" and not r.get("match")]
    for label, tool in mism:
        log(f"*** MISMATCH *** {tool} on the {label} corpus: events differ from the manifest (see the table)")
    met = sum(t["met"] for t in res["targets"])
    log(f"targets: {met}/{len(res['targets'])} MET; written to {a.results / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
