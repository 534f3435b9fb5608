"""`tcplog filter`: the exec-filter mode, one JSON record out per record in."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from tcplog import occurrences
from tcplog.commands.common import (EPILOG, EXIT_OK, build_pipeline, classify_args, folder_store, framing_args,
                                    load_snapshots, reference, zone)
from tcplog.connectors import stdio
from tcplog.errors import UsageError
from tcplog.filter import Filter
from tcplog.recognize import Recognizer
from tcplog.snapshot.store import MemoryStore
from tcplog.framing import journal_export
from tcplog.framing.context import FramingContext

NAME = "filter"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME, help="exec-filter mode: one JSON record out per record in (stdin -> stdout)",
        description="Read records on stdin (raw lines or JSON objects) and write exactly one JSON record "
                    "per input record: a recognised one gains a `tcplog` object holding the event, any "
                    "other passes through unchanged (a raw line is wrapped as {\"message\": ...}).",
        epilog="example: journalctl -k -f -o json | tcplog filter\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    framing_args(p)
    classify_args(p)
    p.add_argument("--max-record-bytes", metavar="N", type=int, default=stdio.MAX_RECORD,
                   help=f"a longer record is answered in pieces of N bytes, never buffered without limit "
                        f"(default {stdio.MAX_RECORD})")
    return p


def run(args) -> int:
    tz, fixed = zone(args.tz), reference(args)
    if args.framing == journal_export.NAME:
        raise UsageError("filter reads one record per line; journal-export records span lines "
                         "(use journalctl -o json)")
    memory = MemoryStore()
    for path, why in load_snapshots(args, memory):
        print(f"tcplog: {path}: {why}", file=sys.stderr)
    pipeline = build_pipeline(args, memory, folder_store(args))
    flt = Filter(Recognizer(forced_framing=args.framing),
                 explain=lambda event: occurrences.finish(pipeline.explain(event)))
    ctx = FramingContext(reference=fixed or datetime.now(timezone.utc), year=args.year, tz=tz)

    def process(line: bytes) -> bytes:
        if fixed is None and args.year is None:
            ctx.reference = datetime.now(timezone.utc)
        return flt.process(line, ctx)

    stopper = stdio.Stopper()
    stopper.install()
    stdio.filter_loop(process, sys.stdin.fileno(), sys.stdout.buffer, args.max_record_bytes, stopper)
    return EXIT_OK
