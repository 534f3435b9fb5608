"""What the commands share: exit codes, framing/time options, reference times, zones."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tcplog import framing
from tcplog.connectors import decompress, files, sizes
from tcplog.errors import UsageError
from tcplog.framing.context import FramingContext, parse_iso

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
EPILOG = "exit codes: 0 ok, 1 some input could not be read, 2 usage error"


def framing_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--framing", default="auto", choices=framing.NAMES, metavar="NAME",
                   help="force one framing instead of detecting it per record: " + ", ".join(framing.NAMES))
    p.add_argument("--year", type=int, metavar="YYYY",
                   help="year of the first year-less (RFC 3164) record; later Dec->Jan steps add a year "
                        "(default: place dates at or before the file's mtime, or now for stdin)")
    p.add_argument("--tz", metavar="ZONE",
                   help="IANA zone of timestamps that carry none (RFC 3164, dmesg -T, logread); default UTC "
                        "(scan: a sosreport's logs are read in the report's own zone)")
    p.add_argument("--reference-time", metavar="ISO",
                   help="reference time for year inference instead of file mtimes, e.g. 2026-11-22T12:00:00Z")


def input_args(p: argparse.ArgumentParser) -> None:
    """How inputs are read (scan): the ceiling on decompressed bytes per compressed input, the longest record."""
    p.add_argument("--max-input-bytes", metavar="SIZE", type=size, default=decompress.DEFAULT_MAX_INPUT_BYTES,
                   help="stop reading a compressed input (gzip/bz2/xz/zstd file, compressed tar member) after SIZE "
                        "decompressed bytes and report it unreadable as a possible compression bomb, keeping the "
                        f"events found before; e.g. 500M, 10G; 0: no limit "
                        f"(default {sizes.format_size(decompress.DEFAULT_MAX_INPUT_BYTES)})")
    p.add_argument("--max-record-bytes", metavar="SIZE", type=size, default=files.DEFAULT_MAX_RECORD,
                   help="the longest line read whole; a longer one is read in pieces of SIZE, so memory stays "
                        "bounded whatever the input holds; e.g. 64K, 4M "
                        f"(default {sizes.format_size(files.DEFAULT_MAX_RECORD)})")


def size(text: str) -> int | None:
    """`500M`, `10G`, `0` (no limit) -> bytes or None (argparse type)."""
    try:
        return sizes.parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def zone(name: str | None):
    """--tz: the zone named (None: UTC)."""
    if name is None or name.upper() in ("UTC", "Z"):
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(f"--tz: unknown time zone {name!r}") from exc


def reference(args) -> datetime | None:
    if args.reference_time is None:
        return None
    t = parse_iso(args.reference_time)
    if t is None:
        raise UsageError(f"--reference-time: not an ISO 8601 time: {args.reference_time!r}")
    return t


def context(args, path: str | None, tz, fixed: datetime | None) -> FramingContext:
    ref = fixed or (files.mtime(path) if path else None) or datetime.now(timezone.utc)
    return FramingContext(reference=ref, year=args.year, tz=tz)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str):
    """`90`, `90s`, `5m`, `1h`, `2d` -> timedelta (argparse type)."""
    import argparse
    from datetime import timedelta

    t = text.strip().lower()
    unit = t[-1] if t and t[-1] in _UNITS else "s"
    number = t[:-1] if t and t[-1] in _UNITS else t
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 90s, 5m, 1h)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"negative duration: {text!r}")
    return timedelta(seconds=value * _UNITS[unit])


DEFAULT_SNAPSHOTS = ".tcplog/snapshots"


def classify_args(p: argparse.ArgumentParser) -> None:
    """Options that join events to host snapshots and classify them (scan, filter)."""
    from datetime import timedelta

    p.add_argument("--snapshots", metavar="DIR", default=DEFAULT_SNAPSHOTS,
                   help=f"snapshot folder store to join events with (default {DEFAULT_SNAPSHOTS}, used when it exists)")
    p.add_argument("--snapshot", metavar="FILE", action="append", default=[],
                   help="a snapshot to join with as well: a tcplog snapshot document or series, a sosreport, "
                        "a copied /proc tree or a sysctl -a file (repeatable)")
    p.add_argument("--host", metavar="NAME", help="host of records that name none (dmesg, kmsg, bare text)")
    p.add_argument("--kernel", metavar="RELEASE", help="kernel release to classify with (default: the snapshot's)")
    p.add_argument("--max-snapshot-age", metavar="DURATION", type=duration, default=timedelta(hours=6),
                   help="a snapshot further than this from the event counts as missing (default 6h)")
    p.add_argument("--no-classify", action="store_true", help="do not join or classify (cause stays null)")


def load_snapshots(args, memory) -> list[tuple[str, str]]:
    """Put every --snapshot into the memory store; (path, why) for each that could not be read."""
    from tcplog.connectors import snapshot_sources
    from tcplog.errors import InputError, SnapshotError

    problems = []
    for path in args.snapshot:
        try:
            for doc in snapshot_sources.load_all(path, host=args.host):
                memory.put(doc)
        except (InputError, SnapshotError) as exc:
            problems.append((path, str(exc).removeprefix(f"{path}: ")))
    return problems


def folder_store(args):
    """The folder store named by --snapshots, when that folder exists."""
    import os

    from tcplog.connectors.snapshot_store import FolderStore

    return FolderStore(args.snapshots) if os.path.isdir(args.snapshots) else None


def build_pipeline(args, memory, folder, dedupe=None, incident_window=None):
    """The enrich/classify/count chain the options ask for."""
    from tcplog.classify import load_rules
    from tcplog.enrich import EnrichSettings
    from tcplog.pipeline import Pipeline, PipelineSettings
    from tcplog.snapshot.store import ChainStore

    settings = PipelineSettings(
        classify=not args.no_classify, kernel=args.kernel,
        enrich=EnrichSettings(max_age=args.max_snapshot_age, default_host=args.host),
        dedupe=dedupe, incident_window=incident_window)
    return Pipeline(settings, store=ChainStore(memory, folder), catalog=None if args.no_classify else load_rules())


def format_args(p: argparse.ArgumentParser, what: str = "events") -> None:
    """`--format native|ecs|ocsf` (tcplog.formats)."""
    from tcplog import formats

    p.add_argument("--format", default="native", choices=formats.NAMES,
                   help=f"write {what} as native tcplog events (default), ECS documents or OCSF Detection "
                        "Findings (docs/formats.md)")


def received_now() -> str:
    """Now, RFC 3339 UTC: the @timestamp/time of an event read without a wall clock."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
