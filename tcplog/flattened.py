"""Kernel records a web page ran together on one line: each read on its own.

    Aug  4 17:25:37 static1 kernel: TCP: time wait bucket table overflow Aug  4 17:25:37 static1 kernel: TCP: ...
    [  123.456789] TCP: time wait bucket table overflow [  123.456791] TCP: time wait bucket table overflow

Forum and blog pages that drop line breaks from a paste leave one line holding several records.
When a candidate line's record is the kernel's (syslog with the `kernel:` tag, or dmesg) and no
grammar matches it, the line is cut before each later header of the same kind: a syslog date, host
and `kernel:` tag, or a printk stamp. Each piece that decodes to a kernel record of the same
framing is a record of its own, at its byte offset in the line; the line is still one line, and
each piece after the first is one more candidate in `--stats`. A program's line quoting kernel text
is never cut (its first record is not the kernel's), and a line a grammar matches whole is not looked at.
"""

from __future__ import annotations

import re

_HEADERS = {
    "rfc3164": re.compile(rb" (?=(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \S+ kernel: )"),
    "dmesg": re.compile(rb" (?=\[ *\d+\.\d{6}\] )"),
}


def cuts(framing: str, line: bytes) -> list[int]:
    """Where the later records of a flattened line start (after the space before each), or [] when
    the framing is not one a page flattens or the line holds one header only."""
    header = _HEADERS.get(framing)
    if header is None:
        return []
    return [m.end() for m in header.finditer(line, 1)]
