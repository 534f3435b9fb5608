"""Coverage-guided fuzzing (atheris/libFuzzer) of the snapshot loaders: everything `tcplog snapshot
--from`, `--snapshot FILE` and the folder store read from another machine.

    python fuzz/fuzz_snapshots.py -runs=4000 -max_len=16384 CORPUS fuzz/seeds/snapshots   # `make test` (bounded)
    python fuzz/fuzz_snapshots.py -max_total_time=3600 -max_len=65536 CORPUS fuzz/seeds/snapshots   # a long run

The first byte picks the loader, the rest is its input:

| byte % 6 | loader                                                                            |
|----------|-----------------------------------------------------------------------------------|
| 0        | a snapshot document (JSON): `document.load_bytes`, then the memory store and the folder store (put, refs, load) |
| 1        | a `--snapshot FILE` (a document, an NDJSON series or a `sysctl -a` text): `snapshot_sources.load_all` |
| 2        | `sysctl -a` text: `sysctl_text.from_text`                                          |
| 3        | every /proc, `ss`, `uname` and `date` parser of `tcplog.snapshot.parse` on the text, and the derived sections |
| 4        | a copied /proc tree (`procfs.load_tree`): the input split on NUL bytes into meminfo, stat, net/sockstat, net/sockstat6, net/netstat, net/snmp, net/snmp6, net/stat/{nf_conntrack,arp_cache,ndisc_cache}, net/tcp, net/tcp6, the sys/kernel identity files, and one sysctl file under sys/net whose path is the piece's first line |
| 5        | a sosreport folder (`sosreport.load`): two flag bytes (bit i: file i is a symlink leading outside the report; a folder instead of a file), then the files of SOS_FILES split on NUL bytes |

Only the project's own errors (InputError and its SnapshotError) may escape; anything else is a
crash. A document a connector builds must also pass `document.validate`, survive `dumps` and
`load_bytes` unchanged, and never hold what a symlink outside a sosreport points at; a document
`load_bytes` accepts must come back unchanged from both stores. libFuzzer writes a crashing input
to crash-*; it becomes a regression case in tests/fuzz_regressions/snapshots/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # fuzz/: also when loaded by path (the tests)
from _scratch import scratch  # noqa: E402

try:
    import atheris
except ImportError:  # replaying kept crashes (tests/test_fuzz_atheris.py) needs no atheris
    atheris = None

_FUZZING = atheris is not None and __name__ == "__main__"
with atheris.instrument_imports(include=["tcplog"]) if _FUZZING else contextlib.nullcontext():
    from tcplog.connectors import procfs, snapshot_sources, sosreport, sysctl_text
    from tcplog.connectors.snapshot_store import FolderStore
    from tcplog.errors import InputError
    from tcplog.snapshot import document, parse, sections
    from tcplog.snapshot.store import MemoryStore

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
MARKER = b"OUTSIDE-THE-REPORT-5e1f"
SELECTORS = ("document", "file", "sysctl", "parsers", "proc", "sosreport")

PROC_FILES = ("meminfo", "stat", "net/sockstat", "net/sockstat6", "net/netstat", "net/snmp", "net/snmp6",
              "net/stat/nf_conntrack", "net/stat/arp_cache", "net/stat/ndisc_cache", "net/tcp", "net/tcp6",
              "sys/kernel/hostname", "sys/kernel/osrelease", "sys/kernel/version", "sys/kernel/random/boot_id")
SOS_FILES = ("hostname", "sos_commands/host/hostname", "sos_commands/date/date_--utc", "sos_commands/date/date",
             "sos_commands/kernel/uname_-a", "sos_commands/kernel/sysctl_-a", "proc/stat",
             "proc/sys/kernel/random/boot_id", "etc/hostname", "proc/meminfo", "proc/net/sockstat",
             "proc/net/sockstat6", "proc/net/netstat", "proc/net/snmp", "proc/net/snmp6", "proc/net/stat/nf_conntrack",
             "proc/net/stat/arp_cache", "proc/net/tcp", "proc/net/tcp6", "var/log/messages",
             "sos_commands/logs/journalctl_--no-pager", "sos_commands/kernel/dmesg")

_RUN = [0]


_BASE = scratch("snapshots")


def one_input(data: bytes) -> None:
    if not data:
        return
    kind, body = SELECTORS[data[0] % len(SELECTORS)], data[1:]
    try:
        globals()["_" + kind](body)
    except InputError:  # SnapshotError is one: a bad file named, with the field
        pass


# -- the loaders ----------------------------------------------------------------------------------


def _document(body: bytes) -> None:
    doc = document.load_bytes(body, "fuzz.json")
    memory = MemoryStore()
    if not doc.get("host"):
        return
    ref = memory.put(doc)
    _same(memory.load(ref), doc, "the memory store")
    folder = FolderStore(_fresh())
    ref = folder.put(doc)
    if ref not in folder.refs(doc["host"]):
        raise AssertionError(f"a stored snapshot is not listed: {ref} not in {folder.refs(doc['host'])} "
                             f"(problems: {folder.problems})")
    _same(folder.load(ref), doc, "the folder store")


def _file(body: bytes) -> None:
    path = os.path.join(_fresh(), "snapshot")
    with open(path, "wb") as f:
        f.write(body)
    for doc in snapshot_sources.load_all(path):
        _built(doc, "snapshot_sources.load_all")


def _sysctl(body: bytes) -> None:
    _built(sysctl_text.from_text(body.decode("utf-8", "replace"), "fuzz.sysctl", None, NOW), "sysctl_text.from_text")


def _parsers(body: bytes) -> None:
    text = body.decode("utf-8", "replace")
    for fn in (parse.sockstat, parse.counters, parse.snmp6, parse.meminfo, parse.sysctl_text, parse.hex_stat,
               parse.ss_listeners, parse.uname_a, parse.boot_time, parse.date_output):
        result = fn(text)
        if not isinstance(result, parse.Parsed) or not isinstance(result.problems, list):
            raise AssertionError(f"{fn.__name__} answered {result!r}")
    # what they read must fit a document, as the connectors assemble it
    sysctl, stat = parse.sysctl_text(text).value, parse.hex_stat(text).value
    when, btime = parse.date_output(text).value, parse.boot_time(text).value
    doc = document.new("fuzz", when or NOW)
    doc.update(memory=parse.meminfo(text).value, sysctl=sections.select_sysctl(sysctl),
               sockstat=parse.sockstat(text).value, netstat=parse.counters(text).value,
               snmp={**parse.counters(text).value, **parse.snmp6(text).value},
               conntrack=sections.conntrack(sysctl, stat),
               neighbour=sections.neighbour(sysctl, {"arp_cache": stat, "ndisc_cache": None}),
               listeners=sections.listeners([("tcp", row) for row in parse.tcp_listeners(text.splitlines(True)).value],
                                            parse.ss_listeners(text).value, {}))
    if btime is not None:
        doc["boot"] = {"time": document.format_time(datetime.fromtimestamp(btime, tz=timezone.utc)), "id": None}
    _built(doc, "the parsers")


def _proc(body: bytes) -> None:
    root = _fresh()
    pieces = body.split(b"\x00")
    for rel, content in zip(PROC_FILES, pieces):
        if content:
            _write(root, rel, content)
    if len(pieces) > len(PROC_FILES):  # one sysctl file: its path below sys/net, a newline, its value
        name, _, value = pieces[len(PROC_FILES)].partition(b"\n")
        parts = [p for p in name.split(b"/") if p not in (b"", b".", b"..")][:6]
        if parts:
            _write(root, os.path.join("sys", "net", *(os.fsdecode(p[:200]) for p in parts)), value)
    _built(procfs.load_tree(root), "procfs.load_tree")


def _sosreport(body: bytes) -> None:
    root = _fresh()
    report, outside = os.path.join(root, "sosreport-fuzz"), os.path.join(root, "outside")
    os.makedirs(os.path.join(report, "sos_commands"))
    os.makedirs(os.path.join(report, "proc"))
    os.makedirs(outside)
    links, folders = (body[0], body[1]) if len(body) >= 2 else (0, 0)
    for i, (rel, content) in enumerate(zip(SOS_FILES, body[2:].split(b"\x00"))):
        if i < 8 and links >> i & 1:  # leads outside the report: none of it may be read
            target = os.path.join(outside, str(i))
            with open(target, "wb") as f:
                f.write(MARKER + b"\n" + content)
            os.makedirs(os.path.dirname(os.path.join(report, rel)), exist_ok=True)
            os.symlink(target, os.path.join(report, rel))
        elif i < 8 and folders >> i & 1:
            os.makedirs(os.path.join(report, rel), exist_ok=True)
        elif content:
            _write(report, rel, content)
    if not sosreport.detect(report):
        raise AssertionError("a folder with sos_commands/ and proc/ is not detected as a sosreport")
    doc, logs = sosreport.load(report)
    _built(doc, "sosreport.load")
    if MARKER in document.dumps(doc) and MARKER not in body:
        raise AssertionError("a sosreport document holds what a symlink outside the report points at")
    for log in logs:
        if not os.path.realpath(log).startswith(os.path.realpath(report) + os.sep):
            raise AssertionError(f"a log file outside the report: {log}")


# -- invariants -----------------------------------------------------------------------------------


def _built(doc: dict, by: str) -> None:
    """A document a connector built: valid, and unchanged through dumps and load_bytes."""
    try:
        document.validate(doc, by)
        again = document.load_bytes(document.dumps(doc), by)
    except InputError as exc:
        raise AssertionError(f"{by} built a document that does not load: {exc}") from None
    _same(again, doc, f"dumps/load_bytes of what {by} built")


def _same(got: dict, want: dict, where: str) -> None:
    if got != want:
        keys = [k for k in want if got.get(k) != want.get(k)]
        raise AssertionError(f"{where} changed the document: {keys}")


def _fresh() -> str:
    """An empty folder for this input (the previous input's folder is removed)."""
    _RUN[0] += 1
    for name in os.listdir(_BASE):
        shutil.rmtree(os.path.join(_BASE, name), ignore_errors=True)
    path = os.path.join(_BASE, str(_RUN[0]))
    os.mkdir(path)
    return path


def _write(root: str, rel: str, content: bytes) -> None:
    path = os.path.join(root, rel)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
    except (IsADirectoryError, NotADirectoryError, FileExistsError):
        pass  # two pieces claim one path as a file and as a folder: keep the first


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
