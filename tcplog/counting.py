"""Suppression-aware counts and `--dedupe`: stream processors over events, pure, event-time based.

Suppression. The kernel reports what its rate limiters hid (`net_ratelimit: N callbacks
suppressed`, `printk: N messages suppressed.`, 2.4's `NET: N messages suppressed.`) and log daemons report repeats they folded
(`last message repeated N times`, `message repeated N times: [...]`). Such a notice belongs to
the kernel event of the same host printed before it (within `window`): a repeat notice adds N to
its `count` (exact repeats), a rate-limit notice adds N to its `suppressed` (a lower bound on
what was hidden). The notice itself still leaves as its own event, so nothing is dropped and
nothing is counted twice: occurrences are `count + suppressed` summed over non-notice events.
Only notices about network messages attach: a `callbacks suppressed` notice of the network
limiter (`net_ratelimit`, and `__ratelimit`, the name every limiter had on 2.6.2x - 2.6.3x), not
another subsystem's (`dvb_frontend_poll: 15 callbacks suppressed` counts dvb messages); and a
repeat notice that quotes the repeated text (rsyslog's `message repeated N times: [...]`,
syslog-ng's first 20 characters) only when that text is the held event's, not a non-network line
logged in between; one that quotes none (syslogd's `last message repeated N times`) repeats the
line above it in its file, so in a file it attaches only when that line is the held event's.

Dedupe. Repeats of one message on one host (same family, message id and fields) within
`window` of the first fold into one event: `count` and `suppressed` add up, `first_time` and
`last_time` bound the run, `raw` and `source` are the first occurrence's.

Both hold events briefly (a held event per host; dedupe groups until their window closes by
event time) and release them in arrival order of their first occurrence. Both are bounded
(`max_hosts`, `max_groups`): past the bound the oldest is released early and counted in
`released_early`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from datetime import timedelta

import orjson

from tcplog.framing.context import parse_iso

NOTICE_FAMILIES = ("ratelimit_suppressed", "log_suppressed")
REPEAT_MESSAGES = {"log_suppressed.last_repeated", "log_suppressed.last_repeated_dashes",
                   "log_suppressed.message_repeated", "log_suppressed.syslog_ng_repeated"}
RATELIMIT_MESSAGES = {"ratelimit_suppressed.callbacks", "ratelimit_suppressed.printk", "ratelimit_suppressed.net"}
# the limiters whose "callbacks suppressed" count hidden network messages (lib/ratelimit.c names the
# function that owns the state: net_ratelimit(); on 2.6.2x - 2.6.3x every limiter printed "__ratelimit")
NET_LIMITERS = {"net_ratelimit", "__ratelimit"}
# what the attacher reads of a notice's fields (scan --workers keeps only these of a notice, its
# source file and line, and the held event's raw and source, which a repeat is compared with)
NOTICE_FIELDS = ("suppressed", "function", "repeated_message")


def _seconds_between(a: str | None, b: str | None) -> float | None:
    ta, tb = (parse_iso(a) if a else None), (parse_iso(b) if b else None)
    if ta is None or tb is None:
        return None
    return (tb - ta).total_seconds()


def _network_limiter(notice: dict) -> bool:
    """A rate-limit notice about network messages: 2.6.18's shared printk bucket and 2.4's NET notice,
    or a `callbacks suppressed` notice of the network limiter (not another subsystem's function)."""
    if notice["message_id"] != "ratelimit_suppressed.callbacks":
        return True
    return notice["fields"].get("function") in NET_LIMITERS


def _repeats(notice: dict, target: dict) -> bool:
    """A repeat notice is about the held event: the text it quotes is in the held event's record; or
    it quotes none ("last message repeated N times") and, read from a file, comes right after the
    held event's last line (syslogd writes it into the file before the next different message, so
    it repeats the line above it, which may be a line no grammar matched)."""
    quoted = (notice["fields"].get("repeated_message") or "").strip()
    if quoted:
        return quoted in (target.get("raw") or "")
    return _follows(notice, target)


def _follows(notice: dict, target: dict) -> bool:
    """The notice is the line after the target's last one in the same file (True when a position
    is not known: a stream, a journal, a followed file)."""
    at, of = notice.get("source") or {}, target.get("source") or {}
    if at.get("file") is None or at.get("line") is None or of.get("line") is None or at["file"] != of.get("file"):
        return True
    return at["line"] == of["line"] + (target.get("raw") or "").count("\n") + 1


class SuppressionAttacher:
    def __init__(self, window: timedelta = timedelta(minutes=10), max_hosts: int = 10_000):
        self.window = window.total_seconds()
        self.max_hosts = max_hosts
        self._held: OrderedDict[object, dict] = OrderedDict()
        self.released_early = 0

    def push(self, event: dict) -> list[dict]:
        host = event["host"]
        if event["family"] in NOTICE_FAMILIES:
            self.attach(event)
            return [event]
        previous = self._held.pop(host, None)
        early = self.hold(event)
        return early if previous is None else [previous, *early]

    def attach(self, notice: dict) -> None:
        """Count a notice into the event its host holds (when within the window)."""
        target = self._held.get(notice["host"])
        if target is None:
            return
        gap = _seconds_between(target["last_time"] or target["time"], notice["time"])
        if gap is None or 0 <= gap <= self.window:
            n = notice["fields"].get("suppressed") or 0
            if notice["message_id"] in REPEAT_MESSAGES and _repeats(notice, target):
                target["count"] += n
                target["last_time"] = notice["time"] or target["last_time"]
            elif notice["message_id"] in RATELIMIT_MESSAGES and _network_limiter(notice):
                target["suppressed"] += n

    def hold(self, event: dict) -> list[dict]:
        """Hold a non-notice event (its host holds nothing now); what the bound releases early."""
        self._held[event["host"]] = event
        if len(self._held) > self.max_hosts:
            self.released_early += 1
            return [self._held.popitem(last=False)[1]]
        return []

    def release(self, host) -> list[dict]:
        """The event `host` holds, released (none when it holds nothing)."""
        held = self._held.pop(host, None)
        return [] if held is None else [held]

    @property
    def held(self) -> int:
        return len(self._held)

    def flush(self) -> list[dict]:
        out = list(self._held.values())
        self._held.clear()
        return out


class RangeAttacher:
    """The suppression attacher over one byte range of a file, for `scan --workers`.

    It attaches what it can inside the range, exactly as SuppressionAttacher would, and reports
    what depends on earlier ranges instead of guessing: a notice whose host has had no event in
    the range yet (its target, if any, is held by an earlier range) and the first event of each
    host (where single-process order releases the event an earlier range holds). Events still
    held at the end are returned by `open()`. Unbounded on purpose: a range is small, and the
    parent applies the host bound (see connectors/workers.py)."""

    NOTICE = "notice"
    RELEASE = "release"

    def __init__(self, window: timedelta):
        self._inner = SuppressionAttacher(window, max_hosts=1 << 62)
        self._seen: set = set()

    def push(self, event: dict) -> list:
        """Events (dicts) and markers ((NOTICE, notice) or (RELEASE, host)), in output order."""
        host = event["host"]
        if host not in self._seen:
            if event["family"] in NOTICE_FAMILIES:
                return [(self.NOTICE, event), event]
            self._seen.add(host)
            return [(self.RELEASE, host)] + self._inner.hold(event)
        return self._inner.push(event)

    @property
    def hosts(self) -> int:
        """Hosts that held an event in this range (what the parent's bound must allow for)."""
        return len(self._seen)

    def open(self) -> list[dict]:
        """Events still held at the end of the range, in holding order."""
        return self._inner.flush()


class Deduper:
    def __init__(self, window: timedelta, max_groups: int = 100_000):
        self.window = window.total_seconds()
        self.max_groups = max_groups
        self._groups: OrderedDict[bytes, dict] = OrderedDict()
        self.released_early = 0

    @staticmethod
    def key(event: dict) -> bytes:
        return orjson.dumps([event["host"], event["family"], event["message_id"], event["fields"]],
                            option=orjson.OPT_SORT_KEYS)

    def push(self, event: dict) -> list[dict]:
        out = self._expire(event["time"])
        if event["family"] in NOTICE_FAMILIES:
            return out + [event]
        k = self.key(event)
        group = self._groups.get(k)
        if group is not None:
            gap = _seconds_between(group["first_time"], event["time"])
            if gap is None or gap <= self.window:
                group["count"] += event["count"]
                group["suppressed"] += event["suppressed"]
                group["last_time"] = event["last_time"] or event["time"] or group["last_time"]
                return out
            out.append(self._groups.pop(k))
        if event["first_time"] is None:
            event["first_time"] = event["time"]
            event["last_time"] = event["last_time"] or event["time"]
        self._groups[k] = event
        if len(self._groups) > self.max_groups:
            out.append(self._groups.popitem(last=False)[1])
            self.released_early += 1
        return out

    def _expire(self, now: str | None) -> list[dict]:
        if now is None:
            return []
        out = []
        for k in list(self._groups):
            gap = _seconds_between(self._groups[k]["first_time"], now)
            if gap is not None and gap > self.window:
                out.append(self._groups.pop(k))
        return out

    def flush(self) -> list[dict]:
        out = list(self._groups.values())
        self._groups.clear()
        return out


def run(stage, events: Iterable[dict]) -> Iterator[dict]:
    """Drive one stage (push/flush) over a stream of events."""
    for event in events:
        yield from stage.push(event)
    yield from stage.flush()
