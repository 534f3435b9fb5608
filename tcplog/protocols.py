"""Shipper filter protocols: how one record comes in and its one answer goes out.

`tcplog filter --protocol NAME`; every protocol answers exactly one record per record in.

- `ndjson` (default): tcplog.filter.Filter as it is — a JSON object or raw line per line; a
  recognised record gains a `tcplog` object, any other passes through unchanged.
- `fluentd`: Fluentd `out_exec_filter` with `<format> @type json` and `<parse> @type json`.
  Each line is a record with the keys `<inject>` added (`tag_key`, `time_key`; tcplog's
  `--tag-key`/`--time-key`, default `tag`/`time`). The answer is the whole record, with the
  `tcplog` object when recognised; with `--event-tag TAG` a recognised record's tag key is set
  to TAG so that `<extract> tag_key` re-routes it (e.g. to `<match tcplog.**>`). A numeric or
  EventTime time key is the reference time for year-less (RFC 3164) dates.
- `fluentd-msgpack`: the same with `<format> @type msgpack` / `<parse> @type msgpack`: a stream
  of msgpack maps in, one msgpack map out per map in. Values tcplog does not know (EventTime
  and other extension types, binary) come back as they came.
- `rsyslog`: rsyslog `mmexternal` with `interface.input="fulljson"`. Each line is the message
  as a JSON object (`msg`, `rawmsg`, `hostname`, `syslogtag`, ...); the answer is exactly one
  line holding only the properties to change: `{"$!":{"tcplog":EVENT}}` for a recognised
  record, `{}` otherwise (also for a line that is not JSON). The record recognised is
  `rawmsg` (the syslog line as received), or `msg` when there is no `rawmsg`.
"""

from __future__ import annotations

import struct
from datetime import datetime, timezone

import orjson

from tcplog.filter import Filter
from tcplog.record import Position

NAMES = ("ndjson", "fluentd", "fluentd-msgpack", "rsyslog")
EMPTY = b"{}\n"


def _time_of(value) -> datetime | None:
    """A Fluentd time value: unix seconds (int/float) or an EventTime ext (type 0: u32 s, u32 ns)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    code, data = getattr(value, "code", None), getattr(value, "data", None)
    if code == 0 and isinstance(data, bytes) and len(data) == 8:
        sec, nsec = struct.unpack(">II", data)
        return datetime.fromtimestamp(sec + nsec / 1e9, timezone.utc)
    return None


def _jsonable(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return None  # extension types: not part of the text tcplog reads


class Fluentd:
    def __init__(self, flt: Filter, ctx, tag_key: str = "tag", time_key: str = "time",
                 event_tag: str | None = None, live_reference=None):
        self.flt, self.ctx = flt, ctx
        self.tag_key, self.time_key, self.event_tag = tag_key, time_key, event_tag
        self.live_reference = live_reference  # () -> datetime, when no fixed reference was given

    def _reference(self, obj) -> None:
        if self.live_reference is None:
            return
        t = _time_of(obj.get(self.time_key)) if isinstance(obj, dict) else None
        self.ctx.reference = t or self.live_reference()

    def json_line(self, line: bytes) -> bytes:
        obj = None
        if line[:1] == b"{":
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                obj = None
        self._reference(obj)
        before = self.flt.events
        out = self.flt.process(line, self.ctx)
        if self.event_tag is not None and self.flt.events > before and isinstance(obj, dict):
            rec = orjson.loads(out)
            rec[self.tag_key] = self.event_tag
            out = orjson.dumps(rec, option=orjson.OPT_APPEND_NEWLINE)
        return out

    def msgpack_map(self, obj):
        """One unpacked msgpack object -> the object to pack in answer."""
        if not isinstance(obj, dict):
            return obj
        self._reference(obj)
        self.flt.records += 1
        try:
            body = orjson.dumps({k: v for k, v in obj.items() if isinstance(k, str)}, default=_jsonable,
                                option=orjson.OPT_NON_STR_KEYS)
        except TypeError:
            return obj
        event = self.flt.recognizer.event(body, self.ctx, Position(None, self.flt.records, None))
        if event is None:
            return obj
        self.flt.events += 1
        if self.flt.explain is not None:
            event = self.flt.explain(event)
        if getattr(self.flt, "convert", None) is not None:  # --format ecs|ocsf
            event = self.flt.convert(event)
        out = dict(obj)
        out["tcplog"] = orjson.loads(orjson.dumps(event))  # plain types only
        if self.event_tag is not None:
            out[self.tag_key] = self.event_tag
        return out


class Rsyslog:
    def __init__(self, flt: Filter, ctx):
        self.flt, self.ctx = flt, ctx

    def line(self, line: bytes) -> bytes:
        self.flt.records += 1
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            return EMPTY
        if not isinstance(obj, dict):
            return EMPTY
        text = obj.get("rawmsg")
        if not isinstance(text, str) or not text:
            text = obj.get("msg")
        if not isinstance(text, str) or not text:
            return EMPTY
        event = self.flt.recognizer.event(text.encode("utf-8", "surrogateescape"), self.ctx,
                                          Position(None, self.flt.records, None))
        if event is None:
            return EMPTY
        self.flt.events += 1
        if self.flt.explain is not None:
            event = self.flt.explain(event)
        if getattr(self.flt, "convert", None) is not None:  # --format ecs|ocsf
            event = self.flt.convert(event)
        return orjson.dumps({"$!": {"tcplog": event}}, option=orjson.OPT_APPEND_NEWLINE)
