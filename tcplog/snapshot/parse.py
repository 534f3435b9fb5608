"""Pure parsers for the text a host's kernel and tools print -> plain dicts.

Every parser takes text (or lines) and returns `Parsed(value, problems)`. None of them
raises on input: each is lenient per line, because one odd line (a truncated copy, a
distribution patch, a column from a newer kernel) must not cost the rest of the file. A
line it cannot read is skipped and reported as `line N: why: 'text'` in `problems`.

| parser          | input                                   | value                                              |
|-----------------|-----------------------------------------|----------------------------------------------------|
| `sockstat`      | /proc/net/sockstat, sockstat6           | {"TCP": {"inuse": 3, "tw": 1, ...}, ...}           |
| `counters`      | /proc/net/netstat, /proc/net/snmp       | {"TcpExt": {"ListenOverflows": 0, ...}, ...}       |
| `snmp6`         | /proc/net/snmp6                         | {"Ip6": {"InReceives": 1}, "Icmp6": {...}, ...}    |
| `meminfo`       | /proc/meminfo                           | {"MemTotal": 16318412, ...} (kB or pages, as read) |
| `sysctl_text`   | `sysctl -a` output                      | {"net.ipv4.tcp_mem": "287901 383868 575802", ...}  |
| `hex_stat`      | /proc/net/stat/{nf_conntrack,arp_cache,ndisc_cache} | {"entries": 4, "table_fulls": 0, ...}  |
| `tcp_listeners` | /proc/net/tcp, tcp6                     | [{"address", "port", "accept_queue", "uid", "inode"}] |
| `ss_listeners`  | `ss -ltnpH` (or `ss -ltnp`) output      | [{"address", "port", "accept_queue", "backlog", "pid", "process"}] |
| `uname_a`       | `uname -a` output                       | {"sysname", "nodename", "release", "version", "machine"} |
| `boot_time`     | /proc/stat                              | btime, seconds since the epoch                     |
| `date_output`   | `date` / `date --utc` output             | an aware datetime                                  |

Format notes (what the kernel prints, and what is kept):
- sockstat: `NAME: key value key value ...`. Any key is kept, so 2.6.18's shorter lines
  (`UDP: inuse 0`), the `pressure N` field some patched kernels append to `TCP:` and future
  fields all come through. `mem` is in pages.
- netstat/snmp: a header line of names and a value line, per protocol, read **by name**:
  columns differ between kernels (2.6.18's TcpExt has ~60, 6.x more than 130). Values are
  signed (`Tcp: MaxConn -1`). A pair whose lengths differ, or a header with no value line
  (a truncated file), is skipped and reported.
- snmp6: `Ip6InReceives  1` per line; split into groups at the first `6` (`Ip6`, `Icmp6`,
  `Udp6`, `UdpLite6`) so it merges into the `snmp` section without clashing.
- sysctl -a: `key = value`; tabs and runs of spaces inside values become one space; a key
  printed twice (multi-line values) is joined with a space. Lines that are messages
  (`sysctl: permission denied on key ...`, `error: ...`, `sysctl: reading key ...`) are
  reported, never taken as keys. Sysctl names hold dots: they are never split.
- /proc/net/stat/*: a header, then one line of hex per CPU. Counters are summed over the
  CPUs; `entries` is the table's global size, printed on every line: the first line's is kept.
- /proc/net/tcp*: LISTEN rows only (state `0A`); for them `rx_queue` is the current accept
  queue. Addresses are the kernel's `%08X` of a network-order word, so they read byte-reversed
  on little-endian hosts (pass `little_endian=False` for s390x/ppc64 BE copies).
- ss: `State Recv-Q Send-Q Local Peer [Process]`; for LISTEN sockets Recv-Q is the accept
  queue and Send-Q the backlog (`min(listen() backlog, somaxconn)`); `*` means any address.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

from tcplog.snapshot.document import MAX_NAME, MAX_STRING  # what a document keeps: a name, a value


class Parsed(NamedTuple):
    value: Any
    problems: list[str]


_DEC = re.compile(r"[+-]?\d{1,20}\Z")
_HEX = re.compile(r"[0-9A-Fa-f]{1,16}\Z")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,255}\Z")  # at most MAX_NAME
_INT_MIN, _INT_MAX = -(1 << 63), (1 << 64) - 1


def to_int(token: str) -> int | None:
    """A signed decimal that fits the kernel's 64-bit counters, else None."""
    if not _DEC.match(token):
        return None
    value = int(token)
    return value if _INT_MIN <= value <= _INT_MAX else None


def _problem(n: int, why: str, line: str) -> str:
    shown = line if len(line) <= 120 else line[:120] + "..."
    return f"line {n}: {why}: {shown!r}"


def sockstat(text: str) -> Parsed:
    """/proc/net/sockstat or sockstat6 -> {protocol: {key: int}}."""
    out: dict[str, dict[str, int]] = {}
    problems: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, rest = line.partition(":")
        tokens = rest.split()
        if not sep or not _NAME.match(name.strip()) or not tokens or len(tokens) % 2:
            problems.append(_problem(n, "expected 'NAME: key value ...'", line))
            continue
        values = {}
        for key, raw in zip(tokens[::2], tokens[1::2]):
            value = to_int(raw)
            if value is None or not _NAME.match(key):
                problems.append(_problem(n, f"{key}: not an integer: {raw!r}", line))
                break
            values[key] = value
        else:
            out.setdefault(name.strip(), {}).update(values)
    return Parsed(out, problems)


def counters(text: str) -> Parsed:
    """/proc/net/netstat or /proc/net/snmp (header/value line pairs) -> {group: {name: int}}."""
    out: dict[str, dict[str, int]] = {}
    problems: list[str] = []
    header: tuple[int, str, list[str], str] | None = None  # line number, group, names, line
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        group, sep, rest = line.partition(":")
        group = group.strip()
        if not sep or not _NAME.match(group):
            problems.append(_problem(n, "expected 'Group: ...'", line))
            continue
        tokens = rest.split()
        if header is None or header[1] != group:
            if header is not None:
                problems.append(_problem(header[0], f"{header[1]} header without a value line", header[3]))
            header = (n, group, tokens, line)
            continue
        names = header[2]
        header = None
        if len(tokens) != len(names):
            problems.append(_problem(n, f"{group}: {len(tokens)} values for {len(names)} names", line))
            continue
        values = {}
        for name, raw in zip(names, tokens):
            value = to_int(raw)
            if value is None or not _NAME.match(name):
                problems.append(_problem(n, f"{group}.{name}: not an integer: {raw!r}", line))
                break
            values[name] = value
        else:
            out.setdefault(group, {}).update(values)
    if header is not None:
        problems.append(_problem(header[0], f"{header[1]} header without a value line", header[3]))
    return Parsed(out, problems)


_SNMP6 = re.compile(r"([A-Za-z]{1,64}?6)([A-Za-z_][A-Za-z0-9_]{0,255})\Z")


def snmp6(text: str) -> Parsed:
    """/proc/net/snmp6 (`Ip6InReceives  1` per line) -> {"Ip6": {"InReceives": 1}, ...}."""
    out: dict[str, dict[str, int]] = {}
    problems: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        tokens = line.split()
        if not tokens:
            continue
        m = _SNMP6.match(tokens[0]) if len(tokens) == 2 else None
        value = to_int(tokens[1]) if m else None
        if value is None:
            problems.append(_problem(n, "expected 'Name6Counter value'", line))
            continue
        out.setdefault(m.group(1), {})[m.group(2)] = value
    return Parsed(out, problems)


_MEMINFO = re.compile(r"([^:\s]{1,256}):\s+([0-9]{1,20})(?:\s+kB)?\s*\Z")


def meminfo(text: str) -> Parsed:
    """/proc/meminfo -> {"MemTotal": 16318412, "HugePages_Total": 0, ...}."""
    out: dict[str, int] = {}
    problems: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _MEMINFO.match(line.strip())
        value = to_int(m.group(2)) if m else None
        if value is None:
            problems.append(_problem(n, "expected 'Name: value [kB]' (a 64-bit value)", line))
            continue
        out[m.group(1)] = value
    return Parsed(out, problems)


_MESSAGE = re.compile(r"(sysctl|error|warning)\s*:", re.IGNORECASE)


def sysctl_text(text: str) -> Parsed:
    """`sysctl -a` output -> {name: value}, values with internal whitespace collapsed."""
    out: dict[str, str] = {}
    problems: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if _MESSAGE.match(line):
            problems.append(_problem(n, "sysctl message", line.strip()))
            continue
        key, sep, value = line.partition(" = ")
        if not sep and line.rstrip().endswith(" ="):
            key, sep, value = line.rstrip()[:-2], " = ", ""
        key = key.strip()
        if not sep or not key or any(c.isspace() for c in key) or "=" in key:
            problems.append(_problem(n, "expected 'key = value'", line))
            continue
        if len(key) > MAX_NAME:
            problems.append(_problem(n, f"key longer than {MAX_NAME} characters", line))
            continue
        value = " ".join(value.split())
        value = f"{out[key]} {value}".strip() if key in out else value
        if len(value) > MAX_STRING:
            problems.append(_problem(n, f"{key}: value longer than {MAX_STRING} characters", line))
            continue
        out[key] = value
    return Parsed(out, problems)


def sysctl_value(raw: str) -> str:
    """A /proc/sys file's text as `sysctl -a` shows it: whitespace runs -> one space."""
    return " ".join(raw.split())


def hex_stat(text: str, global_columns: tuple[str, ...] = ("entries",)) -> Parsed:
    """/proc/net/stat/<table> -> {column: int}: per-CPU hex rows summed; global columns from row 1."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        return Parsed(None, ["line 1: empty file"])
    n0, first = lines[0]
    names = first.split()
    if not all(_NAME.match(name) for name in names):
        return Parsed(None, [_problem(n0, "expected a header of column names", first)])
    out: dict[str, int] = {}
    problems: list[str] = []
    rows = 0
    for n, line in lines[1:]:
        tokens = line.split()
        if len(tokens) != len(names) or not all(_HEX.match(t) for t in tokens):
            problems.append(_problem(n, f"expected {len(names)} hex values", line))
            continue
        rows += 1
        for name, token in zip(names, tokens):
            value = int(token, 16)
            if name in global_columns:
                out.setdefault(name, value)
            else:
                out[name] = out.get(name, 0) + value
    if not rows:
        problems.append(_problem(n0, "header without value lines", first))
    for name in [name for name, value in out.items() if value > _INT_MAX]:  # summed past 64 bits: not real
        problems.append(f"{name}: the sum over CPUs does not fit 64 bits ({out.pop(name)})"[:200])
    return Parsed(out, problems)


def tcp_listeners(lines: Iterable[str], little_endian: bool = True) -> Parsed:
    """LISTEN rows of /proc/net/tcp or tcp6 -> [{"address", "port", "accept_queue", "uid", "inode"}].

    Takes lines (a file object works) so a host with a million connections is read as a stream.
    """
    out: list[dict] = []
    problems: list[str] = []
    for n, line in enumerate(lines, 1):
        tokens = line.split()
        if not tokens or (n == 1 and tokens[0] == "sl"):
            continue
        if len(tokens) < 10 or not tokens[0].endswith(":"):
            problems.append(_problem(n, "expected a socket row", line.rstrip("\n")))
            continue
        if tokens[3] != "0A":
            continue
        try:
            address, port = _hex_endpoint(tokens[1], little_endian)
            _tx, _, rx = tokens[4].partition(":")
            if not _HEX.match(rx):
                raise ValueError(f"queues {tokens[4]!r}")
            out.append({"address": address, "port": port, "accept_queue": int(rx, 16),
                        "uid": int(tokens[7]), "inode": int(tokens[9])})
        except ValueError as exc:
            problems.append(_problem(n, f"bad socket row ({exc})", line.rstrip("\n")))
    return Parsed(out, problems)


def _hex_endpoint(text: str, little_endian: bool) -> tuple[str, int]:
    addr, sep, port = text.partition(":")
    if not sep or not _HEX.match(port) or len(port) != 4 or len(addr) not in (8, 32):
        raise ValueError(f"address {text!r}")
    raw = bytes.fromhex(addr)
    if little_endian:
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.IPv4Address(raw) if len(raw) == 4 else ipaddress.IPv6Address(raw)
    return str(ip), int(port, 16)


_USERS = re.compile(r'\(\("((?:[^"\\]|\\.)*)",pid=([0-9]{1,10})\b')


def ss_listeners(text: str) -> Parsed:
    """`ss -ltnpH` (or `ss -ltnp` with its header) -> [{"address", "port", "accept_queue", "backlog", ...}]."""
    out: list[dict] = []
    problems: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        tokens = line.split()
        if not tokens or tokens[0] in ("State", "Netid"):
            continue
        if tokens[0] in ("tcp", "tcp6", "mptcp"):
            tokens = tokens[1:]
        if len(tokens) < 5 or tokens[0] != "LISTEN":
            problems.append(_problem(n, "expected 'LISTEN Recv-Q Send-Q Local Peer'", line))
            continue
        recv, send = to_int(tokens[1]), to_int(tokens[2])
        endpoint = _ss_endpoint(tokens[3])
        if recv is None or send is None or recv < 0 or send < 0 or endpoint is None:
            problems.append(_problem(n, "bad queue sizes or local address", line))
            continue
        m = _USERS.search(line)
        process = m.group(1) if m and len(m.group(1)) <= MAX_NAME else None
        out.append({"address": endpoint[0], "port": endpoint[1], "accept_queue": recv, "backlog": send,
                    "pid": int(m.group(2)) if process else None, "process": process})
    return Parsed(out, problems)


_PORT = re.compile(r"[0-9]{1,5}\Z")  # ASCII: str.isdigit() also takes "²", which int() refuses


def _ss_endpoint(text: str) -> tuple[str, int] | None:
    if text.startswith("["):
        addr, sep, port = text[1:].rpartition("]:")
    else:
        addr, sep, port = text.rpartition(":")
    addr = addr.partition("%")[0]  # 127.0.0.53%lo
    if not sep or not addr or not _PORT.match(port) or int(port) > 65535:
        return None
    return addr, int(port)


_ARCH = re.compile(r"(x86_64|i[3-7]86|aarch64|arm\w*|ppc\w*|s390x?|riscv\w*|mips\w*|sparc\w*|ia64|alpha|"
                   r"loongarch\w*|unknown)\Z")


def uname_a(text: str) -> Parsed:
    """`uname -a` -> {"sysname", "nodename", "release", "version", "machine"} (version may hold spaces)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    tokens = line.split()
    if len(tokens) < 4:
        return Parsed(None, [_problem(1, "expected 'SYSNAME NODENAME RELEASE VERSION ...'", line)])
    rest = tokens[3:]
    if len(rest) > 1 and "linux" in rest[-1].lower() and not _ARCH.match(rest[-1]):
        rest = rest[:-1]  # GNU/Linux
    arch = []
    while len(rest) > 1 and len(arch) < 3 and _ARCH.match(rest[-1]):
        arch.insert(0, rest.pop())
    return Parsed({"sysname": tokens[0], "nodename": tokens[1], "release": tokens[2],
                   "version": " ".join(rest), "machine": arch[0] if arch else None}, [])


_YEAR_9999 = 253402300799  # 9999-12-31T23:59:59Z, the last second a document's time can hold


def boot_time(text: str) -> Parsed:
    """/proc/stat -> its `btime` (seconds since the epoch), or None."""
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("btime"):
            tokens = line.split()
            if len(tokens) == 2 and tokens[1].isascii() and tokens[1].isdigit() and len(tokens[1]) <= 12 \
                    and int(tokens[1]) <= _YEAR_9999:
                return Parsed(int(tokens[1]), [])
            return Parsed(None, [_problem(n, "expected 'btime SECONDS'", line)])
    return Parsed(None, ["no btime line"])


_DATE = re.compile(r"\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\S+)\s+(\d{4})\Z")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), 1)}
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})\Z")


def date_output(text: str, zone: tzinfo | None = None) -> Parsed:
    """`date` in the C locale (`Thu Nov 20 10:05:00 UTC 2026`) -> aware datetime.

    The zone must be UTC/GMT/Z or a numeric offset: an abbreviation such as CET or EST is
    ambiguous, so it gives None and a problem rather than a guess. Given the host's `zone` (read
    elsewhere, as timedatectl's `Time zone: Europe/Berlin`), an abbreviation is read as local
    time in it when the zone calls that moment by that name (`CET`, or `CEST` in summer);
    otherwise it stays a problem.
    """
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    m = _DATE.match(line)
    if not m or m.group(1).lower() not in _MONTHS:
        return Parsed(None, [_problem(1, "expected 'Www Mmm DD HH:MM:SS ZONE YYYY'", line)])
    month, day, hh, mi, ss, abbreviation, year = m.groups()
    o = _OFFSET.match(abbreviation)
    if abbreviation.upper() not in ("UTC", "GMT", "Z", "UCT") and not o:
        return _in_zone(line, m.groups(), zone) if zone is not None \
            else Parsed(None, [_problem(1, f"time zone {abbreviation!r} is ambiguous", line)])
    try:
        tz = timezone((-1 if o.group(1) == "-" else 1) * timedelta(hours=int(o.group(2)), minutes=int(o.group(3)))) \
            if o else timezone.utc
        t = datetime(int(year), _MONTHS[month.lower()], int(day), int(hh), int(mi), int(ss), tzinfo=tz)
        return Parsed(t.astimezone(timezone.utc), [])
    except (ValueError, OverflowError) as exc:  # +9999, 02-30, year 1 at +01:00
        return Parsed(None, [_problem(1, str(exc), line)])


def _in_zone(line: str, groups: tuple, zone: tzinfo) -> Parsed:
    """`date`'s local time with its zone abbreviation, read in the host's zone: kept only when the zone
    names that moment so (of a repeated hour, the reading whose name matches)."""
    month, day, hh, mi, ss, abbreviation, year = groups
    try:
        for fold in (0, 1):
            t = datetime(int(year), _MONTHS[month.lower()], int(day), int(hh), int(mi), int(ss), tzinfo=zone,
                         fold=fold)
            if t.tzname() == abbreviation:
                return Parsed(t.astimezone(timezone.utc), [])
    except (ValueError, OverflowError) as exc:
        return Parsed(None, [_problem(1, str(exc), line)])
    return Parsed(None, [_problem(1, f"time zone {abbreviation!r} is not what {zone} calls that time", line)])
