"""Filter protocols (`tcplog filter --protocol`), the shipper configs in examples/, and how shippers' JSON records read.

rsyslog and syslog-ng configs are checked by the real daemons (rsyslog unpacked privately by
`make system-deps` into .venv/rsyslog, syslog-ng from Debian), and the rsyslog mmexternal
config is run for real. Vector, Fluent Bit and Fluentd do not run here: their configs are
parsed and every option name is checked against the names their documentation lists.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import msgpack
import orjson
import pytest

from tests.conftest import require_tool
from tests.daemon_io import send_when_listening, stop, wait_for_lines
from tests.test_cli import tcplog

REPO = Path(__file__).parent.parent
EXAMPLES = REPO / "examples"
RSYSLOG = REPO / ".venv" / "rsyslog"
RSYSLOGD = RSYSLOG / "usr" / "sbin" / "rsyslogd"
RSYSLOG_MODULES = RSYSLOG / "usr" / "lib" / "x86_64-linux-gnu" / "rsyslog"
KERNEL = "<4>Nov 22 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet"
APP = "<13>Nov 22 10:00:01 web1 myapp: nf_conntrack is a nice word"


# --- protocols --------------------------------------------------------------------------------

def test_fluentd_json_keeps_tag_and_time_and_adds_the_event():
    """fluentd: one record per record, tag/time kept, a recognised record gains `tcplog`."""
    records = [{"tag": "kern.raw", "time": 1795370000.5, "message": KERNEL},
               {"tag": "kern.raw", "time": 1795370001, "message": "hello"}]
    r = tcplog("filter", "--protocol", "fluentd", "--no-classify",
               stdin=b"".join(orjson.dumps(x) + b"\n" for x in records))
    out = [orjson.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 0 and r.stderr == b"" and len(out) == 2
    assert out[0]["tag"] == "kern.raw" and out[0]["time"] == 1795370000.5
    assert out[0]["tcplog"]["family"] == "conntrack_full" and out[1] == records[1]


def test_fluentd_event_tag_retags_recognised_records_only():
    """--event-tag sets the --tag-key of recognised records and leaves the others alone."""
    records = [{"t": "a", "message": KERNEL}, {"t": "a", "message": "hello"}]
    r = tcplog("filter", "--protocol", "fluentd", "--tag-key", "t", "--event-tag", "tcplog.kernel",
               "--no-classify", stdin=b"".join(orjson.dumps(x) + b"\n" for x in records))
    out = [orjson.loads(line) for line in r.stdout.splitlines()]
    assert [o["t"] for o in out] == ["tcplog.kernel", "a"]


def test_fluentd_msgpack_maps_in_and_out_with_event_time_preserved():
    """fluentd-msgpack: a map per map; an EventTime ext and binary values come back as sent."""
    event_time = msgpack.ExtType(0, (1795370000).to_bytes(4, "big") + (5).to_bytes(4, "big"))
    records = [{"tag": "k", "time": event_time, "message": KERNEL}, {"tag": "k", "blob": b"\xff\x00"}]
    r = tcplog("filter", "--protocol", "fluentd-msgpack", "--no-classify",
               stdin=b"".join(msgpack.packb(x, use_bin_type=True) for x in records))
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
    unpacker.feed(r.stdout)
    out = list(unpacker)
    assert r.returncode == 0 and len(out) == 2
    assert out[0]["time"] == event_time and out[0]["tcplog"]["family"] == "conntrack_full"
    assert out[0]["tcplog"]["time"].startswith("2026-11-22T10:00:00")
    assert out[1] == records[1]


def test_rsyslog_answers_only_the_properties_to_add():
    """rsyslog: one line per line: {"$!":{"tcplog":EVENT}} or {} (also for a non-JSON line)."""
    lines = [{"msg": " nf_conntrack: nf_conntrack: table full, dropping packet", "rawmsg": KERNEL},
             {"msg": " nf_conntrack is a nice word", "rawmsg": APP}]
    stdin = b"".join(orjson.dumps(x) + b"\n" for x in lines) + b"not json\n"
    r = tcplog("filter", "--protocol", "rsyslog", "--no-classify", stdin=stdin)
    out = r.stdout.splitlines()
    assert len(out) == 3 and out[1:] == [b"{}", b"{}"]
    assert list(orjson.loads(out[0])) == ["$!"] and orjson.loads(out[0])["$!"]["tcplog"]["family"] == "conntrack_full"


# --- shippers' JSON records: the decisions the goldens do not show ----------------------------

def _record(obj: dict):
    from datetime import datetime, timezone

    from tcplog import framing
    from tcplog.framing.context import FramingContext

    ctx = FramingContext(reference=datetime(2026, 11, 22, 12, tzinfo=timezone.utc))
    return framing.decode(orjson.dumps(obj), ctx)


def test_gelf_full_message_is_read_when_it_is_short_message_uncut():
    """A sender that cut short_message (python-beaver: 250 characters) left the whole line in full_message."""
    line = "nf_conntrack: table full, dropping packet"
    r = _record({"version": "1.1", "host": "web1", "short_message": line[:20], "full_message": line,
                 "_facility": "kern"})
    assert r.text == line and r.kernel


def test_gelf_full_message_with_a_backtrace_is_not_read():
    """full_message holding more lines than short_message (graypy: the traceback) leaves short_message the text."""
    r = _record({"version": "1.1", "host": "web1", "short_message": "TCP: too many orphaned sockets",
                 "full_message": "TCP: too many orphaned sockets\nTraceback ...", "_facility": "kern"})
    assert r.text == "TCP: too many orphaned sockets"


def test_time_keys_that_do_not_read_pass_the_search_on():
    """A year-less date, 1e308 seconds and a superscript digit cost neither the record nor the next key."""
    for bad in ("Nov 22 10:00:00", 1e308, "\u00b2"):
        r = _record({"message": "TCP: x", "program": "kernel", "timestamp": bad, "@timestamp": "2026-11-22T10:00:00Z"})
        assert r is not None and r.time.isoformat() == "2026-11-22T10:00:00+00:00", bad


def test_message_of_sees_gelf_and_loki_records():
    """The router's no-message check finds short_message and line (route.py asks message_of)."""
    from tcplog.framing.shipper_json import message_of

    assert message_of({"short_message": "a", "host": "h"}) == "a"
    assert message_of({"line": "b", "timestamp": "2026-11-22T10:00:00Z", "labels": {}}) == "b"


def test_only_logcli_shaped_records_are_loki():
    """A `line` key beside other keys (a source line number, a file name) is not a Loki entry."""
    from tcplog.framing.shipper_json import message_of

    assert message_of({"msg": "x", "line": 42}) == "x"
    assert message_of({"line": "nf_conntrack: table full, dropping packet", "file": "a.py"}) is None


def test_stripped_transport_marks_a_journal_entry_only_with_a_journald_value():
    """TRANSPORT counts as journald's field only when it holds one of its transports (and any value is safe)."""
    from tcplog.framing.journal_json import is_journal

    assert is_journal({"TRANSPORT": "kernel", "MESSAGE": "x"})
    assert not is_journal({"TRANSPORT": "tcp", "message": "x"}) and not is_journal({"TRANSPORT": [], "message": "x"})


# --- rsyslog, for real -------------------------------------------------------------------------

def _rsyslog() -> tuple[str, str]:
    rsyslogd = require_tool(str(RSYSLOGD), "rsyslog unpacked privately by `make system-deps`")
    return rsyslogd, str(RSYSLOG_MODULES)


def _validate_rsyslog(conf: Path) -> subprocess.CompletedProcess:
    rsyslogd, moddir = _rsyslog()
    return subprocess.run([rsyslogd, "-N1", "-M", moddir, "-f", str(conf)], capture_output=True, timeout=60)


def _mmexternal_conf(tmp_path: Path, port: int) -> tuple[Path, Path]:
    out = tmp_path / "out.jsonl"
    tcplog_bin = Path(sys.executable).parent / "tcplog"
    text = (EXAMPLES / "rsyslog-mmexternal.conf").read_text()
    text = text.replace("TCPLOG_BIN", str(tcplog_bin)).replace("OUT_FILE", str(out)).replace("TCP_PORT", str(port))
    conf = tmp_path / "rsyslog.conf"
    conf.write_text(f'global(workDirectory="{tmp_path}")\n' + text)
    return conf, out


@pytest.mark.system
@pytest.mark.parametrize("name", ["rsyslog-mmexternal.conf", "rsyslog-omkafka.conf"])
def test_rsyslog_examples_pass_rsyslogd_validation(tmp_path, name):
    """rsyslogd -N1 accepts both rsyslog examples."""
    conf = EXAMPLES / name
    if name == "rsyslog-mmexternal.conf":
        conf, _ = _mmexternal_conf(tmp_path, 19116)
    r = _validate_rsyslog(conf)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.system
def test_rsyslogd_validation_catches_a_wrong_parameter(tmp_path):
    """The -N1 check means something: a misspelt mmexternal parameter fails it."""
    conf, _ = _mmexternal_conf(tmp_path, 19116)
    conf.write_text(conf.read_text().replace("interface.input", "interface.inptu"))
    assert _validate_rsyslog(conf).returncode != 0


@pytest.mark.system
def test_rsyslog_mmexternal_adds_the_event_to_kernel_lines_only(tmp_path):
    """A private rsyslogd runs the example: the kernel line gets $!tcplog, the other is unchanged."""
    rsyslogd, moddir = _rsyslog()
    port = 19116
    conf, out = _mmexternal_conf(tmp_path, port)
    pidfile = tmp_path / "rsyslogd.pid"
    proc = subprocess.Popen([rsyslogd, "-n", "-M", moddir, "-f", str(conf), "-i", str(pidfile)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        send_when_listening(port, (KERNEL + "\n" + APP + "\n").encode(), proc, timeout=10)
        wait_for_lines([out], 2, proc)
        lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    finally:
        output = stop(proc)  # the rsyslogd started here, by its PID
    assert len(lines) == 2, output
    kernel, app = lines
    assert kernel["$!"]["tcplog"]["family"] == "conntrack_full"
    assert kernel["$!"]["tcplog"]["host"] == "web1" and kernel["syslogtag"] == "kernel:"
    assert not (app.get("$!") or {}).get("tcplog") and app["msg"].strip() == "nf_conntrack is a nice word"


# --- syslog-ng ---------------------------------------------------------------------------------

@pytest.mark.system
def test_syslog_ng_example_passes_syntax_check():
    """syslog-ng --syntax-only accepts the example; a misspelt option fails it."""
    sng = require_tool("syslog-ng", "Debian syslog-ng-core")
    r = subprocess.run([sng, "--syntax-only", "-f", str(EXAMPLES / "syslog-ng.conf")], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.mark.system
def test_syslog_ng_syntax_check_catches_a_wrong_option(tmp_path):
    """The syntax check means something: a misspelt program() option fails it."""
    sng = require_tool("syslog-ng", "Debian syslog-ng-core")
    bad = tmp_path / "bad.conf"
    bad.write_text((EXAMPLES / "syslog-ng.conf").read_text().replace("template(", "templat(", 1))
    r = subprocess.run([sng, "--syntax-only", "-f", str(bad)], capture_output=True, timeout=60)
    assert r.returncode != 0


# --- Vector, Fluent Bit, Fluentd: parsed, option names from their docs ------------------------

# https://vector.dev/docs/reference/configuration/sources/exec/ , .../sinks/console/ , .../sinks/file/
VECTOR_OPTIONS = {
    "exec": {"type", "command", "mode", "include_stderr", "decoding", "framing", "streaming", "scheduled",
             "environment", "clear_environment", "working_directory", "maximum_buffer_size_bytes"},
    "exec.decoding": {"codec"}, "exec.framing": {"method"},
    "exec.streaming": {"respawn_on_exit", "respawn_interval_secs"},
    "console": {"type", "inputs", "encoding", "target"},
    "file": {"type", "inputs", "encoding", "path", "compression", "idle_timeout_secs"},
    "encoding": {"codec"},
}


def test_vector_example_parses_and_uses_documented_options():
    """vector.toml is TOML; the exec source runs `tcplog follow` and every key is a documented one."""
    cfg = tomllib.loads((EXAMPLES / "vector.toml").read_text())
    src = cfg["sources"]["tcplog"]
    assert src["type"] == "exec" and src["command"][:2] == ["tcplog", "follow"] and src["mode"] == "streaming"
    assert set(src) <= VECTOR_OPTIONS["exec"]
    for key in ("decoding", "framing", "streaming"):
        assert set(src[key]) <= VECTOR_OPTIONS[f"exec.{key}"], key
    for name, sink in cfg["sinks"].items():
        assert set(sink) <= VECTOR_OPTIONS[sink["type"]], name
        assert sink["inputs"] == ["tcplog"] and set(sink["encoding"]) <= VECTOR_OPTIONS["encoding"]


# https://docs.fluentbit.io/manual/pipeline/inputs/exec , outputs/standard-output , outputs/file,
# administration/configuring-fluent-bit/classic-mode (SERVICE keys)
FLUENT_BIT_OPTIONS = {
    "SERVICE": {"flush", "log_level", "parsers_file", "daemon", "log_file", "http_server"},
    "INPUT:exec": {"name", "tag", "command", "parser", "interval_sec", "interval_nsec", "buf_size", "oneshot",
                   "exit_after_oneshot", "propagate_exit_code", "threaded"},
    "OUTPUT:stdout": {"name", "match", "format", "json_date_key", "json_date_format"},
    "OUTPUT:file": {"name", "match", "path", "file", "format", "mkdir"},
}


def parse_fluent_bit(text: str) -> list[tuple[str, dict[str, str]]]:
    """Fluent Bit's classic format: `[SECTION]` headers, indented `Key Value` lines, # comments."""
    sections: list[tuple[str, dict[str, str]]] = []
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if m := re.fullmatch(r"\[([A-Z_]+)\]", stripped):
            sections.append((m.group(1), {}))
            continue
        assert sections and line[:1] in (" ", "\t"), f"line {n}: key outside a section or not indented"
        key, _, value = stripped.partition(" ")
        assert value.strip(), f"line {n}: {key} has no value"
        sections[-1][1][key.lower()] = value.strip()
    return sections


def test_fluent_bit_example_parses_and_uses_documented_options():
    """fluent-bit.conf: an exec input running `tcplog follow`, outputs, only documented keys."""
    sections = parse_fluent_bit((EXAMPLES / "fluent-bit.conf").read_text())
    for kind, keys in sections:
        known = FLUENT_BIT_OPTIONS["SERVICE"] if kind == "SERVICE" else FLUENT_BIT_OPTIONS[f"{kind}:{keys['name']}"]
        assert set(keys) <= known, (kind, set(keys) - known)
    (inp,) = [k for kind, k in sections if kind == "INPUT"]
    assert inp["command"].startswith("tcplog follow ") and inp["parser"] == "json"


# https://docs.fluentd.org/output/exec_filter , input/tail , format/json , parser/json ,
# configuration/inject-section , configuration/extract-section , configuration/buffer-section
FLUENTD_OPTIONS = {
    "source:tail": {"@type", "path", "pos_file", "tag"},
    "match:exec_filter": {"@type", "command", "num_children", "child_respawn", "tag", "read_block_size",
                          "suppress_error_log_interval", "recorded_error_log_interval"},
    "match:stdout": {"@type"},
    "format": {"@type"}, "parse": {"@type"},
    "inject": {"tag_key", "time_key", "time_type", "time_format", "hostname_key"},
    "extract": {"tag_key", "time_key", "time_type", "time_format"},
    "buffer": {"flush_interval", "chunk_limit_size", "flush_mode"},
}


def parse_fluentd(text: str) -> list[dict]:
    """Fluentd's directive format: `<name arg>` ... `</name>` blocks of `key value` lines."""
    root: dict = {"name": "root", "params": {}, "children": []}
    stack = [root]
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if m := re.fullmatch(r"<(\w+)(?:\s+([^>]*))?>", s):
            node = {"name": m.group(1), "arg": m.group(2), "params": {}, "children": []}
            stack[-1]["children"].append(node)
            stack.append(node)
        elif m := re.fullmatch(r"</(\w+)>", s):
            assert stack[-1]["name"] == m.group(1), f"line {n}: </{m.group(1)}> closes <{stack[-1]['name']}>"
            stack.pop()
        else:
            key, _, value = s.partition(" ")
            assert value.strip(), f"line {n}: {key} has no value"
            stack[-1]["params"][key] = value.strip()
    assert len(stack) == 1, f"<{stack[-1]['name']}> not closed"
    return root["children"]


def test_fluentd_example_parses_and_uses_documented_options():
    """fluentd.conf: exec_filter runs `tcplog filter --protocol fluentd` with json in and out."""
    directives = parse_fluentd((EXAMPLES / "fluentd.conf").read_text())
    for d in directives:
        assert set(d["params"]) <= FLUENTD_OPTIONS[f"{d['name']}:{d['params']['@type']}"], d["name"]
        for child in d["children"]:
            assert set(child["params"]) <= FLUENTD_OPTIONS[child["name"]], child["name"]
    (ef,) = [d for d in directives if d["params"]["@type"] == "exec_filter"]
    assert ef["params"]["command"].startswith("tcplog filter --protocol fluentd")
    sub = {c["name"]: c["params"] for c in ef["children"]}
    assert sub["format"]["@type"] == "json" and sub["parse"]["@type"] == "json"
    assert f"--tag-key {sub['inject']['tag_key']}" in ef["params"]["command"]
    assert f"--time-key {sub['inject']['time_key']}" in ef["params"]["command"]


def test_protocols_answer_exactly_one_record_per_record_in():
    """rsyslog and fluentd answer one line per line, for any bytes (hypothesis)."""
    from datetime import datetime, timezone

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tcplog import protocols
    from tcplog.filter import Filter
    from tcplog.framing.context import FramingContext

    ctx = FramingContext(reference=datetime(2026, 11, 22, tzinfo=timezone.utc), year=None, tz=timezone.utc)
    rsyslog, fluentd = protocols.Rsyslog(Filter(), ctx), protocols.Fluentd(Filter(), ctx)
    line = st.one_of(st.binary(max_size=200).map(lambda b: b.replace(b"\n", b" ")),
                     st.builds(lambda m: orjson.dumps({"rawmsg": m, "msg": m}), st.text(max_size=120)),
                     st.just(orjson.dumps({"rawmsg": KERNEL})), st.just(orjson.dumps({"message": KERNEL})))

    @settings(max_examples=200, deadline=None)
    @given(line)
    def check(data):
        for answer in (rsyslog.line(data), fluentd.json_line(data)):
            assert answer.endswith(b"\n") and answer.count(b"\n") == 1
            assert isinstance(orjson.loads(answer), dict)

    check()


def test_filter_max_record_bytes_takes_a_size_like_scan():
    """`--max-record-bytes 1K` as scan takes it: pieces of 1024 bytes; 0 (no bound) is refused."""
    r = tcplog("filter", "--max-record-bytes", "1K", stdin=b"x" * 2500 + b"\n")
    assert [len(orjson.loads(line)["message"]) for line in r.stdout.splitlines()] == [1024, 1024, 452]
    r = tcplog("filter", "--max-record-bytes", "0", stdin=b"")
    assert r.returncode == 2 and b"at least 1 byte" in r.stderr
