"""UDP short packet: the UDP length field disagrees with the datagram (__udp4_lib_rcv, __udp6_lib_rcv).

Printed at KERN_DEBUG when a received datagram's UDP length field is smaller than the header
or larger than the data actually received (`%d/%d` = UDP length / skb length); the datagram is
dropped and Udp InErrors counted (5.17+ drop reason PKT_TOO_SMALL). 2.6.x - 3.x print it via
`LIMIT_NETDEBUG` (visible while net.core.warnings = 1); 3.x/4.x - 6.x via `net_dbg_ratelimited`
(dynamic debug only). The protocol tag is "UDP", "UDP-Lite" (2.6.20 - 3.x) or "UDPLite" (IPv4,
later); net/ipv4/udp.c defines pr_fmt "UDP: ", so a dynamic-debug line can read "UDP: UDP: ...".
IPv6 adds "v6" to the tag and brackets the (compressed) addresses; IPv6 kernels before ~2.6.3x
print only the two lengths (as did 2.2 - early 2.4 IPv4, same text). The newest kernels dropped
UDP-Lite from this path.

Examples:

    UDP: short packet: From 198.51.100.7:53 120/84 to 192.0.2.10:40001
    UDPLite: short packet: From 198.51.100.7:5000 40/28 to 192.0.2.10:5001
    UDP: UDP: short packet: From 198.51.100.7:53 120/84 to 192.0.2.10:40001
    UDPv6: short packet: From [2001:db8::7]:53 120/84 to [2001:db8::10]:40001
    UDP-Litev6: short packet: 40/28

Fields:

    protocol        str        "UDP", "UDP-Lite" or "UDPLite" (the tag without "v6")
    ip_version      int        4 or 6
    src_address     str|null   sender address, normalised (null in the IPv6 lengths-only form)
    src_port        int|null   sender port
    dst_address     str|null   local destination address
    dst_port        int|null   local destination port
    ulen            int        length from the UDP header
    packet_len      int        bytes actually received (skb->len)

Message ids:

    udp_short_packet.v4          2.6.x - 6.x: "UDP%s: short packet: From %pI4:%u %d/%d to %pI4:%u"
                                 (2.4.2x: the same without "From")
    udp_short_packet.v6          ~2.6.3x - 6.x: "UDP%sv6: short packet: From [%pI6c]:%u %d/%d to [%pI6c]:%u"
    udp_short_packet.v6_legacy   2.4 - ~2.6.3x IPv6: "UDP: short packet: %d/%u", "UDP%sv6: short packet: %d/%u"
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "udp_short_packet"
ORIGIN = "kernel"
TRIGGERS = (b"short packet",)
MESSAGES = {
    "udp_short_packet.v4": "UDP%s: short packet: From %pI4:%u %d/%d to %pI4:%u  [2.6.x - 6.x, debug level]",
    "udp_short_packet.v6": "UDP%sv6: short packet: From [%pI6c]:%u %d/%d to [%pI6c]:%u  [~2.6.3x - 6.x, debug level]",
    "udp_short_packet.v6_legacy": "UDP: short packet: %d/%u / UDP%sv6: short packet: %d/%u  [2.4 - ~2.6.3x, IPv6]",
}
FIELDS = ("protocol", "ip_version", "src_address", "src_port", "dst_address", "dst_port", "ulen", "packet_len")


# Optional pr_fmt "UDP: " (dynamic debug) in front of the protocol tag; regex backtracking keeps
# a lone "UDP:" as the tag itself.
_head_v4 = pp.Regex(r"(?:UDP:\s+)?(?P<protocol>UDP(?:-Lite|Lite)?):").set_name("UDP%s:")
_head_v6 = pp.Regex(r"(?:UDP:\s+)?(?P<protocol>UDP(?:-Lite|Lite)?)v6:").set_name("UDP%sv6:")
_head_v6_legacy = (pp.Regex(r"(?P<protocol>UDP(?:-Lite)?)v6:")
                   | pp.Regex(r"(?P<protocol>UDP):")).set_name("UDP[%sv6]:")
_short = c.literal_words("short packet") + pp.Suppress(":")
_lengths = c.uint("ulen") + pp.Suppress("/") + c.uint("packet_len")
_end = pp.Optional(".") + pp.StringEnd()


def _v6(name: str) -> pp.ParserElement:
    return pp.Suppress("[") + c.ipv6(name) + pp.Suppress("]")


# "From" came in 2.4.2x; the 2002 patch that first printed the addresses had none (and such lines
# are still quoted from 2008 logs): "UDP: short packet: 202.206.64.33:53 2875/145 to 193.188.97.212:30203".
v4 = (_head_v4 + _short + pp.Optional(pp.Keyword("From")) + c.ipv4("src_address") + pp.Suppress(":") + c.port("src_port")
      + _lengths + pp.Keyword("to") + c.ipv4("dst_address") + pp.Suppress(":") + c.port("dst_port") + _end) \
    .set_name("udp_short_packet.v4")
v6 = (_head_v6 + _short + pp.Keyword("From") + _v6("src_address") + pp.Suppress(":") + c.port("src_port")
      + _lengths + pp.Keyword("to") + _v6("dst_address") + pp.Suppress(":") + c.port("dst_port") + _end) \
    .set_name("udp_short_packet.v6")
v6_legacy = (_head_v6_legacy + _short + _lengths + _end).set_name("udp_short_packet.v6_legacy")

_VARIANTS = (
    ("udp_short_packet.v4", v4, 4),
    ("udp_short_packet.v6", v6, 6),
    ("udp_short_packet.v6_legacy", v6_legacy, 6),
)


def parse(text: str) -> c.Match | None:
    for message_id, expr, ip_version in _VARIANTS:
        r = c.parse_named(expr, text)
        if r is not None:
            fields = c.fields_of(r, FIELDS)
            fields["ip_version"] = ip_version
            return c.Match(FAMILY, message_id, fields)
    return None
