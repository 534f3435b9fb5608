"""Events leave as bytes, serialised once, at the end (orjson).

A flood of one message shares one cause object (the classifier caches causes), and the cause is
most of an event's bytes; it is serialised once and spliced into every event that holds that
same object (orjson.Fragment).
"""

from __future__ import annotations

from collections import OrderedDict

import orjson

_CAUSES: OrderedDict[int, tuple[dict, orjson.Fragment]] = OrderedDict()
_MAX = 256


def _fragment(cause: dict) -> orjson.Fragment:
    key = id(cause)
    entry = _CAUSES.get(key)
    if entry is not None and entry[0] is cause:  # the strong ref held here keeps the id unique
        return entry[1]
    frag = orjson.Fragment(orjson.dumps(cause))
    _CAUSES[key] = (cause, frag)
    if len(_CAUSES) > _MAX:
        _CAUSES.popitem(last=False)
    return frag


def ndjson(event: dict) -> bytes:
    cause = event.get("cause")
    if not cause:
        return orjson.dumps(event, option=orjson.OPT_APPEND_NEWLINE)
    event["cause"] = _fragment(cause)  # swapped in for the call, not copied: events are big
    try:
        return orjson.dumps(event, option=orjson.OPT_APPEND_NEWLINE)
    finally:
        event["cause"] = cause
