"""Neighbour (ARP / NDISC) table overflow: no neighbour entry could be created.

Two code paths print it, both at KERN_WARNING under net_ratelimit():
* the route cache (2.4 - 3.5): net/ipv4/route.c:rt_intern_hash / net/ipv6/route.c:rt6_alloc_cow
  when binding a neighbour fails after forced GC — "Neighbour table overflow." (no prefix on
  2.4/2.6, "ipv4: "/"ipv6: " on later 2.6.3x, "IPv6: " from pr_fmt on 3.x);
* net/core/neighbour.c:neigh_alloc (4.x - 6.x, net_info_ratelimited), naming the table id:
  entries >= gc_thresh3 (or >= gc_thresh2 and the last flush > 5 s ago) and forced GC freed
  nothing; the packet is dropped. pr_fmt adds "neighbour: " on newer kernels.

Examples:

    Neighbour table overflow.
    ipv4: Neighbour table overflow.
    ipv6: Neighbour table overflow.
    neighbour: arp_cache: neighbor table overflow!
    ndisc_cache: neighbor table overflow!

Fields:

    table           str|null   neigh table id: "arp_cache", "ndisc_cache", "clip_arp_cache", "dn_neigh_cache", ...
    ip_version      int|null   4 or 6 when the prefix or the table id tells

Message ids:

    neigh_overflow.legacy   2.4 - 2.6.3x: "Neighbour table overflow." (IPv4 route cache; IPv6 too on 2.6.2x)
    neigh_overflow.ipv4     ~2.6.36 - 3.5: "ipv4: Neighbour table overflow."
    neigh_overflow.ipv6     ~2.6.3x - 3.x: "ipv6: Neighbour table overflow." / "IPv6: Neighbour table overflow"
    neigh_overflow.table    4.x - 6.x: "[neighbour: ]%s: neighbor table overflow!"
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "neigh_overflow"
ORIGIN = "kernel"
TRIGGERS = (b"Neighbour table overflow", b"neighbor table overflow")
MESSAGES = {
    "neigh_overflow.legacy": "Neighbour table overflow.  [2.4 - 2.6.3x]",
    "neigh_overflow.ipv4": "ipv4: Neighbour table overflow.  [~2.6.36 - 3.5; 'IPv4: ' form, no period, seen in a real log]",
    "neigh_overflow.ipv6": "ipv6: Neighbour table overflow.  [~2.6.3x]; IPv6: Neighbour table overflow  [3.x]",
    "neigh_overflow.table": "neighbour: %s: neighbor table overflow!  [4.x - 6.x; prefix from pr_fmt]",
}
FIELDS = ("table", "ip_version")

# Table ids of the kernel's neigh_table instances and the address family each serves.
_TABLE_VERSION = {"arp_cache": 4, "clip_arp_cache": 4, "ndisc_cache": 6}

_period = pp.Optional(pp.Literal("."))
_family = pp.Regex(r"(?:ipv|IPv)(?P<ip_version>[46]):").set_name("ipv4:/ipv6: prefix")
route_cache = (pp.Optional(_family) + c.literal_words("Neighbour table overflow") + _period
               + pp.StringEnd()).set_name("neigh_overflow.route_cache")

# Every neigh_table's id ends in "_cache" (arp_tbl, nd_tbl, clip_tbl, dn_neigh_table): a program's
# "myapp: neighbor table overflow!" names no table.
_table = pp.Regex(r"[A-Za-z][A-Za-z0-9_]{0,25}_cache(?![A-Za-z0-9_])").set_name("table id")("table")
neigh_alloc = (pp.Optional(pp.Literal("neighbour:")) + _table + pp.Suppress(":")
               + c.literal_words("neighbor table overflow") + pp.Optional(pp.Literal("!"))
               + pp.StringEnd()).set_name("neigh_overflow.table")


def parse(text: str) -> c.Match | None:
    r = c.parse_named(route_cache, text)
    if r is not None:
        version = r.get("ip_version")
        if version is None:
            return c.Match(FAMILY, "neigh_overflow.legacy", {"table": None, "ip_version": None})
        return c.Match(FAMILY, f"neigh_overflow.ipv{version}", {"table": None, "ip_version": int(version)})
    r = c.parse_named(neigh_alloc, text)
    if r is None:
        return None
    table = r["table"]
    return c.Match(FAMILY, "neigh_overflow.table", {"table": table, "ip_version": _TABLE_VERSION.get(table)})
