"""The literal prefilter: where in a block of bytes any family trigger occurs.

One multi-literal search over whole blocks, before anything is decoded. Hyperscan (Intel's
SIMD multi-pattern matcher, via the `hyperscan` wheel on x86-64) when it is installed; one
compiled regex alternation otherwise, which finds the same hits about 30x slower. Both report
hit positions in ascending order; callers only need one position per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

try:  # pragma: no cover - which branch runs depends on the platform
    import hyperscan
except ImportError:  # pragma: no cover
    hyperscan = None


class Prefilter:
    def __init__(self, triggers: Iterable[bytes], engine: str | None = None):
        self.triggers = tuple(sorted(set(triggers), key=len, reverse=True))
        if not self.triggers:
            raise ValueError("a prefilter needs at least one trigger")
        self.regex = re.compile(b"|".join(re.escape(t) for t in self.triggers))
        self.engine = engine or ("hyperscan" if hyperscan is not None else "re")
        if self.engine == "hyperscan":
            if hyperscan is None:
                raise ValueError("hyperscan is not installed")
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._db.compile(expressions=[re.escape(t) for t in self.triggers],
                             ids=list(range(len(self.triggers))), elements=len(self.triggers))
        elif self.engine != "re":
            raise ValueError(f"unknown prefilter engine {self.engine!r}")

    def positions(self, block: bytes) -> list[int]:
        """Offsets (ascending) inside `block` that lie within a trigger occurrence."""
        if not block:
            return []
        if self.engine == "re":
            return [m.start() for m in self.regex.finditer(block)]
        hits: list[int] = []
        add = hits.append

        def on_match(_id, _start, end, _flags, _ctx):
            add(end - 1)

        self._db.scan(block, match_event_handler=on_match)
        hits.sort()
        return hits

    def search(self, data: bytes) -> bool:
        """True when any trigger occurs in data (short inputs: the regex is cheaper to call)."""
        return self.regex.search(data) is not None
