"""The peers' rules, from one table: a liblognorm v2 rulebase and a syslog-ng patterndb.

    python bench/peers/rules.py      # rewrites bench/peers/tcplog.rulebase and bench/peers/tcplog.pdb

Both recognise the same messages as tcplog, with tcplog's origin rules, on RFC 3164 lines as
rsyslog writes them, and emit JSON for matched lines only, carrying the family and message id
(lognormalizer: `event.tags` = [family, message id]; syslog-ng: `family`, `message_id`) and the
message's fields. The table below is written for the peers, in their terms: it does not import
tcplog. Pattern syntax: literal text with `{name:type}` fields, where type is

    number      digits
    ipv4        dotted quad
    id          a token of letters, digits and ._- (interface, table, driver names)
    to=X        everything up to the next X (lognormalizer char-to; syslog-ng ESTRING, which
                also eats the X, so the literal after it must start with X)
    rest        the rest of the message

Whole-message matching: liblognorm rules always match the whole line; syslog-ng patterns match
prefixes, so db-parser() matches `${MESSAGE}~~` and every pattern ends in `~~`.

What neither peer can do on its own: join a martian `ll header:` line to the martian line before
it. They tag it `martian_source.ll_header`; bench/run.py folds such a match into the martian
match just before it of the same host, as tcplog's assembler does, when it counts.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
SENTINEL = "~~"

# Programs whose own loss notices count (tcplog's log_suppressed origin rule, restated).
DAEMONS = ("systemd-journald", "systemd-journal", "journald", "rsyslogd", "rsyslogd-2177", "rsyslogd0",
           "rsyslog", "imuxsock", "imjournal", "syslog-ng", "syslogd", "sysklogd", "busybox")

UDP = ("UDP", "UDPLite", "UDP-Lite", "UDP: UDP")

# (message id, patterns): kernel wordings, matched after "kernel: " (and an optional printk time).
KERNEL = [
    ("tw_bucket_overflow.legacy", ["TCP: time wait bucket table overflow"]),
    ("tw_bucket_overflow.openvz", ["TCP: time wait bucket table overflow (CT{container_id:number})"]),
    ("socket_memory.out_of_socket_memory", ["Out of socket memory", "TCP: Out of socket memory"]),
    ("socket_memory.too_many_of_orphaned", ["TCP: too many of orphaned sockets"]),
    ("orphans.too_many", ["TCP: too many orphaned sockets", "too many orphaned sockets"]),
    ("tcp_mem.out_of_memory", ["TCP: out of memory -- consider tuning tcp_mem",
                               "out of memory -- consider tuning tcp_mem"]),
    ("syn_flood.legacy", ["possible SYN flooding on port {port:number}. Sending cookies."]),
    ("syn_flood.proto", [f"TCP: {p}: Possible SYN flooding on port {{port:number}}. {{action:to=.}}.  Check SNMP counters."
                         for p in ("TCP", "TCPv6")]),
    ("syn_flood.slab", ["TCP: request_sock_{proto:to=:}: Possible SYN flooding on port {port:number}. "
                        "{action:to=.}.  Check SNMP counters."]),
    ("syn_flood.addr", ["TCP: request_sock_{proto:to=:}: Possible SYN flooding on port {listen_address:ipv4}:"
                        "{port:number}. {action:to=.}.",
                        "TCP: request_sock_{proto:to=:}: Possible SYN flooding on port [{listen_address:to=]}]:"
                        "{port:number}. {action:to=.}."]),
    ("drop_open_request.from", ["TCP: drop open request from {address:to=/}/{port:number}"]),
    ("conntrack_full.ip_conntrack", ["ip_conntrack: table full, dropping packet."]),
    ("conntrack_full.printk", ["nf_conntrack: table full, dropping packet."]),
    ("conntrack_full.ratelimited", ["nf_conntrack: table full, dropping packet"]),
    ("conntrack_full.pr_fmt", ["nf_conntrack: nf_conntrack: table full, dropping packet"]),
    ("conntrack_full.netns", ["nf_conntrack: table full in netns {netns:number}, dropping packet"]),
    ("conntrack_expect_full.nf_conntrack", ["nf_conntrack: expectation table full"]),
    ("conntrack_expect_full.pr_fmt", ["nf_conntrack: nf_conntrack: expectation table full"]),
    ("conntrack_expect_full.ip_conntrack", ["ip_conntrack: expectation table full"]),
    ("conntrack_vmalloc.ip_conntrack", ["ip_conntrack: falling back to vmalloc."]),
    ("conntrack_vmalloc.nf_conntrack", ["nf_conntrack: falling back to vmalloc."]),
    ("neigh_overflow.legacy", ["Neighbour table overflow."]),
    ("neigh_overflow.ipv4", ["ipv4: Neighbour table overflow.", "IPv4: Neighbour table overflow"]),
    ("neigh_overflow.ipv6", ["ipv6: Neighbour table overflow.", "IPv6: Neighbour table overflow",
                             "IPv6: Neighbour table overflow."]),
    ("neigh_overflow.table", ["neighbour: {table:id}: neighbor table overflow!", "{table:id}: neighbor table overflow!"]),
    ("window_shrunk.treason", ["TCP: Treason uncloaked! Peer {peer_address:ipv4}:{peer_port:number}/{local_port:number} "
                               "shrinks window {snd_una:number}:{snd_nxt:number}. Repaired."]),
    ("window_shrunk.shrunk", [f"{p}Peer {{peer:to=/}}/{{local_port:number}} unexpectedly shrunk window "
                              "{snd_una:number}:{snd_nxt:number} (repaired)" for p in ("TCP: ", "")]),
    ("window_shrunk.probing", ["Probing zero-window on {peer:to=/}/{local_port:number}, seq={snd_una:number}:"
                               "{snd_nxt:number}, recv {recv_ago_ms:number}ms ago, lasting {lasting_ms:number}ms"]),
    ("udp_short_packet.v4", [f"{u}: short packet: From {{src_address:ipv4}}:{{src_port:number}} {{ulen:number}}/"
                             "{packet_len:number} to {dst_address:ipv4}:{dst_port:number}" for u in UDP]),
    ("udp_short_packet.v6", [f"{u}v6: short packet: From [{{src_address:to=]}}]:{{src_port:number}} {{ulen:number}}/"
                             "{packet_len:number} to [{dst_address:to=]}]:{dst_port:number}" for u in UDP]),
    ("udp_short_packet.v6_legacy", [f"{u}: short packet: {{ulen:number}}/{{packet_len:number}}"
                                    for u in ("UDP", "UDPv6", "UDP-Litev6")]),
    ("udp_bad_checksum.v4", [f"{u}: bad checksum. From {{src_address:ipv4}}:{{src_port:number}} to "
                             "{dst_address:ipv4}:{dst_port:number} ulen {ulen:number}" for u in UDP]),
    ("martian_source.plain", ["martian source {dst_address:ipv4} from {src_address:ipv4}, on dev {interface:rest}"]),
    ("martian_source.pr_fmt", ["IPv4: martian source {dst_address:ipv4} from {src_address:ipv4}, on dev "
                               "{interface:rest}"]),
    ("martian_source.ll_header", ["ll header: {ll_header:rest}"]),
    ("martian_destination.plain", ["martian destination {dst_address:ipv4} from {src_address:ipv4}, dev "
                                   "{interface:rest}"]),
    ("martian_destination.pr_fmt", ["IPv4: martian destination {dst_address:ipv4} from {src_address:ipv4}, dev "
                                    "{interface:rest}"]),
    ("netdev_watchdog.legacy", ["NETDEV WATCHDOG: {interface:id}: transmit timed out"]),
    ("netdev_watchdog.driver", ["NETDEV WATCHDOG: {interface:id} ({driver:to=)}): transmit timed out"]),
    ("netdev_watchdog.queue", ["NETDEV WATCHDOG: {interface:id} ({driver:to=)}): transmit queue {queue:number} "
                               "timed out"]),
    ("netdev_watchdog.queue_ms", ["NETDEV WATCHDOG: {interface:id} ({driver:to=)}): transmit queue {queue:number} "
                                  "timed out {timeout_ms:number} ms"]),
    ("netdev_watchdog.crit", ["{driver:id} {bus_id:to= } {interface:id}: NETDEV WATCHDOG: CPU: {cpu:number}: "
                              "transmit queue {queue:number} timed out {timeout_ms:number} ms"]),
    ("gro_suspect.warn", ["TCP: {interface:to=:}: Driver has suspect GRO implementation, TCP performance may be "
                          "compromised."]),
    ("hw_csum_failure.legacy", ["{interface:to=:}: hw csum failure."]),
    ("hw_csum_failure.dev", ["{interface:to=:}: hw csum failure"]),
    ("hw_csum_failure.netdev", ["{driver:id} {bus_id:to= } {interface:to=:}: hw csum failure",
                                "(NULL net_device): hw csum failure"]),
    ("hw_csum_failure.tcp", ["hw tcp v4 csum failed", "hw tcp v6 csum failed"]),
    ("hw_csum_failure.udp", ["udp v4 hw csum failure.", "udp v6 hw csum failure.", "raw v6 hw csum failure.",
                             "UDPLITE: hw csum failure."]),
    ("ratelimit_suppressed.printk", ["printk: {suppressed:number} messages suppressed."]),
    ("ratelimit_suppressed.callbacks", ["{function:id}: {suppressed:number} callbacks suppressed"]),
    ("ratelimit_suppressed.devkmsg", ["printk: {function:to=:}: {suppressed:number} output lines suppressed due to "
                                      "ratelimiting",
                                      "{function:to=:}: {suppressed:number} output lines suppressed due to ratelimiting"]),
]

# Log daemons' notices, from one of DAEMONS.
DAEMON = [
    ("log_suppressed.journald_suppressed", ["Suppressed {suppressed:number} messages from {unit:rest}"]),
    ("log_suppressed.journald_kernel_missed", ["Missed {suppressed:number} kernel messages"]),
    ("log_suppressed.journald_forward_missed", ["Forwarding to syslog missed {suppressed:number} messages."]),
    ("log_suppressed.imuxsock_begin", ["imuxsock begins to drop messages from pid {pid:number} due to rate-limiting"]),
    ("log_suppressed.imuxsock_lost", ["imuxsock lost {suppressed:number} messages from pid {pid:number} due to "
                                      "rate-limiting"]),
    ("log_suppressed.ratelimit_begin", ["{unit:to=:}: begin to drop messages due to rate-limiting"]),
    ("log_suppressed.ratelimit_lost", ["{unit:to=:}: {suppressed:number} messages lost due to rate-limiting",
                                       "{unit:to=:}: {suppressed:number} messages lost due to rate-limiting "
                                       "({allowed:number} allowed within {seconds:number} seconds)"]),
]
# syslogd's tag-less notices (also accepted from DAEMONS).
TAGLESS = [
    ("log_suppressed.last_repeated", ["last message repeated {suppressed:number} times",
                                      "last message repeated {suppressed:number} time"]),
    ("log_suppressed.last_repeated_dashes", ["--- last message repeated {suppressed:number} times ---",
                                             "--- last message repeated {suppressed:number} time ---"]),
]
# Repeat notices that keep the tag of the line they repeat: from any program.
ANY = [
    ("log_suppressed.message_repeated", ["message repeated {suppressed:number} times: [{repeated_message:rest}"]),
    ("log_suppressed.syslog_ng_repeated", ["Last message '{repeated_message:to='}' repeated {suppressed:number} times, "
                                           "suppressed by syslog-ng on {on:rest}"]),
]

_FIELD = re.compile(r"\{(\w+):([^}]+)\}")


def _tokens(pattern: str):
    pos = 0
    for m in _FIELD.finditer(pattern):
        if m.start() > pos:
            yield "lit", pattern[pos:m.start()], None
        yield "field", m.group(1), m.group(2)
        pos = m.end()
    if pos < len(pattern):
        yield "lit", pattern[pos:], None


# -- liblognorm v2 ------------------------------------------------------------------------------

def lognorm_body(pattern: str) -> str:
    out = []
    for kind, a, b in _tokens(pattern):
        if kind == "lit":
            out.append(a.replace("%", "\\%"))
        elif b == "number":
            out.append(f"%{a}:number%")
        elif b == "ipv4":
            out.append(f"%{a}:ipv4%")
        elif b == "id":
            out.append(f'%{a}:char-sep{{"extradata":": ()"}}%')
        elif b == "rest":
            out.append(f"%{a}:rest%")
        elif b.startswith("to="):
            out.append(f'%{a}:char-to{{"extradata":"{b[3:]}"}}%')
        else:
            raise ValueError(f"unknown field type {b!r} in {pattern!r}")
    return "".join(out)


def rulebase() -> str:
    head = "%date:date-rfc3164% %host:word% "
    lines = [
        "version=2",
        "# tcplog benchmark peer: kernel network-stack messages for lognormalizer (liblognorm v2).",
        "# Generated by bench/peers/rules.py from its table; run: lognormalizer -r tcplog.rulebase -T -p -e json",
        "# event.tags = [family, message id]. One rule per wording, with and without the printk time.",
        "",
    ]

    def add(mid, patterns, tags):
        fam = mid.split(".")[0]
        for p in patterns:
            for tag in tags:
                lines.append(f"rule={fam},{mid}:{head}{tag}{lognorm_body(p)}")

    lines.append("# kernel wordings")
    for mid, patterns in KERNEL:
        add(mid, patterns, ("kernel: ", 'kernel: [%mono:char-to{"extradata":"]"}%] '))
    lines.append("# log daemons' own notices")
    daemon_tags = [t for d in DAEMONS for t in (f"{d}: ", f"{d}[%pid:number%]: ")]
    for mid, patterns in DAEMON + TAGLESS:
        add(mid, patterns, daemon_tags)
    lines.append("# tag-less syslogd notices")
    for mid, patterns in TAGLESS:
        add(mid, patterns, ("",))
    lines.append("# repeat notices keep the tag of the line they repeat")
    for mid, patterns in ANY:
        add(mid, patterns, ('%program:char-to{"extradata":":"}%: ',))
    return "\n".join(lines) + "\n"


# -- syslog-ng patterndb ------------------------------------------------------------------------

def pdb_pattern(pattern: str) -> str:
    out = []
    eat = None  # the character an ESTRING has already consumed
    for kind, a, b in _tokens(pattern + SENTINEL):
        if kind == "lit":
            if eat is not None:
                if not a.startswith(eat):
                    raise ValueError(f"to={eat} must be followed by {eat!r} in {pattern!r}")
                a = a[len(eat):]
                eat = None
            out.append(a.replace("@", "@@"))
            continue
        if eat is not None:
            raise ValueError(f"two fields in a row in {pattern!r}")
        a = "fields." + a
        if b == "number":
            out.append(f"@NUMBER:{a}@")
        elif b == "ipv4":
            out.append(f"@IPv4:{a}@")
        elif b == "id":
            out.append(f"@STRING:{a}:._-@")
        elif b == "rest":
            out.append(f"@ESTRING:{a}:{SENTINEL}@")
            eat = SENTINEL
        elif b.startswith("to="):
            out.append(f"@ESTRING:{a}:{b[3:]}@")
            eat = b[3:]
        else:
            raise ValueError(f"unknown field type {b!r} in {pattern!r}")
    return "".join(out)


def _rule(mid: str, patterns: list[str], printk: bool, n: list) -> list[str]:
    fam = mid.split(".")[0]
    n[0] += 1
    pats = []
    for p in patterns:
        pats.append(pdb_pattern(p))
        if printk:
            pats.append("[@ESTRING:mono:]@ " + pdb_pattern(p))
    out = [f"   <rule provider='tcplog-bench' id='{mid}#{n[0]}' class='{fam}'>", "    <patterns>"]
    out += [f"     <pattern>{escape(p)}</pattern>" for p in pats]
    out += ["    </patterns>",
            f"    <values><value name='family'>{fam}</value><value name='message_id'>{mid}</value></values>",
            "   </rule>"]
    return out


def patterndb() -> str:
    n = [0]
    lines = ["<?xml version='1.0' encoding='UTF-8'?>",
             "<!-- tcplog benchmark peer: kernel network-stack messages for syslog-ng db-parser().",
             "     Generated by bench/peers/rules.py from its table. db-parser() must match ${MESSAGE}~~",
             "     (message-template), so that every pattern, ending in ~~, matches the whole message. -->",
             "<patterndb version='4' pub_date='2026-11-22'>"]

    def ruleset(name, programs, entries, printk=False):
        lines.append(f" <ruleset name='{name}' id='tcplog-bench-{name}'>")
        if programs:
            lines.append("  <patterns>" + "".join(f"<pattern>{escape(p)}</pattern>" for p in programs) + "</patterns>")
        lines.append("  <rules>")
        for mid, patterns in entries:
            lines.extend(_rule(mid, patterns, printk, n))
        lines.append("  </rules>")
        lines.append(" </ruleset>")

    ruleset("kernel", ["kernel"], KERNEL + ANY, printk=True)
    ruleset("daemons", list(DAEMONS), DAEMON + TAGLESS + ANY)
    # syslog-ng reads a tag-less "host last message repeated 3 times" as program "last".
    ruleset("tagless-last", ["last"], [(mid, [p.removeprefix("last ") for p in pats]) for mid, pats in TAGLESS[:1]] + ANY)
    ruleset("tagless-dashes", ["---"], [(mid, [p.removeprefix("--- ") for p in pats]) for mid, pats in TAGLESS[1:]] + ANY)
    ruleset("any", [], ANY)
    lines.append("</patterndb>")
    return "\n".join(lines) + "\n"


SYSLOG_NG_CONF = """@version: 3.38
# tcplog benchmark peer: a private syslog-ng reading stdin, db-parser() with bench/peers/tcplog.pdb,
# one JSON line per matched message. Written by bench/run.py; {pdb} and {out} are filled in.
options {{ stats-freq(0); keep-hostname(yes); keep-timestamp(yes); log-msg-size(65536); }};
source s_in {{ stdin(); }};
parser p_db {{ db-parser(file("{pdb}") message-template("${{MESSAGE}}{sentinel}")); }};
filter f_matched {{ not match("unknown" value(".classifier.class")); }};
destination d_out {{ file("{out}" template("$(format-json --key family --key message_id --key HOST --key PROGRAM --key PID --key mono --key fields.*)\\n")); }};
log {{ source(s_in); parser(p_db); filter(f_matched); destination(d_out); }};
"""


def main() -> int:
    (HERE / "tcplog.rulebase").write_text(rulebase())
    (HERE / "tcplog.pdb").write_text(patterndb())
    print(f"wrote {HERE / 'tcplog.rulebase'} and {HERE / 'tcplog.pdb'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
