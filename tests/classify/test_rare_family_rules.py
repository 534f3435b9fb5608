"""UDP, conntrack helper/vmalloc and martian rules: evidence, knobs and commands that exist on the
event's kernel and module (what an example's `expect` cannot assert)."""

from __future__ import annotations

from tcplog.classify import classify, load_rules
from tests.classify.test_engine import event

BAD_CSUM = "Dec 27 21:31:57 localhost kernel: UDP: bad checksum. From 204.83.232.135:24638 to 64.235.218.35:57999 ulen 39"


def cause_of(line: str, before: dict | None, kernel: str | None, after: dict | None = None):
    return classify(event(line), before, after, kernel_release=kernel, catalog=load_rules())


def evidence(cause: dict) -> dict:
    return {e["path"]: e["value"] for e in cause["evidence"] if isinstance(e.get("path"), str)}


def test_bad_checksum_before_3_10_counts_with_udp_in_errors():
    """2.6.32 has no Udp InCsumErrors: the evidence and the command use InErrors, which does count it."""
    udp = {"InDatagrams": 1000, "NoPorts": 5, "InErrors": 100, "OutDatagrams": 900}
    before = {"boot": {"id": "a"}, "snmp": {"Udp": udp}}
    after = {"boot": {"id": "a"}, "snmp": {"Udp": dict(udp, InErrors=600)}}
    cause = cause_of(BAD_CSUM, before, "2.6.32-754.el6.x86_64", after)
    assert cause["id"] == "udp_bad_checksum.corrupted"
    assert evidence(cause)["delta.snmp.Udp.InErrors"] == 500
    assert "UdpInErrors" in cause["remediation"][0]["command"].split()


MARTIAN = "Mar  9 07:15:00 gw5 kernel: martian source 10.1.0.5 from 172.16.9.9, on dev eth1"


def rp_filter(all_: str, dev: str) -> dict:
    return {"sysctl": {"net.ipv4.conf.all.rp_filter": all_, "net.ipv4.conf.eth1.rp_filter": dev}}


def test_rp_filter_up_to_2_6_30_is_the_and_of_all_and_the_interface():
    """RHEL 5: all=0, eth1=1 is no filtering (ANDed), so the source itself is invalid, not the route back."""
    cause = cause_of(MARTIAN, rp_filter("0", "1"), "2.6.18-419.el5")
    assert cause["id"] == "martian_source.source_not_valid_here"
    assert cause_of(MARTIAN, rp_filter("0", "1"), "2.6.32-754.el6.x86_64")["id"] == "martian_source.asymmetric_routing"


def test_rp_filter_2_is_strict_up_to_2_6_30_and_never_suggested_there():
    """2.6.18 with eth1=2: strict (no loose mode); the remedy is 0 on the interface, never 2."""
    cause = cause_of(MARTIAN, rp_filter("1", "2"), "2.6.18-419.el5")
    assert cause["id"] == "martian_source.strict_rp_filter_anded"
    assert [r["command"] for r in cause["remediation"]][0] == "sysctl -w net.ipv4.conf.eth1.rp_filter=0"
    assert cause_of(MARTIAN, rp_filter("1", "2"), "5.15.0-91-generic")["id"] == "martian_source.no_route_back"


def test_rp_filter_both_off_needs_no_kernel_version():
    """all=0 and eth1=0 is off under either rule, so an unknown kernel still decides."""
    assert cause_of(MARTIAN, rp_filter("0", "0"), None)["id"] == "martian_source.source_not_valid_here"


IP_VMALLOC = "Apr  9 11:20:31 fw2 kernel: [   15.001122] ip_conntrack: falling back to vmalloc."
IP_EXPECT = "Feb  3 08:01:02 fw1 kernel: ip_conntrack: expectation table full"


def knobs_and_commands(cause: dict) -> str:
    return " ".join(f"{r['knob']} {r['command']}" for r in cause["remediation"])


def test_ip_conntrack_vmalloc_reads_the_ip_conntrack_buckets_sysctl():
    """2.6.18 ip_conntrack has no net.netfilter.nf_conntrack_buckets: the command reads its own sysctl."""
    cause = cause_of(IP_VMALLOC, {"sysctl": {"net.ipv4.netfilter.ip_conntrack_buckets": "8192"}}, "2.6.18-419.el5")
    assert cause["remediation"][0]["command"] == "sysctl net.ipv4.netfilter.ip_conntrack_buckets"
    assert "nf_conntrack" not in knobs_and_commands(cause)


def test_ip_conntrack_expectation_line_never_raises_nf_conntrack_expect_max():
    """The 2.6.18 ip_conntrack has no global expectation limit: no nf_conntrack_expect_max, low confidence."""
    cause = cause_of(IP_EXPECT, None, "2.6.18-419.el5")
    assert cause["confidence"] == "low"
    assert "nf_conntrack_expect_max" not in knobs_and_commands(cause)


def test_expect_max_default_is_the_kernels_formula():
    """nf_conntrack_expect_init() sets 4 × (buckets / 256, at least 1), about buckets / 64: the rule says
    so and names the kernel documentation's "buckets / 256" as the hash size, not the default limit."""
    rule = load_rules().by_id("conntrack_expect_full.limit")
    text = " ".join(rule.description.split())
    assert "4 × the expectation hash size" in text and "about buckets / 64 and at least 4" in text
    assert "default buckets / 256" not in text
    assert any("nf_ct_expect_max = nf_ct_expect_hsize * 4" in ref for ref in rule.references)


def test_netdev_watchdog_texts_agree_on_the_once_per_boot_kernels():
    """WARN_ONCE ends with 6.7 (e316dd1cf135 reached net-next after 6.7-rc1; stable took it into 6.6.47 and
    6.1.107): the grammar's wordings, both rules and the NIC incident advice say the same."""
    from tcplog import incidents
    from tcplog.grammars import netdev_watchdog

    catalog = load_rules()
    once = " ".join(catalog.by_id("netdev_watchdog.tx_hang_once").description.split())
    every = " ".join(catalog.by_id("netdev_watchdog.tx_hang").description.split())
    advice = next(r.advice for r in incidents.load_rules() if r.id == "nic_fault")
    assert "2.6.27 - 6.7" in once and "6.6.47" in once and "6.1.107" in once
    assert "6.8+" in every and "2.6.27 - 6.7" in every and "2.6.27-6.7" in advice
    messages = netdev_watchdog.MESSAGES
    assert messages["netdev_watchdog.queue_ms"].endswith("[6.4 - 6.7, WARN_ONCE]")
    assert "[6.8+; stable 6.6.47+, 6.1.107+; netdev_crit]" in messages["netdev_watchdog.crit"]
    assert not [t for t in (once, every, advice, *messages.values()) if "6.5" in t or "~6.7" in t]
