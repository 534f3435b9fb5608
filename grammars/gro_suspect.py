"""Suspect GRO implementation: an aggregated skb arrived without gso_size (net/ipv4/tcp_input.c:tcp_gro_dev_warn).

Printed at KERN_WARNING, once per boot (`.data.once`), from tcp_measure_rcv_mss when a received
segment is longer than the learned receive MSS plus options and at least the device MTU (or
the device is unknown): a driver or packet injector (virtio, tun/tap, packetdrill without
--mss, WSL2's eth0) handed TCP a GRO/LRO super-packet without setting gso_size. Delayed-ACK
and window decisions then use a wrong MSS; this is a driver issue, not resource exhaustion.
`TCP: ` comes from tcp_input.c's pr_fmt; `%s` is the interface name or "Unknown driver".

Examples:

    TCP: eth0: Driver has suspect GRO implementation, TCP performance may be compromised.
    TCP: tun0: Driver has suspect GRO implementation, TCP performance may be compromised.
    TCP: Unknown driver: Driver has suspect GRO implementation, TCP performance may be compromised.

Fields:

    interface       str|null   receiving interface; null when the kernel printed "Unknown driver"

Message ids:

    gro_suspect.warn   ~4.10 - 6.x [release unverified]
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "gro_suspect"
ORIGIN = "kernel"
TRIGGERS = (b"suspect GRO implementation",)
MESSAGES = {
    "gro_suspect.warn":
        "TCP: %s: Driver has suspect GRO implementation, TCP performance may be compromised.  [~4.10 - 6.x]",
}
FIELDS = ("interface",)
# tcp_gro_dev_warn() came with 4.10 (grammars/__init__.py: SINCE)
SINCE = {"gro_suspect.warn": ("4.10",)}

_prefix = pp.Optional(pp.Literal("TCP:"))("prefix")
_unknown = pp.Literal("Unknown driver").set_parse_action(pp.replace_with(None))
_device = (_unknown | c.ifname)("interface") + pp.Suppress(":")
_phrase = c.literal_words("Driver has suspect GRO implementation, TCP performance may be compromised")

warn = (_prefix + _device + _phrase + pp.Optional(".") + pp.StringEnd()).set_name("gro_suspect.warn")


def parse(text: str) -> c.Match | None:
    r = c.parse_named(warn, text)
    if r is None:
        return None
    interface = r.get("interface")
    return c.Match(FAMILY, "gro_suspect.warn", {"interface": interface if isinstance(interface, str) else None})
