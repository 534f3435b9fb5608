"""Derived sections: sysctl selection, conntrack, neighbour tables and the listener join."""

from __future__ import annotations

from pathlib import Path

from tcplog.snapshot import parse, sections

FIXTURES = Path(__file__).parent.parent / "fixtures"
NETNS = FIXTURES / "proc" / "netns-listeners" / "net"


def netns_rows() -> list[tuple[str, dict]]:
    rows = []
    for proto in ("tcp", "tcp6"):
        rows += [(proto, r) for r in parse.tcp_listeners((NETNS / proto).read_text().splitlines()).value]
    return rows


def test_select_sysctl_keeps_net_and_the_socket_memory_vm_keys():
    """net.* and vm.min_free_kbytes stay; vm.dirty_ratio and fs.* go."""
    got = sections.select_sysctl({"net.core.somaxconn": "4096", "vm.min_free_kbytes": "67584",
                                  "vm.dirty_ratio": "20", "fs.file-max": "1", "kernel.printk": "4 4 1 7"})
    assert got == {"kernel.printk": "4 4 1 7", "net.core.somaxconn": "4096", "vm.min_free_kbytes": "67584"}


def test_conntrack_from_nf_sysctls_and_stat():
    """count/max/buckets/expect_max from nf_conntrack_*, stat as given."""
    got = sections.conntrack({"net.netfilter.nf_conntrack_count": "10", "net.netfilter.nf_conntrack_max": "262144",
                              "net.netfilter.nf_conntrack_buckets": "65536",
                              "net.netfilter.nf_conntrack_expect_max": "1024"}, {"entries": 10, "drop": 2})
    assert got == {"count": 10, "max": 262144, "buckets": 65536, "expect_max": 1024,
                   "stat": {"entries": 10, "drop": 2}}


def test_conntrack_2_6_18_ip_conntrack_names():
    """The ip_conntrack_* sysctls of 2.6.18-era kernels fill the same keys."""
    got = sections.conntrack({"net.ipv4.netfilter.ip_conntrack_max": "65536",
                              "net.ipv4.netfilter.ip_conntrack_count": "65520"}, None)
    assert got["max"] == 65536 and got["count"] == 65520 and got["stat"] is None


def test_conntrack_count_falls_back_to_stat_entries():
    """Without nf_conntrack_count, the stat table's entries is the count."""
    assert sections.conntrack({"net.nf_conntrack_max": "100"}, {"entries": 7})["count"] == 7


def test_conntrack_absent_is_none():
    """No conntrack sysctls and no stat: None (module not loaded)."""
    assert sections.conntrack({"net.core.somaxconn": "4096"}, None) is None


def test_neighbour_tables_join_stat_and_gc_thresh():
    """arp_cache gets entries/table_fulls from its stat and gc_thresh from net.ipv4.neigh.default."""
    got = sections.neighbour({"net.ipv4.neigh.default.gc_thresh3": "1024", "net.ipv4.neigh.default.gc_thresh1": "128"},
                             {"arp_cache": {"entries": 900, "table_fulls": 3}, "ndisc_cache": None})
    assert got == {"arp_cache": {"entries": 900, "gc_thresh1": 128, "gc_thresh2": None, "gc_thresh3": 1024,
                                 "table_fulls": 3, "stat": {"entries": 900, "table_fulls": 3}}}


def test_neighbour_nothing_known_is_none():
    """No tables and no thresholds: None."""
    assert sections.neighbour({}, {}) is None


def test_listeners_join_real_netns_rows_with_real_ss_output():
    """Backlog and process come from ss; `*:443` matches the dual-stack `::` row."""
    ss = parse.ss_listeners((FIXTURES / "ss" / "netns-listeners_ss_-ltnpH.txt").read_text()).value
    got = {(e["address"], e["port"]): e for e in sections.listeners(netns_rows(), ss, {})}
    assert got[("127.0.0.1", 8080)]["backlog"] == 5 and got[("127.0.0.1", 8080)]["accept_queue"] == 3
    assert got[("::", 443)]["backlog"] == 4096 and got[("::", 443)]["proto"] == "tcp6"
    assert got[("::1", 9042)]["process"] == "python3"


def test_listeners_prefer_an_exact_ss_address_over_the_wildcard():
    """With `*:443` and `0.0.0.0:443` in ss, the 0.0.0.0 row takes its own line's backlog."""
    rows = [("tcp", {"address": "0.0.0.0", "port": 443, "accept_queue": 0, "inode": 1})]
    ss = [{"address": "*", "port": 443, "accept_queue": 0, "backlog": 4096, "pid": None, "process": None},
          {"address": "0.0.0.0", "port": 443, "accept_queue": 0, "backlog": 511, "pid": 7, "process": "nginx"}]
    assert sections.listeners(rows, ss, {})[0]["backlog"] == 511


def test_listeners_owner_by_inode_wins_over_ss():
    """An owner found under /proc/<pid>/fd is kept even when ss names another."""
    rows = [("tcp", {"address": "0.0.0.0", "port": 22, "accept_queue": 0, "inode": 24573})]
    ss = [{"address": "0.0.0.0", "port": 22, "accept_queue": 0, "backlog": 64, "pid": 1, "process": "x"}]
    (got,) = sections.listeners(rows, ss, {24573: (812, "sshd")})
    assert (got["pid"], got["process"], got["backlog"]) == (812, "sshd", 64)


def test_listeners_without_ss_or_owners_are_null():
    """No ss and no owners: backlog, pid and process are null; the shape is the document's."""
    (got, *_) = sections.listeners(netns_rows(), None, {})
    assert set(got) == {"proto", "address", "port", "accept_queue", "backlog", "pid", "process"}
    assert got["backlog"] is None and got["pid"] is None
