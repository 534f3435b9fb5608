"""`tcplog follow`: a live source for shippers that run a command and read its stdout.

Vector's `exec` source and Fluent Bit's `exec` input start a program and read NDJSON from its
stdout; neither can pipe records through a filter. `tcplog follow` reads the kernel's messages
itself — from the journal, /dev/kmsg or log files — and writes one event per line, flushed at
once. Where it stopped is kept in `--state FILE` (written atomically after every batch handed
on and on SIGTERM/SIGINT), so a restart neither skips nor repeats records.
"""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import datetime, timezone

from tcplog import occurrences, render
from tcplog.commands.common import (EPILOG, EXIT_INPUT, EXIT_OK, build_pipeline, classify_args, folder_store,
                                    load_snapshots, zone)
from tcplog.connectors import statefile
from tcplog.connectors.overlap import Overlap, compared_folders
from tcplog.errors import UsageError
from tcplog.filter import Filter
from tcplog.framing.context import FramingContext
from tcplog.recognize import Recognizer

NAME = "follow"
DEFAULT_KMSG = "/dev/kmsg"
DEFAULT_BOOT_ID = "/proc/sys/kernel/random/boot_id"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME, help="follow the journal, /dev/kmsg or log files and print events as they happen (resumable)",
        description="Follow one live source and write one NDJSON event per recognised kernel record to "
                    "stdout, flushed per event. The position is saved in --state, so a restart resumes "
                    "exactly after the last record handed on. Nothing goes to stderr unless --verbose.",
        epilog="examples:\n  tcplog follow --journal --state /var/lib/tcplog/journal.state\n"
               "  tcplog follow --kmsg --state /var/lib/tcplog/kmsg.state\n"
               "  tcplog follow /var/log/kern.log --state /var/lib/tcplog/files.state\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--journal", action="store_true",
                     help="kernel messages from the journal (journalctl -f -o json _TRANSPORT=kernel)")
    src.add_argument("--kmsg", action="store_true", help="kernel messages from /dev/kmsg (or --kmsg-path)")
    p.add_argument("files", nargs="*", metavar="FILE", help="log files to follow like tail -F")
    p.add_argument("--journal-dir", metavar="DIR", help="with --journal: read this journal directory")
    p.add_argument("--journal-file", metavar="FILE", help="with --journal: read this .journal file")
    p.add_argument("--journalctl", metavar="PATH", default="journalctl", help="journalctl to run (default: from PATH)")
    p.add_argument("--kmsg-path", metavar="PATH", default=DEFAULT_KMSG,
                   help=f"with --kmsg: the device or a file in its format (default {DEFAULT_KMSG})")
    p.add_argument("--boot-id-file", metavar="PATH", default=DEFAULT_BOOT_ID,
                   help=f"with --kmsg: where the current boot id is read (default {DEFAULT_BOOT_ID})")
    p.add_argument("--state", metavar="FILE",
                   help="state file: journal cursor, kmsg boot id + sequence, or file inodes + offsets "
                        "(without it every start begins afresh)")
    p.add_argument("--from-beginning", action="store_true",
                   help="with no saved state, start at the oldest record instead of only new ones")
    p.add_argument("--all", action="store_true",
                   help="write every record, not only events: as `tcplog filter` does (a recognised record "
                        "gains a `tcplog` object, others pass through)")
    p.add_argument("--poll-interval", metavar="SECONDS", type=float, default=0.25,
                   help="how long to wait for new data between checks (default 0.25)")
    p.add_argument("--verbose", action="store_true",
                   help="report rotations, reboots, losses and a final count on stderr")
    p.add_argument("--framing", default="auto", metavar="NAME",
                   help="with FILE: force one framing (as for scan); --journal and --kmsg set their own")
    p.add_argument("--tz", default="UTC", metavar="ZONE", help="IANA zone of timestamps that carry none")
    classify_args(p)
    return p


OVERLAP_LINES = 100_000  # lines remembered to recognise the second copy of a record (kern.log and syslog; a
# record with a printk stamp takes two entries, connectors.overlap)


class Emitter:
    """One record -> the bytes to write (an event line, or with --all every record), or None."""

    def __init__(self, args, framing: str):
        from tcplog.snapshot.store import MemoryStore

        memory = MemoryStore()
        self.problems = load_snapshots(args, memory)
        pipeline = build_pipeline(args, memory, folder_store(args))
        self.explain = lambda event: occurrences.finish(pipeline.explain(event))
        self.recognizer = Recognizer(forced_framing=framing)
        self.filter = Filter(self.recognizer, explain=self.explain) if args.all else None
        self.ctx = FramingContext(reference=datetime.now(timezone.utc), year=None, tz=zone(args.tz))
        self.events = 0
        # kern.log and syslog followed together: a record both hold leaves once (connectors.overlap)
        folders = compared_folders(args.files)
        self.overlap = Overlap(folders, limit=OVERLAP_LINES) if folders else None

    def __call__(self, record: bytes, position) -> bytes | None:
        self.ctx.reference = datetime.now(timezone.utc)
        if self.filter is not None:
            before = self.filter.events
            out = self.filter.process(record, self.ctx)
            self.events += self.filter.events - before
            return out
        event = self.recognizer.event(record, self.ctx, position)
        if event is None or (self.overlap is not None and not self.overlap.new(event)):
            return None
        self.events += 1
        return render.ndjson(self.explain(event))


def _source(args, state):
    if args.journal:
        from tcplog.connectors import follow_journal

        return follow_journal.SOURCE, lambda st: follow_journal.JournalFollower(
            st, args.journal_dir, args.journal_file, args.from_beginning, args.journalctl), "journal-json"
    if args.kmsg:
        from tcplog.connectors import follow_kmsg

        boot = follow_kmsg.boot_id(args.boot_id_file)
        return follow_kmsg.SOURCE, lambda st: follow_kmsg.KmsgFollower(
            args.kmsg_path, boot, st, args.from_beginning), "kmsg"
    from tcplog.connectors import follow_files

    return follow_files.SOURCE, lambda st: follow_files.FileFollower(
        args.files, st, args.from_beginning), args.framing


def run(args) -> int:
    if sum([args.journal, args.kmsg, bool(args.files)]) != 1:
        raise UsageError("follow needs exactly one source: --journal, --kmsg or FILE...")
    if (args.journal_dir or args.journal_file) and not args.journal:
        raise UsageError("--journal-dir/--journal-file need --journal")
    if args.poll_interval <= 0:
        raise UsageError("--poll-interval must be positive")
    from tcplog import framing

    if args.framing not in framing.NAMES:
        raise UsageError(f"--framing: unknown framing {args.framing!r}")
    verbose = args.verbose

    def say(text: str) -> None:
        if verbose:
            print(f"tcplog: {text}", file=sys.stderr, flush=True)

    source, make, framing_name = _source(args, None)
    state = None
    if args.state:
        state, problem = statefile.load(args.state, source)
        if problem:  # never silent: a reset state means records may be read again or skipped
            print(f"tcplog: {problem}", file=sys.stderr, flush=True)
    emit = Emitter(args, framing_name)
    for path, why in emit.problems:
        say(f"{path}: {why}")
    stop = []
    handler = lambda signum, frame: stop.append(signum)  # noqa: E731
    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    follower = make(state)
    if args.state:  # at once: "only new records" must mean new since this start, even after a restart
        statefile.save(args.state, follower.state())
    out = sys.stdout.buffer
    rc = EXIT_OK
    try:
        while not stop:
            records = follower.poll(args.poll_interval)
            for note in follower.notes:
                say(note)
            follower.notes.clear()
            for record, position in records:
                data = emit(record, position)
                if data is not None:
                    out.write(data)
                    out.flush()
            if records and args.state:
                statefile.save(args.state, follower.state())
            if follower.ended:
                why = follower.failure()
                if why:
                    print(f"tcplog: {why}", file=sys.stderr, flush=True)
                    rc = EXIT_INPUT
                break
    finally:
        if args.state:
            statefile.save(args.state, follower.state())
        follower.close()
        for s, h in old.items():
            signal.signal(s, h)
    lost = getattr(follower, "lost", 0)
    say(f"follow: {follower.records} records, {emit.events} events" + (f", {lost} lost" if lost else ""))
    return rc
