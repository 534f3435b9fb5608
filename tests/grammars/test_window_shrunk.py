"""Direct parse() tests for the window_shrunk family."""

import pytest

from tcplog.grammars import window_shrunk as g


def _fields(address, pport, lport, una, nxt, recv=None, lasting=None):
    return {"peer_address": address, "peer_port": pport, "local_port": lport, "snd_una": una,
            "snd_nxt": nxt, "recv_ago_ms": recv, "lasting_ms": lasting}


def test_treason_uncloaked():
    """The 2.4 - 2.6.2x "Treason uncloaked!" text gives peer, ports and sequence numbers."""
    m = g.parse("TCP: Treason uncloaked! Peer 85.225.142.84:63442/3155 shrinks window 281443515:281445827. Repaired.")
    assert (m.family, m.message_id) == ("window_shrunk", "window_shrunk.treason")
    assert m.fields == _fields("85.225.142.84", 63442, 3155, 281443515, 281445827)


@pytest.mark.parametrize("text, address", [
    ("TCP: Peer 192.0.2.7:443/51522 unexpectedly shrunk window 1850472960:1850474408 (repaired)", "192.0.2.7"),
    ("Peer 192.0.2.7:443/51522 unexpectedly shrunk window 1850472960:1850474408 (repaired)", "192.0.2.7"),
    ("Peer 2001:0db8:0000:0000:0000:0000:0000:0001:443/51522 unexpectedly shrunk window "
     "1850472960:1850474408 (repaired)", "2001:db8::1"),
    ("TCP: Peer 2001:db8::1:443/51522 unexpectedly shrunk window 1850472960:1850474408 (repaired)", "2001:db8::1"),
])
def test_unexpectedly_shrunk(text, address):
    """The 2.6.29+ text parses with or without prefix; IPv6 peers split at the last ':port/'."""
    m = g.parse(text)
    assert m.message_id == "window_shrunk.shrunk"
    assert m.fields == _fields(address, 443, 51522, 1850472960, 1850474408)


def test_probing_zero_window():
    """The ~6.6+ probing text adds recv_ago_ms and lasting_ms."""
    m = g.parse("Probing zero-window on 127.0.0.1:9999/46946, seq=3737778959:3737791503, recv 812ms ago, "
                "lasting 1224ms")
    assert m.message_id == "window_shrunk.probing"
    assert m.fields == _fields("127.0.0.1", 9999, 46946, 3737778959, 3737791503, 812, 1224)


def test_probing_zero_window_ipv6():
    """The probing text with an IPv6 %pI6 peer parses."""
    m = g.parse("Probing zero-window on 2001:0db8:0000:0000:0000:0000:0000:00ff:9999/46946, seq=1:2, "
                "recv 1ms ago, lasting 2ms")
    assert m.fields["peer_address"] == "2001:db8::ff"


@pytest.mark.parametrize("text", [
    "TCP: Peer 192.0.2.7:443/51522 unexpectedly shrunk window 1850472960:1850474408",
    "TCP: Peer 192.0.2.7:99999/51522 unexpectedly shrunk window 1:2 (repaired)",
    "TCP: Peer 192.0.2.7:443/51522 unexpectedly shrunk window 1:4294967296 (repaired)",
    "TCP: Peer 192.0.2.300:443/51522 unexpectedly shrunk window 1:2 (repaired)",
    "TCP: Peer 192.0.2.7/51522 unexpectedly shrunk window 1:2 (repaired)",
    "TCP: Treason uncloaked! Peer 85.225.142.84:63442/3155 shrinks window 281443515:281445827.",
    "Probing zero-window on 127.0.0.1:9999/46946, seq=1:2, recv 812ms ago",
])
def test_near_misses_do_not_match(text):
    """Missing tails, out-of-range ports or u32 values and bad addresses give None."""
    assert g.parse(text) is None
