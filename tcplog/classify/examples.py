"""Rule examples and case tables: a log line (or a synthetic event), snapshot facts and a kernel
→ the cause id the catalog must give. Used by the catalog lint and the case-table tests.

Lines go through tcplog's own scanner (framing → dispatch → event), never a parser of
their own. Snapshot facts may be partial documents: only the sections a rule needs.

    {"line": "Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow",
     "kernel": "2.6.32-754.el6.x86_64",
     "before": {"sysctl": {"net.ipv4.tcp_max_tw_buckets": "180000"}, "sockstat": {"TCP": {"tw": 180000}}},
     "expect": "tw_bucket_overflow.limit"}

A synthetic event (message ids no grammar produces, e.g. `tw_bucket_overflow.counter`) is
given as `event = {family, message_id, fields}` instead of `line`.
"""

from __future__ import annotations

from datetime import datetime, timezone

from tcplog.classify.engine import Catalog, classify
from tcplog.framing.context import FramingContext
from tcplog.scan import Scanner, Stats

REFERENCE = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
_SCANNER: Scanner | None = None


def events_from_text(text: str) -> list[dict]:
    """Every event tcplog's scanner finds in `text` (one or more lines)."""
    global _SCANNER
    if _SCANNER is None:
        _SCANNER = Scanner()
    data = text.encode("utf-8")
    if not data.endswith(b"\n"):
        data += b"\n"
    ctx = FramingContext(reference=REFERENCE)
    return list(_SCANNER.scan_blocks([data], ctx, "<example>", Stats()))


def example_event(example: dict) -> dict | None:
    """The event an example describes: its line scanned, or its synthetic event; None if no event."""
    if "event" in example:
        e = example["event"]
        return {"family": e["family"], "message_id": e["message_id"], "fields": dict(e.get("fields") or {}),
                "host": None, "time": None, "raw": None}
    events = events_from_text(example["line"])
    return events[0] if len(events) == 1 else None


def run(example: dict, catalog: Catalog) -> dict | None:
    """The cause the catalog gives for an example, or None when its line is no (single) event."""
    event = example_event(example)
    if event is None:
        return None
    return classify(event, example.get("before"), example.get("after"), kernel_release=example.get("kernel"),
                    catalog=catalog)


def problem(example: dict, catalog: Catalog, family: str | None = None) -> str | None:
    """What is wrong with an example (None when it classifies to its expected cause)."""
    event = example_event(example)
    if event is None:
        return f"line is not exactly one tcplog event: {example.get('line')!r}"
    if family is not None and event["family"] != family:
        return f"line parses as family {event['family']!r}, not {family!r}"
    cause = classify(event, example.get("before"), example.get("after"), kernel_release=example.get("kernel"),
                     catalog=catalog)
    if cause["id"] != example["expect"]:
        cands = ", ".join(c["id"] for c in cause["candidates"]) or "none"
        return f"expected {example['expect']}, got {cause['id']} (candidates: {cands})"
    return None
