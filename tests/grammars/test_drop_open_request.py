"""Direct parse() tests for the drop_open_request family."""

import pytest

from tcplog.grammars import drop_open_request as g


@pytest.mark.parametrize("text, address, port", [
    ("TCP: drop open request from 10.1.2.3/51234", "10.1.2.3", 51234),
    ("drop open request from 192.0.2.44/33001", "192.0.2.44", 33001),
    ("TCP: drop open request from 2001:0db8:0000:0000:0000:0000:0000:0001/40000", "2001:db8::1", 40000),
    ("TCP: drop open request from 2001:db8::1/443", "2001:db8::1", 443),
])
def test_drop_open_request(text, address, port):
    """IPv4 and IPv6 (%pI6 full or compressed) addresses parse and normalise; port is an int."""
    m = g.parse(text)
    assert (m.family, m.message_id, m.fields) == ("drop_open_request", "drop_open_request.from",
                                                  {"address": address, "port": port})


@pytest.mark.parametrize("text", [
    "TCP: drop open request from 10.1.2.3/99999",
    "TCP: drop open request from 10.1.2.300/51234",
    "TCP: drop open request from 10.1.2.3:51234",
    "TCP: drop open request from 10.1.2.3",
    "TCP: drop open request from 10.1.2.3/51234 on eth0",
])
def test_near_misses_do_not_match(text):
    """Out-of-range ports, bad addresses, ':' separators and trailing text give None."""
    assert g.parse(text) is None
