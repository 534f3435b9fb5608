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
