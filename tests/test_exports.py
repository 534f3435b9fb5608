"""Kernel lines as log platforms and SIEMs export them: Elasticsearch/OpenSearch, Splunk, Kibana, Graylog,
Azure Log Analytics, CloudWatch Logs (and its subscription payloads), Cloud Logging, Loki, Papertrail, Datadog,
Sumo Logic (docs/framings.md, "Log platforms' exports").

Each export holds kernel lines and user-space noise: each kernel line gives its event with the export's host,
time and program, user space none, and `--stats` adds up (candidates = events + not_kernel + unframed + unmatched).
"""

from __future__ import annotations

import base64
import gzip
import io
import itertools

import orjson
import pytest

from tcplog import framing
from tcplog.framing import cloudwatch_sub, csv_export, json_export
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

# Splunk REST `/services/search/jobs/<sid>/results?output_mode=json` (and `exec_mode=oneshot`): Splunk's own
# diagnostics in messages[] (one quoting the search), the fields, then the results; as curl prints it, one line.
SPLUNK_RESULTS = orjson.dumps({
    "preview": False, "init_offset": 0,
    "messages": [{"type": "DEBUG", "text": "base lispy: [ AND index::os ]"},
                 {"type": "DEBUG", "text": f'search context: user="admin", search="search \\"{CT}\\""'}],
    "fields": [{"name": "_raw"}, {"name": "_time"}, {"name": "host"}, {"name": "source"}, {"name": "sourcetype"}],
    "results": [
        {"_raw": f"Nov 22 10:00:00 web1 kernel: {CT}", "_time": "2026-11-22T10:00:00.000+00:00", "host": "web1",
         "source": "/var/log/messages", "sourcetype": "syslog"},
        {"_raw": f"Nov 22 10:00:01 web2 kernel: {SYN}", "_time": "2026-11-22T10:00:01.000+00:00", "host": "web2",
         "source": "/var/log/messages", "sourcetype": "syslog"},
        {"_raw": f"Nov 22 10:00:02 web1 sshd[123]: {SSH} {TW}", "_time": "2026-11-22T10:00:02.000+00:00",
         "host": "web1", "source": "/var/log/secure", "sourcetype": "linux_secure"}],
    "highlighted": {}}) + b"\n"

# The fields as plain names (Splunk's older releases), pretty-printed (jq .).
SPLUNK_RESULTS_PRETTY = orjson.dumps(
    {**orjson.loads(SPLUNK_RESULTS), "fields": ["_raw", "_time", "host", "source", "sourcetype"]},
    option=orjson.OPT_INDENT_2) + b"\n"

# A CloudWatch Logs subscription payload as AWS's docs print it (`owner` first), and as the Lambda console's test
# event holds it (`messageType` first, compact).
CW_PAYLOAD = {
    "owner": "123456789012", "logGroup": "/var/log/messages", "logStream": "i-0abc123",
    "subscriptionFilters": ["to-firehose"], "messageType": "DATA_MESSAGE",
    "logEvents": [
        {"id": "31953106606966983378809025079804211143289615424298221568", "timestamp": 1795341600000,
         "message": f"Nov 22 10:00:00 web1 kernel: {CT}"},
        {"id": "31953106606966983378809025079804211143289615424298221569", "timestamp": 1795341601000,
         "message": f"[ 1234.567890] {TW}"},
        {"id": "31953106606966983378809025079804211143289615424298221570", "timestamp": 1795341602000,
         "message": f"Nov 22 10:00:02 web1 sshd[123]: {SSH} {TW}"}]}
CW_PAYLOAD_2 = {
    "messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "/var/log/messages", "logStream": "i-0def456",
    "subscriptionFilters": ["to-firehose"],
    "logEvents": [{"id": "31953106606966983378809025079804211143289615424298221571", "timestamp": 1795341603000,
                   "message": f"Nov 22 10:00:03 web3 kernel: {SYN}"}]}
# CloudWatch's check that Firehose is reachable (in the first object Firehose writes).
CW_CONTROL = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
              "subscriptionFilters": [], "logEvents": [
                  {"id": "", "timestamp": 1795341599000,
                   "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}
# Firehose to S3, decompression on: the payloads one after another, no separator (its default); with the newline
# delimiter, one a line; off: each payload gzip'd, the members one after another in a .gz object.
FIREHOSE = b"".join(orjson.dumps(p) for p in (CW_CONTROL, CW_PAYLOAD, CW_PAYLOAD_2)) + b"\n"
FIREHOSE_LINES = b"".join(orjson.dumps(p) + b"\n" for p in (CW_CONTROL, CW_PAYLOAD, CW_PAYLOAD_2))
FIREHOSE_GZ = b"".join(gzip.compress(orjson.dumps(p)) for p in (CW_CONTROL, CW_PAYLOAD, CW_PAYLOAD_2))
CW_PAYLOAD_PRETTY = orjson.dumps(CW_PAYLOAD, option=orjson.OPT_INDENT_2) + b"\n"


def _packed(payload: dict) -> str:
    return base64.b64encode(gzip.compress(orjson.dumps(payload))).decode()


# A Lambda function's event from a log group subscription, as saved (pretty) from its test event or logs.
AWSLOGS_EVENT = orjson.dumps({"awslogs": {"data": _packed(CW_PAYLOAD)}}, option=orjson.OPT_INDENT_2) + b"\n"
# A Lambda function's event from a Kinesis stream the subscription writes to (the Lambda console's template keys).
KINESIS_EVENT = orjson.dumps({"Records": [
    {"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "a1b2", "sequenceNumber": "4954511524349098501828006",
                 "data": _packed(p), "approximateArrivalTimestamp": 1795341604.5},
     "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": "shardId-000000000000:4954511524349098501828006",
     "eventName": "aws:kinesis:record", "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-kinesis-role",
     "awsRegion": "us-east-1", "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/cwlogs"}
    for p in (CW_PAYLOAD, CW_PAYLOAD_2)]}, option=orjson.OPT_INDENT_2) + b"\n"
# A Firehose stream's data-transformation Lambda event (the keys of AWS's sample event).
FIREHOSE_EVENT = orjson.dumps({
    "invocationId": "invocationIdExample",
    "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/cwl", "region": "us-east-1",
    "records": [{"recordId": f"4954698668313554428650745793632167567570019247115678515{i}",
                 "approximateArrivalTimestamp": 1795341604500, "data": _packed(p)}
                for i, p in enumerate((CW_CONTROL, CW_PAYLOAD, CW_PAYLOAD_2))]},
    option=orjson.OPT_INDENT_2) + b"\n"

# Datadog `POST /api/v2/logs/events/search` (as the API answers, compact): an agent tailing /var/log/syslog, and its
# journald integration (the entry's fields under `journald`, the service its SYSLOG_IDENTIFIER).
DATADOG = orjson.dumps({"data": [
    {"id": "AQAAAYxyz1", "type": "log", "attributes": {
        "attributes": {"service": "syslog"}, "host": "web1", "message": f"Nov 22 10:00:00 web1 kernel: {CT}",
        "service": "syslog", "status": "info", "tags": ["source:syslog", "env:prod"],
        "timestamp": "2026-11-22T10:00:00.000Z"}},
    {"id": "AQAAAYxyz2", "type": "log", "attributes": {
        "attributes": {"journald": {"_TRANSPORT": "kernel", "SYSLOG_IDENTIFIER": "kernel", "SYSLOG_FACILITY": "0",
                                    "PRIORITY": "4", "_HOSTNAME": "web2", "_BOOT_ID": "0f3c1e2d"}},
        "host": "web2", "message": TW, "service": "kernel", "status": "warn", "tags": ["source:kernel"],
        "timestamp": "2026-11-22T10:00:01.000Z"}},
    {"id": "AQAAAYxyz3", "type": "log", "attributes": {
        "attributes": {"journald": {"_TRANSPORT": "syslog", "SYSLOG_IDENTIFIER": "sshd", "_PID": "123",
                                    "SYSLOG_FACILITY": "10", "PRIORITY": "6", "_HOSTNAME": "web1"}},
        "host": "web1", "message": f"{SSH} {TW}", "service": "sshd", "status": "info", "tags": ["source:sshd"],
        "timestamp": "2026-11-22T10:00:02.000Z"}}],
    "links": {"next": "https://api.datadoghq.com/api/v2/logs/events?page[cursor]=eyJhZnRlciI6IkFR"},
    "meta": {"elapsed": 132, "page": {"after": "eyJhZnRlciI6IkFR"}, "request_id": "MWlFUjVaWGZTTTZPYzM0",
             "status": "done"}}) + b"\n"
# Datadog's "Access your log data programmatically" guide prints it with `meta` first, 4 spaces an indent level.
_dd = orjson.loads(DATADOG)
DATADOG_PRETTY = orjson.dumps({"meta": _dd["meta"], "data": [{"attributes": d["attributes"], "type": d["type"],
                                                             "id": d["id"]} for d in _dd["data"]]},
                              option=orjson.OPT_INDENT_2).replace(b"\n  ", b"\n    ") + b"\n"

# Sumo Logic Search Job API `GET /api/v1/search/jobs/<id>/messages` (the keys as its docs print them).
SUMO = orjson.dumps({"fields": [
    {"name": n, "fieldType": t, "keyField": False} for n, t in (
        ("_messageid", "long"), ("_sourcename", "string"), ("_sourcehost", "string"), ("_sourcecategory", "string"),
        ("_messagetime", "long"), ("_receipttime", "long"), ("_raw", "string"))],
    "messages": [{"map": {"_receipttime": str(t + 500), "_messageid": f"-92233720368547737{i}",
                          "_messagetime": str(t), "_sourcename": "/var/log/messages", "_sourcehost": host,
                          "_raw": raw, "_sourcecategory": "linux/syslog"}}
                 for i, (t, host, raw) in enumerate((
                     (1795341600000, "web1", f"Nov 22 10:00:00 web1 kernel: {CT}"),
                     (1795341601000, "web2", f"[ 1234.567890] {TW}"),
                     (1795341602000, "web1", f"Nov 22 10:00:02 web1 sshd[123]: {SSH} {TW}")))]},
    option=orjson.OPT_INDENT_2) + b"\n"

# Sumo Logic's "Export results" CSV (its first columns: epoch ms, the display time, the message, metadata).
SUMO_CSV = (
    '"_messagetimems","_messagetime","_raw","_collector","_size","_source","_sourcecategory","_sourcehost",'
    '"_sourcename"\n'
    f'"1795341600000","11/22/2026 10:00:00.000 +0000","Nov 22 10:00:00 web1 kernel: {CT}","col1","120","syslog",'
    '"linux/syslog","web1","/var/log/messages"\n'
    f'"1795341601000","11/22/2026 10:00:01.000 +0000","{TW}","col1","40","kmsg","linux/kmsg","web2","/dev/kmsg"\n'
    f'"1795341602000","11/22/2026 10:00:02.000 +0000","Nov 22 10:00:02 web1 sshd[123]: {SSH} {TW}","col1","99",'
    '"syslog","linux/syslog","web1","/var/log/secure"\n').encode()

# The kernel lines of the CloudWatch payloads: the stream name is the host where the message names none.
_CW_WANT = [("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
            ("tw_bucket_overflow.legacy", "i-0abc123", "2026-11-22T10:00:01.000000Z", None),
            ("syn_flood.slab", "web3", "2026-11-22T10:00:03.000000Z", "kernel")]

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
    "splunk-results": ("results.json", SPLUNK_RESULTS, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("syn_flood.slab", "web2", "2026-11-22T10:00:01.000000Z", "kernel")], 3, "json-export+rfc3164"),
    "splunk-results-pretty": ("results.json", SPLUNK_RESULTS_PRETTY, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("syn_flood.slab", "web2", "2026-11-22T10:00:01.000000Z", "kernel")], 3, "json-export+rfc3164"),
    "firehose-s3": ("cwl-1-2026-11-22-10-00-00-abc", FIREHOSE, _CW_WANT, 4, "json-export+rfc3164"),
    "firehose-s3-lines": ("cwl-1-2026-11-22-10-00-00-abc", FIREHOSE_LINES, _CW_WANT, 4, "json-export+rfc3164"),
    "firehose-s3-gz": ("cwl-1-2026-11-22-10-00-00-abc.gz", FIREHOSE_GZ, _CW_WANT, 4, "json-export+rfc3164"),
    "cloudwatch-payload-pretty": ("payload.json", CW_PAYLOAD_PRETTY, _CW_WANT[:2], 3, "json-export+rfc3164"),
    "lambda-awslogs": ("event.json", AWSLOGS_EVENT, _CW_WANT[:2], 3, "json-export+rfc3164"),
    "lambda-kinesis": ("event.json", KINESIS_EVENT, _CW_WANT, 4, "json-export+rfc3164"),
    "lambda-firehose": ("event.json", FIREHOSE_EVENT, _CW_WANT, 4, "json-export+rfc3164"),
    "datadog": ("logs.json", DATADOG, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("tw_bucket_overflow.legacy", "web2", "2026-11-22T10:00:01.000000Z", "kernel")], 3, "json-export+rfc3164"),
    "datadog-pretty": ("logs.json", DATADOG_PRETTY, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("tw_bucket_overflow.legacy", "web2", "2026-11-22T10:00:01.000000Z", "kernel")], 3, "json-export+rfc3164"),
    "sumo": ("messages.json", SUMO, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("tw_bucket_overflow.legacy", "web2", "2026-11-22T10:00:01.000000Z", None)], 3, "json-export+rfc3164"),
    "sumo-csv": ("search-results-2026-11-22T10_05_00.000+0000.csv", SUMO_CSV, [
        ("conntrack_full.pr_fmt", "web1", "2026-11-22T10:00:00.000000Z", "kernel"),
        ("tw_bucket_overflow.legacy", "web2", "2026-11-22T10:00:01.000000Z", None)], 3, "csv-export+rfc3164"),
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
    plain = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    assert stats["lines"] == plain.count(b"\n") + (not plain.endswith(b"\n"))  # (Firehose ends with no newline)


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


# --- Splunk REST results, CloudWatch subscription payloads, Datadog, Sumo Logic -----------------------------------

SNIFFED = {  # the reader of each export's first bytes (None: read line by line)
    "es-search": json_export.SEARCH, "es-search-pretty": json_export.SEARCH, "cloudwatch-json": json_export.EVENTS,
    "gcloud": json_export.ARRAY, "splunk-results": json_export.SPLUNK, "splunk-results-pretty": json_export.SPLUNK,
    "datadog": json_export.DATADOG, "datadog-pretty": json_export.DATADOG, "sumo": json_export.SUMO,
    "firehose-s3": cloudwatch_sub, "firehose-s3-lines": cloudwatch_sub, "cloudwatch-payload-pretty": cloudwatch_sub,
    "lambda-awslogs": cloudwatch_sub, "lambda-kinesis": cloudwatch_sub, "lambda-firehose": cloudwatch_sub,
    "elasticdump": None, "splunk-json": None,
    "aws-logs-tail": None, "cloudwatch-s3": None, "logcli": None, "kibana-csv": csv_export, "sumo-csv": csv_export,
}


@pytest.mark.parametrize("case", sorted(SNIFFED))
def test_each_export_is_sniffed_by_its_reader(case):
    """An export's first 512 bytes choose its reader, and no other's: the new documents leave the others' as
    they were."""
    assert framing.streamed(CASES[case][1][:512]) is SNIFFED[case]


def test_splunk_s_own_messages_are_no_record():
    """Splunk's messages[] (its diagnostics: a `text` may quote the search) and fields[] are notes, never records."""
    kinds = [(c.kind, c.fields) for c in json_export.SPLUNK.chunks(io.BytesIO(SPLUNK_RESULTS))]
    assert [f["_raw"][:15] for k, f in kinds if k == "entry"] == ["Nov 22 10:00:00", "Nov 22 10:00:01",
                                                                   "Nov 22 10:00:02"]
    notes = [f for k, f in kinds if k == "note" and f is not None]
    assert [f["type"] for f in notes if "text" in f] == ["DEBUG", "DEBUG"] and sum("name" in f for f in notes) == 5


def test_splunk_results_with_only_messages_give_nothing(tmp_path):
    """A job whose results are empty (its messages quote the search for the trigger): no event, no candidate."""
    doc = orjson.dumps({**orjson.loads(SPLUNK_RESULTS), "results": []}) + b"\n"
    got, stats = scan(tmp_path, "results.json", doc)
    assert got == [] and stats["candidates"] == 0 and stats["lines"] == 1


def test_sumo_aggregate_records_are_no_record(tmp_path):
    """Sumo Logic's `records` page (an aggregation: no `_raw`) holds no log line: no candidate."""
    doc = orjson.dumps({"fields": [{"name": "_sourcecategory", "fieldType": "string", "keyField": True},
                                   {"name": "_count", "fieldType": "int", "keyField": False}],
                        "records": [{"map": {"_count": "90", "_sourcecategory": "linux/syslog"}}]}) + b"\n"
    got, stats = scan(tmp_path, "records.json", doc)
    assert got == [] and stats["candidates"] == 0


def test_control_messages_are_no_record():
    """A CONTROL_MESSAGE payload gives a note; a data payload one entry an event, the last counting its lines; an
    entry's raw bytes are its event's."""
    chunks = list(cloudwatch_sub.chunks(io.BytesIO(FIREHOSE_LINES)))
    assert [(c.kind, c.lines) for c in chunks] == [("note", 1), ("entry", 0), ("entry", 0), ("entry", 1), ("entry", 1)]
    assert orjson.loads(chunks[1].raw) == CW_PAYLOAD["logEvents"][0]


@pytest.mark.parametrize("bad", [
    b'{"awslogs": {"data": "not base64!"}}\n',
    b'{"awslogs": {"data": "' + base64.b64encode(b"\x1f\x8b\x08\x00garbage") + b'"}}\n',  # a gzip header, no gzip
    b'{"awslogs": {"data": "' + base64.b64encode(gzip.compress(b'{"messageType":"DATA_MESSAGE",'))
    + b'"}}\n',  # the payload cut
    b'{"awslogs": {"data": "' + base64.b64encode(gzip.compress(orjson.dumps(CW_PAYLOAD))[:-20]) + b'"}}\n',  # gzip cut
    b'{"awslogs": {"data": 42}}\n',
    b'{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","logEvents":"none"}\n',
])
def test_an_unreadable_payload_is_one_unframed_record(tmp_path, bad):
    """Data that is not base64 of a gzip'd payload, or no payload, is one unframed record, never a crash; the payload
    before it is read."""
    data = orjson.dumps(CW_PAYLOAD_2) + b"\n" + bad
    got, stats = scan(tmp_path, "event.json", data)
    assert [e["message_id"] for e in got] == ["syn_flood.slab"]
    assert stats["unframed"] == 1 and stats["candidates"] == 2 and stats["lines"] == 2


def test_a_kinesis_record_that_is_no_payload_is_unframed(tmp_path):
    """A Kinesis record another producer wrote (plain text) is unframed; the records with payloads are read."""
    event = orjson.loads(KINESIS_EVENT)
    event["Records"].insert(0, {"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "1", "sequenceNumber": "1",
                                            "data": base64.b64encode(b"Hello, this is a test.").decode()},
                                "eventSource": "aws:kinesis"})
    got, stats = scan(tmp_path, "event.json", orjson.dumps(event) + b"\n")
    assert [(e["message_id"], e["host"]) for e in got] == [(m, h) for m, h, _, _ in _CW_WANT]
    assert stats["unframed"] == 1 and stats["candidates"] == 5


def test_a_payload_past_the_entry_limit_is_unframed(monkeypatch):
    """A `data` that decompresses past MAX_ENTRY is not read (a gzip bomb in a test event)."""
    monkeypatch.setattr(cloudwatch_sub, "MAX_ENTRY", 100)
    chunks = list(cloudwatch_sub.chunks(io.BytesIO(AWSLOGS_EVENT)))
    assert [(c.kind, c.fields) for c in chunks] == [("entry", None)]


def test_a_document_cut_inside_an_element_ends_unframed(tmp_path):
    """Splunk, Datadog and Sumo Logic documents cut inside an element: the elements before it are read, the cut one
    is unframed."""
    for name, doc, at in (("results.json", SPLUNK_RESULTS, b"Nov 22 10:00:02"), ("logs.json", DATADOG, b"AQAAAYxyz3"),
                          ("messages.json", SUMO, b"Nov 22 10:00:02")):
        got, stats = scan(tmp_path, name, doc[:doc.index(at)])
        assert len(got) == 2 and stats["unframed"] == 1, name


def test_a_malformed_element_is_unframed_and_the_next_read(tmp_path):
    """A Datadog element that is not JSON is unframed; the elements after it are read."""
    doc = DATADOG.replace(b'"host":"web1"', b'"host":web1', 1)
    got, stats = scan(tmp_path, "logs.json", doc)
    assert [e["message_id"] for e in got] == ["tw_bucket_overflow.legacy"] and stats["unframed"] == 1


def test_firehose_s3_objects_are_read_from_stdin(tmp_path):
    """A gzip'd Firehose object piped in (`aws s3 cp s3://…/cwl-….gz - | tcplog scan -`) reads as the file does."""
    r = tcplog("scan", "-", "--stats", "--reference-time", "2026-12-01T00:00:00Z", "--tz", "UTC", stdin=FIREHOSE_GZ)
    assert r.returncode == 0, r.stderr
    assert [(e["message_id"], e["host"], e["time"], e["source"]["program"]) for e in events(r.stdout)] == _CW_WANT
    assert orjson.loads(r.stderr)["candidates"] == 4
