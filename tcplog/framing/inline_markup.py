"""A whole record pasted inside Markdown's inline markup, in running text rather than a code block.

    `Nov 14 02:48:18 ip-10-0-0-182.ec2.internal kernel: IPv4: martian source 100.96.236.156 from 10.0.0.41, on dev tun0`
    *Aug  4 17:25:37 static1 kernel: TCP: time wait bucket table overflow*

Inline code (backticks, `` `` `` doubled when the text holds one) and emphasis (`*`, `**`) open the line and
close it, a sentence's punctuation after them at most. No framing and no kernel message starts with a backtick
or an asterisk, so this is only tried for a line no framing read. What is inside is read as a record only when it
has a header of its own (a date, a `kernel:` tag): the kernel's bare words in backticks are a document quoting
them (`` `neighbour: ndisc_cache: neighbor table overflow!` `` in a list of typical errors), not a log line.
"""

from __future__ import annotations

_MARKS = frozenset("`*")
_AFTER = " \t.,;:"


def maybe(s: str) -> bool:
    """True when the line opens with inline code or emphasis (one character test)."""
    return s[:1] in _MARKS


def inner(s: str) -> str | None:
    """The text between the opening marks and the same marks closing the line; None when they do not close it."""
    mark = s[0]
    width = len(s) - len(s.lstrip(mark))
    if width > 2:
        return None  # (a Markdown rule or a fence: `***`, ```)
    body = s[width:].rstrip(_AFTER + "\r\n")
    if len(body) <= width or not body.endswith(mark * width) or body.endswith(mark * (width + 1)):
        return None
    text = body[:-width].strip()
    return text or None


def span(line: bytes) -> tuple[int, int]:
    """Where the inside of a line's inline markup starts and stops (bytes); the whole line when it has none.
    For a line of several records a page ran together (tcplog.flattened) inside one pair of marks."""
    if line[:1] not in (b"`", b"*"):
        return 0, len(line)
    text = line.decode("utf-8", "replace")
    if inner(text) is None:
        return 0, len(line)
    width = len(line) - len(line.lstrip(line[:1]))
    stop = len(line.rstrip((_AFTER + "\r\n").encode())) - width
    return width, stop
