"""The `tcplog` subcommands, one module each: `add_parser(subparsers)` and `run(args) -> exit code`.

Explicit registry, one line per command, in `--help` order.
"""

from tcplog.commands import explain, families, filter, follow, kafka, report, scan, snapshot

COMMANDS = (
    scan,
    filter,
    follow,
    explain,
    snapshot,
    kafka,
    families,
    report,
)
