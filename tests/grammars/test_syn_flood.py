"""syn_flood grammar: every kernel wording, and what must not match."""

from __future__ import annotations

import pytest

from tcplog.grammars import syn_flood


@pytest.mark.parametrize("text,message_id,fields", [
    ("possible SYN flooding on port 80. Sending cookies.", "syn_flood.legacy",
     {"proto": None, "ip_version": None, "listen_address": None, "port": 80, "action": "cookies"}),
    # 2.6.3x syn_flood_warning(): capitalised, proto name, no SNMP tail; v6 may drop requests
    ("TCP: Possible SYN flooding on port 80. Sending cookies.", "syn_flood.legacy",
     {"proto": "TCP", "ip_version": 4, "listen_address": None, "port": 80, "action": "cookies"}),
    ("TCPv6: Possible SYN flooding on port 443. Dropping request.", "syn_flood.legacy",
     {"proto": "TCPv6", "ip_version": 6, "listen_address": None, "port": 443, "action": "drop"}),
    # 3.1 - 3.4, before tcp_ipv4.c had pr_fmt: one "TCP:", with the SNMP tail
    ("TCP: Possible SYN flooding on port 80. Dropping request.  Check SNMP counters.", "syn_flood.proto",
     {"proto": "TCP", "ip_version": 4, "listen_address": None, "port": 80, "action": "drop"}),
    ("TCP: TCP: Possible SYN flooding on port 9042. Sending cookies.  Check SNMP counters.", "syn_flood.proto",
     {"proto": "TCP", "ip_version": 4, "listen_address": None, "port": 9042, "action": "cookies"}),
    ("TCP: TCPv6: Possible SYN flooding on port 22. Dropping request.  Check SNMP counters.", "syn_flood.proto",
     {"proto": "TCPv6", "ip_version": 6, "listen_address": None, "port": 22, "action": "drop"}),
    ("TCP: request_sock_TCPv6: Possible SYN flooding on port 34391. Dropping request.  Check SNMP counters.",
     "syn_flood.slab",
     {"proto": "request_sock_TCPv6", "ip_version": 6, "listen_address": None, "port": 34391, "action": "drop"}),
    ("TCP: request_sock_TCP: Possible SYN flooding on port 127.0.0.1:23456. Sending cookies.", "syn_flood.addr",
     {"proto": "request_sock_TCP", "ip_version": 4, "listen_address": "127.0.0.1", "port": 23456,
      "action": "cookies"}),
    ("TCP: request_sock_TCPv6: Possible SYN flooding on port [::ffff:192.0.2.1]:443. Sending cookies.",
     "syn_flood.addr",
     {"proto": "request_sock_TCPv6", "ip_version": 6, "listen_address": "::ffff:192.0.2.1", "port": 443,
      "action": "cookies"}),
    ("TCP: request_sock_subflow_v4: Possible SYN flooding on port [::]:20002. Sending cookies.", "syn_flood.addr",
     {"proto": "request_sock_subflow_v4", "ip_version": 6, "listen_address": "::", "port": 20002,
      "action": "cookies"}),
    # 2.6.3x net/ipv6/tcp_ipv6.c:syn_flood_warning: "TCPv6: Possible SYN flooding on port %d. Sending cookies.\n"
    ("TCPv6: Possible SYN flooding on port 65535. Sending cookies.", "syn_flood.legacy",
     {"proto": "TCPv6", "ip_version": 6, "listen_address": None, "port": 65535, "action": "cookies"}),
    # 3.17 - 6.1 with the slab name but no "TCP: " (a kernel or pipeline without tcp_input.c's pr_fmt)
    ("request_sock_TCP: Possible SYN flooding on port 0. Sending cookies.  Check SNMP counters.", "syn_flood.slab",
     {"proto": "request_sock_TCP", "ip_version": 4, "listen_address": None, "port": 0, "action": "cookies"}),
    # 6.2+ tcp_input.c "%s: Possible SYN flooding on port [%pI6c]:%u. %s.\n": every %pI6c shape
    ("TCP: request_sock_TCPv6: Possible SYN flooding on port [::1]:8443. Dropping request.", "syn_flood.addr",
     {"proto": "request_sock_TCPv6", "ip_version": 6, "listen_address": "::1", "port": 8443, "action": "drop"}),
    ("TCP: request_sock_TCPv6: Possible SYN flooding on port [fe80::1c2d:3eff:fe4f:5a6b]:22. Sending cookies.",
     "syn_flood.addr",
     {"proto": "request_sock_TCPv6", "ip_version": 6, "listen_address": "fe80::1c2d:3eff:fe4f:5a6b", "port": 22,
      "action": "cookies"}),
    ("TCP: request_sock_TCPv6: Possible SYN flooding on port [2001:db8:0:1:1:1:1:1]:443. Sending cookies.",
     "syn_flood.addr",
     {"proto": "request_sock_TCPv6", "ip_version": 6, "listen_address": "2001:db8:0:1:1:1:1:1", "port": 443,
      "action": "cookies"}),
    ("TCP: request_sock_TCP: Possible SYN flooding on port 255.255.255.255:65535. Sending cookies.", "syn_flood.addr",
     {"proto": "request_sock_TCP", "ip_version": 4, "listen_address": "255.255.255.255", "port": 65535,
      "action": "cookies"}),
    # MPTCP subflows: 6.x "request_sock_subflow_v6" (5.x: "request_sock_subflow", no family)
    ("TCP: request_sock_subflow_v6: Possible SYN flooding on port [::]:20002. Sending cookies.", "syn_flood.addr",
     {"proto": "request_sock_subflow_v6", "ip_version": 6, "listen_address": "::", "port": 20002,
      "action": "cookies"}),
    ("TCP: request_sock_subflow: Possible SYN flooding on port 20002. Sending cookies.  Check SNMP counters.",
     "syn_flood.slab",
     {"proto": "request_sock_subflow", "ip_version": None, "listen_address": None, "port": 20002,
      "action": "cookies"}),
])
def test_wordings(text, message_id, fields):
    """Each kernel wording parses to its message id and typed fields."""
    m = syn_flood.parse(text)
    assert (m.family, m.message_id, m.fields) == ("syn_flood", message_id, fields)


def test_backported_check_snmp_counters_on_address_form():
    """A vendor backport that keeps "Check SNMP counters" after an address still parses."""
    m = syn_flood.parse("TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:80. Sending cookies.  "
                        "Check SNMP counters.")
    assert m.message_id == "syn_flood.addr"


@pytest.mark.parametrize("text", [
    "possible SYN flooding on port 80",
    "possible SYN flooding detected from 203.0.113.9",
    "TCP: request_sock_TCP: Possible SYN flooding on port 70000. Sending cookies.",
    "TCP: request_sock_TCP: Possible SYN flooding on port 300.1.1.1:80. Sending cookies.",
    "WARN possible SYN flooding on port 80. Sending cookies.",
    "TCP: TCP: Possible SYN flooding on port 80. Sending cookies.  Check SNMP counters. extra",
    "",
    # an application's own words before the kernel's: no kernel proto name ("TCP", "TCPv6", "request_sock_*")
    "myapp: possible SYN flooding on port 80. Sending cookies.",
    "nginx: Possible SYN flooding on port 80. Sending cookies.  Check SNMP counters.",
    "kernel: Possible SYN flooding on port 80. Dropping request.",
    "TCPx: Possible SYN flooding on port 80. Sending cookies.",
    "Detected possible SYN flooding on port 80. Sending cookies.",
])
def test_near_misses(text):
    """Look-alikes, truncations and bad values do not match."""
    assert syn_flood.parse(text) is None
