"""Counter-only findings: what the kernel counted but did not log, from consecutive snapshots.

Kernels from ~3.1 count TIME_WAIT overflows (TcpExt TCPTimeWaitOverflow) and print nothing, so
a silent log proves nothing. Two snapshots of the same boot whose counter rose make a
synthetic event (message id `<family>.counter`, framing `snapshot`), classified like any other
with that pair as its before/after evidence. Counters of different boots are never compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from tcplog import boots
from tcplog.event import SCHEMA, rfc3339
from tcplog.framing.context import parse_iso

# (family, synthetic message id, counter path in a snapshot document)
SIGNALS = (
    ("tw_bucket_overflow", "tw_bucket_overflow.counter", ("netstat", "TcpExt", "TCPTimeWaitOverflow")),
)


def counter_at(doc: dict | None, path: tuple[str, ...]) -> int | None:
    """The integer counter at path in a snapshot document, or None."""
    node = doc
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node if isinstance(node, int) and not isinstance(node, bool) else None


def findings(docs: Iterable[dict], since: datetime | None = None,
             until: datetime | None = None) -> Iterator[tuple[dict, dict, dict]]:
    """(event, before, after) for each counter that rose between consecutive snapshots of one host."""
    ordered = sorted(docs, key=lambda d: d["time"])
    for before, after in zip(ordered, ordered[1:]):
        t0, t1 = parse_iso(before["time"]), parse_iso(after["time"])
        if t0 is None or t1 is None:
            continue
        if (since and t1 < since) or (until and t0 > until):
            continue
        if boots.apart(before, after):
            continue
        for family, message_id, path in SIGNALS:
            v0, v1 = counter_at(before, path), counter_at(after, path)
            if v0 is None or v1 is None or v1 <= v0:
                continue
            yield synthetic_event(family, message_id, after["host"], t1, path, v0, v1, t0), before, after


def synthetic_event(family: str, message_id: str, host: str, when: datetime, path: tuple[str, ...], v0: int,
                    v1: int, since: datetime) -> dict:
    name = " ".join(path[1:])
    raw = f"{name} rose from {v0} to {v1} between {rfc3339(since)} and {rfc3339(when)} (snapshots of {host})"
    return {
        "schema": SCHEMA, "family": family, "message_id": message_id, "time": rfc3339(when), "time_derived": False,
        "host": host, "fields": {"counter": ".".join(path), "before": v0, "after": v1, "delta": v1 - v0},
        "kernel": {"monotonic": None, "level": None, "facility": None, "caller": None, "seq": None,
                   "boot_id": None},
        "source": {"framing": "snapshot", "file": None, "line": None, "offset": None, "cursor": None,
                   "program": None, "pid": None, "extra": None},
        "count": 1, "suppressed": 0, "first_time": rfc3339(since), "last_time": rfc3339(when), "cause": None,
        "snapshot": {"before": {"id": f"{host}@{rfc3339(since)}", "time": rfc3339(since),
                                "age_s": round((when - since).total_seconds(), 6)},
                     "after": {"id": f"{host}@{rfc3339(when)}", "time": rfc3339(when), "age_s": 0.0},
                     "stale": []},
        "incident": None, "occurrences": None, "raw": raw, "raw_b64": None,
    }


def span(times: Iterable[str], margin: timedelta) -> tuple[datetime | None, datetime | None]:
    parsed = [t for t in (parse_iso(x) for x in times if x) if t is not None]
    if not parsed:
        return None, None
    return min(parsed) - margin, max(parsed) + margin


def note_time(seen: dict, host, time: str | None) -> None:
    """Keep the first and last event time per host (counter-only events are looked for around them)."""
    span = seen.setdefault(host, [])
    if time is None:
        return
    if not span:
        span.extend((time, time))
    elif time < span[0]:
        span[0] = time
    elif time > span[1]:
        span[1] = time


def merge_seen(into: dict, other: dict) -> None:
    for host, span in other.items():
        for t in span:
            note_time(into, host, t)
        into.setdefault(host, [])
