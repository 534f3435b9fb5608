"""Direct parse() tests for the martian_source grammar."""

import pytest

from tcplog.grammars import martian_source as g

NONE = dict.fromkeys(g.FIELDS)


@pytest.mark.parametrize(("text", "message_id"), [
    ("martian source 255.255.255.255 from 192.168.1.1, on dev eth0", "martian_source.plain"),
    ("IPv4: martian source 255.255.255.255 from 192.168.1.1, on dev eth0", "martian_source.pr_fmt"),
])
def test_martian_line(text, message_id):
    """The martian line gives destination first, source second, and no ll header fields."""
    assert g.parse(text) == (g.FAMILY, message_id, {
        **NONE, "dst_address": "255.255.255.255", "src_address": "192.168.1.1", "interface": "eth0"})


def test_first_address_is_destination():
    """The first printed address is the destination, the second the source."""
    m = g.parse("IPv4: martian source 10.244.1.1 from 10.244.1.2, on dev cni0")
    assert (m.fields["dst_address"], m.fields["src_address"]) == ("10.244.1.1", "10.244.1.2")


ETHERNET = {**NONE, "ll_header": "ff:ff:ff:ff:ff:ff:52:54:00:12:34:56:08:00",
            "dst_mac": "ff:ff:ff:ff:ff:ff", "src_mac": "52:54:00:12:34:56", "ethertype": 0x0800}


@pytest.mark.parametrize("text", [
    "ll header: ff:ff:ff:ff:ff:ff:52:54:00:12:34:56:08:00",
    "ll header: 00000000: ff ff ff ff ff ff 52 54 00 12 34 56 08 00",
    "ll header: 00000000: ff ff ff ff ff ff 52 54 00 12 34 56 08 00        ......RT..4V..",
    "ll header: FF:FF:FF:FF:FF:FF:52:54:00:12:34:56:08:00",
])
def test_ll_header_ethernet(text):
    """2.6 colon form, 3.x hex dump and hex dump with ASCII column all give the Ethernet fields."""
    assert g.parse(text) == (g.FAMILY, "martian_source.ll_header", ETHERNET)


def test_ll_header_arp_ethertype():
    """The ethertype is an int (0x0806 ARP)."""
    assert g.parse("ll header: 00000000: ff ff ff ff ff ff 12 88 f0 cc 64 b8 08 06").fields["ethertype"] == 2054


def test_ll_header_second_row():
    """A hex dump row at offset 0x10 keeps its bytes but no Ethernet fields."""
    assert g.parse("ll header: 00000010: 45 00") == (g.FAMILY, "martian_source.ll_header", {**NONE, "ll_header": "45:00"})


def test_ll_header_tunnel_length():
    """A tunnel's hard header (LL_MAX_HEADER + IP header: 148 bytes on an ipip1 device of a 2.6
    gateway, one colon-joined line) is read whole."""
    octets = ["45", "00", "00", "60"] + ["00"] * 144
    m = g.parse("ll header: " + ":".join(octets))
    assert (m.message_id, m.fields["ll_header"].count(":") + 1, m.fields["ethertype"]) == \
        ("martian_source.ll_header", 148, None)


def test_ll_header_not_ethernet_length():
    """A header that is not 14 bytes gets no MAC or ethertype."""
    m = g.parse("ll header: 00:01:02:03")
    assert (m.fields["ll_header"], m.fields["dst_mac"], m.fields["ethertype"]) == ("00:01:02:03", None, None)


@pytest.mark.parametrize("text", [
    "martian source 10.0.0.255 from 169.254.3.7, dev eth1",
    "martian destination 0.0.0.0 from 192.168.1.2, dev eth0",
    "martian source 10.0.0.255 from 169.254.3.7 on dev eth1",
    "kernel says martian source 10.0.0.255 from 169.254.3.7, on dev eth1",
    "martian source 10.0.0.255 from 169.254.3.7, on dev eth1 extra",
])
def test_near_misses(text):
    """Look-alikes and other text around the message do not match."""
    assert g.parse(text) is None


@pytest.mark.parametrize("text", [
    "martian source 10.0.0.300 from 192.168.1.1, on dev eth0",
    "martian source 2001:db8::1 from 2001:db8::2, on dev eth0",
    "martian source 10.0.0.1 from 192.168.1.1, on dev",
    "ll header: 00000000: zz ff ff ff ff ff 12 88 f0 cc 64 b8 08 06",
    "ll header: 00000000: ff ff ff ff ff ff 52 54 00 12 34 56 08 00 00 00 00 00 00",
    "ll header:",
])
def test_malformed(text):
    """Garbage addresses, IPv6 addresses, bad hex and over-long rows do not match."""
    assert g.parse(text) is None
