"""Joining events to host snapshots by event time; wall time from boot time for dmesg/kmsg."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tcplog.enrich import Enricher, EnrichSettings, kernel_release
from tests import golden


@dataclass(frozen=True)
class Ref:
    host: str
    time: datetime
    id: str


class ListStore:
    """A minimal store honouring the SnapshotStore interface (refs + load)."""

    def __init__(self, docs):
        self.docs = {d["id"]: d for d in docs}
        self.loads = 0

    def refs(self, host):
        return [Ref(d["host"], d["t"], d["id"]) for d in self.docs.values() if d["host"] == host]

    def load(self, ref):
        self.loads += 1
        return self.docs[ref.id]


def snap(host, hhmm, release="3.10.0-1160.el7.x86_64", boot=None, boot_id=None):
    t = datetime(2026, 11, 20, int(hhmm[:2]), int(hhmm[2:]), tzinfo=timezone.utc)
    return {"id": f"{host}-{hhmm}", "host": host, "t": t, "time": t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "kernel": {"release": release, "version": None}, "boot": {"time": boot, "id": boot_id}}


LINE = "Nov 20 10:30:00 web1 kernel: TCP: too many orphaned sockets"


def test_before_and_after_snapshots_are_joined_with_their_age():
    """The latest snapshot at or before the event and the next one after it are joined."""
    store = ListStore([snap("web1", "1000"), snap("web1", "1020"), snap("web1", "1040"), snap("web2", "1029")])
    (event,) = golden.run([LINE])
    joined = Enricher(store).join(event)
    assert (joined.before["id"], joined.after["id"]) == ("web1-1020", "web1-1040")
    assert event["snapshot"]["before"] == {"id": "web1-1020", "time": "2026-11-20T10:20:00.000000Z", "age_s": 600.0}
    assert event["snapshot"]["after"]["age_s"] == -600.0


def test_snapshot_older_than_the_bound_counts_as_missing():
    """A snapshot further from the event than max_age is stale: recorded, not used."""
    store = ListStore([snap("web1", "0800")])
    (event,) = golden.run([LINE])
    joined = Enricher(store, EnrichSettings(max_age=timedelta(hours=1))).join(event)
    assert joined.before is None and event["snapshot"]["before"] is None
    assert event["snapshot"]["stale"][0]["id"] == "web1-0800"


def test_no_snapshot_for_the_host():
    """An event of a host with no snapshots joins nothing."""
    (event,) = golden.run([LINE])
    joined = Enricher(ListStore([snap("web9", "1020")])).join(event)
    assert (joined.before, joined.after, event["snapshot"]["stale"]) == (None, None, [])


def test_dmesg_event_gets_wall_time_from_boot_time_flagged_derived():
    """kmsg/dmesg monotonic seconds + the snapshot's boot time = wall time, marked derived."""
    store = ListStore([snap("web1", "1020", boot="2026-11-20T10:00:00.000000Z")])
    (event,) = golden.run(["[ 1500.250000] TCP: too many orphaned sockets"])
    joined = Enricher(store, EnrichSettings(default_host="web1")).join(event)
    assert event["host"] == "web1" and event["time"] == "2026-11-20T10:25:00.250000Z"
    assert event["time_derived"] is True and joined.before["id"] == "web1-1020"


def test_boot_id_must_match_to_derive_time():
    """A snapshot of another boot does not give a kmsg event its wall time."""
    store = ListStore([snap("web1", "1020", boot="2026-11-20T10:00:00.000000Z", boot_id="b" * 32)])
    line = ('{"MESSAGE":"TCP: too many orphaned sockets","_TRANSPORT":"kernel","_HOSTNAME":"web1",'
            '"_SOURCE_MONOTONIC_TIMESTAMP":"1500000000","_BOOT_ID":"' + "a" * 32 + '"}')
    (event,) = golden.run([line])
    Enricher(store).join(event)
    assert event["time"] is None and event["time_derived"] is False


def test_a_snapshot_of_a_later_boot_is_not_joined():
    """The host rebooted after the event (10:30) and before the 10:40 snapshot: that one is not `after`."""
    store = ListStore([snap("web1", "1020", boot="2026-11-01T00:00:00.000000Z"),
                       snap("web1", "1040", boot="2026-11-20T10:35:00.000000Z")])
    (event,) = golden.run([LINE])
    joined = Enricher(store).join(event)
    assert joined.before["id"] == "web1-1020" and joined.after is None and event["snapshot"]["after"] is None
    assert event["snapshot"]["stale"] == [{"id": "web1-1040", "time": "2026-11-20T10:40:00.000000Z",
                                           "age_s": -600.0, "reason": "another boot"}]


def test_a_before_snapshot_is_refused_when_the_after_shows_a_reboot_before_the_event():
    """No boot ids: the 10:40 snapshot booted at 10:25, after the 10:20 one was taken and before the
    10:30 event, so the host rebooted in between and the 10:20 snapshot is of another boot."""
    store = ListStore([snap("web1", "1020", boot="2026-11-01T00:00:00.000000Z"),
                       snap("web1", "1040", boot="2026-11-20T10:25:00.000000Z")])
    (event,) = golden.run([LINE])
    joined = Enricher(store).join(event)
    assert joined.before is None and joined.after["id"] == "web1-1040"
    assert event["snapshot"]["stale"] == [{"id": "web1-1020", "time": "2026-11-20T10:20:00.000000Z",
                                           "age_s": 600.0, "reason": "another boot"}]


def test_an_after_snapshot_too_far_to_judge_by_still_shows_the_reboot():
    """The after snapshot is over max_age from the event, but its boot time still proves the reboot."""
    store = ListStore([snap("web1", "1020", boot="2026-11-01T00:00:00.000000Z"),
                       snap("web1", "2300", boot="2026-11-20T10:25:00.000000Z")])
    (event,) = golden.run([LINE])
    joined = Enricher(store, EnrichSettings(max_age=timedelta(hours=1))).join(event)
    assert (joined.before, joined.after) == (None, None)
    assert [s.get("reason") for s in event["snapshot"]["stale"]] == ["another boot", None]


def test_the_event_monotonic_stamp_places_its_boot_after_the_before_snapshot():
    """10:30:00 with [120.0] since boot: the kernel booted at 10:28, after the 10:20 snapshot was
    taken, so that snapshot (of the boot of Nov 1) is of another boot; [ 2000000.0] is the same boot."""
    store = ListStore([snap("web1", "1020", boot="2026-11-01T00:00:00.000000Z")])
    (event,) = golden.run(["Nov 20 10:30:00 web1 kernel: [  120.000000] TCP: too many orphaned sockets"])
    assert Enricher(store).join(event).before is None
    assert event["snapshot"]["stale"][0]["reason"] == "another boot"
    (event,) = golden.run(["Nov 20 10:30:00 web1 kernel: [1675800.000000] TCP: too many orphaned sockets"])
    assert Enricher(store).join(event).before["id"] == "web1-1020"


def test_boots_within_the_slack_are_one_boot():
    """A snapshot taken 30 s after its boot at 10:20:00 and an event whose stamps put its boot at
    10:21:00 (a clock step of a minute) are one boot; stamps putting it at 10:25 are another."""
    store = ListStore([dict(snap("web1", "1020", boot="2026-11-20T10:20:00.000000Z"),
                            t=datetime(2026, 11, 20, 10, 20, 30, tzinfo=timezone.utc),
                            time="2026-11-20T10:20:30.000000Z")])
    (event,) = golden.run(["Nov 20 10:30:00 web1 kernel: [  540.000000] TCP: too many orphaned sockets"])
    assert Enricher(store).join(event).before["id"] == "web1-1020"
    (event,) = golden.run(["Nov 20 10:30:00 web1 kernel: [  300.000000] TCP: too many orphaned sockets"])
    assert Enricher(store).join(event).before is None


def test_a_snapshot_with_another_boot_id_is_not_joined_whatever_its_spelling():
    """journald's _BOOT_ID (32 hex digits) is compared with /proc's dashed boot_id: equal joins, unequal does not."""
    dashed = "0123abcd-0123-4567-89ab-0123456789ab"
    line = ('{"MESSAGE":"TCP: too many orphaned sockets","_TRANSPORT":"kernel","_HOSTNAME":"web1",'
            '"__REALTIME_TIMESTAMP":"1795170600000000","_BOOT_ID":"%s"}')
    store = ListStore([snap("web1", "1020", boot_id=dashed)])
    (same,) = golden.run([line % dashed.replace("-", "")])
    assert Enricher(store).join(same).before["id"] == "web1-1020"
    (other,) = golden.run([line % ("f" * 32)])
    assert Enricher(store).join(other).before is None and other["snapshot"]["stale"][0]["reason"] == "another boot"


def test_snapshot_lists_and_documents_are_cached():
    """Repeated events of one host load each snapshot once."""
    store = ListStore([snap("web1", "1020")])
    enricher = Enricher(store)
    for event in golden.run([LINE] * 5):
        enricher.join(event)
    assert store.loads == 1


def test_kernel_release_prefers_the_override_then_the_snapshot():
    """--kernel wins; else the joined snapshot's release."""
    store = ListStore([snap("web1", "1020")])
    (event,) = golden.run([LINE])
    joined = Enricher(store).join(event)
    assert kernel_release(joined) == "3.10.0-1160.el7.x86_64"
    assert kernel_release(joined, "2.6.18-419.el5") == "2.6.18-419.el5"
