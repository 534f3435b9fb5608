"""Coverage of hostile input by generated cases (hypothesis): parsers and loaders never fail
with anything but their own error type, and never run what they read.

A longer run: `HYPOTHESIS_PROFILE=long make test` (see docs/RELIABILITY.md).
"""

from __future__ import annotations

import io
import os
import tomllib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcplog.classify.loader import compile_rule
from tcplog.errors import RuleError, SnapshotError
from tcplog.framing import journal_export
from tcplog.snapshot import document, parse

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
examples = settings(max_examples=5000 if LONG else 200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

proc_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(["TcpExt:", "Tcp:", "Ip:", "sockets: used", "TCP: inuse", "orphan", "tw", "mem",
                              "1", "-1", "0x1f", "99999999999999999999999", "MemTotal:", "kB", "=", " ", "\t",
                              "net.ipv4.tcp_mem", "entries", "00000001", "\n", "0A", "0100007F:1F90",
                              "sysctl: permission denied on key", "LISTEN", "users:((\"nginx\",pid=1,fd=6))"]),
             max_size=60).map("".join),
)


@examples
@given(proc_text)
def test_proc_parsers_never_raise(text):
    """Every /proc, sysctl and ss parser answers a result (bad lines reported), never an exception."""
    for fn in (parse.sockstat, parse.counters, parse.snmp6, parse.meminfo, parse.sysctl_text, parse.hex_stat,
               parse.ss_listeners, parse.uname_a, parse.boot_time, parse.date_output):
        fn(text)
    parse.tcp_listeners(text.splitlines())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=30)


@examples
@given(st.dictionaries(st.sampled_from(["schema", "host", "time", "kernel", "boot", "page_size", "memory", "sysctl",
                                        "sockstat", "sockstat6", "netstat", "snmp", "conntrack", "neighbour",
                                        "listeners", "sources", "errors", "x"]), json_values, max_size=18))
def test_snapshot_documents_are_validated_or_rejected_by_name(doc):
    """Any JSON shaped almost like a snapshot is accepted or rejected with a SnapshotError."""
    import orjson

    try:
        data = orjson.dumps(doc)
    except (TypeError, orjson.JSONEncodeError):
        return
    try:
        document.load_bytes(data, "fuzz.json")
    except SnapshotError as exc:
        assert "fuzz.json" in str(exc)


rule_keys = ["id", "status", "family", "message_ids", "kernel", "priority", "confidence", "summary", "description",
             "conditions", "evidence", "remediation", "references", "examples", "collect", "x"]


@examples
@given(st.dictionaries(st.sampled_from(rule_keys), json_values, max_size=12))
def test_rule_loader_rejects_bad_rules_with_its_own_error(data):
    """A rule file of any shape compiles or fails with a RuleError naming the file."""
    try:
        compile_rule(data, "fuzz.toml", "fuzz")
    except RuleError as exc:
        assert "fuzz.toml" in str(exc)


@examples
@given(st.binary(max_size=600))
def test_rule_loader_on_raw_bytes(data):
    """Bytes that are not TOML fail in tomllib; TOML that is not a rule fails as a RuleError."""
    try:
        parsed = tomllib.loads(data.decode("utf-8", "replace"))
    except tomllib.TOMLDecodeError:
        return
    try:
        compile_rule(parsed, "fuzz.toml", "fuzz")
    except RuleError:
        pass


@examples
@given(st.lists(st.one_of(st.binary(max_size=40), st.sampled_from(
    [b"MESSAGE=x\n", b"__REALTIME_TIMESTAMP=1\n", b"\n", b"MESSAGE\n", b"\x05\x00\x00\x00\x00\x00\x00\x00",
     b"\xff\xff\xff\xff\xff\xff\xff\xff", b"abc\n", b"=\n", b"_TRANSPORT=kernel\n"])), max_size=30))
def test_journal_export_reader_never_raises_and_keeps_every_byte(parts):
    """Any export stream: entries come back with their exact bytes; only whitespace between entries is dropped."""
    data = b"".join(parts)
    try:
        entries = list(journal_export.entries(io.BytesIO(data)))
    except Exception as exc:  # the only allowed failure: a claimed field size beyond the bound
        assert "claims" in str(exc)
        return
    joined = b"".join(raw for raw, _ in entries)
    assert b"".join(joined.split()) == b"".join(data.split())
