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


def other_boot(event: dict, doc: dict, when: datetime | None) -> bool:
    """True when snapshot `doc` shows another boot than the event's: both boot ids known and
    different (journald's 32 hex digits against /proc's dashed form), or the host booted after
    the event. Its gauges then describe a different kernel run, and its counters restarted."""
    if ids_differ((event.get("kernel") or {}).get("boot_id"), boot_id(doc)):
        return True
    booted = boot_time(doc)
    return booted is not None and when is not None and booted > when


def _boot(doc) -> dict:
    boot = doc.get("boot") if isinstance(doc, dict) else None
    return boot if isinstance(boot, dict) else {}


def _time(text) -> datetime | None:
    return parse_iso(text) if isinstance(text, str) else None
