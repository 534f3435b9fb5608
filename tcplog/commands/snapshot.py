"""`tcplog snapshot`: capture this host (or read a copy of another) into tcplog.snapshot/1 JSON."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from datetime import datetime, timezone

from tcplog.commands.common import EXIT_INPUT, EXIT_OK
from tcplog.connectors import procfs, snapshot_sources
from tcplog.connectors.snapshot_store import FolderStore
from tcplog.errors import InputError, SnapshotError, UsageError
from tcplog.snapshot import document

NAME = "snapshot"
EPILOG = """examples:
  tcplog snapshot -o web1.json                          this host, one document
  tcplog snapshot --interval 10 --count 6 -o web1.ndjson   a minute of snapshots, one per line
  tcplog snapshot --store /var/lib/tcplog/snapshots     into a folder store (prints the file written)
  tcplog snapshot --from sosreport-web1-2026-11-20/     a sosreport, a copied /proc tree, or a `sysctl -a` file

exit codes: 0 ok (unreadable sections are listed in the document's "errors"; a series stopped by
            SIGTERM or SIGINT),
            1 --from input or the output could not be read or written, 2 usage error"""


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME, help="capture sysctls, socket counters and listeners of this host as a JSON snapshot",
        description="Capture the local host's network-stack state (net.* sysctls, /proc/net/sockstat, "
                    "netstat, snmp, conntrack, neighbour tables, listening sockets) as a tcplog.snapshot/1 "
                    "JSON document, or read one from a sosreport, a copied /proc tree or a `sysctl -a` file.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--from", dest="source", metavar="PATH",
                   help="read a sosreport folder, a copied /proc tree (a folder holding net/ and sys/) "
                        "or a saved `sysctl -a` file instead of this host")
    p.add_argument("--host", metavar="NAME", help="host name to record (default: the captured host's own)")
    p.add_argument("--interval", type=float, default=None, metavar="S",
                   help="seconds between snapshots of a series (default 1 when --count > 1)")
    p.add_argument("--count", type=int, default=1, metavar="N",
                   help="snapshots to take (default 1; 0 = until interrupted); more than one needs a live host")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE (`-` = stdout, the default): one indented document, "
                        "or one document per line (NDJSON) for a series")
    p.add_argument("--store", metavar="DIR",
                   help="put each snapshot into the folder store DIR (<DIR>/<host>/<time>.json) and "
                        "print the file written, instead of writing the document")
    p.add_argument("--to-kafka", action="store_true",
                   help="publish each snapshot to the compacted topic --snapshot-topic (key = host, acks=all) and "
                        "print where it went, instead of writing the document (connection options as TCPLOG_* "
                        "variables, as for tcplog kafka; see docs/kafka.md)")
    p.add_argument("--bootstrap-servers", metavar="HOST:PORT", action="append",
                   help="with --to-kafka: the brokers (repeat or comma-separate; or TCPLOG_BOOTSTRAP_SERVERS)")
    p.add_argument("--snapshot-topic", metavar="TOPIC",
                   help="with --to-kafka: the compacted snapshot topic (or TCPLOG_SNAPSHOT_TOPIC)")
    return p


def run(args) -> int:
    _check(args)
    series = args.count != 1
    store = FolderStore(args.store) if args.store else _kafka(args) if args.to_kafka else None
    out, close = sys.stdout.buffer, False
    taken, next_at = 0, 0.0
    stop: list[int] = []  # a series ends on SIGTERM or SIGINT after the snapshot in hand is written
    old = {s: signal.signal(s, lambda signum, frame: stop.append(signum))
           for s in (signal.SIGTERM, signal.SIGINT)} if series else {}
    try:
        if store is None:
            out, close = _output(args.output)
        while (args.count == 0 or taken < args.count) and not stop:
            while taken and not stop and (left := next_at - time.monotonic()) > 0:
                time.sleep(min(left, 0.2))
            if stop:
                break
            next_at = time.monotonic() + (args.interval or 1.0)
            doc = _take(args)
            taken += 1
            if store is not None:
                out.write(store.path(store.put(doc)).encode() + b"\n")
            else:
                out.write(document.dumps(doc, pretty=not series))
            out.flush()
            _report(doc)
    except (InputError, SnapshotError) as exc:
        print(f"tcplog: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        where = exc.filename or args.store or args.output or "<stdout>"
        print(f"tcplog: {where}: {(exc.strerror or str(exc)).lower()}", file=sys.stderr)
        return EXIT_INPUT
    finally:
        if close:
            out.close()
        for s, handler in old.items():
            signal.signal(s, handler)
    return EXIT_OK


def _check(args) -> None:
    if args.count < 0:
        raise UsageError("--count: must be 0 (until interrupted) or more")
    if args.interval is not None and args.interval <= 0:
        raise UsageError("--interval: must be more than 0 seconds")
    if args.source is not None and args.count != 1:
        raise UsageError("--count: a series needs a live host; --from reads one saved state")
    if args.store and args.output:
        raise UsageError("--store and -o: choose one destination")
    if args.store and args.to_kafka:
        raise UsageError("--store and --to-kafka: choose one destination")
    if args.host is not None and not args.host.strip():
        raise UsageError("--host: empty name")


def _output(name: str | None):
    if name in (None, "-"):
        return sys.stdout.buffer, False
    try:
        return open(name, "wb"), True
    except OSError as exc:
        raise InputError(name, (exc.strerror or str(exc)).lower()) from None


def _take(args) -> dict:
    """One document: this host, or the saved state --from names."""
    if args.source is None:
        return procfs.capture("/", host=args.host, now=datetime.now(timezone.utc))
    docs = snapshot_sources.load_all(args.source, host=args.host)
    if len(docs) != 1:
        raise InputError(args.source, f"holds {len(docs)} snapshots; --from takes one")
    return docs[0]


def _report(doc: dict) -> None:
    sections = sorted({e["section"] for e in doc["errors"]})
    if sections:
        host = doc["host"] if doc["host"] is not None else "a host without a name"
        print(f"tcplog: snapshot of {host} at {doc['time']}: not read: {', '.join(sections)} "
              f"(see \"errors\" in the document)", file=sys.stderr)


def _kafka(args):
    """--to-kafka: a publisher to the snapshot topic, used like a store (tcplog.connectors.kafka_snapshots)."""
    if args.output:
        raise UsageError("--to-kafka and -o: choose one destination")
    import os

    from tcplog.connectors import kafka_settings, kafka_snapshots

    settings = kafka_settings.load_publisher(args.bootstrap_servers, args.snapshot_topic, os.environ)
    return kafka_snapshots.KafkaPublisher(settings)
