"""Direct parse() tests for the udp_short_packet family."""

import pytest

from tcplog.grammars import udp_short_packet as g


def _fields(protocol, version, src=None, sport=None, dst=None, dport=None, ulen=120, plen=84):
    return {"protocol": protocol, "ip_version": version, "src_address": src, "src_port": sport,
            "dst_address": dst, "dst_port": dport, "ulen": ulen, "packet_len": plen}


@pytest.mark.parametrize("text, protocol", [
    ("UDP: short packet: From 198.51.100.7:53 120/84 to 192.0.2.10:40001", "UDP"),
    ("UDP-Lite: short packet: From 198.51.100.7:53 120/84 to 192.0.2.10:40001", "UDP-Lite"),
    ("UDPLite: short packet: From 198.51.100.7:53 120/84 to 192.0.2.10:40001", "UDPLite"),
    ("UDP: UDP: short packet: From 198.51.100.7:53 120/84 to 192.0.2.10:40001", "UDP"),
    ("UDP: UDPLite: short packet: From 198.51.100.7:53 120/84 to 192.0.2.10:40001", "UDPLite"),
    # 2.4.2x net/ipv4/udp.c before "From": "UDP: short packet: %u.%u.%u.%u:%u %d/%d to %u.%u.%u.%u:%u\n"
    # (a 2002 netdev patch; quoted from a 2008 DNS server's log)
    ("UDP: short packet: 198.51.100.7:53 120/84 to 192.0.2.10:40001", "UDP"),
])
def test_ipv4(text, protocol):
    """IPv4 wording with every protocol tag and the doubled pr_fmt prefix."""
    m = g.parse(text)
    assert (m.family, m.message_id) == ("udp_short_packet", "udp_short_packet.v4")
    assert m.fields == _fields(protocol, 4, "198.51.100.7", 53, "192.0.2.10", 40001)


@pytest.mark.parametrize("text, protocol", [
    ("UDPv6: short packet: From [2001:db8::7]:53 120/84 to [2001:db8::10]:40001", "UDP"),
    ("UDP-Litev6: short packet: From [2001:db8::7]:53 120/84 to [2001:db8::10]:40001", "UDP-Lite"),
])
def test_ipv6(text, protocol):
    """IPv6 wording with bracketed compressed addresses."""
    m = g.parse(text)
    assert m.message_id == "udp_short_packet.v6"
    assert m.fields == _fields(protocol, 6, "2001:db8::7", 53, "2001:db8::10", 40001)


@pytest.mark.parametrize("text, protocol", [
    ("UDP: short packet: 40/28", "UDP"),
    ("UDPv6: short packet: 40/28", "UDP"),
    ("UDP-Litev6: short packet: 40/28", "UDP-Lite"),
])
def test_ipv6_lengths_only(text, protocol):
    """Old IPv6 kernels print only the two lengths."""
    m = g.parse(text)
    assert m.message_id == "udp_short_packet.v6_legacy"
    assert m.fields == _fields(protocol, 6, ulen=40, plen=28)


@pytest.mark.parametrize("text", [
    "UDP: short packet: From 198.51.100.7:53 120/84 to 192.0.2.10:99999",
    "UDP: short packet: From 198.51.100.7:53 120/-84 to 192.0.2.10:9",
    "UDP: short packet: From 198.51.100.7:53 120/84 to",
    "UDPv6: short packet: From 198.51.100.7:53 120/84 to 192.0.2.10:40001",
    "UDP: short packet: From [2001:db8::7]:53 120/84 to [2001:db8::10]:40001",
    "UDP-Lite: short packet: 40/28",
    "TCP: short packet: 40/28",
    "UDP: short packet: Fromm 198.51.100.7:53 120/84 to 192.0.2.10:40001",
])
def test_near_misses_do_not_match(text):
    """Bad ports, negative lengths, truncation and mixed IPv4/IPv6 shapes give None."""
    assert g.parse(text) is None
