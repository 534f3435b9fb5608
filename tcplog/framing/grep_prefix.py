"""The prefix grep puts before a matching line: what admins paste from `grep -r`, `zgrep`, `grep -n`.

    /var/log/kern.log:Nov 22 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet
    /var/log/syslog.2.gz:Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow   (zgrep)
    kern.log:4711:Nov 22 10:00:00 web1 kernel: ...                                            (grep -Hn)
    4711:[ 1234.567890] nf_conntrack: nf_conntrack: table full, dropping packet                (grep -n, dmesg)

grep prints the file name (`-H`, the default with several files or `-r`) and the line number
(`-n`), each followed by `:` on a matching line (GNU grep, "Output Line Prefix Control").
`split` gives where the record starts; the record after it is read only when it has a header of
its own (the caller's job), so kernel text like `TCP: time wait ...` never loses its first word.
Context lines (`-A`/`-B`/`-C`: `file-12-...`) are not read: their `-` also occurs in file names.
"""

from __future__ import annotations

import re

# file name and/or line number, each closed by `:`; the record after it starts at once (no space)
_PREFIX = re.compile(r"(?:[^\s:]+:)?(?:\d+:)?(?=[^\s:])")
_NOT_AFTER = frozenset((" ", "\t", ""))  # what follows the first colon of text that is no grep prefix


def split(line: str) -> int:
    """Where the record after a grep prefix starts; 0 when the line has none."""
    colon = line.find(":", 0, 4096)
    if colon <= 0 or line[colon + 1:colon + 2] in _NOT_AFTER:  # `TCP: ...`: the usual kernel text, at once
        return 0
    m = _PREFIX.match(line)
    return m.end() if m else 0
