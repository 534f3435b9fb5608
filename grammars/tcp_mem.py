"""TCP out of memory (~3.2+): tcp_mem[2] exceeded (net/ipv4/tcp.c:tcp_check_oom).

Printed at KERN_INFO (`pr_info` under `net_ratelimit()`, later `net_info_ratelimited`) when an
orphaned socket is killed because `tcp_out_of_memory()` holds: the socket has more than
SOCK_MIN_SNDBUF queued and the protocol's allocated memory (pages, sockstat `mem`) is above
`tcp_mem[2]`. Called from tcp_close and tcp_out_of_resources; the same call may also print the
`orphans` family's text. Counters: TcpExt TCPAbortOnMemory, TCPMemoryPressures. On 2.6 the same
condition printed the ambiguous `socket_memory` texts.

Examples:

    TCP: out of memory -- consider tuning tcp_mem
    out of memory -- consider tuning tcp_mem

Fields:

    (none)

Message ids:

    tcp_mem.out_of_memory   ~3.2 - 6.x ("TCP: " from pr_fmt)
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "tcp_mem"
ORIGIN = "kernel"
TRIGGERS = (b"consider tuning tcp_mem",)
MESSAGES = {
    "tcp_mem.out_of_memory": "TCP: out of memory -- consider tuning tcp_mem  [~3.2 - 6.x]",
}
FIELDS = ()
# not before 2.6.39: 2.6.38 still printed the 2.6 texts (grammars/__init__.py: SINCE)
SINCE = {"tcp_mem.out_of_memory": ("2.6.39",)}

out_of_memory = (pp.Optional(pp.Literal("TCP:"))("prefix") + c.literal_words("out of memory")
                 + pp.Literal("--") + c.literal_words("consider tuning tcp_mem")
                 + pp.Optional(".") + pp.StringEnd()).set_name("tcp_mem.out_of_memory")


def parse(text: str) -> c.Match | None:
    if c.parse_named(out_of_memory, text) is None:
        return None
    return c.Match(FAMILY, "tcp_mem.out_of_memory", {})
