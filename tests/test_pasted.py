"""Log lines as people paste them: indented, quoted, cut, prefixed by the tool that fetched them, wrapped.

Each shape comes from the real pastes in tests/fixtures/real (test_real_logs.py); these tests pin one
behaviour each, with the cases that must not be read that way.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from tcplog import framing
from tcplog.connectors.files import blocks
from tcplog.framing.context import FramingContext
from tcplog.scan import Scanner, Stats

REF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
CT = "nf_conntrack: nf_conntrack: table full, dropping packet"


def decode(line: str):
    return framing.decode(line.encode(), FramingContext(reference=REF))


def scan(text: str, size: int = 1 << 20) -> tuple[list[dict], Stats]:
    stats = Stats()
    ctx = FramingContext(reference=REF)
    return list(Scanner().scan_blocks(blocks(io.BytesIO(text.encode()), size=size), ctx, "x", stats)), stats


@pytest.mark.parametrize("prefix", ["    ", "\t", "  ", "> ", ">> ", ">>> ", "> > ", " > ", ">"])
def test_indentation_and_quote_marks_before_a_record_are_read_past(prefix):
    """A code block's indentation and a mail's quote marks are no part of the record; raw keeps them."""
    r = decode(f"{prefix}Nov 22 10:00:00 web1 kernel: [  12.5] {CT}")
    assert (r.framing, r.host, r.program, r.monotonic, r.text) == ("rfc3164", "web1", "kernel", 12.5, CT)
    assert r.raw.decode().startswith(prefix)


def test_a_quoted_dmesg_line_keeps_its_caller():
    """`>>> [  601.749973][    C1] ...` from a mail thread: dmesg framing, stamp and caller read."""
    r = decode(">>> [  601.749973][    C1] TCP: request_sock_TCP: Possible SYN flooding on port 127.0.0.1:23456.")
    assert (r.framing, r.monotonic, r.caller) == ("dmesg", 601.749973, "C1")


@pytest.mark.parametrize("line,rest", [
    ("27341.246171] TCP: too many orphaned sockets", "TCP: too many orphaned sockets"),
    ("46171] TCP: too many orphaned sockets", "TCP: too many orphaned sockets"),
    ("1] [    C3] TCP: too many orphaned sockets", "TCP: too many orphaned sockets"),
])
def test_a_stamp_cut_at_its_start_is_read_past_with_no_seconds(line, rest):
    """What is left of `[827341.246171] ` after a copy missed the first characters is no message text."""
    r = decode(line)
    assert (r.framing, r.monotonic, r.text) == ("dmesg-t", None, rest)


def test_the_colon_left_of_a_cut_kernel_tag_is_read_past():
    """`: [1564292.095620] __ratelimit: …`: a copy cut the line inside its `kernel:` tag (serverfault 490901)."""
    r = decode(": [1564292.095620] __ratelimit: 37822 callbacks suppressed")
    assert (r.framing, r.monotonic, r.text) == ("dmesg-t", 1564292.09562, "__ratelimit: 37822 callbacks suppressed")
    assert decode(": TCP: x").text == ": TCP: x"  # no stamp after the colon: text as it is


@pytest.mark.parametrize("line", ["27341.246171]TCP: x", "12 345] TCP: x", "abc] TCP: x", "] TCP: x"])
def test_text_that_is_no_cut_stamp_stays(line):
    """Digits glued to the text, digits with a space, letters, or a bare `]` are message text."""
    assert decode(line).text == line


@pytest.mark.parametrize("line,host,record_framing,extra", [
    (f"web01: [1694413.644132] {CT}", "web01", "dmesg", {"prefix_host": "web01"}),  # pdsh -w web[01-10] dmesg
    (f"web01: Nov 22 10:00:00 web01 kernel: {CT}", "web01", "rfc3164", {"prefix_host": "web01"}),  # pdsh ... grep
    (f"web01.example.com: [  12.5] {CT}", "web01.example.com", "dmesg", {"prefix_host": "web01.example.com"}),  # clush
    (f"10.0.0.5: [  12.5] {CT}", "10.0.0.5", "dmesg", {"prefix_host": "10.0.0.5"}),  # pssh -i --inline, addresses
    (f"web1.example.com\tMay 22 06:38:04 web1 kernel: {CT}", "web1", "rfc3164",
     {"prefix_host": "web1.example.com"}),  # GNU parallel --tag
    (f"obs kernel: [38775494.392631] {CT}", "obs", "dmesg-t", {}),  # a syslog line cut after its date: its own host
    (f"localhost kernel: {CT}", "localhost", "dmesg-t", {}),
])
def test_a_host_prefix_before_a_record_with_a_header_names_the_host(line, host, record_framing, extra):
    """A parallel shell's `host: ` (or tab), kept in extra.prefix_host, or a syslog line's host left by a cut date,
    names the host."""
    r = decode(line)
    assert (r.framing, r.host, r.text, r.extra) == (record_framing, host, CT, extra)


def test_a_host_prefix_before_a_record_naming_another_host_is_kept_aside():
    """The record's own host wins; the prefix (the machine the line was fetched from) is kept in extra."""
    r = decode(f"loghost: Nov 22 10:00:00 web01 kernel: {CT}")
    assert (r.host, r.extra) == ("web01", {"prefix_host": "loghost"})


@pytest.mark.parametrize("line", [
    CT,  # `nf_conntrack:` is the kernel's prefix, not a host
    f"web01: {CT}",  # bare text keeps its first word: no header after the prefix
    "2026 nov 22 10:00:00 web1 kernel: x",  # digits name no host: a cut or malformed date
    "kern.bogus kernel: TCP: x",  # a dotted token before the tag: busybox's, unknown
    "the kernel: TCP: x",  # one space: only before the `kernel:` tag... which here is message text
])
def test_text_that_has_no_host_prefix_stays_bare(line):
    """A prefix is read only before a record with a header of its own, and never from the kernel's words."""
    r = decode(line)
    if line == "the kernel: TCP: x":
        assert (r.host, r.program, r.text) == ("the", "kernel", "TCP: x")  # a cut syslog line, host `the`
    else:
        assert (r.framing, r.host, r.text) == ("dmesg-t", None, line)


@pytest.mark.parametrize("line,count,monotonic,rest", [
    (" 1 Time(s): [32267283.448000] TCP: Treason uncloaked!", "1", 32267283.448, "TCP: Treason uncloaked!"),
    ("\t 2 Time(s): nf_conntrack: table full, dropping packet", "2", None,
     "nf_conntrack: table full, dropping packet"),
])
def test_a_logwatch_line_gives_its_message_and_keeps_the_count(line, count, monotonic, rest):
    """logwatch's ` N Time(s): ` is read past; N is kept in source.extra.logwatch_count."""
    r = decode(line)
    assert (r.text, r.monotonic, r.extra) == (rest, monotonic, {"logwatch_count": count})


def test_a_space_after_the_pri_is_read_past():
    """AlliedWare Plus writes `<4> 2026 May 29 ...`: PRI, a space, then the date."""
    r = decode("<4> 2026 May 29 14:54:05 awplus kernel: IPv4: martian destination 0.0.0.0 from 10.10.191.182, dev v")
    assert (r.framing, r.host, r.facility, r.severity, r.kernel) == ("rfc3164", "awplus", 0, 4, True)


def test_a_program_tag_with_a_pid_in_bare_text_is_user_space():
    """`rsyslogd[614]: ...`, a program's line cut after its host, names the program and is no kernel record."""
    r = decode("rsyslogd[614]: rsyslogd[internal_messages]: 3543 messages lost due to rate-limiting")
    assert (r.program, r.pid, r.kernel, r.text) == ("rsyslogd", 614, False,
                                                     "rsyslogd[internal_messages]: 3543 messages lost due to rate-limiting")


def test_a_wrapped_line_is_rejoined_into_one_event():
    """A mail-wrapped line (a space lost at the wrap) gives one event whose raw holds both lines."""
    text = "Feb 23 16:44:36 jobs kernel: [1.5] nf_conntrack: table full,\ndropping packet\n"
    events, stats = scan(text)
    assert [(e["message_id"], e["source"]["line"], e["raw"]) for e in events] == [
        ("conntrack_full.ratelimited", 1, text.rstrip("\n"))]
    assert (stats.candidates, stats.unmatched, stats.lines) == (1, 0, 2)


def test_a_treason_line_wrapped_before_its_peer_is_found_by_its_first_half():
    """A mail client wrapped the 2.4 line after `Peer` (LKML 2001, `falcon`): `shrinks window` is on the second
    line, so `Treason uncloaked` must make the first a candidate for the pair to be rejoined."""
    text = ("> Sep 13 21:07:00 falcon kernel: TCP: Treason uncloaked! Peer\n"
            "> 192.168.1.254:515/757 shrinks window 3368746969:3368747993. Repaired.\n")
    events, stats = scan(text)
    assert [(e["message_id"], e["source"]["line"], e["fields"]["peer_port"]) for e in events] == [
        ("window_shrunk.treason", 1, 515)]
    assert stats.candidates == 1


def test_a_terminal_hard_wrap_is_rejoined_without_a_space():
    """A terminal wraps at its width inside a word: the halves are joined as they are."""
    events, _ = scan("[  1.5] NETDEV WATCHDOG: eth0 (r8169): transmit queue 0 tim\ned out\n")
    assert [(e["message_id"], e["fields"]["queue"]) for e in events] == [("netdev_watchdog.queue", 0)]


def test_a_wrapped_tail_is_not_read_again():
    """The second half is read once, as part of the first: one candidate, one event, two lines counted."""
    events, stats = scan("[  1.5] TCP: request_sock_TCP: Possible SYN flooding on port\n0.0.0.0:7070. Sending cookies.\n"
                         "[  1.6] nf_conntrack: table full, dropping packet\n")
    assert [(e["message_id"], e["source"]["line"]) for e in events] == [("syn_flood.addr", 1),
                                                                          ("conntrack_full.ratelimited", 3)]
    assert (stats.candidates, stats.unmatched, stats.lines) == (2, 0, 3)


def test_a_line_wrapped_twice_is_rejoined_from_three_lines():
    """LKML 2001 (find_string id 16497389362): the mailer wrapped after the source port, then the line was
    cut again inside the destination address (`to 21` / `6.115.239.40`): one event, all three lines its raw."""
    text = ("Feb 23 12:28:25 omega kernel: UDP: bad checksum. From 202.96.140.146:20567\nto 21\n"
            "6.115.239.40:113 ulen 1472\nFeb 23 12:28:25 omega kernel: UDP: bad checksum. From 209.249.213.145:36338\n"
            "to 2\n16.115.239.40:113 ulen 1472\n")
    events, stats = scan(text)
    assert [(e["source"]["line"], e["fields"]["src_address"], e["fields"]["dst_address"], e["fields"]["ulen"])
            for e in events] == [(1, "202.96.140.146", "216.115.239.40", 1472), (4, "209.249.213.145", "216.115.239.40", 1472)]
    assert events[0]["raw"] == "\n".join(text.split("\n")[:3])
    assert (stats.candidates, stats.unmatched, stats.lines) == (2, 0, 6)


def test_two_lines_that_do_not_complete_a_record_are_not_taken():
    """Neither the next line nor the next two complete the record: it stays unmatched, the lines are read on."""
    events, stats = scan("Feb 23 16:44:36 jobs kernel: nf_conntrack: table full,\nsomething\nelse\n"
                         f"[  1.6] {CT}\n")
    assert [(e["message_id"], e["source"]["line"]) for e in events] == [("conntrack_full.pr_fmt", 4)]
    assert stats.unmatched == 1


@pytest.mark.parametrize("tail", ["Feb 23 16:44:37 jobs kernel: dropping packet", "[  1.6] dropping packet",
                                  "kernel: dropping packet", '{"msg": "dropping packet"}', ""])
def test_a_line_with_a_header_of_its_own_is_not_a_wrapped_tail(tail):
    """The next line is another record (or nothing): the unmatched line stays unmatched."""
    events, stats = scan(f"Feb 23 16:44:36 jobs kernel: nf_conntrack: table full,\n{tail}\n")
    assert events == [] and stats.unmatched == 1


def test_a_matching_line_is_never_joined():
    """A line that matches on its own keeps its own event, even if the next line is headerless."""
    events, _ = scan(f"[  1.5] {CT}\ndropping packet\n")
    assert [e["raw"] for e in events] == [f"[  1.5] {CT}"]


def test_the_inputs_last_line_is_read_with_the_line_it_continues():
    """The last line stays in the block before it, so a wrapped last line still completes its record."""
    data = b"x\n" * 40_000 + b"> [ 14.8] TCP: tun0: Driver has suspect GRO implementation, TCP\n> performance may be compromised.\n"
    assert len(list(blocks(io.BytesIO(data), size=4096))) > 1
    events, _ = scan(data.decode(), size=4096)
    assert [e["message_id"] for e in events] == ["gro_suspect.warn"]
