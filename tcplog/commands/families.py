"""`tcplog families`: the catalog of message families and message ids."""

from __future__ import annotations

import argparse
import sys

import orjson

from tcplog.commands.common import EPILOG, EXIT_OK
from tcplog.counters import SIGNALS
from tcplog.grammars import FAMILIES

NAME = "families"


def add_parser(sub):
    p = sub.add_parser(NAME, help="list the message families and message ids tcplog recognises",
                       description="List every family, its message ids and their wordings, and the "
                                   "counter-only message ids made from snapshot counters (no wording).",
                       epilog="example: tcplog families --json\n" + EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print the catalog as JSON")
    return p


def run(args) -> int:
    catalog = [{"family": f.FAMILY, "origin": f.ORIGIN, "fields": list(f.FIELDS),
                "messages": [{"message_id": k, "wording": v} for k, v in f.MESSAGES.items()],
                "counters": [{"message_id": s.message_id, "counter": ".".join(s.path)}
                             for s in SIGNALS if s.family == f.FAMILY]}
               for f in FAMILIES]
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(catalog, option=orjson.OPT_INDENT_2) + b"\n")
        return EXIT_OK
    lines = []
    for fam in catalog:
        lines.append(f"{fam['family']}  ({fam['origin']}; fields: {', '.join(fam['fields'])})")
        lines.extend(f"    {m['message_id']:<34} {m['wording']}" for m in fam["messages"])
        lines.extend(f"    {c['message_id']:<34} (counter-only: {c['counter']} rose between two snapshots)"
                     for c in fam["counters"])
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK
