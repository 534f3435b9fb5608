"""`tcplog explain` as the on-call engineer uses it."""

from __future__ import annotations

import json

import orjson

from tests.test_cli import tcplog

SOS = "tests/fixtures/sosreport-web1"


def explain(*args, stdin=b""):
    return tcplog("explain", *args, stdin=stdin)


def test_limit_cause_with_evidence_and_guarded_remediation():
    """A 2.6.18 TIME_WAIT overflow with tw at the limit: death-row cause, evidence 100 %, tw_recycle guardrail."""
    r = explain("Nov 20 10:00:00 web1 kernel: TCP: time wait bucket table overflow", "--snapshot", SOS,
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
