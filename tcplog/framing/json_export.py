"""Search results and log exports saved as one JSON document: the records are the elements of an array in it.

    Elasticsearch / OpenSearch `_search` response (curl, Dev Tools' "copy as", scroll pages saved one after another):
        {"took":5,"timed_out":false,"_shards":{…},"hits":{"total":{…},"max_score":1.0,"hits":[
          {"_index":"filebeat-8.11.0-2026.11.22","_id":"…","_score":1.0,"_source":{"@timestamp":"…","message":"…"}},
          …]}}
    `aws logs filter-log-events` / `get-log-events` (AWS CLI JSON output, 4 spaces an indent level):
        {
            "events": [
                {
                    "logStreamName": "i-0abc123",
                    "timestamp": 1795350000000,
                    "message": "Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet",
                    "ingestionTime": 1795350000500,
                    "eventId": "…"
                },
                …
            ],
            "searchedLogStreams": [ … ]
        }
    `gcloud logging read --format=json` (and any JSON array of records, `jq -s .`):
        [
          {
            "insertId": "…",
            "labels": {"compute.googleapis.com/resource_name": "web1"},
            "logName": "projects/p/logs/syslog",
            "resource": {"labels": {"instance_id": "…", …}, "type": "gce_instance"},
            "textPayload": "Nov 22 10:00:00 web1 kernel: …",
            "timestamp": "2026-11-22T10:00:00Z"
          },
          …
        ]
    Splunk REST search results (`/services/search/jobs/<sid>/results?output_mode=json`, `exec_mode=oneshot`):
        {"preview":false,"init_offset":0,"messages":[{"type":"DEBUG","text":"base lispy: [ AND index::os ]"}],
         "fields":[{"name":"_raw"},{"name":"_time"},{"name":"host"}, …],
         "results":[{"_raw":"Nov 22 10:00:00 web1 kernel: …","_time":"2026-11-22T10:00:00.000+00:00","host":"web1"}, …],
         "highlighted":{}}
    Datadog Logs search API (`POST /api/v2/logs/events/search`, `GET /api/v2/logs/events`; keys in any order,
    `meta` first in Datadog's guide):
        {"data":[{"id":"AQAAAY…","type":"log","attributes":{"host":"web1","message":"…","service":"kernel",
          "status":"warn","tags":[…],"timestamp":"2026-11-22T10:00:00.000Z","attributes":{…}}}, …],
         "links":{"next":"…"},"meta":{"page":{"after":"…"},"status":"done"}}
    Sumo Logic Search Job API messages (`GET /api/v1/search/jobs/<id>/messages`):
        {"fields":[{"name":"_messageid","fieldType":"long","keyField":false}, …],
         "messages":[{"map":{"_messagetime":"1795341600000","_raw":"…","_sourcehost":"web1", …}}, …]}

Each is sniffed by its first bytes: a document whose first key is Elasticsearch's (`took`, `_scroll_id`,
`pit_id`, `timed_out`, `hits`) holds its records as the objects three levels in (`hits.hits[]`); one whose first
key is `events` holding an array, two levels in (`events[]`); an array whose first element is an object, one
level in; Splunk's results (first keys `preview`, `init_offset`), Datadog's (`data` holding objects whose
first keys are `id`, `type` or `attributes`, after an optional `meta` object) and Sumo Logic's (`fields` whose
first object names a `fieldType`), two levels in. The document is read element by element
(tcplog.framing.json_objects, so one as large as the export never sits in memory, pretty-printed or on one line)
and each element decoded as a shipper's record (tcplog.framing.shipper_json: an Elasticsearch hit's `_source`,
a CloudWatch event, a Cloud Logging entry).
Splunk's `results[]` are records as they are (`_raw`, `_time`, `host`); a Datadog element is read from
its `attributes` (`message`, `host`, `timestamp`; the journal's fields the Datadog Agent's journald integration
keeps under `journald`: the program, pid, facility, priority; else a `service` of `kernel`); a Sumo
Logic element from its `map` (`_raw` the message, `_sourcehost` the host, `_messagetime` the time, epoch ms).
The document's own objects at that level that hold no message (CloudWatch's `searchedLogStreams[]`,
Splunk's `messages[]` — its own diagnostics, whose `text` is never a record — and `fields[]`, Sumo Logic's
`fields[]`, Datadog's `meta.page`) are no record; an element that is not JSON, or one the document ends inside,
is unframed. The framing in the event is `json-export` (`json-export+rfc3164` when the message is a forwarded
syslog line).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tcplog.framing import json_objects, shipper_json
from tcplog.record import Record

NAME = "json-export"

_BOM = rb"(?:\xef\xbb\xbf)?"


@dataclass(frozen=True)
class Document:
    """One kind of export document: how it starts (`pattern`), the level its records open at, and how an
    element is seen as a shipper's record (`view`: None, as it is)."""

    kind: str
    pattern: re.Pattern
    depth: int
    view: Callable[[dict], dict] | None = None
    NAME = NAME  # (the framing the registry documents)

    def sniff(self, head: bytes) -> bool:
        """True when a stream starts with a document of this kind."""
        return self.pattern.match(head) is not None

    def chunks(self, stream):
        for chunk in json_objects.chunks(stream, self.depth, json_objects.parse_object, lead=False):
            if self.view is not None and chunk.fields is not None:
                chunk.fields = self.view(chunk.fields)
            if chunk.kind == "entry" and chunk.fields is not None and shipper_json.message_of(chunk.fields) is None:
                chunk.kind = "note"  # the document's own objects at that level (searchedLogStreams[])
            yield chunk

    def decode(self, obj: dict, raw: bytes, ctx) -> Record | None:
        """A Record from one element, as its one-line form would give; None when it holds none."""
        return decode_element(obj, raw, ctx)


def decode_element(obj: dict, raw: bytes, ctx) -> Record | None:
    """A Record from one record of an export document, read as a shipper's record; framing `json-export`."""
    from tcplog.framing import decode_object  # (the package imports this module)

    record = decode_object(obj, raw, ctx)
    if record is not None:
        record.framing = NAME + record.framing.removeprefix(shipper_json.NAME)
    return record


def _present(view: dict) -> dict:
    return {k: v for k, v in view.items() if v is not None}


def datadog_view(obj: dict) -> dict:
    """A Datadog log (`{"id":…,"type":"log","attributes":{…}}`) under the common keys; anything else as it is.
    The Agent's journald tailer keeps the entry's fields under the log's `journald` attribute: the program is
    `kernel` for the kernel's transport, else SYSLOG_IDENTIFIER (or _COMM), with _PID, SYSLOG_FACILITY and PRIORITY;
    without them, a `service` of `kernel` (the tailer's service is the entry's SYSLOG_IDENTIFIER) is the program."""
    attributes = obj.get("attributes")
    if not isinstance(attributes, dict) or "message" not in attributes:
        return obj
    view = {"message": attributes["message"], "host": attributes.get("host"), "timestamp": attributes.get("timestamp")}
    nested = attributes.get("attributes")
    journald = nested.get("journald") if isinstance(nested, dict) else None
    if isinstance(journald, dict):
        view["program"] = "kernel" if journald.get("_TRANSPORT") == "kernel" else (
            journald.get("SYSLOG_IDENTIFIER") or journald.get("_COMM"))
        view.update(pid=journald.get("_PID"), facility=journald.get("SYSLOG_FACILITY"),
                    severity=journald.get("PRIORITY"))
    elif attributes.get("service") == "kernel":
        view["program"] = "kernel"
    return _present(view)


def sumo_view(obj: dict) -> dict:
    """A Sumo Logic message (`{"map":{"_raw":…,"_sourcehost":…,"_messagetime":…}}`) under the common keys."""
    fields = obj.get("map")
    if not isinstance(fields, dict) or "_raw" not in fields:
        return obj
    return _present({"message": fields["_raw"], "host": fields.get("_sourcehost"),
                     "timestamp": fields.get("_messagetime")})


SEARCH = Document("search", re.compile(_BOM + rb'\s*\{\s*"(?:took|_scroll_id|pit_id|timed_out|hits)"\s*:'), 3)
EVENTS = Document("events", re.compile(_BOM + rb'\s*\{\s*"events"\s*:\s*\['), 2)
ARRAY = Document("array", re.compile(_BOM + rb'\s*\[\s*\{'), 1)
SPLUNK = Document("splunk-results", re.compile(
    _BOM + rb'\s*\{\s*"preview"\s*:\s*(?:true|false)\s*,\s*"init_offset"\s*:'), 2)
# (Datadog's guide prints `meta` first: `{"meta": {"page": {"after": "…"}}, "data": [ … ]}`)
DATADOG = Document("datadog", re.compile(
    _BOM + rb'\s*\{\s*(?:"meta"\s*:\s*\{.{0,400}?\}\s*,\s*)?"data"\s*:\s*\[\s*\{'
    rb'(?:\s*"(?:id|type)"\s*:\s*"[^"\\]{0,200}"\s*,)*\s*"attributes"\s*:\s*\{', re.DOTALL), 2, datadog_view)
SUMO = Document("sumo-messages", re.compile(
    _BOM + rb'\s*\{\s*"fields"\s*:\s*\[\s*\{\s*"name"\s*:\s*"[^"\\]{1,200}"\s*,\s*"fieldType"\s*:'), 2, sumo_view)
DOCUMENTS = (SEARCH, EVENTS, ARRAY, SPLUNK, DATADOG, SUMO)
