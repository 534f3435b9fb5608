"""The `tcplog` command: the parser and the dispatch to tcplog.commands.

Exit codes: 0 ok; 1 some input could not be read (named on stderr); 2 usage error.
"""

from __future__ import annotations

import argparse
import signal
import sys

from tcplog import __version__
from tcplog.commands import COMMANDS
from tcplog.commands.common import EPILOG, EXIT_USAGE
from tcplog.errors import UsageError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tcplog", description="Kernel network-stack messages out of any log framing, as JSON events.",
        epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"tcplog {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def _steady_heap() -> None:
    """glibc: keep freed 1 MiB read blocks on the heap for the next one.

    Left dynamic, glibc maps and unmaps many of them (a page fault per 4 KiB touched: about 10 %
    of a journal JSON scan's time). The thresholds are bounded (4 MiB, 16 MiB), so memory still
    goes back to the system. Other C libraries: nothing to do."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 4 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 16 << 20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # a closed stdout ends tcplog quietly
    _steady_heap()
    parser = build_parser()
    args = parser.parse_args(argv)
    runners = {c.NAME: c.run for c in COMMANDS}
    if args.command not in runners:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return runners[args.command](args)
    except UsageError as exc:
        print(f"tcplog: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
