"""TIME_WAIT bucket table overflow: a closing socket skipped TIME_WAIT (net/ipv4/tcp_minisocks.c:tcp_time_wait).

Printed at KERN_INFO (under `net_ratelimit()`, later `LIMIT_NETDEBUG`) when the kernel could not
allocate a TIME_WAIT bucket: either `tw_count >= tcp_max_tw_buckets` or the GFP_ATOMIC slab
allocation failed. The socket is then closed at once instead of entering TIME_WAIT. From about
3.0/3.1 on the text is gone and only the counter TcpExt TCPTimeWaitOverflow rises; OpenVZ
2.6.18 kernels append the container id, whose per-container beancounter limit can also fire.

Examples:

    TCP: time wait bucket table overflow
    TCP: time wait bucket table overflow (CT0)
    TCP: time wait bucket table overflow (CT101)

Fields:

    container_id    int|null   OpenVZ container id from "(CT%d)"; 0 = host (or null without the suffix)

Message ids:

    tw_bucket_overflow.legacy   2.4 - ~3.0 (RHEL 5/6), also the LIMIT_NETDEBUG form: same text
    tw_bucket_overflow.openvz   OpenVZ/Virtuozzo 2.6.18 kernels: "(CT%d)" suffix
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "tw_bucket_overflow"
ORIGIN = "kernel"
TRIGGERS = (b"time wait bucket table overflow",)
MESSAGES = {
    "tw_bucket_overflow.legacy": "TCP: time wait bucket table overflow  [2.4 - ~3.0]",
    "tw_bucket_overflow.openvz": "TCP: time wait bucket table overflow (CT%d)  [OpenVZ 2.6.18]",
}
FIELDS = ("container_id",)

_prefix = pp.Optional(pp.Literal("TCP:"))("prefix")
_phrase = c.literal_words("time wait bucket table overflow")
_container = (pp.Regex(r"\(CT\d{1,10}\)").set_name("(CT%d)")
              .set_parse_action(lambda t: int(t[0][3:-1])))("container_id")

overflow = (_prefix + _phrase + pp.Optional(_container) + pp.Optional(".") + pp.StringEnd()) \
    .set_name("tw_bucket_overflow")


def parse(text: str) -> c.Match | None:
    r = c.parse_named(overflow, text)
    if r is None:
        return None
    container = r.get("container_id")
    message_id = "tw_bucket_overflow.legacy" if container is None else "tw_bucket_overflow.openvz"
    return c.Match(FAMILY, message_id, {"container_id": container})
