"""Direct parse() tests for the log_suppressed grammar."""

import pytest

from tcplog.grammars import log_suppressed as g

NONE = dict.fromkeys(g.FIELDS)
JOURNALD = {**NONE, "daemon": "systemd-journald"}
RSYSLOG = {**NONE, "daemon": "rsyslogd"}


@pytest.mark.parametrize(("text", "message_id", "fields"), [
    ("Suppressed 1234 messages from /system.slice/nginx.service", "log_suppressed.journald_suppressed",
     {**JOURNALD, "suppressed": 1234, "unit": "/system.slice/nginx.service"}),
    ("Suppressed 1234 messages from nginx.service", "log_suppressed.journald_suppressed",
     {**JOURNALD, "suppressed": 1234, "unit": "nginx.service"}),
    ("Missed 1427 kernel messages", "log_suppressed.journald_kernel_missed",
     {**JOURNALD, "suppressed": 1427, "unit": "kernel"}),
    ("Forwarding to syslog missed 8 messages.", "log_suppressed.journald_forward_missed",
     {**JOURNALD, "suppressed": 8}),
    ("imuxsock begins to drop messages from pid 55082 due to rate-limiting", "log_suppressed.imuxsock_begin",
     {**RSYSLOG, "pid": 55082}),
    ("imuxsock lost 141 messages from pid 55082 due to rate-limiting", "log_suppressed.imuxsock_lost",
     {**RSYSLOG, "suppressed": 141, "pid": 55082}),
    ("imjournal: begin to drop messages due to rate-limiting", "log_suppressed.ratelimit_begin", RSYSLOG),
    ("imjournal: 236 messages lost due to rate-limiting", "log_suppressed.ratelimit_lost",
     {**RSYSLOG, "suppressed": 236}),
    ("imjournal: 84667 messages lost due to rate-limiting (20000 allowed within 600 seconds)",
     "log_suppressed.ratelimit_lost", {**RSYSLOG, "suppressed": 84667}),
    ("imuxsock[pid: 51, name: /usr/bin/syncd]: 48814808 messages lost due to rate-limiting "
     "(20000 allowed within 300 seconds)", "log_suppressed.ratelimit_lost",
     {**RSYSLOG, "suppressed": 48814808, "pid": 51, "unit": "/usr/bin/syncd"}),
    ("last message repeated 3 times", "log_suppressed.last_repeated", {**NONE, "suppressed": 3}),
    ("--- last message repeated 1 time ---", "log_suppressed.last_repeated_dashes", {**NONE, "suppressed": 1}),
    ("--- last message repeated 17 times ---", "log_suppressed.last_repeated_dashes", {**NONE, "suppressed": 17}),
    ("message repeated 5 times: [ nf_conntrack: table full, dropping packet]", "log_suppressed.message_repeated",
     {**RSYSLOG, "suppressed": 5, "repeated_message": "nf_conntrack: table full, dropping packet"}),
    ("Last message 'pid 1066 (python3.9)' repeated 1 times, suppressed by syslog-ng on nas.example.net",
     "log_suppressed.syslog_ng_repeated",
     {**NONE, "daemon": "syslog-ng", "suppressed": 1, "repeated_message": "pid 1066 (python3.9)"}),
])
def test_every_wording(text, message_id, fields):
    """Each wording parses to its message id and typed fields."""
    assert g.parse(text) == (g.FAMILY, message_id, fields)


def test_origin_is_shipper():
    """The family is the log daemons' own, not the kernel's."""
    assert g.ORIGIN == "shipper"


def test_programs_name_the_log_daemons():
    """PROGRAMS holds journald (full and comm-truncated), rsyslog and syslog-ng tags."""
    assert {"systemd-journald", "systemd-journal", "rsyslogd", "rsyslogd-2177", "syslog-ng"} <= g.PROGRAMS


def test_tag_kept_ids_are_message_ids():
    """Every TAG_KEPT id is a message id of the family."""
    assert g.TAG_KEPT <= set(g.MESSAGES)


def test_syslog_ng_summary_quotes_up_to_20_chars():
    """The syslog-ng quote is at most 20 characters."""
    assert g.parse("Last message 'FIREWALL[8512]: nflo' repeated 3 times, suppressed by syslog-ng on dsl").fields[
        "repeated_message"] == "FIREWALL[8512]: nflo"


@pytest.mark.parametrize("text", [
    "Suppressed messages from nginx.service",
    "last message repeated 3 times please",
    "Last message 'this quote is longer than twenty' repeated 2 times, suppressed by syslog-ng on x",
    "we missed 3 kernel messages",
    "imuxsock lost some messages from pid 1 due to rate-limiting",
])
def test_near_misses(text):
    """Look-alikes do not match."""
    assert g.parse(text) is None


@pytest.mark.parametrize("text", [
    "Missed lots kernel messages",
    "Missed -3 kernel messages",
    "last message repeated",
    "message repeated 5 times: [ unterminated",
    "imuxsock begins to drop messages from pid abc due to rate-limiting",
])
def test_malformed(text):
    """Non-numeric counts and truncated lines do not match."""
    assert g.parse(text) is None
