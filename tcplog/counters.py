"""Counter-only findings: what the kernel counted but did not log, from consecutive snapshots.

Several limits are counted on every hit but logged seldom or never: an accept-queue overflow
prints nothing in any kernel, TIME_WAIT overflows print nothing from ~3.1, and the lines of the
others are rate-limited or printed once per listener. A silent log therefore proves nothing. Two
snapshots of one host and one boot whose counter rose make a synthetic event (framing `snapshot`),
classified like any other with that pair as its before/after evidence. Counters of different
boots are never compared (a reboot resets them); a counter that is missing, flat or lower in the
later snapshot gives nothing.

    tw_bucket_overflow.counter          TcpExt TCPTimeWaitOverflow   sockets closed without TIME_WAIT (~3.1+: no line)
    socket_memory.counter               TcpExt TCPAbortOnMemory      resets: orphans or TCP memory over their limit
    syn_flood.accept_queue_counter      TcpExt ListenOverflows       accept queue full (no kernel logs it)
    syn_flood.syn_drop_counter          TcpExt TCPReqQFullDrop       SYNs dropped: SYN queue full, syncookies off
    conntrack_full.counter              conntrack stat drop          packets dropped for want of a conntrack entry
    conntrack_full.early_drop_counter   conntrack stat early_drop    table at nf_conntrack_max: entries evicted
    neigh_overflow.counter              neighbour TABLE table_fulls  neighbour table full (arp_cache, ndisc_cache)

Each event's `fields`: `counter` (the path), `before`, `after`, `delta` (after − before), `logged`
(lines the log shows for that counter in that pair: `count + suppressed` of the events joined to
the same two snapshots whose `occurrences.counter` is this counter) and `silent` (delta − logged,
never below 0); a neighbour event adds `table`. So a logged line never makes the counter event
vanish, and its occurrences are not counted twice: the counter event's `occurrences.estimate` is
the silent part. `Seen` collects what the findings need of the logged events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tcplog import boots
from tcplog.event import SCHEMA, rfc3339
from tcplog.framing.context import parse_iso
from tcplog.snapshot.store import host_key, make_id

FRAMING = "snapshot"  # source.framing of every counter-only event


@dataclass(frozen=True)
class Signal:
    family: str
    message_id: str
    path: tuple[str, ...]  # the counter in a snapshot document
    meaning: str  # what a rise means (docs/causes.md lists it)
    table: str | None = None  # the neighbour table the counter belongs to (fields.table)


SIGNALS = (
    Signal("tw_bucket_overflow", "tw_bucket_overflow.counter", ("netstat", "TcpExt", "TCPTimeWaitOverflow"),
           "TcpExt TCPTimeWaitOverflow rose between two snapshots: kernels from ~3.1 count TIME_WAIT overflows "
           "instead of logging them (no log line)"),
    Signal("socket_memory", "socket_memory.counter", ("netstat", "TcpExt", "TCPAbortOnMemory"),
           "TcpExt TCPAbortOnMemory rose between two snapshots: sockets were reset because orphans exceeded "
           "tcp_max_orphans or TCP memory exceeded tcp_mem[2] (every kernel counts each; the lines, \"Out of socket "
           "memory\" and later \"too many orphaned sockets\" / \"out of memory -- consider tuning tcp_mem\", are "
           "rate-limited)"),
    Signal("syn_flood", "syn_flood.accept_queue_counter", ("netstat", "TcpExt", "ListenOverflows"),
           "TcpExt ListenOverflows rose between two snapshots: a listener's accept queue was full and the kernel "
           "dropped the handshake (no kernel version logs an accept-queue overflow)"),
    Signal("syn_flood", "syn_flood.syn_drop_counter", ("netstat", "TcpExt", "TCPReqQFullDrop"),
           "TcpExt TCPReqQFullDrop rose between two snapshots: SYNs were dropped with the SYN queue full and "
           "tcp_syncookies off (3.1+; \"Dropping request\" is printed once per listener)"),
    Signal("conntrack_full", "conntrack_full.counter", ("conntrack", "stat", "drop"),
           "conntrack stat drop (/proc/net/stat/nf_conntrack, summed over CPUs) rose between two snapshots: packets "
           "were dropped for want of a conntrack entry (table full and nothing to evict; on kernels that resolve "
           "insertion clashes, also clashes that could not be resolved); \"table full, dropping packet\" is "
           "rate-limited"),
    Signal("conntrack_full", "conntrack_full.early_drop_counter", ("conntrack", "stat", "early_drop"),
           "conntrack stat early_drop rose between two snapshots: the table was at nf_conntrack_max and an "
           "unassured entry was evicted to make room (no packet dropped, no log line)"),
    Signal("neigh_overflow", "neigh_overflow.counter", ("neighbour", "arp_cache", "table_fulls"),
           "table_fulls of /proc/net/stat/arp_cache or ndisc_cache rose between two snapshots: forced garbage "
           "collection freed nothing with the table at gc_thresh3 and a new neighbour was refused (4.x+ counter; "
           "\"neighbor table overflow!\" is rate-limited)", table="arp_cache"),
    Signal("neigh_overflow", "neigh_overflow.counter", ("neighbour", "ndisc_cache", "table_fulls"),
           "", table="ndisc_cache"),
)


def synthetic_messages() -> dict[str, str]:
    """{message id: what a rise means} for every counter-only message id."""
    out: dict[str, str] = {}
    for s in SIGNALS:
        out.setdefault(s.message_id, s.meaning)
    return out


def counter_at(doc: dict | None, path: tuple[str, ...]) -> int | None:
    """The integer counter at path in a snapshot document, or None."""
    node = doc
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node if isinstance(node, int) and not isinstance(node, bool) else None


def logged_key(event: dict) -> tuple | None:
    """(host, counter, before time, after time) when a logged event's occurrences carry a counter
    delta across two snapshots; None otherwise (and for counter-only events themselves)."""
    occ = event.get("occurrences")
    if not occ or occ.get("counter_delta") is None:
        return None  # (most events: no snapshot pair carried a counter)
    info = event.get("snapshot") or {}
    before, after = info.get("before"), info.get("after")
    if not before or not after or not event.get("host") or (event.get("source") or {}).get("framing") == FRAMING:
        return None
    return host_key(event["host"]), occ["counter"], before["time"], after["time"]


@dataclass
class Seen:
    """What the findings need of the logged events: each host's first and last event time (the
    folder store is searched around them), and per snapshot pair and counter the lines the log
    shows (`count + suppressed`), which the counter event leaves out of its silent part."""

    spans: dict = field(default_factory=dict)  # host -> [first, last] event time
    lines: dict = field(default_factory=dict)  # logged_key -> lines

    def note(self, event: dict) -> None:
        """A finished event (its counts settled): its time and its lines."""
        self.note_time(event["host"], event["time"])
        self.note_lines(logged_key(event), event["count"] + event["suppressed"])

    def note_time(self, host, time: str | None) -> None:
        span = self.spans.setdefault(host, [])
        if time is None:
            return
        if not span:
            span.extend((time, time))
        elif time < span[0]:
            span[0] = time
        elif time > span[1]:
            span[1] = time

    def note_lines(self, key: tuple | None, lines: int) -> None:
        if key is not None:
            self.lines[key] = self.lines.get(key, 0) + lines

    def merge(self, other: Seen) -> None:
        for host, span in other.spans.items():
            for t in span:
                self.note_time(host, t)
            self.spans.setdefault(host, [])
        for key, lines in other.lines.items():
            self.note_lines(key, lines)


def findings(docs: Iterable[dict], since: datetime | None = None, until: datetime | None = None,
             seen: Seen | None = None) -> Iterator[tuple[dict, dict, dict]]:
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
        for signal in SIGNALS:
            v0, v1 = counter_at(before, signal.path), counter_at(after, signal.path)
            if v0 is None or v1 is None or v1 <= v0:
                continue
            key = (host_key(after["host"]), ".".join(signal.path), rfc3339(t0), rfc3339(t1))
            logged = seen.lines.get(key, 0) if seen is not None else 0
            yield synthetic_event(signal, after["host"], t0, t1, v0, v1, logged), before, after


def synthetic_event(signal: Signal, host: str, since: datetime, when: datetime, v0: int, v1: int,
                    logged: int = 0) -> dict:
    """The event of a counter that rose from v0 (at `since`) to v1 (at `when`); `logged` lines of
    it are already in the log."""
    name = " ".join(signal.path[1:] if signal.path[0] == "netstat" else signal.path)  # TcpExt X, conntrack stat drop
    delta = v1 - v0
    raw = f"{name} rose from {v0} to {v1} between {rfc3339(since)} and {rfc3339(when)} (snapshots of {host})"
    fields = {"counter": ".".join(signal.path), "before": v0, "after": v1, "delta": delta, "logged": logged,
              "silent": max(delta - logged, 0)}
    if signal.table is not None:
        fields["table"] = signal.table
    return {
        "schema": SCHEMA, "family": signal.family, "message_id": signal.message_id, "time": rfc3339(when),
        "time_derived": False, "host": host, "fields": fields,
        "kernel": {"monotonic": None, "level": None, "facility": None, "caller": None, "seq": None,
                   "boot_id": None},
        "source": {"framing": FRAMING, "file": None, "line": None, "offset": None, "cursor": None,
                   "program": None, "pid": None, "extra": None},
        "count": 1, "suppressed": 0, "first_time": rfc3339(since), "last_time": rfc3339(when), "cause": None,
        "snapshot": {"before": {"id": make_id(since), "time": rfc3339(since),
                                "age_s": round((when - since).total_seconds(), 6)},
                     "after": {"id": make_id(when), "time": rfc3339(when), "age_s": 0.0},
                     "stale": []},
        "incident": None, "occurrences": None, "raw": raw, "raw_b64": None,
    }


def span(times: Iterable[str], margin: timedelta) -> tuple[datetime | None, datetime | None]:
    parsed = [t for t in (parse_iso(x) for x in times if x) if t is not None]
    if not parsed:
        return None, None
    return min(parsed) - margin, max(parsed) + margin
