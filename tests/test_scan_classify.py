"""`tcplog scan` joined to snapshots and classified: stores, sosreports, counters, incidents."""

from __future__ import annotations

import json

from tests.test_cli import events, tcplog

SOS = "tests/fixtures/sosreport-web1"


def test_sosreport_folder_is_explained_with_no_flags():
    """scan SOSREPORT reads its own logs and judges them with its own snapshot, nothing counted twice."""
    r = tcplog("scan", SOS)
    assert r.returncode == 0, r.stderr
    got = events(r.stdout)
    raw = [e["raw"] for e in got]
    assert len(raw) == len(set((e["source"]["file"], e["source"]["line"]) for e in got))
    assert not any("dmesg" in (e["source"]["file"] or "") for e in got)
    tw = [e for e in got if e["family"] == "tw_bucket_overflow" and e["time"].startswith("2026-11-20T10")]
    assert tw and all(e["snapshot"]["after"] is not None for e in tw)
    assert all(e["host"] == "web1" for e in got)


def test_state_from_the_snapshot_after_the_event_lowers_confidence():
    """A sosreport taken 5 min after the overflow decides the limit cause, one confidence step lower."""
    got = events(tcplog("scan", SOS).stdout)
    tw = [e for e in got if e["family"] == "tw_bucket_overflow" and e["time"].startswith("2026-11-20T10")]
    assert {(e["cause"]["id"], e["cause"]["confidence"]) for e in tw} == {("tw_bucket_overflow.limit", "medium")}
    assert "snapshot taken after the event" in tw[0]["cause"]["summary"]


def test_store_join_and_counter_only_event(tmp_path):
    """A folder store's snapshots join the events; a counter that rose between them becomes an event."""
    store = tmp_path / "store"
    base = json.loads(tcplog("snapshot", "--from", SOS).stdout)
    early, late = dict(base), json.loads(json.dumps(base))
    early["time"], late["time"] = "2026-11-20T09:55:00.000000Z", "2026-11-20T10:05:00.000000Z"
    early["netstat"]["TcpExt"]["TCPTimeWaitOverflow"] = 100
    late["netstat"]["TcpExt"]["TCPTimeWaitOverflow"] = 5100
    for name, doc in (("a.json", early), ("b.json", late)):
        (tmp_path / name).write_text(json.dumps(doc))
        assert tcplog("snapshot", "--from", str(tmp_path / name), "--store", str(store)).returncode == 0
    log = tmp_path / "messages"
    log.write_text("Nov 20 10:00:00 web1 kernel: TCP: time wait bucket table overflow\n")
    got = events(tcplog("scan", str(log), "--snapshots", str(store), "--reference-time",
                        "2026-11-21T00:00:00Z").stdout)
    logged, counted = got[0], got[-1]
    assert logged["snapshot"]["before"]["time"] == "2026-11-20T09:55:00.000000Z"
    assert logged["snapshot"]["after"]["time"] == "2026-11-20T10:05:00.000000Z"
    assert logged["cause"]["id"] == "tw_bucket_overflow.limit"
    assert counted["message_id"] == "tw_bucket_overflow.counter" and counted["fields"]["delta"] == 5000
    assert (counted["fields"]["logged"], counted["fields"]["silent"]) == (1, 4999)  # the logged line is not silent
    assert counted["cause"]["id"] != "ambiguous"


def test_stale_snapshot_counts_as_missing(tmp_path):
    """--max-snapshot-age: a snapshot too far from the event is recorded as stale and not used."""
    log = tmp_path / "messages"
    log.write_text("Nov 10 10:00:00 web1 kernel: TCP: time wait bucket table overflow\n")
    (event,) = [e for e in events(tcplog("scan", str(log), "--snapshot", SOS, "--reference-time",
                                         "2026-11-21T00:00:00Z", "--max-snapshot-age", "1h").stdout)
                if e["family"] == "tw_bucket_overflow"]
    assert event["snapshot"]["after"] is None and event["snapshot"]["stale"]
    assert event["cause"]["id"] == "ambiguous"


def test_dmesg_with_host_and_snapshot_gets_derived_wall_time(tmp_path):
    """--host names dmesg's host; the snapshot's boot time turns monotonic seconds into wall time."""
    log = tmp_path / "dmesg.txt"
    log.write_text("[518400.000000] TCP: time wait bucket table overflow\n")
    (event,) = events(tcplog("scan", str(log), "--host", "web1", "--snapshot", SOS).stdout)
    assert event["host"] == "web1" and event["time_derived"] is True
    assert event["time"] == "2026-11-20T11:00:00.000000Z"


def test_dedupe_and_incident_options(tmp_path):
    """--dedupe folds repeats; incidents group the host's events with a joint cause."""
    log = tmp_path / "messages"
    log.write_text("".join(f"Nov 20 10:00:0{i} web1 kernel: TCP: too many orphaned sockets\n" for i in range(5))
                   + "Nov 20 10:00:09 web1 kernel: TCP: out of memory -- consider tuning tcp_mem\n")
    got = events(tcplog("scan", str(log), "--dedupe", "1m", "--incident-window", "5m", "--reference-time",
                        "2026-11-21T00:00:00Z").stdout)
    assert [(e["family"], e["count"]) for e in got] == [("orphans", 5), ("tcp_mem", 1)]
    assert {e["incident"]["cause"] for e in got} == {"socket_memory_pressure"}
    off = events(tcplog("scan", str(log), "--no-classify").stdout)
    assert all(e["incident"] is None and e["cause"] is None for e in off)


def test_occurrences_reconcile_logged_lines_with_the_counter(tmp_path):
    """Logged lines + suppressed are a lower bound; the conntrack drop delta across the snapshots is the estimate."""
    base = json.loads(tcplog("snapshot", "--from", SOS).stdout)
    early, late = json.loads(json.dumps(base)), json.loads(json.dumps(base))
    early["time"], late["time"] = "2026-11-20T09:55:00.000000Z", "2026-11-20T10:05:00.000000Z"
    early["conntrack"] = {"count": 65536, "max": 65536, "buckets": 16384, "expect_max": 256, "stat": {"drop": 10}}
    late["conntrack"] = {"count": 65536, "max": 65536, "buckets": 16384, "expect_max": 256, "stat": {"drop": 9010}}
    for name, doc in (("a.json", early), ("b.json", late)):
        (tmp_path / name).write_text(json.dumps(doc))
    log = tmp_path / "messages"
    log.write_text("Nov 20 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet\n"
                   "Nov 20 10:00:05 web1 kernel: net_ratelimit: 400 callbacks suppressed\n")
    got = events(tcplog("scan", str(log), "--snapshot", str(tmp_path / "a.json"), "--snapshot",
                        str(tmp_path / "b.json"), "--reference-time", "2026-11-21T00:00:00Z").stdout)
    ct = next(e for e in got if e["family"] == "conntrack_full")
    assert ct["occurrences"] == {"logged": 1, "suppressed": 400, "counter": "conntrack.stat.drop",
                                 "counter_delta": 9000, "estimate": 9000, "basis": "counter"}


def test_occurrences_without_snapshots_come_from_the_log(tmp_path):
    """With no counter at hand the estimate is what the log shows."""
    log = tmp_path / "messages"
    log.write_text("Nov 20 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet\n"
                   "Nov 20 10:00:30 web1 last message repeated 7 times\n")
    (ct,) = [e for e in events(tcplog("scan", str(log), "--reference-time", "2026-11-21T00:00:00Z").stdout)
             if e["family"] == "conntrack_full"]
    assert (ct["occurrences"]["estimate"], ct["occurrences"]["basis"], ct["count"]) == (8, "log", 8)
