"""Worst-case inputs for every grammar and framing: parse time must grow linearly with length.

    python bench/linearity.py            # prints a table; exits 1 when any growth is super-linear

For each family grammar and each framing decoder, crafted near-miss lines (long runs of the
family's own trigger words, prefixes, spaces, digits, brackets and colons — what backtracking
grammars choke on) are parsed at lengths n, 4n, 16n. The time ratio between 16n and n must stay
below 16 x SLACK (linear, with room for noise); a quadratic grammar would show ~256x.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from tcplog import framing
from tcplog.framing.context import FramingContext
from tcplog.grammars import FAMILIES

SIZES = (2_000, 8_000, 32_000)
SLACK = 3.0
PIECES = ("TCP: ", "nf_conntrack: ", " ", "1", ".", ":", "[", "]", "(", ")", "ff ", "0.0.0.", "on dev ",
          "Possible SYN flooding on port ", "table full, ", "martian source ", " from ", "ll header: 00000000: ")


def crafted(trigger: str, n: int) -> list[str]:
    """Near misses of about n characters built around a trigger."""
    out = []
    for piece in PIECES:
        body = (piece * (n // max(len(piece), 1)))[:n]
        out.append(trigger + " " + body)
        out.append(body + trigger)
        out.append(trigger + " " + body + trigger)
    return out


def measure(fn, lines: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for line in lines:
            fn(line)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    ctx = FramingContext(reference=datetime(2026, 11, 22, tzinfo=timezone.utc))
    subjects = [(f.FAMILY, f.parse, t.decode()) for f in FAMILIES for t in f.TRIGGERS[:1]]
    subjects += [(f"framing:{name}", (lambda line, name=name: framing.decode(line.encode(), ctx, name)), "kernel:")
                 for name in framing.NAMES]
    worst, failed = 0.0, []
    print(f"{'subject':<40} " + " ".join(f"{n:>10}" for n in SIZES) + "   growth")
    for name, fn, trigger in subjects:
        times = [measure(fn, crafted(trigger, n)) for n in SIZES]
        growth = times[-1] / max(times[0], 1e-9)
        limit = (SIZES[-1] / SIZES[0]) * SLACK
        worst = max(worst, growth)
        flag = "" if growth <= limit else "  SUPER-LINEAR"
        if flag:
            failed.append(name)
        print(f"{name:<40} " + " ".join(f"{t * 1e3:>8.2f}ms" for t in times) + f"   {growth:6.1f}x{flag}")
    print(f"\nlength x{SIZES[-1] // SIZES[0]}: worst time growth x{worst:.1f} (linear limit x{(SIZES[-1] / SIZES[0]) * SLACK:.0f})")
    if failed:
        print("super-linear: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
