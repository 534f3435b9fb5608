"""A kernel line a paste wrapped in two: its message rejoined with the line after it.

    Feb 23 16:44:36 jobs kernel: [38775494.393661] nf_conntrack: table full,
    dropping packet
    TCP: Treason uncloaked! Peer 82.113.55.2:11759/50967 shrinks window
    148470938:148470943. Repaired.

Mail clients wrap at 72-78 columns on a space, terminals hard-wrap at their width (no space lost),
and issue trackers keep what was pasted. When a candidate record's text gives no match, the line
after it has no header of its own (no syslog date, printk stamp, kmsg prefix, `kernel:` tag, JSON)
and the two texts joined (with a space, else without one) match, the pair is one record: `raw`
holds both lines, the position is the first's. A line a mail client wrapped and then a terminal or a
second quoting cut again is in three (`... From 202.96.140.146:20567` / `to 21` / `6.115.239.40:113 ulen
1472`, LKML 2001): when one line after it does not complete the record, two are tried, each joint with a
space or without. Only `scan` sees the next lines; `filter` answers each record on its own.
"""

from __future__ import annotations

import dataclasses
import re

from tcplog import framing
from tcplog.dispatch import Dispatcher
from tcplog.framing import bare, pasted
from tcplog.record import Record

_MAX_TAIL = 200  # a wrapped tail is short: the kernel's records are at most 1 KiB, and mail wraps at ~78
_MAX_TAILS = 2  # a mail client's wrap, then a terminal's or a second quote's
_HEADERS = tuple(m for m in framing.LINE_FRAMINGS.values() if m is not bare)
_SYSLOG_DATE = re.compile(rb"(?:<\d{1,3}>)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]?\d \d\d:\d\d:\d\d[. ]")


def rejoin(record: Record, block: bytes, end: int, dispatcher: Dispatcher) -> tuple[Record, int] | None:
    """(the record joined with the line or two lines after `end`, where the last of them ends), or None when
    they do not complete it. The caller asks only for a record the dispatcher did not match."""
    if record.framing == "kmsg":
        return None
    heads = [(record.text.rstrip(), record.raw)]
    for _ in range(_MAX_TAILS):
        tail_line = _tail(block, end)
        if tail_line is None:
            return None
        tail, raw_tail, end = tail_line
        heads = [(head + sep + tail, raw + b"\n" + raw_tail) for head, raw in heads for sep in (" ", "")]
        for text, raw in heads:
            joined = dataclasses.replace(record, text=text, raw=raw)
            if dispatcher.match(joined) is not None:
                return joined, end
    return None


def _tail(block: bytes, end: int) -> tuple[str, bytes, int] | None:
    """(the text, the bytes and the end of the line after `end`) when it can be a wrapped tail: short, not
    blank, no header of its own; else None."""
    if end >= len(block):
        return None
    tail_end = block.find(b"\n", end + 1)
    tail_end = len(block) if tail_end == -1 else tail_end
    raw_tail = block[end + 1:tail_end]
    if not raw_tail.strip() or len(raw_tail) > _MAX_TAIL or _SYSLOG_DATE.match(raw_tail):
        return None  # (a syslog line, the common next line, told before the framings are asked)
    try:
        tail = pasted.unindented(raw_tail.decode("utf-8")).rstrip()
    except UnicodeDecodeError:
        return None
    if tail[:1] in ("{", "[", "<") or tail.startswith("kernel:") or any(m.detect(tail) for m in _HEADERS):
        return None  # a record of its own
    return tail, raw_tail, tail_end
