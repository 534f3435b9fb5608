"""Coverage-guided fuzzing in `make test`: a bounded atheris run, and every input a fuzzer ever
crashed kept as a regression case (tests/fuzz_regressions/)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from tcplog.filter import Filter
from tcplog.framing.context import FramingContext

REPO = Path(__file__).parent.parent
REGRESSIONS = sorted((REPO / "tests" / "fuzz_regressions").iterdir())
RUNS = os.environ.get("TCPLOG_FUZZ_RUNS", "20000")


@pytest.mark.parametrize("case", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_inputs_that_once_crashed_are_answered(case):
    """Each kept crashing input gets exactly one JSON object line from the filter."""
    data = case.read_bytes().replace(b"\n", b" ")
    out = Filter().process(data, FramingContext(reference=datetime(2026, 11, 22, tzinfo=timezone.utc)))
    assert out.count(b"\n") == 1 and isinstance(orjson.loads(out.lstrip(b"\x1e")), dict)


def test_bounded_coverage_guided_run_finds_no_crash(tmp_path):
    """libFuzzer through atheris, from the golden lines as seeds, for TCPLOG_FUZZ_RUNS inputs (default 20000)."""
    try:
        import atheris  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("atheris is not installed; `make test` installs it")
        pytest.skip("atheris is not installed (pip install atheris)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    r = subprocess.run([sys.executable, str(REPO / "fuzz" / "fuzz_records.py"), f"-runs={RUNS}", "-max_len=512",
                        f"-artifact_prefix={tmp_path}/", str(corpus), str(REPO / "fuzz" / "seeds")],
                       capture_output=True, timeout=600)
    crashes = list(tmp_path.glob("crash-*"))
    assert r.returncode == 0 and not crashes, r.stderr.decode()[-3000:]
