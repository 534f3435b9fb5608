"""Conntrack table full: a new connection found no free slot (net/netfilter/nf_conntrack_core.c).

Printed at KERN_WARNING, rate-limited by net_ratelimit(), when the number of tracked
connections exceeds nf_conntrack_max (ip_conntrack_max on 2.4 - 2.6.2x) and early_drop()
found no unassured entry to evict; the packet that would have created the entry is dropped.
2.4 - 2.6.2x: net/ipv4/netfilter/ip_conntrack_core.c:ip_conntrack_alloc; later
nf_conntrack_core.c:__nf_conntrack_alloc. Kernels whose nf_conntrack_core.c defines
`pr_fmt(KBUILD_MODNAME ": ")` print the module name twice. A 2025 patch names the netns inode
for non-init namespaces (the init namespace keeps the plain wording); 6.18 stable sources carry it,
the release that took it is not pinned down.

Examples:

    ip_conntrack: table full, dropping packet.
    nf_conntrack: table full, dropping packet.
    nf_conntrack: table full, dropping packet
    nf_conntrack: nf_conntrack: table full, dropping packet
    nf_conntrack: table full in netns 4026532490, dropping packet

Fields:

    module          str        "ip_conntrack" or "nf_conntrack" (the prefix the kernel printed)
    netns           int|null   network namespace inode (netns wording only)

Message ids:

    conntrack_full.ip_conntrack   2.4 - 2.6.2x (RHEL 5): "ip_conntrack: ... packet."
    conntrack_full.printk         2.6.x nf_conntrack (RHEL 6): printk with trailing period
    conntrack_full.ratelimited    3.x - 6.x: net_warn_ratelimited, no period
    conntrack_full.pr_fmt         ~4.x - 6.x: doubled "nf_conntrack: nf_conntrack:" prefix
    conntrack_full.netns          2025 (in 6.18 stable; release unverified): "table full in netns %u"
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "conntrack_full"
ORIGIN = "kernel"
TRIGGERS = (b"table full",)
MESSAGES = {
    "conntrack_full.ip_conntrack": "ip_conntrack: table full, dropping packet.  [2.4 - 2.6.2x]",
    "conntrack_full.printk": "nf_conntrack: table full, dropping packet.  [2.6.x nf_conntrack, RHEL 6]",
    "conntrack_full.ratelimited": "nf_conntrack: table full, dropping packet  [3.x - 6.x]",
    "conntrack_full.pr_fmt": "nf_conntrack: nf_conntrack: table full, dropping packet  [~4.x - 6.x, pr_fmt]",
    "conntrack_full.netns": "nf_conntrack: table full in netns %u, dropping packet  [2025, in 6.18 stable; release unverified]",
}
FIELDS = ("module", "netns")

_prefix = c.conntrack_prefix
_period = pp.Optional(pp.Literal("."))("period")
_netns = c.literal_words("in netns") + c.uint("netns")
_dropping = pp.Suppress(",") + c.literal_words("dropping packet")

table_full = (_prefix + c.literal_words("table full") + pp.Optional(_netns) + _dropping + _period
              + pp.StringEnd()).set_name("conntrack_full")


def _message_id(r: dict) -> str:
    if "netns" in r:
        return "conntrack_full.netns"
    if r["module"] == "ip_conntrack":
        return "conntrack_full.ip_conntrack"
    if r.get("again"):
        return "conntrack_full.pr_fmt"
    return "conntrack_full.printk" if r.get("period") else "conntrack_full.ratelimited"


def parse(text: str) -> c.Match | None:
    r = c.parse_named(table_full, text)
    if r is None:
        return None
    return c.Match(FAMILY, _message_id(r), {"module": r["module"], "netns": r.get("netns")})
