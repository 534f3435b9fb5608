"""SYN flood warning: a listener's SYN queue is full (net/ipv4/tcp_input.c:tcp_syn_flood_action).

Printed at KERN_INFO when the SYN queue of a listening socket overflows. Since 3.1 once per
listener (never a rate: the counters TCPReqQFullDoCookies/TCPReqQFullDrop carry the rate);
on 2.6 at most once per 60 s and only with tcp_syncookies set. OpenVZ and Virtuozzo kernels print
the mainline wordings (no per-container form was found in the OpenVZ 2.6.18.8, OpenVZ RHEL 6 or
Virtuozzo 7 sources, unlike conntrack_full's `CT %d:` and `VE%u:`).

Examples:

    possible SYN flooding on port 80. Sending cookies.
    TCP: Possible SYN flooding on port 80. Sending cookies.                           (2.6.3x)
    TCPv6: Possible SYN flooding on port 80. Dropping request.                        (2.6.3x)
    TCP: TCP: Possible SYN flooding on port 9042. Sending cookies.  Check SNMP counters.
    TCP: Possible SYN flooding on port 80. Dropping request.  Check SNMP counters.    (3.1 - 3.4, no pr_fmt)
    TCP: request_sock_TCPv6: Possible SYN flooding on port 34391. Dropping request.  Check SNMP counters.
    TCP: request_sock_TCP: Possible SYN flooding on port 127.0.0.1:23456. Sending cookies.
    TCP: request_sock_subflow_v4: Possible SYN flooding on port [::]:20002. Sending cookies.

Fields:

    proto           str        "TCP", "TCPv6", "request_sock_TCP", "request_sock_subflow_v4", ... or null (2.6)
    ip_version      int|null   4 or 6 when the proto name tells
    listen_address  str|null   bound address of the listener (6.2+), e.g. "0.0.0.0", "::"
    port            int        listening port
    action          str        "cookies" (Sending cookies) or "drop" (Dropping request)

Message ids:

    syn_flood.legacy      2.2 - 3.0 (RHEL 5/6): lowercase, no prefix, cookies only; 2.6.3x also
                          "TCP[v6]: Possible ... Sending cookies|Dropping request." (no SNMP tail):
                          every one rate-limited, not once per listener
    syn_flood.proto       3.1 - 3.16 (RHEL 7): "TCP: TCP:" / "TCP: TCPv6:" ("TCP:" alone before pr_fmt), "Check SNMP counters"
    syn_flood.slab        3.17 - 6.1: "request_sock_TCP[v6]:" slab name, "Check SNMP counters"
    syn_flood.addr        6.2+: listener address:port, no "Check SNMP counters"
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "syn_flood"
ORIGIN = "kernel"
TRIGGERS = (b"SYN flooding",)
MESSAGES = {
    "syn_flood.legacy": "possible SYN flooding on port %d. Sending cookies.  [2.2 - 3.0]; "
                        "TCP[v6]: Possible SYN flooding on port %d. %s.  [2.6.3x]",
    "syn_flood.proto": "TCP: %s: Possible SYN flooding on port %d. %s.  Check SNMP counters.  [3.1 - 3.16]",
    "syn_flood.slab": "TCP: request_sock_%s: Possible SYN flooding on port %d. %s.  Check SNMP counters.  [3.17 - 6.1]",
    "syn_flood.addr": "TCP: request_sock_%s: Possible SYN flooding on port %pI4:%u. %s.  [6.2+]",
}
FIELDS = ("proto", "ip_version", "listen_address", "port", "action")
# the first mainline kernel with each wording (grammars/__init__.py: SINCE)
SINCE = {"syn_flood.proto": ("3.1",), "syn_flood.slab": ("3.17",), "syn_flood.addr": ("6.2",)}
# the last mainline kernel with each wording (grammars/__init__.py: UNTIL). Each change rewrote the one
# format string in place: tcp_conn_request() (3.17) passes rsk_ops->slab_name where tcp_v4/v6_conn_request
# passed "TCP"/"TCPv6"; the listener address (6.2) replaced the port and dropped "Check SNMP counters".
# The lowercase 2.6 text: 3.0 prints it (docs/reference §5 [V]); a 3.2.0 tree's tcp_v4_conn_request()
# calls tcp_syn_flood_action(sk, skb, "TCP") instead; 3.1 is not checked, so the bound is 3.1.
UNTIL = {"syn_flood.legacy": "3.1", "syn_flood.proto": "3.16", "syn_flood.slab": "6.1"}

_ACTIONS = {"Sending cookies": "cookies", "Dropping request": "drop"}
_action = c.value_token("|".join(_ACTIONS), "action", _ACTIONS.__getitem__)("action")
_snmp = pp.Optional(pp.Literal("Check SNMP counters") + pp.Optional("."))("snmp")
_tail = _action + pp.Optional(".") + _snmp + pp.StringEnd()
_flooding = pp.one_of("possible Possible")("word") + c.literal_words("SYN flooding on port")
# The names the kernel passes: "TCP"/"TCPv6" (3.1 - 3.16), then rsk_ops->slab_name, "request_sock_"
# + the proto name ("TCP", "TCPv6", MPTCP's "subflow_v4"/"subflow_v6", any other proto name). A bare
# word is not one: "myapp: Possible SYN flooding on port 80. Sending cookies." is no kernel line.
_proto = pp.Regex(r"request_sock_[A-Za-z0-9_]{1,32}(?![A-Za-z0-9_])|TCPv6|TCP(?![A-Za-z0-9_])")("proto") \
    + pp.Suppress(":")
_bracketed = pp.Suppress("[") + c.ipv6("listen_address") + pp.Suppress("]")
_addr_port = (_bracketed | c.ipv4("listen_address")) + pp.Suppress(":") + c.port("port")
_prefix = pp.Optional(pp.Literal("TCP:"))("prefix")

legacy = (pp.Optional(pp.Regex(r"TCP(?:v6)?:")) + pp.Literal("possible")("word")
          + c.literal_words("SYN flooding on port") + c.port("port") + pp.Suppress(".")
          + _action + pp.Optional(".") + pp.StringEnd()).set_name("syn_flood.legacy")
with_addr = (_prefix + _proto + _flooding + _addr_port + pp.Suppress(".") + _tail).set_name("syn_flood.addr")
# 3.1 - 3.4, before tcp_ipv4.c had pr_fmt, printed the proto name alone ("TCP: Possible ..."): a
# choice, since an optional prefix, once taken, is never given back (PEG).
_proto_only = (_prefix + _proto) | _proto
with_port = (_proto_only + _flooding + c.port("port") + pp.Suppress(".") + _tail).set_name("syn_flood.port")


def _ip_version(proto: str | None, address: str | None) -> int | None:
    if address is not None:
        return 6 if ":" in address else 4
    if proto is None:
        return None
    if proto.endswith(("v6", "6")):
        return 6
    if proto.endswith(("TCP", "v4")):
        return 4
    return None


def parse(text: str) -> c.Match | None:
    r = c.parse_named(legacy, text)
    if r is not None:
        return c.Match(FAMILY, "syn_flood.legacy",
                       {"proto": None, "ip_version": None, "listen_address": None, "port": r["port"],
                        "action": r["action"]})
    r = c.parse_named(with_addr, text)
    if r is not None:
        message_id = "syn_flood.addr"
    else:
        r = c.parse_named(with_port, text)
        if r is None:
            return None
        if r["proto"].startswith("request_sock_"):
            message_id = "syn_flood.slab"
        else:  # 3.1 - 3.16 always end with the SNMP hint; 2.6.3x's syn_flood_warning() never did
            message_id = "syn_flood.proto" if "snmp" in r else "syn_flood.legacy"
    proto = r["proto"]
    address = r.get("listen_address")
    return c.Match(FAMILY, message_id, {
        "proto": proto, "ip_version": _ip_version(proto, address), "listen_address": address,
        "port": r["port"], "action": r["action"],
    })
