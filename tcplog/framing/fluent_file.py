"""File outputs of Fluentd and Fluent Bit: a JSON record wrapped in a line of the shipper's own.

    2026-11-22T10:00:00+00:00<TAB>syslog.kern.warn<TAB>{"host":"web1","ident":"kernel","message":"..."}
        Fluentd out_file (and out_s3, whose default format is the same): time, tag, record,
        separated by a tab (or the `delimiter` set: a space or a comma); time in ISO 8601
        (older releases: `2026-11-22 10:00:00 +0000`)
    kmsg.0: [1795350000.123456000, {"priority":4,"sequence":1234,"sec":12345,"usec":678901,"msg":"..."}]
        Fluent Bit file output, `out_file` format (its default): `tag: [time, record]`

`unwrap` returns the record, read then as any shipper record (tcplog.framing.shipper_json),
with the wrapper's time under `time` when the record names none of the shipper time keys.
"""

from __future__ import annotations

import re

import orjson

_FLUENTD = re.compile(
    r"(?P<time>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?)"
    r"(?P<sep>[\t ,])[^\t ,{]+(?P=sep)(?P<record>\{.*\})\s*$")
_FLUENT_BIT = re.compile(r"[^\s\[\]{}]{1,256}: \[(?P<time>\d{1,12}(?:\.\d{1,9})?), (?P<record>\{.*\})\]\s*$")


def maybe(line: str) -> bool:
    """A cheap test before `unwrap` (one scan of a line that is not JSON: kernel text rarely holds a brace)."""
    return "{" in line


def unwrap(line: str, time_keys: tuple[str, ...]) -> dict | None:
    """The JSON record of a wrapped line (the wrapper's time added as `time` when the record
    holds none of `time_keys`), or None when the line is not of either shape."""
    m = _FLUENTD.match(line) or _FLUENT_BIT.match(line)
    if m is None:
        return None
    try:
        record = orjson.loads(m.group("record"))
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict):
        return None
    if not any(k in record for k in time_keys):
        t = m.group("time")
        record["time"] = float(t) if m.re is _FLUENT_BIT else t
    return record
