"""A sosreport folder: the host snapshot it holds, and the log files it carries.

    detect("sosreport-web1-2026-11-20")   -> True: a folder with sos_commands/ (or sos_reports/)
                                             and proc/ (or etc/)
    load("sosreport-web1-2026-11-20")     -> (document, ["…/var/log/messages-20261116", "…/var/log/messages", …])

What is read (paths inside the report; the first one present wins):

| section   | from                                                                          |
|-----------|-------------------------------------------------------------------------------|
| host      | `hostname`, `sos_commands/host/hostname`, `sos_commands/general/hostname`, `etc/hostname`, sysctl `kernel.hostname` |
| time      | `sos_commands/date/date_--utc`, `sos_commands/date/date`, sos 3.0-3.5's `sos_commands/general/date` and its top-level `date` link (UTC or numeric zone only), else the folder's mtime |
| kernel    | `sos_commands/kernel/uname_-a` (or `uname`), else sysctl `kernel.osrelease`/`kernel.version` |
| boot      | `proc/stat` (btime), `proc/sys/kernel/random/boot_id`, else sysctl `kernel.random.boot_id` |
| sysctl    | `sos_commands/kernel/sysctl_-a`, else a `proc/sys/net` tree                    |
| the rest  | `proc/meminfo`, `proc/net/{sockstat,sockstat6,netstat,snmp,snmp6,tcp,tcp6}`, `proc/net/stat/*`, as for a copied /proc |

Logs: the same kernel lines reach a report several times (the syslog files, the journal
dump, the dmesg ring buffer; and on Debian/Ubuntu rsyslog writes each kernel line to
`kern.log` and `syslog`, up to Debian 11 to `messages` too), so ONE source is read, the first
present, so that no event is counted twice: `var/log/kern.log*` (the kernel facility, every
level); else `var/log/messages*` (RHEL, SUSE); else `var/log/syslog*` (oldest rotation first);
else the journal dump `sos_commands/logs/journalctl_--no-pager` (or its per-boot
`journalctl_--no-pager_*` files); else `sos_commands/kernel/dmesg`.

The logs' dates are local time without a zone: `zone()` reads the zone the report records
(`scan` reads its logs in it unless --tz is given).

A report is someone else's folder: every path is resolved (symlinks included) and refused
when it leads outside the report; refusals are named in `errors`.
"""

from __future__ import annotations

import glob
import os
import re
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tcplog.connectors import walk
from tcplog.connectors.procfs import Filler, Tree
from tcplog.connectors.sysctl_text import identity_from_sysctl
from tcplog.errors import InputError
from tcplog.snapshot import document, parse

HOSTNAME_FILES = ("hostname", "sos_commands/host/hostname", "sos_commands/general/hostname", "etc/hostname")
# sos 3.6+ has a date plugin; 3.0-3.5 (RHEL 6, RHEL 7 to ~7.5) write it from the general plugin
DATE_FILES = ("sos_commands/date/date_--utc", "sos_commands/date/date", "sos_commands/general/date", "date")
UNAME_FILES = ("sos_commands/kernel/uname_-a", "uname")
SYSCTL_FILE = "sos_commands/kernel/sysctl_-a"
LOG_GLOBS = ("var/log/kern.log*", "var/log/messages*", "var/log/syslog*")  # the first that has files
DMESG = "sos_commands/kernel/dmesg"
TIMEDATECTL_FILES = ("sos_commands/systemd/timedatectl", "sos_commands/systemd/timedatectl_status",
                     "sos_commands/general/timedatectl")
JOURNAL = "sos_commands/logs/journalctl_--no-pager"
ZONE_FILES = ("etc/localtime", "etc/timezone", "etc/sysconfig/clock")
_READ = frozenset((*HOSTNAME_FILES, *DATE_FILES, *UNAME_FILES, SYSCTL_FILE, *TIMEDATECTL_FILES, *ZONE_FILES))
_LOG_NAMES = frozenset(g.removeprefix("var/log/").removesuffix("*") for g in LOG_GLOBS)


def wanted(rel: str, logs: bool = True) -> bool:
    """A path inside a report that load() or zone() may read (with `logs`, the log files too): what
    is unpacked of a packed report (connectors.sos_archive)."""
    if rel in _READ or rel.startswith("proc/"):
        return True
    if not logs:
        return False
    if rel == DMESG or rel.startswith(JOURNAL):
        return True
    folder, _, name = rel.rpartition("/")
    return folder == "var/log" and walk.rotation_order(name)[0] in _LOG_NAMES


def detect(path: str) -> bool:
    """A sosreport folder: sos_commands/ or sos_reports/, and proc/ or etc/."""
    def isdir(name):
        return os.path.isdir(os.path.join(path, name))
    return os.path.isdir(path) and (isdir("sos_commands") or isdir("sos_reports")) and (isdir("proc") or isdir("etc"))


def load(path: str, host: str | None = None) -> tuple[dict, list[str]]:
    """The report's snapshot and its log files; InputError when `path` is not a readable folder."""
    if not os.path.isdir(path):
        raise InputError(path, "not a folder")
    tree = Tree(path, confined=True)
    when, time_source = _time(tree)
    doc = document.new(host, when)
    doc["sources"]["time"] = time_source
    fill = Filler(doc, tree)
    if time_source.startswith("mtime"):
        fill.error("time", f"no readable UTC date in {', '.join(DATE_FILES)}; timed by the folder's mtime")
    if tree.exists(SYSCTL_FILE):
        fill.sysctl_text(SYSCTL_FILE)
    elif tree.isdir("proc/sys/net"):
        fill.sysctl_tree("proc/sys")
    else:
        fill.error("sysctl", f"no such file: {tree.path(SYSCTL_FILE)}")
    _identity(fill, host)
    fill.proc("proc/")
    fill.listeners("proc/", live=False, use_ss=False)
    fill.derived()
    fill.error("page_size", "unknown: a sosreport does not record it")
    return doc, _logs(tree, fill)


def zone(path: str) -> tuple[tzinfo, str] | None:
    """(the host's time zone, where it was read) from a report, or None. The host's syslog daemon
    writes RFC 3164 dates (and journalctl its short output) in that zone, without saying which.

    In order: timedatectl's `Time zone: America/New_York (EST, -0500)` (sos's systemd plugin), the
    zone /etc/localtime links to, /etc/localtime's own TZif data (sos copies the file), Debian's
    /etc/timezone, /etc/sysconfig/clock's `ZONE="…"` (RHEL 5/6) or `TIMEZONE="…"` (SLES 11)."""
    tree = Tree(path, confined=True)
    for name in TIMEDATECTL_FILES:
        if (text := _text(tree, name)) and (found := timedatectl_zone(text)):
            return found, tree.path(name)
    local = tree.path("etc/localtime")
    if os.path.islink(local) and (m := re.search(r"zoneinfo/(?:posix/|right/)?(.+)\Z", os.readlink(local))):
        if found := named_zone(m.group(1)):
            return found, local
    if not os.path.islink(local) and tree.exists("etc/localtime"):
        try:
            with open(tree.resolve("etc/localtime"), "rb") as f:
                return ZoneInfo.from_file(f, key="etc/localtime"), local
        except (OSError, ValueError, InputError):
            pass
    if (text := _text(tree, "etc/timezone")) and (found := named_zone(text.strip().splitlines()[0].strip())):
        return found, tree.path("etc/timezone")
    if (text := _text(tree, "etc/sysconfig/clock")) and (found := clock_zone(text)):
        return found, tree.path("etc/sysconfig/clock")
    return None


def _text(tree: Tree, name: str) -> str | None:
    try:
        return tree.text(name, 65536) if tree.exists(name) else None
    except InputError:
        return None


def named_zone(name: str) -> tzinfo | None:
    """The zone a name such as `Europe/Berlin` or `UTC` names, else None."""
    if name.upper() in ("UTC", "ETC/UTC", "UCT", "ZULU", "UNIVERSAL"):
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _first(fill: Filler, section: str, names: tuple[str, ...]) -> tuple[str, str] | None:
    """(path inside the report, text) of the first of `names` that reads."""
    for name in names:
        if fill.tree.exists(name):
            text = fill.read(section, name)
            if text is not None and text.strip():
                return name, text
    return None


def _identity(fill: Filler, host: str | None) -> None:
    doc, tree = fill.doc, fill.tree
    if host is not None:
        doc["sources"]["host"] = "given"
    elif found := _first(fill, "host", HOSTNAME_FILES):
        doc["host"] = document.fitting(doc, "host", found[1].strip().splitlines()[0].strip())
        doc["sources"]["host"] = tree.path(found[0])
    if found := _first(fill, "kernel", UNAME_FILES):
        uname_kernel(fill, found[1], found[0], tree.path(found[0]))
    btime = fill.parsed("boot", "proc/stat", parse.boot_time, quiet=True) if tree.exists("proc/stat") else None
    boot_id = fill.read("boot", "proc/sys/kernel/random/boot_id", quiet=True)
    if btime is not None or boot_id:
        doc["boot"] = {"time": document.format_time(datetime.fromtimestamp(btime, tz=timezone.utc))
                       if btime is not None else None,
                       "id": document.fitting(doc, "boot", boot_id.strip()) if boot_id else None}
        doc["sources"]["boot"] = tree.path("proc/stat" if btime is not None else "proc/sys/kernel/random/boot_id")
    identity_from_sysctl(doc, fill.all_sysctl, tree.path(SYSCTL_FILE))
    for section in ("host", "kernel", "boot"):
        if doc[section] is None:
            fill.error(section, "not found in the report")


def uname_kernel(fill: Filler, text: str, name: str, source: str) -> bool:
    """The document's kernel from `uname -a` output read from `name` (its problems noted), `source` saying
    where; True when it gave one."""
    doc, result = fill.doc, parse.uname_a(text)
    fill.problems("kernel", name, result.problems)
    if not result.value:
        return False
    doc["kernel"] = {"release": document.fitting(doc, "kernel", result.value["release"], document.MAX_STRING),
                     "version": document.fitting(doc, "kernel", result.value["version"] or None, document.MAX_STRING)}
    doc["sources"]["kernel"] = source
    return True


def timedatectl_zone(text: str) -> tzinfo | None:
    """The zone timedatectl's `Time zone: America/New_York (EST, -0500)` line names, else None."""
    m = re.search(r"^\s*Time zone:\s*(\S+)", text, re.M)
    return named_zone(m.group(1)) if m else None


def clock_zone(text: str) -> tzinfo | None:
    """The zone /etc/sysconfig/clock names: `ZONE="…"` (RHEL 5/6), `TIMEZONE="…"` (SLES 11), else None."""
    m = re.search(r'^\s*(?:TIMEZONE|ZONE)="?([^"\s]+)', text, re.M)
    return named_zone(m.group(1)) if m else None


def _time(tree: Tree) -> tuple[datetime, str]:
    for name in DATE_FILES:
        try:
            text = tree.text(name, 4096)
        except InputError:
            continue
        t = parse.date_output(text).value
        if t is not None:
            return t, tree.path(name)
    return datetime.fromtimestamp(os.stat(tree.base).st_mtime, tz=timezone.utc), f"mtime of {tree.base}"


def _logs(tree: Tree, fill: Filler) -> list[str]:
    found: list[str] = []
    for pattern in LOG_GLOBS:
        names = [os.path.relpath(p, tree.base) for p in glob.glob(os.path.join(glob.escape(tree.base), pattern))]
        found = sorted((n for n in names if os.path.isfile(os.path.join(tree.base, n))), key=rotation_order)
        if found:
            break
    if not found:
        journals = sorted(os.path.relpath(p, tree.base)
                          for p in glob.glob(os.path.join(glob.escape(tree.base), JOURNAL + "*")))
        found = [JOURNAL] if JOURNAL in journals else journals
    if not found and tree.exists(DMESG):
        found = [DMESG]
    logs = []
    for name in found:
        try:
            tree.resolve(name)
        except InputError as exc:
            fill.error("logs", f"{exc.why}: {exc.where}")
            continue
        logs.append(tree.path(name))
    return logs


rotation_order = walk.rotation_order  # oldest rotation first, the live file last
