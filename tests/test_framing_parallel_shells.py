"""Parallel shells' output: a host label before each line (pdsh, clush, salt --out=txt), or the output gathered
under a heading per host (clush -b, dshbak, ansible, parallel-ssh -i, salt). The label is the host of records
that name none, kept in `source.extra.prefix_host`; subsystem prefixes and tags are never hosts. Before bare kernel
text a label is a host only when the text after it is a message and the whole line is not."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from connectors import workers
from tcplog import framing
from tcplog.connectors.files import blocks
from tcplog.framing import gathered
from tcplog.framing.context import FramingContext
from tcplog.scan import Scanner, Stats

REF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
TW = "TCP: time wait bucket table overflow"
CT = "nf_conntrack: nf_conntrack: table full, dropping packet"


def ctx() -> FramingContext:
    return FramingContext(reference=REF)


def lines(data: bytes) -> tuple[list[dict], Stats]:
    """Events and counts of a stream read line by line (scan_blocks)."""
    stats = Stats()
    return list(Scanner().scan_blocks(blocks(io.BytesIO(data)), ctx(), "out.txt", stats)), stats


def gathered_scan(data: bytes) -> tuple[list[dict], Stats]:
    """Events and counts of a stream sniffed as gathered output and read chunk by chunk."""
    assert framing.streamed(data[:512]) is gathered
    stats = Stats()
    return list(Scanner().scan_chunked(gathered, io.BytesIO(data), ctx(), "out.txt", stats)), stats


def summary(events: list[dict]) -> list[tuple]:
    return [(e["source"]["line"], e["host"], (e["source"]["extra"] or {}).get("prefix_host"), e["message_id"])
            for e in events]


def reconciles(stats: Stats, events: list[dict]) -> bool:
    return stats.candidates == len(events) + stats.unframed + stats.not_kernel + stats.unmatched + stats.merged


@pytest.mark.parametrize("line,host,framing_name,program,monotonic,time", [
    (f"web1: [12345.678901] {TW}", "web1", "dmesg", None, 12345.678901, None),  # pdsh -w web[1-9] dmesg
    (f"web1: Nov 22 10:00:00 web1 kernel: {TW}", "web1", "rfc3164", "kernel", None,
     datetime(2026, 11, 22, 10, tzinfo=timezone.utc)),  # pdsh ... grep kernel: /var/log/messages
    (f"web1: [Sun Nov 22 10:00:00 2026] {TW}", "web1", "dmesg", None, None,
     datetime(2026, 11, 22, 10, tzinfo=timezone.utc)),  # dmesg -T
    (f"web1.example.com: <4>[   12.500000] {TW}", "web1.example.com", "dmesg", None, 12.5, None),  # dmesg -r
    (f"10.0.0.5: [   12.500000] {TW}", "10.0.0.5", "dmesg", None, 12.5, None),
    (f"web1: kernel: [   12.500000] {TW}", "web1", "dmesg-t", "kernel", 12.5, None),  # a tag after the label
])
def test_a_host_label_names_the_host_of_the_record_after_it(line, host, framing_name, program, monotonic, time):
    r = framing.decode(line.encode(), ctx())
    assert (r.host, r.framing, r.program, r.monotonic, r.time, r.text) == (host, framing_name, program, monotonic,
                                                                          time, TW)
    assert r.extra == {"prefix_host": line.split(":")[0]} and r.raw == line.encode()


def test_the_records_own_host_stays_and_the_label_is_kept():
    """A log server's file read through pdsh: the record names its sender; the label is where it was read."""
    r = framing.decode(f"loghost: Nov 22 10:00:00 web7 kernel: {TW}".encode(), ctx())
    assert (r.host, r.extra) == ("web7", {"prefix_host": "loghost"})


def test_a_node_set_label_is_kept_but_names_no_host():
    """clush -bL prints the lines several nodes printed alike once, under their node set."""
    for label in ("web[1-3]", "web1,db2", "web[1-3,5],db[01-02]"):
        r = framing.decode(f"{label}: [   12.500000] {TW}".encode(), ctx())
        assert (r.host, r.extra, r.monotonic) == (None, {"prefix_host": label}, 12.5)


def test_grep_output_after_a_host_label_is_read():
    """`pdsh -w web[1-2] grep -H TCP /var/log/kern.log*`: the label, then grep's file name."""
    r = framing.decode(f"web1: /var/log/kern.log.1:Nov 22 10:00:00 web1 kernel: {TW}".encode(), ctx())
    assert (r.host, r.framing, r.text, r.extra) == ("web1", "rfc3164", TW, {"prefix_host": "web1"})


@pytest.mark.parametrize("line", [
    TW, "nf_conntrack: table full, dropping packet", CT,
    "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.",
    "IPv4: martian source 10.0.0.1 from 10.0.0.2, on dev eth0", "neighbour: arp_cache: neighbor table overflow!",
    f"kernel: [   12.500000] {TW}",
])
def test_subsystem_prefixes_and_the_kernel_tag_are_no_hosts(line):
    """Kernel text keeps its first word: the text after `TCP: ` or `nf_conntrack: ` has no header of its own."""
    r = framing.decode(line.encode(), ctx())
    assert (r.framing, r.host, r.extra) == ("dmesg-t", None, {})
    assert r.text in (line, TW)


def test_a_host_label_before_bare_kernel_text_names_the_host():
    """pdsh/clush of `dmesg` on a kernel without printk stamps, or of `journalctl -k -o cat`: the label is the
    host when the text after it is a message tcplog reads and the whole line is not."""
    data = (f"web1: {TW}\n"
            "web2: nf_conntrack: table full, dropping packet\n"
            f"web3.example.com: {CT}\n"  # the doubled prefix stays the kernel's
            "db1:\tTCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.\n"
            f"web[4-5]: {TW}\n"  # a node set is kept, names no host
            "10.0.0.5: VE101: nf_conntrack: table full, dropping packet.\n").encode()
    events, stats = lines(data)
    assert summary(events) == [(1, "web1", "web1", "tw_bucket_overflow.legacy"),
                               (2, "web2", "web2", "conntrack_full.ratelimited"),
                               (3, "web3.example.com", "web3.example.com", "conntrack_full.pr_fmt"),
                               (4, "db1", "db1", "syn_flood.slab"),
                               (5, None, "web[4-5]", "tw_bucket_overflow.legacy"),
                               (6, "10.0.0.5", "10.0.0.5", "conntrack_full.openvz_ve")]
    assert events[0]["raw"] == f"web1: {TW}" and events[5]["fields"]["container_id"] == 101
    assert reconciles(stats, events)


def test_a_host_label_before_bare_kernel_text_in_a_filter_pass():
    from tcplog.recognize import Recognizer
    from tcplog.record import Position

    event = Recognizer().event(f"web1: {TW}".encode(), ctx(), Position("out.txt", 1, 0))
    assert (event["host"], event["source"]["extra"], event["message_id"]) == (
        "web1", {"prefix_host": "web1"}, "tw_bucket_overflow.legacy")


@pytest.mark.parametrize("line", [
    CT, "TCP: TCP: Possible SYN flooding on port 9042. Sending cookies.  Check SNMP counters.",
    "VE101: nf_conntrack: table full, dropping packet.",  # OpenVZ's container, not a host
    "neighbour: arp_cache: neighbor table overflow!",
])
def test_a_subsystem_prefix_of_the_kernels_own_wording_is_no_label(line):
    events, _ = lines(f"{line}\n".encode())
    assert [(e["host"], e["source"]["extra"]) for e in events] == [(None, None)]


@pytest.mark.parametrize("line", [
    f"eth0: {TW}", f"bond0: {TW}", f"IPv6: {TW}", f"TCPv6: {TW}", f"UDP: {TW}", f"nf_conntrack: {TW}",
    f"request_sock_TCP: {TW}", f"VE101: {TW}", f"12: {TW}", f"kern.warn: {TW}", f"Stderr: {TW}",
    f"web1: web2: {TW}",  # two labels: no message after the first
    "web1: nf_conntrack: table full, dropping packets",  # the text after the label is no message either
])
def test_look_alike_labels_before_bare_text_give_no_event(line):
    """A kernel subsystem's word, an interface's name, a line number, a syslog token or a stream name before kernel
    text is no host: the line gives no event (its whole text is no message)."""
    events, stats = lines(f"{line}\n".encode())
    assert events == [] and stats.unmatched == 1


def test_a_programs_tag_after_a_label_names_that_program():
    """`pdsh grep rsyslogd /var/log/messages | cut ...`: the line after the label is rsyslogd's, not the kernel's."""
    r = framing.decode(b"web1: rsyslogd[614]: rsyslogd[internal_messages]: 3543 messages lost due to rate-limiting",
                       ctx())
    assert (r.host, r.program, r.pid, r.kernel, r.extra) == ("web1", "rsyslogd", 614, False, {"prefix_host": "web1"})


def test_digits_alone_are_no_host_label():
    """A line number (`nl -s': '`, a numbered paste) is no host; an IPv4 address is one (above)."""
    r = framing.decode(f"12: [   12.500000] {TW}".encode(), ctx())
    assert (r.framing, r.host, r.extra, r.text) == ("dmesg-t", None, {}, f"12: [   12.500000] {TW}")


def test_parallel_ssh_stderr_label_is_no_host():
    r = framing.decode(f"Stderr: [   12.500000] {TW}".encode(), ctx())
    assert (r.host, r.extra) == (None, {})


def test_a_pdsh_file_gives_each_line_its_host_and_the_counts_reconcile():
    data = (f"web1: [   10.000000] {TW}\n"
            "web2: [    0.000000] Linux version 6.1.0\n"
            f"web2: [   20.000000] {CT}\n"
            f"web10: Nov 22 10:00:00 web10 kernel: {TW}\n"
            f"web3: sshd[42]: Nov 22 10:00:00 {TW}\n").encode()  # not a kernel record
    events, stats = lines(data)
    assert summary(events) == [(1, "web1", "web1", "tw_bucket_overflow.legacy"),
                               (3, "web2", "web2", "conntrack_full.pr_fmt"),
                               (4, "web10", "web10", "tw_bucket_overflow.legacy")]
    assert (stats.lines, stats.candidates, stats.unframed) == (5, 4, 0) and reconciles(stats, events)


CLUSH_B = (
    b"[root@admin ~]# clush -b -w web[1-3] dmesg\n"
    b"\x1b[34m---------------\nweb1\n---------------\x1b[0m\n"
    b"[    0.000000] Linux version 6.1.0\n"
    b"[   10.000000] TCP: time wait bucket table overflow\n"
    b"\x1b[34m---------------\nweb[2-3] (2)\n---------------\x1b[0m\n"
    b"[   20.000000] nf_conntrack: nf_conntrack: table full, dropping packet\n"
    b"---------------\n"  # a dash line that starts no heading is a line of output
    b"[   21.000000] TCP: time wait bucket table overflow\n"
)


def test_clush_gathered_blocks_name_the_host_of_their_lines():
    """clush -b: the heading's node set is the host when it is one node; `web[2-3] (2)` is kept, names none;
    the prompt line and a dash line that starts no heading are ordinary lines."""
    events, stats = gathered_scan(CLUSH_B)
    assert summary(events) == [(6, "web1", "web1", "tw_bucket_overflow.legacy"),
                               (10, None, "web[2-3]", "conntrack_full.pr_fmt"),
                               (12, None, "web[2-3]", "tw_bucket_overflow.legacy")]
    assert events[0]["raw"] == "[   10.000000] TCP: time wait bucket table overflow"
    assert events[0]["kernel"]["monotonic"] == 10.0
    assert (stats.lines, stats.bytes, stats.candidates, stats.unframed) == (12, len(CLUSH_B), 3, 0)


def test_dshbak_blocks_keep_the_space_pdsh_left():
    data = (b"----------------\nweb1\n----------------\n [   10.000000] TCP: time wait bucket table overflow\n"
            b"----------------\nweb[2-3],db1\n----------------\n [   20.000000] TCP: time wait bucket table overflow\n")
    events, stats = gathered_scan(data)
    assert summary(events) == [(4, "web1", "web1", "tw_bucket_overflow.legacy"),
                               (8, None, "web[2-3],db1", "tw_bucket_overflow.legacy")]
    assert events[0]["raw"] == " [   10.000000] TCP: time wait bucket table overflow"
    assert (stats.lines, stats.candidates) == (8, 2) and reconciles(stats, events)


def test_ansible_ad_hoc_output_names_each_block_by_its_host():
    data = (b"$ ansible web -a 'dmesg'\n"
            b"web1 | CHANGED | rc=0 >>\n"
            b"[   10.000000] TCP: time wait bucket table overflow\n"
            b"[   11.000000] IPv4: martian source 10.0.0.1 from 10.0.0.2, on dev eth0\n"
            b"\n"
            b"web2 | UNREACHABLE! => {\n"
            b'    "msg": "TCP: time wait bucket table overflow",\n'
            b"}\n"
            b"db1.example.com | FAILED | rc=1 >>\n"
            b"Nov 22 10:00:00 db1 kernel: nf_conntrack: table full, dropping packet\n")
    events, stats = gathered_scan(data)
    assert summary(events) == [(3, "web1", "web1", "tw_bucket_overflow.legacy"),
                               (4, "web1", "web1", "martian_source.pr_fmt"),
                               (10, "db1", "db1.example.com", "conntrack_full.ratelimited")]
    assert events[2]["time"] == "2026-11-22T10:00:00.000000Z"
    assert (stats.lines, stats.candidates) == (10, 4) and reconciles(stats, events)  # the JSON line: unmatched


def test_ansible_oneline_output_gives_each_escaped_line_its_host():
    """`ansible -o` (callback oneline, `"%s | %s | rc=%s | (stdout) %s"`, newlines written `\\n`, CRs `\\r`, then
    ` (stderr) %s`): each line of a host's output is a record of its own, at its offset in the line."""
    one = (rb"web1 | CHANGED | rc=0 | (stdout) Nov 22 10:00:00 web1 kernel: " + TW.encode()
           + rb"\nNov 22 10:00:01 web1 kernel: Linux version 6.1.0\nNov 22 10:00:02 web1 kernel: " + CT.encode())
    data = (one + b"\n"
            + rb"web2.example.com | FAILED | rc=1 | (stdout) [   10.000000] " + TW.encode()
            + rb" (stderr) dmesg: read kernel buffer failed" + b"\n"
            + rb"db1 | SUCCESS | rc=0 | (stdout) " + TW.encode() + rb"\r\nnf_conntrack: table full, dropping packet"
            + b"\n")
    events, stats = lines(data)
    assert summary(events) == [(1, "web1", "web1", "tw_bucket_overflow.legacy"),
                               (1, "web1", "web1", "conntrack_full.pr_fmt"),
                               (2, "web2.example.com", "web2.example.com", "tw_bucket_overflow.legacy"),
                               (3, "db1", "db1", "tw_bucket_overflow.legacy"),
                               (3, "db1", "db1", "conntrack_full.ratelimited")]
    assert events[0]["raw"] == f"Nov 22 10:00:00 web1 kernel: {TW}"
    assert events[0]["time"] == "2026-11-22T10:00:00.000000Z" and events[2]["kernel"]["monotonic"] == 10.0
    assert events[1]["source"]["offset"] == one.index(b"Nov 22 10:00:02")
    assert (stats.lines, stats.candidates) == (3, 5) and reconciles(stats, events)


@pytest.mark.parametrize("line", [
    rb"web1 | CHANGED | rc=0 >> (stdout) TCP: time wait bucket table overflow",  # the grouped heading's shape
    rb'web1 | SUCCESS => {"stdout": "TCP: time wait bucket table overflow\nTCP: time wait bucket table overflow"}',
    rb"web1 | CHANGED | (stdout) TCP: time wait bucket table overflow\nTCP: time wait bucket table overflow",  # no rc
    rb"web 1 | CHANGED | rc=0 | (stdout) TCP: time wait bucket table overflow\nx",  # a host holds no space
])
def test_look_alikes_of_ansible_oneline_output_are_not_split(line):
    events, stats = lines(line + b"\n")
    assert events == [] and stats.candidates == 1


def test_parallel_ssh_inline_output_names_each_block_by_its_host():
    """pssh -i: `[N] HH:MM:SS [SUCCESS] host` (colours, `user@host:port`, 2.x's `host port`), then the output."""
    data = (b"\x1b[36m[\x1b[1m1\x1b[0m\x1b[36m]\x1b[0m 10:00:00 \x1b[32m[\x1b[1mSUCCESS\x1b[0m\x1b[32m]\x1b[0m"
            b" root@web1:2222\n"
            b"[   10.000000] TCP: time wait bucket table overflow\n"
            b"[2] 10:00:01 [FAILURE] web2 22 Exited with error code 1\n"
            b"[   20.000000] TCP: time wait bucket table overflow\n")
    events, stats = gathered_scan(data)
    assert summary(events) == [(2, "web1", "web1", "tw_bucket_overflow.legacy"),
                               (4, "web2", "web2", "tw_bucket_overflow.legacy")]
    assert (stats.lines, stats.candidates) == (4, 2)


def test_salt_nested_output_cuts_the_indent_and_names_the_minion():
    data = (b"web1:\n"
            b"    [   10.000000] TCP: time wait bucket table overflow\n"
            b"    Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet\n"
            b"web2.example.com:\n"
            b"    [   20.000000] neighbour: arp_cache: neighbor table overflow!\n"
            b"ERROR: Minions returned with non-zero exit code\n")
    events, stats = gathered_scan(data)
    assert summary(events) == [(2, "web1", "web1", "tw_bucket_overflow.legacy"),
                               (3, "web1", "web1", "conntrack_full.ratelimited"),
                               (5, "web2.example.com", "web2.example.com", "neigh_overflow.table")]
    assert [e["source"]["framing"] for e in events] == ["dmesg", "rfc3164", "dmesg"]
    assert events[0]["raw"] == "    [   10.000000] TCP: time wait bucket table overflow"
    assert (stats.lines, stats.candidates) == (6, 3)


@pytest.mark.parametrize("head", [
    b"Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow\n" * 3,
    b"[   10.000000] TCP: time wait bucket table overflow\n" * 3,
    b"a\nb\nc\nd\nweb1 | CHANGED | rc=0 >>\n",  # a heading after more than three lines
    b"  indented\nweb1 | CHANGED | rc=0 >>\n",
    b"web1:\nnot indented\n",
    b"---------------\nweb1\n--------------\n",  # dash lines of different lengths
])
def test_other_streams_are_not_taken_for_gathered_output(head):
    assert framing.streamed(head) is not gathered


def test_the_lines_of_gathered_output_are_counted_once_whatever_the_stream_ends_with():
    """A stream cut inside a heading: the held lines are read as lines, each counted once."""
    for data in (b"---------------\nweb1\n", b"---------------\n", b"web1 | CHANGED | rc=0 >>\n[ 1.0] x"):
        chunks = list(gathered.chunks(io.BytesIO(data)))
        assert sum(c.lines for c in chunks) == data.count(b"\n") + (not data.endswith(b"\n"))
        assert sum(c.size for c in chunks) == len(data)


def test_workers_never_split_gathered_output(tmp_path):
    """The heading above a line names its host: a byte range starting below it would lose it."""
    path = tmp_path / "clush.txt"
    path.write_bytes(b"---------------\nweb1\n---------------\n" + b"[   10.000000] TCP: x\n" * 2000)
    assert len(workers.plan([(str(path), None)], True, range_bytes=1000)) == 1


def test_a_forced_framing_decodes_the_lines_under_the_headings():
    """--framing dmesg: the dmesg line is read (host from its heading), the syslog line is unframed."""
    data = (b"web1:\n    [   10.000000] TCP: time wait bucket table overflow\n"
            b"    Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet\n")
    stats = Stats()
    events = list(Scanner(forced_framing="dmesg").scan_chunked(gathered, io.BytesIO(data), ctx(), "x", stats))
    assert summary(events) == [(2, "web1", "web1", "tw_bucket_overflow.legacy")]
    assert (stats.candidates, stats.unframed) == (2, 1)


def test_scan_reads_gathered_output_from_a_file_with_one_or_two_workers(tmp_path):
    """Through the CLI: sniffed, read whole, the same output with --workers 1 and 2, --stats reconciles."""
    from tests.test_input_files import scan

    path = tmp_path / "clush.txt"
    path.write_bytes(CLUSH_B)
    code, got, stats, _ = scan(path)
    assert code == 0
    assert sorted((e["source"]["line"], e["host"]) for e in got) == [(6, "web1"), (10, None), (12, None)]
    assert (stats["lines"], stats["candidates"], stats["unframed"]) == (12, 3, 0)


def test_a_byte_order_mark_and_crlf_line_ends_leave_the_headings_readable():
    data = b"\xef\xbb\xbfweb1 | CHANGED | rc=0 >>\r\n[   10.000000] TCP: time wait bucket table overflow\r\n"
    events, stats = gathered_scan(data)
    assert summary(events) == [(2, "web1", "web1", "tw_bucket_overflow.legacy")]
    assert stats.lines == 2


@pytest.mark.parametrize("record,framing_name", [
    ("4,12,345,-;TCP: time wait bucket table overflow", "kmsg"),
    ("2026-11-22T10:00:00+00:00 web1 kernel: TCP: time wait bucket table overflow", "rfc3164"),
    ("1795370000.123456 web1 kernel: TCP: time wait bucket table overflow", "journal-short"),
    ("Sun 2026-11-22 10:00:00 UTC web1 kernel: TCP: time wait bucket table overflow", "journal-short"),
    ("11月 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow", "rfc3164"),
    ("2026 Nov  2 10:00:05 web1 kernel: TCP: time wait bucket table overflow", "rfc3164"),
    ("déc. 31 23:59:59 web1 kernel: TCP: time wait bucket table overflow", "rfc3164"),
    ("Aug 28 2024 13:16:32 web1 kernel: TCP: time wait bucket table overflow", "rfc3164"),
    ("Sun Jan 15 21:18:04 2023 kern.warn kernel: TCP: time wait bucket table overflow", "logread"),
    ("kern.warning<4>: Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow", "rfc3164"),
    ("kern  :warn  : [   12.500000] TCP: time wait bucket table overflow", "dmesg"),
    ("<4>[   12.500000] TCP: time wait bucket table overflow", "dmesg"),
    ('{"MESSAGE":"TCP: time wait bucket table overflow","_TRANSPORT":"kernel"}', "journal-json"),
])
def test_every_header_a_framing_reads_is_read_after_a_host_label(record, framing_name):
    r = framing.decode(f"web1: {record}".encode(), ctx())
    assert (r.framing, r.extra["prefix_host"], r.text) == (framing_name, "web1", TW)
