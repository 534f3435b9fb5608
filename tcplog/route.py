"""One consumed record in, exactly one outgoing message out: an event, a passthrough or a dead letter.

The per-record decision of `tcplog kafka`, kept pure (no client, no clock, no I/O): the
connector hands in the record's bytes, key, headers, origin and a reference time, and sends
whatever `Router.route` answers.

    router = Router(Recognizer(), explain=pipeline.explain)
    out = router.route(value, key, headers, Origin("raw", 3, 1234, reference))
    out.kind        # "event" | "passthrough" | "dead_letter"
    out.value, out.key, out.headers

- **event**: the record held a kernel network-stack message. Value = the event JSON
  (`tcplog.event/2`) with a top-level `id` (or, with `format`, its ECS or OCSF document, whose
  received time is the record's timestamp); key = the host; headers `tcplog.schema`,
  `tcplog.family`, `tcplog.cause` (the cause id, empty when unclassified) and `tcplog.id`.
- **passthrough**: anything else that decodes (a log line of another program, a JSON record
  with a message). Value, key and headers unchanged (plus `tcplog.origin.*` when
  `passthrough_origin` is set).
- **dead_letter**: the record cannot be read as a log record — a null value (tombstone),
  more than `max_record_bytes`, a JSON object that does not parse or holds no message field.
  Value unchanged (cut to `max_record_bytes` when too large, `tcplog.original.size` says how
  large it was), key unchanged; headers `tcplog.error` (what), `tcplog.error.type` (one of
  `ERROR_TYPES`) and `tcplog.origin.topic|partition|offset`.

The event id is `<host>/<topic>/<partition>/<offset>` (host `-` when unknown): the same
record always gives the same id, so a consumer drops the duplicates a crash can produce.
The host comes from the record; when the record names none (dmesg, kmsg, bare text) the
Kafka key, read as UTF-8, is the host. `route` never raises: a failure inside it becomes a
dead letter of type `internal`, a failure of classification an event with `cause` null
(counted in `classify_errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo, timezone

import orjson

from tcplog.event import SCHEMA, rfc3339
from tcplog.framing import journal_json, shipper_json
from tcplog.framing.context import FramingContext
from tcplog.recognize import Recognizer
from tcplog.record import Position

EVENT, PASSTHROUGH, DEAD_LETTER = "event", "passthrough", "dead_letter"
ERROR_TYPES = ("null_value", "too_large", "invalid_json", "no_message", "internal")
MAX_RECORD_BYTES = 64 << 10

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record was read: topic, partition, offset, and the reference time for its dates."""

    topic: str
    partition: int
    offset: int
    reference: datetime  # aware; year-less dates are placed at or before it (the record's timestamp)


@dataclass(slots=True)
class Outcome:
    kind: str  # EVENT | PASSTHROUGH | DEAD_LETTER
    value: bytes | None
    key: bytes | None
    headers: Headers = field(default_factory=list)
    family: str | None = None  # events
    error_type: str | None = None  # dead letters


@dataclass(frozen=True)
class RouteSettings:
    max_record_bytes: int = MAX_RECORD_BYTES
    year: int | None = None  # --year
    tz: tzinfo = timezone.utc  # --tz
    fixed_reference: datetime | None = None  # --reference-time, over the records' timestamps
    format: str = "native"  # --format: native | ecs | ocsf (tcplog.formats)
    passthrough_origin: bool = False  # --passthrough-origin-headers


def event_id(host: str | None, origin: Origin) -> str:
    return f"{host or '-'}/{origin.topic}/{origin.partition}/{origin.offset}"


_ORIGIN_PREFIX: dict[tuple[str, int], Headers] = {}


def origin_headers(origin: Origin) -> Headers:
    prefix = _ORIGIN_PREFIX.get((origin.topic, origin.partition))
    if prefix is None:
        if len(_ORIGIN_PREFIX) > 65536:
            _ORIGIN_PREFIX.clear()
        prefix = _ORIGIN_PREFIX[(origin.topic, origin.partition)] = [
            ("tcplog.origin.topic", origin.topic.encode()), ("tcplog.origin.partition", str(origin.partition).encode())]
    return [*prefix, ("tcplog.origin.offset", str(origin.offset).encode())]


class Router:
    def __init__(self, recognizer: Recognizer | None = None, explain: Callable[[dict], dict] | None = None,
                 settings: RouteSettings = RouteSettings()):
        self.recognizer = recognizer or Recognizer()
        self.explain = explain
        self.settings = settings
        self.json_framings = self.recognizer.forced in (None, journal_json.NAME, shipper_json.NAME)
        self.convert = None
        self.schema = SCHEMA.encode()
        if settings.format != "native":
            from tcplog import formats

            self.convert = formats.FORMATS[settings.format]
            self.schema = formats.SCHEMAS[settings.format].removesuffix(".json").encode()
        self.classify_errors = 0  # events sent with cause null because classification raised
        self.last_error: BaseException | None = None

    def route(self, value: bytes | None, key: bytes | None, headers: Headers, origin: Origin) -> Outcome:
        try:
            return self._route(value, key, headers, origin)
        except Exception as exc:  # noqa: BLE001 - a poison record must never stop the service
            self.last_error = exc
            return dead_letter(value, key, headers, origin, "internal",
                               f"{type(exc).__name__}: {exc}"[:500], self.settings.max_record_bytes)

    def _route(self, value, key, headers, origin) -> Outcome:
        limit = self.settings.max_record_bytes
        if value is None:
            return dead_letter(None, key, headers, origin, "null_value", "record has no value (tombstone)", limit)
        if len(value) > limit:
            return dead_letter(value, key, headers, origin, "too_large",
                               f"record of {len(value)} bytes exceeds --max-record-bytes {limit}", limit)
        body = value[:-1] if value.endswith(b"\n") else value
        body = body[:-1] if body.endswith(b"\r") else body
        ref = self.settings.fixed_reference or origin.reference
        ctx = FramingContext(reference=ref, year=self.settings.year, tz=self.settings.tz)
        event = self.recognizer.event(body, ctx, Position(f"kafka:{origin.topic}/{origin.partition}", None,
                                                          origin.offset))
        if event is None:
            problem = self._json_problem(body) if self.json_framings else None
            if problem is not None:
                return dead_letter(value, key, headers, origin, problem[0], problem[1], limit)
            extra = origin_headers(origin) if self.settings.passthrough_origin else []
            return Outcome(PASSTHROUGH, value, key, clean_headers(headers) + extra)
        if event["host"] is None and key:
            event["host"] = _host_of_key(key)
        if self.explain is not None:
            try:
                event = self.explain(event)
            except Exception as exc:  # noqa: BLE001 - an unclassified event beats a lost one
                self.classify_errors += 1
                self.last_error = exc
                event["cause"] = None
        host = event["host"]
        event["id"] = eid = event_id(host, origin)
        cause = event.get("cause") or {}
        out_headers = [("tcplog.schema", self.schema), ("tcplog.family", event["family"].encode()),
                       ("tcplog.cause", str(cause.get("id") or "").encode()), ("tcplog.id", eid.encode())]
        doc = event if self.convert is None else self.convert(event, rfc3339(ref))
        return Outcome(EVENT, orjson.dumps(doc), host.encode() if host else key, out_headers,
                       family=event["family"])

    @staticmethod
    def _json_problem(body: bytes) -> tuple[str, str] | None:
        """Why a record that looks like a JSON object is not a readable log record, or None."""
        text = body.lstrip(b" \t\x1e")
        if text[:1] != b"{":
            return None
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            return "invalid_json", f"invalid JSON: {exc}"[:300]
        if not isinstance(obj, dict):
            return "invalid_json", "not a JSON object"
        if journal_json.is_journal(obj) or shipper_json.message_of(obj) is not None:
            return None
        return "no_message", "JSON record has no message field (" + ", ".join(shipper_json.MESSAGE_KEYS) + ")"


def dead_letter(value: bytes | None, key: bytes | None, headers: Headers, origin: Origin, error_type: str,
                error: str, limit: int) -> Outcome:
    extra = [("tcplog.error", error.encode("utf-8", "replace")), ("tcplog.error.type", error_type.encode())]
    if value is not None and len(value) > limit:
        extra.append(("tcplog.original.size", str(len(value)).encode()))
        value = value[:limit]
    return Outcome(DEAD_LETTER, value, key, clean_headers(headers) + extra + origin_headers(origin),
                   error_type=error_type)


def clean_headers(headers) -> Headers:
    """The record's headers as producers take them: str names, bytes values (a null value becomes b"")."""
    out = []
    for item in headers or ():
        try:
            name, value = item
        except (TypeError, ValueError):
            continue
        name = name.decode("utf-8", "replace") if isinstance(name, (bytes, bytearray)) else str(name)
        if value is None:
            value = b""
        elif isinstance(value, str):
            value = value.encode("utf-8", "replace")
        elif not isinstance(value, bytes):
            value = bytes(value) if isinstance(value, (bytearray, memoryview)) else str(value).encode()
        out.append((name, value))
    return out


def _host_of_key(key: bytes) -> str | None:
    try:
        host = key.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    return host if host and host.isprintable() and len(host) <= 255 else None
