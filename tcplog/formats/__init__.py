"""Output formats: how an event leaves. Each format is a pure function event dict -> dict.

Explicit registry, one line per format. `native` is the event itself (schema `tcplog.event/2`);
`ecs` maps it to the Elastic Common Schema (`tcplog/schema/ecs-9.4.0.json`); `ocsf` to an OCSF
Detection Finding (`tcplog/schema/ocsf-1.7.0-detection_finding.json`). See docs/formats.md.

`received` is the time the command started (RFC 3339): ECS `@timestamp` and OCSF `time` are
required, and an event read without a wall clock (dmesg, kmsg) gets that time, as ECS advises;
the kernel's own monotonic time stays in the `tcplog` part.
"""

from __future__ import annotations

from typing import Callable

import orjson

from tcplog.formats import ecs, ocsf
from tcplog.render import ndjson


def _native(event: dict, received: str | None = None) -> dict:
    return event


FORMATS: dict[str, Callable[..., dict]] = {
    "native": _native,
    "ecs": ecs.convert,
    "ocsf": ocsf.convert,
}
NAMES = tuple(FORMATS)
SCHEMAS = {"native": "event-2.json", "ecs": ecs.SCHEMA, "ocsf": ocsf.SCHEMA}


def convert(name: str, event: dict, received: str | None = None) -> dict:
    """The event in format `name`, as a dict."""
    return FORMATS[name](event, received)


def renderer(name: str, received: str | None = None) -> Callable[[dict], bytes]:
    """event -> one NDJSON line in format `name` (native keeps render.ndjson's cause splicing)."""
    if name == "native":
        return ndjson
    fn = FORMATS[name]
    return lambda event: orjson.dumps(fn(event, received), option=orjson.OPT_APPEND_NEWLINE)


def schema(name: str) -> dict:
    """The JSON Schema shipped for format `name`."""
    from importlib import resources

    return orjson.loads(resources.files("tcplog").joinpath("schema", SCHEMAS[name]).read_bytes())
