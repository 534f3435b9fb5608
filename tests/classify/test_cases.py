"""The classification case table (cases.toml): line + snapshot facts + kernel → expected cause id."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tcplog.classify import classify, load_rules
from tcplog.classify.examples import example_event
from tcplog.grammars import FAMILIES

CASES = tomllib.loads((Path(__file__).parent / "cases.toml").read_text())["case"]


def snapshots(case: dict) -> tuple[dict | None, dict | None]:
    """The documents the caller would pass: none at all when the case's snapshots are stale."""
    if case.get("stale"):
        return None, None
    return case.get("before"), case.get("after")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    """The event of the case's line classifies to the expected cause (and asks for what it lacks, and gives the
    commands and suggestions of the case's kernel)."""
    event = example_event(case)
    assert event is not None, "the line is not one tcplog event"
    before, after = snapshots(case)
    cause = classify(event, before, after, kernel_release=case.get("kernel"), catalog=load_rules())
    assert cause["id"] == case["expect"], cause["summary"]
    wheres = [c["where"] for c in cause["collect"]]
    missing = [w for w in case.get("collect", []) if w not in wheres]
    assert not missing, f"collect lacks {missing}; has {wheres}"
    commands = [r["command"] for r in cause["remediation"]]
    assert [c for c in case.get("commands", []) if c not in commands] == [], f"remediation gives {commands}"
    assert [c for c in case.get("absent", []) if c in commands] == [], f"remediation gives {commands}"
    suggested = {r["knob"]: r["suggested"] for r in cause["remediation"]}
    assert {k: suggested.get(k) for k in case.get("suggested", {})} == case.get("suggested", {})
    assert [s for s in case.get("summary", []) if s not in cause["summary"]] == [], cause["summary"]


def test_cases_use_only_the_keys_the_test_reads():
    """A misspelt key (`present` for `commands`) would be a check that never runs."""
    known = {"name", "line", "event", "kernel", "before", "after", "stale", "expect", "collect", "commands",
             "absent", "suggested", "summary"}
    assert [(c["name"], sorted(set(c) - known)) for c in CASES if set(c) - known] == []


def test_every_family_has_three_cases():
    """At least three cases per family."""
    count = {f.FAMILY: 0 for f in FAMILIES}
    for case in CASES:
        count[example_event(case)["family"]] += 1
    assert not [f for f, n in count.items() if n < 3], count


def test_table_pins_per_kernel_commands_on_old_and_new_kernels():
    """Remediation commands are pinned on a kernel before and after a change, and with the kernel unknown."""
    pinned = [c for c in CASES if "commands" in c or "suggested" in c]
    kernels = {c.get("kernel", "unknown").split("-")[0] for c in pinned}
    assert {"2.6.18", "3.10.0", "4.18.0", "unknown"} <= kernels and any("absent" in c for c in pinned)


def test_table_covers_version_edges_missing_stale_and_deltas():
    """The table holds 2.6.18, 2.6.32, 3.10 and 5.4+ kernels, missing and stale snapshots, and deltas."""
    kernels = {c.get("kernel", "").split("-")[0] for c in CASES}
    assert {"2.6.18", "2.6.32", "3.10.0", "5.4.0"} <= kernels and any(k >= "5.15" for k in kernels)
    assert any("before" not in c and "after" not in c and c["expect"] == "ambiguous" for c in CASES)
    assert any(c.get("stale") for c in CASES) and any("after" in c and not c.get("stale") for c in CASES)
