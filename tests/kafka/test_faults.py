"""Fault tests against a real broker. Each ends with the same accounting: every input record came out
as an event, a passthrough or a dead letter; nothing is missing; duplicates are identical copies
(same event id) and bounded by one uncommitted batch."""

from __future__ import annotations

import signal
import time

from tests.kafka import kit

BATCH = 100  # --max-poll-records: the most a crash can duplicate


def test_sigkill_mid_stream_then_restart_loses_nothing(broker, services, logdir):
    """SIGKILL of the service while records flow, then a restart: no loss, duplicates within one batch."""
    topics = kit.make_topics(broker.bootstrap)
    group = kit.unique("g")
    first = kit.ServiceProc(broker.bootstrap, topics, group, logdir, "--max-poll-records", str(BATCH), name="first")
    services.append(first.start())
    first.wait_ready()
    stream = kit.Stream(kit.Feeder(broker.bootstrap, topics.raw), total=6000, rate=2000)
    stream.start()
    time.sleep(1.5)
    first.kill()
    killed_at = stream.sent
    second = kit.ServiceProc(broker.bootstrap, topics, group, logdir, "--max-poll-records", str(BATCH), name="second")
    services.append(second.start())
    stream.join(60)
    raw, events, passthrough, dead = kit.read_outputs(broker.bootstrap, topics, stream.total)
    acc = kit.account(raw, events, passthrough, dead)
    assert 0 < killed_at < stream.total
    assert acc.inputs == stream.total == len(stream.feeder.acked)
    assert acc.events == stream.total // 5 and acc.passthrough == stream.total - acc.events
    assert acc.duplicates <= BATCH, acc


def test_broker_restart_mid_stream_loses_nothing(durable_broker, services, logdir):
    """The broker is killed (SIGKILL) and restarted on durable storage while records flow: no loss."""
    b = durable_broker
    topics = kit.make_topics(b.bootstrap)
    svc = kit.ServiceProc(b.bootstrap, topics, kit.unique("g"), logdir, "--max-poll-records", str(BATCH),
                          "--no-idempotence")
    services.append(svc.start())
    svc.wait_ready(60)
    # linger: fewer, larger batches (Tansu on S3 stores one object per batch; thousands make fetches crawl)
    stream = kit.Stream(kit.Feeder(b.bootstrap, topics.raw, **{"linger.ms": 100}), total=2000, rate=400)
    stream.start()
    time.sleep(2.0)
    b.kill()
    killed_at = stream.sent
    time.sleep(1.5)
    b.start()
    stream.join(90)
    raw, events, passthrough, dead = kit.read_outputs(b.bootstrap, topics, len(stream.feeder.acked), timeout=90)
    acc = kit.account(raw, events, passthrough, dead)
    assert 0 < killed_at < stream.total
    assert set(stream.feeder.acked) <= {(m.partition, m.offset) for m in raw}, "the broker lost acked raw records"
    assert acc.duplicates <= 2 * BATCH, acc
    assert svc.proc.poll() is None, "the service must ride out a broker restart"
    assert svc.metric("tcplog_kafka_consumed_total") >= acc.inputs


POISON = [
    (b"null-value", None),
    (b"huge", b"A" * 300_000),
    (b"bad-json", b'{"message": "nf_conntrack: table full, dropping packet", '),
    (b"deep-json", b'{"a":' * 2000 + b"1" + b"}" * 2000),
    (b"json-no-message", b'{"level":"info","n":1}'),
    (b"json-message-int", b'{"message": 42, "host": "web1"}'),
    (b"json-array-msg", b'{"MESSAGE":[110,102,95,99,111,110,110,116,114,97,99,107,58,32,116,97,98,108,101,32,102,'
                        b'117,108,108,44,32,100,114,111,112,112,105,110,103,32,112,97,99,107,101,116],'
                        b'"_TRANSPORT":"kernel","_HOSTNAME":"web9","__REALTIME_TIMESTAMP":"x"}'),
    (b"not-utf8", b"Nov 22 10:00:00 web1 kernel: \xff\xfe nf_conntrack: table full, dropping packet \xc3"),
    (b"nul-bytes", b"\x00" * 100 + b"TCP: time wait bucket table overflow"),
    (b"long-kernel", b"Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow " + b"z" * 60000),
    (b"\xff\xfe\x00", b"[1.0] TCP: time wait bucket table overflow"),
    (b"crlf", b"Nov 22 10:00:00 web1 kernel: Out of socket memory\r\n"),
    (b"only-newlines", b"\n\n\n"),
    (b"rs-json", b"\x1e{\"message\":\"x\""),
    (b"kmsg", b"4,1201,3600000100,-;TCP: request_sock_TCP: Possible SYN flooding on port 8080. Sending cookies.\n"
              b" SUBSYSTEM=net"),
]


def test_poison_records_never_stop_the_service(broker, services, logdir):
    """Malformed, huge and hostile records between good ones: one process, every record accounted for."""
    topics = kit.make_topics(broker.bootstrap)
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir, "--max-poll-records", "7")
    services.append(svc.start())
    svc.wait_ready()
    feeder = kit.Feeder(broker.bootstrap, topics.raw, **{"message.max.bytes": 2_000_000})
    n = 0
    for round_ in range(3):
        for key, value in POISON:
            feeder.send(value, key, headers=[("h", None)] if round_ == 1 else None)
            good_key, good = kit.mix(n)
            feeder.send(good, good_key)
            n += 2
    feeder.flush()
    raw, events, passthrough, dead = kit.read_outputs(broker.bootstrap, topics, n)
    acc = kit.account(raw, events, passthrough, dead)
    assert acc.inputs == n and acc.duplicates == 0
    assert svc.proc.poll() is None and svc.get("/healthz")[0] == 200
    reasons = {m.headers["tcplog.error.type"] for m in dead}
    assert reasons == {b"null_value", b"too_large", b"invalid_json", b"no_message"}
    assert acc.dead == 3 * 7  # null, huge, bad json, deep json, no message, message int, RS + bad json
    assert acc.events >= 3 * 5
    rc, took = svc.term()
    assert rc == 0 and took < 5


def test_two_instances_share_partitions_and_survive_one_killed(broker, services, logdir):
    """Two instances split 4 partitions; one is SIGKILLed mid-stream; the other takes over; nothing lost."""
    topics = kit.make_topics(broker.bootstrap, partitions=4)
    group = kit.unique("g")
    a = kit.ServiceProc(broker.bootstrap, topics, group, logdir, "--max-poll-records", str(BATCH), name="a")
    b = kit.ServiceProc(broker.bootstrap, topics, group, logdir, "--max-poll-records", str(BATCH), name="b")
    services.extend([a.start(), b.start()])
    a.wait_ready()
    b.wait_ready()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        split = a.metric("tcplog_kafka_assigned_partitions"), b.metric("tcplog_kafka_assigned_partitions")
        if split == (2.0, 2.0):
            break
        time.sleep(0.2)
    assert split == (2.0, 2.0)
    stream = kit.Stream(kit.Feeder(broker.bootstrap, topics.raw), total=6000, rate=2000)
    stream.start()
    time.sleep(1.5)
    a.kill()
    stream.join(60)
    raw, events, passthrough, dead = kit.read_outputs(broker.bootstrap, topics, stream.total)
    acc = kit.account(raw, events, passthrough, dead)
    assert acc.inputs == stream.total
    assert acc.duplicates <= BATCH, acc
    assert b.metric("tcplog_kafka_assigned_partitions") == 4
    assert b.term()[0] == 0


def test_sigint_drains_like_sigterm(broker, services, logdir):
    """SIGINT is handled as SIGTERM: finish, flush, commit, leave the group, exit 0."""
    topics = kit.make_topics(broker.bootstrap)
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir)
    services.append(svc.start())
    svc.wait_ready()
    feeder = kit.Feeder(broker.bootstrap, topics.raw)
    for i in range(200):
        feeder.send(*reversed(kit.mix(i)))
    feeder.flush()
    kit.read_topic(broker.bootstrap, topics.events, count=40)
    t0 = time.monotonic()
    svc.proc.send_signal(signal.SIGINT)
    assert svc.proc.wait(10) == 0 and time.monotonic() - t0 < 5
    assert "stopped" in [line["msg"] for line in svc.logs()]
    acc = kit.account(*kit.read_outputs(broker.bootstrap, topics, 200))
    assert acc.inputs == 200 and acc.events == 40 and acc.duplicates == 0


def test_a_record_whose_event_is_too_large_becomes_a_dead_letter(broker, services, logdir):
    """An event larger than --max-request-size is refused by the client: the record itself goes to the
    dead-letter topic (too_large), the service goes on, and the accounting holds."""
    topics = kit.make_topics(broker.bootstrap, partitions=1)
    svc = kit.ServiceProc(broker.bootstrap, topics, kit.unique("g"), logdir, "--max-record-bytes", "20000",
                          "--max-request-size", "40000")
    services.append(svc.start())
    svc.wait_ready()
    # 10 kB of control bytes in a kmsg dictionary value: JSON-escaped six times over, in `raw` and in `source.extra`
    swollen = b"4,1201,3600000100,-;TCP: time wait bucket table overflow\n SUBSYSTEM=net\n DEVICE=+" + b"\x01" * 10000
    feeder = kit.Feeder(broker.bootstrap, topics.raw)
    for i in range(3):
        feeder.send(swollen, b"web1")
        feeder.send(*reversed(kit.mix(0)))
    feeder.flush()
    acc = kit.account(*kit.read_outputs(broker.bootstrap, topics, 6))
    assert (acc.inputs, acc.events, acc.dead, acc.duplicates) == (6, 3, 3, 0)
    dead = kit.read_topic(broker.bootstrap, topics.dead, count=3)
    assert all(m.value == swollen and m.headers["tcplog.error.type"] == b"too_large" for m in dead)
    assert b"MessageSizeTooLarge" in dead[0].headers["tcplog.error"]
    assert svc.metric("tcplog_kafka_errors_total", type="record_refused") == 3
    assert svc.term()[0] == 0
