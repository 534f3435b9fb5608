"""Drop open request: a SYN shed early, before the SYN queue is full (tcp_v4/v6_conn_request, tcp_conn_request).

Printed at KERN_DEBUG when syncookies are off, fewer than a quarter of the tcp_max_syn_backlog
slots are left and the peer is not "proven" (no cached timestamp/RTT): the SYN is dropped so
the last quarter of the queue is kept for known peers. 2.6.2x - 3.x print it through
`LIMIT_NETDEBUG` (visible while net.core.warnings = 1); 4.x+ through `pr_drop_req()` ->
`net_dbg_ratelimited`, i.e. only with dynamic debug enabled. Counted in TcpExt ListenDrops.
IPv6 addresses use `%pI6`: the full, uncompressed form.

Examples:

    TCP: drop open request from 10.1.2.3/51234
    TCP: drop open request from 2001:0db8:0000:0000:0000:0000:0000:0001/40000

Fields:

    address         str        remote (client) address of the dropped SYN, normalised
    port            int        remote (client) source port

Message ids:

    drop_open_request.from   2.6.2x - 3.x (LIMIT_NETDEBUG), 4.x - 6.x (net_dbg_ratelimited); IPv4 and IPv6
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "drop_open_request"
ORIGIN = "kernel"
TRIGGERS = (b"drop open request",)
MESSAGES = {
    "drop_open_request.from": "TCP: drop open request from %pI4/%u (or %pI6/%u)  [2.6.2x - 6.x, debug level]",
}
FIELDS = ("address", "port")

_prefix = pp.Optional(pp.Literal("TCP:"))("prefix")

drop = (_prefix + c.literal_words("drop open request from") + c.ip("address") + pp.Suppress("/") + c.port("port")
        + pp.Optional(".") + pp.StringEnd()).set_name("drop_open_request.from")


def parse(text: str) -> c.Match | None:
    r = c.parse_named(drop, text)
    if r is None:
        return None
    return c.Match(FAMILY, "drop_open_request.from", {"address": r["address"], "port": r["port"]})
