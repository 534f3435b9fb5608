"""Hardware checksum failure: the NIC's receive checksum was wrong (net/core/dev.c:netdev_rx_csum_fault).

With CHECKSUM_COMPLETE the driver hands the stack the packet's checksum; when software
verification later disagrees, netdev_rx_csum_fault() prints at KERN_ERR, then an skb dump
(5.x+) and a stack trace (`dump_stack()`), which are separate lines. Causes: NIC/firmware or
driver offload bugs, or a stack path (NAT, OVS, tunnels) that changed the packet without
fixing skb->csum. Rate: `net_ratelimit()` until ~5.14, then once per boot (DO_ONCE_LITE, 2021),
so a later silence proves nothing. Wording by era (pr_err switch release unverified):

* 2.6.15 - ~3.x: `printk(KERN_ERR "%s: hw csum failure.\\n", dev ? dev->name : "<unknown>")`
  (LKML logs of 2.6.15-rc also show `<NULL>`);
* ~3.x - 5.15: `pr_err("%s: hw csum failure\\n", ...)` - no period;
* 5.16+ (net-next 2021-10): `netdev_err(dev, "hw csum failure\\n")` - `<driver> <bus-id> <ifname>: `
  for devices with a parent, `<ifname>: ` without, `(NULL net_device): ` without a device,
  plus ` (unregistered)`-style state after the name.

Before netdev_rx_csum_fault existed (2.4 - 2.6.1x, and in places later) the protocol code
printed its own KERN_DEBUG lines under NETDEBUG/LIMIT_NETDEBUG: `hw tcp v4 csum failed`,
`hw tcp v6 csum failed`, `udp v4 hw csum failure.`, `udp v6 hw csum failure.`,
`raw v6 hw csum failure.` (and `UDPLITE: hw csum failure.` in the 2.6.20 UDP-Lite code).

Examples:

    <NULL>: hw csum failure.
    eth0: hw csum failure
    mlx5_core 0000:3b:00.0 ens785f0: hw csum failure
    hw tcp v4 csum failed

Fields:

    interface       str|null   interface name; null for <unknown>/<NULL>/(NULL net_device) and protocol lines
    driver          str|null   driver name (netdev_err form with a parent device)
    bus_id          str|null   parent device name, e.g. PCI "0000:3b:00.0" (netdev_err form)
    protocol        str|null   "tcp4", "tcp6", "udp4", "udp6", "raw6", "udplite4" (protocol lines), else null

Message ids:

    hw_csum_failure.legacy   2.6.15 - ~3.x: "%s: hw csum failure." (KERN_ERR, with period)
    hw_csum_failure.dev      ~3.x - 5.15: "%s: hw csum failure" (pr_err); 5.16+ netdev_err without a parent
    hw_csum_failure.netdev   5.16+: "<driver> <bus-id> <ifname>: hw csum failure", "(NULL net_device): ..."
    hw_csum_failure.tcp      2.4 - 2.6.x: "hw tcp v4 csum failed" / "hw tcp v6 csum failed" (KERN_DEBUG)
    hw_csum_failure.udp      2.4 - 2.6.x: "udp v4 hw csum failure." / "udp v6 ..." / "raw v6 ..." (KERN_DEBUG)
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "hw_csum_failure"
ORIGIN = "kernel"
TRIGGERS = (b"hw csum failure", b"csum failed")
MESSAGES = {
    "hw_csum_failure.legacy": "%s: hw csum failure.  [2.6.15 - ~3.x]",
    "hw_csum_failure.dev": "%s: hw csum failure  [~3.x - 5.15; 5.16+ devices without parent]",
    "hw_csum_failure.netdev": "<driver> <bus-id> %s: hw csum failure / (NULL net_device): hw csum failure  [5.16+]",
    "hw_csum_failure.tcp": "hw tcp v4 csum failed / hw tcp v6 csum failed  [2.4 - 2.6.x, debug level]",
    "hw_csum_failure.udp": "udp v4 / udp v6 / raw v6 hw csum failure. / UDPLITE: hw csum failure.  [2.4 - 2.6.x]",
}
FIELDS = ("interface", "driver", "bus_id", "protocol")
# netdev_err() form from 5.16 (grammars/__init__.py: SINCE)
SINCE = {"hw_csum_failure.netdev": ("5.16",)}

# Placeholders the kernel prints instead of a name: the device is unknown.
_NO_NAME = {"<unknown>", "<NULL>", "(NULL net_device)", "(unnamed net_device)"}
_NAME = r"(?:\((?:NULL|unnamed) net_device\)|[^\s:/]{1,16})"
_REG_STATE = r"(?: \((?:uninitialized|unregistering|unregistered|released|dummy|unknown)\))?"

# netdev_err() with a parent device: "<driver> <bus-id> <ifname>[ (state)]:"; bus ids may hold ':'.
# (A driver name never starts with "(": "(unnamed net_device) (uninitialized):" has no parent.)
_netdev_head = pp.Regex(rf"(?P<driver>[^\s:(][^\s:]*) (?P<bus_id>\S+) (?P<interface>{_NAME}){_REG_STATE}:") \
    .set_name("<driver> <bus-id> <ifname>:")
_dev_head = pp.Regex(rf"(?P<interface>{_NAME}){_REG_STATE}:").set_name("<ifname>:")
_failure = c.literal_words("hw csum failure")
_period = pp.Literal(".")("period")

# Order matters: the protocol lines first ("UDPLITE:" would otherwise read as an interface).
tcp = pp.Regex(r"hw tcp v(?P<family>[46]) csum failed\.?").set_name("hw_csum_failure.tcp") + pp.StringEnd()
udp = pp.Regex(r"(?:(?P<proto>udp|raw) v(?P<family>[46]) |(?P<lite>UDPLITE): )hw csum failure\.?") \
    .set_name("hw_csum_failure.udp") + pp.StringEnd()
netdev = (_netdev_head + _failure + pp.Optional(_period) + pp.StringEnd()).set_name("hw_csum_failure.netdev")
dev = (_dev_head + _failure + pp.Optional(_period) + pp.StringEnd()).set_name("hw_csum_failure.dev")


def _fields(interface=None, driver=None, bus_id=None, protocol=None) -> dict:
    if interface in _NO_NAME:
        interface = None
    return {"interface": interface, "driver": driver, "bus_id": bus_id, "protocol": protocol}


def parse(text: str) -> c.Match | None:
    r = c.parse_named(tcp, text)
    if r is not None:
        return c.Match(FAMILY, "hw_csum_failure.tcp", _fields(protocol=f"tcp{r['family']}"))
    r = c.parse_named(udp, text)
    if r is not None:
        protocol = "udplite4" if r.get("lite") else f"{r['proto']}{r['family']}"
        return c.Match(FAMILY, "hw_csum_failure.udp", _fields(protocol=protocol))
    r = c.parse_named(netdev, text)
    if r is not None:
        return c.Match(FAMILY, "hw_csum_failure.netdev",
                       _fields(interface=r["interface"], driver=r["driver"], bus_id=r["bus_id"]))
    r = c.parse_named(dev, text)
    if r is None:
        return None
    interface = r["interface"]
    if interface == "(NULL net_device)":
        message_id = "hw_csum_failure.netdev"
    elif "period" in r:
        message_id = "hw_csum_failure.legacy"
    else:
        message_id = "hw_csum_failure.dev"
    return c.Match(FAMILY, message_id, _fields(interface=interface))
