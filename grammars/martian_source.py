"""Martian source: an IPv4 packet arrived whose source address is impossible on that interface
(net/ipv4/route.c:ip_handle_martian_source, from ip_route_input_slow / __mkroute_input).

Printed at KERN_WARNING under net_ratelimit(), only when log_martians is set on the device
(net.ipv4.conf.{all,<dev>}.log_martians) and CONFIG_IP_ROUTE_VERBOSE: reverse-path filter
(rp_filter / fib_validate_source) failure, or a broadcast, zeronet or loopback source.
**The first address is the destination, the second the source** (daddr, saddr) up to 6.x; a
2025 patch that only swapped them was rejected, and "ipv4: Improve martian logs" (net-next,
2026-01) labels them instead, source first: `martian source (src=S, dst=D, dev=X)`.
The link-layer header follows as a continuation line, `ll header: ...`, when the device has
a hard header (14 bytes on Ethernet, up to 148 on ipip/gre tunnels; none on tun/wg): on 2.4 -
~3.2 one line of colon-joined bytes, on 3.x+ print_hex_dump() lines with a `00000000: ` offset
(and an ASCII column on early 3.x). The continuation parses on its own (message id
martian_source.ll_header); the assemble stage joins it into the martian event before it.

Examples:

    martian source 255.255.255.255 from 192.168.1.1, on dev eth0
    ll header: ff:ff:ff:ff:ff:ff:00:11:22:33:44:55:08:00
    IPv4: martian source 10.244.1.2 from 10.244.1.2, on dev cni0
    ll header: 00000000: ff ff ff ff ff ff 12 88 f0 cc 64 b8 08 06
    ll header: 00000000: ff ff ff ff ff ff 52 54 00 12 34 56 08 00        ......RT..4V..
    IPv4: martian source (src=10.128.128.128, dst=255.255.255.255, dev=wlo1)

Fields:

    dst_address     str|null   destination address of the packet (the FIRST address printed; `dst=`)
    src_address     str|null   the martian source address (the SECOND address printed; `src=`)
    interface       str|null   input device
    ll_header       str|null   link-layer header bytes, lowercase colon-joined hex ("ff:ff:...")
    dst_mac         str|null   Ethernet destination MAC (14-byte header at offset 0 only)
    src_mac         str|null   Ethernet source MAC (14-byte header at offset 0 only)
    ethertype       int|null   Ethernet type, e.g. 2048 (0x0800 IPv4), 2054 (0x0806 ARP)

Message ids:

    martian_source.plain       2.4 - ~3.x: "martian source %pI4 from %pI4, on dev %s"
    martian_source.pr_fmt      ~3.5 - 6.x: "IPv4: martian source %pI4 from %pI4, on dev %s"
    martian_source.labelled    2026+: "IPv4: martian source (src=%pI4, dst=%pI4, dev=%s)"
    martian_source.ll_header   continuation: "ll header: ff:ff:..." (2.4 - ~3.2) or
                               "ll header: 00000000: ff ff ..." print_hex_dump (3.x - 6.x)
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "martian_source"
ORIGIN = "kernel"
TRIGGERS = (b"martian source", b"ll header")
MESSAGES = {
    "martian_source.plain": "martian source %pI4 from %pI4, on dev %s  [2.4 - ~3.x]",
    "martian_source.pr_fmt": "IPv4: martian source %pI4 from %pI4, on dev %s  [~3.5 - 6.x]",
    "martian_source.labelled": "IPv4: martian source (src=%pI4, dst=%pI4, dev=%s)  [net-next 2026-01 +]",
    "martian_source.ll_header": "ll header: %02x:%02x:...  [2.4 - ~3.2]; "
                                "ll header: %08x: %02x %02x ...  [3.x - 6.x, print_hex_dump]",
}
FIELDS = ("dst_address", "src_address", "interface", "ll_header", "dst_mac", "src_mac", "ethertype")

_prefix = pp.Optional(pp.Literal("IPv4:"))("prefix")
martian = (_prefix + c.literal_words("martian source") + c.ipv4("dst_address") + pp.Keyword("from")
           + c.ipv4("src_address") + pp.Suppress(",") + c.literal_words("on dev") + c.ifname("interface")
           + pp.StringEnd()).set_name("martian_source")
labelled = c.labelled_martian("source")

_ll = c.literal_words("ll header:")
# hard_header_len bytes: 14 on Ethernet, up to LL_MAX_HEADER + an IP header on tunnels (ipip1 on a
# 2.6 gateway printed 148).
_colon_bytes = pp.Regex(r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){0,255}:?").set_name("colon-joined bytes")("colon")
# One print_hex_dump row: offset, up to 16 space-separated bytes, optional ASCII column after 2+ spaces.
_hex_row = pp.Regex(r"(?P<offset>[0-9a-fA-F]{8}): (?P<row>[0-9a-fA-F]{2}(?: [0-9a-fA-F]{2}){0,15})"
                    r"(?: {2,}(?P<ascii>\S.{0,15}))?").set_name("hex dump row")
ll_header = (_ll + (_hex_row | _colon_bytes) + pp.StringEnd()).set_name("martian_source.ll_header")


def _ll_fields(r: dict) -> dict:
    if "row" in r:
        offset = int(r["offset"], 16)
        octets = r["row"].lower().split(" ")
    else:
        offset = 0
        octets = r["colon"].lower().rstrip(":").split(":")
    fields = dict.fromkeys(FIELDS)
    fields["ll_header"] = ":".join(octets)
    if offset == 0 and len(octets) == 14:
        fields["dst_mac"] = ":".join(octets[0:6])
        fields["src_mac"] = ":".join(octets[6:12])
        fields["ethertype"] = int(octets[12] + octets[13], 16)
    return fields


def parse(text: str) -> c.Match | None:
    r = c.parse_named(martian, text)
    message_id = "martian_source.pr_fmt" if r is not None and r.get("prefix") else "martian_source.plain"
    if r is None:
        r = c.parse_named(labelled, text)
        message_id = "martian_source.labelled"
    if r is not None:
        fields = dict.fromkeys(FIELDS)
        fields.update(dst_address=r["dst_address"], src_address=r["src_address"], interface=r["interface"])
        return c.Match(FAMILY, message_id, fields)
    r = c.parse_named(ll_header, text)
    if r is None:
        return None
    return c.Match(FAMILY, "martian_source.ll_header", _ll_fields(r))
