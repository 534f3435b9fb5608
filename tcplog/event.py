"""Record + Match -> event (schema `tcplog.event/2`): flat, lowercase, static keys.

Version 2 adds the classification keys (`cause`, `snapshot` objects, `suppressed`,
`first_time`/`last_time`, `incident`); version 1 had `cause`/`snapshot` reserved as null.

Every key is always present (null when unknown). A key rename is a new schema version.
`raw` is the record as read; when its bytes are not valid UTF-8, `raw` holds the text with
U+FFFD replacements and `raw_b64` the exact bytes (base64), so nothing is lost.
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import lru_cache

from tcplog.grammars import Match
from tcplog.record import Position, Record

SCHEMA = "tcplog.event/2"


@lru_cache(maxsize=1024)
def rfc3339(t: datetime | None) -> str | None:
    """UTC time as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (cached: floods repeat the same second)."""
    if t is None:
        return None
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def raw_fields(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), base64.b64encode(raw).decode("ascii")


def build(record: Record, match: Match, position: Position) -> dict:
    raw, raw_b64 = raw_fields(record.raw.rstrip(b"\r\n"))
    return {
        "schema": SCHEMA,
        "family": match.family,
        "message_id": match.message_id,
        "time": rfc3339(record.time),
        "time_derived": record.time_derived,
        "host": record.host,
        "fields": dict(match.fields),  # the parse cache shares Match objects: never alias them
        "kernel": {
            "monotonic": record.monotonic,
            "level": record.severity,
            "facility": record.facility,
            "caller": record.caller,
            "seq": record.seq,
            "boot_id": record.boot_id,
        },
        "source": {
            "framing": record.framing,
            "file": position.file,
            "line": position.line,
            "offset": position.offset,
            "cursor": record.cursor,
            "program": record.program,
            "pid": record.pid,
            "extra": record.extra or None,
        },
        "count": 1,
        "suppressed": 0,
        "first_time": None,
        "last_time": None,
        "cause": None,
        "snapshot": None,
        "incident": None,
        "occurrences": None,
        "raw": raw,
        "raw_b64": raw_b64,
    }
