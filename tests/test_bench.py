"""Smoke test of the benchmark suite: the corpus generator, tcplog and the peers agree on small corpora.

The generator writes ~2,000 lines per ratio; tcplog must find exactly the events its manifest
expects, per family, in the syslog and the journald JSON file. The peers' rule files must load
and find the same events (skipped outside CI when the Debian tools are missing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH / "peers"))

import corpus  # noqa: E402
import rules  # noqa: E402
import run  # noqa: E402
import stages  # noqa: E402

RATIOS = (0.001, 0.01, 0.2)
LINES = 2000
SEED = 1

# tcplog behaviours the manifest expects (from tcplog's own documentation) that tcplog does not
# implement yet: message id -> what is missing. A difference confined to these ids is an xfail,
# so a known gap is visible without failing `make test`; any other difference fails.
KNOWN_GAPS: dict[str, str] = {}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("bench")
    return {r: (base / f"r{r}", corpus.generate(base / f"r{r}", LINES, r, seed=SEED)) for r in RATIOS}


def _scan(path: Path) -> dict:
    p = subprocess.run([sys.executable, "-m", "tcplog", "scan", str(path), "--stats", "-o", "/dev/null"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stderr.strip().splitlines()[-1])


def _check(expected: dict, found_by_message: dict) -> None:
    exp_fam, got_fam = Counter(), Counter()
    for mid, n in expected["events_by_message"].items():
        exp_fam[corpus.family(mid)] += n
    for mid, n in found_by_message.items():
        got_fam[corpus.family(mid)] += n
    diff = {m for m in set(expected["events_by_message"]) | set(found_by_message)
            if expected["events_by_message"].get(m, 0) != found_by_message.get(m, 0)}
    if diff and diff <= set(KNOWN_GAPS):
        pytest.xfail("; ".join(KNOWN_GAPS[m] for m in sorted(diff)))
    assert dict(got_fam) == expected["events_by_family"]
    assert found_by_message == expected["events_by_message"]


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("name", ["syslog.log", "journal.json"])
def test_tcplog_finds_what_the_manifest_expects(corpora, ratio, name):
    """tcplog scan finds exactly the manifest's events, per family and message id."""
    d, manifest = corpora[ratio]
    stats = _scan(d / name)
    _check(manifest["files"][name], stats["events_by_message"])


def test_manifest_counts_every_family_in_the_incident_corpus(corpora):
    """The 20 % corpus holds every family (small as it is), and look-alikes."""
    _, manifest = corpora[0.2]
    families = {corpus.family(m) for m in corpus.ALL_IDS}
    assert set(manifest["files"]["syslog.log"]["events_by_family"]) == families
    assert manifest["files"]["syslog.log"]["lines"] == LINES


def test_generator_is_deterministic(tmp_path):
    """The same seed writes the same bytes."""
    corpus.generate(tmp_path / "a", 500, 0.2, seed=3)
    corpus.generate(tmp_path / "b", 500, 0.2, seed=3)
    for name in ("syslog.log", "journal.json", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_peer_rule_files_are_generated_from_their_table():
    """bench/peers/tcplog.rulebase and tcplog.pdb are what bench/peers/rules.py writes."""
    assert (BENCH / "peers" / "tcplog.rulebase").read_text() == rules.rulebase()
    assert (BENCH / "peers" / "tcplog.pdb").read_text() == rules.patterndb()


def test_lognormalizer_rulebase_loads_and_matches(corpora, tmp_path):
    """lognormalizer loads the rulebase without complaint and finds the manifest's events."""
    tool = require_tool(run.which("lognormalizer") or "lognormalizer", "benchmark peer, Debian liblognorm-utils")
    for ratio in RATIOS:
        d, manifest = corpora[ratio]
        out = tmp_path / f"ln{ratio}.jsonl"
        with open(d / "syslog.log", "rb") as fin, open(out, "wb") as fout:
            p = subprocess.run([tool, "-r", str(run.RULEBASE), "-T", "-p", "-e", "json"], stdin=fin, stdout=fout,
                               stderr=subprocess.PIPE, timeout=60)
        assert p.returncode == 0 and not p.stderr.strip(), p.stderr
        assert dict(run.count_lognorm(out)) == manifest["files"]["syslog.log"]["events_by_message"]


def test_syslog_ng_patterndb_loads_and_matches(corpora, tmp_path):
    """syslog-ng accepts the config and patterndb, and db-parser() finds the manifest's events."""
    tool = require_tool(run.which("syslog-ng") or "syslog-ng", "benchmark peer, Debian syslog-ng-core")
    for ratio in RATIOS:
        d, manifest = corpora[ratio]
        out = tmp_path / f"sng{ratio}.jsonl"
        conf = tmp_path / "syslog-ng.conf"
        conf.write_text(rules.SYSLOG_NG_CONF.format(pdb=run.PDB, out=out, sentinel=rules.SENTINEL))
        base = [tool, "-f", str(conf), "-p", str(tmp_path / "pid"), "-R", str(tmp_path / f"persist{ratio}"),
                "-c", str(tmp_path / "ctl")]
        syntax = subprocess.run([*base, "--syntax-only"], capture_output=True, text=True, timeout=60)
        assert syntax.returncode == 0, syntax.stderr
        # stdin() must be a pipe (syslog-ng cannot follow a regular file there); it exits at EOF
        p = subprocess.run([*base, "-F", "--no-caps"], input=(d / "syslog.log").read_bytes(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        assert p.returncode == 0, p.stderr
        assert dict(run.count_syslog_ng(out)) == manifest["files"]["syslog.log"]["events_by_message"]


def test_stage_profile_sees_every_event_scan_sees(corpora):
    """bench/stages.py times the chain over the same events as `tcplog scan` (continuation
    lines are events of their own there: it does not merge them), and every stage gets time."""
    d, _ = corpora[0.2]
    stats = _scan(d / "syslog.log")
    events, _, spent = stages.run(d / "syslog.log")
    assert events == stats["events"] + stats["merged"]
    assert set(spent) == set(stages.STAGES) and all(ns > 0 for ns in spent.values())
