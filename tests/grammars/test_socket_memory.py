"""Direct parse() tests for the socket_memory family."""

import pytest

from tcplog.grammars import socket_memory as g


@pytest.mark.parametrize("text", ["Out of socket memory", "TCP: Out of socket memory", "Out of socket memory."])
def test_out_of_socket_memory(text):
    """2.6's timer-path text parses, with or without a vendor "TCP: " prefix."""
    m = g.parse(text)
    assert (m.family, m.message_id, m.fields) == ("socket_memory", "socket_memory.out_of_socket_memory", {})


@pytest.mark.parametrize("text", ["TCP: too many of orphaned sockets", "too many of orphaned sockets"])
def test_too_many_of_orphaned(text):
    """2.6's tcp_close text ("too many OF orphaned") belongs to this family."""
    m = g.parse(text)
    assert (m.message_id, m.fields) == ("socket_memory.too_many_of_orphaned", {})


@pytest.mark.parametrize("text", [
    "TCP: too many orphaned sockets",
    "Out of socket memory on eth0",
    "app: Out of socket memory",
    "Out of socket mem",
    "out of socket memory",
])
def test_near_misses_do_not_match(text):
    """The 3.2+ wording, other text around it, truncation and case changes give None."""
    assert g.parse(text) is None
