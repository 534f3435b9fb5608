"""Direct parse() tests for the conntrack_full grammar."""

import pytest

from tcplog.grammars import conntrack_full as g


@pytest.mark.parametrize(("text", "message_id", "fields"), [
    ("ip_conntrack: table full, dropping packet.", "conntrack_full.ip_conntrack",
     {"module": "ip_conntrack", "netns": None, "container_id": None}),
    ("nf_conntrack: table full, dropping packet.", "conntrack_full.printk",
     {"module": "nf_conntrack", "netns": None, "container_id": None}),
    ("nf_conntrack: table full, dropping packet", "conntrack_full.ratelimited",
     {"module": "nf_conntrack", "netns": None, "container_id": None}),
    ("nf_conntrack: nf_conntrack: table full, dropping packet", "conntrack_full.pr_fmt",
     {"module": "nf_conntrack", "netns": None, "container_id": None}),
    ("nf_conntrack: table full in netns 4026532490, dropping packet", "conntrack_full.netns",
     {"module": "nf_conntrack", "netns": 4026532490, "container_id": None}),
    # OpenVZ 2.6.18 ip_conntrack_alloc(): ve_printk(..., "ip_conntrack: CT %d: table full, dropping packet.\n", VEID(...))
    ("ip_conntrack: CT 101: table full, dropping packet.", "conntrack_full.openvz",
     {"module": "ip_conntrack", "netns": None, "container_id": 101}),
    # OpenVZ RHEL 6 nf_conntrack_alloc(): "VE%u: " "nf_conntrack: table full, dropping" " packet.\n", net->owner_ve->veid
    ("VE101: nf_conntrack: table full, dropping packet.", "conntrack_full.openvz_ve",
     {"module": "nf_conntrack", "netns": None, "container_id": 101}),
    ("VE0: nf_conntrack: table full, dropping packet.", "conntrack_full.openvz_ve",
     {"module": "nf_conntrack", "netns": None, "container_id": 0}),
])
def test_every_wording(text, message_id, fields):
    """Each wording parses to its message id and typed fields."""
    assert g.parse(text) == (g.FAMILY, message_id, fields)


def test_doubled_prefix_with_period_is_pr_fmt():
    """The doubled prefix decides the id even when a period follows."""
    assert g.parse("nf_conntrack: nf_conntrack: table full, dropping packet.").message_id == "conntrack_full.pr_fmt"


def test_doubled_prefix_on_netns_wording():
    """The netns wording tolerates the doubled pr_fmt prefix."""
    m = g.parse("nf_conntrack: nf_conntrack: table full in netns 7, dropping packet")
    assert (m.message_id, m.fields["netns"]) == ("conntrack_full.netns", 7)


def test_double_spaces_tolerated():
    """Double spaces between words still parse."""
    assert g.parse("nf_conntrack:  table full,  dropping packet").message_id == "conntrack_full.ratelimited"


@pytest.mark.parametrize("text", [
    "nf_conntrack: table full, dropping packets",
    "nf_conntrack: ip_conntrack: table full, dropping packet",
    "ALERT nf_conntrack: table full, dropping packet",
    "nf_conntrack: table full, dropping packet (again)",
    "nf_conntrack: expectation table full",
    "table full, dropping packet",
    # OpenVZ's container id only where its kernels print it
    "nf_conntrack: CT 101: table full, dropping packet.",
    "VE101: ip_conntrack: table full, dropping packet.",
    "CT 101: ip_conntrack: table full, dropping packet.",
    "VE101: nf_conntrack: nf_conntrack: table full, dropping packet",
    "VE101: nf_conntrack: table full in netns 7, dropping packet",
    "VE101: ip_conntrack: CT 101: table full, dropping packet.",
    "web1: nf_conntrack: table full, dropping packet.",
])
def test_near_misses(text):
    """Look-alikes and other text around the message do not match."""
    assert g.parse(text) is None


@pytest.mark.parametrize("text", [
    "nf_conntrack: table full, dropp",
    "nf_conntrack: table full in netns abc, dropping packet",
    "nf_conntrack: table full in netns -1, dropping packet",
    "ip_conntrack: CT abc: table full, dropping packet.",
    "ip_conntrack: CT -1: table full, dropping packet.",
    "VE: nf_conntrack: table full, dropping packet.",
    "VE-1: nf_conntrack: table full, dropping packet.",
    "",
])
def test_malformed(text):
    """Truncated lines and non-numeric netns do not match."""
    assert g.parse(text) is None
