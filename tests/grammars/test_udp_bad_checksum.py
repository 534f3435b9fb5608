"""Direct parse() tests for the udp_bad_checksum family."""

import pytest

from tcplog.grammars import udp_bad_checksum as g


@pytest.mark.parametrize("text, protocol", [
    ("UDP: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:57999 ulen 39", "UDP"),
    ("UDP-Lite: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:57999 ulen 39", "UDP-Lite"),
    ("UDPLite: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:57999 ulen 39", "UDPLite"),
    ("UDP: UDP: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:57999 ulen 39", "UDP"),
])
def test_bad_checksum(text, protocol):
    """Every protocol tag and the doubled prefix parse to typed fields."""
    m = g.parse(text)
    assert (m.family, m.message_id) == ("udp_bad_checksum", "udp_bad_checksum.v4")
    assert m.fields == {"protocol": protocol, "ip_version": 4, "src_address": "204.83.232.135",
                        "src_port": 24638, "dst_address": "64.235.218.35", "dst_port": 57999, "ulen": 39}


@pytest.mark.parametrize("text", [
    "UDP: bad checksum From 204.83.232.135:24638 to 64.235.218.35:57999 ulen 39",
    "UDP: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:57999 ulen x",
    "UDP: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:579990 ulen 39",
    "UDP: bad checksum. From 204.83.232.1350:24638 to 64.235.218.35:57999 ulen 39",
    "TCP: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:57999 ulen 39",
    "UDP: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:57999",
])
def test_near_misses_do_not_match(text):
    """Missing period, wrong types, bad ports/addresses, other protocols and truncation give None."""
    assert g.parse(text) is None
