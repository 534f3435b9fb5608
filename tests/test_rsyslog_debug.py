"""rsyslog's RSYSLOG_DebugFormat: sniffed, read record by record, bad records counted once, never split."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tcplog import framing
from tcplog.connectors import workers
from tcplog.framing import journal_verbose, rsyslog_debug
from tests.test_cli import events, tcplog
from tests.test_journal_verbose import reconciled
from tests.test_journal_verbose import scan as verbose_scan

# What rsyslog 8.2302 writes with template="RSYSLOG_DebugFormat" for records received over TCP
# (a kernel record, one with a printk stamp, one from user space, one sent with an RFC 3339 date).
DEBUG = b"""Debug line with all properties:
FROMHOST: 'localhost', fromhost-ip: '127.0.0.1', HOSTNAME: 'web1', PRI: 4,
syslogtag 'kernel:', programname: 'kernel', APP-NAME: 'kernel', PROCID: '-', MSGID: '-',
TIMESTAMP: 'Nov  2 10:00:00', STRUCTURED-DATA: '-',
msg: ' nf_conntrack: nf_conntrack: table full, dropping packet'
escaped msg: ' nf_conntrack: nf_conntrack: table full, dropping packet'
inputname: imtcp rawmsg: '<4>Nov  2 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet'
$!:
$.:
$/:

Debug line with all properties:
FROMHOST: 'localhost', fromhost-ip: '127.0.0.1', HOSTNAME: 'web1', PRI: 3,
syslogtag 'kernel:', programname: 'kernel', APP-NAME: 'kernel', PROCID: '-', MSGID: '-',
TIMESTAMP: 'Nov 22 10:00:01', STRUCTURED-DATA: '-',
msg: ' [ 1234.567890] TCP: out of memory -- consider tuning tcp_mem'
escaped msg: ' [ 1234.567890] TCP: out of memory -- consider tuning tcp_mem'
inputname: imtcp rawmsg: '<3>Nov 22 10:00:01 web1 kernel: [ 1234.567890] TCP: out of memory -- consider tuning tcp_mem'
$!:
$.:
$/:

Debug line with all properties:
FROMHOST: 'localhost', fromhost-ip: '127.0.0.1', HOSTNAME: 'web1', PRI: 13,
syslogtag 'myapp[42]:', programname: 'myapp', APP-NAME: 'myapp', PROCID: '42', MSGID: '-',
TIMESTAMP: 'Nov 22 10:00:02', STRUCTURED-DATA: '-',
msg: ' TCP: time wait bucket table overflow'
escaped msg: ' TCP: time wait bucket table overflow'
inputname: imtcp rawmsg: '<13>Nov 22 10:00:02 web1 myapp[42]: TCP: time wait bucket table overflow'
$!:
$.:
$/:

Debug line with all properties:
FROMHOST: 'localhost', fromhost-ip: '127.0.0.1', HOSTNAME: 'web1', PRI: 4,
syslogtag 'kernel:', programname: 'kernel', APP-NAME: 'kernel', PROCID: '-', MSGID: '-',
TIMESTAMP: 'Nov 22 10:00:03', STRUCTURED-DATA: '-',
msg: ' neighbour: arp_cache: neighbor table overflow!'
escaped msg: ' neighbour: arp_cache: neighbor table overflow!'
inputname: imtcp rawmsg: '<4>2026-11-22T10:00:03.123456+01:00 web1 kernel: neighbour: arp_cache: neighbor table overflow!'
$!:
$.:
$/:

"""
CT = "nf_conntrack: nf_conntrack: table full, dropping packet"


def scan(data: bytes):
    return verbose_scan(data, "debug.log", rsyslog_debug)


def record(i: int) -> bytes:
    """The i-th record of DEBUG, with its empty last line."""
    return b"Debug line with all properties:" + DEBUG.split(b"Debug line with all properties:")[i + 1]


def test_sniff_knows_the_debug_format_and_nothing_else():
    assert rsyslog_debug.sniff(DEBUG[:512]) and framing.streamed(DEBUG[:512]) is rsyslog_debug
    assert framing.streamed(b"\xef\xbb\xbf" + DEBUG[:512]) is rsyslog_debug
    for other in (b"Debug line with all properties:\n", b"Nov 22 10:00:00 web1 kernel: Debug line with all properties:\n",
                  b"msg: ' nf_conntrack: table full, dropping packet'\n", b"Debug line with all properties: x\nFROMHOST: '"):
        assert framing.streamed(other) is None, other


def test_records_give_host_time_facility_severity_and_the_message():
    """The kernel's records are events with HOSTNAME, TIMESTAMP, PRI and the printk stamp; the words repeated
    in `escaped msg` and `rawmsg` give no second event; the user-space record none."""
    got, stats = scan(DEBUG)
    assert [e["family"] for e in got] == ["conntrack_full", "tcp_mem", "neigh_overflow"]
    assert [(e["host"], e["time"], e["kernel"]["facility"], e["kernel"]["level"]) for e in got] == [
        ("web1", "2026-11-02T10:00:00.000000Z", 0, 4), ("web1", "2026-11-22T10:00:01.000000Z", 0, 3),
        ("web1", "2026-11-22T10:00:03.000000Z", 0, 4)]
    assert got[1]["kernel"]["monotonic"] == 1234.56789 and got[0]["source"]["program"] == "kernel"
    assert all(e["source"]["framing"] == "rsyslog-debug" and e["source"]["extra"] == {"fromhost": "localhost"}
               for e in got)
    assert [e["source"]["line"] for e in got] == [1, 12, 34]
    assert all(DEBUG[e["source"]["offset"]:].startswith(b"Debug line") for e in got)
    assert got[0]["raw"].encode() == record(0).rstrip(b"\n")
    assert stats.candidates == 4 and stats.not_kernel == 1 and stats.unframed == 0 and reconciled(stats, DEBUG)


def test_older_template_without_inputname_and_variables():
    """rsyslog before the `inputname:` and `$!:` lines ended a record after `rawmsg: '…'`."""
    old = (b"Debug line with all properties:\nFROMHOST: 'web1', fromhost-ip: '10.0.0.5', HOSTNAME: 'web1', PRI: 4,\n"
           b"syslogtag 'kernel:', programname: 'kernel', APP-NAME: 'kernel', PROCID: '-', MSGID: '-',\n"
           b"TIMESTAMP: 'Jun 30 16:20:04', STRUCTURED-DATA: '-',\nmsg: ' %s'\nescaped msg: ' %s'\n"
           b"rawmsg: '<4>Jun 30 16:20:04 web1 kernel: %s'\n\n") % ((CT.encode(),) * 3)
    (event,), stats = scan(old)
    assert (event["host"], event["time"], event["source"]["extra"]) == ("web1", "2026-06-30T16:20:04.000000Z", None)
    assert stats.candidates == 1 and reconciled(stats, old)


def test_a_message_over_several_lines_is_read_whole():
    """Values are unescaped: a message holding a newline and a quote ends at `'` + the `escaped msg` line."""
    data = record(0).replace(b"msg: ' nf_conntrack: nf_conntrack: table full, dropping packet'\nescaped",
                             b"msg: ' nf_conntrack: nf_conntrack: table full, dropping packet\nit's a second line'\nescaped")
    (r,) = [c for c in rsyslog_debug.chunks(io.BytesIO(data)) if c.kind == "entry"]
    assert r.fields["msg"] == " " + CT + "\nit's a second line"


def test_bad_records_are_counted_once_and_the_rest_read():
    """Cut before its message ends, a field edited out of shape, an empty message: unframed, once each."""
    cut = record(0)[:record(0).index(b"escaped msg")]
    edited = record(0).replace(b"PRI: 4,", b"PRI: four,")
    empty = record(0).replace(b"msg: ' nf_conntrack: nf_conntrack: table full, dropping packet'\nescaped", b"msg: ''\nescaped")
    data = edited + empty + record(1) + cut
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["tcp_mem"]
    assert stats.candidates == 4 and stats.unframed == 3 and reconciled(stats, data)


def test_lines_before_the_first_record_are_one_stray_run():
    data = b"\nsome text\nmore text\n" + record(0)
    got, stats = scan(data)
    assert [e["family"] for e in got] == ["conntrack_full"] and got[0]["source"]["line"] == 4
    assert stats.candidates == 2 and stats.unframed == 1 and reconciled(stats, data)


def test_crlf_and_no_final_newline_read_the_same():
    crlf = record(0).replace(b"\n", b"\r\n")
    got, stats = scan(crlf)
    assert [e["family"] for e in got] == ["conntrack_full"] and reconciled(stats, crlf)
    cut = record(0).rstrip(b"\n")
    got, stats = scan(cut)
    assert [e["family"] for e in got] == ["conntrack_full"] and reconciled(stats, cut)


def test_oversized_record_and_overlong_line_are_counted_not_kept(monkeypatch):
    monkeypatch.setattr(rsyslog_debug, "MAX_ENTRY", 2048)
    big = record(0).replace(b"rawmsg: '", b"rawmsg: '" + b"x" * 4096)
    got, stats = scan(big + record(1))
    assert [e["family"] for e in got] == ["tcp_mem"] and stats.unframed == 1 and reconciled(stats, big + record(1))
    monkeypatch.setattr(journal_verbose, "MAX_LINE", 256)
    long_line = record(0).replace(b"$!:", b"$!:" + b"y" * 1000)
    got, stats = scan(long_line + record(1))
    assert [e["family"] for e in got] == ["tcp_mem"] and stats.unframed == 1
    assert reconciled(stats, long_line + record(1))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=30), st.sampled_from(
    [line + b"\n" for line in record(0).split(b"\n")] + [b"\r\n", b"msg: '", b"'\n", b"Debug line with all properties:"])),
    max_size=30))
def test_reader_never_raises_and_counts_every_byte_once(parts):
    data = b"".join(parts)
    chunks = list(rsyslog_debug.chunks(io.BytesIO(data)))
    assert sum(c.size for c in chunks) == len(data)
    assert sum(c.lines for c in chunks) == data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    _, stats = scan(data)
    assert reconciled(stats, data)


def test_file_and_stdin_on_the_command_line(tmp_path):
    path = tmp_path / "debug.log"
    path.write_bytes(DEBUG)
    got = events(tcplog("scan", str(path)).stdout)
    assert [e["family"] for e in got] == ["conntrack_full", "tcp_mem", "neigh_overflow"]
    piped = events(tcplog("scan", "-", stdin=DEBUG).stdout)
    assert [e["message_id"] for e in piped] == [e["message_id"] for e in got]


def test_workers_never_cut_a_debug_file(tmp_path):
    path = tmp_path / "debug.log"
    path.write_bytes(DEBUG * 200)
    assert len(workers.plan([(str(path), None)], True, range_bytes=20_000)) == 1
    one = tcplog("scan", str(path), "--workers", "1", "--no-classify")
    two = tcplog("scan", str(path), "--workers", "2", "--no-classify")
    assert one.stdout == two.stdout and len(events(one.stdout)) == 600
