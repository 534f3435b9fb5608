"""UDP bad checksum: a datagram failed the UDP checksum (net/ipv4/udp.c:__udp4_lib_rcv, csum_error).

Printed at KERN_DEBUG when a received IPv4 UDP datagram fails checksum verification; it is
dropped and Udp InCsumErrors / InErrors counted (5.17+ drop reason UDP_CSUM). 2.6.x - 3.x print
it via `LIMIT_NETDEBUG` (visible while net.core.warnings = 1); 3.x/4.x - 6.x via
`net_dbg_ratelimited` (dynamic debug only), so on current kernels the counters are the signal.
The protocol tag is "UDP", "UDP-Lite" (2.6.20 - 3.x) or "UDPLite" (later); udp.c's pr_fmt
"UDP: " can double the prefix on dynamic-debug lines. The IPv6 receive path prints no
checksum message at all (it only counts). NIC checksum-offload bugs usually show up here only
as counters, or as the `hw_csum_failure` family.

Examples:

    UDP: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:57999 ulen 39
    UDPLite: bad checksum. From 198.51.100.7:5000 to 192.0.2.10:5001 ulen 40
    UDP: UDP: bad checksum. From 198.51.100.7:53 to 192.0.2.10:40001 ulen 120

Fields:

    protocol        str        "UDP", "UDP-Lite" or "UDPLite"
    ip_version      int        4
    src_address     str        sender address, normalised
    src_port        int        sender port
    dst_address     str        local destination address
    dst_port        int        local destination port
    ulen            int        length from the UDP header

Message ids:

    udp_bad_checksum.v4   2.6.x - 6.x: "UDP%s: bad checksum. From %pI4:%u to %pI4:%u ulen %d"
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "udp_bad_checksum"
ORIGIN = "kernel"
TRIGGERS = (b"bad checksum",)
MESSAGES = {
    "udp_bad_checksum.v4": "UDP%s: bad checksum. From %pI4:%u to %pI4:%u ulen %d  [2.6.x - 6.x, debug level]",
}
FIELDS = ("protocol", "ip_version", "src_address", "src_port", "dst_address", "dst_port", "ulen")


# Optional pr_fmt "UDP: " (dynamic debug) in front of the protocol tag.
_head = pp.Regex(r"(?:UDP:\s+)?(?P<protocol>UDP(?:-Lite|Lite)?):").set_name("UDP%s:")

v4 = (_head + c.literal_words("bad checksum") + pp.Suppress(".")
      + pp.Keyword("From") + c.ipv4("src_address") + pp.Suppress(":") + c.port("src_port")
      + pp.Keyword("to") + c.ipv4("dst_address") + pp.Suppress(":") + c.port("dst_port")
      + pp.Keyword("ulen") + c.uint("ulen") + pp.Optional(".") + pp.StringEnd()).set_name("udp_bad_checksum.v4")


def parse(text: str) -> c.Match | None:
    r = c.parse_named(v4, text)
    if r is None:
        return None
    fields = c.fields_of(r, FIELDS)
    fields["ip_version"] = 4
    return c.Match(FAMILY, "udp_bad_checksum.v4", fields)
