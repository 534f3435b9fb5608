"""`tcplog filter`: the exec-filter mode, one JSON record out per record in."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from tcplog import occurrences, protocols
from tcplog import formats
from tcplog.commands.common import (EPILOG, EXIT_INPUT, EXIT_OK, build_pipeline, classify_args, folder_store,
                                    format_args, framing_args, load_snapshots, received_now, reference, size, zone)
from tcplog.connectors import stdio
from tcplog.errors import InputError, UsageError
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
    p.add_argument("--max-record-bytes", metavar="SIZE", type=_record_size, default=stdio.MAX_RECORD,
                   help="a longer record is answered in pieces of SIZE bytes, never buffered without limit; "
                        "e.g. 64K, 4M (default 64M)")
    p.add_argument("--protocol", default="ndjson", choices=protocols.NAMES, metavar="NAME",
                   help="how records come in and answers go out: ndjson (default), fluentd (out_exec_filter "
                        "with json format/parse), fluentd-msgpack (msgpack format/parse), rsyslog (mmexternal "
                        "with interface.input=\"fulljson\": answers {\"$!\":{\"tcplog\":EVENT}} or {})")
    p.add_argument("--tag-key", default="tag", metavar="KEY",
                   help="fluentd: the record key holding the tag (<inject>/<extract> tag_key; default tag)")
    p.add_argument("--time-key", default="time", metavar="KEY",
                   help="fluentd: the record key holding the event time (<inject>/<extract> time_key; default "
                        "time); it is the reference time for year-less dates")
    p.add_argument("--event-tag", metavar="TAG",
                   help="fluentd: set the tag key of recognised records to TAG (route them with <match TAG>)")
    format_args(p, "the `tcplog` object")
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
                 explain=lambda event: occurrences.finish(pipeline.explain(event)),
                 convert=None if args.format == "native" else
                 lambda event: formats.convert(args.format, event, received_now()))
    ctx = FramingContext(reference=fixed or datetime.now(timezone.utc), year=args.year, tz=tz)

    def process(line: bytes) -> bytes:
        return flt.process(line, ctx)

    def prepare(lines: list[bytes]) -> None:  # once per batch read: the clock, the prefilter pass
        if fixed is None and args.year is None:
            ctx.reference = datetime.now(timezone.utc)
        flt.prepare(lines)

    stopper = stdio.Stopper()
    stopper.install()
    fd, out = sys.stdin.fileno(), sys.stdout.buffer
    if args.protocol == "rsyslog":
        process = protocols.Rsyslog(flt, ctx).line
    elif args.protocol.startswith("fluentd"):
        live = None if (fixed is not None or args.year is not None) else (lambda: datetime.now(timezone.utc))
        fluentd = protocols.Fluentd(flt, ctx, args.tag_key, args.time_key, args.event_tag, live)
        if args.protocol == "fluentd-msgpack":
            try:
                stdio.msgpack_loop(fluentd.msgpack_map, fd, out, stopper)
            except InputError as exc:
                print(f"tcplog: {exc.where}: {exc.why}", file=sys.stderr)
                return EXIT_INPUT
            return EXIT_OK
        process = fluentd.json_line
    stdio.filter_loop(process, fd, out, args.max_record_bytes, stopper,
                      prepare if args.protocol == "ndjson" else None)
    return EXIT_OK


def _record_size(text: str) -> int:
    """A --max-record-bytes SIZE (`4M`, `65536`): a bound is required, so 0 is refused."""
    n = size(text)
    if not n:
        raise argparse.ArgumentTypeError(f"a record needs a bound of at least 1 byte: {text!r}")
    return n
