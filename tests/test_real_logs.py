"""Kernel network-stack lines as people pasted them in public, scanned as a user would scan them.

The corpus (tests/fixtures/real/*.txt) holds blocks of real log text, each copied byte for byte from
the page, issue or mail its `source:` names, with the lines around it (other programs, other kernel
subsystems). Its expectations were written by reading each line, not by running tcplog:

    #@ block: <id>                     a name, unique in the corpus
    #@ source: <url or id> (<note>)    where the text was taken from
    #@ reference: <ISO time>           optional: where year-less dates are placed (default 2026-12-31)
    #@ expect <n>: <message id> [key=value ...]
    <the block's lines, exactly as pasted>

Line <n> of the block gives exactly one event with that message id (the family is the id's prefix);
every other line gives none (a martian `ll header:` line is joined into its martian event). Values
are `null`, integers, floats or text (`%20` for a space); keys are event fields, or `host`,
`program`, `source.pid`, `time`, `monotonic`, `level`, `facility`, `caller`, `framing`, `extra.<key>`. A block with no
`expect` line must give no event at all: user-space programs quoting the kernel's words, look-alikes.
Each block is scanned as a file of its own, through the same path as `tcplog scan --no-classify`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tcplog.connectors import inputs
from tcplog.framing.context import FramingContext
from tcplog.grammars import FAMILIES
from tcplog.pipeline import Pipeline, PipelineSettings
from tcplog.scan import Scanner, Stats

CORPUS = Path(__file__).parent / "fixtures" / "real"
DEFAULT_REFERENCE = datetime(2026, 12, 31, tzinfo=timezone.utc)
HEADER = b"#@ "


@dataclass
class Block:
    name: str
    file: str
    source: str = ""
    reference: datetime = DEFAULT_REFERENCE
    expect: dict[int, tuple[str, dict]] = field(default_factory=dict)
    lines: list[bytes] = field(default_factory=list)


def _value(text: str):
    if text == "null":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text.replace("%20", " ")


def _header(block: Block, line: str) -> None:
    key, _, rest = line.partition(":")
    rest = rest.strip()
    if key == "source":
        block.source = rest
    elif key == "reference":
        block.reference = datetime.fromisoformat(rest.replace("Z", "+00:00"))
    elif key.startswith("expect "):
        number = int(key.removeprefix("expect "))
        message_id, *pairs = rest.split()
        wanted = {}
        for pair in pairs:
            name, eq, value = pair.partition("=")
            assert eq, f"{block.name}: expect {number}: {pair!r} is not key=value"
            wanted[name] = _value(value)
        assert number not in block.expect, f"{block.name}: line {number} expected twice"
        block.expect[number] = (message_id, wanted)
    else:
        raise AssertionError(f"{block.name}: unknown header {line!r}")


def read_corpus() -> list[Block]:
    blocks: list[Block] = []
    for path in sorted(CORPUS.glob("*.txt")):
        current = None
        for raw in path.read_bytes().split(b"\n")[:-1]:  # every file ends in a newline
            if raw.startswith(HEADER + b"block:"):
                current = Block(raw[len(HEADER) + 6:].decode().strip(), path.name)
                blocks.append(current)
            elif current is None:
                raise AssertionError(f"{path.name}: text before the first block: {raw!r}")
            elif raw.startswith(HEADER) and not current.lines:
                _header(current, raw[len(HEADER):].decode())
            else:
                current.lines.append(raw)
    return blocks


BLOCKS = read_corpus()


def scan(block: Block, tmp_path: Path) -> list[dict]:
    """The block's events, as `tcplog scan --no-classify` gives them for a file holding the block."""
    path = tmp_path / f"{block.name}.log"
    path.write_bytes(b"\n".join(block.lines) + b"\n")
    ctx = FramingContext(reference=block.reference)
    pipeline = Pipeline(PipelineSettings(classify=False))
    return list(inputs.events(str(path), None, Scanner(), pipeline, ctx, Stats()))


def _actual(event: dict, key: str):
    kernel, source = event["kernel"], event["source"]
    where = {"host": event["host"], "program": source["program"], "source.pid": source["pid"],
             "framing": source["framing"], "monotonic": kernel["monotonic"], "level": kernel["level"],
             "facility": kernel["facility"], "caller": kernel["caller"]}
    if key in where:
        return where[key]
    if key.startswith("extra."):
        return (source["extra"] or {}).get(key.removeprefix("extra."))
    if key == "time":
        return event["time"]
    assert key in event["fields"], f"{event['family']} has no field {key!r}"
    return event["fields"][key]


def _same_time(actual: str | None, wanted) -> bool:
    if actual is None or wanted is None:
        return actual is wanted
    parse = lambda t: datetime.fromisoformat(str(t).replace("Z", "+00:00"))  # noqa: E731
    return parse(actual) == parse(wanted)


@pytest.mark.parametrize("block", BLOCKS, ids=[b.name for b in BLOCKS])
def test_real_block(block: Block, tmp_path):
    """Each expected line gives its one event with the message id and fields a reader names; no other line gives one."""
    events = scan(block, tmp_path)
    got = sorted((e["source"]["line"], e["message_id"]) for e in events)
    wanted = sorted((n, m) for n, (m, _) in block.expect.items())
    lines = {n: block.lines[n - 1] for n, _ in got + wanted if 0 < n <= len(block.lines)}
    assert got == wanted, f"{block.source}\n" + "\n".join(f"{n}: {lines.get(n)!r}" for n in sorted(lines))
    by_line = {e["source"]["line"]: e for e in events}
    for number, (_, fields) in block.expect.items():
        event = by_line[number]
        for key, value in fields.items():
            actual = _actual(event, key)
            if key == "time":
                assert _same_time(actual, value), f"line {number}: time {actual} != {value}"
            else:
                assert actual == value, f"line {number}: {key} = {actual!r}, not {value!r}"


def test_corpus_blocks_are_well_formed():
    """Every block names its source, is unique, holds text, and expects lines it has."""
    names = [b.name for b in BLOCKS]
    assert len(names) == len(set(names)), "duplicate block names"
    for b in BLOCKS:
        assert b.source, f"{b.name}: no source"
        assert b.lines, f"{b.name}: no text"
        assert all(0 < n <= len(b.lines) for n in b.expect), f"{b.name}: expects a line it does not have"


def test_corpus_covers_every_family():
    """Real lines of every family are in the corpus, 150 expected lines or more in all."""
    expected = [m for b in BLOCKS for m, _ in b.expect.values()]
    families = {m.split(".")[0] for m in expected}
    assert {f.FAMILY for f in FAMILIES} <= families, sorted({f.FAMILY for f in FAMILIES} - families)
    assert len(expected) >= 150
