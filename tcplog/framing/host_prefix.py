"""The host name parallel shells put before each line of a remote command's output.

    web01: [1694413.644132] nf_conntrack: nf_conntrack: table full, dropping packet   (pdsh, clush, pssh -i --inline)
    web01: Nov 22 10:00:00 web01 kernel: TCP: time wait bucket table overflow         (pdsh -w web[01-10] grep ...)
    web1.example.com<TAB>May 22 06:38:04 web1 kernel: TCP: time wait bucket ...       (GNU parallel --tag)
    localhost kernel: nf_conntrack: falling back to vmalloc.                           (a syslog line cut after its date)

pdsh, clush (without `-b`), dsh `-M` and pssh's inline mode print `host: ` before every line; GNU
parallel `--tag` prints the argument and a tab; a syslog line whose date was cut away (`cut -d' '
-f4-`, a copy that missed the start of the line) starts with its host (a short name: a dotted token
before `kernel:` is busybox's facility.severity, unknown or not) and the `kernel:` tag. A host name
holds a letter (`2026 Nov 22 ...` is a cut date, not a host) unless it is an IPv4 address. `split` gives the host and where the record after it starts; the caller reads that record only
when it has a header of its own (a printk stamp, a syslog header, the `kernel:` tag), and the host
then names a record that names none. Bare kernel text keeps its first word: `nf_conntrack:` and `TCP:`
are the kernel's subsystem prefixes, not hosts, and `kernel:` and busybox's `kern.warn` are the tag.
"""

from __future__ import annotations

import re

from tcplog.framing.syslog3164 import FAC_SEV

# A host name (or IPv4 address): letters, digits, `.`, `-`, `_`; then `: `, a tab, or one space.
_PREFIX = re.compile(r"(?P<host>[A-Za-z0-9][A-Za-z0-9._-]{0,252})(?P<sep>:[ \t]+|\t| )(?=\S)")
_TAG = re.compile(rf"kernel|{FAC_SEV}")


def split(line: str) -> tuple[str, int] | None:
    """(host, where the record after it starts), or None when the line starts with no host name."""
    m = _PREFIX.match(line)
    if m is None or _TAG.fullmatch(m["host"]):
        return None
    host = m["host"]
    if m["sep"] == " " and ("." in host or not line.startswith("kernel", m.end())):
        return None  # one space: only a cut syslog line's host (`kern.bogus kernel:` is a bad token)
    if not any(c.isalpha() for c in host) and not host.count(".") == 3:
        return None  # digits alone name no host (an IPv4 address does)
    return host, m.end()
