"""TIME_WAIT bucket overflow rules where the kernel decides what the evidence can say."""

from __future__ import annotations

from tcplog.classify import classify, load_rules
from tests.classify.test_engine import event

LINE = "Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow"


def test_a_2_6_18_host_is_not_asked_for_meminfo_fields_it_cannot_have():
    """2.6.18 has no MemAvailable (3.14+): with plenty free memory, TCP memory low and TIME_WAIT
    at 61 % of the limit, no rule asks to collect MemAvailable."""
    before = {"sysctl": {"net.ipv4.tcp_max_tw_buckets": "180000", "net.ipv4.tcp_mem": "98304 131072 196608"},
              "sockstat": {"TCP": {"tw": 110000, "mem": 100}}, "memory": {"MemTotal": 16000000, "MemFree": 8000000}}
    cause = classify(event(LINE), before, None, kernel_release="2.6.18-419.el5", catalog=load_rules())
    assert not any("MemAvailable" in c["what"] for c in cause["collect"])
    assert all("before.memory.MemAvailable" not in c["missing"] for c in cause["candidates"])
