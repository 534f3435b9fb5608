"""Direct parse() tests for the orphans family."""

import pytest

from tcplog.grammars import orphans as g


@pytest.mark.parametrize("text", ["TCP: too many orphaned sockets", "too many orphaned sockets",
                                  "TCP:  too many orphaned sockets."])
def test_too_many_orphaned_sockets(text):
    """The 3.2+ text parses with or without the pr_fmt prefix."""
    m = g.parse(text)
    assert (m.family, m.message_id, m.fields) == ("orphans", "orphans.too_many", {})


@pytest.mark.parametrize("text", [
    "TCP: too many of orphaned sockets",
    "TCP: too many orphaned sockets on eth0",
    "TCP: too many orphaned sock",
    "UDP: too many orphaned sockets",
])
def test_near_misses_do_not_match(text):
    """The 2.6 "of" wording, trailing text, truncation and another prefix give None."""
    assert g.parse(text) is None
