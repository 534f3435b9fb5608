"""Peer shrank its receive window (net/ipv4/tcp_timer.c:tcp_retransmit_timer).

Printed at KERN_DEBUG when the retransmit timer fires while the peer advertises a zero window
(`snd_wnd == 0`) on a live, established socket: the peer retracted window it had offered, and
our retransmissions become zero-window probes. A peer-side (or middlebox) bug, not local
exhaustion. 2.4 - 2.6.2x: `printk(KERN_DEBUG ...)` under `net_ratelimit()` and `TCP_DEBUG`;
2.6.29 - 3.x: `LIMIT_NETDEBUG` (visible); 4.x - 6.x: `net_dbg_ratelimited` (dynamic debug
only; tcp_timer.c has no pr_fmt, so no `TCP: ` prefix). A 2023 net-next patch (Menglong Dong)
rewrote it as "Probing zero-window ..." with the age of the last ACK and the probe duration.
IPv6 peers are printed with `%pI6`: the full, uncompressed form.

Examples:

    TCP: Treason uncloaked! Peer 85.225.142.84:63442/3155 shrinks window 281443515:281445827. Repaired.
    TCP: Peer 192.0.2.7:443/51522 unexpectedly shrunk window 1850472960:1850474408 (repaired)
    Peer 2001:0db8:0000:0000:0000:0000:0000:0001:443/55000 unexpectedly shrunk window 1:1449 (repaired)
    Probing zero-window on 127.0.0.1:9999/46946, seq=3737778959:3737791503, recv 209ms ago, lasting 209ms

Fields:

    peer_address    str        remote address, normalised
    peer_port       int        remote port
    local_port      int        local port (inet_num)
    snd_una         int        oldest unacknowledged sequence number
    snd_nxt         int        next sequence number to send
    recv_ago_ms     int|null   ms since the last ACK from the peer (probing form only)
    lasting_ms      int|null   ms the retransmission/probing has lasted (probing form only)

Message ids:

    window_shrunk.treason   2.4 - 2.6.2x (RHEL 5): "Treason uncloaked! ... Repaired."
    window_shrunk.shrunk    2.6.29 - 6.5 (RHEL 6+): "unexpectedly shrunk window ... (repaired)"
    window_shrunk.probing   2023 net-next patch, ~6.6+ [unverified release]: "Probing zero-window on ..."
"""

from __future__ import annotations

import re

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "window_shrunk"
ORIGIN = "kernel"
TRIGGERS = (b"shrinks window", b"shrunk window", b"Probing zero", b"Treason uncloaked")
MESSAGES = {
    "window_shrunk.treason":
        "TCP: Treason uncloaked! Peer %u.%u.%u.%u:%u/%u shrinks window %u:%u. Repaired.  [2.4 - 2.6.2x]",
    "window_shrunk.shrunk":
        "[TCP: ]Peer %pI4:%u/%u unexpectedly shrunk window %u:%u (repaired) (or %pI6)  [2.6.29 - 6.5]",
    "window_shrunk.probing":
        "Probing zero-window on %pI4:%u/%u, seq=%u:%u, recv %ums ago, lasting %ums (or %pI6)  [~6.6+]",
}
FIELDS = ("peer_address", "peer_port", "local_port", "snd_una", "snd_nxt", "recv_ago_ms", "lasting_ms")

_U32_MAX = 0xFFFFFFFF


def _u32(text: str) -> int:
    number = int(text)
    if number > _U32_MAX:
        raise ValueError(f"{number} is more than 32 bits")
    return number


u32 = c.value_token(r"\d{1,10}", "u32", _u32)

# Greedy address, then backtrack to the last ":digits/" - right for IPv4 and for any IPv6 form.
_PEER = re.compile(r"(?P<address>\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+):(?P<peer_port>\d{1,5})/(?P<local_port>\d{1,5})")


def _peer(text: str) -> dict:
    """Split `ADDR:PORT/PORT`; ADDR may be IPv6 (%pI6 prints it without brackets)."""
    m = _PEER.fullmatch(text)
    address = m["address"]
    if address.startswith("["):
        address = address[1:-1]
    normalised = c.ip_address(address)
    peer_port, local_port = int(m["peer_port"]), int(m["local_port"])
    if peer_port > 65535 or local_port > 65535:
        raise ValueError("port out of range")
    return {"peer_address": normalised, "peer_port": peer_port, "local_port": local_port}


peer = c.fields_token(_PEER.pattern, "addr:port/port", _peer)
_seq = u32("snd_una") + pp.Suppress(":") + u32("snd_nxt")
_prefix = pp.Optional(pp.Regex(r"(?:MP)?TCP:"))("prefix")

treason = (_prefix + c.literal_words("Treason uncloaked! Peer") + peer + c.literal_words("shrinks window")
           + _seq + pp.Suppress(".") + pp.Keyword("Repaired") + pp.Optional(".") + pp.StringEnd()) \
    .set_name("window_shrunk.treason")
shrunk = (_prefix + pp.Keyword("Peer") + peer + c.literal_words("unexpectedly shrunk window") + _seq
          + pp.Literal("(repaired)") + pp.Optional(".") + pp.StringEnd()).set_name("window_shrunk.shrunk")
probing = (_prefix + c.literal_words("Probing zero-window on") + peer + pp.Suppress(",")
           + pp.Suppress(pp.Literal("seq=")) + _seq + pp.Suppress(",")
           + pp.Keyword("recv") + u32("recv_ago_ms") + pp.Literal("ms") + pp.Keyword("ago") + pp.Suppress(",")
           + pp.Keyword("lasting") + u32("lasting_ms") + pp.Literal("ms") + pp.Optional(".") + pp.StringEnd()) \
    .set_name("window_shrunk.probing")

_VARIANTS = (
    ("window_shrunk.treason", treason),
    ("window_shrunk.shrunk", shrunk),
    ("window_shrunk.probing", probing),
)


def parse(text: str) -> c.Match | None:
    for message_id, expr in _VARIANTS:
        r = c.parse_named(expr, text)
        if r is not None:
            return c.Match(FAMILY, message_id, c.fields_of(r, FIELDS))
    return None
