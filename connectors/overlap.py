"""One kernel record read from two system logs of a folder gives one event.

Syslog daemons write a kernel line to more than one file of /var/log: rsyslog on Debian and
Ubuntu to `kern.log` and `syslog` (and, up to Debian 11, to `messages` or `debug` by level), on
SUSE to `messages` and `warn`; a site's own rules often add a `kernel.log` or an `all.log`. A scan
of the folder, or of a tarball of it, reads every one of them, and without this each record would
give an event per file.

The logs of one folder whose names, rotation suffixes aside, are such system logs (`NAMES`) are
compared; the unit is the log, not the file, so `kern.log.1` and `kern.log` are one log. Two
events are the same record when their raw text is the same (one daemon wrote both lines with the
same template, so they are byte-identical, printk stamp and all). Per raw text, a folder keeps as
many events as the log holding the most of them: the n-th identical line of a log is dropped while
another log of the folder already gave at least n. Whichever log is read first, the count is the
same; logs rotated on different schedules (Ubuntu keeps kern.log for four weeks and syslog for
one) lose nothing, as the records only one log still holds are kept.

The boot-time dump of the kernel's ring buffer (`dmesg`: /var/log/dmesg on Ubuntu and RHEL up to 7,
rotated as dmesg.0, dmesg.1.gz …) holds the same kernel records in dmesg's format, which no syslog line
equals byte for byte. A kernel record with a printk stamp is therefore also compared by what it is: its
stamp (to the microsecond, since boot), message id and fields. A boot's record is then read once from
dmesg and kern.log; a log without printk stamps (RHEL's messages) cannot be matched with dmesg.

Only what is read from files is compared (not stdin, not counter-only events), and only inside a
folder (`web1/syslog` and `web2/syslog` are two hosts' logs). With `--dedupe`, a folded event counts
as one record. The raw texts of the compared logs' events are kept for the run (`scan`), or the
last `limit` of them (`follow`, which runs for months: a copy arrives within moments of its
original, and an older line forgotten can only let a very late copy through).
"""

from __future__ import annotations

import os
from collections import OrderedDict

import orjson

from tcplog.connectors import archives
from tcplog.connectors.walk import rotation_order, shown

NAMES = frozenset({"syslog", "messages", "kern.log", "kernel.log", "kern", "warn", "debug", "localmessages",
                   "all.log", "dmesg"})


def log_of(path: str) -> tuple[str, str] | None:
    """(folder, log name) of a system log file (or tar member, `ARCHIVE!var/log/syslog.1`), else None."""
    folder, _, name = path.rpartition("/")
    if "!" in name:  # a member at the archive's top level
        folder, _, name = path.rpartition("!")
        folder += "!"
    base = rotation_order(name)[0]
    return (folder, base) if base in NAMES else None


def compared_folders(paths: list[str]) -> set[str]:
    """The folders holding two or more system logs among these input files."""
    logs: dict[str, set[str]] = {}
    for path in paths:
        if path != "-" and (log := log_of(os.path.normpath(shown(path)))) is not None:
            logs.setdefault(log[0], set()).add(log[1])
    return {folder for folder, names in logs.items() if len(names) > 1}


def archive(path: str) -> bool:
    """An input file that is a tar archive (plain or compressed), whose members may be system logs.
    Only a regular file is looked at: reading a FIFO's first bytes here would take them from the scan."""
    stream = archives.tar_stream(path)
    if stream is None:
        return False
    stream.close()
    return True


class Overlap:
    """Decides, event by event in output order, whether a record was already given by another log
    of its folder. `folders`: the folders of plain files to compare (compared_folders); members of
    an archive are always compared, as the archive's listing is not known in advance."""

    def __init__(self, folders: set[str], limit: int | None = None):
        self.folders = folders
        self.dropped = 0
        self.limit = limit  # live sources: the most lines kept (oldest forgotten first); None: the run's all
        # (folder, raw) and (folder, printk stamp, message id, fields) -> {log: n}
        self._seen: OrderedDict[tuple, dict[str, int]] = OrderedDict()
        self._logs: dict[str, tuple[str, str] | None] = {}  # source.file -> its compared log, or None

    def new(self, event: dict) -> bool:
        """False when `event` is a record another log of its folder already gave."""
        source = event["source"]["file"]
        if source is None:
            return True
        try:
            log = self._logs[source]
        except KeyError:
            log = self._logs[source] = self._compared(source)
        if log is None:
            return True
        folder, name = log
        copy = self._counted((folder, event["raw"] or event["raw_b64"] or ""), name)
        monotonic = (event.get("kernel") or {}).get("monotonic")
        if monotonic is not None:  # the same record in dmesg's format and a syslog daemon's
            fields = orjson.dumps(event.get("fields"), option=orjson.OPT_SORT_KEYS)
            copy = self._counted((folder, monotonic, event.get("message_id"), fields), name) or copy
        if copy:
            self.dropped += 1
            return False
        return True

    def _counted(self, key: tuple, name: str) -> bool:
        """Counts one more of `key` in log `name`; True when another log already gave as many."""
        counts = self._seen.setdefault(key, {})
        if self.limit is not None and len(self._seen) > self.limit:
            self._seen.popitem(last=False)  # (a copy arrives within moments of its original)
        n = counts.get(name, 0) + 1
        counts[name] = n
        return any(other >= n for log_name, other in counts.items() if log_name != name)

    def _compared(self, source: str) -> tuple[str, str] | None:
        """(folder, log name) when events of this file are compared, else None."""
        log = log_of(source if "!" in source else os.path.normpath(source))
        if log is None or ("!" not in log[0] and log[0] not in self.folders):
            return None
        return log
