"""Coverage-guided fuzzing (atheris/libFuzzer) of the record path: framing → prefilter → grammar →
event, and the filter's one-answer-per-record contract.

    python fuzz/fuzz_records.py -runs=20000 CORPUS fuzz/seeds/records       # what `make test` runs (bounded)
    python fuzz/fuzz_records.py -max_total_time=3600 CORPUS fuzz/seeds/records   # a long run (docs/RELIABILITY.md)

Any exception, or a filter answer that is not exactly one JSON object line (json-seq's leading
RS kept as it came), is a crash; libFuzzer
writes the input to crash-*, and it becomes a regression case in tests/fuzz_regressions/records/.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import atheris

with atheris.instrument_imports():
    import orjson

    from tcplog import framing
    from tcplog.dispatch import Dispatcher
    from tcplog.filter import Filter
    from tcplog.framing.context import FramingContext

CTX = FramingContext(reference=datetime(2026, 11, 22, tzinfo=timezone.utc))
DISPATCHER = Dispatcher(extra_triggers=framing.EXTRA_TRIGGERS)
FILTER = Filter()


def one_input(data: bytes) -> None:
    line = data.replace(b"\n", b" ")
    record = framing.decode(line, CTX)
    if record is not None:
        DISPATCHER.match(record)
    out = FILTER.process(line, CTX)
    if out.count(b"\n") != 1 or not out.endswith(b"\n") or not isinstance(orjson.loads(out.lstrip(b"\x1e")), dict):
        raise AssertionError(f"filter answer is not one JSON object line: {out[:200]!r}")


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
