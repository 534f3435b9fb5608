"""The on-call view of one explained event: what the line is, why, the evidence, what to do.

Rendered with rich: colour on a terminal, plain text when piped. Pure apart from the Console
it is handed.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

_CONFIDENCE_STYLE = {"high": "bold green", "medium": "yellow", "low": "red"}


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def render(event: dict, console: Console) -> None:
    cause = event.get("cause") or {}
    head = Text()
    head.append(event["family"], style="bold cyan")
    head.append(f"  ({event['message_id']})")
    if event["host"]:
        head.append(f"  host {event['host']}")
    if event["time"]:
        head.append(f"  {event['time']}" + (" (derived)" if event["time_derived"] else ""))
    console.print(head)
    console.print(Text(event["raw"], style="dim"))
    fields = {k: v for k, v in event["fields"].items() if v is not None}
    if fields:
        console.print("fields: " + "  ".join(f"{k}={v}" for k, v in fields.items()), highlight=False)
    if not cause:
        return
    console.print()
    line = Text("cause: ", style="bold")
    line.append(cause["id"], style="bold magenta")
    if cause.get("confidence"):
        line.append(f"  [{cause['confidence']}]", style=_CONFIDENCE_STYLE.get(cause["confidence"], ""))
    console.print(line)
    console.print(cause.get("summary") or "", highlight=False)
    snap = event.get("snapshot") or {}
    joined = [f"{k} {v['time']} ({_distance(v['age_s'])})" for k in ("before", "after") if (v := snap.get(k))]
    if joined:
        console.print("snapshots: " + ", ".join(joined), style="dim", highlight=False)
    for s in snap.get("stale") or []:
        console.print(f"stale snapshot ignored: {s['time']} ({_distance(s['age_s'])})", style="yellow", highlight=False)

    if cause.get("evidence"):
        table = Table(title="evidence", title_justify="left", show_edge=False)
        for col in ("what", "value", "limit", "how close"):
            table.add_column(col, justify="left" if col == "what" else "right")
        for ev in cause["evidence"]:
            ratio = ev.get("ratio")
            close = "-" if ratio is None else f"{ratio:.0%}"
            style = "red" if ratio is not None and ratio >= 0.95 else ""
            table.add_row(str(ev.get("name")), _fmt(ev.get("value")), _fmt(ev.get("limit")), Text(close, style=style))
        console.print(table)

    for rem in cause.get("remediation") or []:
        console.print()
        title = Text("do: ", style="bold green")
        title.append(rem.get("command") or " ".join(filter(None, (rem.get("direction"), rem.get("knob"))))
                     or "investigate")
        console.print(title, highlight=False)
        details = []
        if rem.get("knob") and (rem.get("current") is not None or rem.get("suggested") is not None):
            details.append(f"{rem['knob']}: {_fmt(rem.get('current'))} -> {_fmt(rem.get('suggested'))}"
                           + (f" ({rem['direction']})" if rem.get("direction") else ""))
        if rem.get("why"):
            details.append(f"why: {rem['why']}")
        for d in details:
            console.print("   " + d, highlight=False)
        for g in rem.get("guardrails") or []:
            console.print("   guardrail: " + g, style="yellow", highlight=False)

    if cause.get("collect"):
        console.print()
        console.print("to tell the candidates apart, collect:", style="bold")
        for c in cause["collect"]:
            console.print(f"   - {c.get('what')}  ({c.get('where')})", highlight=False)
    if cause.get("candidates"):
        console.print()
        console.print("candidates:", style="bold")
        for c in cause["candidates"]:
            console.print(f"   - {c['id']} [{c.get('confidence')}]: {c.get('summary')}", highlight=False)
    if cause.get("references"):
        console.print()
        console.print("references: " + "; ".join(cause["references"]), style="dim", highlight=False)


def _distance(age_s: float) -> str:
    """A snapshot's `age_s` (event time − snapshot time) in words: taken N s before or after the event."""
    return f"taken {abs(age_s):.0f} s {'before' if age_s >= 0 else 'after'} the event"
