"""Kernel records a web page ran together on one line give an event each (tcplog.flattened)."""

from __future__ import annotations

import orjson

from tests.test_cli import events, tcplog

TW = b"TCP: time wait bucket table overflow"
SYSLOG = (b"Aug  4 17:25:37 static1 kernel: " + TW + b" Aug  4 17:25:37 static1 kernel: " + TW
          + b" Aug  4 17:25:38 static1 kernel: " + TW + b"\n")
DMESG = b"[  123.456789] " + TW + b" [  123.456791] nf_conntrack: table full, dropping packet\n"


def scan(tmp_path, data: bytes, *args: str) -> tuple[list[dict], dict]:
    path = tmp_path / "paste.txt"
    path.write_bytes(data)
    r = tcplog("scan", str(path), "--stats", "--no-classify", "--reference-time", "2026-11-22T00:00:00Z", *args)
    assert r.returncode == 0, r.stderr
    return events(r.stdout), orjson.loads(r.stderr.splitlines()[-1])


def test_a_flattened_syslog_paste_gives_each_record_at_its_offset(tmp_path):
    got, stats = scan(tmp_path, SYSLOG)
    assert [(e["message_id"], e["host"], e["time"]) for e in got] == [
        ("tw_bucket_overflow.legacy", "static1", "2026-08-04T17:25:37.000000Z"),
        ("tw_bucket_overflow.legacy", "static1", "2026-08-04T17:25:37.000000Z"),
        ("tw_bucket_overflow.legacy", "static1", "2026-08-04T17:25:38.000000Z")]
    assert [e["source"]["offset"] for e in got] == [0, 69, 138] and {e["source"]["line"] for e in got} == {1}
    for e in got:  # each raw is its piece of the line, byte for byte
        offset = e["source"]["offset"]
        assert SYSLOG[offset:offset + len(e["raw"])] == e["raw"].encode()
    assert (stats["lines"], stats["candidates"], stats["events"]) == (1, 3, 3)


def test_a_flattened_dmesg_paste_gives_each_record(tmp_path):
    got, stats = scan(tmp_path, DMESG)
    assert [(e["message_id"], e["kernel"]["monotonic"]) for e in got] == [
        ("tw_bucket_overflow.legacy", 123.456789), ("conntrack_full.ratelimited", 123.456791)]
    assert (stats["lines"], stats["candidates"], stats["events"]) == (1, 2, 2)


def test_a_programs_line_quoting_kernel_records_is_not_cut(tmp_path):
    """A program's line is not the kernel's, whatever it quotes: no event, one candidate."""
    quoting = b"Aug  4 17:25:39 static1 myapp[3]: saw Aug  4 17:25:37 static1 kernel: " + TW + b"\n"
    got, stats = scan(tmp_path, quoting)
    assert got == [] and (stats["candidates"], stats["not_kernel"]) == (1, 1)


def test_flattened_lines_are_read_alike_by_any_number_of_workers(tmp_path):
    data = (SYSLOG + DMESG) * 40_000  # ~11 MB: cut into byte ranges
    one, stats1 = scan(tmp_path, data, "--workers", "1")
    two, stats2 = scan(tmp_path, data, "--workers", "2")
    assert one == two and stats1 == stats2 and stats1["events"] == 200_000
    assert stats1["candidates"] == stats1["events"] + stats1["not_kernel"] + stats1["unmatched"] + stats1["unframed"]


def test_a_flattened_paste_inside_emphasis_gives_each_record(tmp_path):
    """JD Cloud's help page put the two run-together records inside one pair of Markdown asterisks
    (find_string id 1055871508): each record is read, the marks are neither's text."""
    data = b"*Aug  4 17:25:37 static1 kernel: " + TW + b" Aug  4 17:25:37 static1 kernel: " + TW + b"*\n"
    got, stats = scan(tmp_path, data)
    assert [(e["message_id"], e["host"], e["source"]["offset"]) for e in got] == [
        ("tw_bucket_overflow.legacy", "static1", 1), ("tw_bucket_overflow.legacy", "static1", 70)]
    assert [e["raw"] for e in got] == [
        "Aug  4 17:25:37 static1 kernel: TCP: time wait bucket table overflow",
        "Aug  4 17:25:37 static1 kernel: TCP: time wait bucket table overflow"]
    assert (stats["lines"], stats["candidates"], stats["events"]) == (1, 2, 2)
