"""`tcplog scan PATH...`: files, directories, sosreports, stdin -> one JSON event per line.

Events are joined to host snapshots (the folder store, `--snapshot` files, a sosreport's own
state), classified, counted (suppression notices, `--dedupe`) and grouped into incidents.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

import orjson

from tcplog import counters
from tcplog.classify import load_rules
from tcplog.commands.common import (EPILOG, EXIT_INPUT, EXIT_OK, context, duration, framing_args, reference,
                                    zone)
from tcplog.connectors import files, snapshot_sources, sosreport, stdio
from tcplog.connectors.snapshot_store import FolderStore
from tcplog.enrich import EnrichSettings, Joined
from tcplog.errors import InputError, SnapshotError
from tcplog.framing import journal_export
from tcplog.pipeline import Pipeline, PipelineSettings
from tcplog.render import ndjson
from tcplog.scan import Scanner, Stats
from tcplog.snapshot.store import ChainStore, MemoryStore

NAME = "scan"
DEFAULT_SNAPSHOTS = ".tcplog/snapshots"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME, help="read log files, directories, sosreports or stdin; print one JSON event per line",
        description="Read files (gzip/bz2/xz/zstd transparently), directories (recursively), sosreport "
                    "folders or `-` for stdin, and print one JSON event per recognised kernel network-stack "
                    "message, joined to the host's snapshots and classified.",
        epilog="examples:\n  tcplog scan /var/log/kern.log /var/log/old/ --stats\n"
               "  tcplog scan sosreport-web1-2026-11-20/\n"
               "  tcplog scan dmesg.txt --host web1 --snapshot web1.json --kernel 3.10.0-1160.el7.x86_64\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="file, directory, sosreport folder, or - for stdin")
    framing_args(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write events to FILE instead of stdout")
    p.add_argument("--stats", action="store_true",
                   help="print a JSON summary (files, lines, bytes, events by family, unreadable inputs) on stderr")
    p.add_argument("--snapshots", metavar="DIR", default=DEFAULT_SNAPSHOTS,
                   help=f"snapshot folder store to join events with (default {DEFAULT_SNAPSHOTS}, used when it exists)")
    p.add_argument("--snapshot", metavar="FILE", action="append", default=[],
                   help="a snapshot to join with as well: a tcplog snapshot document or series, a sosreport, "
                        "a copied /proc tree or a sysctl -a file (repeatable)")
    p.add_argument("--host", metavar="NAME", help="host of records that name none (dmesg, kmsg, bare text)")
    p.add_argument("--kernel", metavar="RELEASE", help="kernel release to classify with (default: the snapshot's)")
    p.add_argument("--max-snapshot-age", metavar="DURATION", type=duration, default=timedelta(hours=6),
                   help="a snapshot further than this from the event counts as missing (default 6h)")
    p.add_argument("--dedupe", metavar="WINDOW", type=duration,
                   help="fold repeats (same host, family, message id, fields) within WINDOW into one event")
    p.add_argument("--incident-window", metavar="WINDOW", type=duration, default=timedelta(minutes=5),
                   help="group one host's events closer than WINDOW into incidents with a joint cause "
                        "(default 5m; 0 turns incidents off)")
    p.add_argument("--no-classify", action="store_true", help="do not classify (cause stays null)")
    p.add_argument("--no-counter-events", action="store_true",
                   help="do not emit counter-only events (counters that rose between two snapshots of a host, "
                        "e.g. TcpExt TCPTimeWaitOverflow, which kernels from ~3.1 count without logging)")
    return p


def run(args) -> int:
    tz, fixed = zone(args.tz), reference(args)
    scanner = Scanner(forced_framing=None if args.framing == journal_export.NAME else args.framing)
    stats = Stats()
    memory = MemoryStore()
    for path in args.snapshot:
        try:
            for doc in snapshot_sources.load_all(path, host=args.host):
                memory.put(doc)
        except (InputError, SnapshotError) as exc:
            _unreadable(stats, path, str(exc).removeprefix(f"{path}: "))
    inputs = _inputs(args, memory, stats)
    folder = FolderStore(args.snapshots) if os.path.isdir(args.snapshots) else None
    settings = PipelineSettings(
        classify=not args.no_classify, kernel=args.kernel,
        enrich=EnrichSettings(max_age=args.max_snapshot_age, default_host=args.host),
        dedupe=args.dedupe, incident_window=args.incident_window or None)
    pipeline = Pipeline(settings, store=ChainStore(memory, folder),
                        catalog=None if args.no_classify else load_rules())
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    sink = stdio.EventSink(out)
    errors = files.read_errors()
    seen: dict[str | None, list] = {}
    try:
        for path, problem, host in inputs:
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
                for event in pipeline.run(events, default_host=host):
                    seen.setdefault(event["host"], []).append(event["time"])
                    sink.write(ndjson(event))
                stats.files += 1
            except (InputError, SnapshotError) as exc:
                _unreadable(stats, exc.where, exc.why)
            except errors as exc:
                _unreadable(stats, path, f"{type(exc).__name__}: {exc}")
        if not args.no_counter_events:
            for event, before, after in _counter_findings(memory, folder, seen, args.max_snapshot_age):
                stats.events[event["family"]] += 1
                stats.messages[event["message_id"]] += 1
                sink.write(ndjson(pipeline.explain(event, joined=Joined(before, after))))
    finally:
        sink.close()
        if args.output:
            out.close()
    if folder is not None:
        for path, why in folder.problems:
            print(f"tcplog: {path}: {why} (snapshot skipped)", file=sys.stderr)
    if args.stats:
        sys.stderr.write(orjson.dumps(stats.as_dict()).decode() + "\n")
    return EXIT_INPUT if stats.unreadable else EXIT_OK


def _counter_findings(memory: MemoryStore, folder, seen: dict, margin):
    """Counter-only events: every pair of the snapshots given on the command line, and the folder
    store's pairs around the time of the events seen for each host."""
    for host in memory.hosts():
        yield from counters.findings(memory.load(r) for r in memory.refs(host))
    if folder is None:
        return
    for host, times in sorted(seen.items(), key=lambda kv: str(kv[0])):
        if host is None or memory.refs(host):
            continue
        since, until = counters.span(times, margin)
        if since is None:
            continue
        refs = [r for r in folder.refs(host) if since - margin <= r.time <= until + margin]
        yield from counters.findings((folder.load(r) for r in refs), since, until)


def _inputs(args, memory: MemoryStore, stats: Stats) -> list[tuple[str, str | None, str | None]]:
    """(path, problem, default host) per input file; a sosreport gives its logs and its snapshot."""
    out = []
    for arg in args.paths:
        if arg != "-" and os.path.isdir(arg) and sosreport.detect(arg):
            try:
                doc, logs = sosreport.load(arg, host=args.host)
            except (InputError, SnapshotError) as exc:
                _unreadable(stats, arg, str(exc))
                continue
            if doc.get("host"):
                memory.put(doc)
            out.extend((log, None, doc.get("host") or args.host) for log in logs)
            if not logs:
                out.append((arg, "sosreport holds no log files tcplog reads", None))
            continue
        out.extend((path, problem, args.host) for path, problem in files.expand([arg]))
    return out


def _unreadable(stats: Stats, path: str, why: str) -> None:
    stats.unreadable.append((path, why))
    print(f"tcplog: {path}: {why}", file=sys.stderr)
