"""The family registry: one pyparsing module per kernel network-stack message family.

Explicit, one line per family, in dispatch order (a candidate line is offered to the families
whose triggers it contains, in this order; first match wins). Each module exposes:

    FAMILY    stable family id (str)
    ORIGIN    "kernel" (only records the kernel wrote) or "shipper" (log daemons' own notices)
    TRIGGERS  literal byte strings; a line holding none of them is never parsed
    MESSAGES  {message_id: wording and kernel versions}
    FIELDS    the field names every match of the family carries (static keys)
    parse(text) -> Match | None

and may expose

    SINCE     {message_id: (first mainline release, stable releases of older series that took it)}
              for the wordings no kernel before that printed: a host reporting an older kernel
              runs a backport (classification notes it). Only bounds the sources support.
"""

from tcplog.grammars import (
    conntrack_expect_full,
    conntrack_full,
    conntrack_vmalloc,
    drop_open_request,
    gro_suspect,
    hw_csum_failure,
    log_suppressed,
    martian_destination,
    martian_source,
    neigh_overflow,
    netdev_watchdog,
    orphans,
    ratelimit_suppressed,
    socket_memory,
    syn_flood,
    tcp_mem,
    tw_bucket_overflow,
    udp_bad_checksum,
    udp_short_packet,
    window_shrunk,
)
from tcplog.grammars._common import Match

FAMILIES = (
    tw_bucket_overflow,
    socket_memory,
    orphans,
    tcp_mem,
    syn_flood,
    drop_open_request,
    conntrack_full,
    conntrack_expect_full,
    conntrack_vmalloc,
    neigh_overflow,
    window_shrunk,
    udp_short_packet,
    udp_bad_checksum,
    martian_source,
    martian_destination,
    netdev_watchdog,
    gro_suspect,
    hw_csum_failure,
    ratelimit_suppressed,
    log_suppressed,
)

BY_ID = {f.FAMILY: f for f in FAMILIES}

__all__ = ["FAMILIES", "BY_ID", "Match"]
