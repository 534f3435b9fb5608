"""Join each event to its host's snapshots by event time, and give kmsg/dmesg events a wall time.

The latest snapshot at or before the event is `before`; the next one after it is `after`, so
counter deltas across the event become evidence. A snapshot further from the event than
`max_age` counts as missing (the event records it as stale). An event without a wall clock
(dmesg, kmsg) gets one from a snapshot's boot time plus its monotonic seconds, flagged derived;
with a boot id on both sides, only a snapshot of the same boot is used. A snapshot of another
boot is never joined: it is listed as stale (reason "another boot"). Another boot
(tcplog.boots.other_boot) is a different boot id; without ids, a boot after the event, an event
whose wall time minus monotonic seconds puts its boot after the snapshot was taken, or a `before`
whose `after` shows a reboot between the two and no later than the event.

Pure: the store is handed in (anything with `refs(host)` and `load(ref)`), times come from events.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from tcplog import boots
from tcplog.event import rfc3339
from tcplog.framing.context import parse_iso


@dataclass(frozen=True)
class EnrichSettings:
    max_age: timedelta = timedelta(hours=6)  # a snapshot further from the event counts as missing
    default_host: str | None = None  # host for records that carry none (dmesg, kmsg, pasted text)
    cache_hosts: int = 1024  # hosts whose snapshot lists are kept in memory (LRU)
    cache_docs: int = 256  # snapshot documents kept in memory (LRU)


@dataclass
class Joined:
    """The snapshots an event was joined to (documents, or None when missing or stale)."""

    before: dict | None
    after: dict | None


_NOTHING = Joined(None, None)


class Enricher:
    def __init__(self, store, settings: EnrichSettings = EnrichSettings()):
        self.store = store
        self.settings = settings
        self._refs: OrderedDict[str, list] = OrderedDict()
        self._docs: OrderedDict[object, dict] = OrderedDict()
        self.evicted = 0  # cache evictions, counted

    def join(self, event: dict, default_host: str | None = None) -> Joined:
        """Fill event["snapshot"] (and a derived time when needed); return the documents joined."""
        if event["host"] is None:
            event["host"] = default_host or self.settings.default_host
        host = event["host"]
        refs = self._host_refs(host) if host else []
        info = {"before": None, "after": None, "stale": []}
        event["snapshot"] = info
        if not refs:
            return _NOTHING
        if event["time"] is None and event["kernel"]["monotonic"] is not None:
            self._derive_time(event, refs)
        when = parse_iso(event["time"]) if event["time"] else None
        if when is None:
            return _NOTHING
        times = [r.time for r in refs]
        i = bisect.bisect_right(times, when)
        before_ref = refs[i - 1] if i > 0 else None
        after_ref = refs[i] if i < len(refs) else None
        docs = []
        for key, ref in (("before", before_ref), ("after", after_ref)):
            if ref is None:
                docs.append(None)
                continue
            age = (when - ref.time).total_seconds()
            entry = {"id": ref.id, "time": rfc3339(ref.time), "age_s": round(age, 6)}
            if abs(age) > self.settings.max_age.total_seconds():
                info["stale"].append(entry)
                docs.append(None)
                continue
            doc = self._load(ref)
            # the snapshot after the event may show the host rebooted between `before` and the event
            later = self._load(after_ref) if key == "before" and after_ref is not None else None
            if boots.other_boot(event, doc, when, later):
                info["stale"].append(dict(entry, reason="another boot"))
                docs.append(None)
                continue
            info[key] = entry
            docs.append(doc)
        return Joined(*docs)

    def _derive_time(self, event: dict, refs: list) -> None:
        derive_time(event, (self._load(ref) for ref in reversed(refs)))

    def forget(self, host: str) -> None:
        """Drop the cached snapshot list of `host` (its store changed: a live store such as Kafka's)."""
        for key in [k for k in self._refs if k.casefold() == host.casefold()]:
            del self._refs[key]

    def _host_refs(self, host: str) -> list:
        cache = self._refs
        if host in cache:
            cache.move_to_end(host)
            return cache[host]
        refs = sorted(self.store.refs(host), key=lambda r: r.time)
        cache[host] = refs
        if len(cache) > self.settings.cache_hosts:
            cache.popitem(last=False)
            self.evicted += 1
        return refs

    def _load(self, ref) -> dict:
        cache = self._docs
        key = (ref.host, ref.id)
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        doc = self.store.load(ref)
        cache[key] = doc
        if len(cache) > self.settings.cache_docs:
            cache.popitem(last=False)
            self.evicted += 1
        return doc


def kernel_release(joined: Joined, override: str | None = None) -> str | None:
    """The kernel release to classify with: an explicit one, else the joined snapshot's."""
    if override:
        return override
    for doc in (joined.before, joined.after):
        if doc and (doc.get("kernel") or {}).get("release"):
            return doc["kernel"]["release"]
    return None


def derive_time(event: dict, docs) -> bool:
    """Give an event without a wall clock one: the boot time of the first of `docs` (latest first)
    that records one, of the event's boot when both carry a boot id, plus the event's monotonic
    seconds; flagged `time_derived`. False when no document can place it."""
    boot_id = event["kernel"]["boot_id"]
    for doc in docs:
        boot = doc.get("boot") or {}
        if not boot.get("time") or boots.ids_differ(boot_id, boot.get("id")):
            continue
        start = parse_iso(boot["time"])
        if start is None:
            continue
        event["time"] = rfc3339(start + timedelta(seconds=event["kernel"]["monotonic"]))
        event["time_derived"] = True
        return True
    return False
