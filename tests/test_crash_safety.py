"""Crash-safe state: a process killed at any moment while writing state leaves the old or the new
state, never a corrupt one (follow positions and cursors, the snapshot folder store)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

WRITER = r"""
import sys
from tcplog.connectors import statefile
path = sys.argv[1]
i = 0
print("ready", flush=True)
while True:
    i += 1
    statefile.save(path, {"source": "files", "counter": i, "padding": "x" * (i % 5000)})
"""

STORE_WRITER = r"""
import copy, json, sys
from tcplog.connectors.snapshot_store import FolderStore
store = FolderStore(sys.argv[1])
doc = json.loads(open(sys.argv[2]).read())
print("ready", flush=True)
i = 0
while True:
    i += 1
    d = copy.deepcopy(doc)
    d["time"] = "2026-11-20T%02d:%02d:%02d.000000Z" % (i // 3600 % 24, i // 60 % 60, i % 60)
    store.put(d)
"""


def _kill_while_writing(script: str, *args: str, runs: int) -> None:
    for _ in range(runs):
        proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(random.uniform(0.005, 0.08))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


def test_killed_state_writer_leaves_old_or_new_state(tmp_path):
    """SIGKILL at random moments while saving follow state: every time the file loads whole."""
    from tcplog.connectors import statefile

    path = str(tmp_path / "state.json")
    last = 0
    for _ in range(15):
        _kill_while_writing(WRITER, path, runs=1)
        state, problem = statefile.load(path, "files")
        assert problem is None and state is not None
        assert state["counter"] >= 1 and len(state["padding"]) == state["counter"] % 5000
        last = state["counter"]
    assert last > 0


def test_killed_snapshot_store_writer_leaves_only_whole_snapshots(tmp_path):
    """SIGKILL while filing snapshots: every stored snapshot validates; no problem files."""
    from tcplog.connectors.snapshot_store import FolderStore

    doc = subprocess.run([sys.executable, "-m", "tcplog", "snapshot", "--from", "tests/fixtures/sosreport-web1"],
                         capture_output=True, check=True, timeout=60).stdout
    src = tmp_path / "doc.json"
    src.write_bytes(doc)
    root = str(tmp_path / "store")
    _kill_while_writing(STORE_WRITER, root, str(src), runs=10)
    store = FolderStore(root)
    refs = store.refs("web1")
    assert refs, "nothing was stored before the kills"
    for ref in refs:
        assert store.load(ref)["host"] == "web1"
    assert store.problems == []


def test_corrupt_state_file_is_moved_aside_and_reported(tmp_path):
    """A corrupt state file is not silently reset: it is moved aside and named."""
    from tcplog.connectors import statefile

    path = tmp_path / "state.json"
    path.write_bytes(b'{"version": 1, "source": "files", "cou')
    state, problem = statefile.load(str(path), "files")
    assert state is None and problem
    aside = [p for p in os.listdir(tmp_path) if p.startswith("state.json.corrupt-")]
    assert len(aside) == 1 and not path.exists()
    assert json.loads(json.dumps(problem))  # a plain string naming what happened
