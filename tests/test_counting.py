"""Suppression-aware counts and --dedupe over event streams."""

from __future__ import annotations

from datetime import timedelta

from tcplog import counting
from tests import golden


def scan(*lines: str) -> list[dict]:
    return golden.run(list(lines))


CT = "Nov 20 10:00:{:02d} web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet"
RL = "Nov 20 10:00:{:02d} web1 kernel: net_ratelimit: {} callbacks suppressed"


def test_ratelimit_notice_adds_to_the_event_before_it():
    """`net_ratelimit: N callbacks suppressed` adds N to the preceding kernel event's `suppressed`."""
    events = scan(CT.format(1), RL.format(6, 3939), CT.format(7))
    out = list(counting.run(counting.SuppressionAttacher(), events))
    by_family = [(e["family"], e["suppressed"]) for e in out]
    assert by_family == [("ratelimit_suppressed", 0), ("conntrack_full", 3939), ("conntrack_full", 0)]


def test_repeat_notice_adds_exact_repeats_to_count():
    """`last message repeated N times` adds N to the preceding event's count and moves last_time."""
    events = scan(CT.format(1), "Nov 20 10:00:30 web1 last message repeated 4 times")
    out = list(counting.run(counting.SuppressionAttacher(), events))
    (ct,) = [e for e in out if e["family"] == "conntrack_full"]
    assert ct["count"] == 5 and ct["last_time"] == "2026-11-20T10:00:30.000000Z"


def test_a_textless_repeat_after_another_line_repeats_that_line():
    """syslogd writes `last message repeated N times` right after the line it repeats: with an sshd
    line (no event) in between, the repeats are sshd's, not the kernel event's; the notice still
    leaves as its own event."""
    events = scan(CT.format(1), "Nov 20 10:00:02 web1 sshd[7]: Accepted publickey for root",
                  "Nov 20 10:00:30 web1 last message repeated 4 times")
    out = list(counting.run(counting.SuppressionAttacher(), events))
    assert [(e["family"], e["count"]) for e in out] == [("log_suppressed", 1), ("conntrack_full", 1)]


def test_a_textless_repeat_after_a_multi_line_event_repeats_it():
    """A martian line and its `ll header:` line are one event: a repeat notice after the ll header
    line follows the event's last line and adds to it."""
    events = scan("Nov 20 10:00:01 web1 kernel: martian source 10.0.0.255 from 10.0.0.9, on dev eth0",
                  "Nov 20 10:00:01 web1 kernel: ll header: 00000000: ff ff ff ff ff ff 52 54 00 12 34 56 08 00",
                  "Nov 20 10:00:30 web1 last message repeated 4 times")
    out = list(counting.run(counting.SuppressionAttacher(), events))
    assert [(e["family"], e["count"]) for e in out] == [("log_suppressed", 1), ("martian_source", 5)]


def test_a_repeat_with_no_file_position_attaches_as_before():
    """A stream without file positions (a shipper's records, a followed file) cannot tell what was
    between: a textless repeat attaches to the host's held event."""
    events = scan(CT.format(1), "Nov 20 10:00:02 web1 sshd[7]: Accepted publickey for root",
                  "Nov 20 10:00:30 web1 last message repeated 4 times")
    for e in events:
        e["source"]["file"] = None
    out = list(counting.run(counting.SuppressionAttacher(), events))
    assert [(e["family"], e["count"]) for e in out] == [("log_suppressed", 1), ("conntrack_full", 5)]


def test_notice_of_another_host_does_not_attach():
    """A notice only attaches to an event of the same host."""
    events = scan(CT.format(1), "Nov 20 10:00:09 web2 kernel: net_ratelimit: 5 callbacks suppressed")
    out = list(counting.run(counting.SuppressionAttacher(), events))
    assert [e["suppressed"] for e in out if e["family"] == "conntrack_full"] == [0]


def test_notice_outside_the_window_does_not_attach():
    """A notice long after the event is not about it."""
    events = scan(CT.format(1), "Nov 20 11:00:00 web1 kernel: net_ratelimit: 5 callbacks suppressed")
    out = list(counting.run(counting.SuppressionAttacher(window=timedelta(minutes=10)), events))
    assert [e["suppressed"] for e in out if e["family"] == "conntrack_full"] == [0]


def test_every_event_leaves_once():
    """Attaching drops nothing and doubles nothing."""
    events = scan(CT.format(1), RL.format(2, 10), CT.format(3), CT.format(4), RL.format(5, 1))
    out = list(counting.run(counting.SuppressionAttacher(), events))
    assert sorted(e["source"]["line"] for e in out) == [1, 2, 3, 4, 5]


def test_dedupe_folds_repeats_within_the_window():
    """Same host, family, message id and fields within the window fold into one event."""
    events = scan(*(CT.format(s) for s in (1, 5, 9)), CT.format(40))
    out = list(counting.run(counting.Deduper(timedelta(seconds=30)), events))
    assert [(e["count"], e["first_time"][-12:-8], e["last_time"][-12:-8]) for e in out] == [
        (3, "0:01", "0:09"), (1, "0:40", "0:40")]


def test_dedupe_keeps_different_fields_apart():
    """Different typed fields are different events."""
    events = scan("Nov 20 10:00:01 web1 kernel: TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:80. "
                  "Sending cookies.",
                  "Nov 20 10:00:02 web1 kernel: TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:443. "
                  "Sending cookies.")
    out = list(counting.run(counting.Deduper(timedelta(minutes=1)), events))
    assert [e["fields"]["port"] for e in out] == [80, 443]


def test_dedupe_adds_up_suppressed_counts():
    """Folding after attaching keeps the suppressed totals."""
    events = scan(CT.format(1), RL.format(2, 100), CT.format(3), RL.format(4, 50), CT.format(5))
    attached = counting.run(counting.SuppressionAttacher(), events)
    out = [e for e in counting.run(counting.Deduper(timedelta(minutes=1)), attached) if e["family"] == "conntrack_full"]
    assert [(e["count"], e["suppressed"]) for e in out] == [(3, 150)]


def test_dedupe_bound_releases_early_and_counts_it():
    """Past max_groups the oldest group leaves early; the eviction is counted."""
    events = scan(*(f"Nov 20 10:00:0{i} web{i} kernel: TCP: too many orphaned sockets" for i in range(5)))
    stage = counting.Deduper(timedelta(hours=1), max_groups=2)
    out = list(counting.run(stage, events))
    assert len(out) == 5 and stage.released_early == 3


def test_pipeline_counts_what_its_bounds_push_out():
    """Past each bound the oldest entry leaves early, and Pipeline.take_evictions says how many
    (scan --stats "evicted"): held events, dedupe groups, incidents."""
    from datetime import timedelta

    from tcplog.pipeline import Pipeline, PipelineSettings
    from tests.golden import run

    lines = [f"Nov 22 10:00:{i % 60:02d} web{i} kernel: TCP: too many orphaned sockets" for i in range(20)]
    settings = PipelineSettings(classify=False, suppression_hosts=3, dedupe=timedelta(minutes=5), dedupe_groups=4,
                                incident_window=timedelta(minutes=5), incident_hosts=5)
    pipeline = Pipeline(settings)
    out = list(pipeline.run(run(lines)))
    assert sorted(e["host"] for e in out) == sorted(f"web{i}" for i in range(20))  # released early, never lost
    evicted = pipeline.take_evictions()
    assert evicted["held_for_notices"] == 20 - 3
    assert evicted["dedupe_groups"] > 0 and evicted["incidents"] > 0
    assert pipeline.take_evictions() == {}  # taken: counted once


def test_another_subsystems_limiter_does_not_attach():
    """`dvb_frontend_poll: 15 callbacks suppressed` counts dvb messages, not the network event before it."""
    events = scan(CT.format(1), "Nov 20 10:00:02 web1 kernel: dvb_frontend_poll: 15 callbacks suppressed",
                  RL.format(5, 300))
    out = list(counting.run(counting.SuppressionAttacher(), events))
    assert [e["suppressed"] for e in out if e["family"] == "conntrack_full"] == [300]


def test_rhel6_ratelimit_notice_attaches():
    """2.6.2x - 2.6.3x name every limiter `__ratelimit`: the count goes to the network event before it."""
    events = scan(CT.format(1), "Nov 20 10:00:02 web1 kernel: __ratelimit: 37822 callbacks suppressed")
    out = list(counting.run(counting.SuppressionAttacher(), events))
    assert [e["suppressed"] for e in out if e["family"] == "conntrack_full"] == [37822]


def test_repeat_notice_quoting_another_line_does_not_attach():
    """rsyslog's `message repeated N times: [text]` about a non-network line logged after the event leaves its count alone."""
    events = scan(CT.format(1),
                  "Nov 20 10:00:02 web1 kernel: e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None",
                  "Nov 20 10:00:03 web1 kernel: message repeated 5 times: [ e1000e: eth0 NIC Link is Up 1000 Mbps "
                  "Full Duplex, Flow Control: None]")
    out = list(counting.run(counting.SuppressionAttacher(), events))
    assert [e["count"] for e in out if e["family"] == "conntrack_full"] == [1]


def test_repeat_notice_quoting_the_event_attaches():
    """rsyslog's `message repeated N times: [text]` of the held event's own text adds N to its count."""
    events = scan(CT.format(1), "Nov 20 10:00:03 web1 kernel: message repeated 5 times: "
                                "[ nf_conntrack: nf_conntrack: table full, dropping packet]")
    out = list(counting.run(counting.SuppressionAttacher(), events))
    assert [e["count"] for e in out if e["family"] == "conntrack_full"] == [6]


def test_udp_occurrences_read_the_group_that_counted_the_datagram():
    """A UDPv6 short packet is counted in Udp6 InErrors and a UDP-Lite bad checksum in UdpLite, never in Udp."""
    from tcplog import occurrences

    v6, lite = scan("Nov 20 10:00:01 ns1 kernel: UDPv6: short packet: From [2001:db8::7]:53 120/84 to [2001:db8::10]:40001",
                    "Nov 20 10:00:02 ns1 kernel: UDPLite: bad checksum. From 198.51.100.7:5000 to 192.0.2.10:5001 ulen 40")
    before = {"snmp": {"Udp": {"InErrors": 5, "InCsumErrors": 5}, "Udp6": {"InErrors": 10}, "UdpLite": {"InCsumErrors": 0}}}
    after = {"snmp": {"Udp": {"InErrors": 905, "InCsumErrors": 905}, "Udp6": {"InErrors": 12}, "UdpLite": {"InCsumErrors": 3}}}
    assert occurrences.counter_delta(v6, before, after) == ("snmp.Udp6.InErrors", 2)
    assert occurrences.counter_delta(lite, before, after) == ("snmp.UdpLite.InCsumErrors", 3)
