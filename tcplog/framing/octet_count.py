"""RFC 6587 octet counting left before a syslog record: a capture of a TCP syslog stream.

    87 <4>1 2026-11-22T10:00:00Z web1 kernel - - - TCP: time wait bucket table overflow
    73 <4>Nov 22 10:00:00 web1 kernel: TCP: time wait bucket table overflow

Over TCP (RFC 6587 3.4.1, RFC 5425 4.3: `SYSLOG-FRAME = MSG-LEN SP SYSLOG-MSG`) each message is sent after
its length in octets and a space: syslog-ng's `syslog()` driver, rsyslog's omfwd with
`TCP_Framing="octet-counted"`, Graylog's TCP Syslog Output with octet counting. A `tcpdump -A`, `nc -l`
or `socat` capture of such a stream, or a receiver that wrote the frames as it got them, keeps the count
before the record. `split` gives where the record starts (at its `<PRI>`); the record after it is read
only when it has a header of its own (the caller's job). The count is not checked against the record: a
capture cuts frames, and the record's own header and the kernel's wording decide.
"""

from __future__ import annotations

import re

# MSG-LEN (a non-zero digit first, at most rsyslog's MaxFrameSize 200000000) and one space, then a PRI
_COUNT = re.compile(r"[1-9]\d{0,8} (?=<\d{1,3}>)")


def split(line: str) -> int:
    """Where the record after an octet count starts; 0 when the line starts with none."""
    m = _COUNT.match(line)
    return m.end() if m else 0
