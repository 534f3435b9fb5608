"""JSON records from log shippers: Fluent Bit, Vector, Fluentd, rsyslog JSON templates, Logstash, GELF, Loki.

    {"date":1716285248.421,"log":"Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet"}   (Fluent Bit tail)
    {"message":"nf_conntrack: table full, dropping packet","host":"web1","appname":"kernel","facility":"kern"}  (Vector syslog)
    {"msg":"TCP: too many orphaned sockets","hostname":"web1","programname":"kernel","syslogfacility":"0"}      (rsyslog template)
    {"priority":4,"sequence":1234,"sec":5678,"usec":901,"msg":"nf_conntrack: table full, dropping packet"}      (Fluent Bit kmsg)
    {"message":"...","host":{"name":"web1"},"process":{"name":"kernel"},"@timestamp":"2026-11-22T10:00:00Z"}   (ECS)
    {"message":"...","host":"10.0.0.5","logsource":"web1","program":"kernel","timestamp":"Nov 22 10:00:00",
     "@timestamp":"2026-11-22T10:00:00.000Z","facility":0,"severity":4}                                     (Logstash syslog)
    {"version":"1.1","host":"web1","short_message":"...","timestamp":1795350000.123,"level":4,"_facility":"kern"} (GELF)
    {"labels":{"host":"web1","job":"syslog"},"line":"Nov 22 10:00:00 web1 kernel: ...","timestamp":"..."}      (logcli -o jsonl)

The message is read from `message`, `MESSAGE`, `log` or `msg`. When the record names its
program (ident, programname, appname, SYSLOG_IDENTIFIER, syslogtag, process.name, ...) or
facility, that decides whether the kernel wrote it (program `kernel` with no pid, or facility kern
with no program). When it names neither, the message is
decoded as a log line of its own (a shipper tailing a file forwards whole syslog lines), and
host/time from the JSON fill what the line lacks.

Host: Logstash's `logsource` (the syslog header's host; its `host` is the peer address) comes
before `host`. Time: the first time key whose value reads as a time; one that does not (Logstash
keeps the year-less syslog date under `timestamp`) passes the search on to the next key.

Two envelopes are first seen under those common keys (`_view`):
GELF (`short_message`): the message is `short_message` — senders put the message there and
a backtrace or the raw syslog line (Graylog's "store full message") in `full_message`, which is
read only when it is the same single line uncut (a sender shortened `short_message`); `level` is
the syslog severity; additional fields lose their `_` (`_program`, `_facility`, `_logsource`,
`_SYSLOG_IDENTIFIER`); a `facility` that names no syslog facility is the sender's tag (GELF 1.0,
graypy: the logger name) and counts as its program. Loki `logcli query -o jsonl` (keys `line`,
`timestamp`, `labels` and no other): `line` is the message, the labels are the stream's fields,
and the host is the `host`, `hostname` or `instance` label.
"""

from __future__ import annotations

from tcplog.framing.context import from_epoch_us, parse_iso
from tcplog.framing.origin import kernel_record
from tcplog.framing.printk import split_prefix
from tcplog.framing.syslog3164 import FACILITIES, SEVERITIES
from tcplog.record import Record

NAME = "json"

MESSAGE_KEYS = ("message", "MESSAGE", "log", "msg", "_raw")  # (_raw: Splunk's event text)
HOST_KEYS = ("logsource", "log.syslog.hostname", "system.syslog.hostname", "host", "hostname", "HOSTNAME",
             "_HOSTNAME", "host.name", "source_host", "fromhost", "computer", "logStreamName")
PROGRAM_KEYS = ("ident", "programname", "program", "appname", "app_name", "app-name", "SYSLOG_IDENTIFIER",
                "syslog_identifier", "process.name", "log.syslog.appname", "system.syslog.program", "syslogtag",
                "tag_program", "application_name")
PID_KEYS = ("pid", "procid", "_PID", "process.pid", "log.syslog.procid", "system.syslog.pid")
FACILITY_KEYS = ("facility", "syslogfacility", "syslogfacility-text", "SYSLOG_FACILITY", "log.syslog.facility.code",
                 "log.syslog.facility.name")
FACILITY_NAMES = {**FACILITIES, "kernel": 0}  # Graylog names facility 0 "kernel"
SEVERITY_KEYS = ("severity", "syslogseverity", "PRIORITY", "priority", "level", "log.syslog.severity.code")
TIME_KEYS = ("timestamp", "@timestamp", "time", "timereported", "ts", "date", "__REALTIME_TIMESTAMP", "_time")
GELF_KEYS = {"host": "host", "timestamp": "timestamp", "level": "severity", "facility": "facility"}
LOKI_KEYS = frozenset(("line", "timestamp", "labels"))  # all logcli jsonl writes (labels: not with --no-labels)
LOKI_HOST_LABELS = ("host", "hostname", "instance")
# An export's record under its wrapper: an Elasticsearch/OpenSearch hit (`_search`, elasticdump, _bulk-style
# NDJSON: {"_index": …, "_id": …, "_source": {…}}), a Splunk export line ({"preview": false, "result": {…}}).
WRAPPERS = ("_source", "result")
GCP_HOST_LABEL = "compute.googleapis.com/resource_name"  # the VM's name, on the entries of Compute Engine's agents


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


def host_of(obj: dict) -> str | None:
    """The host a shipper's record names (a string, or ECS `{"name": ...}`)."""
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


def _epoch_us(n: float) -> int:
    """Epoch seconds, milliseconds (CloudWatch Logs, Sumo Logic), µs or ns, told apart by their size (a time
    after 1973 and before 5138), as µs."""
    if n > 1e17:
        return int(n // 1000)
    if n > 1e14:
        return int(n)
    if n > 1e11:
        return int(n * 1000)
    return int(n * 1_000_000)


def _parse_time(v):
    """Epoch seconds, ms, µs or ns (number or digits), or ISO 8601 (Splunk's `2026-11-22 10:00:00.000 UTC`
    too); None for anything else."""
    try:
        if isinstance(v, bool):
            return None
        if isinstance(v, (int, float)):
            return from_epoch_us(_epoch_us(float(v)))
        if isinstance(v, str):
            if v.isdigit():
                return from_epoch_us(_epoch_us(int(v)))
            if v[-4:] in _UTC_NAMES:
                v = v[:-4] + "Z"
            return parse_iso(v.replace(" ", "T", 1) if len(v) > 10 and v[10] == " " else v)
    except (OverflowError, ValueError):  # 1e308 seconds, a superscript digit
        return None
    return None


_UTC_NAMES = (" UTC", " GMT")  # Splunk's exports: `_time` as `2026-11-22 10:00:00.000 UTC` (the user's zone)


def time_of(obj: dict):
    """The first of TIME_KEYS whose value reads as a time."""
    for k in TIME_KEYS:
        t = _parse_time(_get(obj, k))
        if t is not None:
            return t
    return None


def text_of(value) -> str | None:
    """A message value as text: a string, a list of byte values (journald's JSON for non-UTF-8), or bytes."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b <= 255 for b in value):
        return bytes(value).decode("utf-8", "replace")
    return None


def _gelf_message(obj: dict):
    """short_message; full_message when it is that line uncut (no backtrace, no raw syslog header)."""
    short, full = obj.get("short_message"), obj.get("full_message")
    if isinstance(short, str) and isinstance(full, str) and len(full) > len(short) and full.startswith(short) \
            and "\n" not in full:
        return full
    return short


def _gelf(obj: dict) -> dict:
    """A GELF record under the common keys: additional fields without their `_`, level as severity."""
    view = {k[1:]: v for k, v in obj.items() if k[:1] == "_"}
    view.update((common, obj[k]) for k, common in GELF_KEYS.items() if k in obj)
    view["message"] = _gelf_message(obj)
    facility = view.get("facility")
    if isinstance(facility, str) and _code(facility, FACILITY_NAMES) is None:
        view.setdefault("program", facility)  # a logger or application name, not a syslog facility
    return view


def _loki(obj: dict) -> dict:
    """A logcli jsonl record under the common keys: the labels, `line` as the message, a host label."""
    labels = obj.get("labels")
    labels = labels if isinstance(labels, dict) else {}
    view = {**labels, "message": obj["line"], "timestamp": obj.get("timestamp")}
    host = _first(labels, LOKI_HOST_LABELS)
    if host is not None:
        view["host"] = host
    return view


def _gcp(obj: dict) -> dict:
    """A Cloud Logging entry under the common keys: the payload's fields, `textPayload` or the payload's
    message as the message, the VM's name (or instance id) as the host when the payload names none."""
    payload = obj.get("jsonPayload")
    view = dict(payload) if isinstance(payload, dict) else {}
    if isinstance(obj.get("textPayload"), str):
        view["message"] = obj["textPayload"]
    labels, resource = obj.get("labels"), obj.get("resource")
    host = labels.get(GCP_HOST_LABEL) if isinstance(labels, dict) else None
    if host is None and isinstance(resource, dict) and isinstance(resource.get("labels"), dict):
        host = resource["labels"].get("instance_id")
    if host is not None and host_of(view) is None:
        view["host"] = host
    for k in ("timestamp", "severity"):
        if k in obj and k not in view:
            view[k] = obj[k]
    return view


def _view(obj: dict) -> dict:
    """Records under an export's wrapper (an Elasticsearch hit's `_source`, a Splunk export's `result`),
    GELF, Loki and Cloud Logging records seen under the common keys; any other record as it is."""
    if not any(k in obj for k in MESSAGE_KEYS):  # (a record of its own may hold a `result`)
        inner = next((obj[k] for k in WRAPPERS if isinstance(obj.get(k), dict)), None)
        obj = obj if inner is None else inner
    if "short_message" in obj:
        return _gelf(obj)
    if "line" in obj and obj.keys() <= LOKI_KEYS:
        return _loki(obj)
    if "logName" in obj and ("textPayload" in obj or "jsonPayload" in obj):
        return _gcp(obj)
    return obj


def _message(obj: dict) -> str | None:
    for k in MESSAGE_KEYS:
        if k in obj:
            return text_of(obj[k])
    return None


def message_of(obj: dict) -> str | None:
    """The message of a shipper's record (GELF `short_message`, Loki `line` included), or None."""
    return _message(_view(obj))


def decode(obj: dict, raw: bytes, decode_line) -> Record | None:
    """A Record from a shipper's JSON object; `decode_line(str, bytes) -> Record|None` reads nested lines."""
    obj = _view(obj)
    message = _message(obj)
    if message is None:
        return None
    program = _program(obj)
    facility = _code(_first(obj, FACILITY_KEYS), FACILITY_NAMES)
    severity = _code(_first(obj, SEVERITY_KEYS), SEVERITIES)
    host = host_of(obj)
    time = time_of(obj)
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
    pid = _first(obj, PID_KEYS)
    pid = int(pid) if isinstance(pid, (int, str)) and str(pid).isdigit() else None
    kernel = kernel_record(program, pid, facility) or (program is None and kmsg_input)
    return Record(raw=raw, text=text, framing=NAME, kernel=kernel, time=time, host=host, program=program,
                  pid=pid,
                  facility=facility, severity=severity, monotonic=mono, caller=caller,
                  seq=obj.get("sequence") if isinstance(obj.get("sequence"), int) else None)
