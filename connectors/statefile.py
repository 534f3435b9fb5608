"""Small JSON state files (follow cursors, positions), written atomically.

    {"version": 1, "source": "journal", "cursor": "s=...;i=3;..."}

`save` writes a temporary file in the same folder, fsyncs it, renames it over the final name
and fsyncs the folder (the snapshot_store pattern): a reader sees the old state or the new one,
never half of one. `load` returns None when there is no state yet; a file that is not a JSON
object of the expected source is never silently reset: it is moved aside to
`<name>.corrupt-<unix time>` and reported as a StateError-free `problem` string, and the caller
starts as if there were no state.
"""

from __future__ import annotations

import os
import time

import orjson

from tcplog.connectors import atomic

VERSION = 1


def save(path: str, state: dict) -> None:
    atomic.write(path, orjson.dumps(dict(state, version=VERSION), option=orjson.OPT_APPEND_NEWLINE))


def load(path: str, source: str) -> tuple[dict | None, str | None]:
    """(state, problem): (None, None) when absent; (None, why) when corrupt and moved aside."""
    try:
        with open(path, "rb") as f:
            data = f.read(16 << 20)
    except FileNotFoundError:
        return None, None
    try:
        state = orjson.loads(data)
        if not isinstance(state, dict):
            raise ValueError("not a JSON object")
        if state.get("version") != VERSION:
            raise ValueError(f"unknown state version {state.get('version')!r}")
        if state.get("source") != source:
            raise ValueError(f"state of source {state.get('source')!r}, not {source!r}")
        return state, None
    except ValueError as exc:  # orjson.JSONDecodeError is a ValueError
        aside = f"{path}.corrupt-{int(time.time())}"
        os.replace(path, aside)
        return None, f"{path}: unusable state ({exc}); moved aside to {aside}, starting without state"
