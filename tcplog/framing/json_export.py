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

Each is sniffed by its first bytes: a document whose first key is Elasticsearch's (`took`, `_scroll_id`,
`pit_id`, `timed_out`, `hits`) holds its records as the objects three levels in (`hits.hits[]`); one whose first
key is `events` holding an array, two levels in (`events[]`); an array whose first element is an object, one
level in. The document is read element by element (tcplog.framing.json_objects, so one as large as the export
never sits in memory, pretty-printed or on one line) and each element decoded as a shipper's record
(tcplog.framing.shipper_json: an Elasticsearch hit's `_source`, a CloudWatch event, a Cloud Logging entry).
The document's own objects at that level that hold no message (CloudWatch's `searchedLogStreams[]`) are no
record; an element that is not JSON, or one the document ends inside, is unframed. The framing in the event
is `json-export` (`json-export+rfc3164` when the message is a forwarded syslog line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tcplog.framing import json_objects, shipper_json
from tcplog.record import Record

NAME = "json-export"

_BOM = rb"(?:\xef\xbb\xbf)?"


@dataclass(frozen=True)
class Document:
    """One kind of export document: how it starts (`pattern`), and the level its records open at."""

    kind: str
    pattern: re.Pattern
    depth: int
    NAME = NAME  # (the framing the registry documents)

    def sniff(self, head: bytes) -> bool:
        """True when a stream starts with a document of this kind."""
        return self.pattern.match(head) is not None

    def chunks(self, stream):
        for chunk in json_objects.chunks(stream, self.depth, json_objects.parse_object, lead=False):
            if chunk.kind == "entry" and chunk.fields is not None and shipper_json.message_of(chunk.fields) is None:
                chunk.kind = "note"  # the document's own objects at that level (searchedLogStreams[])
            yield chunk

    def decode(self, obj: dict, raw: bytes, ctx) -> Record | None:
        """A Record from one element, as its one-line form would give; None when it holds none."""
        from tcplog.framing import decode_object  # (the package imports this module)

        record = decode_object(obj, raw, ctx)
        if record is not None:
            record.framing = NAME + record.framing.removeprefix(shipper_json.NAME)
        return record


SEARCH = Document("search", re.compile(_BOM + rb'\s*\{\s*"(?:took|_scroll_id|pit_id|timed_out|hits)"\s*:'), 3)
EVENTS = Document("events", re.compile(_BOM + rb'\s*\{\s*"events"\s*:\s*\['), 2)
ARRAY = Document("array", re.compile(_BOM + rb'\s*\[\s*\{'), 1)
DOCUMENTS = (SEARCH, EVENTS, ARRAY)
