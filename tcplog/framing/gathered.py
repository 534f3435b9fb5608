"""A remote command's output gathered per host under a heading: clush -b, dshbak, ansible, parallel-ssh -i, salt.

    ---------------                 web1 | CHANGED | rc=0 >>         [1] 10:00:00 [SUCCESS] web1     web1:
    web1                            [12345.678901] TCP: ...         [12345.678901] TCP: ...             [12345.678901] TCP: ...
    ---------------                                                                                  web2:
    [12345.678901] TCP: ...         web2 | CHANGED | rc=0 >>         [2] 10:00:01 [SUCCESS] web2         [  42.000000] ...
    ---------------                 ...                              ...
    web[2-3] (2)
    ---------------
    [  42.000000] nf_conntrack: table full, dropping packet

The headings, as each tool prints them:

- clush -b / clubak (ClusterShell CLI/Display.py format_header): 15 dashes, the node set with
  ` (N)` when it names N > 1 nodes (`web[2-3] (2)`: the lines below are what each of them printed),
  15 dashes; dshbak (chaos/pdsh scripts/dshbak, also -c): 16 dashes, the host (or `web[2-3],db1`),
  16 dashes. The output follows as printed (dshbak keeps the space after pdsh's `host:`).
- ansible ad hoc (callback `minimal`, _command_generic_msg): `host | CHANGED | rc=0 >>` (SUCCESS,
  FAILED; `success` in 1.x), then the output; a module's result is `host | FAILED! => {` and JSON.
- parallel-ssh -i (psshlib task.report): `[1] 10:00:00 [SUCCESS] host` (`[FAILURE] host Exited with
  error code 1`; `user@host:port` or, in 2.x, `host port`), then the output.
- salt's nested outputter: `minion:`, then the output indented by four spaces.

A stream is sniffed by its first lines (up to three lines before the first heading: a shell prompt,
the command); the first heading fixes the tool, and only its headings are read after it. Headings
(colour codes removed) are notes; every other line is read as a log line of its own, in its own
framing (salt's indent cut), a candidate only when it holds a trigger, with the heading's label kept in
`extra["prefix_host"]` and, when it names one node and the record none, as the record's host
(tcplog.framing.host_prefix). Lines before the first heading are read with no host. Every line of
the stream is in exactly one chunk. Files and stdin are sniffed; workers never split them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tcplog.framing import host_prefix
from tcplog.framing.journal_verbose import Chunk, read_line
from tcplog.record import Record

NAME = "gathered"  # the reader's name; its records keep their own line's framing

_CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")
_SEP = re.compile(rb"-{15,16}")
_NODESET = re.compile(rb"([^\s:]{1,253})(?: \(\d{1,9}\))?")
_ANSIBLE = re.compile(rb"([^\s|]{1,253}) \| [A-Za-z]{2,12}!?(?: \| rc=-?\d{1,9} >>| => \{)")
_PSSH = re.compile(rb"\[\d{1,9}\] \d{2}:\d{2}:\d{2} \[(?:SUCCESS|FAILURE)\] (?:[^\s@]{1,64}@)?([^\s:@]{1,253})"
                   rb"(?::\d{1,5})?(?: .*)?")
_SALT = re.compile(rb"([^\s:]{1,253}):")
_SALT_INDENT = b"    "
_LEAD = 3  # lines before the first heading that the sniff lets stand


def _plain(line: bytes) -> bytes:
    """A line without its line end, colour codes and a byte-order mark, for reading a heading."""
    line = line.rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
    return _CSI.sub(b"", line) if b"\x1b" in line else line


def _heading(lines: list[bytes], i: int) -> tuple[str, int] | None:
    """(tool, lines the heading spans) when a heading starts at lines[i], else None."""
    line = lines[i]
    if _SEP.fullmatch(line):
        if i + 2 < len(lines) and _NODESET.fullmatch(lines[i + 1]) and lines[i + 2] == line:
            return "blocks", 3
        return None
    if _ANSIBLE.fullmatch(line):
        return "ansible", 1
    if _PSSH.fullmatch(line):
        return "pssh", 1
    if _SALT.fullmatch(line) and i + 1 < len(lines) and lines[i + 1][:5].startswith(_SALT_INDENT) \
            and lines[i + 1][4:5].strip():
        return "salt", 1
    return None


def sniff(head: bytes) -> bool:
    """True when a stream starts with a heading of one of the tools, after at most three other lines
    (each starting with no space and holding no `{`)."""
    lines = [_plain(line) for line in head.split(b"\n")[:-1]]
    for i in range(min(_LEAD + 1, len(lines))):
        if _heading(lines, i) is not None:
            return True
        if lines[i][:1] in (b" ", b"\t") or b"{" in lines[i]:
            return False
    return False


def chunks(stream) -> Iterator[Chunk]:
    """Headings as notes, every other line as a `line` chunk (fields: the heading's label and the
    indent to cut, or None before the first heading), in order."""
    reader = _Reader()
    while True:
        line, size = read_line(stream)
        if not size:
            break
        yield from reader.line(line, size)
    yield from reader.end()


def decode(heading: dict, line: bytes, ctx, forced: str | None = None) -> Record | None:
    """A line under a host's heading (`{"host": label, "indent": n}`): the line, its indent cut, decoded
    as a record of its own (in the forced framing, if any), the label kept as a host prefix's is;
    `raw` is the whole line."""
    from tcplog.framing import decode as decode_line  # (the package imports this module)

    record = decode_line(line[heading["indent"]:], ctx, forced)
    if record is not None:
        record.raw = line
        host_prefix.attribute(record, heading["host"])
    return record


class _Reader:
    """Reads a line once the two after it are read (a heading spans up to three lines)."""

    def __init__(self):
        self.tool: str | None = None
        self.label: str | None = None
        self.number = self.offset = 0
        self.window: list[tuple[bytes, bytes, int, int, int]] = []  # (line, plain, offset, number, size)

    def line(self, line: bytes, size: int) -> Iterator[Chunk]:
        self.number += 1
        at, self.offset = self.offset, self.offset + size
        if size != len(line):
            line = b""  # longer than MAX_LINE: counted, not read
        self.window.append((line, _plain(line), at, self.number, size))
        if len(self.window) == 3:
            yield from self._first()

    def end(self) -> Iterator[Chunk]:
        while self.window:
            yield from self._first()

    def _first(self) -> Iterator[Chunk]:
        """The chunks of the window's first line: a heading's (notes), or a line's."""
        found = _heading([plain for _, plain, *_ in self.window], 0)
        if found is not None and self.tool in (None, found[0]):
            tool, span = found
            plain = self.window[1 if tool == "blocks" else 0][1]
            pattern = {"blocks": _NODESET, "ansible": _ANSIBLE, "pssh": _PSSH, "salt": _SALT}[tool]
            self.tool, self.label = tool, pattern.fullmatch(plain).group(1).decode("utf-8", "replace")
            for _, _, at, number, size in self.window[:span]:
                yield Chunk("note", b"", None, at, number, 1, size)
            del self.window[:span]
            return
        line, _, at, number, size = self.window.pop(0)
        fields = None
        if self.label is not None:
            fields = {"host": self.label, "indent": 0}
            if self.tool == "salt":  # the minion's output, indented; a line out of its block names no minion
                fields = {"host": self.label, "indent": 4} if line.startswith(_SALT_INDENT) else None
        yield Chunk("line", line, fields, at, number, 1, size)
