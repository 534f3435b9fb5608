"""A SUSE supportconfig folder (`scc_web1_261120_1005/`): the host snapshot it holds, and its logs.

    detect("scc_web1_261120_1005")  -> True: a folder holding basic-environment.txt
    load("scc_web1_261120_1005")    -> (document, [Log("messages.txt", ((4, 2208),), "/var/log/messages")])
    extract(folder, logs, scratch)  -> the files to scan: a log section as a file of its own

supportconfig (openSUSE/supportutils, `bin/supportconfig` and `bin/supportconfig.rc`, 3.1.x) writes
text files, each a run of sections. Every section opens with a header line and a label line, as the
rc file's functions write them:

    _log_cmd():      echo "#==[ Command ]======================================#"
                     echo "# ${CMDLINE[@]}"          (the command with its full path: `# /sbin/sysctl -a`)
                     bash -c "${CMDLINE[*]}" 2>&1     then `echo` (one blank line)
                     (not installed: `echo "ERROR: Command not found or not executable"`)
    conf_files():    echo "#==[ Configuration File ]===========================#"
                     echo "# $CONF"                   (missing: `echo "# $CONF - File not found"`)
                     sed -e '/^[[:space:]]*#/d;/^[[:space:]]*;/d;s/\\r//g;/^[[:space:]]*$/d' $CONF
    log_files():     echo "#==[ Log File ]=====================================#"
                     echo "# $CONF"  or  echo "# $CONF - Last $LOGLINES Lines"   then the lines (`tail`)
    log_entry():     "#==[ Note ]===…#", "#==[ Summary ]===…#" … and `# label`

A section runs to the next header line. What is read (the script's lines it comes from):

| section   | from                                                                              |
|-----------|-----------------------------------------------------------------------------------|
| host      | network.txt `hostname` (`log_cmd $OF "${NS}hostname"`), else summary.xml `<hostname>` (`xml_write 'hostname' "$HOSTOUT"`), else sysctl `kernel.hostname`, else the folder's name (`BASE="${ARCHIVE_PREFIX}%B"`, `%B` = `${SC_SRV}_${SC_DATE}_${SC_TIME}`) |
| time      | basic-environment.txt `date` (`log_cmd $BASIC_ENVF 'date'`): UTC or a numeric zone, or the abbreviation the host's zone gives that moment; else the folder name's `%y%m%d_%H%M` in that zone; else the folder's mtime |
| kernel    | basic-environment.txt `uname -a` (`log_cmd $BASIC_ENVF 'uname -a'`), else boot.txt's (`log_cmd $OF "uname -a"`), else sysctl `kernel.osrelease`/`kernel.version` |
| boot      | sysctl `kernel.random.boot_id` (no /proc/stat is collected: no boot time)          |
| page_size | env.txt `getconf -a` (`log_cmd $OF 'getconf -a'`) `PAGESIZE`                       |
| sysctl    | env.txt `sysctl -a` (`log_cmd $OF 'sysctl -a'`), else proc.txt's `/proc/sys/…` file sections (`PROC_DIRS_DEPTH_FULL="/proc/irq/ /proc/sys/"`) |
| memory    | memory.txt `/proc/meminfo` (`conf_files $OF /proc/meminfo /proc/vmstat`)          |
| sockstat, sockstat6, netstat, snmp (+snmp6), listeners | proc.txt `/proc/net/{sockstat,sockstat6,netstat,snmp,snmp6,tcp,tcp6}` (`PROC_DIRS_DEPTH_ONE="/proc/sys/kernel/ /proc/scsi/ /proc/net/ /proc/dasd/"`: `find $PROCDIR -maxdepth 1 -type f`, so not /proc/net/stat/: no conntrack or neighbour statistics) |
| zone      | systemd.txt `timedatectl --no-pager status`, ntp.txt `timedatectl`: `Time zone: Europe/Berlin (CET, +0100)`; else sysconfig.txt `/etc/sysconfig/clock` `TIMEZONE="…"` (SLES 11) |

Logs: one source, so that no kernel line is counted twice (supportconfig writes the same lines
into several files): messages.txt's `/var/log/messages` log section (`log_files $OF 0
$MESSAGES_FILE`, or `- Last $VAR_OPTION_MSG_LINE_COUNT Lines`), after the rotated copies `-l`
adds beside it (`mv ${FILEROOT} ${FILEROOT}.txt`: `messages-20261115.txt`, oldest first), or, on a
host without /var/log/messages, messages.txt's journal section (`log_cmd $OF "journalctl
--no-pager --output=short-iso --lines $VAR_OPTION_MSG_LINE_COUNT"`); else boot.txt's journal
sections (`journalctl --no-pager --boot 0`, with `-l` one per boot: a boot written twice is read
once); else boot.txt's `dmesg -T`. messages_localwarn.txt (`/var/log/warn`) repeats messages and
is not read.

A log section is scanned as a file of its own (`extract`), the size of the file it is in: its lines
in their places, every other line blanked (spaces), so an event's `source.file` names the file
(`scc_web1_…/messages.txt`) and its `line` and `offset` are those of that file; the headers are no
records. What cannot be read (a file or section missing, a command that was not installed, a
symlink leading outside the folder) is named in the document's `errors`; nothing raises but a
path that is not a folder.
"""

from __future__ import annotations

import glob
import io
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

from tcplog.connectors import walk
from tcplog.connectors.procfs import MAX_FILE, Filler, Tree
from tcplog.connectors.sosreport import clock_zone, timedatectl_zone, uname_kernel
from tcplog.connectors.sysctl_text import identity_from_sysctl
from tcplog.errors import InputError
from tcplog.snapshot import document, parse

PREFIXES = ("scc_", "nts_")  # ARCHIVE_PREFIX='scc_' (nts_ before supportutils 3.0)
BASIC_ENV = "basic-environment.txt"  # BASIC_ENVF: what `supportconfig -f DIR` itself looks for
COMMAND, CONF, LOG = "Command", "Configuration File", "Log File"
HEADER = re.compile(r"#==\[ (.+?) \]=+#\s*\Z")
NOT_INSTALLED = "ERROR: Command not found or not executable"
PROC_NET = ("sockstat", "sockstat6", "netstat", "snmp", "snmp6", "tcp", "tcp6")
MESSAGES, BOOT = "messages.txt", "boot.txt"
ROTATED = "messages-[0-9]*.txt"
_READ = frozenset((BASIC_ENV, "env.txt", "network.txt", "memory.txt", "proc.txt", BOOT, "systemd.txt", "ntp.txt",
                   "sysconfig.txt", "summary.xml", "supportconfig.txt"))
_NAME = re.compile(r"(?:scc|nts)_(.+)_(\d{6})_(\d{4})(?:_.*)?\Z")
_ROTATED = re.compile(r"messages-\d+\.txt\Z")


@dataclass
class Section:
    kind: str  # Command, Configuration File, Log File, Note, ...
    label: str  # the `# …` line after the header, without `# `; a command without its folder
    header: int  # line number of the header
    first: int  # first line of the body
    last: int  # last line of the body, trailing blank lines left out (first - 1: empty)
    head: str  # the body's first line (journal sections of one boot start alike)
    text: str | None = None  # the body, when asked for

    @property
    def missing(self) -> str | None:
        """Why the section holds nothing read: a file not found, a command not installed."""
        if self.kind == CONF and self.label.endswith(" - File not found"):
            return "file not found on the host"
        if self.kind == COMMAND and self.head.strip() == NOT_INSTALLED:
            return "command not installed on the host"
        return None


@dataclass(frozen=True)
class Log:
    name: str  # the file in the folder
    ranges: tuple[tuple[int, int], ...] | None  # the bodies read (first, last line); None: the whole file
    what: str  # what it holds: "/var/log/messages", "journalctl --no-pager --boot 0", …


def wanted(rel: str, logs: bool = True) -> bool:
    """A path inside the folder that load(), zone() or (with `logs`) extract() may read: what is
    unpacked of a packed supportconfig (connectors.sos_archive)."""
    if rel in _READ:
        return True
    return logs and (rel == MESSAGES or bool(_ROTATED.match(rel)))


def detect(path: str) -> bool:
    """A supportconfig folder: it holds basic-environment.txt, the file supportconfig writes first and
    its own `-f DIR` looks for (`if [[ -s ${FROM_DIRECTORY}/${BASIC_ENVF} ]]`)."""
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, BASIC_ENV))


def command(label: str) -> str:
    """A Command section's label without the command's folder: `/sbin/sysctl -a` -> `sysctl -a`."""
    return re.sub(r"\A[^\s/]*/\S*/(?=[^/\s]+)", "", label) if label.startswith("/") else label


def sections(tree: Tree, name: str, keep=lambda s: False) -> list[Section]:
    """The sections of one file of the folder, the bodies of those `keep(section)` wants (up to
    MAX_FILE characters each). InputError naming the file when it cannot be read."""
    found: list[Section] = []
    body: list[str] | None = None
    size = 0
    label_next = False
    with tree.lines(name) as f:
        n = 0
        for n, line in enumerate(f, 1):
            if line.startswith("#==[") and (m := HEADER.match(line.rstrip("\n"))):
                _close(found, body)
                found.append(Section(m.group(1), "", n, n + 1, n, ""))
                body, size, label_next = None, 0, True
                continue
            if not found:
                continue
            s = found[-1]
            if label_next:
                label_next = False
                if line.startswith("# "):
                    label = line[2:].rstrip("\n")
                    s.label = command(label) if s.kind == COMMAND else label
                    s.first, s.last = n + 1, n
                    body = [] if keep(s) else None
                    continue
                body = [] if keep(s) else None
            if s.first == n:
                s.head = line.rstrip("\n")
            if line.strip():
                s.last = n
            if body is not None:
                size += len(line)
                if size > MAX_FILE:
                    raise InputError(tree.path(name), f"section '{s.label}' larger than {MAX_FILE} characters")
                body.append(line)
        _close(found, body)
    return found


def _close(found: list[Section], body: list[str] | None) -> None:
    if found and body is not None:
        s = found[-1]
        found[-1].text = "".join(body[:max(0, s.last - s.first + 1)])


class _Folder(Tree):
    """The folder's sections as the files a copied /proc would hold (`proc/net/sockstat`), for
    procfs.Filler: `path()` names the file and the section (`…/proc.txt (/proc/net/sockstat)`)."""

    EMPTY = "empty section"

    def __init__(self, base: str):
        super().__init__(base, confined=True)
        self.files: dict[str, tuple[str, str]] = {}  # rel -> (text, shown)
        self.expected: dict[str, str] = {}  # rel -> where it is looked for
        self.why: dict[str, str] = {}  # rel -> why it is not there
        self.failed: dict[str, str] = {}  # a file of the folder -> why it could not be read

    def file(self, rel: str) -> str:
        return super().path(rel)

    def raw(self, name: str, limit: int) -> str:
        """A (small) file of the folder itself; InputError naming it."""
        return super().text(name, limit)

    def sections(self, name: str, keep=lambda s: False) -> list[Section]:
        """The sections of file `name` (none, and why in `failed`, when it cannot be read)."""
        if not os.path.lexists(self.file(name)):
            self.failed[name] = "no such file"
            return []
        try:
            return sections(self, name, keep)
        except InputError as exc:
            self.failed[name] = exc.why
            return []

    def path(self, rel: str) -> str:
        return self.files[rel][1] if rel in self.files else self.expected.get(rel, super().path(rel))

    def resolve(self, rel: str) -> str:
        return super().resolve(rel)

    def exists(self, rel: str) -> bool:
        return rel in self.files

    def isdir(self, rel: str) -> bool:
        return False

    def text(self, rel: str, limit: int = MAX_FILE) -> str:
        if rel not in self.files:
            raise InputError(self.path(rel), self.why.get(rel, "no such section"))
        return self.files[rel][0]

    @contextmanager
    def lines(self, rel: str):
        if rel in self.files:
            yield io.StringIO(self.files[rel][0])
            return
        if rel in self.expected:
            raise InputError(self.path(rel), self.why.get(rel, "no such section"))
        with super().lines(rel) as f:  # a file of the folder itself
            yield f

    def put(self, rel: str, name: str, found: list[Section], kind: str, label: str) -> Section | None:
        """The body of the first section `kind` `label` of file `name` as `rel`; where it is looked for,
        and why it is not there, otherwise."""
        self.expected[rel] = f"{self.file(name)} ({label})"
        if name in self.failed:
            self.why[rel] = self.failed[name]
        for s in found:
            if s.kind == kind and (s.label == label or s.label.startswith(label + " - ")):
                if why := s.missing:
                    self.why[rel] = why
                    continue
                self.files[rel] = (s.text or "", self.expected[rel])
                return s
        return None


def _commands(*labels: str):
    return lambda s: s.kind == COMMAND and s.label in labels


def load(path: str, host: str | None = None) -> tuple[dict, list[Log]]:
    """The folder's snapshot and its log source; InputError when `path` is not a readable folder."""
    if not os.path.isdir(path):
        raise InputError(path, "not a folder")
    tree = _Folder(path)
    found_zone = _zone(tree)
    basic = tree.sections(BASIC_ENV, _commands("date", "uname -a"))
    when, time_source, time_problem = _time(tree, basic, found_zone)
    doc = document.new(host, when)
    doc["sources"]["time"] = time_source
    fill = Filler(doc, tree)
    if time_problem:
        fill.error("time", time_problem)

    env = tree.sections("env.txt", _commands("sysctl -a", "getconf -a"))
    proc = tree.sections("proc.txt", lambda s: s.kind == CONF and s.label.startswith(("/proc/net/", "/proc/sys/")))
    if tree.put("sysctl_-a", "env.txt", env, COMMAND, "sysctl -a") is not None:
        fill.sysctl_text("sysctl_-a")
    elif _proc_sys(tree, proc):
        fill.error("sysctl", f"{tree.why.get('sysctl_-a', 'no such section')}: {tree.path('sysctl_-a')}; "
                             f"read from {tree.path('proc/sys')}")
        fill.sysctl_text("proc/sys")
    else:
        fill.error("sysctl", f"{tree.why.get('sysctl_-a', 'no such section')}: {tree.path('sysctl_-a')}")
    for name in PROC_NET:
        tree.put(f"proc/net/{name}", "proc.txt", proc, CONF, f"/proc/net/{name}")
    for table in ("nf_conntrack", "arp_cache", "ndisc_cache"):  # proc.txt holds /proc/net/ to depth one only
        tree.expected[f"proc/net/stat/{table}"] = f"{tree.file('proc.txt')} (/proc/net/stat/{table})"
        tree.why[f"proc/net/stat/{table}"] = "not collected by supportconfig"
    tree.put("proc/meminfo", "memory.txt", tree.sections("memory.txt", lambda s: s.kind == CONF
                                                          and s.label == "/proc/meminfo"), CONF, "/proc/meminfo")
    _identity(fill, tree, basic, env, host)
    fill.proc("proc/")
    fill.listeners("proc/", live=False, use_ss=False)
    fill.derived()
    return doc, _logs(tree, fill)


def _proc_sys(tree: _Folder, proc: list[Section]) -> bool:
    """proc.txt's /proc/sys/… file sections as `sysctl -a` text (`proc/sys`); False when there are none."""
    lines = []
    for s in proc:
        if s.kind == CONF and s.label.startswith("/proc/sys/") and s.missing is None and s.text is not None:
            key = ".".join(part.replace(".", "/") for part in s.label[len("/proc/sys/"):].split("/"))
            lines.append(f"{key} = {' '.join(s.text.split())}\n")
    if not lines:
        return False
    tree.files["proc/sys"] = ("".join(lines), f"{tree.file('proc.txt')} (/proc/sys/)")
    return True


def _identity(fill: Filler, tree: _Folder, basic: list[Section], env: list[Section], host: str | None) -> None:
    doc = fill.doc
    if host is not None:
        doc["sources"]["host"] = "given"
    else:
        network = tree.sections("network.txt", _commands("hostname"))
        if (s := tree.put("hostname", "network.txt", network, COMMAND, "hostname")) and s.text and s.text.strip():
            doc["host"] = document.fitting(doc, "host", s.text.strip().splitlines()[0].strip())
            doc["sources"]["host"] = tree.path("hostname")
        elif (name := _summary_host(tree)) is not None:
            doc["host"] = document.fitting(doc, "host", name)
            doc["sources"]["host"] = f"{tree.file('summary.xml')} (<hostname>)"
    for name, found in ((BASIC_ENV, basic), (BOOT, tree.sections(BOOT, _commands("uname -a")))):
        if (s := tree.put("uname_-a", name, found, COMMAND, "uname -a")) is not None and s.text \
                and uname_kernel(fill, s.text, "uname_-a", tree.path("uname_-a")):
            break
    identity_from_sysctl(doc, fill.all_sysctl, tree.path("sysctl_-a") if "sysctl_-a" in tree.files
                         else tree.path("proc/sys"))
    if doc["host"] is None and (m := _NAME.match(os.path.basename(os.path.normpath(tree.base)))):
        doc["host"] = document.fitting(doc, "host", m.group(1))
        doc["sources"]["host"] = f"the folder's name ({os.path.basename(os.path.normpath(tree.base))})"
    for section in ("host", "kernel", "boot"):
        if doc[section] is None:
            fill.error(section, "not found in the supportconfig")
    if (s := tree.put("getconf_-a", "env.txt", env, COMMAND, "getconf -a")) and s.text \
            and (m := re.search(r"^PAGE_?SIZE\s+(\d{3,9})\s*$", s.text, re.M)):
        doc["page_size"] = int(m.group(1))
        doc["sources"]["page_size"] = f"{tree.path('getconf_-a')} (PAGESIZE)"
    else:
        fill.error("page_size", f"unknown: no PAGESIZE in {tree.path('getconf_-a')}")


def _summary_host(tree: _Folder) -> str | None:
    try:
        text = tree.raw("summary.xml", 1 << 20)
    except InputError:
        return None
    m = re.search(r"<hostname>\s*([^<\s]+)\s*</hostname>", text)
    return m.group(1) if m else None


def _time(tree: _Folder, basic: list[Section], zone: tuple[tzinfo, str] | None) -> tuple[datetime, str, str | None]:
    """(time, where it was read, why a better source was not used)."""
    problem = None
    if (s := tree.put("date", BASIC_ENV, basic, COMMAND, "date")) is not None and s.text:
        result = parse.date_output(s.text)
        if result.value is not None:
            return result.value, tree.path("date"), None
        if zone and (local := parse.date_output(s.text, zone[0])).value is not None:
            return local.value, f"{tree.path('date')} (read in {zone[0]}, from {zone[1]})", None
        problem = f"{tree.path('date')}: {result.problems[0]}" if result.problems else None
    else:
        problem = f"no `date` section: {tree.path('date')}"
    name = os.path.basename(os.path.normpath(tree.base))
    if zone and (m := _NAME.match(name)):
        try:
            t = datetime.strptime(m.group(2) + m.group(3), "%y%m%d%H%M").replace(tzinfo=zone[0])
            return t.astimezone(timezone.utc), f"the folder's name ({name}, in {zone[0]})", problem
        except ValueError:
            pass
    when = datetime.fromtimestamp(os.stat(tree.base).st_mtime, tz=timezone.utc)
    return when, f"mtime of {tree.base}", (problem or "no readable date") + "; timed by the folder's mtime"


def zone(path: str) -> tuple[tzinfo, str] | None:
    """(the host's time zone, where it was read) from a supportconfig folder, or None. Its syslog
    lines (RFC 3164) carry local times without a zone."""
    return _zone(_Folder(path))


def _zone(tree: _Folder) -> tuple[tzinfo, str] | None:
    for name, label in (("systemd.txt", "timedatectl --no-pager status"), ("ntp.txt", "timedatectl")):
        for s in tree.sections(name, _commands(label)):
            if s.kind == COMMAND and s.label == label and s.text and (found := timedatectl_zone(s.text)):
                return found, f"{tree.file(name)} ({label})"
    for s in tree.sections("sysconfig.txt", lambda s: s.kind == CONF and s.label == "/etc/sysconfig/clock"):
        if s.label == "/etc/sysconfig/clock" and s.text and (found := clock_zone(s.text)):
            return found, f"{tree.file('sysconfig.txt')} (/etc/sysconfig/clock)"
    return None


def _logs(tree: _Folder, fill: Filler) -> list[Log]:
    logs: list[Log] = []
    for path in sorted(glob.glob(os.path.join(glob.escape(tree.base), ROTATED))):
        logs.append(Log(os.path.basename(path), None, "a rotated /var/log/messages"))
    for s in tree.sections(MESSAGES):
        if s.missing is None and s.last >= s.first and (
                (s.kind == LOG and (s.label == "/var/log/messages" or s.label.startswith("/var/log/messages - ")))
                or (s.kind == COMMAND and s.label.startswith("journalctl "))):
            logs.append(Log(MESSAGES, ((s.first, s.last),), s.label))
    if logs:
        return logs
    boot = tree.sections(BOOT)
    heads: set[str] = set()
    ranges = []
    for s in boot:
        if s.kind == COMMAND and s.label.startswith("journalctl --no-pager --boot") and s.missing is None \
                and s.last >= s.first and s.head not in heads:
            heads.add(s.head)
            ranges.append((s.first, s.last))
    if ranges:
        return [Log(BOOT, tuple(ranges), "journalctl --no-pager --boot")]
    for s in boot:
        if s.kind == COMMAND and s.label in ("dmesg -T", "dmesg") and s.missing is None and s.last >= s.first:
            return [Log(BOOT, ((s.first, s.last),), s.label)]
    why = "; ".join(f"{v}: {tree.file(k)}" for k, v in tree.failed.items() if k in (MESSAGES, BOOT))
    fill.error("logs", f"no log section (/var/log/messages, journalctl or dmesg) in {tree.file(MESSAGES)} or "
                       f"{tree.file(BOOT)}" + (f" ({why})" if why else ""))
    return []


def extract(folder: str, logs: list[Log], dest: str) -> list[str]:
    """The files to scan for `logs`: a whole file as it is (refused when a symlink leads outside the
    folder), a file's sections as a file of the same name in `dest`, every line outside them blanked
    (spaces, so lines and offsets stay those of the file). InputError naming what fails."""
    tree = Tree(folder, confined=True)
    out: list[str] = []
    by_name: dict[str, list[tuple[int, int]]] = {}
    for log in logs:
        if log.ranges is None:
            tree.resolve(log.name)
            out.append(tree.path(log.name))
        else:
            if log.name not in by_name:
                out.append(os.path.join(dest, log.name))
            by_name.setdefault(log.name, []).extend(log.ranges)
    for name, ranges in by_name.items():
        _blanked(tree, name, sorted(ranges), os.path.join(dest, name))
    return out


def _blanked(tree: Tree, name: str, ranges: list[tuple[int, int]], target: str) -> None:
    source = tree.path(name)
    try:
        with open(tree.resolve(name), "rb") as f, \
                open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "wb") as out:
            i, n = 0, 0
            for line in f:
                n += 1
                while i < len(ranges) and ranges[i][1] < n:
                    i += 1
                if i < len(ranges) and ranges[i][0] <= n:
                    out.write(line)
                else:
                    out.write(b" " * (len(line) - 1) + b"\n" if line.endswith(b"\n") else b" " * len(line))
    except OSError as exc:
        raise InputError(walk.shown(source), (exc.strerror or str(exc)).lower()) from None
