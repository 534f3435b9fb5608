"""Too many orphaned sockets (~3.2+): the orphan limit, alone (net/ipv4/tcp.c:tcp_check_oom).

Printed at KERN_INFO (`pr_info` under `net_ratelimit()`, later `net_info_ratelimited`) when a
socket without a user (closed by the application, still sending or waiting for FIN) is killed
because `orphans << shift > tcp_max_orphans`. Called from tcp_close (shift 0) and
tcp_out_of_resources (shift 0-2: the limit is halved for sockets silent > 2 x TCP_RTO_MAX or
not allowed to reset, and halved again after a soft ICMP error). The peer gets a RST;
TcpExt TCPAbortOnMemory counts it. The same call may also print the `tcp_mem` family's text.
The 2.6 wording "too many *of* orphaned sockets" belongs to the `socket_memory` family.

Examples:

    TCP: too many orphaned sockets
    too many orphaned sockets

Fields:

    (none)

Message ids:

    orphans.too_many   ~3.2 - 6.x ("TCP: " from pr_fmt)
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "orphans"
ORIGIN = "kernel"
TRIGGERS = (b"too many orphaned sockets",)
MESSAGES = {
    "orphans.too_many": "TCP: too many orphaned sockets  [~3.2 - 6.x]",
}
FIELDS = ()
# not before 2.6.39: 2.6.38 still printed the 2.6 texts (grammars/__init__.py: SINCE)
SINCE = {"orphans.too_many": ("2.6.39",)}

too_many = (pp.Optional(pp.Literal("TCP:"))("prefix") + c.literal_words("too many orphaned sockets")
            + pp.Optional(".") + pp.StringEnd()).set_name("orphans.too_many")


def parse(text: str) -> c.Match | None:
    if c.parse_named(too_many, text) is None:
        return None
    return c.Match(FAMILY, "orphans.too_many", {})
