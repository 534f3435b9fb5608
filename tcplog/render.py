"""Events leave as bytes, serialised once, at the end (orjson)."""

from __future__ import annotations

import orjson


def ndjson(event: dict) -> bytes:
    return orjson.dumps(event, option=orjson.OPT_APPEND_NEWLINE)
