"""Direct parse() tests for the tw_bucket_overflow family."""

import pytest

from tcplog.grammars import tw_bucket_overflow as g


def test_legacy_wording():
    """The 2.4 - ~3.0 text parses with no container id."""
    m = g.parse("TCP: time wait bucket table overflow")
    assert (m.family, m.message_id, m.fields) == ("tw_bucket_overflow", "tw_bucket_overflow.legacy",
                                                  {"container_id": None})


@pytest.mark.parametrize("text, container", [
    ("TCP: time wait bucket table overflow (CT0)", 0),
    ("TCP: time wait bucket table overflow (CT101)", 101),
])
def test_openvz_container_suffix(text, container):
    """OpenVZ's "(CT%d)" suffix gives the openvz id and an int container id."""
    m = g.parse(text)
    assert (m.message_id, m.fields) == ("tw_bucket_overflow.openvz", {"container_id": container})


@pytest.mark.parametrize("text", [
    "time wait bucket table overflow",
    "TCP:  time wait  bucket table overflow.",
])
def test_tolerates_missing_prefix_double_spaces_and_period(text):
    """No prefix, doubled spaces and a trailing period are tolerated."""
    assert g.parse(text).message_id == "tw_bucket_overflow.legacy"


@pytest.mark.parametrize("text", [
    "TCP: time wait bucket table overflow (CTx)",
    "TCP: time wait bucket table overflow (CT 1)",
    "TCP: time wait bucket table overflow on eth0",
    "kernel says TCP: time wait bucket table overflow",
    "TCP: timewait bucket table overflow",
    "TCP: time wait bucket table over",
    "",
])
def test_near_misses_do_not_match(text):
    """Look-alikes, other text around the wording and bad suffixes give None."""
    assert g.parse(text) is None


def test_every_message_id_is_declared():
    """Message ids returned by parse() are the ones MESSAGES declares."""
    assert set(g.MESSAGES) == {"tw_bucket_overflow.legacy", "tw_bucket_overflow.openvz"}
    assert g.FIELDS == ("container_id",)
