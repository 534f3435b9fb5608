"""Martian destination: an IPv4 packet arrived for an impossible destination
(net/ipv4/route.c:ip_route_input_slow, label martian_destination).

Printed at KERN_WARNING, only when log_martians is set on the input device and
CONFIG_IP_ROUTE_VERBOSE: the destination is zeronet (0.0.0.0/8), a loopback address arriving
from the wire, or otherwise invalid for input routing. Counted in rt_cache `in_martian_dst`.
2.6: `if (net_ratelimit()) printk(KERN_WARNING ...)`; 3.x+: net_warn_ratelimited(), which adds
route.c's pr_fmt "IPv4: ". Note "dev", not "on dev" as in the martian source message, and
no `ll header:` continuation. First address = destination, second = source; since "ipv4:
Improve martian logs" (net-next, 2026-01) labelled instead, source first.

Examples:

    martian destination 0.0.0.0 from 192.168.1.2, dev eth0
    IPv4: martian destination 0.0.0.0 from 10.10.191.182, dev vlan18
    IPv4: martian destination 127.0.0.1 from 203.0.113.9, dev ens3
    IPv4: martian destination (src=203.0.113.9, dst=127.0.0.1, dev=ens3)

Fields:

    dst_address     str        the martian destination address (the FIRST address printed)
    src_address     str        source address of the packet (the SECOND address printed)
    interface       str        input device

Message ids:

    martian_destination.plain    2.6.10 - ~3.x: "martian destination %pI4 from %pI4, dev %s"
    martian_destination.pr_fmt   ~3.5 - 6.x: "IPv4: martian destination %pI4 from %pI4, dev %s"
    martian_destination.labelled 2026+: "IPv4: martian destination (src=%pI4, dst=%pI4, dev=%s)"
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "martian_destination"
ORIGIN = "kernel"
TRIGGERS = (b"martian destination",)
MESSAGES = {
    "martian_destination.plain": "martian destination %pI4 from %pI4, dev %s  [2.6.10 - ~3.x]",
    "martian_destination.pr_fmt": "IPv4: martian destination %pI4 from %pI4, dev %s  [~3.5 - 6.x]",
    "martian_destination.labelled": "IPv4: martian destination (src=%pI4, dst=%pI4, dev=%s)  [net-next 2026-01 +]",
}
FIELDS = ("dst_address", "src_address", "interface")

_prefix = pp.Optional(pp.Literal("IPv4:"))("prefix")
martian = (_prefix + c.literal_words("martian destination") + c.ipv4("dst_address") + pp.Keyword("from")
           + c.ipv4("src_address") + pp.Suppress(",") + pp.Keyword("dev") + c.ifname("interface")
           + pp.StringEnd()).set_name("martian_destination")
labelled = c.labelled_martian("destination")


def parse(text: str) -> c.Match | None:
    r = c.parse_named(martian, text)
    message_id = "martian_destination.pr_fmt" if r is not None and r.get("prefix") else "martian_destination.plain"
    if r is None:
        r = c.parse_named(labelled, text)
        message_id = "martian_destination.labelled"
    if r is None:
        return None
    return c.Match(FAMILY, message_id, {name: r[name] for name in FIELDS})
