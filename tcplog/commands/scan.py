"""`tcplog scan PATH...`: files, directories, stdin -> one JSON event per line."""

from __future__ import annotations

import argparse
import sys

import orjson

from tcplog.commands.common import EPILOG, EXIT_INPUT, EXIT_OK, context, framing_args, reference, zone
from tcplog.connectors import files, stdio
from tcplog.errors import InputError
from tcplog.framing import journal_export
from tcplog.render import ndjson
from tcplog.scan import Scanner, Stats

NAME = "scan"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME, help="read log files, directories or stdin; print one JSON event per line",
        description="Read files (gzip/bz2/xz/zstd transparently), directories (recursively) or `-` "
                    "for stdin, and print one JSON event per recognised kernel network-stack message.",
        epilog="example: tcplog scan /var/log/kern.log /var/log/old/ --stats\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="file, directory, or - for stdin")
    framing_args(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write events to FILE instead of stdout")
    p.add_argument("--stats", action="store_true",
                   help="print a JSON summary (files, lines, bytes, events by family, unreadable inputs) on stderr")
    return p


def run(args) -> int:
    tz, fixed = zone(args.tz), reference(args)
    scanner = Scanner(forced_framing=None if args.framing == journal_export.NAME else args.framing)
    stats = Stats()
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    sink = stdio.EventSink(out)
    errors = files.read_errors()
    try:
        for path, problem in files.expand(args.paths):
            if problem:
                _unreadable(stats, path, problem)
                continue
            try:
                stream = files.open_input(path)
                name = "<stdin>" if path == "-" else path
                ctx = context(args, None if path == "-" else path, tz, fixed)
                head = stream.peek(64)[:64]
                if args.framing == journal_export.NAME or journal_export.sniff(head):
                    events = scanner.scan_export(stream, ctx, name, stats)
                else:
                    events = scanner.scan_blocks(files.blocks(stream), ctx, name, stats)
                for event in events:
                    sink.write(ndjson(event))
                stats.files += 1
            except InputError as exc:
                _unreadable(stats, exc.where, exc.why)
            except errors as exc:
                _unreadable(stats, path, f"{type(exc).__name__}: {exc}")
    finally:
        sink.close()
        if args.output:
            out.close()
    if args.stats:
        sys.stderr.write(orjson.dumps(stats.as_dict()).decode() + "\n")
    return EXIT_INPUT if stats.unreadable else EXIT_OK


def _unreadable(stats: Stats, path: str, why: str) -> None:
    stats.unreadable.append((path, why))
    print(f"tcplog: {path}: {why}", file=sys.stderr)
