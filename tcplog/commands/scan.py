"""`tcplog scan PATH...`: files, directories, sosreports, supportconfigs, stdin -> one JSON event per line.

Events are joined to host snapshots (the folder store, `--snapshot` files, a sosreport's or
supportconfig's own state), classified, counted (suppression notices, `--dedupe`) and grouped into
incidents.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

import orjson

from tcplog import counters, formats, occurrences
from tcplog.commands import progress
from tcplog.commands.common import (EPILOG, EXIT_INPUT, EXIT_OK, build_pipeline, classify_args, context, duration,
                                    folder_store, format_args, framing_args, load_snapshots, received_now, reference,
                                    zone)
from tcplog.commands.common import input_args
from tcplog.connectors import decompress, files, inputs, journal_files, sos_archive, sosreport, stdio, supportconfig, walk
from tcplog.connectors.overlap import Overlap, archive, compared_folders, log_of
from tcplog.enrich import Joined
from tcplog.errors import InputError, SnapshotError
from tcplog.framing import journal_export
from tcplog.scan import Scanner, Stats
from tcplog.snapshot.store import MemoryStore

NAME = "scan"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME, help="read log files, directories, sosreports, supportconfigs or stdin; print one JSON event per line",
        description="Read files (gzip/bz2/xz/zstd transparently), directories (recursively), sosreports "
                    "and SUSE supportconfigs (folders, or tarballs as sos and supportconfig pack them) or `-` "
                    "for stdin, and print one JSON event per recognised kernel network-stack "
                    "message, joined to the host's snapshots and classified.",
        epilog="examples:\n  tcplog scan /var/log/kern.log /var/log/old/ --stats\n"
               "  tcplog scan sosreport-web1-2026-11-20/\n"
               "  tcplog scan sosreport-web1-2026-11-20-xkqzvpd.tar.xz\n"
               "  tcplog scan scc_web1_261120_1105.txz\n"
               "  tcplog scan dmesg.txt --host web1 --snapshot web1.json --kernel 3.10.0-1160.el7.x86_64\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="file, directory, sosreport or supportconfig (folder or tarball), or - for stdin")
    framing_args(p)
    input_args(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write events to FILE instead of stdout")
    format_args(p)
    p.add_argument("--stats", action="store_true",
                   help="print a JSON summary (files, lines, bytes, events by family, message and cause, unreadable "
                        "inputs) on stderr; without it, a terminal gets a readable summary")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary on a terminal")
    classify_args(p)
    p.add_argument("--dedupe", metavar="WINDOW", type=duration,
                   help="fold repeats (same host, family, message id, fields) within WINDOW into one event")
    p.add_argument("--incident-window", metavar="WINDOW", type=duration,
                   help="group one host's events closer than WINDOW into incidents with a joint cause "
                        "(events wait until their incident closes)")
    p.add_argument("--workers", metavar="N", type=_positive, default=os.cpu_count() or 1,
                   help="worker processes (default: the cores); files, and byte ranges of large uncompressed "
                        "files, are scanned in parallel with output identical to one process")
    p.add_argument("--no-counter-events", action="store_true",
                   help="do not emit counter-only events (counters that rose between two snapshots of a host: "
                        "limits the kernel counts but logs seldom or never, such as TcpExt ListenOverflows and "
                        "TCPTimeWaitOverflow, conntrack drop, neighbour table_fulls; docs/events.md)")
    return p


def run(args) -> int:
    scratch = sos_archive.Scratch()  # packed reports are unpacked there for the run, supportconfig log sections written
    try:
        return _run(args, scratch)
    finally:
        scratch.close()


def _run(args, scratch: sos_archive.Scratch) -> int:
    tz, fixed = zone(args.tz), reference(args)
    walk.new_run()  # before any input is named: a file is read once per run
    decompress.set_max_input_bytes(args.max_input_bytes)
    files.set_max_record_bytes(args.max_record_bytes)  # before any input is opened or worker forked
    forced = None if args.framing == journal_export.NAME else args.framing
    stats = Stats()
    memory = MemoryStore()
    for path, why in load_snapshots(args, memory):
        _unreadable(stats, path, why)
    zones: dict[str, object] = {}  # input -> the zone its dates are in, where it is not --tz (a sosreport's)
    sources = _inputs(args, memory, stats, zones, scratch)
    stats.skipped.extend(walk.skipped())
    folder = folder_store(args)
    pipeline = build_pipeline(args, memory, folder, dedupe=args.dedupe, incident_window=args.incident_window)
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    sink = stdio.EventSink(out)
    ndjson = formats.renderer(args.format, received_now())
    seen = counters.Seen()
    readable = []
    for path, problem, host in sources:
        if problem:
            _unreadable(stats, path, problem)
        else:
            readable.append((path, host))
    # records two system logs of a folder hold (kern.log and syslog) leave once; None: no input can
    overlap: Overlap | None = Overlap(compared_folders([path for path, _ in readable]))
    if not overlap.folders and not any(archive(path) for path, _ in readable):
        overlap = None
    splittable = args.dedupe is None and args.incident_window is None and args.year is None
    tasks = []
    if args.workers > 1:
        from tcplog.connectors import workers  # the process pool: only when there is more than one

        tasks = workers.plan(readable, splittable, zones=zones)
    try:
        if len(tasks) > 1:
            config = workers.Config(
                forced_framing=forced, force_export=args.framing == journal_export.NAME, year=args.year, tz=tz,
                reference=fixed, settings=pipeline.settings,
                snapshot_docs=tuple(orjson.dumps(memory.load(r)) for h in memory.hosts() for r in memory.refs(h)),
                snapshots_dir=folder.root if folder is not None else None, catalog=not args.no_classify)
            write = sink.write if args.format == "native" else _reformat(sink.write, ndjson)
            if overlap is not None:
                write = _without_overlap(write, overlap, stats, seen)
            workers.run(tasks, min(args.workers, len(tasks)), config, write, stats, seen,
                        lambda where, why: _unreadable(stats, where, why))
        else:
            scanner = Scanner(forced_framing=forced)
            errors = decompress.read_errors()
            bar = progress.Bar(len(readable))
            for path, host in readable:
                ctx = context(args, None if path == "-" else path, zones.get(path, tz), fixed)
                try:
                    for event in inputs.events(path, host, scanner, pipeline, ctx, stats,
                                               args.framing == journal_export.NAME,
                                               lambda where, why: _unreadable(stats, where, why), fixed is not None):
                        if overlap is not None and not overlap.new(event):
                            _uncount(stats, event)
                            continue
                        seen.note(event)
                        stats.causes[(event["cause"] or {}).get("id") or "-"] += 1
                        sink.write(ndjson(event))
                    stats.files += 1
                except (InputError, SnapshotError) as exc:
                    _unreadable(stats, exc.where, exc.why)
                except errors as exc:
                    _unreadable(stats, path, f"{type(exc).__name__}: {exc}")
                bar.file_done(path)
            bar.close()
        stats.evicted.update(pipeline.take_evictions())
        if not args.no_counter_events:
            for event, before, after in _counter_findings(memory, folder, seen, args.max_snapshot_age):
                stats.events[event["family"]] += 1
                stats.messages[event["message_id"]] += 1
                event = occurrences.finish(pipeline.explain(event, joined=Joined(before, after)))
                stats.causes[(event["cause"] or {}).get("id") or "-"] += 1
                sink.write(ndjson(event))
    finally:
        sink.close()
        if args.output:
            out.close()
    if folder is not None:
        for path, why in folder.problems:
            print(f"tcplog: {path}: {why} (snapshot skipped)", file=sys.stderr)
    if args.stats:
        sys.stderr.write(orjson.dumps(stats.as_dict()).decode() + "\n")
    elif progress.enabled() and not args.quiet:
        progress.summary(stats)
    return EXIT_INPUT if stats.unreadable else EXIT_OK


def _without_overlap(write, overlap: Overlap, stats: Stats, seen: counters.Seen):
    """Workers' native NDJSON without the records another system log of their folder gave already
    (connectors.overlap), uncounted: in the stats, and in the lines the counter-only events leave
    out of their silent part (the workers noted every event they wrote)."""
    def filtered(data) -> None:
        kept = []
        for line in bytes(data).splitlines(keepends=True):
            event = orjson.loads(line)
            if overlap.new(event):
                kept.append(line)
            else:
                _uncount(stats, event)
                stats.causes[(event["cause"] or {}).get("id") or "-"] -= 1
                seen.note_lines(counters.logged_key(event), -(event["count"] + event["suppressed"]))
        write(b"".join(kept))
    return filtered


def _uncount(stats: Stats, event: dict) -> None:
    """Take back the counts of an event dropped as the same record read from another log."""
    stats.overlapped += 1
    stats.events[event["family"]] -= 1
    stats.messages[event["message_id"]] -= 1


def _reformat(write, render):
    """Workers hand back native NDJSON (the suppression attacher patches it): re-render it per line."""
    def reformat(data: bytes) -> None:
        write(b"".join(render(orjson.loads(line)) for line in bytes(data).splitlines() if line))
    return reformat


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return n


def _counter_findings(memory: MemoryStore, folder, seen: counters.Seen, margin):
    """Counter-only events: every pair of the snapshots given on the command line, and the folder
    store's pairs around the time of the events seen for each host; each leaves out the lines the
    log already shows for its counter between the same two snapshots."""
    for host in memory.hosts():
        yield from counters.findings((memory.load(r) for r in memory.refs(host)), seen=seen)
    if folder is None:
        return
    for host, times in sorted(seen.spans.items(), key=lambda kv: str(kv[0])):
        if host is None or memory.refs(host):
            continue
        since, until = counters.span(times, margin)
        if since is None:
            continue
        refs = [r for r in folder.refs(host) if since - margin <= r.time <= until + margin]
        yield from counters.findings((folder.load(r) for r in refs), since, until, seen)


def _inputs(args, memory: MemoryStore, stats: Stats, zones: dict,
            scratch: sos_archive.Scratch) -> list[tuple[str, str | None, str | None]]:
    """(path, problem, default host) per input file; a sosreport or supportconfig (a folder, or packed as
    it is sent) gives its logs and its snapshot, and (without --tz) the zone its logs' dates are in,
    into `zones`."""
    out = []
    for arg in args.paths:
        if arg != "-" and os.path.isdir(arg) and (sosreport.detect(arg) or supportconfig.detect(arg)):
            out.extend(_report(args, arg, memory, stats, zones, scratch))
            continue
        if (folder := _unpacked(arg, scratch)) is not None:
            out.extend(_report(args, folder, memory, stats, zones, scratch))
            continue
        found = list(walk.expand([arg]))
        if arg != "-" and os.path.isdir(arg):
            found = _journals_beside_syslog(found, stats)
        for path, problem in found:  # (a walked folder's packed reports are told by their name first)
            if problem is None and os.path.basename(path).startswith(sos_archive.PREFIXES) \
                    and (folder := _unpacked(path, scratch)) is not None:
                out.extend(_report(args, folder, memory, stats, zones, scratch))
            else:
                out.append((path, problem, args.host))
    return out


def _unpacked(path: str, scratch: sos_archive.Scratch) -> str | None:
    """The report folder of a packed sosreport or supportconfig (connectors.sos_archive), else None; one that cannot be
    unpacked is read as the plain archive it is, with a note on stderr saying why."""
    if not sos_archive.is_report(path):
        return None
    try:
        return scratch.unpack(path)
    except InputError as exc:
        print(f"tcplog: {exc.where}: {exc.why}: read as a plain archive", file=sys.stderr)
        return None


def _report(args, folder: str, memory: MemoryStore, stats: Stats, zones: dict,
            scratch: sos_archive.Scratch) -> list[tuple[str, str | None, str | None]]:
    """A sosreport's or supportconfig's logs as inputs (a supportconfig's log sections written to files
    of their own in the scratch folder); its snapshot into `memory`, its zone into `zones`."""
    shown = walk.shown(folder)
    reader = supportconfig if supportconfig.detect(folder) else sosreport
    try:
        doc, logs = reader.load(folder, host=args.host)
        if reader is supportconfig:
            logs = supportconfig.extract(folder, logs, scratch.beside(folder)) if logs else []
    except (InputError, SnapshotError) as exc:
        _unreadable(stats, shown, str(exc).replace(folder, shown))
        return []
    if doc.get("host"):
        memory.put(scratch.named(doc))
    if args.tz is None and (found := reader.zone(folder)) is not None:
        zones.update((log, found[0]) for log in logs)
        print(f"tcplog: {shown}: log dates read in {found[0]} (from {walk.shown(found[1])}; --tz overrides)",
              file=sys.stderr)
    if not logs:
        return [(shown, f"{reader.__name__.rpartition('.')[2]} holds no log files tcplog reads", None)]
    return [(log, None, doc.get("host") or args.host) for log in logs]


def _journals_beside_syslog(found: list[tuple[str, str | None]], stats: Stats) -> list[tuple[str, str | None]]:
    """A walked folder (/var/log) holding system logs and binary journal files: the journal files are
    not read, as the syslog daemon wrote the same kernel records to its logs (they cannot be
    compared record by record: the journal's texts and times are not the syslog lines'). Named
    itself (`tcplog scan /var/log/journal/`), a journal folder or file is read."""
    if not any(problem is None and log_of(path) for path, problem in found):
        return found
    kept = []
    for path, problem in found:
        if problem is None and path.endswith(journal_files.SUFFIXES):
            why = ("binary journal beside the syslog files of the folder named, which hold the same kernel "
                   "records: not read (name the journal folder or file to read it)")
            stats.skipped.append((path, why))
            print(f"tcplog: {path}: {why}", file=sys.stderr)
            continue
        kept.append((path, problem))
    return kept


def _unreadable(stats: Stats, path: str, why: str) -> None:
    stats.unreadable.append((path, why))
    print(f"tcplog: {path}: {why}", file=sys.stderr)
