"""`tcplog report EVENTS_FILE... -o report.html`: native NDJSON events -> one self-contained HTML page.

Lines that are not native events (bad JSON, another schema) are skipped and counted.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

import orjson

from tcplog import report
from tcplog.commands.common import EPILOG, EXIT_INPUT, EXIT_OK

NAME = "report"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME, help="turn native NDJSON events into one self-contained HTML report",
        description="Read native events (`tcplog scan` output, `-` for stdin) and write one HTML page with no "
                    "network fetches: per host a timeline of events by family and by cause, the incidents with "
                    "evidence and remediation, the ambiguous causes with what to collect, and totals.",
        epilog="example:\n  tcplog scan /var/log/ --incident-window 5m -o events.ndjson\n"
               "  tcplog report events.ndjson -o report.html\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("events", nargs="+", metavar="EVENTS_FILE", help="native NDJSON events file, or - for stdin")
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="the HTML file to write")
    return p


def run(args) -> int:
    events, bad, unreadable = [], 0, False
    for path in args.events:
        try:
            stream = sys.stdin.buffer if path == "-" else open(path, "rb")
        except OSError as exc:
            print(f"tcplog: {path}: {exc.strerror or exc}", file=sys.stderr)
            unreadable = True
            continue
        with stream:
            for line in stream:
                if not line.strip():
                    continue
                try:
                    event = orjson.loads(line)
                except orjson.JSONDecodeError:
                    bad += 1
                    continue
                if isinstance(event, dict) and str(event.get("schema", "")).startswith("tcplog.event/") \
                        and event.get("family"):
                    events.append(event)
                else:
                    bad += 1
    if bad:
        what = "1 line that is not a tcplog event" if bad == 1 else f"{bad} lines that are not tcplog events"
        print(f"tcplog: skipped {what}", file=sys.stderr)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    page = report.build(events, args.events, bad, generated)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(page)
    return EXIT_INPUT if unreadable else EXIT_OK
