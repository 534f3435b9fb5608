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
    UNTIL     {message_id: last mainline release that printed the wording} for the wordings whose
              end the sources show: no release of a later series printed them (that series' own
              stable releases kept them: 2.6.32.71 prints 2.6.32's texts), so a host reporting a
              kernel of a later series did not print the line with that kernel (it predates an
              upgrade, or the snapshot is another machine's; classification notes it). Where
              only a bracket is verified (printed by X, gone by Z), the later end of it is given,
              which can only leave a note out, never add a wrong one.
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
