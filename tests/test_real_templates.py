"""Files written by real syslog daemons with the templates tcplog reads, scanned as a user would.

A private syslog-ng (Debian's) and rsyslogd (unpacked by `make system-deps` into .venv/rsyslog) are
started here with a TCP source and file destinations, fed RFC 3164 records, stopped by their PID,
and their files scanned with `tcplog scan --stats`: each kernel record must give its event with
the header's host, time and facility/severity, the user-space record none, and the counts add up.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from tests.conftest import require_tool
from tests.daemon_io import send_when_listening, stop, wait_for_lines
from tests.test_cli import events, tcplog

RSYSLOG = Path(__file__).parent.parent / ".venv" / "rsyslog"
RSYSLOGD = RSYSLOG / "usr" / "sbin" / "rsyslogd"
RSYSLOG_MODULES = RSYSLOG / "usr" / "lib" / "x86_64-linux-gnu" / "rsyslog"

# What the daemons receive: two kernel records (one with a printk stamp), one from user space.
RECORDS = (b"<4>Nov  2 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet\n"
           b"<3>Nov 22 10:00:01 web1 kernel: [ 1234.567890] TCP: out of memory -- consider tuning tcp_mem\n"
           b"<13>Nov 22 10:00:02 web1 myapp[42]: TCP: time wait bucket table overflow\n")
FAMILIES = ["conntrack_full", "tcp_mem"]


def run_syslog_ng(tmp_path: Path, templates: dict[str, str], port: int, data: bytes = RECORDS) -> dict[str, Path]:
    """The files a private syslog-ng writes with these templates (name -> template text) from `data`."""
    sng = require_tool("syslog-ng", "Debian syslog-ng-core writes the templates")
    files = {name: tmp_path / f"{name}.log" for name in templates}
    conf = ["@version: 3.35", "options { keep-hostname(yes); use-dns(no); dns-cache(no); };",
            f'source s_net {{ network(ip("127.0.0.1") port({port}) transport("tcp")); }};']
    for name, template in templates.items():
        conf.append(f'destination d_{name} {{ file("{files[name]}" template("{template}")); }};')
        conf.append(f"log {{ source(s_net); destination(d_{name}); }};")
    (tmp_path / "syslog-ng.conf").write_text("\n".join(conf) + "\n")
    proc = subprocess.Popen([sng, "-F", "--no-caps", "-f", str(tmp_path / "syslog-ng.conf"),
                             "-p", str(tmp_path / "sng.pid"), "-c", str(tmp_path / "sng.ctl"),
                             "-R", str(tmp_path / "sng.persist")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        send_when_listening(port, data, proc)
        wait_for_lines(list(files.values()), data.count(b"\n"), proc)
    finally:
        out = stop(proc)
    assert all(p.exists() for p in files.values()), out
    return files


def run_rsyslog(tmp_path: Path, templates: dict[str, str], port: int, data: bytes = RECORDS,
                extra: str = "", extra_files: dict[str, int] | None = None) -> dict[str, Path]:
    """The files a private rsyslogd writes from `data` with these templates (name -> the string of a
    template of type string, or the name of a built-in one); `extra` adds inputs and rulesets, which
    write `extra_files` (name -> the lines to wait for) in tmp_path."""
    rsyslogd = require_tool(str(RSYSLOGD), "rsyslog unpacked privately by `make system-deps`")
    files = {name: tmp_path / f"{name}.log" for name in templates}
    conf = [f'global(workDirectory="{tmp_path}" localHostname="relay1")', 'module(load="imtcp")',
            f'input(type="imtcp" port="{port}" address="127.0.0.1" ruleset="net")']
    actions = []
    for name, template in templates.items():
        if not template.startswith("RSYSLOG_"):
            conf.append(f'template(name="{name}" type="string" string="{template}")')
            template = name
        actions.append(f'  action(type="omfile" file="{files[name]}" template="{template}")')
    conf += ['ruleset(name="net") {', *actions, "}", extra]
    (tmp_path / "rsyslog.conf").write_text("\n".join(conf) + "\n")
    proc = subprocess.Popen([rsyslogd, "-n", "-M", str(RSYSLOG_MODULES), "-f", str(tmp_path / "rsyslog.conf"),
                             "-i", str(tmp_path / "rsyslogd.pid")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        send_when_listening(port, data, proc)
        wait_for_lines(list(files.values()), data.count(b"\n"), proc)
        for name, lines in (extra_files or {}).items():
            files[name] = tmp_path / f"{name}.log"
            wait_for_lines([files[name]], lines, proc)
    finally:
        out = stop(proc)
    assert all(p.exists() for p in files.values()), out
    return files


def scanned(path: Path, *args: str) -> tuple[list[dict], dict]:
    """The events and the --stats summary of `tcplog scan PATH`."""
    r = tcplog("scan", str(path), "--stats", "--reference-time", "2026-11-22T12:00:00Z", *args)
    assert r.returncode == 0, r.stderr
    return events(r.stdout), orjson.loads(r.stderr.splitlines()[-1])


def reconciled(stats: dict, lines: int) -> bool:
    """Every line counted once; every candidate an event, unframed, not the kernel or unmatched."""
    return stats["lines"] == lines and stats["candidates"] == (
        stats["events"] + stats["unframed"] + stats["not_kernel"] + stats["unmatched"])


@pytest.mark.system
def test_syslog_ng_fulldate_template(tmp_path):
    """syslog-ng `$FULLDATE $HOST $MSGHDR$MSG`: the year-first date is read, the host and program after it."""
    files = run_syslog_ng(tmp_path, {"fulldate": "$FULLDATE $HOST $MSGHDR$MSG\\n"}, 19261)
    assert files["fulldate"].read_bytes().startswith(b"2026 Nov  2 10:00:00 web1 kernel: ")  # the real form
    got, stats = scanned(files["fulldate"], "--tz", "Europe/Berlin")
    assert [e["family"] for e in got] == FAMILIES
    assert [(e["host"], e["source"]["program"], e["time"]) for e in got] == [
        ("web1", "kernel", "2026-11-02T09:00:00.000000Z"), ("web1", "kernel", "2026-11-22T09:00:01.000000Z")]
    assert got[1]["kernel"]["monotonic"] == 1234.56789
    assert stats["not_kernel"] == 1 and stats["unframed"] == 0 and reconciled(stats, 3)


@pytest.mark.system
def test_rsyslog_facility_and_severity_text_before_the_date(tmp_path):
    """rsyslog `%syslogfacility-text%.%syslogseverity-text% %timestamp% …` and TraditionalFormatWithPRI
    (`%pri-text%: …`, which rsyslog 8 writes without `<N>`): facility and level from the names."""
    files = run_rsyslog(tmp_path, {
        "facsev": "%syslogfacility-text%.%syslogseverity-text% %timestamp% %hostname% %syslogtag%"
                  "%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\\n",
        "pritext": "%pri-text%: %timegenerated% %HOSTNAME% %syslogtag%%msg:::drop-last-lf%\\n"}, 19262)
    assert files["facsev"].read_bytes().startswith(b"kern.warning Nov  2 10:00:00 web1 kernel: nf_conntrack")
    assert files["pritext"].read_bytes().startswith(b"kern.warning: ")  # rsyslog 8: no `<4>`
    for name in ("facsev", "pritext"):
        got, stats = scanned(files[name])
        assert [e["family"] for e in got] == FAMILIES, name
        assert [(e["host"], e["kernel"]["facility"], e["kernel"]["level"]) for e in got] == [
            ("web1", 0, 4), ("web1", 0, 3)], name
        assert stats["not_kernel"] == 1 and stats["unframed"] == 0 and reconciled(stats, 3), name
    got, _ = scanned(files["facsev"])
    assert [e["time"] for e in got] == ["2026-11-02T10:00:00.000000Z", "2026-11-22T10:00:01.000000Z"]


@pytest.mark.system
def test_syslog_ng_facility_and_priority_before_the_date(tmp_path):
    """syslog-ng `$FACILITY.$PRIORITY $DATE …` and `$FACILITY.$LEVEL $ISODATE …`."""
    files = run_syslog_ng(tmp_path, {"facpri": "$FACILITY.$PRIORITY $DATE $HOST $MSGHDR$MSG\\n",
                                     "faciso": "$FACILITY.$LEVEL $ISODATE $HOST $MSGHDR$MSG\\n"}, 19263)
    assert files["faciso"].read_bytes().startswith(b"kern.warning 2026-11-02T10:00:00")
    for name in ("facpri", "faciso"):
        got, stats = scanned(files[name])
        assert [(e["family"], e["host"], e["kernel"]["facility"], e["kernel"]["level"]) for e in got] == [
            ("conntrack_full", "web1", 0, 4), ("tcp_mem", "web1", 0, 3)], name
        assert stats["not_kernel"] == 1 and stats["unframed"] == 0 and reconciled(stats, 3), name


@pytest.mark.system
def test_rsyslog_imfile_relaying_a_syslog_file_with_its_own_tag(tmp_path):
    """imfile reading another syslog's file with `Tag="kernlog:"`, written in the traditional format:
    `<relay date> relay1 kernlog: <sender's line>` gives the sender's record, relay and tag in extra."""
    source = tmp_path / "source.log"
    source.write_bytes(RECORDS.replace(b"<4>Nov  2", b"Nov  2").replace(b"<13>", b""))  # one line kept with its PRI
    extra = (f'module(load="imfile")\ninput(type="imfile" file="{source}" tag="kernlog:" ruleset="relay" '
             f'facility="local3" severity="info")\nruleset(name="relay") {{\n'
             f'  action(type="omfile" file="{tmp_path / "relay.log"}" template="RSYSLOG_TraditionalFileFormat")\n}}')
    files = run_rsyslog(tmp_path, {}, 19264, b"", extra, {"relay": 3})
    first = files["relay"].read_bytes().splitlines()[0]
    assert first.endswith(b" relay1 kernlog: Nov  2 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full,"
                          b" dropping packet")
    got, stats = scanned(files["relay"])
    assert [(e["family"], e["host"], e["time"], e["kernel"]["facility"]) for e in got] == [
        ("conntrack_full", "web1", "2026-11-02T10:00:00.000000Z", None), ("tcp_mem", "web1", "2026-11-22T10:00:01.000000Z", 0)]
    assert all(e["source"]["extra"] == {"relay": "relay1", "relay_program": "kernlog"} for e in got)
    assert stats["not_kernel"] == 1 and stats["unframed"] == 0 and reconciled(stats, 3)


@pytest.mark.system
def test_rsyslog_debug_format(tmp_path):
    """RSYSLOG_DebugFormat, ten lines a record: one event per kernel record, with HOSTNAME, TIMESTAMP and PRI."""
    files = run_rsyslog(tmp_path, {"debug": "RSYSLOG_DebugFormat"}, 19265)
    data = files["debug"].read_bytes()
    assert data.startswith(b"Debug line with all properties:\nFROMHOST: '")
    got, stats = scanned(files["debug"])
    assert [(e["family"], e["host"], e["time"], e["kernel"]["facility"], e["kernel"]["level"]) for e in got] == [
        ("conntrack_full", "web1", "2026-11-02T10:00:00.000000Z", 0, 4),
        ("tcp_mem", "web1", "2026-11-22T10:00:01.000000Z", 0, 3)]
    assert all(e["source"]["framing"] == "rsyslog-debug" for e in got) and got[1]["kernel"]["monotonic"] == 1234.56789
    assert stats["candidates"] == 3 and stats["not_kernel"] == 1 and reconciled(stats, data.count(b"\n"))
