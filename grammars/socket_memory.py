"""Out of socket memory (2.4 - 3.2, or 3.3): orphan limit *or* tcp_mem, the kernel does not say which.

Two KERN_INFO texts, both under `net_ratelimit()`:

* `Out of socket memory` (no prefix) from net/ipv4/tcp_timer.c:tcp_out_of_resources, the
  retransmit / zero-window-probe timer of an orphaned socket. The orphan count is doubled (and
  doubled again after a soft ICMP error) before it is compared with tcp_max_orphans.
* `TCP: too many of orphaned sockets` from net/ipv4/tcp.c:tcp_close (shift 0).

On these kernels each text covers both causes (orphans > tcp_max_orphans, or tcp_mem[2]
pages exceeded): compare sockstat `orphan` (x2/x4) and `mem` to tell them apart. 3.4+ (maybe 3.3) kernels
print the split texts of the `orphans` and `tcp_mem` families instead. RHEL 6 prints these
old texts. Some vendor kernels put a `TCP: ` prefix in front of "Out of socket memory".

Examples:

    Out of socket memory
    TCP: too many of orphaned sockets

Fields:

    (none)

Message ids:

    socket_memory.out_of_socket_memory   2.4 - 3.2 or 3.3 (RHEL 5/6), tcp_out_of_resources
    socket_memory.too_many_of_orphaned   2.4 - 3.2 or 3.3 (RHEL 5/6), tcp_close
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "socket_memory"
ORIGIN = "kernel"
TRIGGERS = (b"Out of socket memory", b"too many of orphaned")
MESSAGES = {
    "socket_memory.out_of_socket_memory": "Out of socket memory  [2.4 - 3.2 or 3.3]",
    "socket_memory.too_many_of_orphaned": "TCP: too many of orphaned sockets  [2.4 - 3.2 or 3.3]",
}
FIELDS = ()
# the last mainline kernel with each wording (grammars/__init__.py: UNTIL). tcp_check_oom(), called from
# both tcp_close() and tcp_out_of_resources(), replaced both texts with the orphans and tcp_mem families'
# texts. Read in source: a 3.2.0 tree's tcp_out_of_resources() still prints "Out of socket memory" after
# tcp_too_many_orphans(); 3.4.4 has tcp_check_oom() printing the split texts (docs/reference §4, the
# source quoted in [P1]). 3.3 was not checked, so the bound is 3.3: no 3.4 or later kernel prints either.
UNTIL = {"socket_memory.out_of_socket_memory": "3.3", "socket_memory.too_many_of_orphaned": "3.3"}

_prefix = pp.Optional(pp.Literal("TCP:"))("prefix")
_end = pp.Optional(".") + pp.StringEnd()

out_of_socket_memory = (_prefix + c.literal_words("Out of socket memory") + _end) \
    .set_name("socket_memory.out_of_socket_memory")
too_many_of_orphaned = (_prefix + c.literal_words("too many of orphaned sockets") + _end) \
    .set_name("socket_memory.too_many_of_orphaned")

_VARIANTS = (
    ("socket_memory.out_of_socket_memory", out_of_socket_memory),
    ("socket_memory.too_many_of_orphaned", too_many_of_orphaned),
)


def parse(text: str) -> c.Match | None:
    for message_id, expr in _VARIANTS:
        if c.parse_named(expr, text) is not None:
            return c.Match(FAMILY, message_id, {})
    return None
