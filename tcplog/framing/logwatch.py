"""Lines of a logwatch report: how many times a message was logged, then the message.

    1 Time(s): [32267283.448000] TCP: Treason uncloaked! Peer 83.136.15.38:6595/80 shrinks window ...
    <TAB> 2 Time(s): nf_conntrack: table full, dropping packet

logwatch's kernel section (scripts/services/kernel) and its other services summarise the period's log:
each distinct message once, after ` N Time(s): ` (indented by a space or a tab), its printk stamp kept
when syslog kept it. People paste these reports as they get them by mail. `split` gives the count and
where the message starts; the count is kept in `source.extra.logwatch_count` (one event stands for the
N lines logwatch folded).
"""

from __future__ import annotations

import re

_PREFIX = re.compile(r"(\d{1,12}) Time\(s\): ")


def split(line: str) -> tuple[str, int] | None:
    """(count, where the message starts), or None when the line is no logwatch line."""
    m = _PREFIX.match(line)
    return None if m is None else (m.group(1), m.end())
