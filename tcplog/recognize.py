"""One record in, at most one event out: the per-record path shared by `filter` and services.

Framing, prefilter, grammar and event building for a single record, with no holding and no
multi-line joins (those belong to stream readers such as tcplog.scan). Never raises on input:
a framing corner case costs the event, never the record.
"""

from __future__ import annotations

from tcplog import framing
from tcplog.dispatch import Dispatcher
from tcplog.event import build
from tcplog.framing.context import FramingContext
from tcplog.record import Position


class Recognizer:
    def __init__(self, dispatcher: Dispatcher | None = None, forced_framing: str | None = None):
        self.dispatcher = dispatcher or Dispatcher(extra_triggers=framing.EXTRA_TRIGGERS)
        self.forced = None if forced_framing in (None, "auto") else forced_framing

    def event(self, record: bytes, ctx: FramingContext, position: Position,
              candidate: bool | None = None) -> dict | None:
        """The event of one record (bytes without its newline), or None. `candidate` is the
        prefilter's answer when the caller already has it (a batch pass), else it is asked here."""
        if candidate is False or (candidate is None and not self.dispatcher.prefilter.search(record)):
            return None
        try:
            rec = framing.decode(record, ctx, self.forced)
            match = self.dispatcher.match(rec) if rec is not None else None
            return build(rec, match, position) if match is not None else None
        except (ValueError, TypeError, RecursionError, OverflowError):
            return None
