"""The host a parallel shell names before each line of a remote command's output.

    web1: [12345.678901] TCP: time wait bucket table overflow                 (pdsh -w web[1-9] dmesg, clush)
    web1: Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet   (pdsh ... grep kernel: /var/log/messages)
    web[1-3]: [12345.678901] TCP: time wait bucket table overflow             (clush -bL: the line all three printed)
    web1.example.com: <4>[12345.678901] TCP: ...                              (salt --out=txt)

pdsh prints each line of a host's output as `host: line` (the shape its own dshbak reads back,
`^\\s*(\\S+)\\s*:(.*)`: chaos/pdsh scripts/dshbak), clush as `"%s: " % nodeset` (ClusterShell's
CLI/Display.py print_line; with -bL a node set such as `web[1-3]` for a line several nodes printed
alike), salt's txt outputter as `minion: line`. `split` gives the label and where the line after it
starts. The record after it is read only when it has a header of its own (the caller's job): kernel
text like `nf_conntrack: table full` or `TCP: request_sock_TCP: ...` keeps its subsystem prefixes,
and `kernel:` (a syslog tag) is never a host. The label is kept in `extra["prefix_host"]`; it is the
record's host when the record names none (dmesg lines) and the label names one node.
"""

from __future__ import annotations

import re

EXTRA = "prefix_host"
# How a header may start (a stamp, a PRI, JSON, a path of grep -H; kmsg's `4,12,`, a year, epoch seconds,
# `11月`; a month and a day and a time, `Sun Jan`, `Sun 2026-`, `kern.warn`, `kern  :warn`, the `kernel:` tag).
# Kernel text after its subsystem prefix (`time wait …`, `arp_cache: …`, `request_sock_TCP: …`, `UDP: bad
# checksum`) starts otherwise, and is not decoded twice.
_MAY_HEAD = (r"[\[<{/.]|\d{1,4},\d|\d{4}-\d|\d{4} [A-Z][a-z]{2} |\d{9,11}\.\d|\d{1,2}\s?[月월]|kernel[:\[]"
             r"|[^\W\d_]{2,12}(?:\.?\s{1,2}\d{1,2}\s+\d|\.[^\W\d_]|\s*:[a-z])|[A-Z][a-z]{2} (?:[A-Z][a-z]{2} |\d{4}-)")
# a host name, an IPv4 address or a pdsh/clush node set (`web[1-3,5]`, `web1,db2`), `: `, what may be a header
_LABEL = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-\[\],]{0,252}): +(?=" + _MAY_HEAD + ")")
# what stands before `: ` without naming a host: the syslog tag, the label of parallel-ssh's stderr
_NOT_HOSTS = frozenset(("kernel", "Stderr", "stderr", "stdout"))


def split(line: str) -> tuple[str | None, int]:
    """(label, where the line after it starts), or (None, 0) when the line starts with no host label
    followed by what may be a header."""
    m = _LABEL.match(line)
    if m is None or m.group(1) in _NOT_HOSTS:
        return None, 0
    return m.group(1), m.end()


def one_host(label: str) -> bool:
    """True when a label names one node (`web1`), not a set of them (`web[1-3]`, `web1,db2`)."""
    return "[" not in label and "," not in label


def attribute(record, label: str):
    """The record with the label kept, and as its host when it names none and the label names one node."""
    record.extra[EXTRA] = label
    if record.host is None and one_host(label):
        record.host = label
    return record
