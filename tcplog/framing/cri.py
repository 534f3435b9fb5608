"""CRI container log lines (containerd, CRI-O: /var/log/pods/*/*/N.log, /var/log/containers/*.log).

    2026-11-22T10:00:00.123456789Z stdout F [ 1234.567890] nf_conntrack: nf_conntrack: table full, dropping packet
    2026-11-22T10:00:00.123456789Z stdout F Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow
    2026-11-22T10:00:00.123456789+01:00 stderr P first 16 KiB of a longer line

The kubelet's format (pkg/kubelet/kuberuntime/logs/logs.go, parseCRILog): RFC 3339 time with
nanoseconds, the stream (`stdout` or `stderr`), the tags (`F` full, `P` partial, more after a
`:`), one space each, then the container's line. A node's kernel messages arrive this way from a
`dmesg -w` or `journalctl -k -f` sidecar. `unwrap` returns the runtime's time and the line, which
is decoded as a record of its own; the runtime's time (when it read the line) fills a record that
carries none. A partial piece (`P`) is no record: the runtime cuts lines of 16 KiB or more, and the
kernel prints at most 1 KiB per record, so such a piece never holds kernel text.
"""

from __future__ import annotations

import re

NAME = "cri"

_HEAD = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) (?:stdout|stderr) ([PF])(?::\S*)? "
)


def unwrap(line: str) -> tuple[str, str | None] | None:
    """(time text, the container's line) for a CRI line; the line is None for a partial piece.
    None when the line is not of the CRI shape."""
    if line.find(" std", 19, 36) < 0:  # the stream follows a time of 20 to 35 characters
        return None
    m = _HEAD.match(line)
    if m is None:
        return None
    return m.group(1), (line[m.end():] if m.group(2) == "F" else None)
