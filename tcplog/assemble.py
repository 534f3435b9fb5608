"""Multi-line joins: the martian `ll header:` dump belongs to the martian line before it.

The kernel prints `martian source D from S, on dev X` and then, as separate printk lines,
`ll header: ...` (one line per 16 bytes on 3.x+). The assembler holds a martian event until the
next event of the stream arrives; `ll header` events of the same host that follow it are merged
into it (fields ll_header/dst_mac/src_mac/ethertype, raw lines appended). An `ll header` line
with no martian line before it stays an event of its own (message id martian_source.ll_header).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator

LL_HEADER = "martian_source.ll_header"
_MERGED = ("ll_header", "dst_mac", "src_mac", "ethertype")


class Assembler:
    def __init__(self):
        self._held: dict | None = None
        self.merged = 0  # continuation events folded into the event before them

    def push(self, event: dict) -> list[dict]:
        held = self._held
        if event["message_id"] == LL_HEADER and held is not None and held["host"] == event["host"]:
            _merge(held, event)
            self.merged += 1
            return []
        out = [] if held is None else [held]
        if event["family"] == "martian_source" and event["message_id"] != LL_HEADER:
            self._held = event
        else:
            self._held = None
            out.append(event)
        return out

    def flush(self) -> list[dict]:
        held, self._held = self._held, None
        return [] if held is None else [held]


def _merge(held: dict, cont: dict) -> None:
    fields, extra = held["fields"], cont["fields"]
    if fields.get("ll_header") is None:
        for k in _MERGED:
            fields[k] = extra.get(k)
    elif extra.get("ll_header"):
        fields["ll_header"] = fields["ll_header"] + ":" + extra["ll_header"]
    if held["raw_b64"] is not None or cont["raw_b64"] is not None:
        held["raw_b64"] = base64.b64encode(_exact(held) + b"\n" + _exact(cont)).decode("ascii")
    held["raw"] = held["raw"] + "\n" + cont["raw"]


def _exact(event: dict) -> bytes:
    b64 = event["raw_b64"]
    return base64.b64decode(b64) if b64 is not None else event["raw"].encode("utf-8")


def assemble(events: Iterable[dict]) -> Iterator[dict]:
    a = Assembler()
    for e in events:
        yield from a.push(e)
    yield from a.flush()
