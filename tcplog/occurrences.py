"""How many times did it really happen? Logged lines, suppressed lines, and the kernel's counter.

A message the kernel rate-limits is a lower bound: `count` lines were logged and `suppressed`
more were reported hidden. When two snapshots bracket the event, the counter that counts the
same thing (e.g. nf_conntrack `drop` for "table full, dropping packet") gives the real number
for that interval. `occurrences` holds both and the estimate: the counter delta when it is
known and not smaller than what the log shows, else the log's count.
"""

from __future__ import annotations

from tcplog import boots
from tcplog.classify.facts import UNKNOWN, udp_mib
from tcplog.counters import counter_at

# family -> the snapshot counter that counts each occurrence of the message
COUNTERS = {
    "conntrack_full": ("conntrack", "stat", "drop"),
    "tw_bucket_overflow": ("netstat", "TcpExt", "TCPTimeWaitOverflow"),
    "orphans": ("netstat", "TcpExt", "TCPAbortOnMemory"),
    "tcp_mem": ("netstat", "TcpExt", "TCPAbortOnMemory"),
    "socket_memory": ("netstat", "TcpExt", "TCPAbortOnMemory"),
    "udp_bad_checksum": ("snmp", "{udp}", "InCsumErrors"),  # {udp}: Udp, UdpLite, Udp6 or UdpLite6
    "udp_short_packet": ("snmp", "{udp}", "InErrors"),
    "neigh_overflow": ("neighbour", "{table}", "table_fulls"),
}


def counter_delta(event: dict, before: dict | None, after: dict | None) -> tuple[str, int] | None:
    """(counter name, after - before) for the event's family, when both snapshots have it."""
    path = COUNTERS.get(event["family"])
    if path is None or before is None or after is None:
        return None
    if path[1] == "{table}":
        path = (path[0], event["fields"].get("table") or "arp_cache", path[2])
    if path[1] == "{udp}":  # the group that counted the datagram: UDP-Lite and IPv6 are not in Udp
        group = udp_mib(event["fields"])
        if group is UNKNOWN:
            return None
        path = (path[0], group, path[2])
    if boots.apart(before, after):
        return None  # counters restart at boot
    v0, v1 = counter_at(before, path), counter_at(after, path)
    if v0 is None or v1 is None or v1 < v0:
        return None
    return ".".join(path), v1 - v0


def start(event: dict, before: dict | None, after: dict | None) -> None:
    """Record the counter delta (at classification time, when the snapshots are at hand)."""
    found = counter_delta(event, before, after)
    event["occurrences"] = {"logged": event["count"], "suppressed": event["suppressed"],
                            "counter": found[0] if found else None, "counter_delta": found[1] if found else None,
                            "estimate": event["count"] + event["suppressed"], "basis": "log"}


def finish(event: dict) -> dict:
    """Settle the estimate once repeats and suppression notices have been counted in."""
    occ = event.get("occurrences")
    if occ is None:
        start(event, None, None)
        occ = event["occurrences"]
    logged = event["count"] + event["suppressed"]
    occ["logged"], occ["suppressed"] = event["count"], event["suppressed"]
    delta = occ["counter_delta"]
    if delta is not None and delta >= logged:
        occ["estimate"], occ["basis"] = delta, "counter"
    else:
        occ["estimate"], occ["basis"] = logged, "log"
    return event
