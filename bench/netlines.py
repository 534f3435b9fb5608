"""What the corpus generator writes that tcplog must find: one template list per message id.

Every message id of `tcplog families` has at least one template here, built from the catalog's
examples (docs/families.md) and the real wordings of shared/reference/kernel-net-messages.md.
A template is `fn(rng) -> text`; the text is what the kernel (or the log daemon) printed, without
any syslog header. `ORIGIN[message_id]` says who writes it:

    kernel     a kernel record (syslog tag `kernel`, journald _TRANSPORT=kernel)
    journald   systemd-journald's own notice (tag systemd-journald[pid], _TRANSPORT=driver)
    rsyslogd   rsyslog's internal notice (tag rsyslogd / rsyslogd-2177; not in the journal)
    tagless    a syslogd line with no tag at all (not in the journal)
    repeat     rsyslog's "message repeated N times: [...]", tagged like the line it repeats
               (not in the journal); built by the generator around a kernel line
    syslog-ng  syslog-ng's suppress() notice, tagged like the line it repeats (kernel)

LOOKALIKES are lines that hold a prefilter trigger (or a whole kernel wording) but must not
count: user-space programs quoting kernel words, and kernel lines of other subsystems.
"""

from __future__ import annotations

import random

R = random.Random


def ip4(r: R) -> str:
    a = r.choice((10, 10, 172, 192, 198, 203))
    if a == 10:
        return f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
    if a == 172:
        return f"172.{r.randrange(16, 32)}.{r.randrange(256)}.{r.randrange(1, 255)}"
    if a == 192:
        return f"192.168.{r.randrange(256)}.{r.randrange(1, 255)}"
    if a == 198:
        return f"198.51.100.{r.randrange(1, 255)}"
    return f"203.0.113.{r.randrange(1, 255)}"


def ip6(r: R) -> str:
    return f"2001:db8:{r.randrange(1, 0xffff):x}::{r.randrange(1, 0xffff):x}"


def ip6_full(r: R) -> str:
    """%pI6: the full, uncompressed form."""
    return f"2001:0db8:{r.randrange(0x10000):04x}:0000:0000:0000:{r.randrange(0x10000):04x}:{r.randrange(1, 0x10000):04x}"


def port(r: R) -> int:
    return r.choice((80, 443, 8080, 8443, 3306, 5432, 6379, 9042, 25, 53)) if r.random() < 0.5 \
        else r.randrange(1024, 65536)


def ifname(r: R) -> str:
    return r.choice(("eth0", "eth1", "ens3", "ens5", "eno1", "enp3s0", "bond0", "ens785f0", "em1"))


def mac(r: R) -> str:
    return ":".join(f"{r.randrange(256):02x}" for _ in range(6))


def u32(r: R) -> int:
    return r.randrange(1 << 32)


def _snd(r: R) -> str:
    a = r.randrange(1 << 31)
    return f"{a}:{a + r.randrange(1, 65536)}"


_ACTION = ("Sending cookies", "Sending cookies", "Dropping request")
_DRIVERS = (("ixgbe", "0000:03:00.0"), ("mlx5_core", "0000:3b:00.0"), ("i40e", "0000:18:00.1"),
            ("r8169", "0000:02:00.0"), ("e1000e", "0000:00:19.0"), ("bnxt_en", "0000:5e:00.0"))
_UNITS = ("nginx.service", "php8.2-fpm.service", "/system.slice/nginx.service", "docker.service",
          "/system.slice/kubelet.service", "user@1000.service")


def _ll_colon(r: R) -> str:
    return "ll header: ff:ff:ff:ff:ff:ff:" + mac(r) + ":08:00"


def _ll_hexdump(r: R) -> str:
    row = "ff ff ff ff ff ff " + mac(r).replace(":", " ") + r.choice((" 08 00", " 08 06"))
    return "ll header: 00000000: " + row


def _ratelimit_function(r: R) -> str:
    return r.choice(("net_ratelimit", "net_ratelimit", "net_ratelimit", "__ratelimit", "dvb_frontend_poll"))


# message id -> list of templates (rng -> text)
TEMPLATES: dict[str, list] = {
    "tw_bucket_overflow.legacy": [lambda r: "TCP: time wait bucket table overflow"],
    "tw_bucket_overflow.openvz": [lambda r: f"TCP: time wait bucket table overflow (CT{r.choice((0, 101, 102, 245))})"],
    "socket_memory.out_of_socket_memory": [lambda r: "Out of socket memory", lambda r: "TCP: Out of socket memory"],
    "socket_memory.too_many_of_orphaned": [lambda r: "TCP: too many of orphaned sockets"],
    "orphans.too_many": [lambda r: "TCP: too many orphaned sockets"],
    "tcp_mem.out_of_memory": [lambda r: "TCP: out of memory -- consider tuning tcp_mem"],
    "syn_flood.legacy": [lambda r: f"possible SYN flooding on port {port(r)}. Sending cookies."],
    "syn_flood.proto": [lambda r: f"TCP: {r.choice(('TCP', 'TCPv6'))}: Possible SYN flooding on port {port(r)}. "
                                  f"{r.choice(_ACTION)}.  Check SNMP counters."],
    "syn_flood.slab": [lambda r: f"TCP: request_sock_{r.choice(('TCP', 'TCPv6'))}: Possible SYN flooding on port "
                                 f"{port(r)}. {r.choice(_ACTION)}.  Check SNMP counters."],
    "syn_flood.addr": [
        lambda r: f"TCP: request_sock_TCP: Possible SYN flooding on port {r.choice(('0.0.0.0', ip4(r)))}:{port(r)}. "
                  f"{r.choice(_ACTION)}.",
        lambda r: f"TCP: request_sock_TCPv6: Possible SYN flooding on port [::]:{port(r)}. {r.choice(_ACTION)}.",
        lambda r: f"TCP: request_sock_TCPv6: Possible SYN flooding on port [::ffff:{ip4(r)}]:{port(r)}. Sending cookies.",
        lambda r: f"TCP: request_sock_subflow_v4: Possible SYN flooding on port [::]:{port(r)}. Sending cookies.",
    ],
    "drop_open_request.from": [lambda r: f"TCP: drop open request from {ip4(r)}/{r.randrange(1024, 65536)}",
                               lambda r: f"TCP: drop open request from {ip6_full(r)}/{r.randrange(1024, 65536)}"],
    "conntrack_full.ip_conntrack": [lambda r: "ip_conntrack: table full, dropping packet."],
    "conntrack_full.printk": [lambda r: "nf_conntrack: table full, dropping packet."],
    "conntrack_full.ratelimited": [lambda r: "nf_conntrack: table full, dropping packet"],
    "conntrack_full.pr_fmt": [lambda r: "nf_conntrack: nf_conntrack: table full, dropping packet"],
    "conntrack_full.netns": [lambda r: f"nf_conntrack: table full in netns {4026531840 + r.randrange(1000)}, "
                                       "dropping packet"],
    "conntrack_expect_full.nf_conntrack": [lambda r: "nf_conntrack: expectation table full"],
    "conntrack_expect_full.pr_fmt": [lambda r: "nf_conntrack: nf_conntrack: expectation table full"],
    "conntrack_expect_full.ip_conntrack": [lambda r: "ip_conntrack: expectation table full"],
    "conntrack_vmalloc.ip_conntrack": [lambda r: "ip_conntrack: falling back to vmalloc."],
    "conntrack_vmalloc.nf_conntrack": [lambda r: "nf_conntrack: falling back to vmalloc."],
    "neigh_overflow.legacy": [lambda r: "Neighbour table overflow."],
    "neigh_overflow.ipv4": [lambda r: "ipv4: Neighbour table overflow."],
    "neigh_overflow.ipv6": [lambda r: "ipv6: Neighbour table overflow.", lambda r: "IPv6: Neighbour table overflow"],
    "neigh_overflow.table": [lambda r: f"neighbour: {r.choice(('arp_cache', 'arp_cache', 'ndisc_cache'))}: "
                                       "neighbor table overflow!",
                             lambda r: "arp_cache: neighbor table overflow!"],
    "window_shrunk.treason": [lambda r: f"TCP: Treason uncloaked! Peer {ip4(r)}:{port(r)}/{port(r)} shrinks window "
                                        f"{_snd(r)}. Repaired."],
    "window_shrunk.shrunk": [
        lambda r: f"TCP: Peer {ip4(r)}:{port(r)}/{port(r)} unexpectedly shrunk window {_snd(r)} (repaired)",
        lambda r: f"Peer {ip6_full(r)}:{port(r)}/{port(r)} unexpectedly shrunk window {_snd(r)} (repaired)",
    ],
    "window_shrunk.probing": [lambda r: f"Probing zero-window on {ip4(r)}:{port(r)}/{port(r)}, seq={_snd(r)}, "
                                        f"recv {r.randrange(1, 5000)}ms ago, lasting {r.randrange(1, 90000)}ms"],
    "udp_short_packet.v4": [
        lambda r: f"{r.choice(('UDP', 'UDP', 'UDPLite', 'UDP-Lite', 'UDP: UDP'))}: short packet: From {ip4(r)}:"
                  f"{port(r)} {r.randrange(60, 1500)}/{r.randrange(8, 60)} to {ip4(r)}:{port(r)}"],
    "udp_short_packet.v6": [lambda r: f"UDPv6: short packet: From [{ip6(r)}]:{port(r)} {r.randrange(60, 1500)}/"
                                      f"{r.randrange(8, 60)} to [{ip6(r)}]:{port(r)}"],
    "udp_short_packet.v6_legacy": [lambda r: f"UDP-Litev6: short packet: {r.randrange(30, 90)}/{r.randrange(8, 30)}",
                                   lambda r: f"UDP: short packet: {r.randrange(30, 90)}/{r.randrange(8, 30)}"],
    "udp_bad_checksum.v4": [lambda r: f"{r.choice(('UDP', 'UDP', 'UDPLite', 'UDP: UDP'))}: bad checksum. From "
                                      f"{ip4(r)}:{port(r)} to {ip4(r)}:{port(r)} ulen {r.randrange(9, 1500)}"],
    "martian_source.plain": [lambda r: f"martian source {ip4(r)} from {ip4(r)}, on dev {ifname(r)}"],
    "martian_source.pr_fmt": [lambda r: f"IPv4: martian source {ip4(r)} from {ip4(r)}, on dev "
                                        f"{r.choice(('eth0', 'cni0', 'docker0', 'ens3', 'tun0'))}"],
    "martian_source.ll_header": [_ll_colon, _ll_hexdump],
    "martian_destination.plain": [lambda r: f"martian destination {r.choice(('0.0.0.0', '127.0.0.1'))} from {ip4(r)}, "
                                            f"dev {ifname(r)}"],
    "martian_destination.pr_fmt": [lambda r: f"IPv4: martian destination {r.choice(('0.0.0.0', '127.0.0.1'))} from "
                                             f"{ip4(r)}, dev {r.choice(('eth0', 'vlan18', 'ens3', 'bond0.100'))}"],
    "netdev_watchdog.legacy": [lambda r: f"NETDEV WATCHDOG: {ifname(r)}: transmit timed out"],
    "netdev_watchdog.driver": [lambda r: f"NETDEV WATCHDOG: {ifname(r)} ({r.choice(_DRIVERS)[0]}): transmit timed out"],
    "netdev_watchdog.queue": [lambda r: f"NETDEV WATCHDOG: {ifname(r)} ({r.choice(_DRIVERS)[0]}): transmit queue "
                                        f"{r.randrange(16)} timed out"],
    "netdev_watchdog.queue_ms": [lambda r: f"NETDEV WATCHDOG: {ifname(r)} ({r.choice(_DRIVERS)[0]}): transmit queue "
                                           f"{r.randrange(16)} timed out {r.randrange(5000, 9000)} ms"],
    "netdev_watchdog.crit": [lambda r: "{} {} {}: NETDEV WATCHDOG: CPU: {}: transmit queue {} timed out {} ms".format(
        *r.choice(_DRIVERS), ifname(r), r.randrange(64), r.randrange(16), r.randrange(5000, 9000))],
    "gro_suspect.warn": [lambda r: f"TCP: {r.choice(('eth0', 'tun0', 'ens3', 'Unknown driver'))}: Driver has suspect GRO "
                                   "implementation, TCP performance may be compromised."],
    "hw_csum_failure.legacy": [lambda r: f"{r.choice(('<NULL>', 'eth0', 'eth1'))}: hw csum failure."],
    "hw_csum_failure.dev": [lambda r: f"{ifname(r)}: hw csum failure"],
    "hw_csum_failure.netdev": [lambda r: "{} {} {}: hw csum failure".format(*r.choice(_DRIVERS), ifname(r)),
                               lambda r: "(NULL net_device): hw csum failure"],
    "hw_csum_failure.tcp": [lambda r: f"hw tcp v{r.choice((4, 6))} csum failed"],
    "hw_csum_failure.udp": [lambda r: r.choice(("udp v4 hw csum failure.", "udp v6 hw csum failure.",
                                                "raw v6 hw csum failure.", "UDPLITE: hw csum failure."))],
    "ratelimit_suppressed.printk": [lambda r: f"printk: {r.randrange(1, 5000)} messages suppressed."],
    "ratelimit_suppressed.callbacks": [lambda r: f"{_ratelimit_function(r)}: {r.randrange(1, 40000)} callbacks suppressed"],
    "ratelimit_suppressed.devkmsg": [
        lambda r: f"printk: {r.choice(('systemd', 'systemd-journal', 'udevd'))}: {r.randrange(1, 50)} output lines "
                  "suppressed due to ratelimiting",
        lambda r: f"systemd-shutdow: {r.randrange(1, 50)} output lines suppressed due to ratelimiting"],
    "log_suppressed.journald_suppressed": [lambda r: f"Suppressed {r.randrange(1, 50000)} messages from {r.choice(_UNITS)}"],
    "log_suppressed.journald_kernel_missed": [lambda r: f"Missed {r.randrange(1, 5000)} kernel messages"],
    "log_suppressed.journald_forward_missed": [lambda r: f"Forwarding to syslog missed {r.randrange(1, 900)} messages."],
    "log_suppressed.imuxsock_begin": [lambda r: f"imuxsock begins to drop messages from pid {r.randrange(300, 99999)} "
                                                "due to rate-limiting"],
    "log_suppressed.imuxsock_lost": [lambda r: f"imuxsock lost {r.randrange(1, 9000)} messages from pid "
                                               f"{r.randrange(300, 99999)} due to rate-limiting"],
    "log_suppressed.ratelimit_begin": [lambda r: "imjournal: begin to drop messages due to rate-limiting"],
    "log_suppressed.ratelimit_lost": [lambda r: f"imjournal: {r.randrange(1, 90000)} messages lost due to rate-limiting "
                                                "(20000 allowed within 600 seconds)"],
    "log_suppressed.last_repeated": [lambda r: f"last message repeated {r.randrange(2, 60)} times"],
    "log_suppressed.last_repeated_dashes": [lambda r: f"--- last message repeated {r.randrange(2, 60)} times ---"],
    # built by the generator around the line they repeat (see corpus.py)
    "log_suppressed.message_repeated": [],
    "log_suppressed.syslog_ng_repeated": [],
}

ORIGIN = {mid: "kernel" for mid in TEMPLATES}
ORIGIN.update({
    "log_suppressed.journald_suppressed": "journald",
    "log_suppressed.journald_kernel_missed": "journald",
    "log_suppressed.journald_forward_missed": "journald",
    "log_suppressed.imuxsock_begin": "rsyslogd",
    "log_suppressed.imuxsock_lost": "rsyslogd",
    "log_suppressed.ratelimit_begin": "rsyslogd",
    "log_suppressed.ratelimit_lost": "rsyslogd",
    "log_suppressed.last_repeated": "tagless",
    "log_suppressed.last_repeated_dashes": "tagless",
    "log_suppressed.message_repeated": "repeat",
    "log_suppressed.syslog_ng_repeated": "syslog-ng",
})

LEVEL = {
    "tw_bucket_overflow": 6, "socket_memory": 6, "orphans": 6, "tcp_mem": 6, "syn_flood": 6,
    "drop_open_request": 7, "conntrack_full": 4, "conntrack_expect_full": 4, "conntrack_vmalloc": 4,
    "neigh_overflow": 6, "window_shrunk": 7, "udp_short_packet": 7, "udp_bad_checksum": 7,
    "martian_source": 4, "martian_destination": 4, "netdev_watchdog": 6, "gro_suspect": 4,
    "hw_csum_failure": 3, "ratelimit_suppressed": 4, "log_suppressed": 5,
}

# Kernel message ids that make realistic floods (repeated texts, followed by rate-limit notices).
FLOODS = ("conntrack_full.pr_fmt", "conntrack_full.ratelimited", "conntrack_full.ip_conntrack",
          "conntrack_full.printk", "tw_bucket_overflow.legacy", "socket_memory.out_of_socket_memory",
          "orphans.too_many", "tcp_mem.out_of_memory", "neigh_overflow.table", "neigh_overflow.legacy",
          "conntrack_expect_full.nf_conntrack", "udp_bad_checksum.v4", "martian_destination.pr_fmt")


def _kernel(text):
    return ("kernel", text)


def _prog(name):
    return lambda text: (name, text)


# Lines that hold a trigger or a whole kernel wording and must NOT count: (program, text) makers.
LOOKALIKES = [
    lambda r: ("myapp", f"possible SYN flooding on port {port(r)}. Sending cookies."),
    lambda r: ("java", f"WARN [pool-3-thread-{r.randrange(1, 9)}] c.e.conn.Pool - connection table full, "
                       f"dropping request from {ip4(r)}"),
    lambda r: ("nginx", f"2026/11/21 10:00:00 [error] 811#811: *{r.randrange(1, 99999)} upstream sent an invalid "
                        f"header while reading response header from upstream, client: {ip4(r)}, request: "
                        "\"GET /kb/why-nf_conntrack-table full HTTP/1.1\", host: \"kb.example.com\""),
    lambda r: ("logwatch", f"net_ratelimit: {r.randrange(1, 9999)} callbacks suppressed"),
    lambda r: ("haproxy", f"TCP: drop open request from {ip4(r)}/{r.randrange(1024, 65536)}"),
    lambda r: ("myapp", f"Suppressed {r.randrange(1, 9999)} messages from nginx.service"),
    lambda r: ("fail2ban-server", f"martian source {ip4(r)} from {ip4(r)}, on dev eth0"),
    lambda r: ("netdata", "TCP: eth0: Driver has suspect GRO implementation, TCP performance may be compromised."),
    lambda r: ("zabbix_agentd", f"NETDEV WATCHDOG: {ifname(r)}: transmit timed out"),
    lambda r: ("backup.sh", f"last message repeated {r.randrange(2, 9)} times"),
    lambda r: ("named", f"UDP: bad checksum. From {ip4(r)}:{port(r)} to {ip4(r)}:53 ulen 39"),
    lambda r: ("tune-net.sh", "TCP: out of memory -- consider tuning tcp_mem"),
    lambda r: ("kernel", "ALERT nf_conntrack: table full, dropping packet"),
    lambda r: ("kernel", f"possible SYN flooding detected from {ip4(r)}"),
    lambda r: ("kernel", "drbd: falling back to vmalloc."),
    lambda r: ("kernel", f"BTRFS warning (device sda2): csum failed root 5 ino {r.randrange(257, 99999)} off 0 csum "
                         f"0x{u32(r):08x} expected csum 0x{u32(r):08x} mirror 1"),
    lambda r: ("kernel", f"{ifname(r)}: hw csum failure detected by driver"),
    lambda r: ("kernel", "Neighbour cache overflow."),
    lambda r: ("kernel", f"net_ratelimit: {r.randrange(1, 9999)} callbacks dropped"),
    lambda r: ("kernel", "TCP: too many orphaned sockets on eth0"),
]
