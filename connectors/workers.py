"""`scan --workers N`: inputs scanned in worker processes, output as one process would write it.

Tasks are whole inputs (compressed files, tar archives, journal exports and verbose output, small files, or any
file when --dedupe, --incident-window or --year need the whole stream), or byte ranges of about
`RANGE_BYTES` of a large uncompressed file, cut where a record starts (never before a kmsg
continuation or a martian `ll header:` line). Results come back in task order through a
bounded window, so memory stays flat whatever the input size. Workers join, classify, attach
suppression notices inside their range and render; the parent only settles what crosses a
range boundary (tcplog.counting.RangeAttacher's markers: a notice for an event an earlier range
holds, the release of that event, the events still held at a range's end), so its work is per
host and per range, not per event, and the output is identical to a single-process run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import mmap
import os
import shutil
import signal
import tempfile
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import orjson

from tcplog import counters, counting, framing, occurrences
from tcplog.connectors import archives, decompress, files, inputs, journal_files, stale
from tcplog.connectors.snapshot_store import FolderStore
from tcplog.errors import InputError, SnapshotError
from tcplog.framing import journal_export
from tcplog.framing.context import FramingContext
from tcplog.pipeline import Pipeline, PipelineSettings
from tcplog.render import ndjson
from tcplog.scan import Scanner, Stats
from tcplog.snapshot.store import ChainStore, MemoryStore

RANGE_BYTES = 512 << 10  # results in flight stay a few MiB each (output is ~5x input at 20 %), spooled to files
_PROBE = 64 << 10


@dataclass(frozen=True)
class Config:
    """Everything a worker needs to rebuild the scanner and the pipeline (picklable)."""

    forced_framing: str | None
    force_export: bool
    year: int | None
    tz: tzinfo
    reference: datetime | None
    settings: PipelineSettings
    snapshot_docs: tuple[bytes, ...]
    snapshots_dir: str | None
    catalog: bool
    # A private folder: a worker leaves each result's bytes in a file there, and only their
    # name travels back (a few MiB a range through the result pipe cost the parent ~20 % of a
    # 2-worker run). None: the bytes travel in the result.
    spool: str | None = None


@dataclass(frozen=True)
class Task:
    index: int
    path: str
    host: str | None
    start: int = 0
    end: int | None = None  # None: the whole input
    line_base: int = 0
    last: bool = True  # the last range of its file
    tz: tzinfo | None = None  # the zone of its dates where it is not Config.tz (a sosreport's logs)


@dataclass
class Result:
    index: int
    data: bytearray | mmap.mmap = field(default_factory=bytearray)  # the events, serialised, in order
    marks: list = field(default_factory=list)  # range tasks: (offset in data, kind, payload), in order
    open: list = field(default_factory=list)  # range tasks: (meta, bytes, logged key) of events held at the end
    hosts: int = 0  # range tasks: hosts that held an event in the range
    stats: Stats = field(default_factory=Stats)
    seen: counters.Seen = field(default_factory=counters.Seen)  # event times; lines of finished events
    error: tuple[str, str] | None = None
    spooled: str | None = None  # the file holding `data` (Config.spool), mapped back by the parent


_WORKER: dict = {}


def _die_with_parent() -> None:
    """Linux: a worker gets SIGTERM when tcplog exits (killed, or ended by SIGPIPE on stdout)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(0)  # the parent is already gone
    except (OSError, AttributeError):
        pass


def _init(config: Config, in_parent: bool = False) -> None:
    from tcplog.classify import load_rules

    if not in_parent:
        # The parent's run() handlers are inherited by the fork: a worker ends on SIGTERM and SIGPIPE.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        _die_with_parent()
    memory = MemoryStore()
    for data in config.snapshot_docs:
        memory.put(orjson.loads(data))
    folder = FolderStore(config.snapshots_dir) if config.snapshots_dir else None
    _WORKER.update(
        config=config, scanner=Scanner(forced_framing=config.forced_framing),
        pipeline=Pipeline(config.settings, store=ChainStore(memory, folder),
                          catalog=load_rules() if config.catalog else None),
        errors=decompress.read_errors())


def _context(config: Config, path: str, tz: tzinfo | None = None) -> FramingContext:
    reference = config.reference or files.mtime(path) or datetime.now().astimezone()
    return FramingContext(reference=reference, year=config.year, tz=tz or config.tz)


def _run(task: Task) -> Result:
    result = Result(task.index)
    config = _WORKER["config"]
    ctx = _context(config, task.path, task.tz)
    _guarded(task, result, lambda: (_whole if task.end is None else _range)(task, ctx, result))
    if config.spool is not None and result.data:
        path = os.path.join(config.spool, str(task.index))
        try:
            with open(path, "wb") as f:
                f.write(result.data)
        except OSError:  # the folder is full or gone: the bytes travel in the result instead
            with contextlib.suppress(OSError):
                os.unlink(path)
        else:
            result.data, result.spooled = bytearray(), path
    return result


def _unspool(result: Result) -> Result:
    """The parent's side of Config.spool: the result's bytes back, the file gone."""
    if result.spooled is not None:
        with open(result.spooled, "rb") as f:  # mapped, not read: written out without a copy in between
            result.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        os.unlink(result.spooled)  # the mapping keeps the bytes until the result is dropped
        result.spooled = None
    return result


def _guarded(task: Task, result: Result, work) -> Result:
    """`work()`, with an input that cannot be read recorded in the result (not raised)."""
    try:
        work()
    except (InputError, SnapshotError) as exc:
        result.error = (exc.where, exc.why)
    except _WORKER["errors"] as exc:
        result.error = (task.path, f"{type(exc).__name__}: {exc}")
    return result


def _noted(events, result: Result):
    """The events, their host's time span and their cause counted into the result (their lines are
    noted where their counts are settled: _whole, _range, and _bytes in the parent)."""
    for event in events:
        result.seen.note_time(event["host"], event["time"])
        result.stats.causes[(event["cause"] or {}).get("id") or "-"] += 1
        yield event


def _whole(task: Task, ctx: FramingContext, result: Result) -> None:
    w, config, skipped = _WORKER, _WORKER["config"], []
    for event in _noted(inputs.events(task.path, task.host, w["scanner"], w["pipeline"], ctx, result.stats,
                                      config.force_export, lambda where, why: skipped.append((where, why)),
                                      config.reference is not None), result):
        result.seen.note_lines(counters.logged_key(event), event["count"] + event["suppressed"])
        result.data += ndjson(event)
    result.stats.files += 1
    result.stats.unreadable.extend(skipped)
    result.stats.evicted.update(w["pipeline"].take_evictions())


def _range_events(task: Task, ctx: FramingContext, result: Result):
    """A byte range's events (joined, classified, noted); its evictions and file count after them."""
    w = _WORKER
    yield from _noted(inputs.range_events(task.path, task.start, task.end, task.line_base, task.host,
                                          w["scanner"], w["pipeline"], ctx, result.stats), result)
    result.stats.evicted.update(w["pipeline"].take_evictions())
    if task.last:
        result.stats.files += 1


def _range(task: Task, ctx: FramingContext, result: Result) -> None:
    attacher = counting.RangeAttacher(_WORKER["config"].settings.suppression_window)
    for event in _range_events(task, ctx, result):
        for out in attacher.push(event):
            if type(out) is tuple:
                kind, payload = out
                result.marks.append((len(result.data), kind, _meta(payload) if kind == attacher.NOTICE else payload))
            else:
                result.seen.note(occurrences.finish(out))
                result.data += ndjson(out)
    result.open = [(_meta(e), ndjson(occurrences.finish(e)), counters.logged_key(e)) for e in attacher.open()]
    result.hosts = attacher.hosts


def _meta(event: dict) -> dict:
    """What the suppression attacher reads and writes (counting.NOTICE_FIELDS of a notice, the raw
    record of an event a quoted repeat is compared with, the file and line a textless repeat must
    follow); the rest stays serialised."""
    notice = event["family"] in counting.NOTICE_FAMILIES
    fields = {k: event["fields"].get(k) for k in counting.NOTICE_FIELDS} if notice else {}
    return {"host": event["host"], "family": event["family"], "message_id": event["message_id"],
            "time": event["time"], "last_time": event["last_time"], "count": event["count"],
            "suppressed": event["suppressed"], "fields": fields, "raw": None if notice else event.get("raw"),
            "source": {"file": event["source"]["file"], "line": event["source"]["line"]}}


class LazyEvent(dict):
    """An event kept serialised; decoded again only if the attacher changed it."""

    def __init__(self, meta: dict, data: bytes, logged_key: tuple | None = None):
        super().__init__(meta)
        self.data = data
        self.original = dict(meta)
        self.logged_key = logged_key  # counters.logged_key of the event: its lines are noted when written

    def render(self) -> bytes:
        changed = {k: self[k] for k in ("count", "suppressed", "last_time") if self[k] != self.original[k]}
        if not changed:
            return self.data
        event = orjson.loads(self.data)
        event.update(changed)
        return ndjson(occurrences.finish(event))


def plan(paths: list[tuple[str, str | None]], splittable: bool, range_bytes: int = RANGE_BYTES,
         zones: dict | None = None) -> list[Task]:
    """Tasks for the inputs, in output order; big uncompressed files become byte ranges. `zones`:
    the inputs whose dates are in another zone than --tz's."""
    tasks: list[Task] = []
    zones = zones or {}
    for path, host in paths:
        cuts = _cuts(path, range_bytes) if splittable and path != "-" else None
        if not cuts:
            tasks.append(Task(len(tasks), path, host, tz=zones.get(path)))
            continue
        for i, (start, end, base) in enumerate(cuts):
            tasks.append(Task(len(tasks), path, host, start, end, base, last=i == len(cuts) - 1,
                              tz=zones.get(path)))
    return tasks


def _cuts(path: str, range_bytes: int) -> list[tuple[int, int, int]] | None:
    """(start, end, lines before start) of each range, or None when the file is not split."""
    try:
        size = os.path.getsize(path)
        if size < 2 * range_bytes:
            return None
        with open(path, "rb") as f:
            head = f.read(512)
            # read whole: compressed, UTF-16 (reported unreadable as a whole), tar, journal output or file
            if decompress.compression(head) or files.utf16(head) or archives.is_tar(head) \
                    or journal_export.sniff(head) or framing.streamed(head) or journal_files.is_journal(head):
                return None
            f.seek(0)
            cuts, start, lines = [], 0, 0
            while start < size:
                end = _boundary(f, start + range_bytes, size)
                f.seek(start)
                remaining, counted = end - start, 0
                while remaining:
                    chunk = f.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    counted += chunk.count(b"\n")
                    remaining -= len(chunk)
                cuts.append((start, end, lines))
                lines += counted
                start = end
            return cuts
    except OSError:
        return None


def _boundary(f, pos: int, size: int) -> int:
    """The first record start at or after pos: just after a newline, where the next line is
    neither a kmsg continuation (leading space) nor a martian `ll header:` line."""
    if pos >= size:
        return size
    f.seek(pos)
    buf, base = b"", pos
    while True:
        chunk = f.read(_PROBE)
        buf += chunk
        i = buf.find(b"\n")
        while i != -1:
            end = buf.find(b"\n", i + 1)
            if end == -1 and chunk:
                break  # the next line is not read whole yet
            following = buf[i + 1:] if end == -1 else buf[i + 1:end]
            if not following.startswith(b" ") and b"ll header" not in following:
                return base + i + 1
            i = end
        if not chunk:
            return size
        if i == -1:  # no newline in what was read: none of it can hold the cut
            base, buf = base + len(buf), b""
        else:  # keep the newline whose next line is still incomplete
            base, buf = base + i, buf[i:]


def run(tasks: list[Task], workers: int, config: Config, write, stats: Stats, seen: counters.Seen,
        on_error) -> None:
    """Run the tasks on `workers` processes; write each event's bytes in single-process order."""
    watch = _SignalWatch()
    try:
        parent = _spool_parent()
        stale.remove_stale(parent, _SPOOL_PREFIX)  # of a tcplog that was SIGKILLed
        spool = tempfile.mkdtemp(prefix=f"{_SPOOL_PREFIX}{os.getpid()}-", dir=parent)
        try:
            _run_pool(tasks, workers, dataclasses.replace(config, spool=spool), write, stats, seen, on_error,
                      stopped=lambda: watch.signum is not None)
        except BrokenPipeError:  # stdout closed (`| head`): end as SIGPIPE would have, after the cleanup
            watch.signum = signal.SIGPIPE
        finally:
            shutil.rmtree(spool, ignore_errors=True)
    finally:
        watch.restore()
    if watch.signum is not None:
        signal.signal(watch.signum, signal.SIG_DFL)
        os.kill(os.getpid(), watch.signum)


_SPOOL_PREFIX = "tcplog-spool-"


class _SignalWatch:
    """While run() holds a spool folder: SIGTERM is noted (the loop stops between results, so the
    folder is removed) and SIGPIPE is ignored (a closed stdout raises BrokenPipeError); run() then
    ends by the signal as before. `restore()` puts the previous handlers back. Main thread only."""

    def __init__(self):
        self.signum: int | None = None
        self._previous: dict = {}
        if threading.current_thread() is threading.main_thread():
            self._previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, self._note),
                              signal.SIGPIPE: signal.signal(signal.SIGPIPE, signal.SIG_IGN)}

    def _note(self, signum, _frame) -> None:
        self.signum = signum

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def _spool_parent() -> str:
    """/dev/shm when it is a writable folder (memory: a write is a copy, and the files only hold
    the results in flight, a few MiB), else the temp folder."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else tempfile.gettempdir()


def _run_pool(tasks: list[Task], workers: int, config: Config, write, stats: Stats, seen: counters.Seen, on_error,
              stopped=lambda: False) -> None:
    attacher, current = None, None
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(config,)) as pool:
        pending: deque = deque()
        queue = iter(tasks)
        for task in queue:
            pending.append((task, pool.submit(_run, task)))
            if len(pending) > workers:
                break
        while pending:
            if stopped():
                pool.shutdown(cancel_futures=True)
                return
            task, future = pending.popleft()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(_run, nxt)))
            result = _unspool(future.result())
            if task.end is None:
                _account(result, stats, seen, on_error)
                write(memoryview(result.data))
                continue
            if current != task.path:
                _drain(attacher, write, seen, stats)
                attacher = counting.SuppressionAttacher(config.settings.suppression_window,
                                                        config.settings.suppression_hosts)
                current = task.path
            if attacher.held + result.hosts > attacher.max_hosts:
                result = _rescan(task, config, attacher, write, seen)  # the host bound could bite: replay it here
            else:
                _settle(result, attacher, write, seen)
            _account(result, stats, seen, on_error)
            if task.last:
                _drain(attacher, write, seen, stats)
                attacher, current = None, None
        _drain(attacher, write, seen, stats)


def _account(result: Result, stats: Stats, seen: counters.Seen, on_error) -> None:
    stats.merge(result.stats)
    seen.merge(result.seen)
    if result.error:
        on_error(*result.error)


def _settle(result: Result, attacher: counting.SuppressionAttacher, write, seen: counters.Seen) -> None:
    """A range's output into the file's attacher: its bytes as they are, its markers applied."""
    view, done = memoryview(result.data), 0
    for at, kind, payload in result.marks:
        if at > done:
            write(view[done:at])
            done = at
        if kind == counting.RangeAttacher.NOTICE:
            attacher.attach(payload)
        else:
            for out in attacher.release(payload):
                write(_bytes(out, seen))
    if done < len(view):
        write(view[done:])
    for meta, data, logged_key in result.open:
        for out in attacher.hold(LazyEvent(meta, data, logged_key)):  # never releases: the caller checked the bound
            write(_bytes(out, seen))


def _rescan(task: Task, config: Config, attacher: counting.SuppressionAttacher, write,
            seen: counters.Seen) -> Result:
    """A range replayed in this process through the file's own attacher (exact under the host bound)."""
    if "pipeline" not in _WORKER:
        _init(config, in_parent=True)
    result = Result(task.index)

    def replay() -> None:
        for event in _range_events(task, _context(config, task.path, task.tz), result):
            for out in attacher.push(event):
                write(_bytes(out, seen))

    return _guarded(task, result, replay)


def _bytes(event, seen: counters.Seen) -> bytes:
    """A held event's output (a range's serialised one, or one replayed here), its lines noted:
    its counts are settled now."""
    if isinstance(event, LazyEvent):
        seen.note_lines(event.logged_key, event["count"] + event["suppressed"])
        return event.render()
    seen.note_lines(counters.logged_key(occurrences.finish(event)), event["count"] + event["suppressed"])
    return ndjson(event)


def _drain(attacher, write, seen: counters.Seen, stats: Stats | None = None) -> None:
    if attacher is not None:
        for out in attacher.flush():
            write(_bytes(out, seen))
        if stats is not None and attacher.released_early:
            stats.evicted["held_for_notices"] += attacher.released_early
