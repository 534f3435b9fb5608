"""Direct parse() tests for the martian_destination grammar."""

import pytest

from tcplog.grammars import martian_destination as g


@pytest.mark.parametrize(("text", "message_id"), [
    ("martian destination 0.0.0.0 from 192.168.1.2, dev eth0", "martian_destination.plain"),
    ("IPv4: martian destination 0.0.0.0 from 192.168.1.2, dev eth0", "martian_destination.pr_fmt"),
])
def test_every_wording(text, message_id):
    """Each wording gives destination first, source second, and the device."""
    assert g.parse(text) == (g.FAMILY, message_id,
                             {"dst_address": "0.0.0.0", "src_address": "192.168.1.2", "interface": "eth0"})


def test_vlan_interface():
    """Interface names with dots parse whole."""
    assert g.parse("IPv4: martian destination 0.1.2.3 from 10.1.1.9, dev bond0.100").fields["interface"] == "bond0.100"


@pytest.mark.parametrize("text", [
    "IPv4: martian destination 0.0.0.0 from 192.168.1.2, on dev eth0",
    "martian source 0.0.0.0 from 192.168.1.2, dev eth0",
    "IPv6: martian destination 0.0.0.0 from 192.168.1.2, dev eth0",
])
def test_near_misses(text):
    """Look-alikes do not match."""
    assert g.parse(text) is None


@pytest.mark.parametrize("text", [
    "martian destination 0.0.0.0 from 192.168.1.999, dev eth0",
    "IPv4: martian destination 0.0.0.0 from 192.168.1.2",
    "martian destination 0.0.0.0 from 192.168.1.2, dev eth0/1",
])
def test_malformed(text):
    """Garbage addresses, truncated lines and invalid device names do not match."""
    assert g.parse(text) is None
