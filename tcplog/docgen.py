"""docs/families.md is generated from the family modules' docstrings, MESSAGES, SINCE and UNTIL.

    python -m tcplog.docgen > docs/families.md      (or: make docs)

A test fails when the file differs from what this prints, so the docs cannot drift.
"""

from __future__ import annotations

import inspect
import sys

from tcplog.counters import SIGNALS
from tcplog.grammars import FAMILIES

HEADER = """# Message families

Generated from the family modules in `grammars/` by `python -m tcplog.docgen` (`make docs`);
do not edit by hand. Each family lists what prints it, real example lines, the typed fields
every event of the family carries in `fields`, and one stable `message_id` per wording.
Families whose limit the kernel also counts list their counter-only message ids: events made
from two snapshots whose counter rose, with no log line (docs/events.md, Counter-only events).
`tcplog families` prints the same catalog on a terminal.

| family | origin | message ids |
| --- | --- | --- |
"""


def render() -> str:
    out = [HEADER]
    for f in FAMILIES:
        ids = ", ".join(f"`{m}`" for m in f.MESSAGES)
        out.append(f"| [`{f.FAMILY}`](#{f.FAMILY}) | {f.ORIGIN} | {ids} |\n")
    for f in FAMILIES:
        doc = inspect.getdoc(f) or ""
        out.append(f"\n## {f.FAMILY}\n\n")
        out.append(f"Origin: {f.ORIGIN}. Prefilter triggers: "
                   + ", ".join(f"`{t.decode()}`" for t in f.TRIGGERS) + ".\n\n")
        out.append("```text\n" + doc.strip() + "\n```\n\n")
        out.append("| message id | wording and kernel versions |\n| --- | --- |\n")
        for mid, wording in f.MESSAGES.items():
            out.append(f"| `{mid}` | {wording.replace('|', '&#124;')} |\n")
        since = getattr(f, "SINCE", {})
        if since:
            firsts = "; ".join(f"`{mid}` {v[0]}" + (f" (stable: {', '.join(v[1:])})" if v[1:] else "")
                               for mid, v in since.items())
            out.append(f"\nNot printed by kernels before: {firsts}. A host reporting an older kernel runs a "
                       "backport, and its cause says so.\n")
        until = getattr(f, "UNTIL", {})
        if until:
            lasts = "; ".join(f"`{mid}` {v}" for mid, v in until.items())
            out.append(f"\nNot printed by kernels of a later series than: {lasts} (the stable releases of that "
                       "series still print it). A host reporting a later kernel did not print the line with it: the "
                       "line predates an upgrade, or the snapshot is another machine's, and its cause says so.\n")
        signals = [s for s in SIGNALS if s.family == f.FAMILY]
        if signals:
            out.append("\nCounter-only message ids (no wording: made from two snapshots whose counter rose):\n\n"
                       "| message id | counter |\n| --- | --- |\n")
            for s in signals:
                out.append(f"| `{s.message_id}` | `{'.'.join(s.path)}` |\n")
    return "".join(out)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
