"""syn_flood and drop_open_request rules: what the winning cause says and suggests, beyond its id.

The rule examples (tcplog/rules/syn_flood.*.toml, drop_open_request.*.toml) pin the cause ids;
these tests pin the remediation each review finding was about.
"""

from __future__ import annotations

from tcplog.classify import load_rules
from tcplog.classify.examples import run
from tcplog.kernelver import parse as parse_kernel

K415 = "4.15.0-213-generic"
K310 = "3.10.0-1160.el7.x86_64"
K515 = "5.15.0-91-generic"
SLAB = "Nov 22 10:00:00 web1 kernel: TCP: request_sock_TCP: Possible SYN flooding on port 80. {}.  Check SNMP counters."
PROTO = "Nov 22 10:00:00 web1 kernel: TCP: TCP: Possible SYN flooding on port 80. Sending cookies.  Check SNMP counters."
DROP_OPEN = "Nov 22 10:00:00 web1 kernel: TCP: drop open request from 203.0.113.7/51234"


def listener(backlog: int) -> list[dict]:
    return [{"proto": "tcp", "address": "0.0.0.0", "port": 80, "accept_queue": 0, "backlog": backlog, "pid": 1822,
             "process": "nginx"}]


def counters(**values) -> dict:
    return {"netstat": {"TcpExt": values}}


def cause(line: str, kernel: str, before: dict | None = None, after: dict | None = None) -> dict:
    return run({"line": line, "kernel": kernel, "before": before, "after": after}, load_rules())


def knobs(c: dict) -> list[str]:
    return [r["knob"] for r in c["remediation"]]


def commands(c: dict) -> list[str]:
    return [r["command"] or "" for r in c["remediation"]]


def test_backlog_below_somaxconn_names_the_listen_argument_not_somaxconn():
    """Backlog 64 under somaxconn 128: the listen() argument of the named process is the remedy, somaxconn is not."""
    before = {"sysctl": {"net.core.somaxconn": "128"}, "listeners": listener(64),
              **counters(ListenOverflows=5, SyncookiesSent=0, SyncookiesRecv=0)}
    after = counters(ListenOverflows=5, SyncookiesSent=3000, SyncookiesRecv=2900)
    c = cause(SLAB.format("Sending cookies"), K415, before, after)
    assert c["id"] == "syn_flood.app_listen_backlog"
    assert knobs(c) == ["listen() backlog of 0.0.0.0:80 (nginx, pid 1822)"]
    assert any("somaxconn caps" in g for g in c["remediation"][0]["guardrails"])


def test_backlog_at_somaxconn_128_is_still_the_somaxconn_cap():
    """Backlog 128 = somaxconn 128 before 5.4: somaxconn is the cap and is raised to 4096."""
    before = {"sysctl": {"net.core.somaxconn": "128"}, "listeners": listener(128), **counters(ListenOverflows=0)}
    c = cause(SLAB.format("Sending cookies"), K415, before, counters(ListenOverflows=800))
    assert c["id"] == "syn_flood.somaxconn_default"
    assert "sysctl -w net.core.somaxconn=4096" in commands(c)


def test_syncookies_2_on_3x_is_not_an_overflow():
    """3.10 with tcp_syncookies=2, no overflow, cookies back: the line is the setting's echo, set 1."""
    before = {"sysctl": {"net.ipv4.tcp_syncookies": "2", "net.core.somaxconn": "128"}, "listeners": listener(128),
              **counters(SyncookiesSent=0, SyncookiesRecv=0, ListenOverflows=7)}
    after = counters(SyncookiesSent=3000, SyncookiesRecv=2950, ListenOverflows=7)
    c = cause(PROTO, K310, before, after)
    assert c["id"] == "syn_flood.syncookies_always" and "not an overflow" in c["summary"]
    assert "sysctl -w net.core.somaxconn=4096" not in commands(c)


def test_syncookies_2_on_44_plus_says_the_snapshot_contradicts_the_line():
    """5.15 never prints the line with tcp_syncookies=2: say the snapshot is inconsistent, change nothing."""
    before = {"sysctl": {"net.ipv4.tcp_syncookies": "2", "net.core.somaxconn": "4096"}, "listeners": listener(4096),
              **counters(SyncookiesSent=0, SyncookiesRecv=0, ListenOverflows=7)}
    after = counters(SyncookiesSent=3000, SyncookiesRecv=2950, ListenOverflows=7)
    c = cause(SLAB.format("Sending cookies"), K515, before, after)
    assert c["id"] == "syn_flood.syncookies_mismatch" and "inconsistent" in c["summary"]
    assert [r["direction"] for r in c["remediation"]] == ["investigate"]
    assert not any(cmd.startswith("sysctl -w") for cmd in commands(c))


def test_no_syn_flood_rule_reaching_44_suggests_tcp_max_syn_backlog():
    """tcp_max_syn_backlog does not size the SYN queue on 4.4+: only rules limited to <= 4.3 suggest it."""
    offenders = [r.id for r in load_rules().rules
                 if r.family == "syn_flood" and r.kernel.contains(parse_kernel("4.4.0"))
                 and any(rem["knob"] == "net.ipv4.tcp_max_syn_backlog" for rem in r.remediation)]
    assert not offenders


def test_spoofed_flood_suggests_tcp_max_syn_backlog_only_up_to_43():
    """The same spoofed flood suggests tcp_max_syn_backlog on 3.10 and not on 5.15."""
    before = {"sysctl": {"net.ipv4.tcp_max_syn_backlog": "2048"}, **counters(SyncookiesSent=0, SyncookiesRecv=0)}
    after = counters(SyncookiesSent=50000, SyncookiesRecv=200)
    old = cause(PROTO, K310, before, after)
    new = cause(SLAB.format("Sending cookies"), K515, before, after)
    assert "net.ipv4.tcp_max_syn_backlog" in knobs(old)
    assert new["id"] == "syn_flood.spoofed_flood_listen_backlog"
    assert "net.ipv4.tcp_max_syn_backlog" not in knobs(new)


def test_legitimate_burst_on_44_plus_raises_the_backlog_and_somaxconn_not_tcp_max_syn_backlog():
    """A 5.15 burst at the somaxconn cap raises somaxconn beyond the current 4096 and the listen() argument."""
    before = {"sysctl": {"net.core.somaxconn": "4096", "net.ipv4.tcp_max_syn_backlog": "2048"},
              "listeners": listener(4096), **counters(SyncookiesSent=0, SyncookiesRecv=0, ListenOverflows=0)}
    after = counters(SyncookiesSent=3000, SyncookiesRecv=2950, ListenOverflows=0)
    c = cause(SLAB.format("Sending cookies"), K515, before, after)
    assert c["id"] == "syn_flood.legitimate_burst_listen_backlog"
    assert "net.ipv4.tcp_max_syn_backlog" not in knobs(c)
    assert "sysctl -w net.core.somaxconn=8192" in commands(c)


def test_dropping_request_with_syncookies_0_wins_with_tcp_syncookies_1():
    """'Dropping request' + syncookies 0 + TCPReqQFullDrop rising: syncookies off wins and sets 1."""
    before = {"sysctl": {"net.core.somaxconn": "128", "net.ipv4.tcp_syncookies": "0"}, "listeners": listener(128),
              **counters(ListenOverflows=0, TCPReqQFullDrop=0)}
    after = counters(ListenOverflows=800, TCPReqQFullDrop=5000)
    c = cause(SLAB.format("Dropping request"), K415, before, after)
    assert c["id"] == "syn_flood.syncookies_off"
    assert "sysctl -w net.ipv4.tcp_syncookies=1" in commands(c)
    assert "syn_flood.somaxconn_default" in [x["id"] for x in c["candidates"]]


def test_dropping_request_with_snapshot_syncookies_1_is_a_mismatch():
    """'Dropping request' is printed only with syncookies 0: a snapshot saying 1 is not the event's state."""
    c = cause(SLAB.format("Dropping request"), K415, {"sysctl": {"net.ipv4.tcp_syncookies": "1"}})
    assert c["id"] == "syn_flood.syncookies_mismatch"


def test_drop_open_request_with_snapshot_syncookies_1_does_not_say_off_or_suggest_1():
    """drop open request with the snapshot's syncookies=1: no 'is off', no `sysctl -w ...tcp_syncookies=1`."""
    c = cause(DROP_OPEN, K310, {"sysctl": {"net.ipv4.tcp_syncookies": "1", "net.ipv4.tcp_max_syn_backlog": "2048"}})
    assert c["id"] == "drop_open_request.syncookies_mismatch"
    assert "is off" not in c["summary"]
    assert "sysctl -w net.ipv4.tcp_syncookies=1" not in commands(c)


def test_drop_open_request_without_snapshot_keeps_the_line_s_own_meaning():
    """No snapshot: the line alone says syncookies were off, so the backlog-pressure cause stands."""
    assert cause(DROP_OPEN, K310)["id"] == "drop_open_request.syn_backlog_pressure"


def test_a_listen_backlog_suggested_from_somaxconn_is_capped_at_65535_up_to_4_0():
    """somaxconn 100000, backlog 1024, overflows: the listen() argument to ask for is 65535 on 3.10 (a larger one
    wraps in the 16-bit sk_max_ack_backlog before 4.1, becb74f0acca), 100000 on 4.15; the why says so."""
    before = {"sysctl": {"net.core.somaxconn": "100000"}, "listeners": listener(1024), **counters(ListenOverflows=5)}
    after = counters(ListenOverflows=900)
    old = cause(PROTO, K310, before, after)
    new = cause(SLAB.format("Sending cookies"), K415, before, after)
    assert old["id"] == new["id"] == "syn_flood.app_listen_backlog"
    assert (old["remediation"][0]["suggested"], new["remediation"][0]["suggested"]) == ("65535", "100000")
    assert "capped at 65535, the most kernels up to 4.0 accept: before 4.1 (becb74f0acca)" in old["remediation"][0]["why"]
    assert "capped" not in new["remediation"][0]["why"]


def test_somaxconn_already_above_65535_on_4_0_or_older_is_brought_back_to_it():
    """3.10 with somaxconn 70000 and a burst up to 4.3: at_least(4096) keeps 70000, the cap gives 65535 with its reason."""
    before = {"sysctl": {"net.core.somaxconn": "70000"}, **counters(SyncookiesSent=0, SyncookiesRecv=0, ListenOverflows=5)}
    after = counters(SyncookiesSent=5000, SyncookiesRecv=4700, ListenOverflows=5)
    c = cause(PROTO, K310, before, after)
    assert c["id"] == "syn_flood.legitimate_burst"
    somaxconn = next(r for r in c["remediation"] if r["knob"] == "net.core.somaxconn")
    assert somaxconn["command"] == "sysctl -w net.core.somaxconn=65535" and "wraps around" in somaxconn["why"]
