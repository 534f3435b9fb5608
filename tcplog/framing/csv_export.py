"""Search results exported as CSV (a header row, a record a row) or as Papertrail's TSV archives.

    "@timestamp","host.name","process.name","message"                    Kibana / OpenSearch Dashboards
    "Nov 22, 2026 @ 10:00:00.000","web1","kernel","nf_conntrack: nf_conntrack: table full, dropping packet"
    "timestamp","source","message"                                       Graylog
    "2026-11-22T10:00:00.000Z","web1","nf_conntrack: nf_conntrack: table full, dropping packet"
    "_raw","_time","host","source","sourcetype"                          Splunk
    "_messagetimems","_messagetime","_raw","_collector","_size","_source","_sourcecategory","_sourcehost","_sourcename"
    "1795341600000","11/22/2026 10:00:00.000 +0000","Nov 22 10:00:00 web1 kernel: …",…        Sumo Logic
    "Nov 22 10:00:00 web1 kernel: nf_conntrack: …","2026-11-22T10:00:00.000+0000","web1","/var/log/messages","syslog"
    TenantId,SourceSystem,TimeGenerated [UTC],Computer,…,Facility,…,SeverityLevel,SyslogMessage,…,ProcessName,…
    t,Linux,"11/22/2026, 10:00:00.000 AM",web1,…,kern,…,warning,"nf_conntrack: …",…,kernel,…   Azure Log Analytics
    50342052<TAB>2026-11-22 10:00:00 -0800<TAB>2026-11-22 10:00:00 -0800<TAB>42424<TAB>web1<TAB>208.122.34.202<TAB>
        Kernel<TAB>Warning<TAB>kernel<TAB>nf_conntrack: …                 Papertrail archive (no header; fixed columns)

A stream is sniffed by its first line: a CSV header naming at least two of the columns below (one of them a
message or time column), or a Papertrail archive line. Rows are read with Python's csv module (quoted fields,
commas, quotes and newlines inside them), one row at a time: memory holds one row, and a field past the csv
module's limit (128 KiB) ends its row as malformed. Columns are mapped by name, case-insensitive (the first
present of each list wins): the message, host, program, pid, facility, severity and time; the row is then
decoded as a shipper's record (tcplog.framing.shipper_json), so a message that is a whole syslog line is
read as its own record and the columns fill what it lacks. Times: ISO 8601 and epoch numbers as the JSON
readers read them, Kibana's default date format (`Nov 22, 2026 @ 10:00:00.000`, printed in the zone of the
browser that asked for the report: read in `--tz`), Azure's `11/22/2026, 10:00:00.000 AM` (its column says
[UTC]). Splunk's `source` is a file path, not a host: `source` is read as the host (Graylog) only in an export
without a `sourcetype` column. The header and blank rows are no record; a row whose column count is not the
header's, or that the csv module rejects, is unframed. The framing in the event is `csv-export`
(`csv-export+rfc3164` for a forwarded syslog line).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime, timezone

from tcplog.framing import shipper_json
from tcplog.framing.context import local_time
from tcplog.framing.journal_verbose import MAX_ENTRY, Chunk, read_line
from tcplog.record import Record

NAME = "csv-export"

# Column names (lowercase) per field, in the order they are tried.
MESSAGE = ("message", "_raw", "syslogmessage", "full_message", "msg", "log", "content", "_message")
HOST = ("log.syslog.hostname", "host.hostname", "host.name", "host", "hostname", "computer", "source_name",
        "_sourcehost", "source")
PROGRAM = ("process.name", "log.syslog.appname", "program", "processname", "appname", "ident")
PID = ("process.pid", "log.syslog.procid", "processid", "pid")
FACILITY = ("log.syslog.facility.name", "facility", "facility_name")
SEVERITY = ("log.syslog.severity.name", "severitylevel", "severity", "severity_name")
TIME = ("@timestamp", "timestamp", "_time", "timegenerated [utc]", "timegenerated", "eventtime [utc]", "generated_at",
        "_messagetimems", "_messagetime", "date", "time")  # (Sumo Logic: epoch ms, then its display format)
_KNOWN = frozenset((*MESSAGE, *HOST, *PROGRAM, *PID, *FACILITY, *SEVERITY, *TIME))
PAPERTRAIL = ("id", "generated_at", "received_at", "source_id", "source_name", "source_ip", "facility_name",
              "severity_name", "program", "message")
_PAPERTRAIL = re.compile(rb"\d{1,20}\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
                         rb"[+-]\d{4}\t\d{1,20}\t[^\t\n]*\t[^\t\n]*\t[^\t\n]*\t[^\t\n]*\t[^\t\n]*\t")
_BOM = "\ufeff"
# Kibana's default dateFormat (`MMM D, YYYY @ HH:mm:ss.SSS`), Azure portal's CSV export (`M/D/YYYY, h:mm:ss.SSS AM`).
_KIBANA = re.compile(r"([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) @ (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$")
_AZURE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}), (\d{1,2}):(\d\d):(\d\d)(?:\.(\d{1,6}))? ([AP]M)$")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), 1)}


def _header(head: bytes) -> list[str] | None:
    """The column names of a CSV header line at the start of `head`, lowercase; None when it is not one."""
    first, _, rest = head.partition(b"\n")
    text = first.decode("utf-8", "replace").lstrip(_BOM).rstrip("\r")
    try:
        cells = next(csv.reader([text]), [])
    except csv.Error:
        return None
    if not rest and len(head) >= 512:
        cells = cells[:-1]  # a header longer than the sniffed bytes: its last name may be cut
    names = [c.strip().lower() for c in cells]
    known = [n for n in names if n in _KNOWN]
    if len(names) < 2 or len(known) < 2 or not any(n in MESSAGE or n in TIME for n in known):
        return None
    return names


def sniff(head: bytes) -> bool:
    """True when a stream starts with a CSV export's header or a Papertrail archive line."""
    return _PAPERTRAIL.match(head) is not None or _header(head) is not None


def chunks(stream) -> Iterator[Chunk]:
    """The header as a note, then each row: an `entry` (its fields by column name; None when malformed), blank
    rows as notes; every line of the stream in exactly one chunk."""
    lines = _Lines(stream)
    first = lines.peek()
    papertrail = _PAPERTRAIL.match(first) is not None
    names: list[str] | None = list(PAPERTRAIL) if papertrail else None
    if papertrail:
        rows = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
        rows = csv.reader(lines, strict=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error:
            row = None
        raw, offset, number, count, size = lines.take()
        if not count:
            break
        if row is not None and not any(cell.strip() for cell in row):
            yield Chunk("note", b"", None, offset, number, count, size)
            continue
        if names is None:
            names = [c.strip().lower().lstrip(_BOM) for c in row] if row is not None else []
            yield Chunk("note", b"", None, offset, number, count, size)
            continue
        yield Chunk("entry", raw, _fields(names, row, papertrail), offset, number, count, size)


def _fields(names: list[str], row: list[str] | None, papertrail: bool) -> dict | None:
    """A row's cells by column name; None when its column count is not the header's."""
    if row is None:
        return None
    if papertrail and len(row) > len(names):  # a tab inside the message, the last column
        row = [*row[:len(names) - 1], "\t".join(row[len(names) - 1:])]
    if len(row) != len(names):
        return None
    return dict(zip(names, row))


class _Lines:
    """The stream's lines as text for the csv module, each counted; `take` returns what a row used."""

    def __init__(self, stream):
        self.stream = stream
        self.parts: list[bytes] = []
        self.kept = self.count = self.size = self.offset = 0
        self.number = 0  # lines read before the current row
        self.pending: tuple[bytes, int] | None = None

    def peek(self) -> bytes:
        if self.pending is None:
            self.pending = read_line(self.stream)
        return self.pending[0].removeprefix(b"\xef\xbb\xbf")

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line, size = self.pending if self.pending is not None else read_line(self.stream)
        self.pending = None
        if not size:
            raise StopIteration
        self.count += 1
        self.size += size
        if self.kept <= MAX_ENTRY:
            self.kept += len(line)
            self.parts.append(line)
        return line.decode("utf-8", "replace")

    def take(self) -> tuple[bytes, int, int, int, int]:
        """The row's bytes (none past MAX_ENTRY), its offset, first line number, line count and size."""
        raw = b"".join(self.parts) if self.kept <= MAX_ENTRY else b""
        taken = (raw, self.offset, self.number + 1, self.count, self.size)
        self.offset += self.size
        self.number += self.count
        self.parts, self.kept, self.count, self.size = [], 0, 0, 0
        return taken


def _cell(fields: dict, names: tuple[str, ...]) -> str | None:
    return next((fields[n] for n in names if fields.get(n, "").strip()), None)


def _time(fields: dict, ctx) -> str | None:
    """The time cell as ISO 8601 (Kibana's and Azure's formats converted: in UTC under a `[UTC]` column, else
    in `--tz`), or as it is."""
    name = next((n for n in TIME if fields.get(n, "").strip()), None)
    if name is None:
        return None
    value = fields[name].strip()
    if (m := _KIBANA.match(value)) and m[1] in _MONTHS:
        return _iso(local_time(int(m[3]), _MONTHS[m[1]], int(m[2]), int(m[4]), int(m[5]), int(m[6]),
                               int((m[7] or "0")[:6].ljust(6, "0")), ctx.tz))
    if m := _AZURE.match(value):
        hour = int(m[4]) % 12 + (12 if m[8] == "PM" else 0)
        return _iso(local_time(int(m[3]), int(m[1]), int(m[2]), hour, int(m[5]), int(m[6]),
                               int((m[7] or "0")[:6].ljust(6, "0")), timezone.utc if "[utc]" in name else ctx.tz))
    return value


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def decode(fields: dict, raw: bytes, ctx) -> Record | None:
    """A Record from a row's cells, as a shipper's record of the same fields gives; None without a message."""
    from tcplog.framing import decode_text  # (the package imports this module)

    message = _cell(fields, MESSAGE)
    if message is None:
        return None
    host = HOST if "sourcetype" not in fields else tuple(n for n in HOST if n != "source")
    obj = {"message": message.rstrip("\r\n"), "host": _cell(fields, host), "program": _cell(fields, PROGRAM),
           "pid": _cell(fields, PID), "facility": _cell(fields, FACILITY), "severity": _cell(fields, SEVERITY),
           "timestamp": _time(fields, ctx)}
    obj = {k: v for k, v in obj.items() if v is not None}
    record = shipper_json.decode(obj, raw, lambda text, r: decode_text(text, r, ctx, 1))
    if record is not None:
        record.framing = NAME + record.framing.removeprefix(shipper_json.NAME)
    return record
