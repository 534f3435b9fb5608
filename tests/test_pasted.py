"""Log lines as people paste them: indented, quoted, cut, prefixed by the tool that fetched them.

Each shape comes from the real pastes in tests/fixtures/real (test_real_logs.py); these tests pin one
behaviour each, with the cases that must not be read that way.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tcplog import framing
from tcplog.framing.context import FramingContext

REF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
CT = "nf_conntrack: nf_conntrack: table full, dropping packet"


def decode(line: str):
    return framing.decode(line.encode(), FramingContext(reference=REF))


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


@pytest.mark.parametrize("line", ["27341.246171]TCP: x", "12 345] TCP: x", "abc] TCP: x", "] TCP: x"])
def test_text_that_is_no_cut_stamp_stays(line):
    """Digits glued to the text, digits with a space, letters, or a bare `]` are message text."""
    assert decode(line).text == line


@pytest.mark.parametrize("line,host,record_framing", [
    (f"web01: [1694413.644132] {CT}", "web01", "dmesg"),  # pdsh -w web[01-10] dmesg
    (f"web01: Nov 22 10:00:00 web01 kernel: {CT}", "web01", "rfc3164"),  # pdsh ... grep kern.log
    (f"web01.example.com: [  12.5] {CT}", "web01.example.com", "dmesg"),  # clush
    (f"10.0.0.5: [  12.5] {CT}", "10.0.0.5", "dmesg"),  # pssh -i --inline with addresses
    (f"web1.example.com\tMay 22 06:38:04 web1 kernel: {CT}", "web1", "rfc3164"),  # GNU parallel --tag
    (f"obs kernel: [38775494.392631] {CT}", "obs", "dmesg-t"),  # a syslog line cut after its date
    (f"localhost kernel: {CT}", "localhost", "dmesg-t"),
])
def test_a_host_prefix_before_a_record_with_a_header_names_the_host(line, host, record_framing):
    """A parallel shell's `host: ` (or tab), or a syslog line's host left by a cut date, names the host."""
    r = decode(line)
    assert (r.framing, r.host, r.text) == (record_framing, host, CT)


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
