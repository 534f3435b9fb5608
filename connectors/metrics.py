"""What `tcplog kafka` counts, and the HTTP port that shows it.

    GET /metrics   Prometheus text format (prometheus-client), the service's own registry
    GET /healthz   200 while the main loop turns (liveness), else 503
    GET /readyz    200 when partitions are assigned and the snapshot topic (if any) is loaded, else 503

Counters reconcile over committed input: consumed = events + passthrough + dead_lettered + skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ServiceMetrics:
    def __init__(self):
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.consumed = Counter("tcplog_kafka_consumed", "Input records processed and committed", ["topic"],
                                registry=r)
        self.events = Counter("tcplog_kafka_events", "Events produced to the output topic", ["family"], registry=r)
        self.passthrough = Counter("tcplog_kafka_passthrough",
                                   "Records not recognised, forwarded unchanged to the passthrough topic", registry=r)
        self.dead_lettered = Counter("tcplog_kafka_dead_lettered", "Records sent to the dead-letter topic",
                                     ["reason"], registry=r)
        self.skipped = Counter("tcplog_kafka_skipped",
                               "Records committed without output: no passthrough topic (not_recognised) or no "
                               "dead-letter topic (the dead-letter reason)", ["reason"], registry=r)
        self.errors = Counter("tcplog_kafka_errors", "Errors by type (the service kept running)", ["type"],
                              registry=r)
        self.lag = Gauge("tcplog_kafka_consumer_lag", "Records behind the partition's high watermark",
                         ["topic", "partition"], registry=r)
        self.assigned = Gauge("tcplog_kafka_assigned_partitions", "Input partitions assigned to this instance",
                              registry=r)
        self.produce_latency = Histogram("tcplog_kafka_produce_latency_seconds",
                                         "Send to acknowledgement (acks=all) of each produced message",
                                         buckets=LATENCY_BUCKETS, registry=r)
        self.batch_seconds = Histogram("tcplog_kafka_batch_seconds",
                                       "One batch: route, produce, flush and commit", buckets=LATENCY_BUCKETS,
                                       registry=r)
        self.snapshot_hosts = Gauge("tcplog_kafka_snapshot_hosts", "Hosts with a snapshot from the snapshot topic",
                                    registry=r)
        self.snapshot_loaded = Gauge("tcplog_kafka_snapshot_loaded",
                                     "1 once the snapshot topic was read to its end at start", registry=r)

    def text(self) -> bytes:
        return generate_latest(self.registry)


class StatusServer:
    """The metrics/health HTTP endpoint in a daemon thread; `port` is the one bound (useful with 0)."""

    def __init__(self, metrics: ServiceMetrics, live: Callable[[], bool], ready: Callable[[], bool],
                 port: int, bind: str = "127.0.0.1"):
        handler = _handler(metrics, live, ready)
        self.httpd = ThreadingHTTPServer((bind, port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="tcplog-metrics", daemon=True)

    def start(self) -> StatusServer:
        self.thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(metrics: ServiceMetrics, live, ready):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._answer(200, metrics.text(), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                ok = live()
                self._answer(200 if ok else 503, b"ok\n" if ok else b"main loop stalled\n")
            elif path == "/readyz":
                ok = ready()
                self._answer(200 if ok else 503, b"ready\n" if ok else b"not ready\n")
            else:
                self._answer(404, b"not found: try /metrics, /healthz, /readyz\n")

        def _answer(self, code: int, body: bytes, ctype: str = "text/plain; charset=utf-8"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 - quiet: no access log on stderr
            pass

    return Handler
