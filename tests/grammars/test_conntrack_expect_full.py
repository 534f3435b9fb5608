"""Direct parse() tests for the conntrack_expect_full grammar."""

import pytest

from tcplog.grammars import conntrack_expect_full as g


@pytest.mark.parametrize(("text", "message_id", "module"), [
    ("nf_conntrack: expectation table full", "conntrack_expect_full.nf_conntrack", "nf_conntrack"),
    ("nf_conntrack: nf_conntrack: expectation table full", "conntrack_expect_full.pr_fmt", "nf_conntrack"),
    ("ip_conntrack: expectation table full", "conntrack_expect_full.ip_conntrack", "ip_conntrack"),
])
def test_every_wording(text, message_id, module):
    """Each wording parses to its message id and module."""
    assert g.parse(text) == (g.FAMILY, message_id, {"module": module})


def test_trailing_period_tolerated():
    """An optional trailing period still parses."""
    assert g.parse("nf_conntrack: expectation table full.").message_id == "conntrack_expect_full.nf_conntrack"


@pytest.mark.parametrize("text", [
    "expectation table full",
    "dbus_mock: expectation table full (16)",
    "nf_conntrack: expectation table is full",
    "nf_conntrack: table full, dropping packet",
])
def test_near_misses(text):
    """Look-alikes do not match."""
    assert g.parse(text) is None


@pytest.mark.parametrize("text", ["nf_conntrack: expectation tab", "nf_conntrack:"])
def test_malformed(text):
    """Truncated lines do not match."""
    assert g.parse(text) is None
