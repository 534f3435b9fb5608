"""Kafka: the consumer-group service behind `tcplog kafka`, and the clients the snapshot topic uses.

The only module that imports kafka-python (pinned >=3.0,<4).

    one turn of the loop
      poll ≤ max_poll_records records            (the batch)
      route each one (tcplog.route)              → event | passthrough | dead letter
      send each outcome (acks=all)               → output | passthrough | dead-letter topic
      flush, check every acknowledgement
      commit offset+1 of the last record per partition

Delivery is at-least-once: input offsets are committed only after every message produced
from them is acknowledged. When a send fails (broker gone, timeout), nothing is committed:
the producer is rebuilt and the consumer seeks back to the start of the batch, so the batch
is read and produced again (duplicates carry the same event id). A record the broker
refuses on its own (too large) goes to the dead-letter topic instead. A crash (SIGKILL)
leaves at most the batch in hand uncommitted; it is read again by whoever owns the partition.

SIGTERM/SIGINT: no new poll; the batch in hand is finished, flushed and committed; the
consumer leaves the group (LeaveGroup, so the partitions move at once) and the process exits
0. If that takes longer than --shutdown-timeout, it exits 1 without committing (the batch is
read again). A second signal exits 1 at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka import errors as kerrors
from kafka.structs import OffsetAndMetadata

from tcplog.connectors.jsonlog import JsonLog, bridge
from tcplog.connectors.kafka_settings import KafkaSettings
from tcplog.connectors.metrics import ServiceMetrics, StatusServer
from tcplog.route import DEAD_LETTER, EVENT, PASSTHROUGH, Origin, Outcome, Router, dead_letter

POLL_MS = 200  # the longest a stop request waits for the poll in progress
LAG_EVERY_S = 1.0
BACKOFF_S = (0.5, 1, 2, 5, 10)
# Refusals that belong to one record, not to the broker: that record becomes a dead letter.
RECORD_ERRORS = (kerrors.MessageSizeTooLargeError, kerrors.RecordListTooLargeError, kerrors.InvalidRecordError,
                 kerrors.CorruptRecordError)
EXIT_OK, EXIT_FAIL = 0, 1


class Interrupted(Exception):
    """Raised by the signal handler into a connection attempt, where nothing is in hand."""


# -- clients ------------------------------------------------------------------------------------


def client_kwargs(s: KafkaSettings) -> dict:
    kw = {"bootstrap_servers": list(s.bootstrap_servers), "client_id": s.client_id,
          "security_protocol": s.security_protocol, "request_timeout_ms": s.request_timeout_ms,
          "reconnect_backoff_max_ms": 1000}
    if s.sasl_mechanism:
        kw.update(sasl_mechanism=s.sasl_mechanism, sasl_plain_username=s.sasl_username,
                  sasl_plain_password=s.sasl_password)
    if s.security_protocol in ("SSL", "SASL_SSL"):
        kw.update(ssl_cafile=s.ssl_cafile, ssl_certfile=s.ssl_certfile, ssl_keyfile=s.ssl_keyfile,
                  ssl_password=s.ssl_password, ssl_crlfile=s.ssl_crlfile, ssl_check_hostname=s.ssl_check_hostname)
    return kw


def producer_kwargs(s: KafkaSettings) -> dict:
    return {**client_kwargs(s), "acks": "all", "compression_type": None if s.compression == "none" else s.compression,
            "batch_size": s.batch_size, "linger_ms": s.linger_ms, "max_request_size": s.max_request_size,
            "delivery_timeout_ms": s.delivery_timeout_ms, "enable_idempotence": s.idempotence,
            # without idempotence, one request in flight keeps each partition in order across retries
            "max_in_flight_requests_per_connection": 5 if s.idempotence else 1,
            "allow_auto_create_topics": s.allow_auto_create_topics,
            "max_block_ms": min(s.delivery_timeout_ms, 10000)}


def consumer_kwargs(s: KafkaSettings, group: bool = True) -> dict:
    kw = {**client_kwargs(s), "enable_auto_commit": False, "auto_offset_reset": s.auto_offset_reset,
          "max_poll_records": s.max_poll_records, "fetch_min_bytes": s.fetch_min_bytes,
          "fetch_max_bytes": s.fetch_max_bytes, "max_partition_fetch_bytes": s.max_partition_fetch_bytes,
          "fetch_max_wait_ms": s.fetch_max_wait_ms, "allow_auto_create_topics": s.allow_auto_create_topics}
    if group:
        kw.update(group_id=s.group_id, session_timeout_ms=s.session_timeout_ms,
                  heartbeat_interval_ms=s.heartbeat_interval_ms, max_poll_interval_ms=s.max_poll_interval_ms)
    return kw


def new_producer(s: KafkaSettings, **override) -> KafkaProducer:
    return KafkaProducer(**{**producer_kwargs(s), **override})


def topic_consumer(s: KafkaSettings, topic: str) -> tuple[KafkaConsumer, list] | None:
    """A group-less consumer assigned every partition of `topic`, at the beginning; None if no such topic."""
    consumer = KafkaConsumer(**consumer_kwargs(s, group=False))
    parts = consumer.partitions_for_topic(topic)
    if not parts:
        consumer.close(autocommit=False)
        return None
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    return consumer, tps


def caught_up(consumer: KafkaConsumer, tps: list) -> bool:
    """Every partition read to its high watermark (taken from fetch responses: end_offsets() is
    not trusted, some brokers answer ListOffsets(LATEST) wrongly)."""
    for tp in tps:
        hw = consumer.highwater(tp)
        if hw is None:
            return False
        pos = consumer.position(tp, timeout_ms=0)
        if pos is None or pos < hw:
            return False
    return True


def error_name(exc: BaseException) -> str:
    return type(exc).__name__


# -- the service --------------------------------------------------------------------------------


class Service:
    def __init__(self, settings: KafkaSettings, router: Router, log: JsonLog, metrics: ServiceMetrics | None = None,
                 snapshots=None, on_snapshots=None):
        self.s = settings
        self.router = router
        self.log = log
        self.metrics = metrics or ServiceMetrics()
        self.snapshots = snapshots  # KafkaSnapshotStore or None
        self.on_snapshots = on_snapshots  # called with the hosts whose snapshots changed
        self.stopping = threading.Event()
        self.interruptible = False  # True while connecting: a stop request may abort the attempt
        self.assigned: set = set()
        self.consumer: KafkaConsumer | None = None
        self.producer: KafkaProducer | None = None
        self.follower = None
        self._last_turn = time.monotonic()
        self._last_lag = 0.0
        self._failures = 0
        self._committed_cleanly = True
        self._route_errors_seen = 0
        self._live_limit = (settings.delivery_timeout_ms + 2 * settings.request_timeout_ms) / 1000 + 30

    # health
    def live(self) -> bool:
        return time.monotonic() - self._last_turn < self._live_limit

    def ready(self) -> bool:
        loaded = self.snapshots is None or self.snapshots.loaded.is_set()
        return bool(self.assigned) and loaded and not self.stopping.is_set()

    def stop(self) -> None:
        self.stopping.set()

    # main loop
    def run(self) -> int:
        s = self.s
        self.log("info", "starting", settings=s.public())
        if s.snapshot_topic:
            from tcplog.connectors.kafka_snapshots import SnapshotFollower

            self.follower = SnapshotFollower(s, self.snapshots, self.log, self.metrics)
            self.follower.start()
            while not self.stopping.is_set() and not self.snapshots.loaded.wait(0.2):
                self._last_turn = time.monotonic()
            self._apply_snapshots()
            if self.snapshots.loaded.is_set():
                self.log("info", "snapshots_loaded", topic=s.snapshot_topic, hosts=len(self.snapshots.hosts()))
        try:
            if not self.stopping.is_set():
                self._connect()
            while not self.stopping.is_set():
                self._turn()
        except Interrupted:
            pass
        finally:
            self._close()
        code = EXIT_OK if self._committed_cleanly else EXIT_FAIL
        self.log("info", "stopped", exit=code)
        return code

    def _connect(self) -> None:
        """Build the clients, retrying with a pause; a stop request interrupts it (nothing is in hand)."""
        attempt = 0
        while not self.stopping.is_set():
            try:
                self.interruptible = True
                self.consumer = KafkaConsumer(**consumer_kwargs(self.s))
                self.producer = new_producer(self.s)
                self.interruptible = False
                self.consumer.subscribe(list(self.s.input_topic), listener=_Listener(self))
                self.log("info", "connected", input=list(self.s.input_topic), group=self.s.group_id)
                return
            except Interrupted:
                return
            except kerrors.KafkaError as exc:
                self.interruptible = False
                self._close_clients()
                self._error("connect", exc)
                self._sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
                attempt += 1
            finally:
                self.interruptible = False

    def _turn(self) -> None:
        self._last_turn = time.monotonic()
        self._apply_snapshots()
        try:
            batch = self.consumer.poll(timeout_ms=POLL_MS, max_records=self.s.max_poll_records)
        except Exception as exc:  # noqa: BLE001 - the service keeps running; nothing was taken yet
            self._error("poll", exc)
            self._sleep(1.0)
            return
        self._update_lag()
        if batch:
            self._process(batch)

    def _process(self, batch: dict) -> None:
        t0 = time.monotonic()
        sent: list[tuple] = []  # (future, outcome, origin, tally key, the record's value)
        tally: Counter = Counter()  # (input topic, kind, label) -> records
        try:
            for tp, records in batch.items():
                for rec in records:
                    ts = rec.timestamp
                    ref = datetime.fromtimestamp(ts / 1000, timezone.utc) if ts and ts > 0 \
                        else datetime.now(timezone.utc)
                    origin = Origin(rec.topic, rec.partition, rec.offset, ref)
                    out = self.router.route(rec.value, rec.key, rec.headers, origin)
                    tally[self._send(out, origin, sent, rec.value)] += 1
            self._note_route_errors()
            delivered = self._delivered(sent, tally)
        except Exception as exc:  # noqa: BLE001 - whatever broke, the batch is read again, never skipped
            self._error("internal" if not isinstance(exc, kerrors.KafkaError) else "produce", exc)
            delivered = False
        if not delivered:
            self._rewind(batch)
            return
        offsets = {tp: OffsetAndMetadata(records[-1].offset + 1, "", -1) for tp, records in batch.items()}
        if self._commit(offsets):
            self._failures = 0
        for (topic, kind, label), n in tally.items():
            if not n:
                continue
            self.metrics.consumed.labels(topic).inc(n)
            if kind == EVENT:
                self.metrics.events.labels(label).inc(n)
            elif kind == PASSTHROUGH:
                self.metrics.passthrough.inc(n)
            elif kind == DEAD_LETTER:
                self.metrics.dead_lettered.labels(label).inc(n)
            else:
                self.metrics.skipped.labels(label).inc(n)
        self.metrics.batch_seconds.observe(time.monotonic() - t0)

    def _send(self, out: Outcome, origin: Origin, sent: list, raw: bytes | None) -> tuple[str, str, str]:
        """Send one outcome (or count it as skipped); its tally key (input topic, kind, label).

        Raises KafkaError when the producer cannot take it (the batch is then read again)."""
        s = self.s
        if out.kind == EVENT:
            topic, label = s.output_topic, out.family
        elif out.kind == PASSTHROUGH:
            topic, label = s.passthrough_topic, "not_recognised"
        else:
            topic, label = s.dead_letter_topic, out.error_type
        if topic is None:
            return origin.topic, "skipped", label
        try:
            future = self.producer.send(topic, value=out.value, key=out.key, headers=out.headers)
        except RECORD_ERRORS as exc:
            if out.kind == DEAD_LETTER or s.dead_letter_topic is None:
                self._error("record_refused", exc)
                return origin.topic, "skipped", "too_large"
            return self._send(self._refused(out, origin, exc, raw), origin, sent, raw)
        except kerrors.KafkaError:
            raise  # the producer, not the record: the batch is read again
        except Exception as exc:  # noqa: BLE001 - the client refused this record's shape: dead-letter it
            self._error("record_refused", exc)
            if out.kind == DEAD_LETTER and out.error_type == "internal" or s.dead_letter_topic is None:
                return origin.topic, "skipped", "internal"
            letter = dead_letter(raw, out.key if isinstance(out.key, bytes) else None, [], origin, "internal",
                                 f"{error_name(exc)}: {exc}"[:500], s.max_record_bytes)
            return self._send(letter, origin, sent, raw)
        future.add_callback(self._acked, time.monotonic())
        key = (origin.topic, out.kind, label)
        sent.append((future, out, origin, key, raw))
        return key

    def _acked(self, t_sent: float, _metadata) -> None:
        self.metrics.produce_latency.observe(time.monotonic() - t_sent)

    def _refused(self, out: Outcome, origin: Origin, exc: BaseException, raw: bytes | None) -> Outcome:
        """The dead letter (holding the record itself) standing for an outcome the broker or client refused."""
        self._error("record_refused", exc)
        limit = min(self.s.max_record_bytes, self.s.max_request_size // 2)
        return dead_letter(raw, out.key, [], origin, "too_large",
                           f"{error_name(exc)}: the {out.kind} was refused by the broker", limit)

    def _delivered(self, sent: list, tally: Counter) -> bool:
        """Flush and check every acknowledgement; refused records are re-sent as dead letters."""
        for _ in range(2):
            try:
                self.producer.flush(timeout=self.s.delivery_timeout_ms / 1000 + 5)
            except kerrors.KafkaError as exc:
                self._error("produce", exc)
                return False
            failed = [item for item in sent if not item[0].is_done or item[0].failed()]
            if not failed:
                return True
            retry = []
            for future, out, origin, key, raw in failed:
                exc = future.exception if future.is_done else kerrors.KafkaTimeoutError("not acknowledged")
                if not (isinstance(exc, RECORD_ERRORS) and out.kind != DEAD_LETTER and self.s.dead_letter_topic):
                    self._error("produce", exc)
                    return False
                letter = self._refused(out, origin, exc, raw)
                new_key = (origin.topic, DEAD_LETTER, "too_large")
                retry.append((self.producer.send(self.s.dead_letter_topic, value=letter.value, key=letter.key,
                                                 headers=letter.headers), letter, origin, new_key, raw))
                tally[key] -= 1
                tally[new_key] += 1
            sent = retry
        return False

    def _rewind(self, batch: dict) -> None:
        """Nothing of the batch is committed: read it again with a new producer, after a pause."""
        self._committed_cleanly = False
        for tp, records in batch.items():
            try:
                self.consumer.seek(tp, records[0].offset)
            except (kerrors.KafkaError, AssertionError):
                pass  # no longer ours: the new owner starts at the committed offset
        self._failures += 1
        self.log("warning", "batch_retried", records=sum(len(r) for r in batch.values()), attempt=self._failures)
        try:
            self.producer.close(timeout=1)
        except Exception:  # noqa: BLE001 - a broken producer is replaced either way
            pass
        self._sleep(BACKOFF_S[min(self._failures - 1, len(BACKOFF_S) - 1)])
        while True:
            try:
                self.producer = new_producer(self.s)
                return
            except kerrors.KafkaError as exc:
                self._error("connect", exc)
                if self.stopping.is_set():
                    self.producer = None
                    return
                self._sleep(BACKOFF_S[-1])

    def _commit(self, offsets: dict) -> bool:
        attempt = 0
        while True:
            try:
                self.consumer.commit(offsets, timeout_ms=self.s.request_timeout_ms)
                self._committed_cleanly = True
                return True
            except kerrors.CommitFailedError as exc:
                # the partitions moved to another member: it reads them again from the last commit
                self._error("commit_rebalanced", exc)
                return False
            except (kerrors.KafkaError, AssertionError) as exc:
                self._error("commit", exc)
                if self.stopping.is_set():
                    self._committed_cleanly = False
                    return False
                self._sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
                attempt += 1

    def _update_lag(self) -> None:
        now = time.monotonic()
        if now - self._last_lag < LAG_EVERY_S:
            return
        self._last_lag = now
        for tp in list(self.assigned):
            hw = self.consumer.highwater(tp)
            if hw is None:
                continue
            try:
                pos = self.consumer.position(tp, timeout_ms=0)
            except (kerrors.KafkaError, AssertionError):
                continue
            if pos is not None:
                self.metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, hw - pos))

    def _apply_snapshots(self) -> None:
        if self.snapshots is None:
            return
        changed = self.snapshots.apply_pending()
        if changed:
            self.metrics.snapshot_hosts.set(len(self.snapshots.hosts()))
            if self.on_snapshots is not None:
                self.on_snapshots(changed)

    def _note_route_errors(self) -> None:
        n = self.router.classify_errors
        if n > self._route_errors_seen:
            self.metrics.errors.labels("classify").inc(n - self._route_errors_seen)
            self.log("warning", "classify_failed", error=repr(self.router.last_error)[:500])
            self._route_errors_seen = n

    def _error(self, kind: str, exc: BaseException) -> None:
        self.metrics.errors.labels(kind).inc()
        self.log("warning", kind, error=error_name(exc), detail=str(exc)[:500])

    def _sleep(self, seconds: float) -> None:
        self.stopping.wait(seconds)
        self._last_turn = time.monotonic()

    def _close_clients(self) -> None:
        if self.consumer is not None:
            try:
                self.consumer.close(autocommit=False, timeout_ms=min(5000, self.s.request_timeout_ms))
            except Exception as exc:  # noqa: BLE001 - closing is best effort
                self.log("warning", "close", error=error_name(exc))
            self.consumer = None
        if self.producer is not None:
            try:
                self.producer.close(timeout=5)
            except Exception as exc:  # noqa: BLE001
                self.log("warning", "close", error=error_name(exc))
            self.producer = None

    def _close(self) -> None:
        self.assigned = set()
        self._close_clients()  # LeaveGroup: the partitions move to the others at once
        if self.follower is not None:
            self.follower.stop()


class _Listener(ConsumerRebalanceListener):
    """Every batch is committed before the next poll, so a rebalance finds nothing in hand."""

    def __init__(self, service: Service):
        self.service = service

    def on_partitions_revoked(self, revoked):
        svc = self.service
        svc.assigned -= set(revoked)
        for tp in revoked:
            try:
                svc.metrics.lag.remove(tp.topic, str(tp.partition))
            except KeyError:
                pass
        svc.metrics.assigned.set(len(svc.assigned))
        if revoked:
            svc.log("info", "partitions_revoked", partitions=_names(revoked))

    def on_partitions_assigned(self, assigned):
        svc = self.service
        svc.assigned |= set(assigned)
        svc.metrics.assigned.set(len(svc.assigned))
        svc.log("info", "partitions_assigned", partitions=_names(assigned))


def _names(tps) -> list[str]:
    return sorted(f"{tp.topic}/{tp.partition}" for tp in tps)


# -- running it ---------------------------------------------------------------------------------


def serve(settings: KafkaSettings, router: Router, snapshots=None, on_snapshots=None, stream=None) -> int:
    """Run the service until SIGTERM/SIGINT; the exit code."""
    log = JsonLog(stream or sys.stderr, per_minute=settings.log_rate)
    bridge(log)
    metrics = ServiceMetrics()
    service = Service(settings, router, log, metrics, snapshots, on_snapshots)
    status = None
    if settings.metrics_port is not None:
        status = StatusServer(metrics, service.live, service.ready, settings.metrics_port,
                              settings.metrics_bind).start()
        log("info", "metrics_listening", bind=settings.metrics_bind, port=status.port)
    restore = _install_signals(service, log, settings.shutdown_timeout)
    try:
        return service.run()
    finally:
        restore()
        if status is not None:
            status.close()


def _install_signals(service: Service, log: JsonLog, bound: float):
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    state = {"timer": None}

    def give_up():
        log("error", "shutdown_timeout", seconds=bound, note="batch in hand not committed; it is read again")
        sys.stderr.flush()
        os._exit(EXIT_FAIL)

    def handler(signum, _frame):
        if service.stopping.is_set():
            log("warning", "second_signal", signal=signal.Signals(signum).name)
            sys.stderr.flush()
            os._exit(EXIT_FAIL)
        log("info", "stopping", signal=signal.Signals(signum).name, bound_s=bound)
        service.stop()
        timer = state["timer"] = threading.Timer(bound, give_up)
        timer.daemon = True
        timer.start()
        if service.interruptible:
            raise Interrupted()

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore():
        if state["timer"] is not None:
            state["timer"].cancel()
        for sig, h in old.items():
            signal.signal(sig, h)

    return restore
