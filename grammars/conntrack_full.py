"""Conntrack table full: a new connection found no free slot (net/netfilter/nf_conntrack_core.c).

Printed at KERN_WARNING, rate-limited by net_ratelimit(), when the number of tracked
connections exceeds nf_conntrack_max (ip_conntrack_max on 2.4 - 2.6.2x) and early_drop()
found no unassured entry to evict; the packet that would have created the entry is dropped.
2.4 - 2.6.2x: net/ipv4/netfilter/ip_conntrack_core.c:ip_conntrack_alloc; later
nf_conntrack_core.c:__nf_conntrack_alloc. Kernels whose nf_conntrack_core.c defines
`pr_fmt(KBUILD_MODNAME ": ")` print the module name twice. A 2025 patch names the netns inode
for non-init namespaces (the init namespace keeps the plain wording); 6.18 stable sources carry it,
the release that took it is not pinned down.
OpenVZ kernels print the container whose table filled (each container has a table of its own,
`ve_ip_conntrack_max`/`net->ct.max`): OpenVZ 2.6.18 `ve_printk(VE_LOG_BOTH, KERN_WARNING "ip_conntrack:
CT %d: table full, dropping packet.\n", VEID(get_exec_env()))` in ip_conntrack_alloc(), OpenVZ's
RHEL 6 2.6.32 kernels `"VE%u: nf_conntrack: table full, dropping packet.\n"` with
net->owner_ve->veid in nf_conntrack_alloc(); VE_LOG_BOTH prints it in the host's log and the
container's. Container id 0 is the host.

Examples:

    ip_conntrack: table full, dropping packet.
    nf_conntrack: table full, dropping packet.
    nf_conntrack: table full, dropping packet
    nf_conntrack: nf_conntrack: table full, dropping packet
    nf_conntrack: table full in netns 4026532490, dropping packet
    ip_conntrack: CT 101: table full, dropping packet.                (OpenVZ 2.6.18)
    VE101: nf_conntrack: table full, dropping packet.                 (OpenVZ RHEL 6 2.6.32)

Fields:

    module          str        "ip_conntrack" or "nf_conntrack" (the prefix the kernel printed)
    netns           int|null   network namespace inode (netns wording only)
    container_id    int|null   OpenVZ container id from "CT %d:" or "VE%u:"; 0 = host (null elsewhere)

Message ids:

    conntrack_full.ip_conntrack   2.4 - 2.6.2x (RHEL 5): "ip_conntrack: ... packet."
    conntrack_full.printk         2.6.x nf_conntrack (RHEL 6): printk with trailing period
    conntrack_full.ratelimited    3.x - 6.x: net_warn_ratelimited, no period
    conntrack_full.pr_fmt         ~4.x - 6.x: doubled "nf_conntrack: nf_conntrack:" prefix
    conntrack_full.netns          2025 (in 6.18 stable; release unverified): "table full in netns %u"
    conntrack_full.openvz         OpenVZ 2.6.18 kernels: "ip_conntrack: CT %d: table full, dropping packet."
    conntrack_full.openvz_ve      OpenVZ RHEL 6 (2.6.32) kernels: "VE%u: nf_conntrack: table full, dropping packet."
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
    "conntrack_full.openvz": "ip_conntrack: CT %d: table full, dropping packet.  [OpenVZ 2.6.18]",
    "conntrack_full.openvz_ve": "VE%u: nf_conntrack: table full, dropping packet.  [OpenVZ RHEL 6 2.6.32]",
}
FIELDS = ("module", "netns", "container_id")

_prefix = c.conntrack_prefix
_period = pp.Optional(pp.Literal("."))("period")
_netns = c.literal_words("in netns") + c.uint("netns")
_dropping = pp.Suppress(",") + c.literal_words("dropping packet")

# OpenVZ's container: `VE%u: ` before the prefix (RHEL 6 kernels), `CT %d: ` after it (2.6.18)
_ve = c.value_token(r"VE\d{1,10}(?=:)", "VE%u", lambda t: int(t[2:]))("ve_id") + pp.Suppress(":")
_ct = pp.Suppress(pp.Literal("CT")) + c.uint("ct_id") + pp.Suppress(":")

table_full = (pp.Optional(_ve) + _prefix + pp.Optional(_ct) + c.literal_words("table full") + pp.Optional(_netns)
              + _dropping + _period + pp.StringEnd()).set_name("conntrack_full")


def _message_id(r: dict) -> str | None:
    if "ve_id" in r or "ct_id" in r:  # as the OpenVZ kernels print it, nothing else
        if "netns" in r or r.get("again") or ("ve_id" in r and "ct_id" in r):
            return None
        if "ct_id" in r:
            return "conntrack_full.openvz" if r["module"] == "ip_conntrack" else None
        return "conntrack_full.openvz_ve" if r["module"] == "nf_conntrack" else None
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
    message_id = _message_id(r)
    if message_id is None:
        return None
    container = r.get("ct_id", r.get("ve_id"))
    return c.Match(FAMILY, message_id, {"module": r["module"], "netns": r.get("netns"), "container_id": container})
