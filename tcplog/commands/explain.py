"""`tcplog explain 'LINE'`: one pasted log line → family, fields, cause, evidence, what to do."""

from __future__ import annotations

import argparse
import bisect
import sys
from datetime import datetime, timedelta, timezone

import orjson

from tcplog.boots import other_boot
from tcplog.classify import load_rules
from tcplog.commands.common import EPILOG, EXIT_INPUT, EXIT_OK, duration, framing_args, reference, zone
from tcplog.connectors import snapshot_sources
from tcplog.enrich import Joined, derive_time
from tcplog.errors import InputError, SnapshotError, UsageError
from tcplog.event import rfc3339
from tcplog.framing.context import FramingContext, parse_iso
from tcplog.pipeline import Pipeline, PipelineSettings
from tcplog.recognize import Recognizer
from tcplog.record import Position
from tcplog.scan import Scanner, Stats
from tcplog.snapshot.store import make_id

NAME = "explain"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME, help="explain one pasted kernel line: family, fields, root cause, evidence, remediation",
        description="Explain a kernel network-stack message for the on-call engineer: its family and fields, "
                    "the most specific cause the evidence supports, an evidence table, remediation commands "
                    "with guardrails, and, when the evidence does not decide, what to collect. A martian "
                    "line and its `ll header:` line may be given together (separated by a newline).",
        epilog="examples:\n"
               "  tcplog explain 'TCP: time wait bucket table overflow' --snapshot web1.json --kernel 2.6.18-419.el5\n"
               "  tcplog explain 'nf_conntrack: nf_conntrack: table full, dropping packet' --snapshot before.json "
               "--snapshot after.json\n"
               "  journalctl -k -n 1 -o json | tcplog explain - --json\n" + EPILOG +
               " (1 also when the line is not a message tcplog recognises)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("line", metavar="LINE", help="the log line (any framing), or - to read it from stdin")
    p.add_argument("--snapshot", metavar="FILE", action="append", default=[],
                   help="host state to judge by: a tcplog snapshot document, a sosreport, a copied /proc tree or a "
                        "sysctl -a file; placed before or after the line by its time, as scan does (one taken after "
                        "the line is its after; a dmesg line's time is the snapshot's boot time plus its seconds); "
                        "give one from each side for counter deltas")
    p.add_argument("--kernel", metavar="RELEASE", help="kernel release, e.g. 3.10.0-1160.el7.x86_64 "
                                                       "(default: the snapshot's)")
    p.add_argument("--max-snapshot-age", metavar="DURATION", type=duration, default=timedelta(hours=6),
                   help="a snapshot further than this from the line's time is not used, as in scan (default 6h; "
                        "a line with no wall clock that no snapshot's boot time places is judged by any snapshot)")
    p.add_argument("--json", action="store_true", help="print the explained event as JSON")
    framing_args(p)
    return p


def run(args) -> int:
    tz, fixed = zone(args.tz), reference(args)
    text = sys.stdin.buffer.read() if args.line == "-" else args.line.encode("utf-8", "surrogateescape")
    ctx = FramingContext(reference=fixed or datetime.now(timezone.utc), year=args.year, tz=tz)
    event = _event(text.strip(b"\r\n"), ctx, args.framing)
    if event is None:
        print("tcplog: not a kernel network-stack message tcplog recognises "
              "(see `tcplog families`)", file=sys.stderr)
        return EXIT_INPUT
    docs = []
    for path in args.snapshot:
        try:
            docs.extend(snapshot_sources.load_all(path))
        except (InputError, SnapshotError) as exc:
            print(f"tcplog: {exc}", file=sys.stderr)
            return EXIT_INPUT
    if len(docs) > 2:
        raise UsageError("--snapshot: give at most two snapshots (before and after)")
    if event["time"] is None and event["kernel"]["monotonic"] is not None:  # dmesg, kmsg: as scan places them
        derive_time(event, sorted(docs, key=_doc_time, reverse=True))
    joined, unused = _placed(event, docs)
    for doc in unused:
        print(f"tcplog: note: snapshot {doc['host']}@{doc['time']} is not next to the line (the other one is "
              "closer on the same side of it): not used", file=sys.stderr)
    if event["host"] is None and docs:
        event["host"] = docs[0]["host"]
    for doc in docs:
        if event["host"] and doc.get("host") and doc["host"].casefold() != event["host"].casefold():
            print(f"tcplog: note: the snapshot is of {doc['host']}, the line of {event['host']}", file=sys.stderr)
    event["snapshot"], joined = _judged_by(event, joined, args.max_snapshot_age)
    for entry in event["snapshot"]["stale"]:
        if entry.get("reason") == "another boot":
            print(f"tcplog: note: snapshot taken {entry['time']} is of another boot than the line: not used",
                  file=sys.stderr)
            continue
        print(f"tcplog: note: snapshot taken {entry['time']} is {_age(entry['age_s'])} the line, over "
              f"--max-snapshot-age: not used (a longer --max-snapshot-age judges by it)", file=sys.stderr)
    pipeline = Pipeline(PipelineSettings(kernel=args.kernel), catalog=load_rules())
    pipeline.explain(event, joined=joined)
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(event, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        from rich.console import Console  # only for the terminal view: rich is slow to import

        from tcplog.explain_view import render

        render(event, Console(highlight=False, soft_wrap=False))
    return EXIT_OK


def _event(data: bytes, ctx: FramingContext, forced: str) -> dict | None:
    """The event of the pasted text: one record, or a martian line with its ll header lines."""
    if b"\n" in data:
        events = list(Scanner(forced_framing=forced).scan_blocks([data + b"\n"], ctx, None, Stats()))
        return events[0] if events else None
    return Recognizer(forced_framing=forced).event(data, ctx, Position())


def _placed(event: dict, docs: list[dict]) -> tuple[Joined, list[dict]]:
    """(before, after) around the line, as scan's enricher places them: the latest snapshot at or
    before the line's time is `before`, the first one after it `after`; and the snapshots left over
    (two on one side of the line). A line still without a wall clock (no snapshot records the boot
    time) takes them in time order."""
    docs = sorted(docs, key=_doc_time)
    when = parse_iso(event["time"]) if event["time"] else None
    if when is None:
        return Joined(docs[0] if docs else None, docs[1] if len(docs) > 1 else None), []
    times = [parse_iso(d["time"]) or when for d in docs]
    i = bisect.bisect_right(times, when)
    before, after = docs[i - 1] if i > 0 else None, docs[i] if i < len(docs) else None
    return Joined(before, after), [d for d in docs if d is not before and d is not after]


def _doc_time(doc: dict) -> datetime:
    return parse_iso(doc["time"]) or datetime.min.replace(tzinfo=timezone.utc)


def _judged_by(event: dict, given: Joined, max_age: timedelta) -> tuple[dict, Joined]:
    """(the event's `snapshot` info, the snapshots that judge it). Ages are known only when the line
    carries a time; a snapshot further than `max_age` from it is stale (listed, not used), as the
    enricher does in scan."""
    when = parse_iso(event["time"]) if event["time"] else None
    info = {"before": None, "after": None, "stale": []}
    used = {"before": None, "after": None}
    for key, doc in (("before", given.before), ("after", given.after)):
        if doc is None:
            continue
        t = parse_iso(doc["time"])
        age = (when - t).total_seconds() if when and t else 0.0
        entry = {"id": make_id(t) if t else doc["time"], "time": rfc3339(t) if t else doc["time"],
                 "age_s": round(age, 6)}  # the id a snapshot store gives it, as in scan's events
        if abs(age) > max_age.total_seconds():
            info["stale"].append(entry)
        elif other_boot(event, doc, when, given.after if key == "before" else None):
            info["stale"].append(dict(entry, reason="another boot"))
        else:
            info[key], used[key] = entry, doc
    return info, Joined(used["before"], used["after"])


def _age(seconds: float) -> str:
    s = abs(seconds)
    text = f"{s / 86400:.1f} days" if s >= 86400 else f"{s / 3600:.1f} hours" if s >= 3600 else f"{s:.0f} s"
    return text + (" before" if seconds >= 0 else " after")
