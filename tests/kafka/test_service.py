"""`tcplog kafka` against a real broker: what comes out for each kind of record, headers, metrics, drain."""

from __future__ import annotations

import json
import threading
import time

import jsonschema
import pytest

from tests.kafka import kit

SCHEMA = json.loads((kit.REPO / "tcplog" / "schema" / "event-2.json").read_text())
NESTED = b"[" * 5000 + b"]" * 5000

# (key, value, headers, what it must become)
RECORDS = [
    (b"web1", b"Nov 22 10:00:00 web1 kernel: [12.5] nf_conntrack: nf_conntrack: table full, dropping packet", None,
     ("event", "web1", "conntrack_full", "rfc3164")),
    (None, b"<4>1 2026-11-22T10:00:01.000000Z web2 kernel - - - TCP: time wait bucket table overflow", None,
     ("event", "web2", "tw_bucket_overflow", "rfc5424")),
    (b"db3", b"[  12.000000] TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  "
             b"Check SNMP counters.", None, ("event", "db3", "syn_flood", "dmesg")),
    (b"web4", b'{"msg":"TCP: too many orphaned sockets","hostname":"web4","programname":"kernel",'
              b'"syslogfacility":"0","timereported":"2026-11-22T10:00:03+00:00"}', [("src", b"rsyslog")],
     ("event", "web4", "orphans", "json")),
    (None, b'{"date":1795370000.5,"log":"Nov 22 10:00:04 web5 kernel: Out of socket memory"}', None,
     ("event", "web5", "socket_memory", "json+rfc3164")),
    (None, b'{"message":"neighbour: arp_cache: neighbor table overflow!","host":"web6","appname":"kernel",'
           b'"facility":"kern","timestamp":"2026-11-22T10:00:05Z"}', None,
     ("event", "web6", "neigh_overflow", "json")),
    (b"ignored-key", b'{"MESSAGE":"nf_conntrack: table full, dropping packet","PRIORITY":"4","SYSLOG_FACILITY":"0",'
                     b'"SYSLOG_IDENTIFIER":"kernel","_TRANSPORT":"kernel","_HOSTNAME":"web7",'
                     b'"__REALTIME_TIMESTAMP":"1795370006000000"}', None,
     ("event", "web7", "conntrack_full", "journal-json")),
    (b"web1", b"Nov 22 10:00:07 web1 sshd[12]: Accepted publickey for root", [("trace", b"abc")],
     ("passthrough",)),
    (b"web1", b"Nov 22 10:00:08 web1 java[7781]: WARN possible SYN flooding on port 8080", None, ("passthrough",)),
    (None, b'{"message":"GET /index.html 200","host":"web2","appname":"nginx"}', None, ("passthrough",)),
    (b"web3", b"\xff\xfe not utf-8 at all \x00", None, ("passthrough",)),
    (None, b"", None, ("passthrough",)),
    (b"web2", b'{"msg": "TCP: time wait bucket', None, ("dead", "invalid_json")),
    (b"web2", NESTED.replace(b"[", b"{", 1), None, ("dead", "invalid_json")),
    (b"web2", b'{"metric":"cpu","value":0.5}', None, ("dead", "no_message")),
    (b"web2", None, None, ("dead", "null_value")),
    (b"web2", b"x" * 70000, [("src", b"big")], ("dead", "too_large")),
]


@pytest.fixture(scope="module")
def run(broker, tmp_path_factory):
    """One service over RECORDS (in order, one partition), stopped by SIGTERM."""
    logdir = tmp_path_factory.mktemp("service")
    topics = kit.make_topics(broker.bootstrap)
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir, "--passthrough-origin-headers").start()
    try:
        svc.wait_ready()
        feeder = kit.Feeder(broker.bootstrap, topics.raw)
        for key, value, headers, _ in RECORDS:
            feeder.send(value, key, headers, partition=0)
        feeder.flush()
        raw, events, passthrough, dead = kit.read_outputs(broker.bootstrap, topics, len(RECORDS))
        time.sleep(1.2)  # one lag/metrics refresh after the last batch
        metrics = svc.get("/metrics")[1]
        health = svc.get("/healthz")[0], svc.get("/readyz")[0]
        rc, took = svc.term()
    finally:
        svc.kill()
    return {"raw": raw, "events": events, "passthrough": passthrough, "dead": dead, "metrics": metrics,
            "health": health, "rc": rc, "took": took, "logs": svc.logs(), "topics": topics}


def by_offset(run, kind):
    return {kit.origin_of(m, "event" if kind == "events" else kind)[2]: m for m in run[kind]}


def test_every_record_comes_out_once_as_event_passthrough_or_dead_letter(run):
    """input = events + passthrough + dead letters, no record missing, none duplicated."""
    acc = kit.account(run["raw"], run["events"], run["passthrough"], run["dead"])
    assert acc.inputs == len(RECORDS) and acc.duplicates == 0
    expected = [r[3][0] for r in RECORDS]
    assert (acc.events, acc.passthrough, acc.dead) == (expected.count("event"), expected.count("passthrough"),
                                                       expected.count("dead"))


def test_events_carry_host_key_headers_and_stable_id(run):
    """Key = host (from the record, else the Kafka key); headers schema/family/cause/id; id in the JSON."""
    events = by_offset(run, "events")
    for offset, (key, value, _, want) in enumerate(RECORDS):
        if want[0] != "event":
            continue
        m = events[offset]
        event = m.json()
        jsonschema.validate(event, SCHEMA)
        assert (event["host"], event["family"], event["source"]["framing"]) == want[1:]
        assert m.key == want[1].encode()
        assert event["id"] == f"{want[1]}/{run['topics'].raw}/0/{offset}"
        assert m.headers["tcplog.schema"] == b"tcplog.event/2"
        assert m.headers["tcplog.family"] == want[2].encode()
        assert m.headers["tcplog.cause"] == (event["cause"] or {}).get("id", "").encode()
        assert event["source"]["file"] == f"kafka:{run['topics'].raw}/0" and event["source"]["offset"] == offset


def test_events_are_classified(run):
    """Classification runs in the service: every event has a cause object (no snapshot: undecided)."""
    for m in run["events"]:
        cause = m.json()["cause"]
        assert cause is not None and cause["id"]


def test_passthrough_records_carry_origin_headers_when_asked(run):
    """--passthrough-origin-headers: value and key byte for byte, the record's headers, then tcplog.origin.*."""
    passthrough = by_offset(run, "passthrough")
    for offset, (key, value, headers, want) in enumerate(RECORDS):
        if want[0] != "passthrough":
            continue
        m = passthrough[offset]
        assert (m.value or b"") == value and m.key == key
        assert list(m.headers.items())[:len(headers or [])] == list(headers or [])
        assert m.headers["tcplog.origin.offset"] == str(offset).encode()


def test_passthrough_records_are_unchanged_by_default(broker, services, logdir):
    """Without --passthrough-origin-headers a passthrough record keeps its value, key and headers exactly."""
    topics = kit.make_topics(broker.bootstrap, partitions=1)
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir)
    services.append(svc.start())
    svc.wait_ready()
    feeder = kit.Feeder(broker.bootstrap, topics.raw)
    feeder.send(b"Nov 22 10:00:07 web1 sshd[12]: Accepted publickey for root", b"web1", [("trace", b"abc")])
    feeder.flush()
    (m,) = kit.read_topic(broker.bootstrap, topics.passthrough, count=1)
    assert (m.key, m.value, m.headers) == (b"web1", b"Nov 22 10:00:07 web1 sshd[12]: Accepted publickey for root",
                                           {"trace": b"abc"})
    assert svc.term()[0] == 0


def test_dead_letters_carry_error_and_origin(run):
    """Undecodable and oversized records: error, type and origin in headers; oversized cut to the limit."""
    dead = by_offset(run, "dead")
    for offset, (key, value, _, want) in enumerate(RECORDS):
        if want[0] != "dead":
            continue
        m = dead[offset]
        h = m.headers
        assert h["tcplog.error.type"] == want[1].encode() and h["tcplog.error"]
        assert (h["tcplog.origin.topic"], h["tcplog.origin.partition"], h["tcplog.origin.offset"]) == \
            (run["topics"].raw.encode(), b"0", str(offset).encode())
        assert m.key == key
        if want[1] == "too_large":
            assert h["tcplog.original.size"] == b"70000" and m.value == value[:65536] and h["src"] == b"big"
        elif value is not None:
            assert m.value == value


def test_metrics_reconcile_and_show_lag_and_latency(run):
    """consumed = events + passthrough + dead letters on /metrics; lag per partition; produce latency."""
    text = run["metrics"]
    consumed = kit.metric_value(text, "tcplog_kafka_consumed_total")
    parts = [kit.metric_value(text, n) for n in ("tcplog_kafka_events_total", "tcplog_kafka_passthrough_total",
                                                 "tcplog_kafka_dead_lettered_total", "tcplog_kafka_skipped_total")]
    assert consumed == len(RECORDS) == sum(parts)
    assert kit.metric_value(text, "tcplog_kafka_dead_lettered_total", reason="invalid_json") == 2
    assert kit.metric_value(text, "tcplog_kafka_events_total", family="conntrack_full") == 2
    assert 'tcplog_kafka_consumer_lag{partition="0",topic="' + run["topics"].raw + '"} 0.0' in text
    assert kit.metric_value(text, "tcplog_kafka_produce_latency_seconds_count") == len(RECORDS)
    assert kit.metric_value(text, "tcplog_kafka_assigned_partitions") == 2


def test_health_endpoints_answer(run):
    """/healthz and /readyz are 200 while the service runs with its partitions."""
    assert run["health"] == (200, 200)


def test_sigterm_exits_0_quickly_and_logs_are_json(run):
    """SIGTERM: exit 0 well within the bound; every stderr line is a JSON object with a level and msg."""
    assert run["rc"] == 0 and run["took"] < 5
    msgs = [line["msg"] for line in run["logs"]]
    assert {"starting", "partitions_assigned", "stopping", "stopped"} <= set(msgs)
    assert all({"time", "level", "msg"} <= set(line) for line in run["logs"])


def test_sigterm_drain_commits_everything_in_hand(broker, services, logdir):
    """SIGTERM mid-stream: exit 0 within the bound; a restarted instance continues with no duplicate."""
    topics = kit.make_topics(broker.bootstrap)
    group = kit.unique("g")
    first = kit.ServiceProc(broker.bootstrap, topics, group, logdir, "--max-poll-records", "50",
                            "--shutdown-timeout", "10")
    services.append(first.start())
    first.wait_ready()
    feeder = kit.Feeder(broker.bootstrap, topics.raw)
    stop = threading.Event()

    def feed():
        i = 0
        while not stop.is_set() and i < 20000:
            key, value = kit.mix(i)
            feeder.send(value, key)
            i += 1
            if i % 200 == 0:
                time.sleep(0.02)
        feeder.flush()

    t = threading.Thread(target=feed)
    t.start()
    time.sleep(2.0)
    rc, took = first.term(timeout=15)
    stop.set()
    t.join()
    assert rc == 0 and took < 10, first.stderr()[-2000:]
    second = kit.ServiceProc(broker.bootstrap, topics, group, logdir, name="second")
    services.append(second.start())
    raw, events, passthrough, dead = kit.read_outputs(broker.bootstrap, topics, len(feeder.acked))
    acc = kit.account(raw, events, passthrough, dead)
    assert acc.inputs == len(feeder.acked) and acc.duplicates == 0
    assert acc.events == sum(1 for i in range(acc.inputs) if i % 5 == 0)


def test_every_compression_codec_and_format_round_trips(broker, services, logdir):
    """gzip, lz4, zstd, snappy: compressed raw records in (librdkafka), compressed events out (tcplog);
    two of the runs write ECS and OCSF documents, valid against their shipped schemas."""
    from tcplog import formats

    runs = []
    for codec, fmt in (("gzip", "ecs"), ("lz4", "native"), ("zstd", "ocsf"), ("snappy", "native")):
        topics = kit.make_topics(broker.bootstrap, partitions=1)
        svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir, "--compression", codec,
                              "--format", fmt, name=codec)
        services.append(svc.start())
        runs.append((codec, fmt, topics, svc))
    for codec, fmt, topics, svc in runs:
        svc.wait_ready()
        feeder = kit.Feeder(broker.bootstrap, topics.raw, **{"compression.codec": codec})
        for i in range(50):
            key, value = kit.mix(i)
            feeder.send(value, key)
        feeder.flush()
    for codec, fmt, topics, svc in runs:
        events = kit.read_topic(broker.bootstrap, topics.events, count=10, timeout=30)
        assert len(events) == 10, codec
        schema = formats.schema(fmt)
        validator = jsonschema.validators.validator_for(schema)(schema)
        for m in events:
            validator.validate(m.json())
            assert f"/{topics.raw}/0/" in m.headers["tcplog.id"].decode()
        assert svc.term()[0] == 0


def test_secrets_never_reach_the_logs(broker, services, logdir, tmp_path):
    """A SASL password from a file is used, never logged, even when the connection fails."""
    secret = "hunter2-do-not-log-me"
    pw = tmp_path / "pw"
    pw.write_text(secret + "\n")
    topics = kit.make_topics(broker.bootstrap)
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir, "--security-protocol", "SASL_PLAINTEXT",
                          "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", "tcplog",
                          "--sasl-password-file", str(pw), env={"TCPLOG_SSL_PASSWORD": secret})
    services.append(svc.start())
    time.sleep(4)
    assert svc.get("/healthz")[0] == 200 and svc.get("/readyz")[0] == 503
    rc, _ = svc.term()
    logs = svc.stderr()
    assert secret not in logs and '"sasl_password":"<set>"' in logs
    assert rc in (0, 1)


def test_snapshot_free_service_is_ready_only_with_partitions(broker, services, logdir):
    """/readyz is 503 until partitions are assigned, then 200; /healthz 200 throughout."""
    topics = kit.make_topics(broker.bootstrap)
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir)
    services.append(svc.start())
    seen = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and 200 not in seen:
        code = svc.get("/readyz")[0]
        if code:
            seen.add(code)
        time.sleep(0.05)
    assert seen == {503, 200}
    assert svc.term()[0] == 0
