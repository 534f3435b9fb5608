"""Pretty-printed JSON records: `journalctl -o json-pretty`, and `jq .` over any JSON framing.

    {
            "__CURSOR" : "s=a4c3205f…;i=1;b=01234567…;m=2dfdc1e29;t=660e127172400;x=f53c8392…",
            "__REALTIME_TIMESTAMP" : "1795370000000000",
            "_TRANSPORT" : "kernel",
            "MESSAGE" : "nf_conntrack: nf_conntrack: table full, dropping packet",
            …
    }

systemd's output_json() with JSON_FORMAT_PRETTY: one object per entry, its `{` and `}` at the
start of their lines, a key per line indented by a tab (`"KEY" : value`), the entry's fields in
the journal's order; binary values are arrays of byte values over several lines. `jq .` prints
any JSON record the same way (two spaces, `"key": value`). The objects are read one by one
(tcplog.framing.json_objects) and decoded as the one-line records are (tcplog.framing.decode_object):
journald entries, or shippers' records. Text between objects, an object that is not a record,
one cut off, or one with no message counts once as unframed. Up to three lines before the first `{`
(a shell prompt, a heading, a log line pasted with the output) are read as ordinary log lines. Files and stdin are sniffed;
workers never split them. The framing in the event is `journal-json-pretty` for journald
entries, `json-pretty` for the rest.
"""

from __future__ import annotations

import re

from tcplog.framing import journal_json, json_objects
from tcplog.record import Record

NAME = "json-pretty"
JOURNAL = "journal-json-pretty"

_SNIFF = re.compile(rb'(?:\xef\xbb\xbf)?(?:' + json_objects.LEAD + rb'){0,3}\{\r?\n[ \t]{1,16}"[^"\\\n]{1,128}"[ \t]*:')


def sniff(head: bytes) -> bool:
    """True when a stream starts with a pretty-printed JSON object (`{` alone, then a key on its line),
    perhaps after up to three lines of other text (a shell prompt, a heading: json_objects.LEAD)."""
    return _SNIFF.match(head) is not None


def chunks(stream):
    return json_objects.chunks(stream, 0, json_objects.parse_object)


def decode(obj: dict, raw: bytes, ctx) -> Record | None:
    """A Record from one object, as its one-line form would give; None when it holds none."""
    from tcplog.framing import decode_object  # (the package imports this module)

    record = decode_object(obj, raw, ctx)
    if record is not None:
        record.framing = JOURNAL if journal_json.is_journal(obj) else NAME
    return record
