"""Neighbour, TCP memory and conntrack rules: the remediation's knob and command fit the event's
table, the host's RAM and the kernel (what an example's `expect` cannot assert)."""

from __future__ import annotations

import pytest

from tcplog.classify import classify, load_rules
from tests.classify.test_engine import event

ARP = "May  1 18:08:34 k8s-node3 kernel: neighbour: arp_cache: neighbor table overflow!"
NDISC = "May  1 18:08:34 k8s-node3 kernel: neighbour: ndisc_cache: neighbor table overflow!"
IPV6_26 = "Nov 22 10:00:00 db1 kernel: ipv6: Neighbour table overflow."
LEGACY = "Jul 28 21:15:11 mercury kernel: Neighbour table overflow."
TCP_MEM = "Nov 22 10:00:00 web1 kernel: TCP: out of memory -- consider tuning tcp_mem"
SOCKET_MEMORY = "[12624150.315458] Out of socket memory"
NF_FULL = "Jul  8 10:03:53 node1 kernel: nf_conntrack: table full, dropping packet."
IP_FULL = "Mar 24 05:24:18 lb01 kernel: ip_conntrack: table full, dropping packet."
MEM_TOTAL_KB = 16266488  # a 16 GB host


def cause_of(line: str, before: dict | None, kernel: str | None = "5.15.0-91-generic", after: dict | None = None):
    return classify(event(line), before, after, kernel_release=kernel, catalog=load_rules())


def table(entries: int, g2: int = 512, g3: int = 1024) -> dict:
    return {"entries": entries, "gc_thresh1": 128, "gc_thresh2": g2, "gc_thresh3": g3}


def texts(cause: dict) -> str:
    """Every knob, command and why of the answer, and every place it asks to collect from."""
    rems = [f"{r['knob']} {r['command']} {r['why']}" for r in cause["remediation"]]
    return " ".join(rems + [c["where"] for c in cause["collect"]])


def by_knob(cause: dict) -> dict:
    return {r["knob"]: r for r in cause["remediation"]}


# -- neighbour tables ----------------------------------------------------------------------------


@pytest.mark.parametrize("line, kernel", [(NDISC, "5.15.0-91-generic"), (IPV6_26, "2.6.32-754.el6.x86_64")])
def test_a_full_ipv6_table_is_raised_by_its_own_name(line, kernel):
    """ndisc_cache or "ipv6: Neighbour table overflow." at gc_thresh3: the commands change ndisc_cache only."""
    before = {"neighbour": {"arp_cache": table(3), "ndisc_cache": table(1024)}}
    cause = cause_of(line, before, kernel)
    assert cause["id"] == "neigh_overflow.too_many_peers"
    assert [r["command"] for r in cause["remediation"]] == [
        "ip ntable change name ndisc_cache thresh3 2048", "ip ntable change name ndisc_cache thresh2 1536"]
    assert "arp_cache" not in " ".join(r["knob"] + r["command"] for r in cause["remediation"])


def test_raised_ipv4_thresholds_do_not_hide_the_ipv6_remedy():
    """IPv4 gc_thresh3 raised to 4096 earlier, ndisc_cache full at 1024: the IPv6 table is still raised."""
    before = {"sysctl": {"net.ipv4.neigh.default.gc_thresh3": "4096", "net.ipv4.neigh.default.gc_thresh2": "2048",
                         "net.ipv6.neigh.default.gc_thresh3": "1024"},
              "neighbour": {"arp_cache": table(3, 2048, 4096), "ndisc_cache": table(1024)}}
    cause = cause_of(NDISC, before)
    assert by_knob(cause)["ndisc_cache gc_thresh3"]["suggested"] == "2048"


@pytest.mark.parametrize("line", [ARP, LEGACY])
def test_a_full_ipv4_table_is_raised_by_its_own_name(line):
    """arp_cache and the prefixless route-cache wording: the commands change arp_cache."""
    cause = cause_of(line, {"neighbour": {"arp_cache": table(1024), "ndisc_cache": table(3)}}, "2.6.18-419.el5")
    assert [r["command"] for r in cause["remediation"]] == [
        "ip ntable change name arp_cache thresh3 2048", "ip ntable change name arp_cache thresh2 1536"]


@pytest.mark.parametrize("line, name", [(ARP, "arp_cache"), (NDISC, "ndisc_cache")])
def test_above_gc_thresh2_raises_gc_thresh3_first_and_keeps_gc_thresh2_below_it(line, name):
    """600 entries, thresholds 512/1024: gc_thresh3 → 2048, then gc_thresh2 → 1200 (not 1200 over 1024)."""
    before = {"neighbour": {"arp_cache": table(3), "ndisc_cache": table(3), name: table(600)}}
    cause = cause_of(line, before)
    assert cause["id"] == "neigh_overflow.above_gc_thresh2"
    assert [(r["knob"], r["suggested"]) for r in cause["remediation"]] == [
        (f"{name} gc_thresh3", "2048"), (f"{name} gc_thresh2", "1200")]


@pytest.mark.parametrize("entries, g2, g3", [(513, 512, 1024), (900, 512, 1024), (3000, 2048, 4096), (150, 128, 200)])
def test_above_gc_thresh2_suggestions_keep_the_thresholds_in_order(entries, g2, g3):
    """Whatever the sizes: suggested gc_thresh2 < suggested gc_thresh3, both above the entries."""
    cause = cause_of(ARP, {"neighbour": {"arp_cache": table(entries, g2, g3)}})
    assert cause["id"] == "neigh_overflow.above_gc_thresh2"
    s3, s2 = (int(by_knob(cause)[f"arp_cache gc_thresh{i}"]["suggested"]) for i in (3, 2))
    assert entries < s2 < s3 and s3 > g3


@pytest.mark.parametrize("line, version", [(ARP, 4), (NDISC, 6)])
def test_multicast_lifetime_names_the_sysctl_of_the_table_family(line, version):
    """5.4 mostly-empty table: the gc_thresh3 sysctl is net.ipv4 for arp_cache, net.ipv6 for ndisc_cache."""
    cause = cause_of(line, {"neighbour": {"arp_cache": table(60), "ndisc_cache": table(60)}}, "5.4.0-42-generic")
    assert cause["id"] == "neigh_overflow.multicast_lifetime"
    knob = f"net.ipv{version}.neigh.default.gc_thresh3"
    assert by_knob(cause)[knob]["command"] == f"sysctl -w {knob}=2048"


@pytest.mark.parametrize("kernel, expect", [
    ("5.0.21", "neigh_overflow.gc_entries_leak"),
    ("5.1.8", "neigh_overflow.gc_entries_leak"),
    ("5.1.9", "neigh_overflow.multicast_lifetime"),
    ("5.2.9-050209-generic", "neigh_overflow.multicast_lifetime"),
    ("5.4.79", "neigh_overflow.multicast_lifetime"),
    ("5.4.80", "ambiguous"),
    ("5.9.10", "neigh_overflow.multicast_lifetime"),
    ("5.9.11", "ambiguous"),
    ("5.10.0-28-amd64", "ambiguous"),
])
def test_mostly_empty_table_kernel_edges(kernel, expect):
    """gc_entries leak up to 5.1.8 (fixed in 5.1.9 and 5.2); five-second lifetime until 5.4.80 / 5.9.11 / 5.10."""
    assert cause_of(ARP, {"neighbour": {"arp_cache": table(90)}}, kernel)["id"] == expect


# -- TCP memory ------------------------------------------------------------------------------------


def tcp_mem_doc(tcp_mem: str, mem: int, inuse: int = 8012, mem_total: int | None = MEM_TOTAL_KB) -> dict:
    doc = {"page_size": 4096, "sysctl": {"net.ipv4.tcp_mem": tcp_mem, "net.ipv4.tcp_wmem": "4096 16384 4194304",
                                         "net.ipv4.tcp_max_orphans": "262144"},
           "sockstat": {"TCP": {"inuse": inuse, "mem": mem, "orphan": 100}}}
    if mem_total is not None:
        doc["memory"] = {"MemTotal": mem_total}
    return doc


def test_tcp_mem_near_ram_is_not_doubled():
    """tcp_mem[2] 3081666 pages (11.8 GB) on 16 GB: no tcp_mem raise at all, find the memory holders instead."""
    cause = cause_of(TCP_MEM, tcp_mem_doc("1540833 2054446 3081666", 3081700))
    assert cause["id"] == "tcp_mem.ram_bound"
    tcp_mem = by_knob(cause)["net.ipv4.tcp_mem"]
    assert tcp_mem["direction"] == "keep" and tcp_mem["suggested"] is None
    assert not any(r["direction"] == "raise" for r in cause["remediation"])
    assert "ss -tmn" in [r["command"] for r in cause["remediation"]]


@pytest.mark.parametrize("line", [TCP_MEM, SOCKET_MEMORY])
@pytest.mark.parametrize("tcp_mem, mem, inuse", [
    ("190000 254000 381000", 381500, 8012),      # default-sized, over [2]
    ("190000 254000 381000", 260000, 8012),      # pressure only
    ("190000 254000 381000", 260000, 120000),    # pressure, too many sockets for the limit
    ("700000 900000 1100000", 1100000, 8012),    # over [2], doubling reaches 55 % of RAM
    ("1540833 2054446 3081666", 3081700, 8012),  # over [2] at 72 % of RAM
    ("1540833 2054446 3081666", 2100000, 120000),
])
def test_a_suggested_tcp_mem_never_passes_half_of_ram(line, tcp_mem, mem, inuse):
    """Whichever rule wins, a suggested tcp_mem[2] × page size stays at or under half of MemTotal."""
    kernel = "2.6.32-754.el6.x86_64" if line == SOCKET_MEMORY else "5.15.0-91-generic"
    cause = cause_of(line, tcp_mem_doc(tcp_mem, mem, inuse), kernel)
    for r in cause["remediation"]:
        if r["knob"] == "net.ipv4.tcp_mem" and r["suggested"] is not None:
            assert int(r["suggested"].split()[2]) * 4096 <= MEM_TOTAL_KB * 1024 / 2, cause["id"]


def test_over_tcp_mem_2_the_hard_limit_outranks_stalled_senders():
    """mem ≥ tcp_mem[2] and too many sockets for it: the message's own trigger wins, stalled is a medium candidate."""
    cause = cause_of(TCP_MEM, tcp_mem_doc("190000 254000 381000", 381500, 120000))
    assert cause["id"] == "tcp_mem.hard_limit"
    assert {"id": "tcp_mem.stalled_senders", "confidence": "medium"}.items() <= cause["candidates"][0].items()


def test_without_meminfo_the_hard_limit_still_doubles_and_says_what_would_check_it():
    """MemTotal unknown: tcp_mem.hard_limit decides, tcp_mem.ram_bound waits as a candidate missing MemTotal."""
    cause = cause_of(TCP_MEM, tcp_mem_doc("190000 254000 381000", 381500, mem_total=None))
    assert cause["id"] == "tcp_mem.hard_limit"
    ram = next(c for c in cause["candidates"] if c["id"] == "tcp_mem.ram_bound")
    assert ram["missing"] == ["before.memory.MemTotal"]


def test_2_6_out_of_socket_memory_near_ram_is_not_doubled():
    """2.6.32 "Out of socket memory" over tcp_mem[2] at 72 % of RAM: no tcp_mem raise."""
    cause = cause_of(SOCKET_MEMORY, tcp_mem_doc("1540833 2054446 3081666", 3081700), "2.6.32-754.el6.x86_64")
    assert cause["id"] == "socket_memory.tcp_mem_ram_bound"
    assert by_knob(cause)["net.ipv4.tcp_mem"]["direction"] == "keep"


# -- conntrack -------------------------------------------------------------------------------------


SMALL_HASH = {"sysctl": {"net.netfilter.nf_conntrack_buckets": "16384", "net.netfilter.nf_conntrack_max": "262144"},
              "conntrack": {"count": 262144, "max": 262144, "buckets": 16384}}
HASHSIZE = "echo 131072 > /sys/module/nf_conntrack/parameters/hashsize"
BUCKETS_SYSCTL = "sysctl -w net.netfilter.nf_conntrack_buckets=131072"


@pytest.mark.parametrize("kernel", ["2.6.32-754.el6.x86_64", "3.10.0-1160.el7.x86_64", "4.6.7"])
def test_small_hash_below_4_7_writes_the_hashsize_parameter_not_the_read_only_sysctl(kernel):
    """Before 4.7 nf_conntrack_buckets is read-only: the hash is resized through the hashsize module parameter."""
    cause = cause_of(NF_FULL, SMALL_HASH, kernel)
    assert cause["id"] == "conntrack_full.capacity_small_hash"
    commands = [r["command"] for r in cause["remediation"]]
    assert commands == [HASHSIZE, "sysctl -w net.netfilter.nf_conntrack_max=524288"]
    assert not cause["remediation"][0]["why"].startswith("For kernels")


@pytest.mark.parametrize("kernel", ["4.7.0", "4.18.0-513.el8.x86_64", "5.15.0-91-generic"])
def test_small_hash_from_4_7_writes_the_buckets_sysctl(kernel):
    """From 4.7 (3183ab8997a4) the sysctl resizes the hash: `sysctl -w`, no module-parameter write."""
    commands = [r["command"] for r in cause_of(NF_FULL, SMALL_HASH, kernel)["remediation"]]
    assert commands == [BUCKETS_SYSCTL, "sysctl -w net.netfilter.nf_conntrack_max=524288"]


def test_small_hash_with_the_kernel_unknown_gives_both_ways_each_with_its_kernels():
    """No kernel known: the hashsize write for up to 4.6 and the sysctl for 4.7+, each `why` naming its kernels."""
    cause = cause_of(NF_FULL, SMALL_HASH, None)
    buckets = [r for r in cause["remediation"] if r["knob"] == "net.netfilter.nf_conntrack_buckets"]
    assert [(r["command"], r["why"].split(" (")[0]) for r in buckets] == [
        (HASHSIZE, "For kernels up to 4.6"), (BUCKETS_SYSCTL, "For kernels 4.7 and later")]


def test_ip_conntrack_without_its_sysctls_collects_them_not_nf_conntrack_knobs():
    """2.6.18 ip_conntrack line, no net.ipv4.netfilter.ip_conntrack_* in the snapshot: collect those, ambiguous."""
    before = {"sysctl": {"net.ipv4.ip_conntrack_max": "65536"}, "conntrack": {"count": 65530, "max": 65536,
                                                                               "buckets": 8192}}
    cause = cause_of(IP_FULL, before, "2.6.18-419.el5")
    assert cause["id"] == "ambiguous"
    assert [c["where"] for c in cause["collect"]] == ["/proc/sys/net/ipv4/netfilter/ip_conntrack_count",
                                                      "/proc/sys/net/ipv4/netfilter/ip_conntrack_max"]
    assert "nf_conntrack" not in texts(cause)


@pytest.mark.parametrize("before, after", [
    ({"sysctl": {"net.ipv4.netfilter.ip_conntrack_count": "65530", "net.ipv4.netfilter.ip_conntrack_max": "65536",
                 "net.ipv4.netfilter.ip_conntrack_buckets": "4096"},
      "conntrack": {"count": 65530, "max": 65536, "buckets": 4096}}, None),
    (None, None),
    ({"sysctl": {"net.ipv4.netfilter.ip_conntrack_count": "3000", "net.ipv4.netfilter.ip_conntrack_max": "65536"},
      "conntrack": {"count": 3000, "max": 65536, "stat": {"insert_failed": 0}}},
     {"conntrack": {"count": 3100, "max": 65536, "stat": {"insert_failed": 4000}}}),
])
def test_an_ip_conntrack_line_never_gets_nf_conntrack_knobs_or_files(before, after):
    """Full with a small hash, no snapshot, insert_failed rising: only ip_conntrack knobs and files appear."""
    cause = cause_of(IP_FULL, before, "2.6.18-419.el5", after)
    assert "net.netfilter" not in texts(cause) and "nf_conntrack_" not in texts(cause)
    assert all(c["id"] == "conntrack_full.capacity_ip_conntrack" for c in cause["candidates"])


def test_ip_conntrack_full_resizes_its_own_hash_through_the_ip_conntrack_parameter():
    """2.6.18 ip_conntrack full: double ip_conntrack_max, and hashsize = the doubled max / 8 on the ip_conntrack module."""
    before = {"sysctl": {"net.ipv4.netfilter.ip_conntrack_count": "65536", "net.ipv4.netfilter.ip_conntrack_max": "65536",
                         "net.ipv4.netfilter.ip_conntrack_buckets": "8192"}}
    cause = cause_of(IP_FULL, before, "2.6.18-419.el5")
    assert [r["command"] for r in cause["remediation"]] == [
        "sysctl -w net.ipv4.netfilter.ip_conntrack_max=131072", "echo 16384 > /sys/module/ip_conntrack/parameters/hashsize"]


def test_ip_conntrack_hash_already_large_enough_is_not_resized():
    """Buckets already above the doubled max / 8: the hashsize entry would change nothing and is left out."""
    before = {"sysctl": {"net.ipv4.netfilter.ip_conntrack_count": "65536", "net.ipv4.netfilter.ip_conntrack_max": "65536",
                         "net.ipv4.netfilter.ip_conntrack_buckets": "32768"}}
    cause = cause_of(IP_FULL, before, "2.6.18-419.el5")
    assert [r["knob"] for r in cause["remediation"]] == ["net.ipv4.netfilter.ip_conntrack_max"]


def test_nf_conntrack_max_is_set_on_the_host_not_in_a_container():
    """Every nf_conntrack_max raise warns that the limit is one for all network namespaces."""
    for line, before, kernel in [(NF_FULL, SMALL_HASH, "3.10.0-1160.el7.x86_64"),
                                 (NF_FULL, {"conntrack": {"count": 262144, "max": 262144, "buckets": 262144}}, "5.15.0"),
                                 (NF_FULL, {"conntrack": {"count": 262144, "max": 262144, "buckets": 65536}}, "5.4.0")]:
        cause = cause_of(line, before, kernel)
        rem = by_knob(cause)["net.netfilter.nf_conntrack_max"]
        assert any("set it on the host" in g for g in rem["guardrails"]), cause["id"]
