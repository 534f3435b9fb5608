"""Host snapshots over Kafka: a compacted topic keyed by host, read by every `tcplog kafka` instance.

    tcplog snapshot --to-kafka --bootstrap-servers kafka:9092 --snapshot-topic tcplog.snapshots
        → one message per snapshot: key = host, value = the tcplog.snapshot/1 document (JSON)

    KafkaSnapshotStore   the SnapshotStore interface (tcplog.snapshot.store) over that topic
    SnapshotFollower     a thread reading the topic from the beginning, then following it
    KafkaPublisher       what `tcplog snapshot --to-kafka` puts each snapshot through (publish(...) for a list)

Compaction keeps the latest snapshot of each host; while an instance runs it keeps up to
`keep_per_host` snapshots of each host it has seen (so an event between two snapshots still
joins both). A message with a null value (tombstone) forgets the host. A document that does
not validate is skipped, counted and logged, never fatal.

Threads: the follower only validates documents and queues them; the service's main loop
applies the queue between polls (`apply_pending`), so the enricher never sees a store
changing under it. `loaded` is set once the follower has read every partition to the high
watermark it saw at start (taken from fetch responses, not ListOffsets).

Clients come from tcplog.connectors.kafka (the only module importing kafka-python).
"""

from __future__ import annotations

import queue
import threading

from tcplog.errors import SnapshotError
from tcplog.snapshot.document import MAX_BYTES, dumps, load_bytes, validate
from tcplog.snapshot.store import MemoryStore, SnapshotRef, host_key, ref_of

KEEP_PER_HOST = 16


class KafkaSnapshotStore(MemoryStore):
    """MemoryStore's reading side; fed from the topic (`offer`, `apply_pending`), and bounded to
    `keep_per_host` snapshots of each host. `put` keeps a document in this instance only
    (publishing is `publish`)."""

    WHERE = "<kafka>"
    MISSING = "no such snapshot (forgotten or never read)"

    def __init__(self, keep_per_host: int = KEEP_PER_HOST):
        super().__init__()
        self.keep_per_host = keep_per_host
        self._pending: queue.SimpleQueue = queue.SimpleQueue()
        self.loaded = threading.Event()
        self.invalid = 0  # documents skipped because they did not validate

    # feeding
    def offer(self, key: bytes | None, value: bytes | None, where: str) -> str | None:
        """Validate one topic message and queue it (any thread); the problem as text, or None."""
        if value is None:
            if not key:
                return "tombstone without a key"
            self._pending.put((key.decode("utf-8", "replace"), None))
            return None
        try:
            doc = load_bytes(value, where)
            ref = ref_of(doc, where)
        except SnapshotError as exc:
            self.invalid += 1
            return str(exc)
        self._pending.put((ref, dumps(doc)))
        return None

    def apply_pending(self) -> set[str]:
        """Apply what the follower queued (main thread); the hosts whose snapshots changed."""
        changed: set[str] = set()
        while True:
            try:
                ref, data = self._pending.get_nowait()
            except queue.Empty:
                return changed
            if data is None:
                docs = self._docs.pop(host_key(ref), {})
                changed.update(r.host for r, _ in docs.values())
                changed.add(ref)
            else:
                self._keep(ref, data)
                changed.add(ref.host)

    def _keep(self, ref: SnapshotRef, data: bytes) -> None:
        super()._keep(ref, data)
        docs = self._docs[host_key(ref.host)]
        if len(docs) > self.keep_per_host:
            oldest = min(docs.values(), key=lambda item: item[0].time)[0]
            del docs[oldest.id]


class SnapshotFollower(threading.Thread):
    """Reads the snapshot topic from the beginning into a KafkaSnapshotStore, then follows it."""

    def __init__(self, settings, store: KafkaSnapshotStore, log, metrics=None):
        super().__init__(name="tcplog-snapshots", daemon=True)
        self.settings = settings
        self.store = store
        self.log = log
        self.metrics = metrics
        self._halt = threading.Event()

    def stop(self, timeout: float = 5.0) -> None:
        self._halt.set()
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        from tcplog.connectors import kafka

        topic = self.settings.snapshot_topic
        while not self._halt.is_set():
            try:
                found = kafka.topic_consumer(self.settings, topic)
                if found is None:
                    self._problem("snapshot_topic_missing", topic=topic)
                    self._halt.wait(5)
                    continue
                consumer, tps = found
                try:
                    self._follow(consumer, tps)
                finally:
                    consumer.close(autocommit=False)
            except Exception as exc:  # noqa: BLE001 - the follower retries; the service keeps running
                self._problem("snapshot_follow", error=type(exc).__name__, detail=str(exc)[:300])
                self._halt.wait(2)

    def _follow(self, consumer, tps) -> None:
        from tcplog.connectors import kafka

        while not self._halt.is_set():
            batch = consumer.poll(timeout_ms=500)
            for records in batch.values():
                for rec in records:
                    where = f"{rec.topic}/{rec.partition}@{rec.offset}"
                    problem = self.store.offer(rec.key, rec.value, where)
                    if problem is not None:
                        self._problem("snapshot_invalid", where=where, detail=problem[:300])
            if not self.store.loaded.is_set() and kafka.caught_up(consumer, tps):
                self.store.loaded.set()
                if self.metrics is not None:
                    self.metrics.snapshot_loaded.set(1)

    def _problem(self, kind: str, **fields) -> None:
        if self.metrics is not None:
            self.metrics.errors.labels(kind).inc()
        self.log("warning", kind, **fields)


class KafkaPublisher:
    """What `tcplog snapshot --to-kafka` puts snapshots through, used like a store: `put` publishes
    one document (key = host, acks=all, flushed) and `path` names where it went."""

    def __init__(self, settings):
        self.settings = settings
        self._producer = None
        self.where = f"kafka {','.join(settings.bootstrap_servers)} topic {settings.snapshot_topic}"

    def put(self, doc: dict) -> SnapshotRef:
        return self.publish([doc])[0]

    def path(self, ref: SnapshotRef) -> str:
        return f"kafka:{self.settings.snapshot_topic}/{ref.host}/{ref.id}"

    def publish(self, docs: list[dict]) -> list[SnapshotRef]:
        """Send documents; SnapshotError for one without a host, InputError when the broker does not acknowledge."""
        from tcplog.connectors import kafka
        from tcplog.errors import InputError

        prepared = []
        for doc in docs:
            validate(doc, "<snapshot to publish>")
            ref = ref_of(doc, "<snapshot to publish>")
            prepared.append((ref, dumps(doc)))
        s = self.settings
        if self._producer is None:
            try:
                self._producer = kafka.new_producer(s, max_request_size=max(s.max_request_size, MAX_BYTES + 65536))
            except Exception as exc:  # noqa: BLE001 - mapped at the boundary
                raise InputError(self.where, f"cannot connect: {type(exc).__name__}: {exc}") from None
        try:
            futures = [self._producer.send(s.snapshot_topic, key=ref.host.encode(), value=data)
                       for ref, data in prepared]
            self._producer.flush(timeout=s.delivery_timeout_ms / 1000 + 5)
            for f in futures:
                f.get(timeout=0)
        except Exception as exc:  # noqa: BLE001
            raise InputError(self.where, f"not acknowledged: {type(exc).__name__}: {exc}") from None
        return [ref for ref, _ in prepared]

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None


def publish(settings, docs: list[dict]) -> list[SnapshotRef]:
    """Send documents to `settings.snapshot_topic` (key = host), acks=all; the refs sent."""
    publisher = KafkaPublisher(settings)
    try:
        return publisher.publish(docs)
    finally:
        publisher.close()
