"""The terminal side of a batch run: a progress bar while it reads, a summary when it is done.

Both go to stderr and only when stderr is a terminal (rich), so pipes and shippers see nothing.
"""

from __future__ import annotations

import sys

# rich is imported where it is used: only a terminal needs it, and it costs ~0.1 s at start.


def enabled() -> bool:
    return sys.stderr.isatty()


class Bar:
    """Files done of files to read; a no-op when stderr is not a terminal."""

    def __init__(self, total: int):
        self._progress = None
        if enabled() and total > 1:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("[bold]scanning"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("{task.fields[name]}"), TimeElapsedColumn(),
                                      console=Console(stderr=True), transient=True)
            self._task = self._progress.add_task("scan", total=total, name="")
            self._progress.start()

    def file_done(self, name: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, name=name[-50:])

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def summary(stats) -> None:
    """Files, lines, bytes, events by family and by cause, unreadable inputs with reasons."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True, highlight=False)
    d = stats.as_dict()
    console.print(f"[bold]{d['files']}[/] files, {d['lines']:,} lines, {d['bytes']:,} bytes, "
                  f"[bold]{d['events']:,}[/] events")
    if d["overlapped"]:
        console.print(f"{d['overlapped']:,} records read twice (the same line in two system logs of a folder, "
                      "e.g. kern.log and syslog) counted once")
    for title, key in (("family", "events_by_family"), ("cause", "events_by_cause")):
        if d[key]:
            table = Table(show_edge=False, box=None)
            table.add_column(title)
            table.add_column("events", justify="right")
            for name, n in sorted(d[key].items(), key=lambda kv: -kv[1]):
                table.add_row(name, f"{n:,}")
            console.print(table)
    for item in d["unreadable"]:
        console.print(f"[red]unreadable[/] {item['input']}: {item['reason']}")
