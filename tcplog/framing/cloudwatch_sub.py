"""CloudWatch Logs subscription payloads, decoded, as Firehose delivers them to S3 or a Lambda function receives them.

    {"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/var/log/messages","logStream":"i-0abc123",
     "subscriptionFilters":["to-s3"],"logEvents":[{"id":"3195…","timestamp":1795341600000,
     "message":"Nov 22 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet"}, …]}
        a subscription filter's payload (the `data` CloudWatch Logs sends, gunzipped); key order varies (AWS's docs
        print `owner` first, the Lambda console's test event `messageType` first), pretty-printed or compact.
        Firehose writes the payloads it receives one after another into an S3 object, with no separator (its
        default) or a newline between them, each gzip'd unless its decompression feature is on: a `.gz` object is
        gzip members one after another, which the decompression layer reads as one stream.
    {"awslogs":{"data":"H4sIAAAAAAAA…"}}
        the event a Lambda function subscribed to a log group receives (saved from its logs or a test event):
        `data` is the payload, gzip'd and base64-encoded
    {"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"…","sequenceNumber":"…",
     "data":"H4sIAAAAAAAA…","approximateArrivalTimestamp":1795341600.5},"eventSource":"aws:kinesis", …}, …]}
        the event of a Lambda function reading a Kinesis stream a subscription filter writes to: each record's
        `kinesis.data` is a payload, gzip'd and base64-encoded
    {"invocationId":"…","deliveryStreamArn":"arn:aws:firehose:…","region":"us-east-1","records":[{"recordId":"…",
     "approximateArrivalTimestamp":1795341600500,"data":"H4sIAAAAAAAA…"}, …]}
        the event of a Firehose stream's data-transformation Lambda function (its CloudWatch Logs processor
        blueprint): each record's `data` is a payload, gzip'd and base64-encoded

A stream is sniffed by its first bytes: an object whose first key is one of the payload's and whose first bytes
name `messageType` or `logEvents`; `{"awslogs":{"data":"`; `{"Records":[{` with `"kinesis"` in its first bytes;
an object whose first key is `invocationId` or `records` with `"recordId"` in its first bytes.
The stream is read object by object (tcplog.framing.json_objects at depth 0: several payloads on a line, one a line
or pretty-printed), each object as a whole (one payload, at most MAX_ENTRY bytes, or one event wrapping them).
Each of a payload's `logEvents` is a record, read as the same event of `aws logs filter-log-events` is
(tcplog.framing.json_export): its `timestamp` (epoch ms) the time when the message carries none, and the payload's
`logStream` as the event's `logStreamName`, the host when the message names none. A CONTROL_MESSAGE (CloudWatch's
check that the destination is reachable, `CWL CONTROL MESSAGE: Checking health of destination Firehose.`) is no
record. An object that is not a payload, a payload without a `logEvents` list, and a `data` that is not base64 of
a gzip'd payload (or decompresses past MAX_ENTRY) are one unframed record each. The framing in the event is
`json-export` (`json-export+rfc3164` for a forwarded syslog line).
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterator

import orjson

from tcplog.framing import json_export, json_objects
from tcplog.framing.journal_verbose import MAX_ENTRY, Chunk
from tcplog.record import Record

NAME = json_export.NAME

_BOM = rb"(?:\xef\xbb\xbf)?"
_PAYLOAD = re.compile(_BOM + rb'\s*\{\s*"(?:messageType|owner|logGroup|logStream|subscriptionFilters|logEvents)"\s*:')
_LAMBDA = re.compile(_BOM + rb'\s*\{\s*"awslogs"\s*:\s*\{\s*"data"\s*:\s*"')
_KINESIS = re.compile(_BOM + rb'\s*\{\s*"Records"\s*:\s*\[\s*\{')
_FIREHOSE = re.compile(_BOM + rb'\s*\{\s*"(?:invocationId|records)"\s*:')
_GZIP = b"\x1f\x8b"


def sniff(head: bytes) -> bool:
    """True when a stream starts with a subscription payload, or a Lambda event holding them."""
    if _PAYLOAD.match(head):
        return b'"messageType"' in head or b'"logEvents"' in head
    return _LAMBDA.match(head) is not None or (_KINESIS.match(head) is not None and b'"kinesis"' in head) or (
        _FIREHOSE.match(head) is not None and b'"recordId"' in head)


def chunks(stream) -> Iterator[Chunk]:
    """Each log event of each payload as an `entry` (fields: the event under the common keys, None when the
    payload or its wrapping cannot be read; raw: the event as JSON); control messages and empty payloads as notes.
    The object's lines and bytes are counted by the last chunk it gives."""
    for chunk in json_objects.chunks(stream, 0, json_objects.parse_object, lead=False):
        if chunk.kind != "entry" or chunk.fields is None:
            yield chunk
            continue
        pieces = [Chunk("entry", orjson.dumps(event) if fields is not None else b"", fields, chunk.offset,
                        chunk.line, 0, 0) for fields, event in _events(chunk.fields)]
        if not pieces:
            pieces = [Chunk("note", b"", None, chunk.offset, chunk.line, 0, 0)]
        pieces[-1].lines, pieces[-1].size = chunk.lines, chunk.size
        yield from pieces


def decode(fields: dict, raw: bytes, ctx) -> Record | None:
    """A Record from one log event, as `aws logs filter-log-events` gives for it."""
    return json_export.decode_element(fields, raw, ctx)


def _events(obj: dict) -> Iterator[tuple[dict | None, object]]:
    """The log events of an object, (under the common keys, as they are): a payload's, or those of the payloads a
    Lambda event wraps ((None, None) for one that cannot be read)."""
    awslogs = obj.get("awslogs")
    if isinstance(awslogs, dict) and len(obj) == 1:
        yield from _payload_events(_unpacked(awslogs.get("data")))
        return
    records = obj.get("Records")
    if isinstance(records, list) and "logEvents" not in obj:
        for record in records:
            kinesis = record.get("kinesis") if isinstance(record, dict) else None
            yield from _payload_events(_unpacked(kinesis.get("data")) if isinstance(kinesis, dict) else None)
        return
    records = obj.get("records")
    if isinstance(records, list) and "logEvents" not in obj:  # (Firehose's transformation event)
        for record in records:
            yield from _payload_events(_unpacked(record.get("data")) if isinstance(record, dict) else None)
        return
    yield from _payload_events(obj)


def _payload_events(payload: dict | None) -> Iterator[tuple[dict | None, object]]:
    """A payload's log events, each under the common keys (the stream name as `logStreamName`) and as it is; none
    for a control message; one (None, None) for what is no payload."""
    if payload is None or not isinstance(payload.get("logEvents"), list):
        yield None, None
        return
    if payload.get("messageType") == "CONTROL_MESSAGE":
        return
    stream = payload.get("logStream")
    for event in payload["logEvents"]:
        if not isinstance(event, dict):
            yield None, None
            continue
        view = {k: event[k] for k in ("message", "timestamp") if k in event}
        if isinstance(stream, str) and stream:
            view["logStreamName"] = stream
        yield view, event


def _unpacked(data) -> dict | None:
    """The payload in a `data` value: base64 of the gzip'd JSON (or of the JSON itself); None when it is not."""
    if not isinstance(data, str):
        return None
    try:
        packed = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    if packed[:2] == _GZIP:
        inflate = zlib.decompressobj(wbits=31)
        try:
            packed = inflate.decompress(packed, MAX_ENTRY)
        except zlib.error:
            return None
        if not inflate.eof or inflate.unconsumed_tail:  # cut short, or larger than an entry may be
            return None
    return json_objects.parse_object(packed)
