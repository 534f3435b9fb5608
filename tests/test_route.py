"""The per-record decision of `tcplog kafka` (tcplog.route), without a broker."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from tcplog.recognize import Recognizer
from tcplog.route import DEAD_LETTER, EVENT, PASSTHROUGH, Origin, Router, RouteSettings, event_id

REF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
ORIGIN = Origin("raw", 3, 1234, REF)
SCHEMA = json.loads((Path(__file__).parent.parent / "tcplog" / "schema" / "event-2.json").read_text())
KERNEL = b"Nov 22 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet"


def test_a_kernel_line_becomes_an_event_keyed_by_host_with_a_stable_id():
    """Event JSON with id host/topic/partition/offset, key = host, headers schema/family/cause/id."""
    out = Router().route(KERNEL, b"other", [], ORIGIN)
    event = orjson.loads(out.value)
    assert out.kind == EVENT and out.key == b"web1"
    assert event["id"] == "web1/raw/3/1234" == event_id("web1", ORIGIN)
    assert event["source"]["file"] == "kafka:raw/3" and event["source"]["offset"] == 1234
    assert dict(out.headers) == {"tcplog.schema": b"tcplog.event/2", "tcplog.family": b"conntrack_full",
                                 "tcplog.cause": b"", "tcplog.id": b"web1/raw/3/1234"}
    jsonschema.validate(event, SCHEMA)


def test_the_same_record_gives_the_same_event_bytes():
    """Replaying a record (after a crash) yields an identical message: consumers drop it by id."""
    r = Router()
    assert r.route(KERNEL, None, [], ORIGIN).value == r.route(KERNEL, None, [], ORIGIN).value


def test_the_kafka_key_is_the_host_when_the_record_names_none():
    """dmesg text has no host: the key (UTF-8) stands in; a binary key does not."""
    line = b"[   12.5] TCP: time wait bucket table overflow"
    assert orjson.loads(Router().route(line, b"db3", [], ORIGIN).value)["host"] == "db3"
    out = Router().route(line, b"\xff\x00", [], ORIGIN)
    assert orjson.loads(out.value)["host"] is None and out.key == b"\xff\x00"
    assert orjson.loads(out.value)["id"] == "-/raw/3/1234"


def test_year_less_dates_are_placed_before_the_record_timestamp():
    """RFC 3164 dates take their year from the Kafka record's timestamp, not the clock."""
    old = Origin("raw", 0, 1, datetime(2019, 12, 1, tzinfo=timezone.utc))
    assert orjson.loads(Router().route(KERNEL, None, [], old).value)["time"].startswith("2019-11-22")


def test_other_records_pass_through_unchanged():
    """Not a kernel message: the same bytes, key and headers (a null header value becomes empty)."""
    line = b'{"message":"GET / 200","host":"web1","appname":"nginx"}'
    out = Router().route(line, b"k", [("trace", b"1"), ("nul", None)], ORIGIN)
    assert out.kind == PASSTHROUGH and out.value == line and out.key == b"k"
    assert out.headers == [("trace", b"1"), ("nul", b"")]
    with_origin = Router(settings=RouteSettings(passthrough_origin=True)).route(line, b"k", [], ORIGIN)
    assert dict(with_origin.headers)["tcplog.origin.offset"] == b"1234"


def test_dead_letters_name_the_error():
    """null value, too large, invalid JSON, JSON without a message: dead letters with type and origin."""
    r = Router(settings=RouteSettings(max_record_bytes=100))
    cases = {None: "null_value", b"x" * 101: "too_large", b'{"message": ': "invalid_json",
             b'{"n": 1}': "no_message", b"{" * 99: "invalid_json"}
    for value, kind in cases.items():
        out = r.route(value, b"k", [], ORIGIN)
        assert (out.kind, out.error_type) == (DEAD_LETTER, kind), value
        h = dict(out.headers)
        assert h["tcplog.error.type"] == kind.encode() and h["tcplog.error"]
        assert h["tcplog.origin.topic"] == b"raw" and h["tcplog.origin.partition"] == b"3"
    big = r.route(b"y" * 150, None, [], ORIGIN)
    assert big.value == b"y" * 100 and dict(big.headers)["tcplog.original.size"] == b"150"


def test_a_forced_line_framing_never_dead_letters_json():
    """With --framing rfc3164, a JSON-looking record is just a line that does not match."""
    r = Router(Recognizer(forced_framing="rfc3164"))
    assert r.route(b'{"broken', None, [], ORIGIN).kind == PASSTHROUGH


def test_a_failing_classifier_costs_the_cause_not_the_event():
    """explain() raising: the event still goes out, cause null, the failure counted."""
    def explain(event):
        raise RuntimeError("boom")

    r = Router(explain=explain)
    out = r.route(KERNEL, None, [], ORIGIN)
    assert out.kind == EVENT and orjson.loads(out.value)["cause"] is None and r.classify_errors == 1


def test_an_internal_failure_becomes_a_dead_letter():
    """Anything raising inside routing turns into a dead letter of type internal."""
    class Broken:
        forced = None

        def event(self, *a):
            raise KeyError("bug")

    out = Router(Broken()).route(KERNEL, b"k", [], ORIGIN)
    assert out.kind == DEAD_LETTER and out.error_type == "internal" and out.value == KERNEL


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.binary(max_size=300)), st.one_of(st.none(), st.binary(max_size=20)))
def test_route_never_raises_and_always_answers(value, key):
    """Any bytes, any key: exactly one outcome, never an exception."""
    out = Router(settings=RouteSettings(max_record_bytes=200)).route(value, key, [], ORIGIN)
    assert out.kind in (EVENT, PASSTHROUGH, DEAD_LETTER)
