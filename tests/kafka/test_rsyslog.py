"""End to end with a real shipper: a private rsyslogd (omkafka) tails a log file into the raw topic,
`tcplog kafka` turns it into events. The rsyslog config is the docker-compose example's own
(deploy/rsyslog/rsyslog.conf), with paths and the broker swapped for the test's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.kafka import kit

RSYSLOG_ROOT = Path(os.environ.get("TCPLOG_TEST_RSYSLOG_ROOT", Path(sys.prefix) / "rsyslog"))
RSYSLOGD = RSYSLOG_ROOT / "usr" / "sbin" / "rsyslogd"
MODULES = RSYSLOG_ROOT / "usr" / "lib" / "x86_64-linux-gnu" / "rsyslog"
EXAMPLE = kit.REPO / "deploy" / "rsyslog" / "rsyslog.conf"
SAMPLE = kit.REPO / "samples" / "logs" / "kern.log"


def recognised(lines: list[bytes]) -> list[bytes]:
    """The lines tcplog itself makes events of (what `tcplog scan` would say)."""
    from datetime import datetime, timezone

    from tcplog.framing.context import FramingContext
    from tcplog.recognize import Recognizer
    from tcplog.record import Position

    r, ctx = Recognizer(), FramingContext(reference=datetime.now(timezone.utc))
    return [ln for ln in lines if r.event(ln, ctx, Position()) is not None]


@pytest.fixture
def librdkafka(tmp_path) -> Path:
    """A folder holding the librdkafka 2.16 of the confluent-kafka wheel (Debian's 2.0.2 cannot talk to Tansu)."""
    libs = sorted((kit.SITE / "confluent_kafka.libs").glob("librdkafka-*.so.1"))
    if not libs:
        require_tool(str(kit.SITE / "confluent_kafka.libs" / "librdkafka-*.so.1"),
                     "the librdkafka bundled in the confluent-kafka wheel (omkafka needs it against Tansu)")
    folder = tmp_path / "rdk"
    folder.mkdir()
    (folder / "librdkafka.so.1").symlink_to(libs[0])
    return folder


@pytest.mark.system
def test_rsyslog_omkafka_to_events(broker, services, logdir, tmp_path, librdkafka):
    """kern.log lines → rsyslogd imfile → omkafka → raw topic → tcplog kafka → one event per kernel line."""
    require_tool(str(RSYSLOGD), "rsyslogd with omkafka, unpacked privately by `make test`")
    topics = kit.make_topics(broker.bootstrap)
    log = tmp_path / "kern.log"
    work = tmp_path / "work"
    work.mkdir()
    conf = tmp_path / "rsyslog.conf"
    conf.write_text(EXAMPLE.read_text()
                    .replace("/var/spool/rsyslog", str(work))
                    .replace("/var/log/sample/kern.log", str(log))
                    .replace('"kafka:9092"', f'"{broker.bootstrap}"')
                    .replace('topic="logs.raw"', f'topic="{topics.raw}"'))
    env = {**os.environ, "LD_LIBRARY_PATH": str(librdkafka)}
    check = subprocess.run([str(RSYSLOGD), "-N1", "-M", str(MODULES), "-f", str(conf)], env=env,
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir)
    services.append(svc.start())
    svc.wait_ready()
    lines = SAMPLE.read_bytes().splitlines()
    log.write_bytes(b"\n".join(lines[:8]) + b"\n")
    pidfile = tmp_path / "rsyslogd.pid"
    rs = subprocess.Popen([str(RSYSLOGD), "-n", "-M", str(MODULES), "-f", str(conf), "-i", str(pidfile)], env=env,
                          stdout=open(tmp_path / "rsyslogd.out", "wb"), stderr=subprocess.STDOUT)
    try:
        time.sleep(1.5)
        with log.open("ab") as fh:  # lines appended while rsyslogd follows the file
            fh.write(b"\n".join(lines[8:]) + b"\n")
        events = kit.read_topic(broker.bootstrap, topics.events, count=len(recognised(lines)), timeout=30)
    finally:
        rs.send_signal(signal.SIGTERM)
        try:
            rs.wait(10)
        except subprocess.TimeoutExpired:
            rs.kill()
    raw, _, passthrough, dead = kit.read_outputs(broker.bootstrap, topics, len(lines))
    acc = kit.account(raw, events, passthrough, dead)
    assert acc.inputs == len(lines), (tmp_path / "rsyslogd.out").read_text()
    assert {m.value for m in raw} == set(lines)  # omkafka sent each line as it was written
    assert acc.dead == 0 and acc.duplicates == 0
    assert sorted(m.json()["raw"].encode() for m in events) == sorted(recognised(lines))
    assert all(m.json()["host"] == "web-07" and m.key == b"web-07" for m in events)
    assert acc.passthrough == len(lines) - acc.events
