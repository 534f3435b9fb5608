"""ansible's `oneline` callback (`ansible -o`): each host's command output on one line, its line ends escaped.

    web1 | CHANGED | rc=0 | (stdout) Nov 22 10:00:00 web1 kernel: TCP: ...\nNov 22 10:00:01 web1 kernel: ...
    web2 | FAILED | rc=1 | (stdout) [   10.000000] TCP: ...\n[   11.000000] ... (stderr) dmesg: ...

ansible's lib/ansible/plugins/callback/oneline.py (`_command_generic_msg`) prints
`"%s | %s | rc=%s | (stdout) %s"` (host, CHANGED/SUCCESS/FAILED, the return code, stdout with each
newline written as the two characters `\n` and each CR as `\r`), then `" (stderr) %s"` when the command
wrote to stderr, escaped alike. The line holds the host's whole output: `split` gives the label and where
each of its lines starts and ends, each read as a log line of its own (tcplog.scan), the label kept as a
parallel shell's is (tcplog.framing.host_prefix). The grouped form (`host | CHANGED | rc=0 >>`, then the
output) is tcplog.framing.gathered's.
"""

from __future__ import annotations

import re

_HEAD = re.compile(rb"([^\s|]{1,253}) \| [A-Za-z]{2,12}!? \| rc=-?\d{1,9} \| \(stdout\) ")
# the escaped line ends (CRLF first) and the stderr part's start
_SEP = re.compile(rb"\\r\\n|\\n|\\r| \(stderr\) ")


def split(line: bytes) -> tuple[str, list[tuple[int, int]]] | None:
    """(the host label, (start, end) of each non-empty output line) when the line is a oneline result, else None."""
    m = _HEAD.match(line)
    if m is None:
        return None
    pieces = []
    start = m.end()
    for sep in _SEP.finditer(line, start):
        if sep.start() > start:
            pieces.append((start, sep.start()))
        start = sep.end()
    if start < len(line):
        pieces.append((start, len(line)))
    return m.group(1).decode("utf-8", "replace"), pieces
