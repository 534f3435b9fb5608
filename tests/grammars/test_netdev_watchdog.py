"""Direct parse() tests for the netdev_watchdog grammar."""

import pytest

from tcplog.grammars import netdev_watchdog as g

NONE = dict.fromkeys(g.FIELDS)


@pytest.mark.parametrize(("text", "message_id", "fields"), [
    ("NETDEV WATCHDOG: eth0: transmit timed out", "netdev_watchdog.legacy", {**NONE, "interface": "eth0"}),
    ("NETDEV WATCHDOG: eth0 (r8169): transmit timed out", "netdev_watchdog.driver",
     {**NONE, "interface": "eth0", "driver": "r8169"}),
    ("NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out", "netdev_watchdog.queue",
     {**NONE, "interface": "eth0", "driver": "e1000e", "queue": 0}),
    ("NETDEV WATCHDOG: eni1np1 (netdevsim): transmit queue 0 timed out 1975 ms", "netdev_watchdog.queue_ms",
     {**NONE, "interface": "eni1np1", "driver": "netdevsim", "queue": 0, "timeout_ms": 1975}),
    ("r8169 0000:02:00.0 enp2s0: NETDEV WATCHDOG: CPU: 3: transmit queue 0 timed out 5376 ms", "netdev_watchdog.crit",
     {"interface": "enp2s0", "driver": "r8169", "bus_id": "0000:02:00.0", "queue": 0, "timeout_ms": 5376, "cpu": 3}),
    # dev->name as dev_valid_name() allows it: '.', '-', '@', up to 15 bytes (no ':', '/', whitespace)
    ("NETDEV WATCHDOG: eth0.100: transmit timed out", "netdev_watchdog.legacy", {**NONE, "interface": "eth0.100"}),
    ("NETDEV WATCHDOG: enp3s0f0np0 (mlx5_core): transmit queue 63 timed out", "netdev_watchdog.queue",
     {**NONE, "interface": "enp3s0f0np0", "driver": "mlx5_core", "queue": 63}),
    ("NETDEV WATCHDOG: br-1a2b3c4d5e6f (): transmit queue 0 timed out 5216 ms", "netdev_watchdog.queue_ms",
     {**NONE, "interface": "br-1a2b3c4d5e6f", "queue": 0, "timeout_ms": 5216}),
    ("NETDEV WATCHDOG: wlp2s0 (iwlwifi): transmit queue 3 timed out 4294967295 ms", "netdev_watchdog.queue_ms",
     {**NONE, "interface": "wlp2s0", "driver": "iwlwifi", "queue": 3, "timeout_ms": 4294967295}),
    # a driver name with a space (netdev_drivername() copies driver->name as it is)
    ("NETDEV WATCHDOG: eth0 (Intel PRO/1000): transmit queue 0 timed out", "netdev_watchdog.queue",
     {**NONE, "interface": "eth0", "driver": "Intel PRO/1000", "queue": 0}),
    # 6.8+ netdev_crit() on a Hyper-V NIC: the parent is a VMBus GUID
    ("hv_netvsc 000d3a5b-1234-5678-9abc-def012345678 eth0: NETDEV WATCHDOG: CPU: 0: transmit queue 1 timed out "
     "20100 ms", "netdev_watchdog.crit",
     {"interface": "eth0", "driver": "hv_netvsc", "bus_id": "000d3a5b-1234-5678-9abc-def012345678", "queue": 1,
      "timeout_ms": 20100, "cpu": 0}),
])
def test_every_wording(text, message_id, fields):
    """Each wording parses to its message id and typed fields."""
    assert g.parse(text) == (g.FAMILY, message_id, fields)


@pytest.mark.parametrize("text", [
    "NETDEV WATCHDOG: eth0 (): transmit timed out",
    "NETDEV WATCHDOG: eth0 (): transmit queue 3 timed out",
])
def test_empty_driver_is_none(text):
    """netdev_drivername() returns "" without a parent driver: driver is None."""
    assert g.parse(text).fields["driver"] is None


def test_crit_usb_bus_id_with_colon():
    """A USB interface bus id keeps its colon."""
    m = g.parse("r8152 2-1:1.0 eth0: NETDEV WATCHDOG: CPU: 1: transmit queue 0 timed out 5000 ms")
    assert (m.fields["driver"], m.fields["bus_id"], m.fields["interface"]) == ("r8152", "2-1:1.0", "eth0")


def test_crit_without_parent_device():
    """A device without a parent is printed as "<ifname>: " only."""
    m = g.parse("eth0: NETDEV WATCHDOG: CPU: 1: transmit queue 2 timed out 5000 ms")
    assert (m.fields["interface"], m.fields["driver"], m.fields["bus_id"], m.fields["queue"]) == ("eth0", None, None, 2)


def test_crit_registration_state():
    """A " (unregistering)" state after the name is tolerated."""
    m = g.parse("virtio_net virtio0 eth0 (unregistering): NETDEV WATCHDOG: CPU: 1: transmit queue 0 timed out 5000 ms")
    assert m.fields["interface"] == "eth0"


def test_crit_unnamed_device():
    """An unnamed net_device has interface None."""
    m = g.parse("virtio_net virtio0 (unnamed net_device) (uninitialized): NETDEV WATCHDOG: CPU: 1: "
                "transmit queue 0 timed out 5000 ms")
    assert (m.fields["interface"], m.fields["bus_id"]) == (None, "virtio0")


@pytest.mark.parametrize("text", [
    "NETDEV WATCHDOG: eno2 (ixgbe): receive queue 8 timed out",
    "NETDEV WATCHDOG: eth0: transmit queue 0 timed out",
    "NETDEV WATCHDOG: CPU: 1: transmit queue 0 timed out 5 ms",
    "foo bar baz qux: NETDEV WATCHDOG: CPU: 1: transmit queue 0 timed out 5 ms",
    "Subject: [2.5.70-mm8] NETDEV WATCHDOG: eth0: transmit timed out",
])
def test_near_misses(text):
    """Look-alikes and quoted messages do not match."""
    assert g.parse(text) is None


@pytest.mark.parametrize("text", [
    "NETDEV WATCHDOG: eno2 (ixgbe): transmit queue -1 timed out",
    "NETDEV WATCHDOG: eno2 (ixgbe): transmit queue 0 timed out ms",
    "mlx5_core 0000:81:00.0 eth2: NETDEV WATCHDOG: CPU: 1: transmit queue 3 timed out lots ms",
    "NETDEV WATCHDOG: eth0: transmit timed",
])
def test_malformed(text):
    """Negative or non-numeric numbers and truncated lines do not match."""
    assert g.parse(text) is None
