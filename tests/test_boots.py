"""Which boot a snapshot or an event belongs to (tcplog.boots): one boot-id spelling, one reboot test."""

from __future__ import annotations

from tcplog import boots, counters, occurrences

DASHED = "3f0c1b8e-9d57-4a43-8b1e-52a6c0f3d7aa"


def snap(time, boot_time=None, boot_id=None, **sections):
    return {"host": "web1", "time": time, "boot": {"time": boot_time, "id": boot_id}, **sections}


def test_boot_id_spellings_share_one_key():
    """/proc's dashed form, journald's 32 hex digits and an upper-case copy are one boot id."""
    assert boots.key(DASHED) == boots.key(DASHED.replace("-", "")) == boots.key(DASHED.upper())
    assert not boots.ids_differ(DASHED.upper(), DASHED.replace("-", ""))
    assert boots.ids_differ(DASHED, "f" * 32) and not boots.ids_differ(DASHED, None)


def test_a_boot_within_the_slack_of_the_snapshot_boot_is_the_same_boot():
    """btime moves with clock steps: a boot time a minute after the snapshot's (taken 30 s after boot) is one boot."""
    early = snap("2026-11-20T10:00:30.000000Z", "2026-11-20T10:00:00.000000Z")
    assert not boots.apart(early, snap("2026-11-20T11:00:00.000000Z", "2026-11-20T10:01:00.000000Z"))
    assert boots.apart(early, snap("2026-11-20T11:00:00.000000Z", "2026-11-20T10:30:00.000000Z"))


def test_counter_findings_compare_boot_ids_in_any_spelling():
    """Two snapshots of one boot (ids spelled differently) whose TCPTimeWaitOverflow rose make a finding."""
    before = snap("2026-11-20T10:00:00.000000Z", boot_id=DASHED.upper(),
                  netstat={"TcpExt": {"TCPTimeWaitOverflow": 5}})
    after = snap("2026-11-20T10:10:00.000000Z", boot_id=DASHED.replace("-", ""),
                 netstat={"TcpExt": {"TCPTimeWaitOverflow": 9}})
    found = list(counters.findings([before, after]))
    assert [e["fields"]["delta"] for e, _, _ in found] == [4]


def test_occurrence_counter_delta_compares_boot_ids_in_any_spelling():
    """The counter delta of an event between two snapshots of one boot is known whatever the id spelling."""
    event = {"family": "conntrack_full", "fields": {}}
    before = snap("2026-11-20T10:00:00.000000Z", boot_id=DASHED, conntrack={"stat": {"drop": 10}})
    after = snap("2026-11-20T10:10:00.000000Z", boot_id=DASHED.replace("-", "").upper(),
                 conntrack={"stat": {"drop": 25}})
    assert occurrences.counter_delta(event, before, after) == ("conntrack.stat.drop", 15)


def test_equal_boot_ids_are_one_boot_whatever_the_clocks_say():
    """A snapshot with the event's boot id is of the event's boot even when its boot time is after the event."""
    event = {"kernel": {"boot_id": DASHED.replace("-", ""), "monotonic": None}, "time_derived": False}
    doc = snap("2026-11-20T11:00:00.000000Z", "2026-11-20T10:45:00.000000Z", DASHED)
    assert not boots.other_boot(event, doc, boots._time("2026-11-20T10:30:00Z"))
    assert boots.other_boot(event, dict(doc, boot={"time": None, "id": "f" * 32}), boots._time("2026-11-20T10:30:00Z"))
