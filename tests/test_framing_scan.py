"""Framings found by a kernel-message audit, through the scanner: one event per good line, none for a cut
or malformed one, and the scanner's counts reconcile (nothing lost, nothing counted twice)."""

from __future__ import annotations

import io

from tcplog.connectors.files import blocks
from tcplog.framing.context import FramingContext
from tcplog.scan import Scanner, Stats
from tests import golden

TW = "TCP: time wait bucket table overflow"
CT = "nf_conntrack: nf_conntrack: table full, dropping packet"

# (line, events it must give); every line holds a trigger, so each is a prefilter candidate.
LINES = [
    (f"kernel: {TW}", 1),  # a syslog line cut after its host
    (f"kernel: [  123.456789] {CT}", 1),
    (f"kern.warn kernel: {TW}", 1),  # busybox syslogd, cut
    (f"kernel:{TW}", 0),  # a tag glued to its text: bare text, unmatched
    (f"Nov 22 10:00:00 web1 kernel: <6>{TW}", 1),  # the kernel's level marker after the tag
    (f"Nov 22 10:00:00 web1 kernel: <4>[  123.456789] {CT}", 1),
    (f"Nov 22 10:00:00 web1 kernel: <14>{TW}", 0),  # user space wrote /dev/kmsg: not_kernel
    (f"Nov 22 10:00:00 web1 kernel: <4{TW}", 0),  # a marker cut short: unmatched
    (f"\x1b[32m[  123.456789] \x1b[0m\x1b[33mTCP: \x1b[0mtime wait bucket table overflow", 1),  # dmesg --color
    (f"\x1b[32m[  123.456789] \x1b[0m\x1b[33mnf_conntrack: \x1b[0m\x1b[1mnf_conntrack: table full, dropping packet"
     f"\x1b[0m", 1),
    (f"\x1b[32m[  123.456789] \x1b[0m{TW}\x1b[0", 0),  # an escape cut at the end: unmatched
    (f"[  123.456789@1] {TW}", 1),  # Amlogic's CPU in the stamp
    (f"[  123.456789@1] [T123] {CT}", 1),
    (f"[  123.456789@] {TW}", 0),  # naming no CPU: bare text, unmatched
    (f"Aug 28 2024 13:16:32 web1 kernel: {TW}", 1),  # a year after the day
    (f"Aug 28 2024 13:16 web1 kernel: {TW}", 0),  # cut in its time: bare text, unmatched
    (f"Nov 22 10:00:00 web1 kernel[4242]: {TW}", 0),  # a program naming itself kernel: not_kernel
    (f"kernel[4242]: {CT}", 0),
]


def _scan(data: bytes, size: int = 1 << 20) -> tuple[list[dict], Stats]:
    stats = Stats()
    ctx = FramingContext(reference=golden.REFERENCE)
    return list(Scanner().scan_blocks(blocks(io.BytesIO(data), size=size), ctx, "x", stats)), stats


def test_each_line_gives_its_events_and_the_counts_reconcile():
    """Every line is a candidate; good ones give one event each, the rest are unframed, not the kernel's or
    unmatched, and each event's line number and raw bytes are its own line's."""
    data = "".join(line + "\n" for line, _ in LINES).encode()
    events, stats = _scan(data)
    want = [i + 1 for i, (_, n) in enumerate(LINES) for _ in range(n)]
    assert [e["source"]["line"] for e in events] == want
    assert [e["raw"] for e in events] == [LINES[n - 1][0] for n in want]
    assert stats.candidates == len(LINES) and stats.lines == len(LINES)
    assert stats.candidates == len(events) + stats.unframed + stats.not_kernel + stats.unmatched + stats.merged
    assert stats.not_kernel == 3


def test_the_counts_do_not_depend_on_where_blocks_are_cut():
    """Cut into small blocks, the same events and counts come out."""
    data = "".join(line + "\n" for line, _ in LINES).encode()
    whole, whole_stats = _scan(data)
    cut, cut_stats = _scan(data, size=64)
    assert cut == whole and cut_stats.as_dict() == whole_stats.as_dict()
