"""Direct parse() tests for the hw_csum_failure family."""

import pytest

from tcplog.grammars import hw_csum_failure as g


def _fields(interface=None, driver=None, bus_id=None, protocol=None):
    return {"interface": interface, "driver": driver, "bus_id": bus_id, "protocol": protocol}


@pytest.mark.parametrize("text, interface", [
    ("eth1: hw csum failure.", "eth1"),
    ("<unknown>: hw csum failure.", None),
    ("<NULL>: hw csum failure.", None),
])
def test_legacy_printk_with_period(text, interface):
    """The 2.6.15 - ~3.x printk form ends with a period; placeholders give a null interface."""
    m = g.parse(text)
    assert (m.family, m.message_id, m.fields) == ("hw_csum_failure", "hw_csum_failure.legacy",
                                                  _fields(interface))


@pytest.mark.parametrize("text, interface", [
    ("eth0: hw csum failure", "eth0"),
    ("<unknown>: hw csum failure", None),
    ("veth0 (unregistered): hw csum failure", "veth0"),
])
def test_pr_err_without_period(text, interface):
    """The pr_err form (and netdev_err without a parent) has no period."""
    m = g.parse(text)
    assert (m.message_id, m.fields) == ("hw_csum_failure.dev", _fields(interface))


@pytest.mark.parametrize("text, fields", [
    ("mlx5_core 0000:3b:00.0 ens785f0: hw csum failure", _fields("ens785f0", "mlx5_core", "0000:3b:00.0")),
    ("r8152 2-1:1.0 enx00e04c680001: hw csum failure", _fields("enx00e04c680001", "r8152", "2-1:1.0")),
    ("ice 0000:3b:00.0 ens785f0 (unregistering): hw csum failure", _fields("ens785f0", "ice", "0000:3b:00.0")),
    ("(NULL net_device): hw csum failure", _fields()),
])
def test_netdev_err_prefix(text, fields):
    """The 5.16+ netdev_err rendering gives driver, bus id and interface."""
    m = g.parse(text)
    assert (m.message_id, m.fields) == ("hw_csum_failure.netdev", fields)


@pytest.mark.parametrize("text, protocol", [("hw tcp v4 csum failed", "tcp4"), ("hw tcp v6 csum failed", "tcp6")])
def test_tcp_debug_lines(text, protocol):
    """2.4/2.6 TCP checksum-init debug lines give the protocol."""
    m = g.parse(text)
    assert (m.message_id, m.fields) == ("hw_csum_failure.tcp", _fields(protocol=protocol))


@pytest.mark.parametrize("text, protocol", [
    ("udp v4 hw csum failure.", "udp4"),
    ("udp v6 hw csum failure.", "udp6"),
    ("raw v6 hw csum failure.", "raw6"),
    ("UDPLITE: hw csum failure.", "udplite4"),
])
def test_udp_and_raw_debug_lines(text, protocol):
    """2.4/2.6 UDP, raw and UDP-Lite debug lines give the protocol, never an interface."""
    m = g.parse(text)
    assert (m.message_id, m.fields) == ("hw_csum_failure.udp", _fields(protocol=protocol))


@pytest.mark.parametrize("text", [
    "hw tcp v5 csum failed",
    "eth0: hw csum failure detected",
    "some thing else eth0: hw csum failure",
    "eth0 : hw csum failure",
    "hw csum failure",
    "eth0: hw csum fail",
])
def test_near_misses_do_not_match(text):
    """Unknown versions, trailing text, too many prefix tokens and truncation give None."""
    assert g.parse(text) is None
