"""The tcplog.snapshot/1 document: validation names the file and the field; hostile files never crash."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tcplog.connectors import procfs, sosreport, sysctl_text
from tcplog.errors import InputError, SnapshotError
from tcplog.snapshot import document

REPO = Path(__file__).parent.parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SCHEMA = Draft202012Validator(json.loads((REPO / "tcplog" / "schema" / "snapshot-1.json").read_text()))
WHERE = "snapshots/web1/x.json"
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def good() -> dict:
    return procfs.load_tree(str(FIXTURES / "proc" / "vm-6.18"))


def broken(doc: dict, path: list, value) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def error(doc, where: str = WHERE) -> SnapshotError:
    with pytest.raises(SnapshotError) as exc:
        document.validate(doc, where)
    return exc.value


# -- the JSON Schema twin --------------------------------------------------------------------

def test_schema_file_is_a_valid_json_schema():
    """tcplog/schema/snapshot-1.json is itself a valid 2020-12 schema."""
    Draft202012Validator.check_schema(SCHEMA.schema)


def test_live_capture_validates_against_the_json_schema():
    """A capture of this host matches the published JSON Schema."""
    SCHEMA.validate(procfs.capture())


@pytest.mark.parametrize("load", [
    lambda: procfs.load_tree(str(FIXTURES / "proc" / "vm-6.18")),
    lambda: procfs.load_tree(str(FIXTURES / "proc" / "rhel7-3.10")),
    lambda: procfs.load_tree(str(FIXTURES / "proc" / "rhel5-2.6.18")),
    lambda: sosreport.load(str(FIXTURES / "sosreport-web1"))[0],
    lambda: sysctl_text.load(str(FIXTURES / "sysctl" / "rhel5-2.6.18_sysctl_-a.txt")),
], ids=["tree-6.18", "tree-3.10", "tree-2.6.18", "sosreport", "sysctl-text"])
def test_documents_from_every_source_validate_against_the_json_schema(load):
    """Copied trees, sosreports and sysctl dumps give schema-valid documents."""
    SCHEMA.validate(load())


def test_a_document_the_validator_rejects_the_schema_rejects_too(good):
    """The two rule sets agree on a wrong type (a string counter)."""
    bad = broken(good, ["sockstat", "TCP", "tw"], "abc")
    assert not SCHEMA.is_valid(bad)
    error(bad)


# -- validation messages ----------------------------------------------------------------------

def test_validate_returns_the_document(good):
    """A good document passes through unchanged."""
    assert document.validate(good, WHERE) is good


def test_wrong_type_names_file_field_and_value(good):
    """The message reads `<file>: sockstat.TCP.tw: expected an integer, got 'abc'`."""
    exc = error(broken(good, ["sockstat", "TCP", "tw"], "abc"))
    assert str(exc) == "snapshots/web1/x.json: sockstat.TCP.tw: expected an integer, got 'abc'"
    assert exc.where == WHERE and exc.field == "sockstat.TCP.tw"


def test_snapshot_error_is_an_input_error(good):
    """Callers that handle unreadable inputs handle bad snapshots too."""
    assert isinstance(error(broken(good, ["host"], 5)), InputError)


def test_sysctl_names_with_dots_are_shown_whole(good):
    """A bad sysctl value names the key whole, in brackets: sysctl["net.ipv4.tcp_mem"]."""
    exc = error(broken(good, ["sysctl", "net.ipv4.tcp_mem"], 287901))
    assert exc.field == 'sysctl["net.ipv4.tcp_mem"]' and "expected a string" in str(exc)


def test_boolean_is_not_an_integer(good):
    """true is not a counter (bool is an int in Python; not here)."""
    assert error(broken(good, ["netstat", "TcpExt", "TW"], True)).field == "netstat.TcpExt.TW"


def test_float_is_not_an_integer(good):
    """1.5 is not a counter."""
    assert "got 1.5" in str(error(broken(good, ["snmp", "Tcp", "MaxConn"], 1.5)))


def test_missing_top_level_key_is_named(good):
    """Every top-level key must be present."""
    doc = copy.deepcopy(good)
    del doc["listeners"]
    exc = error(doc)
    assert exc.field == "listeners" and exc.problem == "missing"


def test_unknown_top_level_key_is_named(good):
    """A key the schema does not have is refused, by name."""
    exc = error(broken(good, ["surprise"], 1))
    assert exc.field == "surprise" and exc.problem == "unknown key"


def test_other_schema_version_is_refused(good):
    """tcplog.snapshot/2 is not read as version 1."""
    exc = error(broken(good, ["schema"], "tcplog.snapshot/2"))
    assert exc.field == "schema" and "tcplog.snapshot/1" in exc.problem


def test_time_must_be_utc_with_microseconds(good):
    """A local time without Z is refused."""
    assert error(broken(good, ["time"], "2026-11-22 10:00:00")).field == "time"


def test_impossible_date_is_refused(good):
    """February 30th matches the pattern but is no time."""
    assert error(broken(good, ["time"], "2026-02-30T10:00:00.000000Z")).field == "time"


def test_listener_port_out_of_range(good):
    """Port 70000 is named with the listener's index."""
    doc = copy.deepcopy(good)
    doc["listeners"] = [{"proto": "tcp", "address": "0.0.0.0", "port": 70000, "accept_queue": 0,
                         "backlog": None, "pid": None, "process": None}]
    assert error(doc).field == "listeners[0].port"


def test_error_entry_needs_section_and_error(good):
    """errors[i] must be {section, error}."""
    assert error(broken(good, ["errors"], [{"section": "x"}])).field == "errors[0].error"


def test_not_an_object_at_all():
    """A JSON list is not a document."""
    assert "expected an object" in str(error([1, 2]))


def test_huge_number_is_out_of_range(good):
    """2**70 is beyond any kernel counter."""
    assert "out of range" in str(error(broken(good, ["memory", "MemTotal"], 2 ** 70)))


def test_deep_nesting_inside_a_section_is_a_type_error(good):
    """A nested structure where an integer belongs is refused by type, whatever its depth."""
    deep: list = []
    for _ in range(500):
        deep = [deep]
    exc = error(broken(good, ["sockstat", "TCP", "tw"], deep))
    assert exc.field == "sockstat.TCP.tw" and "a list" in exc.problem


def test_long_string_value_is_refused(good):
    """A 100 KB sysctl value is longer than any real one."""
    assert "longer than" in str(error(broken(good, ["sysctl", "net.core.somaxconn"], "9" * 100_000)))


# -- load_bytes: hostile files ------------------------------------------------------------------

def test_load_bytes_round_trip(good):
    """dumps then load_bytes gives the same document."""
    assert document.load_bytes(document.dumps(good), WHERE) == good


def test_truncated_file_names_the_file(good):
    """Half a document is `not JSON`, with the file named."""
    data = document.dumps(good)
    with pytest.raises(SnapshotError) as exc:
        document.load_bytes(data[: len(data) // 2], WHERE)
    assert str(exc.value).startswith(f"{WHERE}: not JSON")


def test_empty_file():
    """An empty file is named as such."""
    with pytest.raises(SnapshotError, match="empty file"):
        document.load_bytes(b"", WHERE)


def test_ten_megabyte_string_is_refused_before_parsing():
    """A 10 MB file is refused by size, never parsed."""
    data = b'{"schema": "tcplog.snapshot/1", "host": "' + b"a" * (10 << 20) + b'"}'
    with pytest.raises(SnapshotError, match="larger than"):
        document.load_bytes(data, WHERE)


def test_deeply_nested_json_is_an_error_not_a_crash():
    """100 000 nested brackets hit the parser's depth limit: a SnapshotError, no RecursionError."""
    with pytest.raises(SnapshotError, match="not JSON"):
        document.load_bytes(b"[" * 100_000 + b"]" * 100_000, WHERE)


def test_number_beyond_64_bits_in_a_file(good):
    """18446744073709551616 parses as a float and is refused as not an integer."""
    data = document.dumps(good).replace(b'"tw":' + str(good["sockstat"]["TCP"]["tw"]).encode(),
                                        b'"tw":18446744073709551616', 1)
    with pytest.raises(SnapshotError) as exc:
        document.load_bytes(data, WHERE)
    assert exc.value.field == "sockstat.TCP.tw"


def test_nan_and_python_literals_are_not_json():
    """NaN, pickles and Python reprs are refused: JSON only."""
    for data in (b'{"a": NaN}', b"\x80\x04\x95\x00", b"{'schema': 'tcplog.snapshot/1'}", b"!!python/object:os.system"):
        with pytest.raises(SnapshotError):
            document.load_bytes(data, WHERE)


def test_invalid_utf8_is_refused():
    """Bytes that are not UTF-8 are not JSON."""
    with pytest.raises(SnapshotError, match="not JSON"):
        document.load_bytes(b'{"host": "\xff\xfe"}', WHERE)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_load_bytes_on_random_bytes_raises_only_snapshot_error(data):
    """Whatever the bytes, load_bytes returns a document or raises SnapshotError."""
    try:
        document.load_bytes(data, WHERE)
    except SnapshotError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                                      max_size=4),
                    max_leaves=30))
def test_validate_on_random_json_values_raises_only_snapshot_error(value):
    """Any JSON value put in any section gives SnapshotError or passes, never another exception."""
    doc = document.new("web1", T0)
    for section in ("memory", "sysctl", "sockstat", "conntrack", "neighbour", "listeners", "kernel"):
        try:
            document.validate(dict(doc, **{section: value}), WHERE)
        except SnapshotError:
            pass


def test_new_document_is_valid_and_has_every_key():
    """document.new gives every key, sections null, sources {} and errors []."""
    doc = document.new(None, T0)
    assert tuple(doc) == document.KEYS and doc["errors"] == [] and doc["sources"] == {}
    assert document.validate(doc, WHERE)["time"] == "2026-11-22T10:00:00.000000Z"
    SCHEMA.validate(doc)


def test_dumps_pretty_is_still_one_json_value(good):
    """The indented form parses back to the same document."""
    assert orjson.loads(document.dumps(good, pretty=True)) == good
