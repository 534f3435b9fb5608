"""After the scanner: enrich → classify → count → group, as one chain of stream stages.

    events ─► join snapshots (tcplog.enrich) ─► classify (tcplog.classify) ─► attach suppression
           ─► dedupe (optional) ─► occurrences (tcplog.occurrences) ─► incidents (optional) ─► out

Pure: the snapshot store and the rule catalog are handed in. Classification results are cached
by what decides them (family, message id, fields, kernel release, snapshot ids), so a flood of
one message costs one evaluation.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import orjson

from tcplog import counting, occurrences
from tcplog.classify import classify
from tcplog.enrich import Enricher, EnrichSettings, Joined, kernel_release
from tcplog.incidents import IncidentGrouper


@dataclass(frozen=True)
class PipelineSettings:
    classify: bool = True
    kernel: str | None = None  # --kernel: release to classify with, over the snapshots'
    enrich: EnrichSettings = EnrichSettings()
    suppression_window: timedelta = timedelta(minutes=10)
    suppression_hosts: int = 10_000  # hosts holding an event for a notice at once (bound; then released early)
    dedupe: timedelta | None = None  # --dedupe WINDOW
    dedupe_groups: int = 100_000  # open dedupe groups at once (bound; then released early)
    incident_window: timedelta | None = None  # --incident-window WINDOW
    incident_hosts: int = 10_000  # hosts with an open incident at once (bound; then closed early)
    cache_size: int = 2048  # causes held (~2 KB each): floods hit the latest ones


class Pipeline:
    def __init__(self, settings: PipelineSettings = PipelineSettings(), store=None, catalog=None):
        self.settings = settings
        self.enricher = Enricher(store, settings.enrich) if store is not None else None
        self.catalog = catalog
        self._cache: OrderedDict[tuple, dict] = OrderedDict()
        self.evicted: Counter = Counter()

    def run(self, events: Iterable[dict], default_host: str | None = None) -> Iterator[dict]:
        """The whole chain over one input's events (stages hold state per input). When the chain
        is done, what each bound pushed out early is added to `self.evicted`."""
        attacher = counting.SuppressionAttacher(self.settings.suppression_window, self.settings.suppression_hosts)
        stages = [("held_for_notices", attacher)]
        stream: Iterable[dict] = (self.explain(e, default_host=default_host) for e in events)
        stream = counting.run(attacher, stream)
        if self.settings.dedupe is not None:
            deduper = counting.Deduper(self.settings.dedupe, self.settings.dedupe_groups)
            stages.append(("dedupe_groups", deduper))
            stream = counting.run(deduper, stream)
        stream = (occurrences.finish(e) for e in stream)
        if self.settings.incident_window is not None:
            grouper = IncidentGrouper(self.settings.incident_window, max_hosts=self.settings.incident_hosts)
            stages.append(("incidents", grouper))
            stream = counting.run(grouper, stream)
        yield from stream
        for name, stage in stages:
            if stage.released_early:
                self.evicted[name] += stage.released_early

    def take_evictions(self) -> Counter:
        """Entries the bounds pushed out since the last call: held events, dedupe groups and
        incidents released early, snapshot lists and documents dropped from the enricher's cache."""
        out, self.evicted = self.evicted, Counter()
        if self.enricher is not None and self.enricher.evicted:
            out["snapshot_cache"] += self.enricher.evicted
            self.enricher.evicted = 0
        return out

    def explain(self, event: dict, joined: Joined | None = None, default_host: str | None = None) -> dict:
        """Join (unless given) and classify one event in place; returns it."""
        if joined is None:
            if self.enricher is not None:
                joined = self.enricher.join(event, default_host)
            else:
                if event["host"] is None:
                    event["host"] = default_host or self.settings.enrich.default_host
                joined = Joined(None, None)
        if self.settings.classify:
            release = kernel_release(joined, self.settings.kernel)
            key = _key(event, release)
            cause = self._cache.get(key)
            if cause is None:
                cause = classify(event, joined.before, joined.after, kernel_release=release, catalog=self.catalog)
                self._cache[key] = cause
                if len(self._cache) > self.settings.cache_size:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(key)
            event["cause"] = cause
        occurrences.start(event, joined.before, joined.after)
        return event


def _key(event: dict, release: str | None):
    """What decides a cause: the message, its fields, the kernel and the snapshots joined."""
    info = event["snapshot"] or {}
    before, after = info.get("before"), info.get("after")
    try:
        fields = tuple(event["fields"].items())
        hash(fields)
    except TypeError:
        fields = orjson.dumps(event["fields"], option=orjson.OPT_SORT_KEYS)
    return (event["message_id"], fields, release, before and before["id"], after and after["id"])
