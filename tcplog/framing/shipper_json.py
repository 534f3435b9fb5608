"""JSON records from log shippers: Fluent Bit, Vector, Fluentd, rsyslog JSON templates, Logstash.

    {"date":1716285248.421,"log":"Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet"}   (Fluent Bit tail)
    {"message":"nf_conntrack: table full, dropping packet","host":"web1","appname":"kernel","facility":"kern"}  (Vector syslog)
    {"msg":"TCP: too many orphaned sockets","hostname":"web1","programname":"kernel","syslogfacility":"0"}      (rsyslog template)
    {"priority":4,"sequence":1234,"sec":5678,"usec":901,"msg":"nf_conntrack: table full, dropping packet"}      (Fluent Bit kmsg)
    {"message":"...","host":{"name":"web1"},"process":{"name":"kernel"},"@timestamp":"2026-11-22T10:00:00Z"}   (ECS)

The message is read from `message`, `MESSAGE`, `log` or `msg`. When the record names its
program (ident, programname, appname, SYSLOG_IDENTIFIER, syslogtag, process.name, ...) or
facility, that decides whether the kernel wrote it. When it names neither, the message is
decoded as a log line of its own (a shipper tailing a file forwards whole syslog lines), and
host/time from the JSON fill what the line lacks.
"""

from __future__ import annotations

from tcplog.framing.context import from_epoch_us, parse_iso
from tcplog.framing.journal_json import text_of
from tcplog.framing.printk import split_prefix
from tcplog.framing.syslog3164 import FACILITIES, SEVERITIES
from tcplog.record import Record

NAME = "json"

MESSAGE_KEYS = ("message", "MESSAGE", "log", "msg")
HOST_KEYS = ("host", "hostname", "HOSTNAME", "_HOSTNAME", "host.name", "source_host", "fromhost", "computer")
PROGRAM_KEYS = ("ident", "programname", "program", "appname", "app_name", "app-name", "SYSLOG_IDENTIFIER",
                "syslog_identifier", "process.name", "syslogtag", "tag_program")
PID_KEYS = ("pid", "procid", "_PID", "process.pid")
FACILITY_KEYS = ("facility", "syslogfacility", "syslogfacility-text", "SYSLOG_FACILITY", "log.syslog.facility.code",
                 "log.syslog.facility.name")
SEVERITY_KEYS = ("severity", "syslogseverity", "PRIORITY", "priority", "level", "log.syslog.severity.code")
TIME_KEYS = ("timestamp", "@timestamp", "time", "timereported", "ts", "date", "__REALTIME_TIMESTAMP")


def _get(obj: dict, dotted: str):
    if dotted in obj:
        return obj[dotted]
    if "." in dotted:
        node = obj
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node
    return None


def _first(obj: dict, keys):
    for k in keys:
        v = _get(obj, k)
        if v is not None and v != "" and v != "-":
            return v
    return None


def _host(obj: dict) -> str | None:
    v = _first(obj, HOST_KEYS)
    if isinstance(v, dict):
        v = v.get("name") or v.get("hostname")
    return v if isinstance(v, str) else None


def _program(obj: dict) -> str | None:
    v = _first(obj, PROGRAM_KEYS)
    if not isinstance(v, str):
        return None
    return v.split("[", 1)[0].rstrip(":") or None  # rsyslog syslogtag "kernel:" / "sshd[12]:"


def _code(value, names: dict) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v.isdigit():
            return int(v)
        return names.get(v)
    return None


def _time(obj: dict):
    v = _first(obj, TIME_KEYS)
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        seconds = float(v)
        return from_epoch_us(int(seconds if seconds > 1e14 else seconds * 1_000_000))
    if isinstance(v, str):
        if v.isdigit():
            n = int(v)
            return from_epoch_us(n if n > 10 ** 14 else n * 1_000_000)
        return parse_iso(v.replace(" ", "T", 1) if len(v) > 10 and v[10] == " " else v)
    return None


def message_of(obj: dict) -> str | None:
    for k in MESSAGE_KEYS:
        if k in obj:
            return text_of(obj[k])
    return None


def decode(obj: dict, raw: bytes, decode_line) -> Record | None:
    """A Record from a shipper's JSON object; `decode_line(str, bytes) -> Record|None` reads nested lines."""
    message = message_of(obj)
    if message is None:
        return None
    program = _program(obj)
    facility = _code(_first(obj, FACILITY_KEYS), FACILITIES)
    severity = _code(_first(obj, SEVERITY_KEYS), SEVERITIES)
    host = _host(obj)
    time = _time(obj)
    kmsg_input = "sequence" in obj and "sec" in obj  # Fluent Bit in_kmsg
    if program is None and facility is None and not kmsg_input:
        inner = decode_line(message, raw)
        if inner is not None:
            inner.framing = f"{NAME}+{inner.framing}"
            inner.host = inner.host or host
            inner.time = inner.time or time
            return inner
    mono, caller, text = split_prefix(message.strip())
    if kmsg_input:
        sec, usec = obj.get("sec"), obj.get("usec", 0)
        if isinstance(sec, int) and isinstance(usec, int):
            mono = sec + usec / 1_000_000
    kernel = program == "kernel" or (program is None and (facility == 0 or kmsg_input))
    pid = _first(obj, PID_KEYS)
    return Record(raw=raw, text=text, framing=NAME, kernel=kernel, time=time, host=host, program=program,
                  pid=int(pid) if isinstance(pid, (int, str)) and str(pid).isdigit() else None,
                  facility=facility, severity=severity, monotonic=mono, caller=caller,
                  seq=obj.get("sequence") if isinstance(obj.get("sequence"), int) else None)
