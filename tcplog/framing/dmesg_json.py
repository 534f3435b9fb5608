"""`dmesg --json` / `dmesg -J` (util-linux 2.37+): one document, a record per array element.

    {
       "dmesg": [
          {
             "pri": 4,
             "time": 12345.678901,
             "msg": "nf_conntrack: table full, dropping packet"
          },{
             "fac": "kern",                            (with -x: names instead of the PRI number)
             "pri": "warn",
             "time":   601.749973,
             "caller": "C1",                           (CONFIG_PRINTK_CALLER)
             "msg": "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies."
          }
       ]
    }

The shape of util-linux's print_record() through lib/jsonwrt.c: `pri` is the syslog PRI number
(facility * 8 + level) or, with `-x`, `fac` and `pri` are names; `time` is printed raw, so it is
the monotonic seconds (`%5ld.%06ld`, a number) or, where a util-linux version passes a `-T` or
`--time-format iso` stamp through, unquoted text that is not JSON at all (`[Sun Nov 22 10:00:00
2026] `). An element that is not valid JSON is read key by key (one key per line); its time is
read as dmesg's own stamp. Records of other facilities are user space writing to /dev/kmsg.
The document is read element by element (tcplog.framing.json_objects) and never split by workers.
"""

from __future__ import annotations

import re

import orjson

from tcplog.framing import dmesg, json_objects
from tcplog.framing.syslog3164 import FACILITIES, SEVERITIES
from tcplog.record import Record

NAME = "dmesg-json"

_SNIFF = re.compile(rb'(?:\xef\xbb\xbf)?(?:' + json_objects.LEAD + rb'){0,3}\s*\{\s*"dmesg"\s*:\s*\[')
# One key per line: a JSON string value, or raw text to the end of the line (a trailing comma dropped).
_KEY = re.compile(rb'"(\w{1,16})"\s*:\s*("(?:[^"\\\n]|\\.)*"|[^\n]*?)\s*,?\s*$', re.MULTILINE)
_NUMBER = re.compile(r"\s*\d{1,12}(?:\.\d{1,9})?\s*")


def sniff(head: bytes) -> bool:
    """True when a stream starting with these bytes is `dmesg --json` output (perhaps after up to three
    lines of other text: a shell prompt, a heading)."""
    return _SNIFF.match(head) is not None


def chunks(stream):
    return json_objects.chunks(stream, 2, parse)


def parse(raw: bytes) -> dict | None:
    """An element's keys: JSON when it is, else read line by line (values that are not JSON as text)."""
    obj = json_objects.parse_object(raw)
    if obj is None:
        obj = {}
        for m in _KEY.finditer(raw):
            key, value = m[1].decode(), m[2]
            try:
                obj[key] = orjson.loads(value)
            except orjson.JSONDecodeError:
                if value.startswith(b'"'):
                    return None  # a broken string: no telling where the message ends
                obj[key] = value.decode("utf-8", "replace")  # dmesg's raw stamp text
    return obj


def decode(obj: dict, raw: bytes, ctx) -> Record | None:
    """A Record from an element's keys; None without a message."""
    msg = obj.get("msg")
    if not isinstance(msg, str) or not msg.strip():
        return None
    msg = msg.rstrip("\n")
    record = dmesg.decode(_line(obj, msg), raw, ctx)
    if record is None:  # a time dmesg's stamps do not know: without it
        record = dmesg.decode(_line({**obj, "time": None}, msg), raw, ctx)
    if record is None:  # neither PRI nor time: the message alone, from the kernel's buffer
        return Record(raw=raw, text=msg, framing=NAME, kernel=True)
    record.framing = NAME
    return record


def _line(obj: dict, msg: str) -> str:
    """The element as the dmesg line it stands for: `<PRI>` or `fac:level: `, the stamp, the caller."""
    head = ""
    pri, fac = obj.get("pri"), obj.get("fac")
    if isinstance(pri, int) and not isinstance(pri, bool) and 0 <= pri < 1024:
        head = f"<{pri}>"
    elif isinstance(pri, str) and isinstance(fac, str) and pri in SEVERITIES and fac in FACILITIES:
        head = f"{fac:<6}:{pri:<6}: "
    time = obj.get("time")
    if isinstance(time, (int, float)) and not isinstance(time, bool) and time >= 0:
        head += f"[{time:.6f}] "
    elif isinstance(time, str) and time.strip():
        head += f"[{time.strip()}] " if _NUMBER.fullmatch(time) else f"{time.strip()} "
    caller = obj.get("caller")
    if isinstance(caller, str) and caller:
        head += f"[{caller}] "
    return head + msg
