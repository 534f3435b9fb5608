"""Capture a host snapshot (tcplog.snapshot/1) from /proc: the live one, or a copied tree.

    capture()                          this host, this network namespace, now
    capture("/", host="web1")          the same, under another name
    load_tree("copies/web1-proc")      a COPIED /proc tree: a folder holding the contents of
                                       /proc (net/sockstat, net/netstat, sys/net/..., meminfo,
                                       stat, ...), timed by the copy's mtime

What is read (paths below the /proc folder):

| section    | files                                                                 |
|------------|-----------------------------------------------------------------------|
| host       | `sys/kernel/hostname` (live: gethostname() when unreadable)           |
| kernel     | `sys/kernel/osrelease`, `sys/kernel/version` (live: uname())          |
| boot       | `stat` (btime), `sys/kernel/random/boot_id`                           |
| page_size  | live only: sysconf(SC_PAGE_SIZE); null for a copied tree              |
| memory     | `meminfo`                                                             |
| sysctl     | `sys/net/**` and the vm/kernel keys of tcplog.snapshot.sections       |
| sockstat   | `net/sockstat`, `net/sockstat6`                                       |
| netstat    | `net/netstat`;  snmp: `net/snmp` + `net/snmp6`                        |
| conntrack  | the nf_conntrack sysctls + `net/stat/nf_conntrack` (or `ip_conntrack`)|
| neighbour  | `net/stat/arp_cache`, `net/stat/ndisc_cache` + gc_thresh sysctls      |
| listeners  | `net/tcp`, `net/tcp6` (LISTEN rows); live: owners from `<pid>/fd`, backlog from `ss -ltnpH` |

Nothing here raises for an unreadable section: the section is null and `errors` says which
file and why (`permission denied: /proc/1/fd`). An empty file is not a value: /proc files
report size 0, so `tar` copies every one of them empty. In a copy, an empty file leaves its
section null (a sysctl file: its key absent) and is named in `errors` as
`empty file (a tar copy of /proc? copy with cp or cat): PATH`. A sysctl with an empty value
reads as one newline, so it is kept as "". Write-only sysctls (`net.ipv4.route.flush`)
are skipped, and so are keys that read as EIO (an unset `stable_secret`), as `sysctl -a` does.
A sysctl path component holding a dot (a VLAN `eth0.100`) is written with `/`, as sysctl does.

`Tree` reads files below one folder; with `confined=True` (sosreports) it refuses any path
whose symlinks resolve outside that folder.
"""

from __future__ import annotations

import errno
import itertools
import os
import shutil
import socket
import stat
import subprocess
from contextlib import contextmanager
from datetime import datetime, timezone

from tcplog.errors import InputError
from tcplog.snapshot import document, parse, sections

MAX_FILE = 64 << 20
MAX_SYSCTL_FILE = 1 << 20
EMPTY_COPY = "empty file (a tar copy of /proc? copy with cp or cat)"
BOM_UTF8 = b"\xef\xbb\xbf"
BOM_UTF16 = (b"\xff\xfe", b"\xfe\xff")
READ_SIZE = 64 << 10
MAX_PROBLEMS = 5  # per file, in `errors`; the rest are counted
SS_TIMEOUT = 10


class Tree:
    """Files below `base`; `confined` refuses paths that resolve (through symlinks) outside it."""

    EMPTY: str | None = None  # how an empty file is named in errors (None: as a copied /proc's)

    def __init__(self, base: str, confined: bool = False):
        self.base = base
        self.real = os.path.realpath(base)
        self.confined = confined

    def path(self, rel: str) -> str:
        return os.path.join(self.base, rel) if rel else self.base

    def resolve(self, rel: str) -> str:
        path = self.path(rel)
        if not self.confined:
            return path
        real = os.path.realpath(path)
        if real != self.real and not real.startswith(self.real + os.sep):
            raise InputError(path, "refused: a symlink leads outside the folder")
        return real

    def exists(self, rel: str) -> bool:
        try:
            return os.path.exists(self.resolve(rel))
        except InputError:
            return True  # reading it reports the refusal

    def isdir(self, rel: str) -> bool:
        try:
            return os.path.isdir(self.resolve(rel))
        except InputError:
            return False

    def text(self, rel: str, limit: int = MAX_FILE) -> str:
        """The file's text (UTF-8, bad bytes replaced); InputError naming it when unreadable."""
        path = self.path(rel)
        try:
            data = read_bounded(self.resolve(rel), limit)
        except OSError as exc:
            raise InputError(path, _why(exc)) from None
        if data is None:
            raise InputError(path, f"larger than {limit} bytes")
        return decode(data)

    @contextmanager
    def lines(self, rel: str):
        """The file as a text stream of lines (for files that can be huge, like net/tcp)."""
        path = self.path(rel)
        try:
            f = open(self.resolve(rel), encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError(path, _why(exc)) from None
        with f:
            try:
                yield f
            except OSError as exc:
                raise InputError(path, _why(exc)) from None


def read_bounded(path: str, limit: int) -> bytes | None:
    """The file's bytes, read in 64 KiB pieces (/proc/sys refuses huge reads); None past `limit`."""
    pieces, size = [], 0
    with open(path, "rb", buffering=0) as f:
        while piece := f.read(READ_SIZE):
            size += len(piece)
            if size > limit:
                return None
            pieces.append(piece)
    return b"".join(pieces)


def decode(data: bytes) -> str:
    """Text saved on any system: UTF-8 (a leading byte-order mark dropped), or UTF-16 when it
    starts with one (PowerShell's `>`); bad bytes replaced."""
    if data.startswith(BOM_UTF16):
        return data.decode("utf-16", "replace")
    return data.removeprefix(BOM_UTF8).decode("utf-8", "replace")


def _why(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def capture(root: str = "/", host: str | None = None, now: datetime | None = None, use_ss: bool = True) -> dict:
    """A snapshot of the /proc below `root` ("/" is this host): a document, never an exception."""
    proc = proc_dir(root)
    live = os.path.realpath(proc) == "/proc"
    doc = document.new(host, now or datetime.now(timezone.utc))
    fill = Filler(doc, Tree(proc), live=live)
    fill.identity(live=live)
    fill.sysctl_tree("sys")
    fill.proc("")
    fill.listeners("", live=live, use_ss=use_ss)
    fill.derived()
    return doc


def load_tree(path: str, host: str | None = None) -> dict:
    """A snapshot from a copied /proc tree, timed by the mtime of its net/sockstat (or the folder)."""
    proc = proc_dir(path)
    if not os.path.isdir(proc):
        raise InputError(path, "not a folder")
    when = _mtime(os.path.join(proc, "net", "sockstat")) or _mtime(proc)
    doc = capture(path, host=host, now=when, use_ss=False)
    doc["sources"]["time"] = f"mtime of {os.path.join(proc, 'net', 'sockstat')}"
    return doc


def is_tree(path: str) -> bool:
    """A folder that looks like the contents of /proc (or a root holding proc/)."""
    proc = proc_dir(path)
    return os.path.isdir(os.path.join(proc, "net")) or os.path.isdir(os.path.join(proc, "sys", "net"))


def proc_dir(root: str) -> str:
    """`/` -> `/proc`; a folder holding `proc/` but no `net/` -> its proc/; else the folder itself."""
    if os.path.isdir(os.path.join(root, "proc")) and not os.path.isdir(os.path.join(root, "net")):
        return os.path.join(root, "proc")
    return root


def _mtime(path: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, tz=timezone.utc)
    except OSError:
        return None


class Filler:
    """Fills one document's sections from files of a Tree, recording sources and errors.
    `live`: the tree is this host's /proc, where no file is empty (a copy's may be)."""

    def __init__(self, doc: dict, tree: Tree, live: bool = False):
        self.doc = doc
        self.tree = tree
        self.live = live
        self.stats: dict[str, dict | None] = {}
        self.all_sysctl: dict[str, str] = {}  # every key of a `sysctl -a` text, before selection
        self.conntrack_stat_missing: str | None = None

    def error(self, section: str, text: str) -> None:
        document.add_error(self.doc, section, text)

    def read(self, section: str, rel: str, limit: int = MAX_FILE, quiet: bool = False) -> str | None:
        try:
            return self.tree.text(rel, limit)
        except InputError as exc:
            if not quiet:
                self.error(section, f"{exc.why}: {exc.where}")
            return None

    def empty(self, section: str, rel: str) -> None:
        """Name an empty file in errors: with the tar hint for the files of a copied /proc."""
        why = self.tree.EMPTY or ("empty file" if self.live or rel.startswith("sos_commands/") else EMPTY_COPY)
        self.error(section, f"{why}: {self.tree.path(rel)}")

    def value(self, section: str, rel: str, quiet: bool = False) -> str | None:
        """A one-value file (hostname, osrelease, boot_id) stripped; None (and an error) if unreadable or empty."""
        text = self.read(section, rel, quiet=quiet)
        if text is not None and not text.strip():
            self.empty(section, rel)
            return None
        return text.strip() if text is not None else None

    def problems(self, section: str, rel: str, problems: list[str]) -> None:
        for p in problems[:MAX_PROBLEMS]:
            self.error(section, f"{self.tree.path(rel)}: {p}")
        if len(problems) > MAX_PROBLEMS:
            self.error(section, f"{self.tree.path(rel)}: {len(problems) - MAX_PROBLEMS} more lines skipped")

    def parsed(self, section: str, rel: str, parser, quiet: bool = False):
        """parser(text).value, the parser's problems added to errors; None (and an error) if unreadable
        or empty."""
        text = self.read(section, rel, quiet=quiet)
        if text is None:
            return None
        if not text.strip():
            self.empty(section, rel)
            return None
        result = parser(text)
        self.problems(section, rel, result.problems)
        return result.value

    # -- sections ---------------------------------------------------------------------------

    def identity(self, live: bool) -> None:
        """host, kernel, boot and page_size from sys/kernel/* and stat (live: uname(), sysconf())."""
        doc, sys_kernel = self.doc, "sys/kernel/"
        if doc["host"] is None:
            name = self.value("host", sys_kernel + "hostname", quiet=live)
            doc["host"] = document.fitting(doc, "host", name) if name else \
                (socket.gethostname() if live else None)
            doc["sources"]["host"] = self.tree.path(sys_kernel + "hostname") if name else "gethostname()"
        else:
            doc["sources"]["host"] = "given"
        release = self.value("kernel", sys_kernel + "osrelease", quiet=live)
        version = self.value("kernel", sys_kernel + "version", quiet=live)
        if release is None and version is None and live:
            u = os.uname()
            release, version = u.release, u.version
        if release is not None or version is not None:
            doc["kernel"] = {"release": document.fitting(doc, "kernel", release, document.MAX_STRING)
                             if release else None,
                             "version": document.fitting(doc, "kernel", version, document.MAX_STRING)
                             if version else None}
            doc["sources"]["kernel"] = self.tree.path(sys_kernel)
        btime = self.parsed("boot", "stat", parse.boot_time)
        boot_id = self.value("boot", sys_kernel + "random/boot_id")
        if btime is not None or boot_id is not None:
            doc["boot"] = {"time": document.format_time(datetime.fromtimestamp(btime, tz=timezone.utc))
                           if btime is not None else None,
                           "id": document.fitting(doc, "boot", boot_id) if boot_id else None}
            doc["sources"]["boot"] = ", ".join((self.tree.path("stat"), self.tree.path(sys_kernel + "random/boot_id")))
        if live:
            doc["page_size"] = os.sysconf("SC_PAGE_SIZE")
            doc["sources"]["page_size"] = "sysconf(SC_PAGE_SIZE)"
        else:
            self.error("page_size", "unknown: a copy of /proc does not record it")

    def sysctl_tree(self, rel_sys: str) -> None:
        """Every net.* file below rel_sys, plus the wanted vm/kernel keys."""
        values: dict[str, str] = {}
        problems: list[str] = []
        empty: list[str] = []
        base = self.tree.path(rel_sys)
        if not self.tree.isdir(os.path.join(rel_sys, "net")):
            self.error("sysctl", f"no such folder: {os.path.join(base, 'net')}")
            return
        top = self.tree.resolve(rel_sys)
        for dirpath, dirs, files in os.walk(os.path.join(top, "net")):
            dirs.sort()
            for name in sorted(files):
                self._sysctl_file(os.path.join(dirpath, name), top, values, problems, empty)
        for key in sorted(sections.SYSCTL_NAMES):
            path = os.path.join(top, *key.split("."))
            if os.path.exists(path):
                self._sysctl_file(path, top, values, problems, empty)
        if empty:
            more = f" and {len(empty) - 1} more" if len(empty) > 1 else ""
            self.error("sysctl", f"{EMPTY_COPY}: {self._shown(empty[0], top, base)}{more}")
        if values:
            self.doc["sysctl"] = sections.select_sysctl(values)
            self.doc["sources"]["sysctl"] = base
        elif not empty:
            self.error("sysctl", f"no readable sysctl files below {os.path.join(base, 'net')}")
        for p in problems[:MAX_PROBLEMS]:
            self.error("sysctl", p)
        if len(problems) > MAX_PROBLEMS:
            self.error("sysctl", f"{len(problems) - MAX_PROBLEMS} more keys unreadable")

    @staticmethod
    def _shown(path: str, top: str, base: str) -> str:
        """A path below the resolved `top` as the user named it (below `base`)."""
        return os.path.join(base, os.path.relpath(path, top))

    def _sysctl_file(self, path: str, top: str, values: dict, problems: list, empty: list) -> None:
        parts = os.path.relpath(path, top).split(os.sep)
        key = document.text(".".join(p.replace(".", "/") for p in parts))  # a name not UTF-8: \xff escapes
        try:
            if self.tree.confined:
                real = os.path.realpath(path)
                if not real.startswith(self.tree.real + os.sep):
                    problems.append(f"refused: a symlink leads outside the folder: {path}")
                    return
            if stat.S_IMODE(os.stat(path).st_mode) & 0o444 == 0:
                return  # write-only, like net.ipv4.route.flush
            data = read_bounded(path, MAX_SYSCTL_FILE) or b""
        except OSError as exc:
            if exc.errno != errno.EIO:  # EIO: no value (an unset stable_secret)
                problems.append(f"{_why(exc)}: {path}")
            return
        if not data and not self.live:  # an empty value reads as "\n"; no bytes at all: a tar copy
            empty.append(path)
            return
        value = parse.sysctl_value(data.decode("utf-8", "replace"))
        if len(key) > document.MAX_NAME or len(value) > document.MAX_STRING:
            problems.append(f"name longer than {document.MAX_NAME} or value longer than {document.MAX_STRING} "
                            f"characters: {path}")
            return
        values[key] = value

    def sysctl_text(self, rel: str) -> bool:
        """The sysctl section from a saved `sysctl -a`; False when the file is unreadable."""
        all_keys = self.parsed("sysctl", rel, parse.sysctl_text)
        if not all_keys:
            if all_keys is not None:
                self.error("sysctl", f"no 'key = value' lines: {self.tree.path(rel)}")
            return False
        self.doc["sysctl"] = sections.select_sysctl(all_keys)
        self.doc["sources"]["sysctl"] = self.tree.path(rel)
        self.all_sysctl = all_keys
        return True

    def proc(self, prefix: str) -> None:
        """memory, sockstat, sockstat6, netstat, snmp (+snmp6) and the /proc/net/stat tables."""
        doc, src = self.doc, self.doc["sources"]
        for section, rel, parser in (("memory", "meminfo", parse.meminfo),
                                     ("sockstat", "net/sockstat", parse.sockstat),
                                     ("sockstat6", "net/sockstat6", parse.sockstat),
                                     ("netstat", "net/netstat", parse.counters),
                                     ("snmp", "net/snmp", parse.counters)):
            value = self.parsed(section, prefix + rel, parser)
            if value is not None:
                doc[section] = value
                src[section] = self.tree.path(prefix + rel)
        snmp6 = self.parsed("snmp", prefix + "net/snmp6", parse.snmp6)
        if snmp6 is not None:
            doc["snmp"] = {**(doc["snmp"] or {}), **snmp6}
            src["snmp6"] = self.tree.path(prefix + "net/snmp6")
        for rel in (prefix + "net/stat/nf_conntrack", prefix + "net/stat/ip_conntrack"):  # ip_: 2.6.18
            if self.tree.exists(rel):
                self.stats["conntrack"] = self.parsed("conntrack", rel, parse.hex_stat)
                if self.stats["conntrack"] is not None:
                    src["conntrack"] = self.tree.path(rel)
                break
        else:
            self.conntrack_stat_missing = self.tree.path(prefix + "net/stat/nf_conntrack")
        for table in ("arp_cache", "ndisc_cache"):
            rel = f"{prefix}net/stat/{table}"
            self.stats[table] = self.parsed("neighbour", rel, parse.hex_stat)
            if self.stats[table] is not None:
                src[f"neighbour.{table}"] = self.tree.path(rel)

    def derived(self) -> None:
        """conntrack and neighbour from the sysctls and the stat tables read before."""
        doc = self.doc
        doc["conntrack"] = sections.conntrack(doc["sysctl"], self.stats.get("conntrack"))
        if doc["conntrack"] is None:
            self.error("conntrack", "no nf_conntrack sysctls or statistics (module not loaded?)")
        elif self.conntrack_stat_missing:
            self.error("conntrack", f"statistics unknown: no such file: {self.conntrack_stat_missing}")
        tables = {t: self.stats.get(t) for t in ("arp_cache", "ndisc_cache")}
        doc["neighbour"] = sections.neighbour(doc["sysctl"], tables)

    def listeners(self, prefix: str, live: bool, use_ss: bool) -> None:
        rows: list[tuple[str, dict]] = []
        read: list[str] = []
        for proto, rel in (("tcp", prefix + "net/tcp"), ("tcp6", prefix + "net/tcp6")):
            try:
                with self.tree.lines(rel) as f:
                    first = f.readline()  # the header: every /proc/net/tcp has one
                    if not first.strip():
                        self.empty("listeners", rel)
                        continue
                    result = parse.tcp_listeners(itertools.chain((first,), f))
            except InputError as exc:
                self.error("listeners", f"{exc.why}: {exc.where}")
                continue
            read.append(self.tree.path(rel))
            rows += [(proto, row) for row in result.value]
            self.problems("listeners", rel, result.problems)
        if not read:
            return
        ss_rows = self._ss() if live and use_ss else None
        if ss_rows is not None:
            read.append("ss -ltnpH")
        owners = self._owners({row["inode"] for _, row in rows}) if live and rows else {}
        self.doc["listeners"] = sections.listeners(rows, ss_rows, owners)
        self.doc["sources"]["listeners"] = ", ".join(read)
        if rows and not live:
            self.error("listeners", "backlog and owning process unknown: not a live /proc")

    def _ss(self) -> list[dict] | None:
        exe = shutil.which("ss")
        if exe is None:
            self.error("listeners", "backlog unknown: ss (iproute2) is not installed")
            return None
        why = ""
        for args in (["-ltnpH"], ["-ltnp"]):  # -H (no header) is iproute2 >= 4.14
            try:
                r = subprocess.run([exe, *args], capture_output=True, timeout=SS_TIMEOUT, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                self.error("listeners", f"backlog unknown: ss: {exc}")
                return None
            if r.returncode == 0:
                result = parse.ss_listeners(r.stdout.decode("utf-8", "replace"))
                for p in result.problems[:MAX_PROBLEMS]:
                    self.error("listeners", f"ss {args[0]}: {p}")
                return result.value
            why = r.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        self.error("listeners", f"backlog unknown: ss failed: {why[0] if why else 'no output'}")
        return None

    def _owners(self, inodes: set[int]) -> dict[int, tuple[int, str | None]]:
        """inode -> (pid, comm) for the socket inodes asked for, from /proc/<pid>/fd links."""
        proc = self.tree.base
        owners: dict[int, tuple[int, str | None]] = {}
        denied: list[str] = []
        for name in sorted(os.listdir(proc), key=lambda n: (len(n), n)):
            if not (name.isascii() and name.isdigit()) or len(owners) == len(inodes):
                continue
            fd_dir = os.path.join(proc, name, "fd")
            try:
                fds = os.listdir(fd_dir)
                for fd in fds:
                    link = os.readlink(os.path.join(fd_dir, fd))
                    if link.startswith("socket:[") and int(link[8:-1]) in inodes:
                        owners.setdefault(int(link[8:-1]), (int(name), self._comm(proc, name)))
            except PermissionError:
                denied.append(fd_dir)
            except (OSError, ValueError):
                continue  # the process or fd went away
        if denied and len(owners) < len(inodes):
            more = f" and {len(denied) - 1} more" if len(denied) > 1 else ""
            self.error("listeners", f"permission denied: {denied[0]}{more} (owning process unknown)")
        return owners

    @staticmethod
    def _comm(proc: str, pid: str) -> str | None:
        try:
            with open(os.path.join(proc, pid, "comm"), encoding="utf-8", errors="replace") as f:
                return f.read(256).strip() or None
        except OSError:
            return None
