"""Host snapshots over a compacted topic: read fully at start (readiness waits for it), then followed."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.kafka import kit

# kafka-python (the publisher's client) still calls importlib.resources.read_text
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SYSCTL = kit.REPO / "tests" / "fixtures" / "sysctl" / "rhel5-2.6.18_sysctl_-a.txt"


def snapshot(host: str, when: datetime) -> dict:
    from tcplog.connectors import sysctl_text
    from tcplog.snapshot.document import format_time

    doc = sysctl_text.load(str(SYSCTL), host=host)
    doc["time"] = format_time(when)
    return doc


def publish(bootstrap: str, topic: str, docs: list[dict]) -> list:
    from tcplog.connectors import kafka_snapshots, kafka_settings

    settings = kafka_settings.KafkaSettings(bootstrap_servers=(bootstrap,), snapshot_topic=topic)
    return kafka_snapshots.publish(settings, docs)


def line(host: str, when: datetime) -> bytes:
    ts = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"<4>1 {ts} {host} kernel - - - nf_conntrack: nf_conntrack: table full, dropping packet".encode()


@pytest.fixture
def snapshot_topic(broker):
    name = kit.unique("snapshots")
    kit.create_topics(broker.bootstrap, [name], partitions=3, config={"cleanup.policy": "compact"})
    return name


def test_events_join_snapshots_read_at_start_and_followed(broker, services, logdir, snapshot_topic):
    """A snapshot published by `tcplog snapshot --to-kafka` before start is joined; one published while
    the service runs is joined to the events after it."""
    from tcplog.snapshot.store import parse_id

    r = subprocess.run([sys.executable, "-m", "tcplog", "snapshot", "--from", str(SYSCTL), "--host", "web1",
                        "--to-kafka", "--bootstrap-servers", broker.bootstrap, "--snapshot-topic", snapshot_topic],
                       capture_output=True, text=True, timeout=60, cwd=kit.REPO)
    assert r.returncode == 0, r.stderr
    where = r.stdout.strip()
    assert where.startswith(f"kafka:{snapshot_topic}/web1/")
    first_id = where.rsplit("/", 1)[1]
    t0 = parse_id(first_id)
    publish(broker.bootstrap, snapshot_topic, [snapshot("web2", t0)])
    topics = kit.make_topics(broker.bootstrap)
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir, "--snapshot-topic", snapshot_topic)
    services.append(svc.start())
    svc.wait_ready()
    assert svc.metric("tcplog_kafka_snapshot_loaded") == 1 and svc.metric("tcplog_kafka_snapshot_hosts") == 2
    feeder = kit.Feeder(broker.bootstrap, topics.raw)
    feeder.send(line("web1", t0 + timedelta(minutes=1)), b"web1")
    feeder.flush()
    (before,) = kit.read_topic(broker.bootstrap, topics.events, count=1)
    joined = before.json()["snapshot"]["before"]
    assert joined["id"] == first_id
    assert before.json()["cause"]["id"]

    later = publish(broker.bootstrap, snapshot_topic, [snapshot("web1", t0 + timedelta(minutes=5))])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        feeder.send(line("web1", t0 + timedelta(minutes=6)), b"web1")
        feeder.flush()
        events = kit.read_topic(broker.bootstrap, topics.events, idle=0.3)
        if events[-1].json()["snapshot"]["before"]["id"] == later[0].id:
            break
        time.sleep(0.3)
    assert events[-1].json()["snapshot"]["before"]["id"] == later[0].id
    assert events[-1].json()["snapshot"]["after"] is None
    assert svc.term()[0] == 0


def test_readiness_waits_for_the_snapshot_topic(broker, services, logdir):
    """With --snapshot-topic naming a topic not there yet, /readyz stays 503 until it exists and is read."""
    name = kit.unique("snapshots")
    topics = kit.make_topics(broker.bootstrap)
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir, "--snapshot-topic", name)
    services.append(svc.start())
    time.sleep(3)
    assert svc.get("/healthz")[0] == 200 and svc.get("/readyz")[0] == 503
    kit.create_topics(broker.bootstrap, [name], partitions=1, config={"cleanup.policy": "compact"})
    publish(broker.bootstrap, name, [snapshot("web3", datetime(2026, 11, 22, tzinfo=timezone.utc))])
    svc.wait_ready(30)
    assert svc.metric("tcplog_kafka_snapshot_hosts") == 1
    assert svc.term()[0] == 0
