"""Structured logs for services: one JSON object per line on stderr, rate-limited per kind.

    log = JsonLog(sys.stderr, per_minute=20)
    log("warning", "produce_failed", error="KafkaTimeoutError", batch=500)
    # {"time":"2026-11-22T10:00:00.123456Z","level":"warning","msg":"produce_failed","error":"KafkaTimeoutError","batch":500}

At most `per_minute` lines of one kind (`msg`) are written per minute; the next line of that
kind written after the window says how many were left out (`"suppressed": N`), so a flood
of one problem neither fills a disk nor hides the others. `bridge()` sends kafka-python's
own warnings through the same path. Nothing here is on the per-record path.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

import orjson

WINDOW_S = 60.0


class JsonLog:
    def __init__(self, stream, per_minute: int = 20, clock=time.monotonic):
        self.stream = stream
        self.per_minute = per_minute
        self.clock = clock
        self._lock = threading.RLock()  # a signal handler may log while the main thread logs
        self._windows: dict[str, list] = {}  # msg -> [window start, lines written, lines suppressed]

    def __call__(self, level: str, msg: str, **fields) -> bool:
        """Write one line unless this kind is over its rate; True when written."""
        now = self.clock()
        with self._lock:
            w = self._windows.get(msg)
            if w is None or now - w[0] >= WINDOW_S:
                suppressed = w[2] if w else 0
                w = self._windows[msg] = [now, 0, 0]
                if suppressed:
                    fields["suppressed"] = suppressed
            if w[1] >= self.per_minute:
                w[2] += 1
                return False
            w[1] += 1
            line = {"time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "level": level,
                    "msg": msg, **fields}
            try:
                self.stream.write(orjson.dumps(line, default=str).decode() + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            return True


class _Bridge(logging.Handler):
    def __init__(self, log: JsonLog):
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad log call in a library must not break the service
            text = str(record.msg)
        self.log(record.levelname.lower(), f"{record.name}", text=text[:1000])


def bridge(log: JsonLog, logger_name: str = "kafka") -> None:
    """Route a library's WARNING-and-above log records into `log`, and nothing to the root logger."""
    lib = logging.getLogger(logger_name)
    lib.handlers[:] = [_Bridge(log)]
    lib.setLevel(logging.WARNING)
    lib.propagate = False
