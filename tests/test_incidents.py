"""Incidents: one host's events close in time combine into one finding with a joint cause."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tcplog import counting
from tcplog.incidents import IncidentGrouper, IncidentRuleError, load_rules
from tests import golden


def group(lines, window=timedelta(minutes=5)):
    return list(counting.run(IncidentGrouper(window), golden.run(lines)))


def test_orphans_tcp_mem_and_tw_overflow_make_socket_memory_pressure():
    """orphans + tcp_mem + TIME_WAIT overflow on one host within the window → socket_memory_pressure."""
    out = group(["Nov 20 10:00:00 web1 kernel: TCP: too many orphaned sockets",
                 "Nov 20 10:00:01 web1 kernel: TCP: out of memory -- consider tuning tcp_mem",
                 "Nov 20 10:02:00 web1 kernel: TCP: time wait bucket table overflow"])
    ids = {e["incident"]["id"] for e in out}
    assert len(ids) == 1 and out[0]["incident"]["cause"] == "socket_memory_pressure"
    assert out[0]["incident"]["families"] == ["orphans", "tcp_mem", "tw_bucket_overflow"]
    assert out[0]["incident"]["events"] == 3


def test_a_gap_longer_than_the_window_starts_a_new_incident():
    """Events further apart than the window are separate incidents."""
    out = group(["Nov 20 10:00:00 web1 kernel: TCP: too many orphaned sockets",
                 "Nov 20 11:00:00 web1 kernel: TCP: out of memory -- consider tuning tcp_mem"])
    assert out[0]["incident"]["id"] != out[1]["incident"]["id"]
    assert {e["incident"]["cause"] for e in out} == {"orphans", "tcp_mem"}


def test_hosts_are_kept_apart():
    """Two hosts' events never share an incident."""
    out = group(["Nov 20 10:00:00 web1 kernel: TCP: too many orphaned sockets",
                 "Nov 20 10:00:01 web2 kernel: TCP: out of memory -- consider tuning tcp_mem"])
    assert len({e["incident"]["id"] for e in out}) == 2


def test_dmesg_events_group_by_monotonic_time():
    """Without wall time, kernel monotonic seconds decide the window."""
    out = group(["[  100.0] TCP: too many orphaned sockets", "[  101.0] TCP: out of memory -- consider tuning tcp_mem",
                 "[ 9000.0] TCP: too many orphaned sockets"])
    assert [e["incident"]["events"] for e in out] == [2, 2, 1]


def test_every_event_leaves_once_in_order_per_host():
    """Grouping drops and doubles nothing."""
    lines = [f"Nov 20 10:{m:02d}:00 web{m % 2} kernel: TCP: too many orphaned sockets" for m in range(20)]
    out = group(lines, timedelta(minutes=1))
    assert sorted(e["source"]["line"] for e in out) == list(range(1, 21))


def test_rules_file_with_unknown_family_is_rejected_naming_it():
    """The incident rules are validated at load."""
    bad = '[[incident]]\nid = "x"\nfamilies = ["nope"]\nmin_families = 1\nsummary = "s"\nadvice = "a"\n'
    with pytest.raises(IncidentRuleError, match="unknown families"):
        load_rules(bad, "bad.toml")


def test_rules_file_with_unknown_key_is_rejected():
    """Unknown keys are errors, not ignored."""
    bad = '[[incident]]\nid = "x"\nfamilies = ["orphans"]\nmin_families = 1\nsummary = "s"\nadvice = "a"\nsevrity = 1\n'
    with pytest.raises(IncidentRuleError, match="sevrity"):
        load_rules(bad, "bad.toml")


def test_shipped_incident_rules_load():
    """The packaged rules are valid."""
    assert {r.id for r in load_rules()} >= {"socket_memory_pressure", "connection_flood"}
