"""Bare kernel text: `dmesg -t`, `journalctl -o cat`, and what people paste into tickets.

    TCP: time wait bucket table overflow
    nf_conntrack: nf_conntrack: table full, dropping packet

No header at all; a leading printk timestamp is still recognised. The kernel wrote it by
assumption: a grammar only matches from the start of the text, so an application's log line
with its own header does not parse as a kernel message. journalctl's own lines between
entries (`-- Boot 0123… --`, `-- Reboot --`, `-- No entries --`, `-- Logs begin at … --`,
`-- Journal begins at … --`) are not the kernel's.
"""

from __future__ import annotations

from tcplog.framing.printk import split_prefix
from tcplog.record import Record

NAME = "dmesg-t"


def detect(line: str) -> bool:
    return True


def decode(line: str, raw: bytes, ctx) -> Record:
    mono, caller, text = split_prefix(line.strip())
    journalctl = text[:3] == "-- " and text[-3:] == " --"  # journalctl's `-- Boot … --` lines
    return Record(raw=raw, text=text, framing=NAME, kernel=not journalctl, monotonic=mono, caller=caller)
