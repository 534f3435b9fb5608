"""Bare kernel text: `dmesg -t`, `journalctl -o cat`, and what people paste into tickets.

    TCP: time wait bucket table overflow
    nf_conntrack: nf_conntrack: table full, dropping packet

No header at all; a leading printk timestamp is still recognised. The kernel wrote it by
assumption: a grammar only matches from the start of the text, so an application's log line
with its own header does not parse as a kernel message.
"""

from __future__ import annotations

from tcplog.framing.printk import split_prefix
from tcplog.record import Record

NAME = "dmesg-t"


def detect(line: str) -> bool:
    return True


def decode(line: str, raw: bytes, ctx) -> Record:
    mono, caller, text = split_prefix(line.strip())
    return Record(raw=raw, text=text, framing=NAME, kernel=True, monotonic=mono, caller=caller)
