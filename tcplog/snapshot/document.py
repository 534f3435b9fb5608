"""The host snapshot document, schema `tcplog.snapshot/1`: its shape, and the one way in.

A snapshot is what a host's kernel said about its network stack at one moment: settings
(sysctls), counters (`/proc/net/netstat`, `snmp`, conntrack and neighbour statistics), gauges
(`sockstat`, memory) and listening sockets. Every top-level key is always present; a section
that could not be read is null (or `{}`/`[]`) and named in `errors`. The JSON Schema twin
of these rules is `tcplog/schema/snapshot-1.json`; docs/snapshots.md describes every key.

    {"schema": "tcplog.snapshot/1", "host": "web1", "time": "2026-11-22T10:00:00.000000Z",
     "kernel": {"release": "5.15.0-91-generic", "version": "#101-Ubuntu SMP ..."},
     "boot": {"time": "2026-11-20T08:00:00.000000Z", "id": "8d1f..."}, "page_size": 4096,
     "memory": {"MemTotal": 16318412}, "sysctl": {"net.ipv4.tcp_mem": "287901 383868 575802"},
     "sockstat": {"TCP": {"inuse": 3, "tw": 1}}, "sockstat6": {"TCP6": {"inuse": 0}},
     "netstat": {"TcpExt": {"ListenOverflows": 0}}, "snmp": {"Tcp": {"MaxConn": -1}},
     "conntrack": {"count": 0, "max": 262144, "buckets": 262144, "expect_max": 4096, "stat": {}},
     "neighbour": {"arp_cache": {"entries": 4, "gc_thresh1": 128, "gc_thresh2": 512,
                                 "gc_thresh3": 1024, "table_fulls": 0, "stat": {}}},
     "listeners": [{"proto": "tcp", "address": "0.0.0.0", "port": 443, "accept_queue": 0,
                    "backlog": 4096, "pid": 1234, "process": "nginx"}],
     "sources": {"sockstat": "/proc/net/sockstat"},
     "errors": [{"section": "listeners", "error": "permission denied: /proc/1/fd"}]}

Snapshot files come from other machines and other people, so reading one is defensive:
`load_bytes` takes JSON only (orjson; no pickle, YAML or eval), at most `MAX_BYTES`, nesting
bounded by the parser (1024) and then by the fixed shape, and `validate` checks every value's
type and range. Anything else raises `SnapshotError` naming the file and the field, e.g.
`snapshots/web1/x.json: sockstat.TCP.tw: expected an integer, got 'abc'`.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import orjson

from tcplog.errors import SnapshotError

SCHEMA = "tcplog.snapshot/1"
KEYS = ("schema", "host", "time", "kernel", "boot", "page_size", "memory", "sysctl", "sockstat",
        "sockstat6", "netstat", "snmp", "conntrack", "neighbour", "listeners", "sources", "errors")

MAX_BYTES = 8 << 20  # a busy host's document is ~100 KiB; 10k listeners add ~1.5 MiB
MAX_STRING = 64 << 10  # one sysctl value, one error text
MAX_NAME = 256  # one key: a sysctl name, a counter name
INT_MIN, INT_MAX = -(1 << 63), (1 << 64) - 1  # counters are u64 in the kernel, some are signed

CONNTRACK_KEYS = ("count", "max", "buckets", "expect_max")
NEIGHBOUR_KEYS = ("entries", "gc_thresh1", "gc_thresh2", "gc_thresh3", "table_fulls")
LISTENER_KEYS = ("proto", "address", "port", "accept_queue", "backlog", "pid", "process")

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\Z")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def new(host: str | None, time: datetime) -> dict:
    """An empty document: every key present, every section null until something fills it."""
    doc = dict.fromkeys(KEYS)
    doc.update(schema=SCHEMA, host=host, time=format_time(time), sources={}, errors=[])
    return doc


def add_error(doc: dict, section: str, error: str) -> None:
    doc["errors"].append({"section": section, "error": text(error)[:MAX_STRING]})


def text(s: str) -> str:
    """`s` as it can be written as JSON: bytes that were not UTF-8 (a file name read with
    surrogateescape, `eth\\udcff`) shown as `\\xff` escapes instead of lone surrogates."""
    if s.isascii():
        return s
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        pass
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate surrogateescape did not make
        return s.encode("utf-8", "backslashreplace").decode("utf-8")


def fitting(doc: dict, section: str, value: str | None, limit: int = MAX_NAME) -> str | None:
    """`value` (a host name, a boot id, a kernel release) when it fits the document; else None
    and an error in `section` (a hostname file holding a megabyte is not a host name)."""
    if value is None:
        return None
    if len(value) > limit:
        add_error(doc, section, f"longer than {limit} characters ({len(value)}), not kept: {value[:60]!r}...")
        return None
    return text(value)


def format_time(t: datetime) -> str:
    """UTC, microseconds, `Z`: 2026-11-22T10:00:00.000000Z (four-digit years before 1000 too)."""
    t = t.astimezone(timezone.utc)
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}."
            f"{t.microsecond:06d}Z")


def parse_time(text: str) -> datetime | None:
    """The inverse of format_time; None for anything else."""
    if not isinstance(text, str) or not _TIME.match(text):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def dumps(doc: dict, pretty: bool = False) -> bytes:
    """The document as JSON bytes ending in a newline (indented when pretty)."""
    option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0)
    return orjson.dumps(doc, option=option)


def load_bytes(data: bytes, where: str) -> dict:
    """Parse and validate one document; SnapshotError naming `where` for anything wrong."""
    if len(data) > MAX_BYTES:
        raise SnapshotError(where, None, f"larger than {MAX_BYTES} bytes ({len(data)})")
    if not data.strip():
        raise SnapshotError(where, None, "empty file")
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(where, None, f"not JSON ({exc})") from None
    return validate(doc, where)


def validate(doc, where: str) -> dict:
    """`doc` itself when it has the shape of a tcplog.snapshot/1 document; else SnapshotError."""
    v = _Check(where)
    v.object(doc, "", nullable=False)
    schema = doc.get("schema")
    if schema != SCHEMA:
        v.fail("schema", f"expected {SCHEMA!r}, got {_show(schema)}" if "schema" in doc else "missing")
    v.exact_keys(doc, "", KEYS)
    v.string(doc["host"], "host", nullable=True, limit=MAX_NAME)
    v.time(doc["time"], "time", nullable=False)
    kernel = v.object(doc["kernel"], "kernel", nullable=True)
    if kernel is not None:
        v.exact_keys(kernel, "kernel", ("release", "version"))
        for key in ("release", "version"):
            v.string(kernel[key], f"kernel.{key}", nullable=True)
    boot = v.object(doc["boot"], "boot", nullable=True)
    if boot is not None:
        v.exact_keys(boot, "boot", ("time", "id"))
        v.time(boot["time"], "boot.time", nullable=True)
        v.string(boot["id"], "boot.id", nullable=True, limit=MAX_NAME)
    v.integer(doc["page_size"], "page_size", nullable=True, low=1)
    v.mapping(doc["memory"], "memory", v.integer)
    v.mapping(doc["sysctl"], "sysctl", v.string)
    for section in ("sockstat", "sockstat6", "netstat", "snmp"):
        v.mapping(doc[section], section, lambda value, path: v.mapping(value, path, v.integer, nullable=False))
    conntrack = v.object(doc["conntrack"], "conntrack", nullable=True)
    if conntrack is not None:
        v.exact_keys(conntrack, "conntrack", CONNTRACK_KEYS + ("stat",))
        for key in CONNTRACK_KEYS:
            v.integer(conntrack[key], f"conntrack.{key}", nullable=True)
        v.mapping(conntrack["stat"], "conntrack.stat", v.integer)
    v.mapping(doc["neighbour"], "neighbour", v.neighbour_table)
    listeners = v.array(doc["listeners"], "listeners", nullable=True)
    for i, item in enumerate(listeners or ()):
        v.listener(item, f"listeners[{i}]")
    v.mapping(doc["sources"], "sources", v.string, nullable=False)
    for i, item in enumerate(v.array(doc["errors"], "errors", nullable=False)):
        path = f"errors[{i}]"
        v.object(item, path, nullable=False)
        v.exact_keys(item, path, ("section", "error"))
        v.string(item["section"], f"{path}.section", nullable=False, limit=MAX_NAME)
        v.string(item["error"], f"{path}.error", nullable=False)
    return doc


class _Check:
    """Type and range checks that raise SnapshotError(where, path, why) on the first offence."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, path: str, why: str):
        raise SnapshotError(self.where, path or None, why)

    def object(self, value, path: str, nullable: bool) -> dict | None:
        if value is None and nullable:
            return None
        if not isinstance(value, dict):
            self.fail(path, f"expected an object{' or null' if nullable else ''}, got {_show(value)}")
        return value

    def array(self, value, path: str, nullable: bool) -> list | None:
        if value is None and nullable:
            return None
        if not isinstance(value, list):
            self.fail(path, f"expected a list{' or null' if nullable else ''}, got {_show(value)}")
        return value

    def exact_keys(self, obj: dict, path: str, keys: tuple) -> None:
        for key in keys:
            if key not in obj:
                self.fail(_join(path, key), "missing")
        for key in obj:
            if key not in keys:
                self.fail(_join(path, key), "unknown key")

    def integer(self, value, path: str, nullable: bool = False, low: int = INT_MIN, high: int = INT_MAX):
        if value is None and nullable:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"expected an integer{' or null' if nullable else ''}, got {_show(value)}")
        if not low <= value <= high:
            self.fail(path, f"integer out of range [{low}, {high}]: {_show(value)}")

    def string(self, value, path: str, nullable: bool = False, limit: int = MAX_STRING):
        if value is None and nullable:
            return
        if not isinstance(value, str):
            self.fail(path, f"expected a string{' or null' if nullable else ''}, got {_show(value)}")
        if len(value) > limit:
            self.fail(path, f"string longer than {limit} characters ({len(value)})")
        if text(value) is not value:
            self.fail(path, "not valid UTF-8 (a lone surrogate)")

    def time(self, value, path: str, nullable: bool):
        if value is None and nullable:
            return
        if parse_time(value) is None:
            self.fail(path, f"expected a UTC time like 2026-11-22T10:00:00.000000Z, got {_show(value)}")

    def mapping(self, value, path: str, check, nullable: bool = True):
        """An object of name -> value, each value checked by `check(value, path)`; or null."""
        if self.object(value, path, nullable) is None:
            return
        for key, item in value.items():
            sub = _join(path, key)
            if not key or len(key) > MAX_NAME:
                self.fail(sub, f"key must be 1 to {MAX_NAME} characters")
            if text(key) is not key:
                self.fail(sub, "key is not valid UTF-8 (a lone surrogate)")
            check(item, sub)

    def neighbour_table(self, value, path: str):
        self.object(value, path, nullable=False)
        self.exact_keys(value, path, NEIGHBOUR_KEYS + ("stat",))
        for key in NEIGHBOUR_KEYS:
            self.integer(value[key], f"{path}.{key}", nullable=True)
        self.mapping(value["stat"], f"{path}.stat", self.integer)

    def listener(self, value, path: str):
        self.object(value, path, nullable=False)
        self.exact_keys(value, path, LISTENER_KEYS)
        self.string(value["proto"], f"{path}.proto", limit=16)
        self.string(value["address"], f"{path}.address", limit=MAX_NAME)
        self.integer(value["port"], f"{path}.port", low=0, high=65535)
        for key in ("accept_queue", "backlog"):
            self.integer(value[key], f"{path}.{key}", nullable=True, low=0)
        self.integer(value["pid"], f"{path}.pid", nullable=True, low=0)
        self.string(value["process"], f"{path}.process", nullable=True, limit=MAX_NAME)


def _join(path: str, key: str) -> str:
    """`sockstat.TCP.tw`; keys that are not plain names (sysctls hold dots) in brackets."""
    if _PLAIN.match(key):
        return f"{path}.{key}" if path else key
    shown = orjson.dumps(text(key[:80]) + ("..." if len(key) > 80 else "")).decode()
    return f"{path}[{shown}]"


def _show(value) -> str:
    """A short description of a bad value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return f"an object of {len(value)} keys"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, str):
        return repr(value[:40] + "...") if len(value) > 40 else repr(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."
