"""Direct parse() tests for the neigh_overflow grammar."""

import pytest

from tcplog.grammars import neigh_overflow as g


@pytest.mark.parametrize(("text", "message_id", "fields"), [
    ("Neighbour table overflow.", "neigh_overflow.legacy", {"table": None, "ip_version": None}),
    ("ipv4: Neighbour table overflow.", "neigh_overflow.ipv4", {"table": None, "ip_version": 4}),
    ("ipv6: Neighbour table overflow.", "neigh_overflow.ipv6", {"table": None, "ip_version": 6}),
    ("IPv6: Neighbour table overflow", "neigh_overflow.ipv6", {"table": None, "ip_version": 6}),
    ("neighbour: arp_cache: neighbor table overflow!", "neigh_overflow.table",
     {"table": "arp_cache", "ip_version": 4}),
    ("neighbour: ndisc_cache: neighbor table overflow!", "neigh_overflow.table",
     {"table": "ndisc_cache", "ip_version": 6}),
    ("arp_cache: neighbor table overflow!", "neigh_overflow.table", {"table": "arp_cache", "ip_version": 4}),
    ("neighbour: clip_arp_cache: neighbor table overflow!", "neigh_overflow.table",
     {"table": "clip_arp_cache", "ip_version": 4}),
    ("neighbour: dn_neigh_cache: neighbor table overflow!", "neigh_overflow.table",
     {"table": "dn_neigh_cache", "ip_version": None}),
])
def test_every_wording(text, message_id, fields):
    """Each wording parses to its message id, table id and IP version."""
    assert g.parse(text) == (g.FAMILY, message_id, fields)


@pytest.mark.parametrize("text", [
    "Neighbour cache overflow.",
    "ipv5: Neighbour table overflow.",
    "TCP: time wait bucket table overflow",
    "neighbour: neighbour: neighbor table overflow!",
    "avoid neighbour: arp_cache: neighbor table overflow!",
    # every neigh_table id ends in "_cache" (net/ipv4/arp.c, net/ipv6/ndisc.c, net/atm/clip.c, DECnet)
    "myapp: neighbor table overflow!",
    "neighbour: kernel: neighbor table overflow!",
])
def test_near_misses(text):
    """Look-alikes and quoted messages do not match."""
    assert g.parse(text) is None


@pytest.mark.parametrize("text", [
    "neighbour: arp cache: neighbor table overflow!",
    "neighbour: arp_cache: neighbor table ov",
    "neighbour: : neighbor table overflow!",
])
def test_malformed(text):
    """Bad table ids and truncated lines do not match."""
    assert g.parse(text) is None
