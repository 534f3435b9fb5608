"""Where each fact lives on a host: an unresolved path → {"what", "where"} to collect.

    locate("before.sockstat.TCP.tw")                 → /proc/net/sockstat
    locate("sysctl:net.ipv4.tcp_mem[2]")             → /proc/sys/net/ipv4/tcp_mem
    locate("delta.netstat.TcpExt.ListenOverflows")   → /proc/net/netstat (TcpExt ListenOverflows),
                                                       in a snapshot before and one after the event
    locate("listener.backlog")                       → ss -ltnp
    locate("kernel.release")                         → uname -r

Event fields are what the line said: nothing to collect (None).
"""

from __future__ import annotations

import re

_NETFILTER = "/proc/sys/net/netfilter/nf_conntrack_"
_SECTIONS = {
    "sockstat": "/proc/net/sockstat",
    "sockstat6": "/proc/net/sockstat6",
    "listeners": "ss -ltnp",
    "page_size": "getconf PAGESIZE",
    "kernel": "uname -r",
    "boot": "/proc/sys/kernel/random/boot_id",
    "memory": "/proc/meminfo",
}


def locate(path: str, name: str | None = None, event: dict | None = None) -> dict | None:
    """Where to find the fact at `path` on the host: {"what", "where"}; None for event fields.
    The event (when given) names the neighbour table: ndisc_cache's thresholds live under ipv6."""
    shown = re.sub(r"\{[^{}]*\}", "*", path)
    if path.startswith("sysctl:"):
        sysctl = re.sub(r"\[\d+\]$", "", shown[len("sysctl:"):])
        return {"what": name or f"sysctl {sysctl}", "where": "/proc/sys/" + sysctl.replace(".", "/")}
    root, _, rest = shown.partition(".")
    tokens = rest.split(".") if rest else []
    if root in ("event", "mib"):
        return None
    if root == "kernel":
        return {"what": name or "kernel release", "where": "uname -r"}
    if root == "listener":
        return {"what": name or "the listening socket of the event's port (Recv-Q = accept queue, Send-Q = backlog)",
                "where": "ss -ltnp"}
    if root == "neigh":
        key = tokens[0] if tokens else "entries"
        fields = (event or {}).get("fields") or {}
        v6 = fields.get("table") == "ndisc_cache" or fields.get("ip_version") == 6
        table = fields.get("table") or ("ndisc_cache" if v6 else None)
        if key.startswith("gc_thresh"):
            where = f"/proc/sys/net/{'ipv6' if v6 else 'ipv4'}/neigh/default/{key}"
        else:
            where = f"/proc/net/stat/{table}" if table else "/proc/net/stat/arp_cache (or ndisc_cache for IPv6)"
        return {"what": name or f"neighbour table {key}", "where": where}
    if root not in ("before", "after", "delta") or not tokens:
        return {"what": name or path, "where": "tcplog snapshot"}
    if root == "delta" and tokens == ["time"]:
        return {"what": "a snapshot before and one after the event", "where": "tcplog snapshot"}
    item = _section(tokens, name)
    if root == "delta" and "delta" not in item["what"]:
        item["what"] += " (delta: a snapshot before and one after the event)"
    return item


def _section(tokens: list[str], name: str | None) -> dict:
    section, rest = tokens[0], tokens[1:]
    label = " ".join(rest) or section
    if section == "snmp" and len(rest) >= 2 and rest[0].endswith("6"):  # Udp6, Ip6, ...: Udp6InErrors
        return {"what": name or f"{rest[0]} {rest[1]} counter", "where": f"/proc/net/snmp6 ({rest[0]}{rest[1]})"}
    if section in ("netstat", "snmp") and len(rest) >= 2:
        return {"what": name or f"{rest[0]} {rest[1]} counter", "where": f"/proc/net/{section} ({rest[0]} {rest[1]})"}
    if section == "conntrack":
        if rest[:1] == ["stat"] and len(rest) > 1:
            return {"what": name or f"conntrack {rest[1]} counter", "where": f"/proc/net/stat/nf_conntrack ({rest[1]})"}
        key = rest[0] if rest else "count"
        return {"what": name or f"conntrack {key}", "where": _NETFILTER + key}
    if section == "neighbour" and len(rest) >= 2:
        table, key = rest[0], rest[1]
        if key.startswith("gc_thresh"):
            family = "ipv6" if table == "ndisc_cache" else "ipv4"
            return {"what": name or f"{table} {key}", "where": f"/proc/sys/net/{family}/neigh/default/{key}"}
        return {"what": name or f"{table} {key}", "where": f"/proc/net/stat/{table}"}
    if section == "sysctl" and rest:
        sysctl = ".".join(rest)
        return {"what": name or f"sysctl {sysctl}", "where": "/proc/sys/" + sysctl.replace(".", "/")}
    where = _SECTIONS.get(section, "tcplog snapshot")
    return {"what": name or f"{section} {label}".strip(), "where": where}
