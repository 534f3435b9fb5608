"""Direct parse() tests for the tcp_mem family."""

import pytest

from tcplog.grammars import tcp_mem as g


@pytest.mark.parametrize("text", ["TCP: out of memory -- consider tuning tcp_mem",
                                  "out of memory -- consider tuning tcp_mem",
                                  "TCP: out of memory --  consider tuning tcp_mem."])
def test_out_of_memory(text):
    """The 3.2+ text parses with or without the pr_fmt prefix."""
    m = g.parse(text)
    assert (m.family, m.message_id, m.fields) == ("tcp_mem", "tcp_mem.out_of_memory", {})


@pytest.mark.parametrize("text", [
    "TCP: out of memory - consider tuning tcp_mem",
    "TCP: out of memory -- consider tuning tcp_mem_x",
    "TCP: out of memory -- consider tuning tcp_rmem",
    "TCP: out of memory",
])
def test_near_misses_do_not_match(text):
    """Single dash, other sysctl names and truncation give None."""
    assert g.parse(text) is None
