"""`journalctl -o verbose` output: sniffed, read entry by entry, bad entries counted, never split by workers."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import tarfile
from datetime import datetime, timezone

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcplog.connectors import workers
from tcplog.framing import journal_export, journal_verbose
from tcplog.framing.context import FramingContext
from tcplog.scan import Scanner, Stats
from tests import conftest
from tests.test_cli import events, tcplog
from tests.test_journald import _field, export_stream

BOOT = "0123456789abcdef0123456789abcdef"
BOOT2 = "fedcba9876543210fedcba9876543210"
SEQID = "a4c3205fbc4a428ebc4bea617cc659af"


def header(i: int, realtime_us: int, mono_us: int, boot: str = BOOT, stamp: str = "Sun 2026-11-22 17:53:20.000000 UTC"):
    return f"{stamp} [s={SEQID};i={i:x};b={boot};m={mono_us:x};t={realtime_us:x};x=f53c8392329e5454]\n"


def entry(i: int, message: str | None, boot: str = BOOT, transport: str = "kernel", extra: str = "") -> str:
    out = header(i, 1795370000000000 + i * 1_000_000, 12345679401 + i, boot)
    out += f"    _BOOT_ID={boot}\n    _TRANSPORT={transport}\n    PRIORITY=4\n    SYSLOG_FACILITY=0\n"
    out += "    SYSLOG_IDENTIFIER=kernel\n"
    if message is not None:
        out += f"    MESSAGE={message}\n"
    return out + f"    _SOURCE_MONOTONIC_TIMESTAMP={12345678901 + i}\n    _HOSTNAME=web1\n" + extra


CT = "nf_conntrack: nf_conntrack: table full, dropping packet"
OOM = "TCP: out of memory -- consider tuning tcp_mem"
NEIGH = "neighbour: arp_cache: neighbor table overflow!"


def scan(data: bytes, name: str = "j.verbose", reader=journal_verbose) -> tuple[list[dict], Stats]:
    """The events of `data` read by a STREAMED reader (default: verbose), and the stats."""
    stats = Stats()
    ctx = FramingContext(reference=datetime(2026, 11, 23, tzinfo=timezone.utc))
    got = list(Scanner().scan_chunked(reader, io.BufferedReader(io.BytesIO(data)), ctx, name, stats))
    return got, stats


def reconciled(stats: Stats, data: bytes) -> bool:
    """Every byte and line counted once; every candidate an event, unframed, not the kernel or unmatched."""
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return (stats.bytes == len(data) and stats.lines == lines
            and stats.candidates == sum(stats.events.values()) + stats.unframed + stats.not_kernel + stats.unmatched)


# --- the shape -------------------------------------------------------------------------------------------------


def test_sniff_knows_verbose_output_and_nothing_else():
    """A verbose header (after journalctl's `-- ... --` lines) is sniffed; export, syslog and short-full are not."""
    first = entry(1, CT).encode()
    assert journal_verbose.sniff(first)
    logs_begin = b"-- Logs begin at Sun 2026-11-22 10:00:00 UTC, end at Sun 2026-11-22 11:00:00 UTC. --\n"
    assert journal_verbose.sniff(logs_begin + first)
    assert journal_verbose.sniff(b"\xef\xbb\xbf" + first)
    assert not journal_verbose.sniff(export_stream()[:512])
    assert not journal_export.sniff(first)
    assert not journal_verbose.sniff(b"Sun 2026-11-22 10:00:00 UTC web1 kernel: " + CT.encode() + b"\n")
    assert not journal_verbose.sniff(b"Nov 22 10:00:00 web1 kernel: " + CT.encode() + b"\n")
    assert not journal_verbose.sniff(b"    MESSAGE=" + CT.encode() + b"\n")


def test_cursor_gives_the_entry_time_monotonic_seqnum_and_boot():
    """t= is __REALTIME_TIMESTAMP and m= __MONOTONIC_TIMESTAMP (µs, hex), i= __SEQNUM (hex), b= the boot id."""
    (chunk,) = journal_verbose.chunks(io.BytesIO(header(0x1f, 1795370000123456, 12345679401, BOOT2).encode()))
    f = chunk.fields
    assert f["__REALTIME_TIMESTAMP"] == b"1795370000123456" and f["__MONOTONIC_TIMESTAMP"] == b"12345679401"
    assert f["__SEQNUM"] == b"31" and f["__SEQNUM_ID"] == SEQID.encode() and f["_BOOT_ID"] == BOOT2.encode()
    assert f["__CURSOR"].startswith(b"s=" + SEQID.encode() + b";i=1f;")


def test_header_time_text_is_not_read():
    """Zone, locale and weekday of the header's time do not matter: the time is the cursor's."""
    a = entry(1, CT)
    b = a.replace("Sun 2026-11-22 17:53:20.000000 UTC", "So 2026-11-22 23:23:20.000000 IST")
    c = a.replace("Sun 2026-11-22 17:53:20.000000 UTC", "(no timestamp)")
    times = [scan(x.encode())[0][0]["time"] for x in (a, b, c)]
    assert times == ["2026-11-22T17:53:21.000000Z"] * 3


def test_kernel_entry_becomes_an_event_at_its_header_line():
    """Each entry is one record; line and offset are those of its header; journalctl's boot line is no record."""
    data = (entry(1, OOM) + f"-- Boot {BOOT2} --\n" + entry(2, CT, BOOT2)).encode()
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["tcp_mem", "conntrack_full"]
    second = got[1]
    assert second["source"]["framing"] == "journal-verbose"
    assert second["source"]["line"] == 11 and second["source"]["offset"] == data.index(b"Sun", 1)
    assert data[second["source"]["offset"]:].startswith(b"Sun 2026-11-22")
    assert second["time"] == "2026-11-22T17:53:22.000000Z" and second["host"] == "web1"
    assert second["kernel"]["monotonic"] == 12345.678903 and second["kernel"]["boot_id"] == BOOT2
    assert second["kernel"]["level"] == 4 and second["source"]["cursor"].startswith(f"s={SEQID};i=2;")
    assert second["raw"] == entry(2, CT, BOOT2).rstrip("\n")
    assert stats.candidates == 2 and stats.unframed == 0 and reconciled(stats, data)


def test_multi_line_value_is_joined_at_its_indent():
    """A value's next lines are indented to the column after `KEY=`; an empty line of it is those spaces alone."""
    pad = " " * len("    MESSAGE=")
    data = entry(1, f"first\n{pad}second\n{pad}\n{pad}  fourth").encode()
    (chunk,) = journal_verbose.chunks(io.BytesIO(data))
    assert chunk.fields["MESSAGE"] == b"first\nsecond\n\n  fourth"
    assert chunk.fields["_HOSTNAME"] == b"web1"


def test_blob_fields_are_read_as_absent():
    """`KEY=[59B blob data]` (not printable, or long with --no-full) is no value; a blob MESSAGE gives no event."""
    data = (entry(1, "[59B blob data]", extra="    CTRL=[4.2K blob data]\n") + entry(2, OOM)).encode()
    chunks = list(journal_verbose.chunks(io.BytesIO(data)))
    assert chunks[0].fields["MESSAGE"] is None and chunks[0].fields["CTRL"] is None
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["tcp_mem"]
    assert stats.unframed == 1 and reconciled(stats, data)


def test_journalctl_lines_and_catalog_text_are_notes():
    """journalctl's `-- ... --` lines and -x catalog text (`-- `, `░░ `) end an entry and are no record."""
    data = ("-- Journal begins at Sun 2026-11-22 10:00:00 UTC, ends at Sun 2026-11-22 11:00:00 UTC. --\n"
            + entry(1, OOM) + "-- Subject: A kernel message\n-- Defined-By: systemd\n"
            + entry(2, CT) + "░░ Subject: catalog text in a UTF-8 locale\n░░ \n"
            + "-- cursor: s=0;i=2 --\n").encode()
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["tcp_mem", "conntrack_full"]
    assert stats.candidates == 2 and stats.unframed == 0 and reconciled(stats, data)
    assert scan(b"-- No entries --\n")[1].candidates == 0
    blank = (entry(1, OOM) + f"-- Boot {BOOT2} --\n\n            \n" + entry(2, CT, BOOT2)).encode()
    got, stats = scan(blank)
    assert len(got) == 2 and stats.candidates == 2 and reconciled(stats, blank)  # blank lines outside entries


def test_crlf_line_ends_read_the_same():
    """A file saved with CRLF line ends gives the same events (raw keeps the bytes)."""
    lf = (entry(1, OOM) + entry(2, CT)).encode()
    got_lf, _ = scan(lf)
    got_crlf, stats = scan(lf.replace(b"\n", b"\r\n"))
    assert [(e["family"], e["fields"], e["time"], e["host"]) for e in got_crlf] == \
           [(e["family"], e["fields"], e["time"], e["host"]) for e in got_lf]
    assert reconciled(stats, lf.replace(b"\n", b"\r\n"))


# --- bad input -------------------------------------------------------------------------------------------------


def test_truncated_entry_is_unframed():
    """The stream cut inside an entry's last line: that entry gives no event (its message may be cut too)."""
    syn = "TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:443. Sending cookies."
    full = (entry(1, OOM) + entry(2, syn)).encode()
    data = full[:full.index(b"0.0.0.0:4") + 9]
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["tcp_mem"]
    assert stats.unframed == 1 and reconciled(stats, data)


def test_header_cut_before_its_cursor_ends_is_unframed():
    """A header line cut off at the end of the stream is a stray line: counted unframed, no crash."""
    data = entry(1, OOM).encode() + b"Sun 2026-11-22 17:53:22.000000 UTC [s=" + SEQID.encode()[:10]
    got, stats = scan(data)
    assert len(got) == 1 and stats.unframed == 1 and reconciled(stats, data)


def test_header_without_fields_is_unframed():
    """A header followed by the next header (or the end) has no MESSAGE: unframed."""
    data = (header(1, 1795370000000000, 1) + header(2, 1795370001000000, 2) + entry(3, CT)).encode()
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["conntrack_full"]
    assert stats.candidates == 3 and stats.unframed == 2 and reconciled(stats, data)


def test_fields_without_a_header_are_one_unframed_record():
    """Field lines with no header before them (after a boot line, or at the start) are one stray record."""
    orphan = f"    _TRANSPORT=kernel\n    MESSAGE={CT}\n    _HOSTNAME=web1\n"
    data = (orphan + entry(1, OOM) + f"-- Boot {BOOT2} --\n" + orphan).encode()
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["tcp_mem"]
    assert stats.candidates == 3 and stats.unframed == 2 and reconciled(stats, data)


def test_entry_without_message_is_unframed():
    """An entry with no MESSAGE field (journald allows it) gives no event and one unframed count."""
    data = (entry(1, None) + entry(2, NEIGH)).encode()
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["neigh_overflow"]
    assert stats.unframed == 1 and reconciled(stats, data)


@pytest.mark.parametrize("line", [
    "           misplaced continuation\n",  # left of MESSAGE='s value column
    "    lower=case is no field name\n",
    "    MESSAGE\n",
])
def test_line_that_fits_no_field_makes_the_entry_unframed(line):
    """An indented line that is neither a field nor its value's next line: the entry is malformed."""
    bad = entry(1, CT).replace("    _SOURCE_MONOTONIC", line + "    _SOURCE_MONOTONIC")
    data = (bad + entry(2, OOM)).encode()
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["tcp_mem"]
    assert stats.unframed == 1 and reconciled(stats, data)


def test_text_between_entries_is_one_stray_record():
    """Lines that are not verbose output end the entry before them and count once as unframed."""
    data = (entry(1, OOM) + "Nov 22 10:00:00 web1 kernel: " + CT + "\nmore text\n" + entry(2, NEIGH)).encode()
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["tcp_mem", "neigh_overflow"]
    assert stats.unframed == 1 and reconciled(stats, data)


def test_application_entry_is_not_the_kernel():
    """_TRANSPORT decides: an application saying a kernel phrase counts as not_kernel."""
    data = entry(1, CT, transport="syslog").encode()
    got, stats = scan(data)
    assert got == [] and stats.not_kernel == 1


def test_overlong_line_is_counted_not_kept(monkeypatch):
    """A line past MAX_LINE is read on to its end, its entry unframed, every byte counted."""
    monkeypatch.setattr(journal_verbose, "MAX_LINE", 256)
    data = (entry(1, "TCP: " + "x" * 1000) + entry(2, CT)).encode()
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["conntrack_full"]
    assert stats.unframed == 1 and reconciled(stats, data)


def test_oversized_entry_is_counted_not_kept(monkeypatch):
    """An entry past MAX_ENTRY bytes is dropped from memory, counted unframed; the next entry still reads."""
    monkeypatch.setattr(journal_verbose, "MAX_ENTRY", 2048)
    pad = " " * len("    MESSAGE=")
    data = (entry(1, OOM + "".join(f"\n{pad}line {i}" for i in range(200))) + entry(2, CT)).encode()
    chunks = list(journal_verbose.chunks(io.BytesIO(data)))
    assert chunks[0].fields is None and chunks[0].raw == b""
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["conntrack_full"]
    assert stats.unframed == 1 and reconciled(stats, data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=30), st.sampled_from([
    header(1, 1795370000000000, 5).encode(), b"    MESSAGE=" + CT.encode() + b"\n", b"    _TRANSPORT=kernel\n",
    b"                second\n", b"            \n", b"\n", b"-- Boot " + BOOT.encode() + b" --\n", b"\r\n",
    b"    MESSAGE=[3B blob data]\n", b"    X=", b"\xe2\x96\x91\xe2\x96\x91 x\n", b"Sun 2026 [s=", b"    ",
])), max_size=25))
def test_reader_never_raises_and_counts_every_byte_once(parts):
    """Any stream: chunks tile it exactly (bytes, lines), and the scan's counts reconcile."""
    data = b"".join(parts)
    chunks = list(journal_verbose.chunks(io.BytesIO(data)))
    assert sum(c.size for c in chunks) == len(data)
    assert [c.offset for c in chunks] == [sum(c.size for c in chunks[:i]) for i in range(len(chunks))]
    assert b"".join(c.raw for c in chunks) == data
    _, stats = scan(data)
    assert reconciled(stats, data)


# --- the command line and workers -------------------------------------------------------------------------------


SAMPLE = (entry(1, OOM) + f"-- Boot {BOOT2} --\n" + entry(2, CT, BOOT2) + entry(3, None)).encode()


def test_scan_sniffs_verbose_files_plain_and_compressed(tmp_path):
    """`tcplog scan FILE` reads verbose output whatever the extension, gzip too; --stats counts it."""
    plain, packed = tmp_path / "kern.txt", tmp_path / "kern.log.gz"
    plain.write_bytes(SAMPLE)
    packed.write_bytes(gzip.compress(SAMPLE))
    for path in (plain, packed):
        r = tcplog("scan", str(path), "--stats")
        assert r.returncode == 0, r.stderr
        assert [e["family"] for e in events(r.stdout)] == ["tcp_mem", "conntrack_full"]
        stats = orjson.loads(r.stderr)
        assert stats["bytes"] == len(SAMPLE) and stats["lines"] == SAMPLE.count(b"\n")
        assert stats["candidates"] == 3 and stats["unframed"] == 1
    assert [e["source"]["line"] for e in events(tcplog("scan", str(plain)).stdout)] == [1, 11]


def test_scan_sniffs_verbose_inside_a_tar_archive(tmp_path):
    """A verbose file as a tar member (a sosreport's journal dump) is read entry by entry."""
    archive = tmp_path / "dump.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("sos_commands/logs/journalctl_-o_verbose")
        info.size = len(SAMPLE)
        tar.addfile(info, io.BytesIO(SAMPLE))
    got = events(tcplog("scan", str(archive)).stdout)
    assert [e["family"] for e in got] == ["tcp_mem", "conntrack_full"]
    assert got[1]["source"]["file"].endswith("!sos_commands/logs/journalctl_-o_verbose")
    assert got[1]["source"]["line"] == 11


def test_scan_sniffs_verbose_on_stdin():
    """`journalctl -o verbose | tcplog scan -` reads entry by entry."""
    r = tcplog("scan", "-", stdin=SAMPLE)
    got = events(r.stdout)
    assert [e["family"] for e in got] == ["tcp_mem", "conntrack_full"]
    assert got[0]["source"]["framing"] == "journal-verbose" and got[0]["source"]["file"] == "<stdin>"


def test_workers_never_cut_a_verbose_file(tmp_path):
    """A verbose file is one task whatever its size: entries span lines, so no byte range may cut one."""
    log = tmp_path / "big.verbose"
    log.write_bytes(SAMPLE * 2000)
    assert os.path.getsize(log) > 2 * 20_000
    assert len(workers.plan([(str(log), None)], True, range_bytes=20_000)) == 1


def test_workers_give_the_output_of_one_process(tmp_path):
    """`scan --workers 2` over verbose, export and syslog files writes what one process writes."""
    big = tmp_path / "a.verbose"
    big.write_bytes(SAMPLE * 4000)
    exp = tmp_path / "b.export"
    exp.write_bytes(export_stream())
    syslog = tmp_path / "c.log"
    syslog.write_bytes(b"Nov 21 10:00:00 web1 kernel: " + CT.encode() + b"\n")
    paths = [str(big), str(exp), str(syslog), str(big)]
    one = tcplog("scan", *paths, "--workers", "1", "--stats", "--reference-time", "2026-11-23T00:00:00Z")
    two = tcplog("scan", *paths, "--workers", "2", "--stats", "--reference-time", "2026-11-23T00:00:00Z")
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stdout == two.stdout and one.stdout.count(b"\n") > 8000
    assert orjson.loads(one.stderr) == orjson.loads(two.stderr)


# --- a real journal ---------------------------------------------------------------------------------------------


def _export(fields: list[tuple[str, object]]) -> bytes:
    return b"".join(_field(k, v) for k, v in fields) + b"\n"


def _real_stream() -> bytes:
    """test_journald's entries, and: a multi-line value, tab/control/empty/long fields, a second boot with a
    _SOURCE_REALTIME_TIMESTAMP, an entry without MESSAGE."""
    base = 1795370100000000
    kernel = [("_TRANSPORT", "kernel"), ("PRIORITY", "4"), ("SYSLOG_FACILITY", "0"), ("SYSLOG_IDENTIFIER", "kernel"),
              ("_HOSTNAME", "testhost")]
    out = export_stream()
    out += _export([("__REALTIME_TIMESTAMP", str(base)), ("__MONOTONIC_TIMESTAMP", "99000000"), ("_BOOT_ID", BOOT),
                    *kernel, ("MESSAGE", "TCP: out of memory -- consider tuning tcp_mem\nsecond line\n\n  fourth\n"),
                    ("TABF", "a\tb"), ("CTRL", "a\x01b"), ("EMPTY", ""), ("LONGF", "x" * 400)])
    out += _export([("__REALTIME_TIMESTAMP", str(base + 1_000_000)), ("__MONOTONIC_TIMESTAMP", "1000000"),
                    ("_BOOT_ID", BOOT2), *kernel, ("MESSAGE", NEIGH), ("_SOURCE_MONOTONIC_TIMESTAMP", "999000"),
                    ("_SOURCE_REALTIME_TIMESTAMP", str(base + 500_000))])  # the header shows this time
    out += _export([("__REALTIME_TIMESTAMP", str(base + 2_000_000)), ("__MONOTONIC_TIMESTAMP", "2000000"),
                    ("_BOOT_ID", BOOT2), *kernel, ("NOMSG", "x")])
    return out


@pytest.fixture(scope="module")
def real_journal(tmp_path_factory) -> str:
    return conftest.real_journal(tmp_path_factory.mktemp("journal-verbose"), _real_stream())


def journalctl(path: str, *args: str, tz: str = "UTC") -> bytes:
    return subprocess.run(["journalctl", "--file", path, "--no-pager", *args], check=True, capture_output=True,
                          timeout=60, env={**os.environ, "TZ": tz}).stdout


def _same(e: dict) -> dict:
    """An event without what differs between the two files: framing, file, position, raw, and __SEQNUM (export prints it
    from systemd 254 on, verbose always has it in the cursor)."""
    e = orjson.loads(orjson.dumps(e))
    for key in ("framing", "file", "line", "offset"):
        del e["source"][key]
    extra = e["source"]["extra"] or {}
    extra.pop("__SEQNUM", None)
    e["source"]["extra"] = extra or None
    del e["raw"], e["raw_b64"]
    return e


def test_real_verbose_output_gives_the_events_of_export(real_journal, tmp_path):
    """journalctl -o verbose -a and -o export of one journal give the same events (header fields included)."""
    verbose, export = tmp_path / "j.verbose", tmp_path / "j.export"
    verbose.write_bytes(journalctl(real_journal, "-o", "verbose", "-a"))
    export.write_bytes(journalctl(real_journal, "-o", "export"))
    got = events(tcplog("scan", str(verbose)).stdout)
    want = events(tcplog("scan", str(export)).stdout)
    assert [e["family"] for e in got] == ["syn_flood", "conntrack_full", "neigh_overflow", "tcp_mem",
                                          "netdev_watchdog", "neigh_overflow"]
    assert all(e["source"]["framing"] == "journal-verbose" for e in got)
    assert [_same(e) for e in got] == [_same(e) for e in want]
    data = verbose.read_bytes()
    assert all(data[e["source"]["offset"]:].startswith(b"Sun 2026-11-22 ") for e in got)
    assert data[got[-1]["source"]["offset"]:].startswith(b"Sun 2026-11-22 17:55:00.500000 UTC [")
    assert got[-1]["time"] == "2026-11-22T17:55:01.000000Z"  # __REALTIME_TIMESTAMP, as -o export and json
    lines = data.split(b"\n")
    assert all(b"[s=" in lines[e["source"]["line"] - 1] for e in got)


def test_real_verbose_fields_match_json(real_journal):
    """Every printable field of every entry reads back as -o json has it (multi-line values, tabs, empty)."""
    out = journalctl(real_journal, "-o", "verbose")
    assert b"-- Boot " + BOOT2.encode() + b" --" in out and b"blob data]" in out
    entries = [c for c in journal_verbose.chunks(io.BytesIO(out)) if c.kind != "note"]
    objs = [orjson.loads(line) for line in journalctl(real_journal, "-o", "json").splitlines()]
    assert len(entries) == len(objs) and all(c.kind == "entry" and c.fields is not None for c in entries)
    for chunk, obj in zip(entries, objs):
        for key in ("__CURSOR", "__REALTIME_TIMESTAMP", "__MONOTONIC_TIMESTAMP", "_BOOT_ID"):
            assert chunk.fields[key].decode() == obj[key]
        shown = {k: v for k, v in chunk.fields.items() if v is not None and not k.startswith("__")}
        assert shown == {k: obj[k].rstrip("\n").encode() for k in shown}
        blobs = {k for k, v in chunk.fields.items() if v is None}
        assert blobs <= {"MESSAGE", "CTRL"}
    multi = next(c for c in entries if c.fields.get("TABF"))
    assert multi.fields["MESSAGE"] == b"TCP: out of memory -- consider tuning tcp_mem\nsecond line\n\n  fourth"
    assert multi.fields["TABF"] == b"a\tb" and multi.fields["EMPTY"] == b"" and multi.fields["CTRL"] is None


def test_real_verbose_without_all_and_in_another_zone(real_journal, tmp_path):
    """Without -a the binary message is a blob (unframed); the machine zone in the header changes nothing."""
    utc, ist = tmp_path / "utc.verbose", tmp_path / "ist.verbose"
    utc.write_bytes(journalctl(real_journal, "-o", "verbose"))
    ist.write_bytes(journalctl(real_journal, "-o", "verbose", tz="Asia/Kolkata"))
    assert b" IST [s=" in ist.read_bytes()
    r = tcplog("scan", str(utc), "--stats")
    got = events(r.stdout)
    assert [e["family"] for e in got] == ["syn_flood", "conntrack_full", "neigh_overflow", "tcp_mem",
                                          "neigh_overflow"]
    stats = orjson.loads(r.stderr)
    assert stats["unframed"] == 2  # the blob MESSAGE and the entry without one
    assert stats["bytes"] == utc.stat().st_size and stats["lines"] == utc.read_bytes().count(b"\n")
    assert [e["time"] for e in events(tcplog("scan", str(ist)).stdout)] == [e["time"] for e in got]
