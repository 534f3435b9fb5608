"""Direct parse() tests for the conntrack_vmalloc grammar."""

import pytest

from tcplog.grammars import conntrack_vmalloc as g


@pytest.mark.parametrize(("text", "message_id", "module"), [
    ("nf_conntrack: falling back to vmalloc.", "conntrack_vmalloc.nf_conntrack", "nf_conntrack"),
    ("ip_conntrack: falling back to vmalloc.", "conntrack_vmalloc.ip_conntrack", "ip_conntrack"),
])
def test_every_wording(text, message_id, module):
    """Each wording parses to its message id and module."""
    assert g.parse(text) == (g.FAMILY, message_id, {"module": module})


def test_missing_period_tolerated():
    """The trailing period is optional."""
    assert g.parse("nf_conntrack: falling back to vmalloc").message_id == "conntrack_vmalloc.nf_conntrack"


@pytest.mark.parametrize("text", [
    "drbd: falling back to vmalloc.",
    "falling back to vmalloc.",
    "nf_conntrack: falling back to kmalloc.",
])
def test_near_misses(text):
    """Other subsystems and look-alikes do not match."""
    assert g.parse(text) is None


def test_truncated():
    """A truncated line does not match."""
    assert g.parse("nf_conntrack: falling back to vmal") is None
