"""Which boot a snapshot or an event belongs to: one boot-id spelling, one reboot test.

A boot id is 128 random bits the kernel draws at every boot. /proc/sys/kernel/random/boot_id
prints it dashed (`3f0c1b8e-9d57-4a43-8b1e-52a6c0f3d7aa`), journald's `_BOOT_ID` as 32 hex
digits; `key()` is the one spelling every comparison uses (enrich, facts, counters, occurrences).

Copies of /proc and sosreports seldom carry the boot id, but they carry the boot time (`btime` of
/proc/stat). Then boot times decide. A boot is *later* than a snapshot when it started after the
snapshot was taken and more than `SLACK` after the snapshot's own boot time:

* btime is the clock minus the uptime, so every clock step (NTP after boot, a VM's clock catching
  up) moves it; two snapshots of one boot can disagree by the step, and SLACK absorbs steps of up
  to two minutes. A snapshot taken later in its boot is protected by more: a boot before the
  snapshot was taken cannot be a later one.
* the same test places an event without a boot id: the boot its own stamps imply (wall time minus
  the kernel's monotonic seconds, `[ 12.5]`, kmsg microseconds) must be later than the snapshot.
  That implied boot is off by syslog's whole seconds and by the printk clock's drift (parts per
  million of the uptime), but a false reboot needs an error larger than both the slack and the
  snapshot's uptime when it was taken. The printk clock stops while the host is suspended, so a
  host suspended for longer than that between the snapshot and the event looks rebooted.

Pure: documents and times are handed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tcplog.framing.context import parse_iso

SLACK = timedelta(minutes=2)  # clock steps and jitter tolerated between two readings of one boot


def key(boot_id) -> str | None:
    """The comparable spelling of a boot id (no dashes, lower case), or None."""
    if not isinstance(boot_id, str):
        return None
    return boot_id.replace("-", "").strip().casefold() or None


def ids_differ(a, b) -> bool:
    """True when both boot ids are known and name different boots (in any spelling)."""
    ka, kb = key(a), key(b)
    return ka is not None and kb is not None and ka != kb


def boot_time(doc: dict | None) -> datetime | None:
    """When the snapshot's host booted, or None."""
    return _time(_boot(doc).get("time"))


def boot_id(doc: dict | None):
    """The snapshot's boot id as written, or None."""
    return _boot(doc).get("id")


def later_boot(booted: datetime | None, doc: dict) -> bool:
    """True when a boot that started at `booted` is a later boot than the one `doc` was taken in:
    it started after the snapshot was taken and more than SLACK after the snapshot's boot time
    (with no boot time in the snapshot, more than SLACK after it was taken)."""
    taken = _time(doc.get("time")) if isinstance(doc, dict) else None
    if booted is None or taken is None:
        return False
    own = boot_time(doc)
    threshold = max(taken, own + SLACK) if own is not None else taken + SLACK
    return booted > threshold


def apart(before: dict, after: dict) -> bool:
    """True when two snapshots are of different boots: their boot ids differ, or the later one's
    host booted after the earlier one was taken (every counter restarted in between)."""
    if ids_differ(boot_id(before), boot_id(after)):
        return True
    return later_boot(boot_time(after), before)


def event_boot(event: dict, when: datetime | None) -> datetime | None:
    """When the event's kernel booted by its own stamps: wall time minus monotonic seconds. None
    without both, or when the wall time was itself derived from a snapshot's boot time."""
    mono = (event.get("kernel") or {}).get("monotonic")
    if when is None or event.get("time_derived") or not isinstance(mono, (int, float)) or isinstance(mono, bool):
        return None
    try:
        return when - timedelta(seconds=mono)
    except OverflowError:
        return None


def other_boot(event: dict, doc: dict, when: datetime | None, later: dict | None = None) -> bool:
    """True when snapshot `doc` is of another boot than the event at `when`. Its gauges then
    describe a different kernel run, and its counters restarted.

    * both boot ids known: they differ (journald's 32 hex digits against /proc's dashed form);
    * the host booted after the event (the snapshot's boot time is after `when`);
    * the event's own stamps (wall time − monotonic) put its boot later than the snapshot (`later_boot`);
    * `later`, a snapshot taken after the event (the `after` of a `before`), booted later than
      `doc` and no later than the event: the host rebooted between the snapshot and the event.
    """
    event_id, doc_id = (event.get("kernel") or {}).get("boot_id"), boot_id(doc)
    if key(event_id) is not None and key(doc_id) is not None:
        return key(event_id) != key(doc_id)
    if when is None:
        return False
    booted = boot_time(doc)
    if booted is not None and booted > when:
        return True
    if later_boot(event_boot(event, when), doc):
        return True
    rebooted = boot_time(later) if later is not None else None
    return rebooted is not None and rebooted <= when and later_boot(rebooted, doc)


def _boot(doc) -> dict:
    boot = doc.get("boot") if isinstance(doc, dict) else None
    return boot if isinstance(boot, dict) else {}


def _time(text) -> datetime | None:
    return parse_iso(text) if isinstance(text, str) else None
