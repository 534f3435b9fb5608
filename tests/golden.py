"""Golden files: input lines and the events they must produce, kept together.

Format (one file per family under goldens/families, per framing under goldens/framings):

    # comments at the top
    === match: what the case shows
    <input lines, exactly as in a log>
    ---
    <expected events, one JSON object per line, keys sorted>

Case kinds: `match` (must produce events), `near-miss` and `malformed` (must produce none).
`pytest --update-goldens` rewrites the part after `---` from what the code produces now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson

from tcplog.connectors.files import blocks
from tcplog.framing.context import FramingContext
from tcplog.scan import Scanner, Stats

ROOT = Path(__file__).parent / "goldens"
REFERENCE = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)
KINDS = ("match", "near-miss", "malformed")


@dataclass
class Case:
    kind: str
    title: str
    lines: list[str]
    expected: list[str] = field(default_factory=list)


def read(path: Path) -> tuple[list[str], list[Case]]:
    header: list[str] = []
    cases: list[Case] = []
    section = None
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    for line in text.split("\n"):
        if line.startswith("=== "):
            kind, _, title = line[4:].partition(":")
            kind = kind.strip()
            if kind not in KINDS:
                raise ValueError(f"{path}: unknown case kind {kind!r} in {line!r}")
            cases.append(Case(kind, title.strip(), []))
            section = "input"
        elif section is None:
            header.append(line)
        elif line == "---" and section == "input":
            section = "expected"
        elif section == "input":
            cases[-1].lines.append(line)
        elif line.strip():
            cases[-1].expected.append(line)
    return header, cases


def write(path: Path, header: list[str], cases: list[Case]) -> None:
    while header and header[-1] == "":
        header.pop()
    out = list(header)
    for case in cases:
        out.append(f"=== {case.kind}: {case.title}")
        out.extend(case.lines)
        out.append("---")
        out.extend(case.expected)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(out) + "\n")


def run(lines: list[str], scanner: Scanner | None = None) -> list[dict]:
    """The events the scanner makes of these lines, as one file named <golden>."""
    data = ("\n".join(lines) + "\n").encode("utf-8")
    ctx = FramingContext(reference=REFERENCE)
    import io

    scanner = scanner or Scanner()
    return list(scanner.scan_blocks(blocks(io.BytesIO(data)), ctx, "<golden>", Stats()))


def dump(event: dict) -> str:
    return orjson.dumps(event, option=orjson.OPT_SORT_KEYS).decode()


def all_files() -> list[Path]:
    return sorted(ROOT.glob("*/*.golden"))
