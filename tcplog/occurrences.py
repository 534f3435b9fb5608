"""How many times did it really happen? Logged lines, suppressed lines, and the kernel's counter.

A message the kernel rate-limits is a lower bound: `count` lines were logged and `suppressed`
more were reported hidden. When two snapshots bracket the event, the counter that counts the
same thing (e.g. nf_conntrack `drop` for "table full, dropping packet") gives the real number
for that interval. `occurrences` holds both and the estimate: the counter delta when it is
known and not smaller than what the log shows, else the log's count.

A counter-only event (tcplog.counters, framing `snapshot`) has no line: its `logged` and
`suppressed` are 0, its counter and delta are its own, and its estimate is the silent part (the
delta less the lines the log shows for that counter between the same two snapshots), so no
occurrence is counted both in a logged event's lines and in the counter event.
"""

from __future__ import annotations

from tcplog import boots
from tcplog.classify.facts import UNKNOWN, udp_mib
from tcplog.counters import FRAMING, counter_at

# family -> the snapshot counter that counts each occurrence of the message
COUNTERS = {
    "conntrack_full": ("conntrack", "stat", "drop"),
    "tw_bucket_overflow": ("netstat", "TcpExt", "TCPTimeWaitOverflow"),
    "orphans": ("netstat", "TcpExt", "TCPAbortOnMemory"),
    "tcp_mem": ("netstat", "TcpExt", "TCPAbortOnMemory"),
    "socket_memory": ("netstat", "TcpExt", "TCPAbortOnMemory"),
    "syn_flood": ("netstat", "TcpExt", "{action}"),  # {action}: TCPReqQFullDrop or TCPReqQFullDoCookies
    "udp_bad_checksum": ("snmp", "{udp}", "InCsumErrors"),  # {udp}: Udp, UdpLite, Udp6 or UdpLite6
    "udp_short_packet": ("snmp", "{udp}", "InErrors"),
    "neigh_overflow": ("neighbour", "{table}", "table_fulls"),
}
# a SYN flood line's action -> the counter tcp_syn_flood_action() bumps for every SYN it handles (3.1+)
SYN_ACTIONS = {"drop": "TCPReqQFullDrop", "cookies": "TCPReqQFullDoCookies"}


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
    if path[2] == "{action}":
        name = SYN_ACTIONS.get(event["fields"].get("action"))
        if name is None:
            return None
        path = (path[0], path[1], name)
    if boots.apart(before, after):
        return None  # counters restart at boot
    v0, v1 = counter_at(before, path), counter_at(after, path)
    if v0 is None or v1 is None or v1 < v0:
        return None
    return ".".join(path), v1 - v0


def start(event: dict, before: dict | None, after: dict | None) -> None:
    """Record the counter delta (at classification time, when the snapshots are at hand)."""
    if _counted(event):
        fields = event["fields"]
        event["occurrences"] = {"logged": 0, "suppressed": 0, "counter": fields["counter"],
                                "counter_delta": fields["delta"], "estimate": fields["silent"], "basis": "counter"}
        return
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
    if _counted(event):
        return event
    logged = event["count"] + event["suppressed"]
    occ["logged"], occ["suppressed"] = event["count"], event["suppressed"]
    delta = occ["counter_delta"]
    if delta is not None and delta >= logged:
        occ["estimate"], occ["basis"] = delta, "counter"
    else:
        occ["estimate"], occ["basis"] = logged, "log"
    return event


def _counted(event: dict) -> bool:
    """A counter-only event (tcplog.counters): no line, its occurrences are its counter's."""
    return event["source"]["framing"] == FRAMING
