"""JSON nested 100,000 deep cannot blow the stack or memory at any JSON entry point: orjson stops
at depth 1024 with a JSONDecodeError, and tcplog turns that into a passthrough (filter), an
unframed record (scan) or an error naming the file (snapshots), never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tcplog.connectors import snapshot_sources
from tcplog.connectors.snapshot_store import FolderStore
from tcplog.errors import SnapshotError

REPO = Path(__file__).parent.parent
DEPTH = 100_000
ARRAY = b"[" * DEPTH + b"]" * DEPTH
OBJECT = b'{"a":' * DEPTH + b"1" + b"}" * DEPTH
IN_MESSAGE = b'{"MESSAGE":' + OBJECT + b',"_TRANSPORT":"kernel"}'
JOURNAL = (REPO / "samples" / "logs" / "journal.json").read_bytes()
DEEP = {"array": ARRAY, "object": OBJECT, "object-in-a-field": IN_MESSAGE}


def _tcplog(*args, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tcplog", *map(str, args)], input=stdin, capture_output=True,
                          timeout=120)


@pytest.mark.parametrize("protocol", ["ndjson", "fluentd", "rsyslog"])
def test_filter_answers_deep_json_records_one_each(protocol):
    """Deep records between real journald records: one answer per record, a JSON object each, exit 0;
    the deep ones pass through (ndjson/fluentd: wrapped with their exact text; rsyslog: `{}`)."""
    good = JOURNAL.splitlines()[:2]
    records = [good[0], ARRAY, OBJECT, IN_MESSAGE, good[1]]
    r = _tcplog("filter", "--protocol", protocol, "--no-classify", stdin=b"\n".join(records) + b"\n")
    assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr[-2000:]
    answers = r.stdout.splitlines()
    assert len(answers) == len(records)
    parsed = [orjson.loads(a) for a in answers]
    assert all(isinstance(p, dict) for p in parsed)
    if protocol != "rsyslog":
        assert [p["message"].encode() for p in parsed[1:4]] == records[1:4]  # byte for byte, as text


def test_scan_of_a_journal_json_file_with_deep_records(tmp_path):
    """A journal JSON export with deep records mixed in: the real records' events, the deep ones
    counted as candidates that are not events; exit 0."""
    path = tmp_path / "journal.json"
    lines = JOURNAL.splitlines()
    path.write_bytes(b"\n".join([lines[0], *DEEP.values(), *lines[1:]]) + b"\n")
    for framing in ("auto", "journal-json"):
        r = _tcplog("scan", path, "--framing", framing, "--stats", "-q", "--no-classify", "--snapshots", "/nonexistent")
        alone = _tcplog("scan", REPO / "samples" / "logs" / "journal.json", "--framing", framing, "--stats", "-q",
                        "--no-classify", "--snapshots", "/nonexistent")
        assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr[-2000:]
        stats, plain = (json.loads(x.stderr.splitlines()[-1]) for x in (r, alone))
        assert stats["events"] == plain["events"] > 0 and stats["unreadable"] == []
        assert r.stdout.count(b"\n") == alone.stdout.count(b"\n")


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_snapshot_file_is_an_error_naming_the_file(tmp_path, name):
    """`--snapshot FILE` (and `snapshot --from`) with a deep document: an error naming the file, the
    scan goes on and exits 1; a deep NDJSON series line names its line."""
    path = tmp_path / "deep.json"
    doc = DEEP[name] if name != "array" else b'{"schema":' + ARRAY + b"}"
    path.write_bytes(doc)
    with pytest.raises(SnapshotError, match="not JSON.*depth"):
        snapshot_sources.load_all(str(path))
    series = tmp_path / "series.ndjson"
    sample = orjson.dumps(orjson.loads((REPO / "samples" / "snapshots" / "web-07.json").read_bytes()))
    series.write_bytes(sample + b"\n" + doc + b"\n")
    with pytest.raises(SnapshotError, match=f"{series}:2: not JSON"):
        snapshot_sources.load_all(str(series))
    r = _tcplog("scan", REPO / "samples" / "logs" / "kern.log", "--snapshot", path, "--stats", "-q",
                "--snapshots", "/nonexistent")
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    assert f"tcplog: {path}: not JSON (depth limit exceeded".encode() in r.stderr
    assert r.stdout.count(b"\n") > 0  # the events are still written
    r = _tcplog("snapshot", "--from", path)
    assert r.returncode == 1 and b"Traceback" not in r.stderr and b"depth limit exceeded" in r.stderr


def test_deep_file_in_the_folder_store_is_skipped_with_a_problem(tmp_path):
    """The folder store lists a deep file as a problem and keeps serving the others."""
    store = FolderStore(str(tmp_path))
    ref = store.put(orjson.loads((REPO / "samples" / "snapshots" / "web-07.json").read_bytes()))
    bad = tmp_path / "web-07" / "20260101T000000000000Z.json"
    bad.write_bytes(OBJECT)
    assert store.refs(ref.host) == [ref]
    assert [(p, "depth" in why) for p, why in store.problems] == [(str(bad), True)]


def test_filter_fluentd_msgpack_deep_object_is_a_clear_error_after_the_answers_before_it():
    """A msgpack map nested past the unpacker's stack: the records before it are answered, then
    tcplog stops with a clear error and exit code 1 (a msgpack stream cannot be resynchronised)."""
    import msgpack

    good = msgpack.packb({"message": "Nov 22 10:00:00 web1 kernel: TCP: too many orphaned sockets"})
    deep = b"\x81\xa1a" * 100_000 + b"\xc0"  # {"a": {"a": ... nil}} 100,000 deep
    r = _tcplog("filter", "--protocol", "fluentd-msgpack", stdin=good + deep)
    assert r.returncode == 1
    answers = list(msgpack.Unpacker(__import__("io").BytesIO(r.stdout), raw=False))
    assert len(answers) == 1 and answers[0]["tcplog"]["family"] == "orphans"
    assert "msgpack stream unreadable past this point" in r.stderr.decode()
    assert "Traceback" not in r.stderr.decode()


@pytest.mark.parametrize("cut", [
    pytest.param(lambda rec: rec[:10], id="a record cut off"),
    pytest.param(lambda rec: b"\xdb\xff\xff\xff\xff", id="a str32 header claiming 4 GiB"),
])
def test_filter_fluentd_msgpack_stream_ending_inside_a_record_is_a_clear_error(cut):
    """The stream ends inside a record: the records before it are answered, then exit 1 with a
    clear error (it was dropped silently, exit 0)."""
    import msgpack

    good = msgpack.packb({"message": "Nov 22 10:00:00 web1 kernel: TCP: too many orphaned sockets"})
    r = _tcplog("filter", "--protocol", "fluentd-msgpack", stdin=good + cut(good))
    assert r.returncode == 1
    assert len(list(msgpack.Unpacker(__import__("io").BytesIO(r.stdout), raw=False))) == 1
    assert "the stream ends inside a msgpack record" in r.stderr.decode()
    assert "Traceback" not in r.stderr.decode()
