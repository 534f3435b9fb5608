"""The `tcplog` subcommands, one module each: `add_parser(subparsers)` and `run(args) -> exit code`.

Explicit registry, one line per command, in `--help` order.
"""

from tcplog.commands import families, filter, scan, snapshot

COMMANDS = (scan, filter, families, snapshot)
