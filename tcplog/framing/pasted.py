"""What a paste puts before a log line: indentation and quote marks.

    ␣␣␣␣Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet    (Markdown/RST code block)
    >>> [  601.749973][    C1] TCP: request_sock_TCP: Possible SYN flooding ...  (a mail quoting a mail)
    > Wed Feb 24 00:35:21 2021 kern.info kernel: [16300.998425] neighbour: ...  (a Markdown quote)
    ␣␣[  179.636034] TCP: out of memory -- consider tuning tcp_mem               (a commit message's log)

Code blocks indent every line (four spaces in Markdown, two or more in RST and commit messages), mail
clients put `> ` before every quoted line (`>> `, `> > ` for older quotes), GitHub issues quote with `> `.
No framing starts with a space, a tab or `>` (RFC 5424 and dmesg `-r` start with `<`), and no kernel
message does either, so these are read past before a record's framing is detected; `raw` keeps them.
A kmsg ` KEY=value` line is never read on its own (the scanner joins it to its record first).
"""

from __future__ import annotations

import re

_LEAD = re.compile(r"(?:[ \t]*>)*[ \t]*")


def unindented(text: str) -> str:
    """The text after leading spaces, tabs and quote marks (`>`, `> > `, `>>> `)."""
    return text[_LEAD.match(text).end():]
