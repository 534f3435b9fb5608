"""Python floors for the benchmark: what reading the file costs before any parsing.

    python bench/floors.py lines FILE               # a bare line loop: prints the number of lines
    python bench/floors.py find FILE WORD [WORD...]  # bytes.find (memchr) over 1 MiB blocks: prints
                                                    # the number of lines holding any WORD

`find` is the prefilter a Python scanner cannot beat: whole 1 MiB blocks cut on a newline, each
keyword searched with bytes.find, each hit widened to its line, no line decoded.
"""

from __future__ import annotations

import sys

BLOCK = 1 << 20


def lines(path: str) -> int:
    n = 0
    with open(path, "rb") as f:
        for _ in f:
            n += 1
    return n


def find(path: str, words: list[bytes]) -> int:
    hits = 0
    carry = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(BLOCK)
            if not chunk:
                block, carry = carry, b""
            else:
                cut = chunk.rfind(b"\n") + 1
                if cut == 0:
                    carry += chunk
                    continue
                block, carry = carry + chunk[:cut], chunk[cut:]
            if block:
                starts = set()
                for w in words:
                    pos = block.find(w)
                    while pos != -1:
                        start = block.rfind(b"\n", 0, pos) + 1
                        starts.add(start)
                        end = block.find(b"\n", pos)
                        if end == -1:
                            break
                        pos = block.find(w, end)
                hits += len(starts)
            if not chunk:
                return hits


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "lines":
        print(lines(argv[1]))
        return 0
    if len(argv) >= 3 and argv[0] == "find":
        print(find(argv[1], [w.encode() for w in argv[2:]]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
