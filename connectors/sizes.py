"""SIZE arguments in bytes: `10G`, `500M`, `64K` read (`parse_size`) and written (`format_size`)."""

from __future__ import annotations

import re

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_SIZE = re.compile(r"\s*(\d+)\s*([KMGT]?)(?:I?B)?\s*\Z", re.IGNORECASE)


def parse_size(text: str) -> int | None:
    """`10G`, `500M`, `64K`, `1048576` (bytes; K/M/G/T are powers of 1024, `MiB`/`GB` spellings too)
    -> bytes; `0` -> None (unlimited). ValueError for anything else."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"not a size: {text!r} (use e.g. 500M, 10G)")
    return int(m.group(1)) * _UNITS[m.group(2).upper()] or None


def format_size(n: int) -> str:
    """The shortest exact spelling parse_size reads back: 10G, 500M, 1536K, 1000."""
    for unit in "TGMK":
        if n % _UNITS[unit] == 0:
            return f"{n // _UNITS[unit]}{unit}"
    return str(n)
