"""Direct parse() tests for the gro_suspect family."""

import pytest

from tcplog.grammars import gro_suspect as g

TAIL = "Driver has suspect GRO implementation, TCP performance may be compromised."


@pytest.mark.parametrize("text, interface", [
    (f"TCP: eth0: {TAIL}", "eth0"),
    (f"TCP: tun0: {TAIL}", "tun0"),
    (f"eth0: {TAIL}", "eth0"),
    (f"TCP: eth0: {TAIL[:-1]}", "eth0"),
    (f"TCP: Unknown driver: {TAIL}", None),
])
def test_suspect_gro(text, interface):
    """The warning parses with an interface name, or null for "Unknown driver"."""
    m = g.parse(text)
    assert (m.family, m.message_id, m.fields) == ("gro_suspect", "gro_suspect.warn", {"interface": interface})


@pytest.mark.parametrize("text", [
    f"TCP: {TAIL}",
    "TCP: eth0: Driver has suspect GRO implementation, TCP performance",
    f"TCP: averyveryverylonginterfacename0: {TAIL}",
    f"TCP: eth0: {TAIL} again",
])
def test_near_misses_do_not_match(text):
    """No interface, truncation, over-long names and trailing text give None."""
    assert g.parse(text) is None
