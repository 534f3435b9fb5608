"""Prefilter and dispatch: which lines are worth a parse, and which families get to try.

One byte-level regex of every family's literal triggers (taken from the registry, never a
second hand-kept list) finds candidate lines inside whole blocks; a candidate's kernel text is
offered only to the families whose triggers it holds, in registry order; first match wins.
Results are cached by message text, because floods repeat the same text.
"""

from __future__ import annotations

from collections import OrderedDict

from tcplog.framing import bare, host_prefix
from tcplog.grammars import FAMILIES, Match
from tcplog.prefilter import Prefilter
from tcplog.record import Record


class Dispatcher:
    def __init__(self, families=FAMILIES, extra_triggers: tuple[bytes, ...] = (), cache_size: int = 8192,
                 prefilter_engine: str | None = None):
        self.families = tuple(families)
        triggers: dict[bytes, list] = {}
        for family in self.families:
            if not family.TRIGGERS:
                raise ValueError(f"family {family.FAMILY} declares no triggers")
            for t in family.TRIGGERS:
                triggers.setdefault(t, []).append(family)
        self._by_trigger = tuple((t.decode(), tuple(fams)) for t, fams in triggers.items())
        self.prefilter = Prefilter({*triggers, *extra_triggers}, prefilter_engine)
        self._cache: OrderedDict[str, Match | None] = OrderedDict()
        self._cache_size = cache_size

    def families_for(self, text: str) -> tuple:
        """The families whose triggers the text holds, in registry order."""
        hit = set()
        for trigger, fams in self._by_trigger:
            if trigger in text:
                hit.update(fams)
        return tuple(f for f in self.families if f in hit)

    def parse(self, text: str) -> Match | None:
        """The first family grammar that accepts the whole text (cached)."""
        cache = self._cache
        if text in cache:
            cache.move_to_end(text)
            return cache[text]
        result = None
        for family in self.families_for(text):
            result = family.parse(text)
            if result is not None:
                break
        cache[text] = result
        if len(cache) > self._cache_size:
            cache.popitem(last=False)
        return result

    def match(self, record: Record) -> Match | None:
        """The record's match, honouring origin: kernel families need a kernel record.

        Bare text that gives none may start with a parallel shell's host label (`web1: TCP: ...`, pdsh's
        `dmesg` on a kernel without printk stamps): when the text after the label matches and the whole
        did not, the label was a host's, not a subsystem's prefix, and the record becomes the text after
        it, the label its host (tcplog.framing.host_prefix.attribute)."""
        text = record.text.strip()
        if not text:
            return None
        m = self.parse(text)
        if m is None:
            if record.framing != bare.NAME or record.program is not None or record.host is not None:
                return None
            label, start = host_prefix.bare_label(text)
            if label is None or (m := self.parse(text[start:])) is None:
                return None
            record.text = text[start:]
            host_prefix.attribute(record, label)
        family = _BY_ID[m.family]
        if family.ORIGIN == "kernel":
            return m if record.kernel else None
        if record.kernel or record.program is None or record.program in family.PROGRAMS:
            return m
        if m.message_id in getattr(family, "TAG_KEPT", ()):  # a repeat notice keeps the repeated line's tag
            return m
        return None


_BY_ID = {f.FAMILY: f for f in FAMILIES}
