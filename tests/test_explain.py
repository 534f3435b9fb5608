"""`tcplog explain` as the on-call engineer uses it."""

from __future__ import annotations

import json

import orjson

from tests.test_cli import events, tcplog

SOS = "tests/fixtures/sosreport-web1"


def explain(*args, stdin=b""):
    # year-less lines are placed before this reference, near the fixtures' snapshots (whatever today is)
    return tcplog("explain", *args, "--reference-time", "2026-11-22T00:00:00Z", stdin=stdin)


def test_limit_cause_with_evidence_and_guarded_remediation():
    """A 2.6.18 TIME_WAIT overflow with tw at the limit: death-row cause, evidence 100 %, tw_recycle guardrail."""
    r = explain("Nov 20 10:10:00 web1 kernel: TCP: time wait bucket table overflow", "--snapshot", SOS,
                "--kernel", "2.6.18-419.el5", "--json")
    assert r.returncode == 0, r.stderr
    event = orjson.loads(r.stdout)
    cause = event["cause"]
    assert cause["id"] == "tw_bucket_overflow.limit_death_row" and cause["confidence"] == "high"
    tw = next(e for e in cause["evidence"] if e["path"] == "before.sockstat.TCP.tw")
    assert (tw["value"], tw["limit"], tw["ratio"]) == (180000, 180000, 1.0)
    rem = cause["remediation"][0]
    assert rem["command"] == "sysctl -w net.ipv4.tcp_max_tw_buckets=360000"
    assert any("tcp_tw_recycle" in g for g in rem["guardrails"])


def test_kernel_version_changes_the_cause():
    """The same line and snapshot on a 4.18 kernel is the plain limit cause, not the 2.6.18 death row."""
    r = explain("Nov 20 10:00:00 web1 kernel: TCP: time wait bucket table overflow", "--snapshot", SOS, "--json")
    assert orjson.loads(r.stdout)["cause"]["id"] == "tw_bucket_overflow.limit"


def test_without_snapshot_ambiguous_with_candidates_and_what_to_collect():
    """No snapshot: `ambiguous`, ranked candidates, and the files to collect — never a confident guess."""
    r = explain("TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:443. Sending cookies.", "--json")
    cause = orjson.loads(r.stdout)["cause"]
    assert cause["id"] == "ambiguous" and cause["confidence"] == "low"
    assert len(cause["candidates"]) >= 2
    assert any(c["where"].startswith("/proc/net/netstat (TcpExt ListenOverflows)") for c in cause["collect"])
    assert any(c["where"] == "uname -r" for c in cause["collect"])


def test_terminal_view_has_the_sections():
    """The readable view shows family, cause, evidence, remediation and guardrails."""
    r = explain("Nov 20 10:00:00 web1 kernel: TCP: time wait bucket table overflow", "--snapshot", SOS,
                "--kernel", "2.6.18-419.el5")
    text = r.stdout.decode()
    for part in ("tw_bucket_overflow", "cause: tw_bucket_overflow.limit_death_row", "evidence", "180000",
                 "do: sysctl -w net.ipv4.tcp_max_tw_buckets=360000", "guardrail:"):
        assert part in text, part
    assert "\x1b[" not in text  # no colour codes when not a terminal


def test_line_from_stdin_in_journal_json():
    """`-` reads the line from stdin, in any framing."""
    line = json.dumps({"MESSAGE": "TCP: too many orphaned sockets", "_TRANSPORT": "kernel", "_HOSTNAME": "web1",
                       "__REALTIME_TIMESTAMP": "1795370000000000"}).encode()
    r = explain("-", "--json", stdin=line + b"\n")
    assert orjson.loads(r.stdout)["family"] == "orphans"


def test_martian_with_its_ll_header_line():
    """A martian line pasted with its ll header line explains as one event."""
    r = explain("martian source 10.0.0.255 from 10.0.0.3, on dev eth0\nll header: 00000000: ff ff ff ff ff ff "
                "52 54 00 12 34 56 08 00", "--json")
    event = orjson.loads(r.stdout)
    assert event["fields"]["src_mac"] == "52:54:00:12:34:56" and event["cause"] is not None


def test_unrecognised_line_exits_1():
    """A line that is no kernel network message exits 1 with a message."""
    r = explain("sshd[1]: Accepted publickey for root")
    assert r.returncode == 1 and b"not a kernel network-stack message" in r.stderr


def test_unreadable_snapshot_exits_1_naming_it(tmp_path):
    """A corrupt snapshot file is named, exit 1."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "tcplog.snapshot/1", "host": ')
    r = explain("TCP: too many orphaned sockets", "--snapshot", str(bad))
    assert r.returncode == 1 and str(bad).encode() in r.stderr


def test_host_mismatch_is_noted():
    """A snapshot of another host than the line's is used, with a note on stderr."""
    r = explain("Nov 20 10:00:00 db9 kernel: TCP: too many orphaned sockets", "--snapshot", SOS, "--json")
    assert b"the snapshot is of web1, the line of db9" in r.stderr


def test_a_snapshot_too_far_from_the_line_is_not_used_as_in_scan():
    """The report is of Nov 20 10:05; a line of Nov 21 10:00 is 24 h away (over the default 6 h):
    not judged by it (stale, noted on stderr), exactly as `scan` would; a longer
    --max-snapshot-age judges by it."""
    line = "Nov 21 10:00:00 web1 kernel: TCP: time wait bucket table overflow"
    r = explain(line, "--snapshot", SOS, "--json")
    event = orjson.loads(r.stdout)
    assert event["cause"]["id"] == "ambiguous"
    assert event["snapshot"]["before"] is None and [s["age_s"] for s in event["snapshot"]["stale"]] == [86100.0]
    assert b"is 23.9 hours before the line, over --max-snapshot-age: not used" in r.stderr
    r = explain(line, "--snapshot", SOS, "--json", "--max-snapshot-age", "2d")
    event = orjson.loads(r.stdout)
    assert event["cause"]["id"] == "tw_bucket_overflow.limit" and event["snapshot"]["stale"] == []
    assert b"not used" not in r.stderr


def test_a_line_without_a_wall_clock_is_placed_by_the_snapshots_boot_time():
    """dmesg text has no date: 751 s after the report's boot is six days before the report, over the
    default --max-snapshot-age, so the report is not used (noted); a longer age judges by it."""
    line = "[  751.966804] TCP: time wait bucket table overflow"
    r = explain(line, "--snapshot", SOS, "--json")
    assert orjson.loads(r.stdout)["cause"]["id"] == "ambiguous" and b"over --max-snapshot-age" in r.stderr
    r = explain(line, "--snapshot", SOS, "--max-snapshot-age", "7d", "--json")
    assert orjson.loads(r.stdout)["cause"]["id"] == "tw_bucket_overflow.limit"


def test_a_snapshot_of_another_boot_is_not_used():
    """A journal line whose _BOOT_ID is not the report's boot id is not judged by the report (noted on
    stderr); the same boot id without dashes is."""
    line = ('{"MESSAGE":"TCP: time wait bucket table overflow","_TRANSPORT":"kernel","_HOSTNAME":"web1",'
            '"__REALTIME_TIMESTAMP":"1795168800000000","_BOOT_ID":"%s"}')
    r = explain(line % ("f" * 32), "--snapshot", SOS, "--json")
    event = orjson.loads(r.stdout)
    assert event["cause"]["id"] == "ambiguous" and event["snapshot"]["stale"][0]["reason"] == "another boot"
    assert b"is of another boot than the line: not used" in r.stderr
    r = explain(line % "3f0c1b8e9d574a438b1e52a6c0f3d7aa", "--snapshot", SOS, "--json")
    assert orjson.loads(r.stdout)["cause"]["id"] == "tw_bucket_overflow.limit"


def test_a_line_whose_stamps_place_its_boot_after_the_snapshot_is_not_judged_by_it():
    """No boot id: 10:10:00 with [200.0] since boot means the host booted at 10:06:40, after the
    report was taken (10:05), so the report is of the previous boot: not used, noted on stderr."""
    r = explain("Nov 20 10:10:00 web1 kernel: [  200.000000] TCP: time wait bucket table overflow",
                "--snapshot", SOS, "--json")
    event = orjson.loads(r.stdout)
    assert event["cause"]["id"] == "ambiguous" and event["snapshot"]["stale"][0]["reason"] == "another boot"
    assert b"is of another boot than the line: not used" in r.stderr
    r = explain("Nov 20 10:10:00 web1 kernel: [515400.000000] TCP: time wait bucket table overflow",
                "--snapshot", SOS, "--json")
    assert orjson.loads(r.stdout)["cause"]["id"] == "tw_bucket_overflow.limit"


def test_a_single_snapshot_taken_after_the_line_is_its_after():
    """The report (10:05) was taken after a 10:00 line: it is the `after`, as scan would place it, and
    state read from it lowers the confidence one step and says so; before the line it is the `before`."""
    line = "Nov 20 10:00:00 web1 kernel: TCP: time wait bucket table overflow"
    event = orjson.loads(explain(line, "--snapshot", SOS, "--kernel", "2.6.18-419.el5", "--json").stdout)
    assert event["snapshot"]["before"] is None and event["snapshot"]["after"]["age_s"] == -300.0
    cause = event["cause"]
    assert cause["id"] == "tw_bucket_overflow.limit_death_row" and cause["confidence"] == "medium"
    assert cause["summary"].endswith("(state read from the snapshot taken after the event)")
    event = orjson.loads(explain(line.replace("10:00:00", "10:10:00"), "--snapshot", SOS, "--json").stdout)
    assert event["snapshot"]["after"] is None and event["snapshot"]["before"]["age_s"] == 300.0


def test_two_snapshots_on_one_side_of_the_line_use_the_nearer(tmp_path):
    """Two snapshots both before the line: the later one is `before`, the earlier is not used (noted)."""
    r = tcplog("snapshot", "--from", SOS, "-o", str(tmp_path / "a.json"))
    assert r.returncode == 0, r.stderr
    doc = orjson.loads((tmp_path / "a.json").read_bytes())
    (tmp_path / "b.json").write_bytes(orjson.dumps(dict(doc, time="2026-11-20T10:07:00.000000Z")))
    r = explain("Nov 20 10:10:00 web1 kernel: TCP: time wait bucket table overflow", "--snapshot",
                str(tmp_path / "a.json"), "--snapshot", str(tmp_path / "b.json"), "--json")
    event = orjson.loads(r.stdout)
    assert event["snapshot"]["before"]["time"] == "2026-11-20T10:07:00.000000Z" and event["snapshot"]["after"] is None
    assert b"web1@2026-11-20T10:05:00.000000Z is not next to the line" in r.stderr


def test_terminal_view_says_on_which_side_of_the_line_each_snapshot_was_taken():
    """The view states a snapshot's distance in words (`age_s` is event time − snapshot time):
    a snapshot 300 s before the line, then the same one 300 s after a line at 10:00."""
    line = "Nov 20 10:10:00 web1 kernel: TCP: time wait bucket table overflow"
    text = explain(line, "--snapshot", SOS).stdout.decode()
    assert "(taken 300 s before the event)" in " ".join(text.split())
    text = explain(line.replace("10:10:00", "10:00:00"), "--snapshot", SOS).stdout.decode()
    assert "(taken 300 s after the event)" in " ".join(text.split())


def test_a_dmesg_line_gets_its_wall_time_from_the_snapshots_boot_time_as_in_scan():
    """`[seconds]` only: the snapshot's boot time (btime 2026-11-14T11:00:00Z) plus the seconds
    places the line, flagged derived, and the snapshot then falls before or after it by that time."""
    event = orjson.loads(explain("[515400.500000] TCP: time wait bucket table overflow", "--snapshot", SOS,
                                 "--json").stdout)
    assert (event["time"], event["time_derived"]) == ("2026-11-20T10:10:00.500000Z", True)
    assert event["snapshot"]["before"]["age_s"] == 300.5 and event["snapshot"]["after"] is None
    event = orjson.loads(explain("[514800.000000] TCP: time wait bucket table overflow", "--snapshot", SOS,
                                 "--json").stdout)
    assert event["time"] == "2026-11-20T10:00:00.000000Z" and event["snapshot"]["after"]["age_s"] == -300.0


def test_explain_names_a_snapshot_as_scan_does(tmp_path):
    """`explain --json` and `scan` give the same snapshot id for the same line and snapshot."""
    line = "Nov 20 10:00:00 web1 kernel: TCP: time wait bucket table overflow"
    log = tmp_path / "messages"
    log.write_text(line + "\n")
    snap = ["--snapshot", SOS]
    scanned = events(tcplog("scan", str(log), *snap, "--reference-time", "2026-11-21T00:00:00Z").stdout)
    explained = orjson.loads(tcplog("explain", line, *snap, "--json", "--reference-time",
                                    "2026-11-21T00:00:00Z").stdout)
    assert scanned[0]["snapshot"] == explained["snapshot"] and explained["snapshot"]["after"]["id"] == \
        "20261120T100500000000Z"
