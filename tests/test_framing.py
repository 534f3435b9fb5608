"""Framing decoders: header fields, year inference, locales, continuation lines."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tcplog import framing
from tcplog.framing import journal_export, journal_short
from tcplog.framing.context import FramingContext, month_number, parse_iso

REF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def ctx(**kw) -> FramingContext:
    return FramingContext(reference=kw.pop("reference", REF), **kw)


def test_year_placed_at_or_before_reference():
    """A year-less date later in the year than the reference belongs to the year before."""
    c = ctx()
    assert framing.decode(b"Dec 31 23:00:00 h kernel: x", c).time.year == 2025
    assert framing.decode(b"Nov 22 11:00:00 h kernel: x", c).time.year == 2026


def test_year_one_day_of_slack_for_clock_skew():
    """A date up to a day after the reference stays in the reference's year."""
    assert framing.decode(b"Nov 23 06:00:00 h kernel: x", ctx()).time.year == 2026


def test_explicit_year_rolls_over_from_december_to_january():
    """With --year, a Dec -> Jan step inside one file adds a year."""
    c = ctx(year=2019)
    times = [framing.decode(line, c).time for line in
             (b"Dec 30 10:00:00 h kernel: x", b"Dec 31 23:59:59 h kernel: x", b"Jan  1 00:00:01 h kernel: x",
              b"Feb  3 00:00:01 h kernel: x")]
    assert [t.year for t in times] == [2019, 2019, 2020, 2020]


def test_local_zone_converts_to_utc():
    """--tz names the zone of year-less local timestamps; events are in UTC."""
    t = framing.decode(b"Jul  1 12:00:00 h kernel: x", ctx(tz=ZoneInfo("Europe/Berlin"))).time
    assert t == datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)


def test_leap_day_lands_in_a_leap_year():
    """Feb 29 is placed in the latest leap year at or before the reference."""
    assert framing.decode(b"Feb 29 10:00:00 h kernel: x", ctx()).time.year == 2024


@pytest.mark.parametrize("token,month", [("Nov", 11), ("déc.", 12), ("Mär", 3), ("Okt", 10), ("ноя", 11),
                                         ("11月", 11), ("3월", 3), ("mai", 5), ("MAY", 5),
                                         ("april", 4), ("juni", 6), ("juli", 7), ("des.", 12)])
def test_month_names_in_common_locales(token, month):
    """journalctl short writes month names in the machine's locale."""
    assert month_number(token) == month


def test_a_norwegian_journal_line_is_dated():
    """nb_NO's `april` (xen-devel 2021: a domU's journalctl) is a month: the line's host and time are read."""
    r = framing.decode(b"april 19 09:21:31 gt kernel: net_ratelimit: 14 callbacks suppressed", ctx())
    assert (r.framing, r.host, r.program, r.time.month, r.time.day) == ("rfc3164", "gt", "kernel", 4, 19)


def test_unknown_month_is_not_a_date():
    """A word that is not a month does not make an RFC 3164 header."""
    assert framing.decode(b"Foo 22 10:00:00 h kernel: x", ctx()).framing == "dmesg-t"


def test_iso_offsets():
    """RFC 3339 and journalctl's +0000 both convert to UTC."""
    assert parse_iso("2026-11-22T10:00:00+0100") == datetime(2026, 11, 22, 9, tzinfo=timezone.utc)
    assert parse_iso("2026-11-22T10:00:00.5-02:30") == datetime(2026, 11, 22, 12, 30, 0, 500000,
                                                                 tzinfo=timezone.utc)
    assert parse_iso("not a time") is None


def test_3164_pid_and_program():
    """The tag's program and pid are kept."""
    r = framing.decode(b"Nov 22 10:00:00 web1 systemd-journald[312]: Suppressed 5 messages", ctx())
    assert (r.host, r.program, r.pid, r.kernel) == ("web1", "systemd-journald", 312, False)


def test_3164_pri_gives_facility_and_severity():
    """<4> is kern.warning."""
    r = framing.decode(b"<4>Nov 22 10:00:00 web1 kernel: x", ctx())
    assert (r.facility, r.severity, r.kernel) == (0, 4, True)


def test_3164_tagless_line_is_not_the_kernel():
    """syslogd's own `last message repeated` line carries no tag."""
    r = framing.decode(b"Nov 22 10:00:00 web1 last message repeated 3 times", ctx())
    assert (r.host, r.program, r.kernel, r.text) == ("web1", None, False, "last message repeated 3 times")


def test_kmsg_header_fields_and_dictionary():
    """PRI, sequence, microseconds, caller and continuation keys are all kept."""
    r = framing.decode(b"2,1235,5679001,-,caller=C3;eth0: x\n SUBSYSTEM=net\n DEVICE=n2", ctx())
    assert (r.facility, r.severity, r.seq, r.monotonic, r.caller) == (0, 2, 1235, 5.679001, "C3")
    assert r.extra == {"SUBSYSTEM": "net", "DEVICE": "n2"}


def test_kmsg_escapes_are_undone():
    """Non-printable bytes arrive as \\xNN and are unescaped."""
    assert framing.decode(b"6,1,2,-;a\\x09b", ctx()).text == "a\tb"


def test_kmsg_user_facility_is_not_the_kernel():
    """User space cannot write facility 0 to /dev/kmsg; facility 1 is not the kernel."""
    assert framing.decode(b"14,1,2,-;x", ctx()).kernel is False


def test_rfc5424_fields():
    """APP-NAME, PROCID, MSGID and structured data are kept."""
    r = framing.decode(b'<6>1 2026-11-22T10:00:00Z h app 42 ID7 [a b="c\\]"] text', ctx())
    assert (r.program, r.pid, r.text, r.kernel) == ("app", 42, "text", False)
    assert r.extra == {"msgid": "ID7", "structured_data": '[a b="c\\]"]'}


def test_dmesg_t_time_is_marked_derived():
    """dmesg -T recomputes wall time from the boot time."""
    r = framing.decode(b"[Thu May 11 12:38:28 2023] x", ctx())
    assert r.time_derived and r.time == datetime(2023, 5, 11, 12, 38, 28, tzinfo=timezone.utc)


def test_short_monotonic_needs_a_tag_so_dmesg_is_not_mistaken():
    """`[12.3] ll header: ...` is dmesg, not journalctl short-monotonic with host `ll`."""
    assert framing.decode(b"[   12.300000] ll header: 00000000: ff ff", ctx()).framing == "dmesg"
    assert framing.decode(b"[   12.300000] web1 kernel: x", ctx()).framing == "journal-short"


def test_short_monotonic_without_host_needs_the_kernel_tag():
    """Host-less `name[pid]:` after a stamp is dmesg (`a.out[1234]: segfault`, `systemd[1]:`), not journalctl."""
    assert framing.decode(b"[  123.456789] a.out[1234]: segfault at 0 ip 0 sp 0 error 4", ctx()).framing == "dmesg"
    assert framing.decode(b"[    2.345678] systemd[1]: Detected architecture x86-64.", ctx()).framing == "dmesg"
    assert framing.decode(b"[ 12345.678901] kernel: x", ctx()).framing == "journal-short"


def test_dmesg_reltime_minute_is_local_time_placed_in_a_year():
    """dmesg -e `[Jul 1 12:00]` is read in --tz and placed at or before the reference, like an RFC 3164 date."""
    r = framing.decode(b"[Jul 1 12:00] x", ctx(tz=ZoneInfo("Europe/Berlin")))
    assert r.time == datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc) and r.time_derived


def test_dmesg_ctime_in_a_locale_is_read_in_tz():
    """dmesg -T in de_DE is local time in --tz."""
    r = framing.decode(b"[Mi Jul  1 12:00:00 2026] x", ctx(tz=ZoneInfo("Europe/Berlin")))
    assert r.time == datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc) and r.text == "x"


def test_dmesg_ctime_shape_without_a_month_name_is_not_a_header():
    """`[Foo Bar 22 10:00:00 2026]` names no month: the line is bare text, not dmesg."""
    assert framing.decode(b"[Foo Bar 22 10:00:00 2026] x", ctx()).framing == "dmesg-t"


def test_forced_dmesg_reads_reltime_and_delta_lines():
    """--framing dmesg accepts every dmesg time format, and the caller alone."""
    for line in (b"[Nov22 10:00] x", b"[  +0.000123] x", b"[<    0.000123>] x", b"[    C1] x"):
        assert framing.decode(line, ctx(), "dmesg").text == "x"


def test_short_full_zone_table_matches_tzdata():
    """Each abbreviation in the short-full table has its offset in every zone of the installed tzdata using it."""
    from datetime import timedelta
    from zoneinfo import available_timezones

    zones = available_timezones()
    if not zones:
        pytest.skip("no tzdata installed")
    wrong = set()
    for name in zones:
        tz = ZoneInfo(name)
        for month in (1, 4, 7, 10):
            local = datetime(2026, month, 15, 12, tzinfo=timezone.utc).astimezone(tz)
            offset = journal_short.zone_offset(local.tzname())
            if offset is not None and parse_iso("2026-01-01T00:00:00" + offset) != datetime(
                    2026, 1, 1, tzinfo=timezone.utc) - local.utcoffset():
                wrong.add((local.tzname(), name, local.utcoffset() / timedelta(hours=1)))
    assert not wrong, sorted(wrong)


def test_forced_framing_rejects_a_record_of_another_shape():
    """--framing kmsg on a syslog line gives no record rather than a wrong one."""
    assert framing.decode(b"Nov 22 10:00:00 h kernel: x", ctx(), "kmsg") is None
    assert framing.decode(b"6,1,2,-;x", ctx(), "kmsg").seq == 1


def test_forced_dmesg_t_takes_any_text():
    """--framing dmesg-t reads every line as bare kernel text."""
    r = framing.decode(b"Nov 22 10:00:00 h kernel: x", ctx(), "dmesg-t")
    assert r.text == "Nov 22 10:00:00 h kernel: x"


def test_shipper_json_nested_line_takes_host_from_json_when_line_has_none():
    """A Fluent Bit record forwarding bare dmesg text gets the host from the JSON."""
    r = framing.decode(b'{"log":"[ 5.000000] TCP: x","host":"edge7"}', ctx())
    assert (r.host, r.framing, r.monotonic) == ("edge7", "json+dmesg", 5.0)


def test_invalid_utf8_is_decoded_with_replacement():
    """Invalid UTF-8 never raises; the text carries U+FFFD."""
    r = framing.decode(b"Nov 22 10:00:00 h kernel: \xff\xfe TCP", ctx())
    assert "\ufffd" in r.text


def test_export_entries_with_binary_field():
    """Binary-safe fields (length-prefixed) are read exactly, and the raw bytes are kept."""
    import io
    import struct

    msg = b"line one\nline two"
    data = (b"__REALTIME_TIMESTAMP=1795370000000000\n_TRANSPORT=kernel\nMESSAGE\n" + struct.pack("<Q", len(msg))
            + msg + b"\n\n" + b"__REALTIME_TIMESTAMP=1795370001000000\nMESSAGE=second\n\n")
    entries = list(journal_export.entries(io.BytesIO(data)))
    assert [f["MESSAGE"] for _, f in entries] == [msg, b"second"]
    assert b"".join(raw for raw, _ in entries) == data


def test_export_binary_field_whose_length_lies_loses_no_entry_after_it():
    """A length larger than the value (still under the bound) no longer swallows the entries after it:
    what it took is read again; the lying entry alone is malformed, and every byte is kept once."""
    import io
    import struct

    msg = b"NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out\xff"
    after = b"__REALTIME_TIMESTAMP=1795370001000000\nMESSAGE=second\n\n__REALTIME_TIMESTAMP=2\nMESSAGE=third\n\n"
    for claimed in (len(msg) + 40, len(msg) - 10, len(after) + len(msg) + 500):
        data = (b"__REALTIME_TIMESTAMP=1795370000000000\nMESSAGE\n" + struct.pack("<Q", claimed) + msg + b"\n\n"
                + after)
        entries = list(journal_export.entries(io.BytesIO(data)))
        assert entries[0][1] is None, claimed
        assert [f["MESSAGE"] for _, f in entries[1:] if f] == [b"second", b"third"], claimed
        assert b"".join(raw for raw, _ in entries) == data


def test_export_truncated_binary_field_is_reported_malformed():
    """A binary field cut short yields the entry with fields None, never an exception."""
    import io

    data = b"__REALTIME_TIMESTAMP=1\nMESSAGE\n\x10\x00\x00\x00\x00\x00\x00\x00abc"
    entries = list(journal_export.entries(io.BytesIO(data)))
    assert len(entries) == 1 and entries[0][1] is None and entries[0][0] == data


def test_nul_run_before_a_record_is_skipped():
    """A crash leaves the log's last blocks zeroed; the line syslogd appends after them is read."""
    r = framing.decode(b"\0\0\0\0Nov 22 10:00:00 web1 kernel: x", ctx())
    assert (r.framing, r.host, r.program, r.text) == ("rfc3164", "web1", "kernel", "x")
    assert framing.decode(b"\0\0Nov 22 10:00:00 web1 kernel: x", ctx(), "rfc3164").host == "web1"


def test_cri_line_is_decoded_with_the_runtime_time():
    """A CRI container log line (`dmesg -w` sidecar): the container's line is the record, timed by the runtime."""
    r = framing.decode(b"2026-11-22T10:00:00.123456789Z stdout F [ 1234.567890] TCP: x", ctx())
    assert (r.framing, r.text, r.monotonic) == ("cri+dmesg", "TCP: x", 1234.56789)
    assert r.time == datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=timezone.utc)


def test_cri_line_keeps_the_time_of_a_syslog_line_inside():
    """A syslog line inside a CRI line keeps its own time, host and program."""
    r = framing.decode(b"2026-11-22T10:00:05+01:00 stderr F Nov 22 10:00:00 web1 kernel: x", ctx())
    assert (r.framing, r.host, r.program, r.kernel) == ("cri+rfc3164", "web1", "kernel", True)
    assert r.time == datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


def test_cri_partial_piece_is_no_record():
    """A partial piece (`P`: a line of 16 KiB or more, cut by the runtime) is unframed, never a kernel record."""
    assert framing.decode(b"2026-11-22T10:00:00.1Z stdout P TCP: x", ctx()) is None


def test_relayed_record_is_the_senders():
    """A relay's header before the sender's (RFC 3164 4.3.3, syslog-ng no-parse): host, program, time are the sender's."""
    r = framing.decode(b"Nov 22 10:00:05 relay1 <4>Nov 22 10:00:00 web1 kernel: x", ctx())
    assert (r.host, r.program, r.kernel, r.text, r.severity) == ("web1", "kernel", True, "x", 4)
    assert r.time == datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc) and r.extra == {"relay": "relay1"}


def test_relayed_record_without_a_hostname_takes_the_relays():
    """A sender that wrote no hostname is named by the relay's host field (the peer it heard from)."""
    r = framing.decode(b"2026-11-22T10:00:05.1Z 10.0.0.5 <4>Nov 22 10:00:00 kernel: x", ctx())
    assert (r.host, r.program, r.kernel, r.extra) == ("10.0.0.5", "kernel", True, {})


def test_grep_prefix_before_a_record_is_skipped():
    """Pasted `grep -rn` output: the file name and line number before a syslog or dmesg record are not the record."""
    r = framing.decode(b"/var/log/messages-20261122:4711:Nov 22 10:00:00 web1 kernel: x", ctx())
    assert (r.framing, r.host, r.program, r.text) == ("rfc3164", "web1", "kernel", "x")
    assert framing.decode(b"4711:[ 1234.567890] TCP: x", ctx()).monotonic == 1234.56789


def test_grep_prefix_needs_a_header_after_it():
    """Bare kernel text keeps its first word: `TCP:` is no file name, nor is a prefix before headerless text."""
    assert framing.decode(b"TCP: time wait bucket table overflow", ctx()).text == "TCP: time wait bucket table overflow"
    assert framing.decode(b"kern.log:TCP: x", ctx()).text == "kern.log:TCP: x"


def test_rsyslog_pri_text_before_the_date():
    """rsyslog's `%pri-text%: ` prefix (`kern.warn<4>: `) gives facility and severity, then the usual header."""
    r = framing.decode(b"kern.warn<4>: Nov 22 10:00:00 web1 kernel: x", ctx())
    assert (r.framing, r.facility, r.severity, r.host, r.program, r.kernel) == ("rfc3164", 0, 4, "web1", "kernel", True)
    assert framing.decode(b"local7.notice<189>: Nov 22 10:00:00 web1 rc: x", ctx()).kernel is False


@pytest.mark.parametrize("line", [b"-- Boot 0123456789abcdef0123456789abcdef --", b"-- Reboot --", b"-- No entries --",
                                  b"-- Logs begin at Sun 2026-11-01 10:00:00 UTC, end at Sun 2026-11-22 11:00:00 UTC. --",
                                  b"-- Journal begins at Sun 2026-11-01 10:00:00 UTC, ends at Sun 2026-11-22 11:00:00 UTC. --"])
def test_journalctl_own_lines_are_not_the_kernel(line):
    """journalctl's lines between entries are no kernel record, in any short mode or -o cat."""
    assert framing.decode(line, ctx()).kernel is False


def test_tagless_message_starting_with_a_date_is_no_relayed_record():
    """A tag-less message that starts with a date but names no program stays the outer host's message."""
    r = framing.decode(b"Nov 22 10:00:05 web1 2026-11-22 10:00:00,123 INFO started", ctx())
    assert (r.host, r.program, r.kernel) == ("web1", None, False)


def test_syslog_ng_fulldate_keeps_its_year_and_reads_local_time_in_tz():
    """syslog-ng's `$FULLDATE` (`2026 Nov  2 10:00:00`, space-padded day): the line's own year, not
    one placed before the reference, and a local time read in --tz."""
    later = ctx(reference=datetime(2030, 1, 1, tzinfo=timezone.utc), tz=ZoneInfo("Europe/Berlin"))
    r = framing.decode(b"2026 Nov  2 10:00:00 web1 kernel: x", later)
    assert (r.framing, r.host, r.program, r.kernel, r.text) == ("rfc3164", "web1", "kernel", True, "x")
    assert r.time == datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    r = framing.decode(b"2026 Nov 22 10:00:00.123 kernel: x", ctx())  # frac-digits(3), no hostname
    assert (r.host, r.program, r.time) == (None, "kernel", datetime(2026, 11, 22, 10, 0, 0, 123000, tzinfo=timezone.utc))
    assert framing.decode(b"2026 Nov 22 10:00:00 web1 kernel: x", ctx(), "rfc3164").host == "web1"


@pytest.mark.parametrize("line", [b"2026 Nov 22 10:00", b"2026 nov 22 10:00:00 web1 kernel: x",
                                  b"2026 Foo 22 10:00:00 web1 kernel: x", b"2026 Nov 22 10:0:00 web1 kernel: x"])
def test_a_cut_or_malformed_fulldate_is_bare_text(line):
    """A full date cut short, in lower case, naming no month or with a one-digit minute is no header."""
    assert framing.decode(line, ctx()).framing == "dmesg-t"


def test_a_fulldate_naming_no_day_keeps_the_record_without_a_time():
    """`2026 Feb 30` is a header whose date does not exist: the record is framed, its time unknown."""
    r = framing.decode(b"2026 Feb 30 10:00:00 web1 kernel: x", ctx())
    assert (r.framing, r.host, r.time) == ("rfc3164", "web1", None)
    assert framing.decode(b"0000 Nov 22 10:00:00 web1 kernel: x", ctx()).time is None


@pytest.mark.parametrize("line,facility,severity", [
    (b"kern.warning Nov  2 10:00:00 web1 kernel: x", 0, 4),  # %syslogfacility-text%.%syslogseverity-text%, $FACILITY.$PRIORITY
    (b"kern.warn Nov 22 10:00:00 web1 kernel: x", 0, 4),
    (b"kern.err 2026-11-22T10:00:00+00:00 web1 kernel: x", 0, 3),  # syslog-ng `$FACILITY.$LEVEL $ISODATE`
    (b"kern.warning: Nov 22 10:00:00 web1 kernel: x", 0, 4),  # %pri-text%: as rsyslog 8 writes it (no <N>)
    (b"kern.crit 2026 Nov 22 10:00:00 web1 kernel: x", 0, 2),  # with $FULLDATE
])
def test_facility_severity_names_before_the_date(line, facility, severity):
    """A `facility.severity` token before the date without `<N>` gives facility and severity by name."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.facility, r.severity, r.host, r.program, r.kernel, r.text) == (
        "rfc3164", facility, severity, "web1", "kernel", True, "x")


def test_facility_names_before_the_date_decide_the_kernel_as_a_pri_does():
    """The tag decides first; a tag-less record of facility kern is the kernel's, of another facility not."""
    assert framing.decode(b"user.notice Nov 22 10:00:02 web1 myapp[42]: x", ctx()).kernel is False
    assert framing.decode(b"daemon.warning Nov 22 10:00:02 web1 nginx: x", ctx()).kernel is False
    r = framing.decode(b"kern.warning Nov 22 10:00:00 web1 TCP time wait", ctx())
    assert (r.program, r.facility, r.kernel) == (None, 0, True)
    assert framing.decode(b"local7.info Nov 22 10:00:00 web1 TCP time wait", ctx()).kernel is False
    r = framing.decode(b"solaris-cron.info Nov 22 10:00:00 web1 cron: x", ctx())  # syslog-ng's name for 15
    assert (r.facility, r.severity) == (15, 6)


@pytest.mark.parametrize("line", [b"kern.bogus Nov 22 10:00:00 web1 kernel: x", b"kernel.warning Nov 22 10:00:00 web1 kernel: x",
                                  b"kern.warning", b"kern.warning Nov 22 10:0", b"kern.warningNov 22 10:00:00 web1 kernel: x",
                                  b"kern.warning x Nov 22 10:00:00 web1 kernel: x"])
def test_a_token_that_names_no_facility_and_severity_or_no_date_after_it_is_bare_text(line):
    """Unknown names, a token with no date after it (or cut), or glued to the date frame no header."""
    assert framing.decode(line, ctx()).framing == "dmesg-t"


@pytest.mark.parametrize("line,framing_name", [
    (b"Nov 22 10:00:00 web1 kernel: x\0\0\0\0", "rfc3164"),
    (b"Nov 22 10:00:00 web1 kernel: x\0\0\r", "rfc3164"),  # a CRLF line
    (b"\0\0Nov 22 10:00:00 web1 kernel: x\0\0", "rfc3164"),  # NULs on both sides
    (b'{"MESSAGE":"x","_TRANSPORT":"kernel","_HOSTNAME":"web1"}\0\0\0', "journal-json"),
    (b"4,1,2,-;x\0\0", "kmsg"),
    (b"[    1.000000] x\0", "dmesg"),
])
def test_nul_run_after_a_record_is_skipped_and_kept_in_raw(line, framing_name):
    """Zeroed blocks after the last record written (a crash, a preallocated file): the record is read
    without them, as with a NUL run before it, and `raw` keeps them."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.text, r.raw) == (framing_name, "x", line)


def test_forced_framing_skips_a_nul_run_after_the_record():
    assert framing.decode(b"Nov 22 10:00:00 web1 kernel: x\0\0", ctx(), "rfc3164").text == "x"
    assert framing.decode(b"x\0\0", ctx(), "dmesg-t").text == "x"


def test_nul_bytes_inside_a_message_stay():
    """Only NULs that end the record are padding: one inside the text is the text's."""
    assert framing.decode(b"Nov 22 10:00:00 web1 kernel: a\0b\0", ctx()).text == "a\0b"


def test_relay_with_its_own_tag_gives_the_senders_record():
    """rsyslog imfile (`Tag="kernlog:"`) relaying a syslog file's line: the sender's host, program and time;
    the relay's host and tag in extra; the relay's own PRI (imfile's facility=local3) is not the sender's."""
    r = framing.decode(b"<158>Nov 22 11:08:56 relay1 kernlog: Nov 22 10:00:00 web1 kernel: x", ctx())
    assert (r.host, r.program, r.kernel, r.text, r.facility) == ("web1", "kernel", True, "x", None)
    assert r.time == datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
    assert r.extra == {"relay": "relay1", "relay_program": "kernlog"}


def test_logstash_syslog_output_of_a_raw_line_gives_the_senders_record():
    """Logstash's syslog output (`<PRI>date sourcehost appname[procid]: message`, procid `-`) of a raw line."""
    r = framing.decode(b"<134>Nov 22 10:00:05 relay1 LOGSTASH[-]: <4>Nov 22 10:00:00 web1 kernel: x", ctx())
    assert (r.host, r.program, r.facility, r.severity, r.extra["relay_program"]) == ("web1", "kernel", 0, 4, "LOGSTASH")
    r = framing.decode(b"Nov 22 10:00:05 relay1 LOGSTASH[-]: hello", ctx())
    assert (r.host, r.program, r.pid, r.text) == ("relay1", "LOGSTASH", None, "hello")


@pytest.mark.parametrize("line", [
    b"Nov 22 10:00:05 web1 myapp[1]: Nov 22 10:00:00 kernel: x",  # the inner header names no host
    b"Nov 22 10:00:05 web1 myapp[1]: Nov 22 10:00:00 web2 x",  # nor a tag
    b"Nov 22 10:00:05 web1 myapp[1]: Nov 22 10:0 web2 kernel: x",  # a date cut short
    b"Nov 22 10:00:05 web1 myapp[1]: 2026-11-22 10:00:00,123 INFO started",  # an application's own stamp
])
def test_a_tagged_message_that_is_no_whole_header_stays_that_programs(line):
    """After a relay's own tag, only a whole sender's header (date, host, tag) is a relayed record."""
    r = framing.decode(line, ctx())
    assert (r.host, r.program, r.kernel, r.extra) == ("web1", "myapp", False, {})


def test_a_year_after_the_day_is_the_lines_own_year_read_in_tz():
    """`Aug 28 2024 13:16:32` (syslog-ng `$MONTH_ABBREV $DAY $YEAR …` templates, appliances): the line's year,
    not one placed before the reference, and local time read in --tz."""
    later = ctx(reference=datetime(2030, 1, 1, tzinfo=timezone.utc), tz=ZoneInfo("Europe/Berlin"))
    r = framing.decode(b"Aug 28 2024 13:16:32 web1 kernel: TCP: time wait bucket table overflow", later)
    assert (r.framing, r.host, r.program, r.kernel, r.text) == (
        "rfc3164", "web1", "kernel", True, "TCP: time wait bucket table overflow")
    assert r.time == datetime(2024, 8, 28, 11, 16, 32, tzinfo=timezone.utc)
    r = framing.decode(b"<4>Aug  2 2024 13:16:32.250 kernel: [  12.500000] x", ctx())  # PRI, padded day, no host
    assert (r.host, r.program, r.severity, r.monotonic, r.text) == (None, "kernel", 4, 12.5, "x")
    assert r.time == datetime(2024, 8, 2, 13, 16, 32, 250000, tzinfo=timezone.utc)
    assert framing.decode(b"Aug 28 2024 13:16:32 web1 kernel: x", ctx(), "rfc3164").host == "web1"


@pytest.mark.parametrize("line", [b"Aug 28 2024 13:16", b"Aug 28 24 13:16:32 web1 kernel: x",
                                  b"Aug 28 2024 1:16:32 web1 kernel: x", b"Foo 28 2024 13:16:32 web1 kernel: x",
                                  b"Aug 28 20245 13:16:32 web1 kernel: x", b"Aug 28 2024"])
def test_a_cut_or_malformed_date_with_a_year_is_bare_text(line):
    """A date with a year cut short, a two- or five-digit year, a one-digit hour or no month is no header."""
    assert framing.decode(line, ctx()).framing == "dmesg-t"


def test_a_date_with_a_year_naming_no_day_keeps_the_record_without_a_time():
    """`Feb 30 2024`: the header is read, the time is unknown."""
    r = framing.decode(b"Feb 30 2024 10:00:00 web1 kernel: x", ctx())
    assert (r.framing, r.host, r.program, r.time) == ("rfc3164", "web1", "kernel", None)


@pytest.mark.parametrize("line,caller", [
    (b"[  123.456789@1] TCP: time wait bucket table overflow", "C1"),  # Amlogic print_time: `[%5lu.%06lu@%d] `
    (b"[  123.456789@3]h TCP: time wait bucket table overflow", "C3"),  # releases with the context letter: `]%c `
    (b"[  123.456789@1] [T123] TCP: time wait bucket table overflow", "T123"),  # a printk caller names the caller
    (b"<4>[  123.456789@0]- TCP: time wait bucket table overflow", "C0"),  # klogctl/busybox dmesg -r
])
def test_amlogic_cpu_in_the_stamp_is_the_caller(line, caller):
    """Amlogic's `[  123.456789@1] ` stamp: monotonic seconds, the CPU as a CPU caller, the message after it."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.monotonic, r.caller, r.text, r.kernel) == (
        "dmesg", 123.456789, caller, "TCP: time wait bucket table overflow", True)
    assert framing.decode(line, ctx(), "dmesg").caller == caller


def test_amlogic_cpu_in_the_stamp_after_a_syslog_tag():
    """The same stamp kept by a syslog daemon reading /proc/kmsg: the fast path and the general decoder agree."""
    from tcplog.framing import syslog3164

    line = "Nov 22 10:00:00 tvbox kernel: [  123.456789@2] TCP: time wait bucket table overflow"
    r = framing.decode(line.encode(), ctx())
    assert (r.framing, r.host, r.monotonic, r.caller, r.text) == (
        "rfc3164", "tvbox", 123.456789, "C2", "TCP: time wait bucket table overflow")
    assert syslog3164.decode_general(line, line.encode(), ctx()) == r
    r = framing.decode(b"kern.warn Nov 22 10:00:00 tvbox kernel: [  123.456789@2]s x", ctx())  # general path
    assert (r.monotonic, r.caller, r.text) == (123.456789, "C2", "x")


@pytest.mark.parametrize("line", [b"[  123.456789@] TCP: x", b"[  123.456789@12345] TCP: x", b"[  123.456789@1 TCP: x",
                                  b"[  123.456789@x] TCP: x"])
def test_a_cut_or_malformed_cpu_stamp_is_bare_text(line):
    """No CPU digits, five of them, no closing bracket or a letter for the CPU: bare text, whose message keeps
    the stamp (no event)."""
    r = framing.decode(line, ctx())
    assert r.framing == "dmesg-t" and r.text == line.decode() and r.monotonic is None


def test_a_context_letter_glued_to_the_text_is_the_texts():
    """`]d` is a context letter only before a space: `[…@1]dTCP:` keeps `dTCP:` as its message (no event)."""
    r = framing.decode(b"[  123.456789@1]dTCP: time wait bucket table overflow", ctx())
    assert (r.caller, r.text) == ("C1", "dTCP: time wait bucket table overflow")


TW_TEXT = "TCP: time wait bucket table overflow"


@pytest.mark.parametrize("line,framing_name,caller,severity", [
    # MediaTek (CONFIG_PRINTK_MT_PREFIX) `cat /proc/kmsg`, Android dmesg: `(CPU)[PID:COMM]` right after the stamp
    (f"<4>[  363.812166] (0)[0:swapper/0]{TW_TEXT}", "dmesg", "T0@C0", 4),
    (f"[  363.812166] (2)[933:Thread-31]{TW_TEXT}", "dmesg", "T933@C2", None),
    (f"[  363.812166] (2)[933:kworker/2:1] {TW_TEXT}", "dmesg", "T933@C2", None),
    (f"Nov 22 10:00:00 phone kernel: [  363.812166] (1)[64:bat_thread_kthr]{TW_TEXT}", "rfc3164", "T64@C1", None),
    (f"kern.warn Nov 22 10:00:00 phone kernel: [  363.812166] (1)[64:bat_thread_kthr]{TW_TEXT}", "rfc3164",
     "T64@C1", 4),  # (the general decoder)
    # Unisoc's printk_cpuid: the caller field as `T%u@C%u`
    (f"[ 4888.071462][T597@C0] {TW_TEXT}", "dmesg", "T597@C0", None),
    (f"<6>[    7.344848][ T1@C0] {TW_TEXT}", "dmesg", "T1@C0", 6),
    (f"Nov 22 10:00:00 phone kernel: [ 4888.071462][T597@C5] {TW_TEXT}", "rfc3164", "T597@C5", None),
    (f"6,1234,4888071462,-,caller=T597@C0;{TW_TEXT}", "kmsg", "T597@C0", 6),
])
def test_android_vendor_prefixes_name_the_caller(line, framing_name, caller, severity):
    """MediaTek's `(CPU)[PID:COMM]` after the stamp is read past, the task and CPU kept as the caller; a caller
    field holding the CPU too (`[T597@C0]`) is kept whole."""
    r = framing.decode(line.encode(), ctx())
    assert (r.framing, r.caller, r.severity, r.text, r.kernel) == (framing_name, caller, severity, TW_TEXT, True)


@pytest.mark.parametrize("line", [
    f"[  363.812166] (0)[0:this-name-is-too-long]{TW_TEXT}",  # a task's name holds 15 characters at most
    f"[  363.812166] (0) {TW_TEXT}", f"[  363.812166] (0)[swapper/0]{TW_TEXT}", f"[  363.812166] (x)[0:swapper]{TW_TEXT}",
    f"(0)[0:swapper/0]{TW_TEXT}",  # no stamp before it
    f"Nov 22 10:00:00 phone kernel: (0)[0:swapper/0]{TW_TEXT}",
    f"[ 4888.071462][T597@X0] {TW_TEXT}", f"[ 4888.071462][T597@] {TW_TEXT}",
])
def test_look_alikes_of_the_vendor_prefixes_stay_in_the_text(line):
    """What is not MediaTek's prefix or a caller field stays the message's: no event from it."""
    r = framing.decode(line.encode(), ctx())
    assert r.text != TW_TEXT and r.caller is None


@pytest.mark.parametrize("line,severity,mono", [
    (b"Nov 22 10:00:00 web1 kernel: <6>TCP: time wait bucket table overflow", 6, None),
    (b"Nov 22 10:00:00 web1 kernel: <4>[  123.456789] TCP: time wait bucket table overflow", 4, 123.456789),
    (b"<13>Nov 22 10:00:00 web1 kernel: <4>TCP: time wait bucket table overflow", 4, None),  # the kernel's wins
    (b"kern.info Nov 22 10:00:00 web1 kernel: <4>TCP: time wait bucket table overflow", 4, None),
])
def test_kernel_level_marker_after_the_tag_is_the_level(line, severity, mono):
    """sysklogd/syslog-ng reading /proc/kmsg without parsing the priority keep the kernel's `<N>` after
    `kernel:`: it gives the level (and facility kern), the message is what follows."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.program, r.facility, r.severity, r.monotonic, r.kernel, r.text) == (
        "rfc3164", "kernel", 0, severity, mono, True, "TCP: time wait bucket table overflow")


def test_kernel_level_marker_naming_a_user_facility_is_not_the_kernel():
    """`<14>` under the kernel tag is printk's encoding of facility user: a record user space wrote to /dev/kmsg
    (the kernel gives such writes facility user unless they name another), so it is not the kernel's."""
    r = framing.decode(b"Nov 22 10:00:00 web1 kernel: <14>TCP: time wait bucket table overflow", ctx())
    assert (r.facility, r.severity, r.kernel, r.text) == (1, 6, False, "TCP: time wait bucket table overflow")
    r = framing.decode(b"Nov 22 10:00:00 web1 kernel: <30>systemd[1]: Started x.", ctx())
    assert (r.facility, r.kernel, r.text) == (3, False, "systemd[1]: Started x.")


@pytest.mark.parametrize("line,text", [
    (b"Nov 22 10:00:00 web1 kernel: <4", "<4"), (b"Nov 22 10:00:00 web1 kernel: <>TCP: x", "<>TCP: x"),
    (b"Nov 22 10:00:00 web1 kernel: <99999>TCP: x", "<99999>TCP: x"),
    (b"Nov 22 10:00:00 web1 nginx: <4>TCP: x", "<4>TCP: x"),  # another program's text keeps its `<4>`
])
def test_a_cut_or_malformed_level_marker_stays_in_the_text(line, text):
    """A marker cut short, empty, too long or after another program's tag is no level: the text keeps it."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.text) == ("rfc3164", text)
    assert r.severity is None


@pytest.mark.parametrize("line,mono", [
    (b"kernel: TCP: time wait bucket table overflow", None),  # `grep kernel: kern.log | cut -d' ' -f5-`
    (b"kernel: [  123.456789] TCP: time wait bucket table overflow", 123.456789),
    (b"kernel: [  123.456789][    C1] TCP: time wait bucket table overflow", 123.456789),
])
def test_a_line_with_only_the_kernel_tag_is_bare_kernel_text(line, mono):
    """A syslog line cut after its host keeps the `kernel:` tag: bare text whose tag names the program, not
    message text, so the kernel's message after it (and its printk stamp) is read."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.program, r.kernel, r.monotonic, r.text) == (
        "dmesg-t", "kernel", True, mono, "TCP: time wait bucket table overflow")
    assert framing.decode(line, ctx(), "dmesg-t").program == "kernel"


@pytest.mark.parametrize("line,facility,severity,kernel", [
    (b"kern.warn kernel: TCP: time wait bucket table overflow", 0, 4, True),  # busybox syslogd line, cut
    (b"kern.info kernel: <4>TCP: time wait bucket table overflow", 0, 4, True),  # the kernel's own marker wins
    (b"kernel: <6>TCP: time wait bucket table overflow", 0, 6, True),
    (b"kernel: <14>TCP: time wait bucket table overflow", 1, 6, False),  # user space wrote /dev/kmsg
])
def test_a_kernel_tag_with_a_busybox_token_or_a_level_marker(line, facility, severity, kernel):
    """The `facility.severity` token busybox syslogd and logread write before the tag, and the kernel's `<N>`
    marker after it, give facility and level; the text after them is the kernel's."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.program, r.facility, r.severity, r.kernel, r.text) == (
        "dmesg-t", "kernel", facility, severity, kernel, "TCP: time wait bucket table overflow")


@pytest.mark.parametrize("line,mono", [
    (b":24 2019 kern.err kernel: [  944.727567] TCP: time wait bucket table overflow", 944.727567),  # cut in the clock
    (b"5 2019 kern.err kernel: TCP: time wait bucket table overflow", None),
    (b"2019 kern.warn kernel: TCP: time wait bucket table overflow", None),  # cut before the year's space
])
def test_a_logread_line_cut_inside_its_date_keeps_its_tag(line, mono):
    """What a copy left of a logread date (clock's end, year) before `kern.err kernel:` is dropped: the tag and
    the kernel's text after it are read, the time is unknown."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.program, r.facility, r.kernel, r.monotonic, r.time, r.text) == (
        "dmesg-t", "kernel", 0, True, mono, None, "TCP: time wait bucket table overflow")


@pytest.mark.parametrize("line", [b":24 2019 kernel: TCP: x", b"24 201 kern.err kernel: TCP: x", b"2019 user.err x: TCP: x"])
def test_a_cut_date_without_a_logread_token_stays_text(line):
    """Without a `facility.severity` token and the kernel tag after the year, the digits are message text."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.program, r.text) == ("dmesg-t", None, line.decode())


@pytest.mark.parametrize("line", [b"kernel:TCP: time wait bucket table overflow", b"kernels: TCP: x", b"Kernel x: TCP: x",
                                  b"kern.bogus kernel: TCP: x", b"nf_conntrack: table full, dropping packet"])
def test_text_that_is_no_kernel_tag_stays_bare_text(line):
    """A tag glued to its text, another word, an unknown token, or a subsystem prefix is message text."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.program, r.text) == ("dmesg-t", None, line.decode())


@pytest.mark.parametrize("line,framing_name", [
    (b"Nov 22 10:00:00 web1 kernel[4242]: TCP: time wait bucket table overflow", "rfc3164"),  # fast path
    (b"kern.warn Nov 22 10:00:00 web1 kernel[4242]: TCP: time wait bucket table overflow", "rfc3164"),  # general
    (b"<6>1 2026-11-22T10:00:00Z web1 kernel 4242 - - TCP: time wait bucket table overflow", "rfc5424"),
    (b"[12345.678901] web1 kernel[4242]: TCP: time wait bucket table overflow", "journal-short"),
    (b"Sun Nov 22 10:00:00 2026 kern.warn kernel[4242]: TCP: time wait bucket table overflow", "logread"),
    (b"kernel[4242]: TCP: time wait bucket table overflow", "dmesg-t"),
    (b'{"message":"TCP: time wait bucket table overflow","programname":"kernel","procid":"4242"}', "json"),
])
def test_a_kernel_tag_with_a_pid_is_user_space(line, framing_name):
    """The kernel's readers (klogd, imklog, journald, syslog-ng) tag its records `kernel` with no pid:
    `kernel[4242]:` is a program naming itself kernel (`logger -t kernel --id`), not the kernel."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.program, r.pid, r.kernel, r.text) == (
        framing_name, "kernel", 4242, False, "TCP: time wait bucket table overflow")


@pytest.mark.parametrize("line", [
    b"Nov 22 10:00:05 relay1 LOGSTASH[-]: <4>Nov 22 10:00:00 web1 kernel[-]: TCP: time wait bucket table overflow",
    b"<4>1 2026-11-22T10:00:00Z web1 kernel - - - TCP: time wait bucket table overflow",
    b'{"message":"TCP: time wait bucket table overflow","programname":"kernel","procid":"-"}',
])
def test_a_kernel_tag_with_no_pid_or_a_nil_one_stays_the_kernels(line):
    """`[-]` (Logstash) and a nil PROCID name no pid: the kernel's tag."""
    r = framing.decode(line, ctx())
    assert (r.program, r.pid, r.kernel) == ("kernel", None, True)


# `dmesg --color=always` as util-linux print_record writes it: the time stamp in green (`\x1b[32m`, bold
# green for -e's minute line), the subsystem prefix up to its first `: ` in brown (`\x1b[33m`), the rest
# of the message in its level's colour (warn bold `\x1b[1m`, err red `\x1b[31m`), each closed by `\x1b[0m`;
# the -x prefix and the caller field uncoloured.
COLOURED = [
    (b"\x1b[32m[  123.456789] \x1b[0m\x1b[33mTCP: \x1b[0mtime wait bucket table overflow", "dmesg", 123.456789, None),
    (b"\x1b[32m[  123.456789] \x1b[0m\x1b[33mnf_conntrack: \x1b[0m\x1b[1mnf_conntrack: table full, dropping packet"
     b"\x1b[0m", "dmesg", 123.456789, None),
    (b"kern  :warn  : \x1b[32m[  123.456789] \x1b[0m\x1b[33mnf_conntrack: \x1b[0m\x1b[1mnf_conntrack: table full, "
     b"dropping packet\x1b[0m", "dmesg", 123.456789, None),  # -x
    (b"\x1b[32m[Sun Nov 22 10:00:00 2026] \x1b[0m\x1b[33mTCP: \x1b[0mtime wait bucket table overflow", "dmesg", None,
     datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)),  # -T
    (b"\x1b[32m\x1b[1m[Nov22 10:00] \x1b[0m\x1b[33mTCP: \x1b[0mtime wait bucket table overflow", "dmesg", None,
     datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)),  # -e, a minute's first record
    (b"\x1b[32m<4>[  123.456789] \x1b[0m\x1b[33mnf_conntrack: \x1b[0m\x1b[1mnf_conntrack: table full, dropping "
     b"packet\x1b[0m", "dmesg", 123.456789, None),  # -r
    (b"\x1b[32m[  123.456789] \x1b[0m[    C1] \x1b[33mTCP: \x1b[0m\x1b[31mTCP: too many orphaned sockets\x1b[0m", "dmesg",
     123.456789, None),  # caller, err level
    (b"\x1b[33mTCP: \x1b[0mtime wait bucket table overflow", "dmesg-t", None, None),  # -t
    (b"Nov 22 10:00:00 web1 kernel: \x1b[0;1;38;5;185mTCP: time wait bucket table overflow\x1b[0m", "rfc3164", None,
     datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)),  # journalctl on a terminal: the message by level
]


@pytest.mark.parametrize("line,framing_name,mono,time", COLOURED)
def test_terminal_colour_codes_are_removed_before_framing(line, framing_name, mono, time):
    """CSI sequences (`ESC [ … final byte`) are removed wherever they are before the record is framed;
    `raw` keeps them."""
    r = framing.decode(line, ctx())
    assert (r.framing, r.monotonic, r.time, r.raw) == (framing_name, mono, time, line)
    assert "\x1b" not in r.text and r.text.split(": ")[-1] in (
        "time wait bucket table overflow", "table full, dropping packet", "too many orphaned sockets")


def test_terminal_colour_codes_are_removed_under_a_forced_framing_and_inside_json():
    """`--framing dmesg` and a container log's JSON (`\\u001b` escapes) read the line without its colours."""
    line = b"\x1b[32m[  123.456789] \x1b[0m\x1b[33mTCP: \x1b[0mtime wait bucket table overflow"
    assert framing.decode(line, ctx(), "dmesg").text == "TCP: time wait bucket table overflow"
    docker = (b'{"log":"\\u001b[32m[  123.456789] \\u001b[0m\\u001b[33mTCP: \\u001b[0mtime wait bucket table '
              b'overflow\\n","stream":"stdout","time":"2026-11-22T10:00:00Z"}')
    r = framing.decode(docker, ctx())
    assert (r.framing, r.monotonic, r.text) == ("json+dmesg", 123.456789, "TCP: time wait bucket table overflow")


@pytest.mark.parametrize("line,text", [
    (b"\x1b[32m[  123.456789] \x1b[0mTCP: time wait bucket table overflow\x1b[0", "TCP: time wait bucket table overflow\x1b[0"),
    (b"\x1b[32m[  123.456789\x1b", "[  123.456789\x1b"),  # cut inside the stamp: bare text
    (b"\x1bTCP: time wait bucket table overflow", "\x1bTCP: time wait bucket table overflow"),  # no CSI
])
def test_a_cut_or_lone_escape_stays_in_the_text(line, text):
    """An escape that is no whole CSI sequence (cut at the end, a lone ESC) stays: the text holds it (no event)."""
    assert framing.decode(line, ctx()).text == text
