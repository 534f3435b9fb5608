"""Kernel lines as log platforms and SIEMs export them: Elasticsearch/OpenSearch, Splunk, Kibana, Graylog,
Azure Log Analytics, CloudWatch Logs, Cloud Logging, Loki, Papertrail (docs/framings.md, "Log platforms' exports").

Each export holds kernel lines and user-space noise: each kernel line gives its event with the export's host,
time and program, user space none, and `--stats` adds up (candidates = events + not_kernel + unframed + unmatched).
"""

from __future__ import annotations

import io
import itertools

import orjson
import pytest

from tcplog.framing import csv_export, json_export
from tests.test_cli import events, tcplog

CT = "nf_conntrack: nf_conntrack: table full, dropping packet"
SYN = "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters."
TW = "TCP: time wait bucket table overflow"
SSH = "Accepted publickey for root from 10.0.0.1 port 5555 ssh2"

# Elasticsearch `_search` response (as curl prints it: one line), Filebeat's documents with ECS fields.
ES_SEARCH = (
    b'{"took":5,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"total":'
    b'{"value":3,"relation":"eq"},"max_score":1.0,"hits":[{"_index":"filebeat-8.11.0-2026.11.22","_id":"a1",'
    b'"_score":1.0,"_source":{"@timestamp":"2026-11-22T10:00:00.000Z","message":"' + CT.encode() + b'",'
    b'"host":{"name":"web1"},"log":{"syslog":{"appname":"kernel","hostname":"web1"},"file":{"path":"/var/log/syslog"}}}},'
    b'{"_index":"filebeat-8.11.0-2026.11.22","_id":"a2","_score":1.0,"_source":{"@timestamp":"2026-11-22T10:00:01.000Z",'
    b'"message":"Nov 22 10:00:01 web2 kernel: ' + SYN.encode() + b'","host":{"name":"web2"}}},'
    b'{"_index":"filebeat-8.11.0-2026.11.22","_id":"a3","_score":1.0,"_source":{"@timestamp":"2026-11-22T10:00:02.000Z",'
    b'"message":"' + SSH.encode() + b' ' + TW.encode() + b'","host":{"name":"web1"},"process":{"name":"sshd","pid":123}}}]}}\n')

# OpenSearch Dashboards' Dev Tools / `curl ...?pretty`: the same response pretty-printed.
ES_PRETTY = orjson.dumps(orjson.loads(ES_SEARCH), option=orjson.OPT_INDENT_2) + b"\n"

# elasticdump --type=data: one hit a line.
ELASTICDUMP = b"".join(orjson.dumps(hit) + b"\n" for hit in orjson.loads(ES_SEARCH)["hits"]["hits"])

# Splunk export (`output_mode=json`): a result a line, then the last row's marker.
SPLUNK_JSON = (
    b'{"preview":false,"offset":0,"result":{"_raw":"Nov 22 10:00:00 web1 kernel: ' + CT.encode() + b'",'
    b'"_time":"2026-11-22 10:00:00.000 UTC","host":"web1","source":"/var/log/messages","sourcetype":"syslog"}}\n'
    b'{"preview":false,"offset":1,"lastrow":true,"result":{"_raw":"Nov 22 10:00:02 web1 sshd[123]: ' + SSH.encode()
    + b' ' + TW.encode() + b'","_time":"2026-11-22 10:00:02.000 UTC","host":"web1","source":"/var/log/messages",'
    b'"sourcetype":"syslog"}}\n')

# aws logs filter-log-events (AWS CLI JSON output: 4 spaces an indent level).
CLOUDWATCH = orjson.dumps({"events": [
    {"logStreamName": "i-0abc123", "timestamp": 1795341600000, "message": f"Nov 22 10:00:00 web1 kernel: {CT}",
     "ingestionTime": 1795341600500, "eventId": "1"},
    {"logStreamName": "i-0abc123", "timestamp": 1795341601000, "message": f"[ 1234.567890] {TW}",
     "ingestionTime": 1795341601500, "eventId": "2"},
    {"logStreamName": "i-0abc123", "timestamp": 1795341602000,
     "message": f"Nov 22 10:00:02 web1 sshd[123]: {SSH} {TW}", "ingestionTime": 1795341602500,
     "eventId": "3"}],
    "searchedLogStreams": [{"logStreamName": "i-0abc123", "searchedCompletely": True}]},
    option=orjson.OPT_INDENT_2).replace(b"\n  ", b"\n    ") + b"\n"

# gcloud logging read --format=json: an array of entries, keys sorted, 2 spaces an indent level.
GCLOUD = orjson.dumps([
    {"insertId": "x1", "labels": {"compute.googleapis.com/resource_name": "web1"},
     "logName": "projects/p/logs/syslog", "receiveTimestamp": "2026-11-22T10:00:00.5Z",
     "resource": {"labels": {"instance_id": "1234567890", "project_id": "p", "zone": "us-central1-a"},
                  "type": "gce_instance"},
     "textPayload": f"Nov 22 10:00:00 web1 kernel: {CT}", "timestamp": "2026-11-22T10:00:00Z"},
    {"insertId": "x2", "jsonPayload": {"message": TW}, "logName": "projects/p/logs/kmsg",
     "resource": {"labels": {"instance_id": "1234567890", "project_id": "p", "zone": "us-central1-a"},
                  "type": "gce_instance"},
     "timestamp": "2026-11-22T10:00:01Z"}], option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"

KIBANA_CSV = (
    '"@timestamp","host.name","process.name",message\n'
    f'"Nov 22, 2026 @ 11:00:00.000",web1,kernel,"{CT}"\n'
    f'"Nov 22, 2026 @ 11:00:01.000",web1,sshd,"{SSH}, ""quoted""\n{TW}"\n'
    f'"Nov 22, 2026 @ 11:00:02.000",web2,,"Nov 22 11:00:02 web2 kernel: {SYN}"\n').encode()

GRAYLOG_CSV = (
    '"timestamp","source","message"\n'
    f'"2026-11-22T10:00:00.000Z","web1","{TW}"\n'
    f'"2026-11-22T10:00:01.000Z","web1","sshd[123]: {SSH} {TW}"\n').encode()

SPLUNK_CSV = (
    '"_raw","_time",host,source,sourcetype\n'
    f'"Nov 22 10:00:00 web1 kernel: {CT}","2026-11-22T10:00:00.000+0000",web1,"/var/log/messages",syslog\n'
    f'"Nov 22 10:00:01 web1 sshd[123]: {SSH} {TW}","2026-11-22T10:00:01.000+0000",web1,'
    '"/var/log/messages",syslog\n').encode()

AZURE_CSV = (
    "TenantId,SourceSystem,TimeGenerated [UTC],Computer,EventTime [UTC],Facility,HostName,SeverityLevel,"
    "SyslogMessage,ProcessID,HostIP,ProcessName,MG,Type,_ResourceId\r\n"
    f't1,Linux,"11/22/2026, 10:00:00.000 AM",web1,"11/22/2026, 10:00:00.000 AM",kern,web1,warning,"{CT}",,'
    "10.0.0.5,kernel,0,Syslog,\r\n"
    f't1,Linux,"11/22/2026, 1:00:01.000 PM",web1,"11/22/2026, 1:00:01.000 PM",auth,web1,info,"{SSH} {TW}",123,'
    "10.0.0.5,sshd,0,Syslog,\r\n").encode()

PAPERTRAIL = (
    f"50342052\t2026-11-22 10:00:00 -0800\t2026-11-22 10:00:00 -0800\t42424\tweb1\t208.122.34.202\tKernel\tWarning\t"
    f"kernel\t{CT}\n"
    f"50342053\t2026-11-22 10:00:01 -0800\t2026-11-22 10:00:01 -0800\t42424\tweb1\t208.122.34.202\tAuth\tInfo\t"
    f"sshd\t{SSH} {TW}\n").encode()

CLOUDWATCH_TAIL = (
    f"2026-11-22T10:00:00.000000+00:00 i-0abc123 Nov 22 10:00:00 web1 kernel: {CT}\n"
    f"2026-11-22T10:00:01.000000+00:00 i-0abc123 [ 1234.567890] {TW}\n"
    f"2026-11-22T10:00:02.000000+00:00 i-0abc123 Nov 22 10:00:02 web1 sshd[123]: {SSH} {TW}\n").encode()

CLOUDWATCH_S3 = (
    f"2026-11-22T10:00:00.000Z Nov 22 10:00:00 web1 kernel: {CT}\n"
    f"2026-11-22T10:00:02.000Z Nov 22 10:00:02 web1 sshd[123]: {SSH} {TW}\n").encode()

LOKI = (
    f'2026-11-22T10:00:00Z {{host="web1", job="syslog"}}  Nov 22 10:00:00 web1 kernel: {CT}\n'
    f'2026-11-22T10:00:01Z {{host="web2", job="journal"}} {TW}\n'
    f'2026-11-22T10:00:02Z {{host="web1", job="syslog"}}  Nov 22 10:00:02 web1 sshd[123]: {SSH} {TW}\n').encode()

CASES = {
    # name: (file name, bytes, [(message_id, host, time, program)], candidates, framing of the first event)
    "es-search": ("search.json", ES_SEARCH, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("syn_flood.slab", "web2", "2026-11-22T10:00:01.000000Z", "kernel")], 3, "json-export"),
    "es-search-pretty": ("search.json", ES_PRETTY, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("syn_flood.slab", "web2", "2026-11-22T10:00:01.000000Z", "kernel")], 3, "json-export"),
    "elasticdump": ("dump.ndjson", ELASTICDUMP, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("syn_flood.slab", "web2", "2026-11-22T10:00:01.000000Z", "kernel")], 3, "json"),
    "splunk-json": ("export.json", SPLUNK_JSON, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel")], 2, "json+rfc3164"),
    "cloudwatch-json": ("events.json", CLOUDWATCH, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("tw_bucket_overflow.legacy", "i-0abc123", "2026-11-22T10:00:01.000000Z", None)], 3,
        "json-export+rfc3164"),
    "gcloud": ("entries.json", GCLOUD, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("tw_bucket_overflow.legacy", "1234567890", "2026-11-22T10:00:01.000000Z", None)], 2,
        "json-export+rfc3164"),
    "kibana-csv": ("kibana.csv", KIBANA_CSV, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("syn_flood.slab", "web2", "2026-11-22T10:00:02.000000Z", "kernel")], 3, "csv-export"),
    "graylog-csv": ("graylog.csv", GRAYLOG_CSV, [
        ("tw_bucket_overflow.legacy", "web1", "2026-11-22T10:00:00.000000Z", None)], 2, "csv-export+dmesg-t"),
    "splunk-csv": ("splunk.csv", SPLUNK_CSV, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel")], 2, "csv-export+rfc3164"),
    "azure-csv": ("azure.csv", AZURE_CSV, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel")], 2, "csv-export"),
    "papertrail": ("2026-11-22.tsv", PAPERTRAIL, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T18:00:00.000000Z", "kernel")], 2, "csv-export"),
    "aws-logs-tail": ("tail.txt", CLOUDWATCH_TAIL, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("tw_bucket_overflow.legacy", "i-0abc123", "2026-11-22T10:00:01.000000Z", None)], 3, "rfc3164"),
    "cloudwatch-s3": ("000000", CLOUDWATCH_S3, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel")], 2, "rfc3164"),
    "logcli": ("loki.txt", LOKI, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("tw_bucket_overflow.legacy", "web2", "2026-11-22T10:00:01.000000Z", None)], 3, "rfc3164"),
}


def scan(tmp_path, name: str, data: bytes, *args: str) -> tuple[list[dict], dict]:
    path = tmp_path / name
    path.write_bytes(data)
    r = tcplog("scan", str(path), "--stats", "--reference-time", "2026-12-01T00:00:00Z", "--tz", "UTC", *args)
    assert r.returncode == 0, r.stderr
    return events(r.stdout), orjson.loads(r.stderr)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_export_gives_its_kernel_lines_events(tmp_path, case):
    """Each kernel line of an export gives its event with the export's host, time and program; user space none."""
    name, data, want, candidates, first_framing = CASES[case]
    got, stats = scan(tmp_path, name, data, *(["--tz", "Europe/Berlin"] if case == "kibana-csv" else []))
    assert [(e["message_id"], e["host"], e["time"], e["source"]["program"]) for e in got] == want
    assert got[0]["source"]["framing"] == first_framing
    assert stats["candidates"] == candidates
    assert stats["events"] + stats["not_kernel"] + stats["unframed"] + stats["unmatched"] == stats["candidates"]
    assert stats["not_kernel"] == candidates - len(want) and stats["unframed"] == 0
    assert stats["lines"] == data.count(b"\n")


def test_a_csv_field_holds_commas_quotes_and_newlines(tmp_path):
    """A quoted CSV message with a comma, doubled quotes and a newline is one row: one record, lines counted."""
    got, stats = scan(tmp_path, "kibana.csv", KIBANA_CSV, "--tz", "Europe/Berlin")
    assert [e["source"]["line"] for e in got] == [2, 5]  # (the sshd row spans lines 3-4)
    assert stats["lines"] == 5


def test_a_malformed_csv_row_is_unframed_and_the_next_row_read(tmp_path):
    """A row with the wrong column count is unframed, never a crash; the rows after it are read."""
    data = SPLUNK_CSV.replace(b',web1,"/var/log/messages",syslog\n', b',web1\n', 1) \
        + f'"Nov 22 10:00:05 web1 kernel: {TW}","2026-11-22T10:00:05.000+0000",web1,"/var/log/messages",syslog\n'.encode()
    got, stats = scan(tmp_path, "splunk.csv", data)
    assert [e["message_id"] for e in got] == ["tw_bucket_overflow.legacy"]
    assert stats["unframed"] == 1 and stats["candidates"] == 3


def test_an_unclosed_quote_ends_as_one_unframed_row(tmp_path):
    """A quote never closed runs to the end of the export: one unframed row, every line counted."""
    data = GRAYLOG_CSV + f'"2026-11-22T10:00:02.000Z","web1","{TW}\n'.encode() + b"more\n" * 3
    got, stats = scan(tmp_path, "graylog.csv", data)
    assert len(got) == 1 and stats["unframed"] == 1 and stats["lines"] == data.count(b"\n")


def test_csv_rows_are_read_one_at_a_time():
    """The reader yields a row before it reads the next one (a huge export streams)."""
    class Endless(io.RawIOBase):
        def __init__(self):
            # (a generator: the rows never exist at once, as a list of 10**9 would, ~8 GB)
            row = f'"2026-11-22T10:00:00.000Z","web1","{TW}"\n'.encode()
            self.lines = itertools.chain([b'"timestamp","source","message"\n'], itertools.repeat(row))

        def readline(self, size=-1):
            return next(self.lines)

    chunks = csv_export.chunks(Endless())
    assert next(chunks).kind == "note"  # the header
    row = next(chunks)
    assert row.kind == "entry" and row.fields["message"] == TW and row.line == 2


def test_a_cloudwatch_document_s_metadata_objects_are_no_record():
    """searchedLogStreams[] objects hold no message: notes, not unframed records."""
    kinds = [c.kind for c in json_export.EVENTS.chunks(io.BytesIO(CLOUDWATCH))]
    assert kinds.count("entry") == 3 and "stray" not in kinds


def test_a_record_with_its_own_message_is_not_unwrapped(tmp_path):
    """A shipper record holding both a message and a `result` object is read as it is."""
    line = orjson.dumps({"message": f"Nov 22 10:00:00 web1 kernel: {CT}", "result": {"message": "ok"}}) + b"\n"
    got, _ = scan(tmp_path, "app.ndjson", line)
    assert [e["message_id"] for e in got] == ["conntrack_full.pr_fmt"]


def test_epoch_milliseconds_are_read_as_such(tmp_path):
    """A CloudWatch event's `timestamp` (epoch ms) is its time when the message carries none."""
    line = orjson.dumps({"logStreamName": "web9", "timestamp": 1795341600123, "message": TW}) + b"\n"
    got, _ = scan(tmp_path, "event.ndjson", line)
    assert [(e["host"], e["time"]) for e in got] == [("web9", "2026-11-22T10:00:00.123000Z")]
