"""Conntrack hash table allocated with vmalloc: contiguous pages were not available
(net/netfilter/nf_conntrack_core.c:nf_ct_alloc_hashtable, earlier alloc_hashtable;
net/ipv4/netfilter/ip_conntrack_core.c on 2.4 - 2.6.2x).

Printed at KERN_WARNING (plain printk, no rate limit) when __get_free_pages() fails for the
conntrack or expectation hash table at module load or on a `hashsize` change. Informational:
memory fragmentation at table (re)size time, not packet loss. Gone once the allocation became
kvmalloc-style (release unverified).

Examples:

    nf_conntrack: falling back to vmalloc.
    ip_conntrack: falling back to vmalloc.

Fields:

    module          str        "nf_conntrack" or "ip_conntrack" (the prefix the kernel printed)

Message ids:

    conntrack_vmalloc.ip_conntrack   2.4 - 2.6.2x (ip_conntrack module, RHEL 5)
    conntrack_vmalloc.nf_conntrack   2.6.15 - 4.x (nf_conntrack)
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "conntrack_vmalloc"
ORIGIN = "kernel"
TRIGGERS = (b"falling back to vmalloc",)
MESSAGES = {
    "conntrack_vmalloc.ip_conntrack": "ip_conntrack: falling back to vmalloc.  [2.4 - 2.6.2x]",
    "conntrack_vmalloc.nf_conntrack": "nf_conntrack: falling back to vmalloc.  [2.6.15 - 4.x]",
}
FIELDS = ("module",)

_prefix = c.conntrack_prefix

vmalloc = (_prefix + c.literal_words("falling back to vmalloc") + pp.Optional(pp.Literal("."))
           + pp.StringEnd()).set_name("conntrack_vmalloc")


def parse(text: str) -> c.Match | None:
    r = c.parse_named(vmalloc, text)
    if r is None:
        return None
    module = r["module"]
    return c.Match(FAMILY, f"conntrack_vmalloc.{module}", {"module": module})
