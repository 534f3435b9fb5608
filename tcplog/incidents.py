"""Incidents: events of one host close together in event time become one finding.

An incident is a run of one host's events whose neighbours are at most `window` apart (by
wall time, else kernel monotonic seconds). When the run closes, every member gets the same
`incident` object: an id (`host@first time`), a joint cause from the incident rules
(tcplog/incidents.toml, data, validated at load) and the families involved. Events are held
until their incident closes, so output waits up to `window` of event time; the number of held
hosts is bounded (`max_hosts`, oldest closed early and counted).
"""

from __future__ import annotations

import tomllib
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources

from tcplog.errors import TcplogError
from tcplog.framing.context import parse_iso

_KEYS = {"id", "families", "min_families", "summary", "advice"}


class IncidentRuleError(TcplogError):
    pass


@dataclass(frozen=True)
class IncidentRule:
    id: str
    families: frozenset
    min_families: int
    summary: str
    advice: str


def load_rules(text: str | None = None, where: str = "tcplog/incidents.toml") -> tuple[IncidentRule, ...]:
    from tcplog.grammars import BY_ID

    if text is None:
        text = resources.files("tcplog").joinpath("incidents.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise IncidentRuleError(f"{where}: {exc}") from exc
    rules = []
    for i, raw in enumerate(data.get("incident", [])):
        unknown = set(raw) - _KEYS
        missing = _KEYS - set(raw)
        if unknown or missing:
            raise IncidentRuleError(f"{where}: incident[{i}]: unknown keys {sorted(unknown)}, missing {sorted(missing)}")
        bad = [f for f in raw["families"] if f not in BY_ID]
        if bad:
            raise IncidentRuleError(f"{where}: incident[{i}] ({raw['id']}): unknown families {bad}")
        rules.append(IncidentRule(raw["id"], frozenset(raw["families"]), int(raw["min_families"]),
                                  raw["summary"], raw["advice"]))
    if len({r.id for r in rules}) != len(rules):
        raise IncidentRuleError(f"{where}: duplicate incident ids")
    return tuple(rules)


def _position(event: dict) -> tuple[str, float] | None:
    if event["time"]:
        t = parse_iso(event["time"])
        if t is not None:
            return "wall", t.timestamp()
    mono = event["kernel"]["monotonic"]
    return ("mono", mono) if mono is not None else None


class IncidentGrouper:
    def __init__(self, window: timedelta, rules: tuple[IncidentRule, ...] | None = None, max_hosts: int = 10_000):
        self.window = window.total_seconds()
        self.rules = load_rules() if rules is None else rules
        self.max_hosts = max_hosts
        self._open: OrderedDict[object, list] = OrderedDict()  # host -> [events, last position]
        self.released_early = 0

    def push(self, event: dict) -> list[dict]:
        host = event["host"]
        pos = _position(event)
        out: list[dict] = []
        run = self._open.get(host)
        if run is not None:
            last = run[1]
            if pos is not None and last is not None and (pos[0] != last[0] or pos[1] - last[1] > self.window):
                out.extend(self._close(self._open.pop(host)[0]))
                run = None
        if run is None:
            run = self._open[host] = [[], None]
        run[0].append(event)
        if pos is not None:
            run[1] = pos
        if len(self._open) > self.max_hosts:
            out.extend(self._close(self._open.popitem(last=False)[1][0]))
            self.released_early += 1
        return out

    def flush(self) -> list[dict]:
        out: list[dict] = []
        for events, _ in self._open.values():
            out.extend(self._close(events))
        self._open.clear()
        return out

    def _close(self, events: list[dict]) -> list[dict]:
        families = Counter(e["family"] for e in events)
        rule = next((r for r in self.rules if len(r.families & set(families)) >= r.min_families), None)
        first = next((e["first_time"] or e["time"] for e in events if e["time"]), None)
        last = next((e["last_time"] or e["time"] for e in reversed(events) if e["time"]), None)
        host = events[0]["host"]
        names = sorted(families)
        values = {"host": host or "unknown host", "families": ", ".join(names), "events": len(events),
                  "first_time": first, "last_time": last}
        if rule is not None:
            cause, summary, advice = rule.id, rule.summary.format(**values), rule.advice
        else:
            top = families.most_common(1)[0][0]
            lead = next(e for e in events if e["family"] == top)
            cause = (lead["cause"] or {}).get("id") or top
            summary = f"{len(events)} events on {values['host']}: {values['families']}"
            advice = None
        incident = {"id": f"{host or '-'}@{first or events[0]['source']['line']}", "cause": cause,
                    "summary": summary, "advice": advice, "families": names, "events": len(events),
                    "first_time": first, "last_time": last}
        for e in events:
            e["incident"] = incident
        return events
