"""Derived sections: which sysctls a snapshot keeps, and the conntrack, neighbour and
listener sections built from parsed pieces. Pure: every connector (live /proc, a copied
tree, `sysctl -a` text, a sosreport) assembles its document with these, so a section means
the same whatever the source.

- `select_sysctl`: every `net.*` key, plus the `vm.*` keys that bear on socket memory
  (free-memory watermarks and reclaim, which decide when skb and slab allocations fail:
  `vm.min_free_kbytes`, `vm.overcommit_*`, `vm.swappiness`, ...) and the printk rate limits
  that decide which kernel lines reach a log at all (`kernel.printk*`).
- `conntrack`: count/max/buckets/expect_max from the sysctls (`nf_conntrack_*`, or the
  2.6.18-era `ip_conntrack_*`), `stat` from /proc/net/stat/nf_conntrack (summed over CPUs).
- `neighbour`: per table (`arp_cache` for IPv4, `ndisc_cache` for IPv6) entries and
  table_fulls from /proc/net/stat/<table>, gc_thresh1-3 from `net.ipv{4,6}.neigh.default.*`.
- `listeners`: /proc/net/tcp{,6} LISTEN rows, joined to `ss` rows (backlog, process) by port
  and address, and to socket owners found under /proc/<pid>/fd by inode.
"""

from __future__ import annotations

import ipaddress

from tcplog.snapshot.parse import to_int

SYSCTL_PREFIXES = ("net.",)
SYSCTL_NAMES = frozenset({
    "vm.min_free_kbytes", "vm.extra_free_kbytes", "vm.watermark_scale_factor", "vm.watermark_boost_factor",
    "vm.lowmem_reserve_ratio", "vm.overcommit_memory", "vm.overcommit_ratio", "vm.overcommit_kbytes",
    "vm.swappiness", "vm.zone_reclaim_mode", "vm.vfs_cache_pressure", "vm.percpu_pagelist_fraction",
    "vm.percpu_pagelist_high_fraction", "vm.panic_on_oom",
    "kernel.printk", "kernel.printk_ratelimit", "kernel.printk_ratelimit_burst",
})

_CONNTRACK_SYSCTLS = {
    "count": ("net.netfilter.nf_conntrack_count", "net.ipv4.netfilter.ip_conntrack_count"),
    "max": ("net.netfilter.nf_conntrack_max", "net.nf_conntrack_max", "net.ipv4.netfilter.ip_conntrack_max",
            "net.ipv4.ip_conntrack_max"),
    "buckets": ("net.netfilter.nf_conntrack_buckets", "net.ipv4.netfilter.ip_conntrack_buckets"),
    "expect_max": ("net.netfilter.nf_conntrack_expect_max",),
}
_NEIGHBOUR_TABLES = (("arp_cache", "net.ipv4.neigh.default."), ("ndisc_cache", "net.ipv6.neigh.default."))
_ANY = {"0.0.0.0", "::", "*"}


def wanted_sysctl(name: str) -> bool:
    return name.startswith(SYSCTL_PREFIXES) or name in SYSCTL_NAMES


def select_sysctl(values: dict[str, str]) -> dict[str, str]:
    """The keys a snapshot keeps, in name order."""
    return {k: values[k] for k in sorted(values) if wanted_sysctl(k)}


def _number(sysctl: dict | None, names: tuple[str, ...]) -> int | None:
    for name in names:
        value = (sysctl or {}).get(name)
        if value is not None and (number := to_int(value)) is not None:
            return number
    return None


def conntrack(sysctl: dict | None, stat: dict | None) -> dict | None:
    """The conntrack section, or None when neither the sysctls nor the stat table exist."""
    out = {key: _number(sysctl, names) for key, names in _CONNTRACK_SYSCTLS.items()}
    if stat is None and all(v is None for v in out.values()):
        return None
    if out["count"] is None and stat is not None:
        out["count"] = stat.get("entries")
    out["stat"] = stat
    return out


def neighbour(sysctl: dict | None, stats: dict[str, dict | None]) -> dict | None:
    """{table: {entries, gc_thresh1-3, table_fulls, stat}} for the tables known; None if none is."""
    out = {}
    for table, prefix in _NEIGHBOUR_TABLES:
        stat = stats.get(table)
        thresholds = {f"gc_thresh{i}": _number(sysctl, (f"{prefix}gc_thresh{i}",)) for i in (1, 2, 3)}
        if stat is None and all(v is None for v in thresholds.values()):
            continue
        out[table] = {"entries": (stat or {}).get("entries"), **thresholds,
                      "table_fulls": (stat or {}).get("table_fulls"), "stat": stat}
    return out or None


def listeners(rows: list[tuple[str, dict]], ss_rows: list[dict] | None,
              owners: dict[int, tuple[int, str | None]]) -> list[dict]:
    """Listener entries from /proc/net/tcp* rows ((proto, row) pairs), `ss` rows and inode owners.

    An `ss` row matches a /proc row on port and address; `*` in ss matches either wildcard.
    """
    out = []
    for proto, row in rows:
        match = _match(row, ss_rows or [])
        pid, process = owners.get(row.get("inode"), (None, None))
        if pid is None and match is not None:
            pid, process = match["pid"], match["process"]
        out.append({"proto": proto, "address": row["address"], "port": row["port"],
                    "accept_queue": row["accept_queue"], "backlog": match["backlog"] if match else None,
                    "pid": pid, "process": process})
    return sorted(out, key=lambda e: (e["port"], e["proto"], e["address"]))


def _match(row: dict, ss_rows: list[dict]) -> dict | None:
    """The ss row for a /proc row: same port and address, else ss's `*` for a wildcard row."""
    same_port = [s for s in ss_rows if s["port"] == row["port"]]
    for s in same_port:
        if s["address"] == row["address"] or _same_ip(s["address"], row["address"]):
            return s
    for s in same_port:
        if s["address"] == "*" and row["address"] in _ANY:
            return s
    return None


def _same_ip(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False
