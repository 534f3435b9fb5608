"""Coverage-guided fuzzing in `make test`: a bounded atheris run of each harness in fuzz/, and every
input a fuzzer ever crashed kept as a regression case (tests/fuzz_regressions/<harness>/).

- fuzz/fuzz_records.py: the record path (framing, prefilter, grammars, the filter's answer);
  TCPLOG_FUZZ_RUNS inputs (default 20,000).
- fuzz/fuzz_snapshots.py: snapshot documents and the stores, `--snapshot` files, `sysctl -a`, every
  /proc parser, copied /proc trees, sosreports; TCPLOG_FUZZ_SNAPSHOT_RUNS (default 2,000).
- fuzz/fuzz_rules.py: TOML rule files through load_rule_file, and the engine with a rule it
  accepts; TCPLOG_FUZZ_RULE_RUNS (default 3,000).
"""

from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from tcplog.filter import Filter
from tcplog.framing.context import FramingContext

REPO = Path(__file__).parent.parent
FUZZ = REPO / "fuzz"
KEPT = REPO / "tests" / "fuzz_regressions"
HARNESSES = {  # name: (runs, extra libFuzzer flags)
    "records": (os.environ.get("TCPLOG_FUZZ_RUNS", "20000"), ["-max_len=512"]),
    "snapshots": (os.environ.get("TCPLOG_FUZZ_SNAPSHOT_RUNS", "2000"),
                  ["-max_len=16384", f"-dict={FUZZ / 'snapshots.dict'}"]),
    "rules": (os.environ.get("TCPLOG_FUZZ_RULE_RUNS", "3000"), ["-max_len=8192", f"-dict={FUZZ / 'rules.dict'}"]),
}


def _kept(harness: str) -> list[Path]:
    return sorted(p for p in (KEPT / harness).iterdir() if p.is_file())


def _harness(name: str):
    """The harness module, imported without atheris instrumentation (that is only for a fuzzing run)."""
    spec = importlib.util.spec_from_file_location(f"fuzz_{name}", FUZZ / f"fuzz_{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("case", _kept("records"), ids=[p.name for p in _kept("records")])
def test_inputs_that_once_crashed_are_answered(case):
    """Each kept crashing input gets exactly one JSON object line from the filter."""
    data = case.read_bytes().replace(b"\n", b" ")
    out = Filter().process(data, FramingContext(reference=datetime(2026, 11, 22, tzinfo=timezone.utc)))
    assert out.count(b"\n") == 1 and isinstance(orjson.loads(out.lstrip(b"\x1e")), dict)


LOADER_CASES = [(h, p) for h in ("snapshots", "rules") for p in _kept(h)]


@pytest.mark.parametrize("harness,case", LOADER_CASES, ids=[f"{h}/{p.name}" for h, p in LOADER_CASES])
def test_inputs_that_once_crashed_the_loaders_pass_the_harness(harness, case):
    """Each kept crashing input of the snapshot and rule harnesses now passes the harness's checks
    (only the project's own errors, documents that validate and survive the stores)."""
    _harness(harness).one_input(case.read_bytes())


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_bounded_coverage_guided_run_finds_no_crash(name, tmp_path):
    """libFuzzer through atheris, from fuzz/seeds/<harness>/, for the harness's bounded number of inputs."""
    try:
        import atheris  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("atheris is not installed; `make test` installs it")
        pytest.skip("atheris is not installed (pip install atheris)")
    runs, flags = HARNESSES[name]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # the harness's own files: on tmpfs when there is one (the folder store fsyncs), removed after
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else tmp_path
    scratch = Path(tempfile.mkdtemp(prefix="tcplog-fuzz-test-", dir=shm))
    # libFuzzer's out-of-memory check reads ru_maxrss, which a child inherits from this process (the
    # peak of every earlier test in it): the limit is libFuzzer's 2 GiB above that, not 2 GiB in all.
    inherited_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    limits = [f"-rss_limit_mb={2048 + inherited_mb}", "-malloc_limit_mb=2048"]
    try:
        r = subprocess.run([sys.executable, str(FUZZ / f"fuzz_{name}.py"), f"-runs={runs}", "-timeout=30", *limits, *flags,
                            f"-artifact_prefix={tmp_path}/", str(corpus), str(FUZZ / "seeds" / name)],
                           capture_output=True, timeout=600, env={**os.environ, "TCPLOG_FUZZ_SCRATCH": str(scratch)})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    found = [p.name for p in tmp_path.iterdir() if p.name.split("-")[0] in ("crash", "timeout", "oom", "leak")]
    assert r.returncode == 0 and not found, (found, r.stderr.decode(errors="replace")[-3000:])
