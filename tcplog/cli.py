"""The `tcplog` command: argument parsing and wiring of connectors to the pure core.

Exit codes: 0 ok; 1 some input could not be read (named on stderr); 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from tcplog import __version__, framing
from tcplog.connectors import files, stdio
from tcplog.errors import InputError, UsageError
from tcplog.filter import Filter
from tcplog.framing import journal_export
from tcplog.framing.context import FramingContext, parse_iso
from tcplog.grammars import FAMILIES
from tcplog.render import ndjson
from tcplog.scan import Scanner, Stats

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2

EPILOG = "exit codes: 0 ok, 1 some input could not be read, 2 usage error"


def _framing_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--framing", default="auto", choices=framing.NAMES, metavar="NAME",
                   help="force one framing instead of detecting it per record: " + ", ".join(framing.NAMES))
    p.add_argument("--year", type=int, metavar="YYYY",
                   help="year of the first year-less (RFC 3164) record; later Dec->Jan steps add a year "
                        "(default: place dates at or before the file's mtime, or now for stdin)")
    p.add_argument("--tz", default="UTC", metavar="ZONE",
                   help="IANA zone of timestamps that carry none (RFC 3164, dmesg -T, logread); default UTC")
    p.add_argument("--reference-time", metavar="ISO",
                   help="reference time for year inference instead of file mtimes, e.g. 2026-11-22T12:00:00Z")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tcplog", description="Kernel network-stack messages out of any log framing, as JSON events.",
        epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"tcplog {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser(
        "scan", help="read log files, directories or stdin; print one JSON event per line",
        description="Read files (gzip/bz2/xz/zstd transparently), directories (recursively) or `-` "
                    "for stdin, and print one JSON event per recognised kernel network-stack message.",
        epilog="example: tcplog scan /var/log/kern.log /var/log/old/ --stats\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    scan.add_argument("paths", nargs="+", metavar="PATH", help="file, directory, or - for stdin")
    _framing_args(scan)
    scan.add_argument("-o", "--output", metavar="FILE", help="write events to FILE instead of stdout")
    scan.add_argument("--stats", action="store_true",
                      help="print a JSON summary (files, lines, bytes, events by family, unreadable inputs) on stderr")

    filt = sub.add_parser(
        "filter", help="exec-filter mode: one JSON record out per record in (stdin -> stdout)",
        description="Read records on stdin (raw lines or JSON objects) and write exactly one JSON record "
                    "per input record: a recognised one gains a `tcplog` object holding the event, any "
                    "other passes through unchanged (a raw line is wrapped as {\"message\": ...}).",
        epilog="example: journalctl -k -f -o json | tcplog filter\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _framing_args(filt)

    fams = sub.add_parser("families", help="list the message families and message ids tcplog recognises",
                          description="List every family, its message ids and their wordings.",
                          epilog="example: tcplog families --json\n" + EPILOG)
    fams.add_argument("--json", action="store_true", help="print the catalog as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # a closed stdout ends tcplog quietly
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return cmd_scan(args)
        if args.command == "filter":
            return cmd_filter(args)
        if args.command == "families":
            return cmd_families(args)
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"tcplog: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _zone(name: str):
    if name.upper() in ("UTC", "Z"):
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(f"--tz: unknown time zone {name!r}") from exc


def _reference(args) -> datetime | None:
    if args.reference_time is None:
        return None
    t = parse_iso(args.reference_time)
    if t is None:
        raise UsageError(f"--reference-time: not an ISO 8601 time: {args.reference_time!r}")
    return t


def _context(args, path: str | None, tz, fixed: datetime | None) -> FramingContext:
    reference = fixed or (files.mtime(path) if path else None) or datetime.now(timezone.utc)
    return FramingContext(reference=reference, year=args.year, tz=tz)


def cmd_scan(args) -> int:
    tz, fixed = _zone(args.tz), _reference(args)
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
                ctx = _context(args, None if path == "-" else path, tz, fixed)
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


def cmd_filter(args) -> int:
    tz, fixed = _zone(args.tz), _reference(args)
    if args.framing == journal_export.NAME:
        raise UsageError("filter reads one record per line; journal-export records span lines "
                         "(use journalctl -o json)")
    flt = Filter(forced_framing=args.framing)
    ctx = FramingContext(reference=fixed or datetime.now(timezone.utc), year=args.year, tz=tz)

    def process(line: bytes) -> bytes:
        if fixed is None and args.year is None:
            ctx.reference = datetime.now(timezone.utc)
        return flt.process(line, ctx)

    stdio.filter_loop(process, sys.stdin.fileno(), sys.stdout.buffer)
    return EXIT_OK


def cmd_families(args) -> int:
    catalog = [{"family": f.FAMILY, "origin": f.ORIGIN, "fields": list(f.FIELDS),
                "messages": [{"message_id": k, "wording": v} for k, v in f.MESSAGES.items()]}
               for f in FAMILIES]
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(catalog, option=orjson.OPT_INDENT_2) + b"\n")
        return EXIT_OK
    lines = []
    for fam in catalog:
        lines.append(f"{fam['family']}  ({fam['origin']}; fields: {', '.join(fam['fields'])})")
        lines.extend(f"    {m['message_id']:<34} {m['wording']}" for m in fam["messages"])
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
