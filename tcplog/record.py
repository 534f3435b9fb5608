"""The one record type every framing produces.

A Record is what a framing decoder learned from one log record: the kernel's message text
and every header field the framing carries. Fields a framing does not have stay None.
`raw` is the record exactly as read (bytes), so events can carry it byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


@dataclass(slots=True)
class Record:
    raw: bytes
    text: str
    framing: str
    kernel: bool  # the kernel wrote it (kernel tag, facility 0, _TRANSPORT=kernel, dmesg, kmsg, bare)
    time: datetime | None = None  # aware, UTC
    time_derived: bool = False  # True when the wall time was computed, not read (dmesg -T)
    host: str | None = None
    program: str | None = None
    pid: int | None = None
    facility: int | None = None
    severity: int | None = None
    monotonic: float | None = None  # kernel printk seconds since boot
    caller: str | None = None  # CONFIG_PRINTK_CALLER field, e.g. "C1" or "T1234"
    boot_id: str | None = None
    seq: int | None = None  # /dev/kmsg sequence number
    cursor: str | None = None  # journald cursor
    extra: dict[str, str] = field(default_factory=dict)  # e.g. _KERNEL_DEVICE, kmsg SUBSYSTEM


class Position(NamedTuple):
    """Where a record came from: a file and line/byte offset, or a stream position.
    (A NamedTuple: immutable, and built once per event at a fraction of a frozen dataclass's cost.)"""

    file: str | None = None
    line: int | None = None
    offset: int | None = None
