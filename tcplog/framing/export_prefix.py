"""What a log platform's text export puts before each line: its time stamp, and a stream name or a label set.

    2026-11-22T10:00:00.123000+00:00 i-0abc123 Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet
        `aws logs tail` (AWS CLI's default `--format detailed`: the event's time, isoformat with microseconds,
        the log stream's name, the message); `--format short`: `2026-11-22T10:00:00 <message>`
    2026-11-22T10:00:00.000Z Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet
        a CloudWatch Logs export to S3 (each line: the event's time, the message)
    2026-11-22T10:00:00Z {host="web1", job="syslog"}  Nov 22 10:00:00 web1 kernel: nf_conntrack: …
        Loki's `logcli query` default output (time as RFC 3339, the stream's labels padded with spaces, the line)

`split` cuts the stamp (and the stream name or the label set after it) off; the line after it is read in its
own framing. The stamp is the record's time when the line carries none of its own; a stream name (the
CloudWatch agent names streams after the instance id by default) is attributed as a parallel shell's label
is (tcplog.framing.host_prefix: kept in `source.extra.prefix_host`, the host when the record names none);
a label set's `host`, `hostname` or `instance` label is the host when the record names none.

    2026-11-22T10:00:01.000000+00:00 i-0abc nf_conntrack: nf_conntrack: table full, dropping packet
        `aws logs tail` of a stream that holds the kernel's bare text (a `dmesg -w` or `journalctl -k -o cat`
        forwarded as is): read as syslog, the stream name looks like a host and the kernel subsystem's
        prefix like a tag; `KERNEL_PREFIXES` tells such a "tag" (no pid, one of the pr_fmt prefixes of the
        messages tcplog reads), and the text after the stream name is then read as the kernel's.
"""

from __future__ import annotations

import re

_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)? +")
_LABELS = re.compile(r'\{(?:[A-Za-z_][A-Za-z0-9_]*="(?:[^"\\]|\\.)*"(?:, )?)*\} +')
_LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')
_STREAM = re.compile(r"[^\s:*{\[]{1,512} +")
HOST_LABELS = ("host", "hostname", "instance")
# The kernel's subsystem prefixes (pr_fmt, or the literal one in the format) of the messages tcplog reads:
# net/ipv4/tcp*.c `TCP: `, udp.c `UDP: `, route.c/fib `IPv4: `, net/ipv6 `IPv6: `, nf_conntrack_core.c
# `nf_conntrack: ` (`ip_conntrack: ` before 2.6.15), net/core/neighbour.c `neighbour: `, net_ratelimit()'s
# `net_ratelimit: `, printk's `printk: `. No program of a syslog tag is named so.
KERNEL_PREFIXES = frozenset(("TCP", "UDP", "IPv4", "IPv6", "ipv4", "ipv6", "nf_conntrack", "ip_conntrack",
                             "neighbour", "net_ratelimit", "printk", "NET"))


def stamp(s: str) -> int:
    """The length of an export's time stamp (with the spaces after it) at the start of `s`, else 0."""
    m = _STAMP.match(s)
    return m.end() if m else 0


def labels(s: str, start: int) -> tuple[str | None, int]:
    """A Loki label set at s[start:]: its host label (or None) and where the line starts; (None, -1) when none."""
    m = _LABELS.match(s, start)
    if m is None:
        return None, -1
    found = dict(_LABEL.findall(m.group()))
    return next((found[k] for k in HOST_LABELS if found.get(k)), None), m.end()


def stream(s: str, start: int) -> int:
    """Where the line starts after a stream name at s[start:], else -1."""
    m = _STREAM.match(s, start)
    return m.end() if m else -1
