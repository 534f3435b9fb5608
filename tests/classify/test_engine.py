"""The rule engine: facts, three-valued evaluation, ranking, ambiguity, rendering, loading."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcplog.classify import engine
from tcplog.classify.engine import Catalog, classify, compile_rule, load_rules
from tcplog.classify.examples import events_from_text
from tcplog.classify.facts import UNKNOWN
from tcplog.classify.facts import build as build_facts
from tcplog.errors import RuleError

TW_LINE = "Aug 28 13:16:32 lotus kernel: [61238.407346] TCP: time wait bucket table overflow"
SYN_LINE = ("Nov 20 10:00:00 web1 kernel: TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:8080. "
            "Sending cookies.")
CAUSE_SCHEMA = json.loads(resources.files("tcplog").joinpath("schema/event-2.json").read_text())["properties"]["cause"]


def event(line: str = TW_LINE) -> dict:
    (e,) = events_from_text(line)
    return e


def rule(**over) -> dict:
    """A minimal valid tw_bucket_overflow rule document, with overrides."""
    doc = {
        "id": "tw_bucket_overflow.test", "status": "test", "family": "tw_bucket_overflow", "priority": 10,
        "confidence": "high", "summary": "tw {before.sockstat.TCP.tw} of {sysctl:net.ipv4.tcp_max_tw_buckets}",
        "conditions": [{"predicate": "at_least", "args": {"value": "before.sockstat.TCP.tw",
                                                          "limit": "sysctl:net.ipv4.tcp_max_tw_buckets"}}],
        "evidence": [{"name": "TIME_WAIT", "value": "before.sockstat.TCP.tw",
                      "limit": "sysctl:net.ipv4.tcp_max_tw_buckets"}],
        "remediation": [{"knob": "net.ipv4.tcp_max_tw_buckets", "direction": "raise", "suggested": {"helper": "double"},
                         "command": "sysctl -w net.ipv4.tcp_max_tw_buckets={suggested}",
                         "why": "room for the churn", "guardrails": ["never tcp_tw_recycle"]}],
        "references": ["test"], "examples": [{"line": TW_LINE, "expect": "tw_bucket_overflow.test"}],
    }
    doc.update(over)
    return doc


def catalog(*docs: dict) -> Catalog:
    return Catalog(tuple(compile_rule(d, "<test>") for d in docs))


AT_LIMIT = {"sysctl": {"net.ipv4.tcp_max_tw_buckets": "180000"}, "sockstat": {"TCP": {"tw": 180000}}}
BELOW = {"sysctl": {"net.ipv4.tcp_max_tw_buckets": "180000"}, "sockstat": {"TCP": {"tw": 10}}}


# -- facts -------------------------------------------------------------------------------------


def test_facts_read_snapshot_sections_and_event_fields():
    """before.*, after.* and event.* paths resolve into the documents."""
    f = build_facts(event(SYN_LINE), {"sockstat": {"TCP": {"tw": 5}}}, {"sockstat": {"TCP": {"tw": 7}}})
    assert f.get("before.sockstat.TCP.tw") == 5 and f.get("after.sockstat.TCP.tw") == 7
    assert f.get("event.fields.port") == 8080 and f.get("event.family") == "syn_flood"


def test_missing_things_are_unknown_not_none():
    """No snapshot, an absent key, or a null value all resolve to UNKNOWN."""
    f = build_facts(event(), None, {"sockstat": None, "memory": {"MemFree": None}})
    assert f.get("before.sockstat.TCP.tw") is UNKNOWN and f.get("after.sockstat.TCP.tw") is UNKNOWN
    assert f.get("after.memory.MemFree") is UNKNOWN and f.get("event.fields.nope") is UNKNOWN


def test_sysctl_values_become_ints_and_index():
    """sysctl:NAME gives an int for one number, the text for several; [i] picks one value."""
    before = {"sysctl": {"net.ipv4.tcp_mem": "287901 383868 575802", "net.core.somaxconn": "4096",
                         "net.ipv4.tcp_congestion_control": "bbr"}}
    f = build_facts(event(), before, None)
    assert f.get("sysctl:net.core.somaxconn") == 4096 and f.get("sysctl:net.ipv4.tcp_mem[2]") == 575802
    assert f.get("sysctl:net.ipv4.tcp_mem") == "287901 383868 575802"
    assert f.get("sysctl:net.ipv4.tcp_congestion_control") == "bbr" and f.get("sysctl:net.ipv4.tcp_mem[3]") is UNKNOWN


def test_sysctl_falls_back_to_the_after_snapshot():
    """A sysctl missing from before is taken from after."""
    f = build_facts(event(), {"sysctl": {}}, {"sysctl": {"net.core.somaxconn": "128"}})
    assert f.get("sysctl:net.core.somaxconn") == 128


def test_a_sysctl_read_from_the_snapshot_after_the_event_counts_as_state_read_after_it():
    """With no snapshot before the event, a sysctl (ip_conntrack_count is a gauge; settings change after
    incidents too) comes from the one after it, and the confidence drops like for before.* state."""
    after = {"sysctl": {"net.ipv4.netfilter.ip_conntrack_count": "65520", "net.ipv4.netfilter.ip_conntrack_max": "65536"}}
    line = "Mar 24 05:24:18 lb01 kernel: ip_conntrack: table full, dropping packet."
    c = classify(event(line), None, after, kernel_release="2.6.18-419.el5")
    assert (c["id"], c["confidence"]) == ("conntrack_full.capacity_ip_conntrack", "medium")
    assert c["summary"].endswith("(state read from the snapshot taken after the event)")
    f = build_facts(event(), {"sysctl": {}}, {"sysctl": {"net.core.somaxconn": "128"}})
    assert f.get("sysctl:net.core.somaxconn") == 128 and not f.substituted  # a snapshot before exists


@pytest.mark.parametrize("release, size", [
    ("3.10.0-1160.el7.x86_64", 4096), ("2.6.32-754.el6.i686", 4096), ("4.18.0-513.el8.ppc64le", 65536),
    ("4.18.0-80.el8.aarch64", 65536), ("5.14.0-362.el9.aarch64+64k", 65536), ("6.8.0-1008-generic-64k", 65536),
    ("5.14.0-362.el9.aarch64", None), ("5.15.0-91-generic", None)])
def test_page_size_comes_from_the_kernel_when_the_snapshot_has_none(release, size):
    """Copies of /proc, sosreports and sysctl -a files have no page size: the kernel's architecture gives it
    where the release says (x86, ppc64le, marked arm64), else it stays unknown; a recorded one wins."""
    f = build_facts(event(), {"page_size": None}, None, release)
    assert f.get("before.page_size") == (UNKNOWN if size is None else size)
    assert build_facts(event(), {"page_size": 16384}, None, release).get("before.page_size") == 16384


def test_mib_names_the_snmp_group_that_counted_the_datagram():
    """mib: Udp, UdpLite, Udp6, UdpLite6 from the UDP event's protocol tag and IP version; unknown otherwise."""
    lines = {"UDP: bad checksum. From 1.2.3.4:53 to 5.6.7.8:9 ulen 40": "Udp",
             "UDPLite: bad checksum. From 1.2.3.4:53 to 5.6.7.8:9 ulen 40": "UdpLite",
             "UDPv6: short packet: From [2001:db8::7]:53 120/84 to [2001:db8::10]:40001": "Udp6",
             "UDP-Litev6: short packet: From [2001:db8::7]:53 120/84 to [2001:db8::10]:40001": "UdpLite6"}
    assert {line: build_facts(event(line), None, None).get("mib") for line in lines} == lines
    assert build_facts(event(), None, None).get("mib") is UNKNOWN


def test_delta_is_after_minus_before():
    """delta.* subtracts counters; delta.time is the seconds between the snapshots."""
    b = {"time": "2026-11-22T10:00:00.000000Z", "netstat": {"TcpExt": {"ListenOverflows": 5}}}
    a = {"time": "2026-11-22T10:01:30.000000Z", "netstat": {"TcpExt": {"ListenOverflows": 25}}}
    f = build_facts(event(), b, a)
    assert f.get("delta.netstat.TcpExt.ListenOverflows") == 20 and f.get("delta.time") == 90.0


def test_delta_is_unknown_across_a_reboot_or_a_counter_reset():
    """Different boot ids, or a counter that went down, give no delta."""
    b = {"boot": {"id": "a"}, "netstat": {"TcpExt": {"X": 5}}}
    assert build_facts(event(), b, {"boot": {"id": "b"}, "netstat": {"TcpExt": {"X": 9}}}).get(
        "delta.netstat.TcpExt.X") is UNKNOWN
    assert build_facts(event(), b, {"boot": {"id": "a"}, "netstat": {"TcpExt": {"X": 1}}}).get(
        "delta.netstat.TcpExt.X") is UNKNOWN


def test_delta_is_unknown_when_the_later_snapshot_booted_after_the_earlier_was_taken():
    """Without boot ids (a /proc copy, a sosreport), a boot time after the before snapshot is a reboot."""
    b = {"time": "2026-11-22T10:00:00.000000Z", "boot": {"time": "2026-11-01T00:00:00.000000Z", "id": None},
         "conntrack": {"stat": {"insert_failed": 100}}}
    rebooted = {"time": "2026-11-22T10:10:00.000000Z", "boot": {"time": "2026-11-22T10:05:00.000000Z", "id": None},
                "conntrack": {"stat": {"insert_failed": 400}}}
    same_boot = dict(rebooted, boot={"time": "2026-11-01T00:00:01.000000Z", "id": None})
    assert build_facts(event(), b, rebooted).get("delta.conntrack.stat.insert_failed") is UNKNOWN
    assert build_facts(event(), b, same_boot).get("delta.conntrack.stat.insert_failed") == 300


def test_delta_compares_boot_ids_in_any_spelling():
    """One boot id dashed in upper case (a sysctl dump) and as 32 hex digits (journald) is one boot: the delta is known."""
    b = {"boot": {"id": "3F0C1B8E-9D57-4A43-8B1E-52A6C0F3D7AA"}, "netstat": {"TcpExt": {"X": 5}}}
    a = {"boot": {"id": "3f0c1b8e9d574a438b1e52a6c0f3d7aa"}, "netstat": {"TcpExt": {"X": 9}}}
    assert build_facts(event(), b, a).get("delta.netstat.TcpExt.X") == 4


def test_listener_is_matched_by_port_and_address_and_named():
    """The event's address:port picks the listener; its name reads address:port (process, pid)."""
    listeners = [{"proto": "tcp", "address": "127.0.0.1", "port": 8080, "accept_queue": 0, "backlog": 10},
                 {"proto": "tcp", "address": "0.0.0.0", "port": 8080, "accept_queue": 9, "backlog": 10,
                  "pid": 42, "process": "java"}]
    f = build_facts(event(SYN_LINE), {"listeners": listeners}, None)
    assert f.get("listener.accept_queue") == 9 and f.get("listener.name") == "0.0.0.0:8080 (java, pid 42)"


def test_an_event_without_a_port_gets_the_full_listener_of_the_snapshot_after():
    """The accept-queue counter event names no port: the fullest listener at 90 % or more of its backlog,
    from the snapshot after the overflows first; none when no queue is that full."""
    counter = {"family": "syn_flood", "message_id": "syn_flood.accept_queue_counter", "fields": {"delta": 5}}
    quiet = [{"proto": "tcp", "address": "0.0.0.0", "port": 22, "accept_queue": 1, "backlog": 128}]
    full = quiet + [{"proto": "tcp", "address": "::", "port": 8080, "accept_queue": 120, "backlog": 128,
                     "pid": 7, "process": "java"}]
    f = build_facts(counter, {"listeners": quiet}, {"listeners": full})
    assert f.get("listener.name") == "[::]:8080 (java, pid 7)" and f.get("listener.accept_queue") == 120
    assert build_facts(counter, {"listeners": full}, {"listeners": quiet}).get("listener.port") == 8080
    assert build_facts(counter, {"listeners": quiet}, {"listeners": quiet}).get("listener.port") is UNKNOWN


def test_listener_unknown_when_no_socket_listens_on_the_port():
    """No listener on the event's port → UNKNOWN."""
    f = build_facts(event(SYN_LINE), {"listeners": [{"proto": "tcp", "address": "0.0.0.0", "port": 22}]}, None)
    assert f.get("listener.backlog") is UNKNOWN


def test_neigh_picks_the_table_the_event_names():
    """ndisc_cache for IPv6 wordings, arp_cache for the legacy IPv4 one."""
    doc = {"neighbour": {"arp_cache": {"entries": 4}, "ndisc_cache": {"entries": 9}}}
    assert build_facts(event("Oct 11 09:00:01 rtr6 kernel: ipv6: Neighbour table overflow."), doc, None).get(
        "neigh.entries") == 9
    assert build_facts(event("[ 2381.554120] Neighbour table overflow."), doc, None).get("neigh.table") == "arp_cache"


def test_paths_expand_event_field_templates():
    """{event.fields.interface} inside a path is filled before lookup."""
    e = event("Mar  9 07:15:00 vpn1 kernel: martian source 10.8.0.1 from 10.8.0.6, on dev tun0")
    f = build_facts(e, {"sysctl": {"net.ipv4.conf.tun0.rp_filter": "1"}}, None)
    assert f.get("sysctl:net.ipv4.conf.{event.fields.interface}.rp_filter") == 1


def test_kernel_comes_from_the_argument_else_the_snapshot():
    """An explicit release wins over the snapshot's uname -r; the snapshot's is used otherwise."""
    snap = {"kernel": {"release": "3.10.0-1160.el7.x86_64"}}
    assert build_facts(event(), snap, None, "2.6.18-419.el5").get("kernel.el") == 5
    assert build_facts(event(), snap, None).get("kernel.version") == (3, 10, 0, 0)
    assert build_facts(event(), None, None).get("kernel.release") is UNKNOWN


# -- evaluation --------------------------------------------------------------------------------


def test_true_rule_wins_with_filled_summary_evidence_and_remediation():
    """All conditions true → the rule's cause, placeholders filled, evidence ratio, suggested value."""
    cause = classify(event(), AT_LIMIT, None, catalog=catalog(rule()))
    assert cause["id"] == "tw_bucket_overflow.test" and cause["summary"] == "tw 180000 of 180000"
    assert cause["evidence"][0] == {"name": "TIME_WAIT", "path": "before.sockstat.TCP.tw", "value": 180000,
                                    "limit": 180000, "ratio": 1.0}
    rem = cause["remediation"][0]
    assert (rem["current"], rem["suggested"], rem["command"]) == ("180000", "360000",
                                                                 "sysctl -w net.ipv4.tcp_max_tw_buckets=360000")


def test_a_remediation_that_would_not_change_the_knob_is_left_out():
    """Raising tcp_max_tw_buckets "to at least 180000" when it is 180000 is no advice: left out;
    the same rule on a host below that value keeps it."""
    at_least = {"knob": "net.ipv4.tcp_max_tw_buckets", "direction": "raise",
                "suggested": {"helper": "at_least", "value": 180000},
                "command": "sysctl -w net.ipv4.tcp_max_tw_buckets={suggested}", "why": "room for the churn",
                "guardrails": []}
    r = rule(conditions=[], remediation=[at_least, rule()["remediation"][0]])
    cause = classify(event(), AT_LIMIT, None, catalog=catalog(r))
    assert [(x["knob"], x["suggested"]) for x in cause["remediation"]] == [("net.ipv4.tcp_max_tw_buckets", "360000")]
    low = {"sysctl": {"net.ipv4.tcp_max_tw_buckets": "4096"}, "sockstat": {"TCP": {"tw": 4096}}}
    cause = classify(event(), low, None, catalog=catalog(r))
    assert [x["suggested"] for x in cause["remediation"]] == ["180000", "8192"]


def test_a_fixed_value_written_as_text_is_left_out_when_the_knob_has_it():
    """`suggested = {helper = "fixed", value = "1"}` (as the rules write tcp_syncookies=1): left out on a
    host where the sysctl already reads 1, kept where it reads 0."""
    fixed = {"knob": "net.ipv4.tcp_syncookies", "direction": "set", "suggested": {"helper": "fixed", "value": "1"},
             "command": "sysctl -w net.ipv4.tcp_syncookies={suggested}", "why": "answer SYNs with cookies",
             "guardrails": []}
    r = rule(conditions=[], remediation=[fixed])
    for value, wanted in (("1", []), ("0", ["1"]), ("2", ["1"])):
        snap = dict(AT_LIMIT, sysctl=dict(AT_LIMIT["sysctl"], **{"net.ipv4.tcp_syncookies": value}))
        cause = classify(event(), snap, None, catalog=catalog(r))
        assert [x["suggested"] for x in cause["remediation"]] == wanted, value
    keep = rule(conditions=[], remediation=[dict(fixed, direction="keep")])  # "keep it at 1" stays advice
    snap = dict(AT_LIMIT, sysctl=dict(AT_LIMIT["sysctl"], **{"net.ipv4.tcp_syncookies": "1"}))
    assert [x["suggested"] for x in classify(event(), snap, None, catalog=catalog(keep))["remediation"]] == ["1"]


def ranged(command: str, **kernel) -> dict:
    """A tcp_max_tw_buckets remediation entry for the kernels of `kernel` (min, max)."""
    return {"knob": "net.ipv4.tcp_max_tw_buckets", "direction": "raise", "suggested": {"helper": "double"},
            "command": command, "why": f"the {command.split()[0]} way", "guardrails": [], "kernel": kernel}


OLD_AND_NEW = rule(remediation=[ranged("echo {suggested} > /sys/module/x/parameters/y", max="4.6"),
                                ranged("sysctl -w net.ipv4.tcp_max_tw_buckets={suggested}", min="4.7")])


@pytest.mark.parametrize("kernel, command", [
    ("3.10.0-1160.el7.x86_64", "echo 360000 > /sys/module/x/parameters/y"),
    ("4.6.7", "echo 360000 > /sys/module/x/parameters/y"),
    ("4.7.0", "sysctl -w net.ipv4.tcp_max_tw_buckets=360000"),
    ("5.15.0-91-generic", "sysctl -w net.ipv4.tcp_max_tw_buckets=360000"),
])
def test_a_known_kernel_keeps_only_the_remediation_meant_for_it(kernel, command):
    """Entries with a kernel range: the one whose range holds the event's kernel is given, the other left out."""
    cause = classify(event(), AT_LIMIT, None, kernel_release=kernel, catalog=catalog(OLD_AND_NEW))
    assert [r["command"] for r in cause["remediation"]] == [command]
    assert cause["remediation"][0]["why"] in ("the echo way", "the sysctl way")


def test_an_unknown_kernel_keeps_every_remediation_and_says_which_kernels_each_is_for():
    """No kernel known: both entries, each `why` naming its kernels first; the JSON keys stay the same."""
    cause = classify(event(), AT_LIMIT, None, catalog=catalog(OLD_AND_NEW))
    assert [r["why"] for r in cause["remediation"]] == [
        "For kernels up to 4.6 (the event's kernel is not known: check `uname -r`). the echo way",
        "For kernels 4.7 and later (the event's kernel is not known: check `uname -r`). the sysctl way"]
    assert all(set(r) == {"knob", "current", "suggested", "direction", "command", "why", "guardrails"}
               for r in cause["remediation"])
    jsonschema.validate(cause, CAUSE_SCHEMA)


def test_an_entry_without_a_range_is_for_every_kernel_and_gets_no_note():
    """The plain entry is kept on every kernel, its why unchanged, also with the kernel unknown."""
    r = rule(remediation=[rule()["remediation"][0], ranged("sysctl net.ipv4.tcp_max_tw_buckets", max="2.6.19")])
    for kernel in ("2.6.18-419.el5", "6.8.0-45-generic", None):
        cause = classify(event(), AT_LIMIT, None, kernel_release=kernel, catalog=catalog(r))
        assert cause["remediation"][0]["why"] == "room for the churn"
        assert len(cause["remediation"]) == (1 if kernel == "6.8.0-45-generic" else 2)


def capped(cap: dict) -> dict:
    """A rule suggesting twice tcp_max_tw_buckets, with a cap."""
    return rule(remediation=[{**rule()["remediation"][0], "suggested": {"helper": "double", "cap": cap}}])


CAP = {"value": 65535, "kernel": {"max": "4.0"}, "why": "the kernel keeps it in 16 bits."}
HIGH = {"sysctl": {"net.ipv4.tcp_max_tw_buckets": "40000"}, "sockstat": {"TCP": {"tw": 40000}}}


@pytest.mark.parametrize("kernel, suggested, capped_note", [
    ("3.10.0-1160.el7.x86_64", "65535", " Suggested value capped at 65535, the most kernels up to 4.0 accept: "
                                        "the kernel keeps it in 16 bits."),
    ("4.1.0", "80000", ""),
    (None, "65535", " Suggested value capped at 65535, the most kernels up to 4.0 accept (the event's kernel is "
                    "not known): the kernel keeps it in 16 bits."),
])
def test_a_suggestion_is_capped_at_what_the_kernel_accepts(kernel, suggested, capped_note):
    """Doubling 40000 gives 80000: kept on 4.1+, lowered to 65535 on ≤ 4.0 and on an unknown kernel, with a note."""
    cause = classify(event(), HIGH, None, kernel_release=kernel, catalog=catalog(capped(CAP)))
    rem = cause["remediation"][0]
    assert rem["suggested"] == suggested and rem["command"] == f"sysctl -w net.ipv4.tcp_max_tw_buckets={suggested}"
    assert rem["why"] == "room for the churn" + capped_note


def test_a_cap_that_does_not_bite_adds_nothing_and_a_capped_value_equal_to_current_is_left_out():
    """Under the cap: no note. Current already at the cap on a capped kernel: nothing to change, left out."""
    cause = classify(event(), AT_LIMIT, None, kernel_release="3.10.0", catalog=catalog(capped({"value": 10 ** 9})))
    assert cause["remediation"][0]["why"] == "room for the churn"
    at_cap = {"sysctl": {"net.ipv4.tcp_max_tw_buckets": "65535"}, "sockstat": {"TCP": {"tw": 65535}}}
    cause = classify(event(), at_cap, None, kernel_release="3.10.0", catalog=catalog(capped(CAP)))
    assert cause["remediation"] == []


def test_missing_snapshot_gives_ambiguous_with_candidates_and_collect():
    """No snapshot: cause `ambiguous`, the rule as a candidate, and the files to collect."""
    cause = classify(event(), None, None, catalog=catalog(rule()))
    assert cause["id"] == "ambiguous" and cause["confidence"] == "low" and cause["remediation"] == []
    assert [c["id"] for c in cause["candidates"]] == ["tw_bucket_overflow.test"]
    wheres = {c["where"] for c in cause["collect"]}
    assert wheres == {"/proc/net/sockstat", "/proc/sys/net/ipv4/tcp_max_tw_buckets"}


def test_stale_snapshot_is_handled_by_passing_none():
    """A stale snapshot (the caller passes None) is exactly a missing one: never a confident cause."""
    assert classify(event(), None, None, catalog=catalog(rule()))["id"] == "ambiguous"


def test_false_rules_are_not_candidates():
    """A rule ruled out by the evidence is dropped; only unknown rules become candidates."""
    other = rule(id="tw_bucket_overflow.other", conditions=[
        {"predicate": "rising", "args": {"value": "delta.netstat.TcpExt.TCPTimeWaitOverflow"}}])
    cause = classify(event(), BELOW, None, catalog=catalog(rule(), other))
    assert cause["id"] == "ambiguous" and [c["id"] for c in cause["candidates"]] == ["tw_bucket_overflow.other"]
    assert cause["collect"][0]["where"] == "/proc/net/netstat (TcpExt TCPTimeWaitOverflow)"


def test_nothing_true_or_unknown_is_ambiguous_without_candidates():
    """Every rule false: still ambiguous (no rule fits), with no candidates; the evidence the
    ruled-out rules read is shown (the numbers that ruled them out) and the summary names them
    and the snapshot they were read from."""
    cause = classify(event(), dict(BELOW, time="2026-11-21T09:59:00Z"), None, catalog=catalog(rule()))
    assert cause["id"] == "ambiguous" and cause["candidates"] == [] and cause["collect"]
    assert cause["evidence"] == [{"name": "TIME_WAIT", "path": "before.sockstat.TCP.tw", "value": 10,
                                  "limit": 180000, "ratio": 0.0001}]
    assert "fits the snapshot of 2026-11-21T09:59:00Z (ruled out: tw_bucket_overflow.test)" in cause["summary"]


def test_no_rules_at_all_is_ambiguous_without_evidence():
    """A family without rules in the catalog: nothing to show, the plain answer."""
    cause = classify(event(), BELOW, None, catalog=catalog())
    assert cause["id"] == "ambiguous" and cause["evidence"] == [] and cause["candidates"] == []
    assert cause["summary"].startswith("No tw_bucket_overflow rule fits the evidence at hand")


def test_confidence_outranks_priority():
    """Among true rules the higher confidence wins even with a lower priority."""
    high = rule(id="tw_bucket_overflow.high", priority=1)
    medium = rule(id="tw_bucket_overflow.medium", priority=99, confidence="medium")
    cause = classify(event(), AT_LIMIT, None, catalog=catalog(medium, high))
    assert cause["id"] == "tw_bucket_overflow.high" and cause["candidates"][0]["id"] == "tw_bucket_overflow.medium"


def test_priority_breaks_confidence_ties():
    """Same confidence: the higher priority wins."""
    low, high = rule(id="tw_bucket_overflow.a", priority=1), rule(id="tw_bucket_overflow.b", priority=2)
    assert classify(event(), AT_LIMIT, None, catalog=catalog(low, high))["id"] == "tw_bucket_overflow.b"


def test_fallback_waits_for_unknown_rules():
    """A fallback rule is not taken while another rule is still unknown."""
    fb = rule(id="tw_bucket_overflow.fb", fallback=True, conditions=[])
    assert classify(event(), None, None, catalog=catalog(rule(), fb))["id"] == "ambiguous"
    assert classify(event(), BELOW, None, catalog=catalog(rule(), fb))["id"] == "tw_bucket_overflow.fb"


def test_unknown_kernel_makes_a_ranged_rule_unknown_and_asks_for_uname():
    """A rule with a kernel range and no kernel version is a candidate; collect says `uname -r`."""
    ranged = rule(kernel={"max": "2.6.19"})
    cause = classify(event(), AT_LIMIT, None, catalog=catalog(ranged))
    assert cause["id"] == "ambiguous" and {"what": "kernel release", "where": "uname -r"} in cause["collect"]
    assert classify(event(), AT_LIMIT, None, "2.6.18-419.el5", catalog=catalog(ranged))["id"] == ranged["id"]
    assert classify(event(), AT_LIMIT, None, "3.10.0", catalog=catalog(ranged))["id"] == "ambiguous"


def test_message_ids_restrict_a_rule():
    """A rule listing message ids ignores events of other wordings of its family."""
    only_openvz = rule(message_ids=["tw_bucket_overflow.openvz"])
    assert classify(event(), AT_LIMIT, None, catalog=catalog(only_openvz))["candidates"] == []


def test_any_of_is_true_when_one_member_is_true_despite_unknowns():
    """Kleene or: one true member decides, unknown members do not matter."""
    cond = {"predicate": "any_of", "args": {"of": [
        {"predicate": "at_least", "args": {"value": "before.memory.MemAvailable", "limit": 1}},
        {"predicate": "at_least", "args": {"value": "before.sockstat.TCP.tw", "limit": 1}}]}}
    assert classify(event(), BELOW, None, catalog=catalog(rule(conditions=[cond])))["id"] == "tw_bucket_overflow.test"


def test_none_of_and_all_of():
    """none_of is true when every member is false; all_of is false when one member is false."""
    false = {"predicate": "above", "args": {"value": "before.sockstat.TCP.tw", "limit": 100}}
    none_of = {"predicate": "none_of", "args": {"of": [false]}}
    all_of = {"predicate": "all_of", "args": {"of": [false, none_of]}}
    cause = classify(event(), BELOW, None, catalog=catalog(rule(conditions=[none_of])))
    assert cause["id"] == "tw_bucket_overflow.test"
    assert classify(event(), BELOW, None, catalog=catalog(rule(conditions=[all_of])))["candidates"] == []


@pytest.mark.parametrize("combinator, members, expected", [
    ("any_of", [True, UNKNOWN], True), ("any_of", [False, False], False), ("any_of", [False, UNKNOWN], UNKNOWN),
    ("all_of", [False, UNKNOWN], False), ("all_of", [True, True], True), ("all_of", [True, UNKNOWN], UNKNOWN),
    ("none_of", [True, UNKNOWN], False), ("none_of", [False, False], True), ("none_of", [False, UNKNOWN], UNKNOWN),
])
def test_combinators_follow_kleene_logic_and_report_unknown_paths_only_when_undecided(combinator, members, expected):
    member = {True: {"predicate": "at_least", "args": {"value": "before.sockstat.TCP.tw", "limit": 1}},
              False: {"predicate": "above", "args": {"value": "before.sockstat.TCP.tw", "limit": 100}},
              UNKNOWN: {"predicate": "at_least", "args": {"value": "before.memory.MemAvailable", "limit": 1}}}
    cond = {"predicate": combinator, "args": {"of": [member[m] for m in members]}}
    unknown: list = []
    assert engine.condition(cond, build_facts(event(), BELOW, None), unknown) is expected
    assert unknown == (["before.memory.MemAvailable"] if expected is UNKNOWN else [])


def test_every_condition_is_evaluated_after_a_false_one():
    """A condition after a false one still reads its facts: one read from the snapshot after the event
    marks the facts substituted (the confidence drops), whatever came before it."""
    false = {"predicate": "equals", "args": {"value": "event.family", "to": "syn_flood"}}
    reads_after = {"predicate": "at_least", "args": {"value": "before.sockstat.TCP.tw", "limit": 1}}
    facts = build_facts(event(), None, AT_LIMIT)
    verdict = engine.evaluate(compile_rule(rule(conditions=[false, reads_after]), "<test>"), facts)
    assert verdict.state is False and verdict.unknown == []
    assert facts.substituted


def test_an_expression_read_as_a_value_and_as_evidence_text_gets_each_answer():
    """The engine compiles rule documents once per use: the same document as a value and as the
    evidence's path text are two compiled forms, never one mistaken for the other."""
    expr = {"fn": "times", "value": "before.sockstat.TCP.tw", "factor": 2}
    facts = build_facts(event(), AT_LIMIT, None)
    assert engine.value(expr, facts, []) == 360000
    evidence = engine._evidence({"name": "doubled", "value": expr}, facts)
    assert evidence["path"] == "times(value=before.sockstat.TCP.tw, factor=2)" and evidence["value"] == 360000
    assert engine.value(expr, facts, []) == 360000


def test_evidence_text_fills_event_fields_per_event():
    expr = "sysctl:net.ipv4.conf.{event.fields.interface}.rp_filter"
    line = "Nov 20 10:00:00 gw kernel: IPv4: martian source 10.0.0.1 from 10.0.0.2, on dev {}"
    texts = [engine._evidence({"name": "rp", "value": expr}, build_facts(event(line.format(dev)), None, None))["path"]
             for dev in ("eth0", "eth1")]
    assert texts == ["sysctl:net.ipv4.conf.eth0.rp_filter", "sysctl:net.ipv4.conf.eth1.rp_filter"]


def test_unknown_placeholders_render_as_question_marks():
    """A summary placeholder that cannot be filled shows `?` in candidates."""
    cause = classify(event(), None, None, catalog=catalog(rule()))
    assert cause["candidates"][0]["summary"] == "tw ? of ?"


def test_command_falls_back_to_reading_the_sysctl_when_no_value_can_be_suggested():
    """Without a current value to double, the command only reads the knob."""
    r = rule(conditions=[])
    cause = classify(event(), {"sockstat": {"TCP": {"tw": 1}}}, None, catalog=catalog(r))
    assert cause["remediation"][0]["command"] == "sysctl net.ipv4.tcp_max_tw_buckets"


def test_garbage_snapshot_sections_do_not_raise():
    """Sections of the wrong type are just unknown."""
    cause = classify(event(), {"sockstat": "garbage", "sysctl": ["x"], "listeners": {"a": 1}}, 7,
                     catalog=catalog(rule()))
    assert cause["id"] == "ambiguous"


def test_every_cause_matches_the_event_schema():
    """Decided and ambiguous causes of the real catalog validate against event-2's cause object."""
    for before in (None, AT_LIMIT, BELOW):
        jsonschema.validate(classify(event(), before, None), CAUSE_SCHEMA)


def test_default_catalog_is_loaded_once_and_covers_the_packaged_rules():
    """load_rules() without a folder returns the packaged catalog, cached."""
    assert load_rules() is load_rules() and len(load_rules().rules) == len(list(engine.rules_dir().glob("*.toml")))


def test_locate_maps_paths_to_files_and_commands():
    """Unknown paths become the file or command to collect them from."""
    cases = {
        "sysctl:net.ipv4.tcp_mem[2]": "/proc/sys/net/ipv4/tcp_mem",
        "before.sockstat.TCP.tw": "/proc/net/sockstat",
        "delta.netstat.TcpExt.ListenOverflows": "/proc/net/netstat (TcpExt ListenOverflows)",
        "before.conntrack.max": "/proc/sys/net/netfilter/nf_conntrack_max",
        "delta.conntrack.stat.insert_failed": "/proc/net/stat/nf_conntrack (insert_failed)",
        "delta.snmp.Udp6.InErrors": "/proc/net/snmp6 (Udp6InErrors)",
        "delta.snmp.Udp.InErrors": "/proc/net/snmp (Udp InErrors)",
        "before.neighbour.ndisc_cache.gc_thresh3": "/proc/sys/net/ipv6/neigh/default/gc_thresh3",
        "listener.backlog": "ss -ltnp",
        "kernel.release": "uname -r",
        "sysctl:net.ipv4.conf.{event.fields.interface}.rp_filter": "/proc/sys/net/ipv4/conf/*/rp_filter",
    }
    assert {p: engine.locate(p)["where"] for p in cases} == cases
    assert engine.locate("event.fields.port") is None


def test_the_neighbour_table_of_the_event_decides_where_its_thresholds_are_collected():
    """An IPv6 table overflow (by table or by IP version) sends the reader to ipv6/, an ARP one to ipv4/."""
    v6 = {"fields": {"table": "ndisc_cache", "ip_version": 6}}
    legacy_v6 = {"fields": {"table": None, "ip_version": 6}}
    arp = {"fields": {"table": "arp_cache", "ip_version": 4}}
    assert engine.locate("neigh.gc_thresh3", event=v6)["where"] == "/proc/sys/net/ipv6/neigh/default/gc_thresh3"
    assert engine.locate("neigh.gc_thresh3", event=legacy_v6)["where"] == "/proc/sys/net/ipv6/neigh/default/gc_thresh3"
    assert engine.locate("neigh.gc_thresh3", event=arp)["where"] == "/proc/sys/net/ipv4/neigh/default/gc_thresh3"
    assert engine.locate("neigh.entries", event=v6)["where"] == "/proc/net/stat/ndisc_cache"
    line = "Nov 22 10:00:00 web1 kernel: neighbour: ndisc_cache: neighbor table overflow!"
    cause = classify(event(line), None, None, catalog=load_rules())
    wheres = [c["where"] for c in cause["collect"]]
    assert any(w.startswith("/proc/sys/net/ipv6/neigh/default/") for w in wheres), wheres
    assert not any(w.startswith("/proc/sys/net/ipv4/neigh/") for w in wheres), wheres


# -- loading -----------------------------------------------------------------------------------


def write(tmp_path, doc_text: str, name: str = "tw_bucket_overflow.test.toml"):
    (tmp_path / name).write_text(doc_text)
    return tmp_path


GOOD = '''
id = "tw_bucket_overflow.test"
status = "test"
family = "tw_bucket_overflow"
priority = 1
confidence = "high"
summary = "tw {before.sockstat.TCP.tw}"
references = ["a reference"]
conditions = [ { predicate = "at_least", args = { value = "before.sockstat.TCP.tw", limit = 10 } } ]
evidence = []
remediation = []
[[examples]]
line = "TCP: time wait bucket table overflow"
expect = "ambiguous"
'''


REFS = 'references = ["a reference"]'


def test_loader_accepts_a_good_file(tmp_path):
    """A valid rule file loads into a one-rule catalog."""
    assert [r.id for r in load_rules(write(tmp_path, GOOD)).rules] == ["tw_bucket_overflow.test"]


@pytest.mark.parametrize("change,key", [
    (("priority = 1", "priority = 1\ncolour = \"red\""), "colour"),
    (('predicate = "at_least"', 'predicate = "at_leest"'), "conditions[0].predicate"),
    (('family = "tw_bucket_overflow"', 'family = "tw_bucket_overfloww"'), "family"),
    (('value = "before.sockstat.TCP.tw"', 'value = "befor.sockstat.TCP.tw"'), "conditions[0].args.value"),
    (("limit = 10 }", "limit = 10, fudge = 2 }"), "conditions[0].args.fudge"),
    (('summary = "tw {before.sockstat.TCP.tw}"', 'summary = "tw {sockstat.tw} xxxxx"'), "summary"),
    (('confidence = "high"', 'confidence = "certain"'), "confidence"),
    ((REFS, REFS + '\nmessage_ids = ["tw_bucket_overflow.nope"]'), "message_ids[0]"),
    ((REFS, REFS + '\nkernel = { min = "2.6.x" }'), "kernel.min"),
    (('value = "before.sockstat.TCP.tw"', 'value = { fn = "tripled", value = 1 }'), "conditions[0].args.value.fn"),
])
def test_loader_errors_name_the_file_and_the_key(tmp_path, change, key):
    """Unknown keys, predicates, families, functions, arguments, paths and ids are errors naming file and key."""
    old, new = change
    assert old in GOOD
    folder = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RuleError) as err:
        load_rules(folder)
    assert err.value.key == key and err.value.where.endswith("tw_bucket_overflow.test.toml")


RANGED = GOOD.replace("remediation = []\n[[examples]]", """[[remediation]]
knob = "net.ipv4.tcp_max_tw_buckets"
direction = "raise"
suggested = { helper = "double", cap = { value = 65535, kernel = { max = "4.0" }, why = "kept in sixteen bits" } }
command = "sysctl -w net.ipv4.tcp_max_tw_buckets={suggested}"
why = "room for the churn"
guardrails = []
kernel = { min = "4.7" }
[[examples]]""")


@pytest.mark.parametrize("schema", [True, False])
@pytest.mark.parametrize("old, new, key", [
    ('kernel = { min = "4.7" }', 'kernel = { min = "4.7", maximum = "5.0" }', "remediation[0].kernel.maximum"),
    ('kernel = { min = "4.7" }', 'kernel = { min = "four" }', "remediation[0].kernel.min"),
    ('kernel = { min = "4.7" }', 'kernel = { min = "4.7", max = "4.6" }', "remediation[0].kernel"),
    ('kernel = { max = "4.0" }', 'kernel = { max = "4.x" }', "remediation[0].suggested.cap.kernel.max"),
    ('value = 65535', 'limit = 65535', "remediation[0].suggested.cap.limit"),
    ('value = 65535', 'value = "sysctl"', "remediation[0].suggested.cap.value"),
])
def test_loader_checks_remediation_kernel_ranges_and_caps(tmp_path, schema, old, new, key):
    """A remediation's `kernel` and a suggestion's `cap`: unknown keys, non-version bounds and empty ranges are
    errors naming the key, with or without the schema pass (its keys are dotted, the loader's indexed)."""
    assert [r.remediation[0]["kernel"].min for r in load_rules(write(tmp_path, RANGED)).rules] == ["4.7"]
    with pytest.raises(RuleError) as err:
        load_rules(write(tmp_path, RANGED.replace(old, new, 1)), schema=schema)
    assert err.value.key in ((key, key.replace("[0]", ".0")) if schema else (key,))


def test_loader_rejects_a_remediation_range_outside_the_rule_range(tmp_path):
    """An entry for 4.7+ in a rule for kernels up to 3.0 could never be shown: an error."""
    doc = RANGED.replace(REFS, REFS + '\nkernel = { max = "3.0" }')
    with pytest.raises(RuleError, match="never meet the rule's kernels") as err:
        load_rules(write(tmp_path, doc))
    assert err.value.key == "remediation[0].kernel"


def test_loader_rejects_an_id_that_differs_from_the_file_name(tmp_path):
    """One file per cause: the file is named after the rule id."""
    with pytest.raises(RuleError, match="must match the file name"):
        load_rules(write(tmp_path, GOOD, name="other.toml"))


def test_loader_rejects_duplicate_ids():
    """Two rules with one id are an error naming the second file and the first."""
    rules = [compile_rule(rule(), "a.toml"), compile_rule(rule(), "b.toml")]
    with pytest.raises(RuleError, match=r"duplicate rule id .* \(also in a.toml\)") as err:
        engine.build_catalog(rules)
    assert (err.value.where, err.value.key) == ("b.toml", "id")


def test_loader_reports_toml_syntax_errors_with_the_file(tmp_path):
    """Broken TOML is a RuleError naming the file."""
    with pytest.raises(RuleError, match="not a readable TOML file"):
        load_rules(write(tmp_path, "id = ["))


def test_loader_rejects_a_missing_folder(tmp_path):
    """An explicit rules folder that does not exist is an error, not an empty catalog."""
    with pytest.raises(RuleError, match="not a folder"):
        load_rules(tmp_path / "nope")


def test_delta_time_mixes_zoned_and_naive_times():
    """A snapshot time without a zone is read as UTC, so the interval still computes."""
    f = build_facts(event(), {"time": "2026-11-22T10:00:00"}, {"time": "2026-11-22T10:00:30Z"})
    assert f.get("delta.time") == 30.0


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                  max_size=4), max_leaves=20)
_doc = st.fixed_dictionaries({}, optional={k: _json for k in (
    "sysctl", "sockstat", "netstat", "snmp", "conntrack", "neighbour", "listeners", "memory", "time", "boot",
    "kernel", "page_size")})


@settings(max_examples=150, deadline=None)
@given(before=st.none() | _doc, after=st.none() | _doc, line=st.sampled_from([TW_LINE, SYN_LINE]))
def test_classify_never_raises_on_hostile_snapshot_documents(before, after, line):
    """Whatever shape the snapshot sections have, classification returns a cause object."""
    cause = classify(event(line), before, after)
    jsonschema.validate(cause, CAUSE_SCHEMA)


def test_a_vlan_interface_sysctl_is_found_under_either_spelling_and_set_with_slashes():
    """procps prints `net.ipv4.conf.eth0/100.rp_filter`, busybox `eth0.100`: both are the device
    eth0.100 of the martian line; the command writes the `/` form sysctl -w takes."""
    line = "Nov 22 10:00:00 gw kernel: IPv4: martian source 10.8.0.1 from 10.8.0.6, on dev eth0.100"
    for key in ("net.ipv4.conf.eth0/100.rp_filter", "net.ipv4.conf.eth0.100.rp_filter"):
        before = {"sysctl": {key: "1", "net.ipv4.conf.all.rp_filter": "0"}}
        cause = classify(event(line), before, None, kernel_release="5.15.0-91-generic", catalog=load_rules())
        assert cause["id"] == "martian_source.asymmetric_routing", (key, cause["id"], cause["summary"])
        rem = next(r for r in cause["remediation"] if r["knob"].endswith("rp_filter"))
        assert (rem["knob"], rem["current"]) == ("net.ipv4.conf.eth0/100.rp_filter", "1")
        assert rem["command"] == f"sysctl -w net.ipv4.conf.eth0/100.rp_filter={rem['suggested']}"


SLAB_LINE = ("Nov 20 10:00:00 web1 kernel: TCP: request_sock_TCP: Possible SYN flooding on port 8080. "
             "Sending cookies.  Check SNMP counters.")
CRIT_LINE = ("Nov 20 10:00:00 web1 kernel: mlx5_core 0000:81:00.0 eth2: NETDEV WATCHDOG: CPU: 1: "
             "transmit queue 3 timed out 5376 ms")


def test_a_wording_newer_than_the_kernel_is_noted_as_a_backport():
    """The request_sock_ wording came with 3.17: on a RHEL 7 3.10 kernel the cause says it is probably a
    backport, in the summary and as evidence, instead of trusting the version; on 4.18 it says nothing."""
    cause = classify(event(SLAB_LINE), None, None, kernel_release="3.10.0-1160.el7.x86_64")
    assert "this wording is not in kernels before 3.17, but the kernel is 3.10.0-1160.el7.x86_64: probably a " \
           "backport" in cause["summary"]
    note = cause["evidence"][-1]
    assert (note["path"], note["value"], note["limit"], note["ratio"]) == (
        "kernel.release", "3.10.0-1160.el7.x86_64", "3.17", None)
    jsonschema.validate(cause, CAUSE_SCHEMA)
    later = classify(event(SLAB_LINE), None, None, kernel_release="4.18.0-513.el8")
    assert "backport" not in later["summary"] and all(e["path"] != "kernel.release" for e in later["evidence"])


def test_a_stable_backport_the_catalog_knows_is_not_noted():
    """The netdev_crit watchdog wording is 6.8+, and stable took it into 6.1.107: 6.1.110 prints it
    unremarked, 6.1.50 gets the note naming both."""
    assert "backport" not in classify(event(CRIT_LINE), None, None, kernel_release="6.1.110")["summary"]
    cause = classify(event(CRIT_LINE), None, None, kernel_release="6.1.50")
    assert "not in kernels before 6.8 (stable: 6.6.47, 6.1.107)" in cause["summary"]
    assert cause["id"] == "netdev_watchdog.tx_hang"


def test_no_backport_note_without_a_kernel_version():
    """With no kernel release known there is nothing to compare: no note."""
    cause = classify(event(SLAB_LINE), None, None)
    assert "backport" not in cause["summary"]


OLD_SYN_LINE = "Aug 19 20:17:28 chi1 kernel: possible SYN flooding on port 80. Sending cookies."
QUEUE_MS_LINE = ("Nov 20 10:00:00 web1 kernel: NETDEV WATCHDOG: eni1np1 (netdevsim): transmit queue 0 timed out "
                 "1975 ms")


def test_a_wording_older_than_the_kernel_is_noted_as_printed_before_an_upgrade():
    """The lowercase 2.6 SYN flood text is gone after 3.1: on a RHEL 8 4.18 kernel the line cannot be that
    kernel's, so the cause says it predates an upgrade or the snapshot is another machine's, in the
    summary and as one evidence item; the cause keeps its keys and validates."""
    cause = classify(event(OLD_SYN_LINE), None, None, kernel_release="4.18.0-513.el8")
    assert "this wording is not in kernels after 3.1, but the kernel is 4.18.0-513.el8: the line was printed by " \
           "an older kernel, before an upgrade, or the snapshot is another machine's" in cause["summary"]
    notes = [e for e in cause["evidence"] if e["path"] == "kernel.release"]
    assert notes == [{"name": "kernel newer than the wording: printed before an upgrade?", "path": "kernel.release",
                      "value": "4.18.0-513.el8", "limit": "3.1", "ratio": None}]
    assert "backport" not in cause["summary"]
    jsonschema.validate(cause, CAUSE_SCHEMA)


@pytest.mark.parametrize("release", ["2.6.32-754.35.1.el6.x86_64", "2.6.18-419.el5", "3.0.101", "3.1.10"])
def test_no_upgrade_note_on_the_last_series_with_the_wording_or_older(release):
    """2.6 kernels (RHEL 5/6, stable 2.6.32.x) and the 3.0/3.1 series printed the lowercase text: no note."""
    cause = classify(event(OLD_SYN_LINE), None, None, kernel_release=release)
    assert "not in kernels after" not in cause["summary"]
    assert all(e["path"] != "kernel.release" for e in cause["evidence"])


def test_the_upgrade_note_compares_series_so_stable_releases_keep_the_wording():
    """The ms watchdog wording ends with 6.7 (6.8 replaced it with netdev_crit): 6.7.12 prints it unremarked,
    6.8 and 6.12 get the note; 6.6.47+, which took the netdev_crit form, are of an older series and never do."""
    for release, noted in (("6.7.12", False), ("6.6.50", False), ("6.8.0-31-generic", True), ("6.12.9", True)):
        cause = classify(event(QUEUE_MS_LINE), None, None, kernel_release=release)
        assert ("not in kernels after 6.7" in cause["summary"]) is noted, release


def test_no_upgrade_note_without_a_kernel_version():
    """With no kernel release known there is nothing to compare: no note."""
    cause = classify(event(OLD_SYN_LINE), None, None)
    assert "not in kernels after" not in cause["summary"]
    assert all(e["path"] != "kernel.release" for e in cause["evidence"])


def test_the_wordings_bounds_are_read_from_the_families():
    """wording_until reads the family's UNTIL; families and wordings without one give None."""
    assert engine.wording_until("socket_memory", "socket_memory.out_of_socket_memory") == "3.3"
    assert engine.wording_until("syn_flood", "syn_flood.addr") is None
    assert engine.wording_until("no_such_family", "x") is None and engine.wording_until(None, None) is None


def test_loader_rejects_a_pattern_that_is_no_regular_expression(tmp_path):
    """`matches` compiles its pattern at load: a broken one is an error naming the argument."""
    bad = GOOD.replace('{ predicate = "at_least", args = { value = "before.sockstat.TCP.tw", limit = 10 } }',
                       '{ predicate = "matches", args = { value = "event.fields.interface", pattern = "(veth" } }')
    with pytest.raises(RuleError, match="not a regular expression") as err:
        load_rules(write(tmp_path, bad))
    assert err.value.key == "conditions[0].args.pattern"
