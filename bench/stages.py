"""Where one event's time goes: each stage of `tcplog scan` timed on its own, per event.

    python bench/stages.py                                   # the 20 % corpus (bench/.cache, made by run.py)
    python bench/stages.py FILE

Runs the single-process chain by hand over every candidate line of FILE, with a clock read
between stages: cut the line (after the block prefilter), frame it, match it (text cache, then
grammars), build the event, join and classify it (cause cache, then rules), the suppression
attacher, the occurrences estimate, and the JSON rendering. Prints seconds and µs per event for
each; the clock reads add ~0.1 µs to each stage. A profile of what the benchmark's figures are
made of, not a benchmark: the wall time of `tcplog scan` is in run.py's tables.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from tcplog import counting, framing, occurrences, render
from tcplog.classify import load_rules
from tcplog.connectors import files
from tcplog.event import build
from tcplog.framing.context import FramingContext
from tcplog.pipeline import Pipeline, PipelineSettings
from tcplog.record import Position
from tcplog.scan import Scanner

DEFAULT = Path(__file__).parent / ".cache" / "corpus-r0.2-n1000000-s1" / "syslog.log"
STAGES = ("cut", "frame", "match", "build", "explain", "attach", "occurrences", "render")


def run(path: Path) -> tuple[int, float, dict[str, int]]:
    """(events, wall seconds, nanoseconds per stage) over one file."""
    dispatcher = Scanner().dispatcher
    pipeline = Pipeline(PipelineSettings(), None, load_rules())
    attacher = counting.SuppressionAttacher()
    ctx = FramingContext(reference=datetime(2026, 11, 22, tzinfo=timezone.utc))
    spent = dict.fromkeys(STAGES, 0)
    clock = time.perf_counter_ns
    events, started = 0, time.perf_counter()
    with open(path, "rb") as f:
        for block in files.blocks(f):
            done_to = -1
            t = clock()
            for start in dispatcher.prefilter.positions(block):
                if start < done_to:
                    continue
                ls = block.rfind(b"\n", 0, start) + 1
                done_to = le = block.find(b"\n", start)
                marks = [clock()]
                record = framing.decode(block[ls:le], ctx, None)
                marks.append(clock())
                match = dispatcher.match(record) if record is not None else None
                marks.append(clock())
                if match is not None:
                    event = build(record, match, Position(str(path), None, ls))
                    marks.append(clock())
                    pipeline.explain(event)
                    marks.append(clock())
                    out = attacher.push(event)
                    marks.append(clock())
                    for e in out:
                        occurrences.finish(e)
                    marks.append(clock())
                    for e in out:
                        render.ndjson(e)
                    marks.append(clock())
                    events += 1
                previous = t
                for stage, mark in zip(STAGES, marks):
                    spent[stage] += mark - previous
                    previous = mark
                t = clock()
    return events, time.perf_counter() - started, spent


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    if not path.is_file():
        print(f"no such file: {path} (python bench/run.py makes the corpora)", file=sys.stderr)
        return 2
    events, wall, spent = run(path)
    print(f"{path}: {events:,} events in {wall:.2f} s")
    print("| stage | seconds | µs per event |\n| --- | ---: | ---: |")
    for stage in STAGES:
        print(f"| {stage} | {spent[stage] / 1e9:.2f} | {spent[stage] / max(events, 1) / 1000:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
