"""Framing: one log record (bytes) -> Record. Auto-detected per record, or forced by name.

Registry of framings (the names `--framing` takes):

    rfc3164         BSD syslog as rsyslog/syslog-ng/busybox write it; journalctl short, short-iso
    rfc5424         IETF syslog
    dmesg           dmesg default, -T, -r/--raw, -x/--decode, --time-format iso
    dmesg-t         bare kernel text (dmesg -t, journalctl -o cat, pasted tickets)
    kmsg            /dev/kmsg records with KEY=value continuation lines
    logread         OpenWrt logread
    journal-json    journalctl -o json / json-seq
    journal-export  journalctl -o export (streams and files only: records span lines)
    journal-short   journalctl -o short-monotonic, short-unix, short-full
    json            shippers' JSON records (Fluent Bit, Vector, Fluentd, rsyslog, ECS), also inside
                    Fluentd's and Fluent Bit's file-output lines (tcplog.framing.fluent_file)

Detected by a stream's first bytes only (their records span lines; STREAMED):
    journal-verbose      journalctl -o verbose
    json-pretty          journalctl -o json-pretty; pretty-printed JSON records (jq .) of the JSON framings
    dmesg-json           dmesg --json
    json-export          one JSON document holding records: an Elasticsearch/OpenSearch `_search` response,
                         `aws logs filter-log-events`/`get-log-events`, `gcloud logging read --format=json`,
                         Splunk's REST search results, Datadog's and Sumo Logic's log search API responses
                         (tcplog.framing.json_export); CloudWatch Logs subscription payloads as Firehose writes
                         them to S3, and the Lambda events (awslogs, Kinesis) that wrap them (tcplog.framing.cloudwatch_sub)
    rsyslog-debug        rsyslog's RSYSLOG_DebugFormat (a record over ten lines)
    csv-export           search results exported as CSV with a header row (Kibana, Graylog, Splunk, Azure Log
                         Analytics, …), Papertrail's TSV archives (tcplog.framing.csv_export)
    gathered             a remote command's output under a heading per host (clush -b, dshbak, ansible,
                         parallel-ssh -i, salt): each line read in its own framing, the heading's host attributed

Terminal colour codes (`dmesg --color=always` saved or pasted) are removed from every record before its
framing is detected or forced; `raw` keeps them.

Detected only (no `--framing` value): CRI container log lines (tcplog.framing.cri), whose line is
decoded as a record of its own (framing `cri+<inner>`); and, when no framing reads the whole line, the
record after what a tool put before it (`_after_prefixes`), when that record has a header of its own: a
parallel shell's host label (`web1: `, `web[1-3]: `, tcplog.framing.host_prefix), grep's `file:NUM:`
(tcplog.framing.grep_prefix, also after a label), a CR inside a console line; a logwatch report line
(` N Time(s): `, tcplog.framing.logwatch), an RFC 6587 octet count (`87 <4>…`, a captured TCP syslog
stream: tcplog.framing.octet_count), a syslog line cut after its date (`obs kernel: `), a console
capture's time stamp or getty's login prompt (tcplog.framing.console). Indentation and quote marks before a
pasted line (tcplog.framing.pasted) are read past, and so is a crash-cut record before a NUL run: the
record after it is read.
"""

from __future__ import annotations

import re

import orjson

from tcplog.framing import (
    bare,
    cloudwatch_sub,
    console,
    cri,
    csv_export,
    dmesg,
    dmesg_json,
    export_prefix,
    fluent_file,
    gathered,
    grep_prefix,
    host_prefix,
    inline_markup,
    journal_export,
    journal_json,
    journal_short,
    journal_verbose,
    json_export,
    json_pretty,
    kmsg,
    logread,
    logwatch,
    octet_count,
    pasted,
    rsyslog_debug,
    shipper_json,
    syslog3164,
    syslog5424,
)
from tcplog.framing.context import FramingContext, parse_iso
from tcplog.record import Record

LINE_FRAMINGS = {
    m.NAME: m for m in (syslog3164, syslog5424, dmesg, bare, kmsg, logread, journal_short)
}
NAMES = ("auto", *LINE_FRAMINGS, journal_json.NAME, journal_export.NAME, shipper_json.NAME)
EXTRA_TRIGGERS = journal_json.EXTRA_TRIGGERS
# Outputs whose records span lines: sniffed by their first bytes, read record by record
# (Scanner.scan_chunked), never cut into byte ranges.
# (dmesg's and the exports' documents, CloudWatch's payloads, before the generic json-pretty)
STREAMED = (journal_verbose, dmesg_json, *json_export.DOCUMENTS, cloudwatch_sub, json_pretty, rsyslog_debug, gathered, csv_export)

__all__ = ["NAMES", "FramingContext", "decode", "decode_text", "EXTRA_TRIGGERS", "STREAMED", "is_continuation",
           "streamed"]


def streamed(head: bytes):
    """The reader (a STREAMED module) of a stream whose first bytes are its output, else None."""
    return next((m for m in STREAMED if m.sniff(head)), None)


def is_continuation(line: bytes) -> bool:
    """A line that belongs to the record before it (kmsg ` KEY=value`)."""
    return line[:1] == b" " and b"=" in line


def _text(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("utf-8", "replace")


def decode(line: bytes, ctx: FramingContext, forced: str | None = None) -> Record | None:
    """One record's bytes (a line, plus kmsg continuation lines) -> Record, or None if unframed."""
    text = _text(line)
    try:
        if forced and forced != "auto":
            return _forced(text, line, ctx, forced)
        return decode_text(text, line, ctx)
    except (ValueError, OverflowError, RecursionError):
        return None  # a hostile header (a 5000-digit pid, a date out of range): unframed, never fatal


# A CSI escape sequence (ECMA-48: ESC [, parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, a final
# byte 0x40-0x7E): the colours of `dmesg --color=always` (util-linux print_record: the time stamp green,
# the subsystem prefix up to its first `: ` brown, the rest by level) or journalctl's on a terminal (the
# message in its priority's colour, systemd's get_log_colors), saved to a file or pasted into a ticket.
_CSI = re.compile("\x1b\\[[0-?]*[ -/]*[@-~]")


def _escapes_removed(text: str) -> str:
    """The record without terminal colour codes (CSI sequences), wherever they are; `raw` keeps them.
    dmesg writes them between its header fields and after the subsystem prefix: never inside a
    prefilter trigger, which holds no `: ` (tests/test_catalog.py)."""
    return _CSI.sub("", text) if "\x1b" in text else text


def _padding_skipped(text: str) -> str:
    """The record without what may pad it. Before it: a JSON text sequence's record separator, a
    byte-order mark (a file saved by a Windows editor), NUL bytes (a crash leaves the log's last
    blocks zeroed, and syslogd appends its next line to them), carriage returns (a serial console's
    or a Windows copy's `\n\r` line ends put the CR first on the next line). After it: NUL bytes (the
    zeroed blocks after a record, a preallocated file's unwritten tail), with a CR of a CRLF line."""
    if text[:1] in _LEADS:
        text = text.lstrip("\x1e\ufeff\x00\r")
    if "\x00" in text[-2:]:
        text = text.rstrip("\x00\r")
    return text


_LEADS = frozenset("\x1e\ufeff\x00\r")


def _after_cut(text: str) -> str | None:
    """The text after the last NUL run inside a record, when text follows it; else None.
    A crash that zeroed a log's last blocks cut the record they start in (its newline is gone with
    the rest of it), and syslogd appends its next record right after the zeros: on one line, a cut
    record, a NUL run, then a whole record (`Nov 22 … kernel: TCP: time wa\0\0\0Nov 22 … kernel: …`)."""
    cut = text.rfind("\x00")
    return text[cut + 1:] or None


# Which framings may start with which first character, tried in order; bare text is the rest.
_BY_FIRST_CHAR = {
    "<": (syslog5424, syslog3164, dmesg),
    "digit": (kmsg, dmesg, syslog3164, journal_short),  # dmesg: --time-format iso (comma, no host)
    "[": (journal_short, dmesg),
    "other": (syslog3164, logread, journal_short, dmesg),  # day names are never month names
}


def decode_text(text: str, raw: bytes, ctx: FramingContext, depth: int = 0) -> Record | None:
    """Auto-detect the framing of one record from its first characters."""
    if "\x1b" in text:  # terminal colour codes (one substring search, then only where there are any)
        text = _escapes_removed(text)
    s = _padding_skipped(text)
    if "\x00" in s and (whole := _after_cut(s)) is not None:  # a crash-cut record, zeros, the next record
        record = decode_text(whole, raw, ctx, depth)
        if record is not None and _headed(record):
            return record  # (the cut record's text is never read: no event from half a message)
    if s[:1] in _PASTE_LEAD:  # a code block's indentation, a mail's `> ` quote marks
        s = pasted.unindented(s)
    first = s[:1]
    if first == "{":
        obj = _json_object(s)
        return None if obj is None else decode_object(obj, raw, ctx, depth)
    if depth == 0 and fluent_file.maybe(s) and (obj := fluent_file.unwrap(s, shipper_json.TIME_KEYS)) is not None:
        return decode_object(obj, raw, ctx, depth)
    if depth == 0 and first.isdigit() and (wrapped := cri.unwrap(s)) is not None:
        return _from_cri(*wrapped, raw, ctx)
    order = _BY_FIRST_CHAR.get(first) or _BY_FIRST_CHAR["digit" if first.isdigit() else "other"]
    for module in order:  # each decode answers None when the record is not of its shape
        record = module.decode(s, raw, ctx)
        if record is not None:
            if depth == 0 and first.isdigit() and record.framing == syslog3164.NAME and (record.program is None or (
                    record.program in export_prefix.KERNEL_PREFIXES and record.pid is None)) \
                    and (exported := _after_export_stamp(s, raw, ctx, record.program is not None)) is not None:
                return exported  # (a syslog date was read, then the stamp's tail as host: no tag, or a subsystem's)
            return record
    if depth == 0 and (record := _after_prefixes(s, raw, ctx)) is not None:
        return record
    return bare.decode(s, raw, ctx)


_PASTE_LEAD = frozenset(" \t>")


def _after_prefixes(s: str, raw: bytes, ctx: FramingContext) -> Record | None:
    """The record after what a tool put before a line, when it has a header of its own: a parallel shell's
    host label (`web1: `, pdsh/clush/salt, tcplog.framing.host_prefix) and/or grep's `file:line:`, or the
    last CR inside the line (a console's status line redrawn: systemd's `A start job is running …\r`, then
    the kernel's line); a logwatch report's ` N Time(s): ` (its message, headed or not); a syslog line's own
    host left by a cut date (`obs kernel: …`); a console capture's time stamp or getty's login prompt
    (tcplog.framing.console). None when the line has none of them (bare text keeps its first word)."""
    if s[:1].isdigit() and (counted := octet_count.split(s)) and (record := _headed_at(s, counted, raw, ctx)):
        return record  # a TCP syslog stream's frame: its length in octets, then the record (RFC 6587)
    label, start = host_prefix.split(s)
    record = _headed_at(s, start, raw, ctx) if label is not None else None
    if record is None and (after := grep_prefix.split(s[start:])) > 0:  # (a record's own `10:00:` is no file)
        record = _headed_at(s, start + after, raw, ctx)
    if record is not None:
        return record if label is None else host_prefix.attribute(record, label)
    if (cr := s.rstrip("\r\n").rfind("\r")) >= 0 and (record := _headed_at(s, cr + 1, raw, ctx)) is not None:
        return record  # a console line a CR sent back over: what the terminal showed last
    if inline_markup.maybe(s) and (text := inline_markup.inner(s)) is not None \
            and (record := _headed_at(text, 0, raw, ctx)) is not None:
        return record  # a record in Markdown inline code or emphasis, in running text
    if (counted := logwatch.split(s)) is not None:
        count, start = counted
        record = decode_text(s[start:], raw, ctx, 1)
        if record is not None:
            record.extra = {**record.extra, "logwatch_count": count}
        return record
    host, start = host_prefix.syslog_host(s)
    if host is not None and (record := _headed_at(s, start, raw, ctx)) is not None:
        record.host = host  # (the `kernel:` tag after it: bare text, which names no host)
        return record
    if not console.maybe(s):
        return None
    captured = console.split(s, ctx)  # (`[10:00:00.123] `, `00:00:12 ` look like grep's `file:` too)
    if captured is None:
        return None
    time, host, start = captured
    record = decode_text(s[start:], raw, ctx, 1)
    if record is not None:
        record.time = record.time or time  # when the capture read the line: for a record with no time of its own
        if host is not None:
            host_prefix.attribute(record, host)
    return record


def _after_export_stamp(s: str, raw: bytes, ctx: FramingContext, kernel_text: bool = False) -> Record | None:
    """The line after a log platform's export stamp (tcplog.framing.export_prefix: CloudWatch's `aws logs tail`
    and S3 export, Loki's `logcli query`), with a stream name or label set between them, when that line has a
    tag or a framing of its own (after a Loki label set, bare kernel text too; after a stream name, when
    `kernel_text`: what syslog's reading took for a tag is a kernel subsystem's prefix); else None."""
    at = export_prefix.stamp(s)
    if not at:
        return None
    time = parse_iso(s[:at].rstrip())
    host, start = export_prefix.labels(s, at)
    if start >= 0:
        record = decode_text(s[start:], raw, ctx, 1)
        if record is not None:
            record.host = record.host or host
    else:
        record = _tagged_at(s, at, raw, ctx)
        if record is None and (start := export_prefix.stream(s, at)) >= 0 and (record := (
                decode_text(s[start:], raw, ctx, 1) if kernel_text else _tagged_at(s, start, raw, ctx))) is not None:
            host_prefix.attribute(record, s[at:start].strip())
    if record is not None:
        record.time = record.time or time
    return record


def _tagged_at(s: str, start: int, raw: bytes, ctx: FramingContext) -> Record | None:
    """The record at s[start:] when it has a tag (a syslog line's) or a framing other than syslog's and bare text."""
    record = decode_text(s[start:], raw, ctx, 1)
    if record is None or (record.program is None and record.framing in (syslog3164.NAME, bare.NAME)):
        return None
    return record


def _headed_at(s: str, start: int, raw: bytes, ctx: FramingContext) -> Record | None:
    """The record that starts at s[start:] when it has a header of its own, else None."""
    record = decode_text(s[start:], raw, ctx, 1)
    return record if record is not None and _headed(record) else None


def _headed(record: Record) -> bool:
    """True when a record was read with a header of its own: not bare text, or bare text after a `kernel:` tag."""
    return record.framing != bare.NAME or record.program is not None


def _from_cri(time: str, line: str | None, raw: bytes, ctx: FramingContext) -> Record | None:
    """The container's line of a CRI log line as a record; the runtime's time when it carries none."""
    inner = None if line is None else decode_text(line, raw, ctx, 1)
    if inner is not None:
        inner.framing = f"{cri.NAME}+{inner.framing}"
        inner.time = inner.time or parse_iso(time)
    return inner


def _json_object(s: str) -> dict | None:
    try:
        obj = orjson.loads(s.lstrip("\x1e"))
    except orjson.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) else None


def decode_object(obj: dict, raw: bytes, ctx: FramingContext, depth: int = 0) -> Record | None:
    """A JSON record: a journald entry, or a shipper's record (whose message may be framed again)."""
    if journal_json.is_journal(obj):
        return journal_json.decode_fields(obj, raw)
    if depth > 0:
        return None
    return shipper_json.decode(obj, raw, lambda text, r: decode_text(text, r, ctx, depth + 1))


def _forced(text: str, raw: bytes, ctx: FramingContext, name: str) -> Record | None:
    text = _padding_skipped(_escapes_removed(text))
    if name in LINE_FRAMINGS:
        module = LINE_FRAMINGS[name]
        if module is not bare and "\x00" in text and (whole := _after_cut(text)) and module.detect(whole.lstrip()):
            text = whole  # a crash-cut record, zeros, then a whole record of the framing
        return module.decode(text, raw, ctx) if module is bare or module.detect(text.lstrip()) else None
    obj = _json_object(text) if name in (journal_json.NAME, shipper_json.NAME) else None
    if obj is None and name == shipper_json.NAME:
        obj = fluent_file.unwrap(text, shipper_json.TIME_KEYS)
    if obj is None:
        return None
    if name == journal_json.NAME:
        return journal_json.decode_fields(obj, raw)
    return shipper_json.decode(obj, raw, lambda t, r: decode_text(t, r, ctx, 1))
