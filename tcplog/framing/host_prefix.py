"""The host a parallel shell names before each line of a remote command's output; a cut syslog line's host.

    web1: [12345.678901] TCP: time wait bucket table overflow       (pdsh -w web[1-9] dmesg, clush, pssh -i --inline)
    web1: Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet   (pdsh ... grep kernel: messages)
    web[1-3]: [12345.678901] TCP: time wait bucket table overflow   (clush -bL: the line all three printed)
    web1.example.com: <4>[12345.678901] TCP: ...                    (salt --out=txt)
    web1.example.com<TAB>May 22 06:38:04 web1 kernel: TCP: ...      (GNU parallel --tag)
    obs kernel: [38775494.392631] nf_conntrack: table full, dropping packet   (a syslog line cut after its date)

pdsh prints each line of a host's output as `host: line` (the shape its own dshbak reads back,
`^\\s*(\\S+)\\s*:(.*)`: chaos/pdsh scripts/dshbak), clush as `"%s: " % nodeset` (ClusterShell's
CLI/Display.py print_line; with -bL a node set such as `web[1-3]` for a line several nodes printed
alike), salt's txt outputter as `minion: line`, dsh `-M` and pssh's inline mode alike; GNU parallel
`--tag` prints the argument and a tab. `split` gives the label and where the line after it starts.
A label holds a letter (`12: ` is a line number) unless it is an IPv4 address; `kernel:` (the syslog
tag), busybox's `kern.warn` and parallel-ssh's `Stderr:` name no host.

The record after a label is read only when it has a header of its own (the caller's job): kernel
text like `nf_conntrack: table full` or `TCP: request_sock_TCP: ...` keeps its subsystem prefixes, so
`split` only offers what may start a header, and a label before bare kernel text is text. The label
is kept in `extra["prefix_host"]` (where the line was read, whatever the record says); it is the
record's host when the record names none (dmesg lines) and the label names one node (`attribute`).

Before bare kernel text (`pdsh -w web[1-9] dmesg` on a kernel without printk stamps, `journalctl -k -o cat`
through pdsh or clush: `web1: TCP: time wait bucket table overflow`) a label cannot be told from a
subsystem prefix by its shape; `bare_label` offers it, and the dispatcher takes it only when the
whole text is no message it reads and the text after the label is one (tcplog.dispatch). A kernel
subsystem's own word (`TCP`, `nf_conntrack`, `IPv4`, `request_sock_TCP`, `VE101`, …) or an
interface's name (`eth0`) is never offered.

A syslog line whose date was cut away (`cut -d' ' -f4-`, a copy that missed the start of the line)
starts with its own host, a short name, one space and the `kernel` tag (a dotted token there is
busybox's facility.severity, known or not): `syslog_host` gives it, and it is the record's host, as
the whole header would have named it (no `prefix_host`).
"""

from __future__ import annotations

import re

from tcplog.framing.syslog3164 import FAC_SEV

EXTRA = "prefix_host"
# How a header may start (a stamp, a PRI, JSON, a path of grep -H; kmsg's `4,12,`, a year, epoch seconds,
# `11月`; a month and a day and a time, `Sun Jan`, `Sun 2026-`, `kern.warn`, `kern  :warn`, the `kernel:` tag,
# another program's tag with its pid). Kernel text after its subsystem prefix (`time wait …`, `arp_cache: …`,
# `request_sock_TCP: …`, `UDP: bad checksum`) starts otherwise, and is not decoded twice.
_MAY_HEAD = (r"[\[<{/.]|\d{1,4},\d|\d{4}-\d|\d{4} [A-Z][a-z]{2} |\d{9,11}\.\d|\d{1,2}\s?[月월]|kernel[:\[]"
             r"|[^\W\d_]{2,12}(?:\.?\s{1,2}\d{1,2}\s+\d|\.[^\W\d_]|\s*:[a-z])|[A-Z][a-z]{2} (?:[A-Z][a-z]{2} |\d{4}-)"
             r"|[A-Za-z][\w.-]{0,63}\[\d{1,10}\]: ")
# a host name, an IPv4 address or a pdsh/clush node set (`web[1-3,5]`, `web1,db2`); `: ` (or a tab); what may
# be a header
_LABEL = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-\[\],]{0,252})(?::[ \t]+|\t)(?=" + _MAY_HEAD + ")")
# what stands before `: ` without naming a host: the syslog tag, the labels of parallel-ssh's output streams
_NOT_HOSTS = frozenset(("kernel", "Stderr", "stderr", "stdout"))
_FAC_SEV = re.compile(FAC_SEV)
# a cut syslog line: its host (a short name), one space, the kernel's tag
_SYSLOG_HOST = re.compile(r"([A-Za-z0-9][A-Za-z0-9_-]{0,62}) (?=kernel[:\[])")


def split(line: str) -> tuple[str | None, int]:
    """(label, where the line after it starts), or (None, 0) when the line starts with no host label
    followed by what may be a header."""
    m = _LABEL.match(line)
    if m is None:
        return None, 0
    label = m.group(1)
    if label in _NOT_HOSTS or _FAC_SEV.fullmatch(label) or not _names_a_host(label):
        return None, 0
    return label, m.end()


# a label before bare text: a host name, an IPv4 address or a node set, then `: ` (or a tab)
_BARE_LABEL = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-\[\],]{0,252})(?::[ \t]+|\t)")
# what the kernel itself prints before a `: `: subsystem prefixes, pr_fmt module names, OpenVZ's `VE%u`,
# the slab names SYN flood warnings print, interfaces' names (netdev_* messages)
_KERNEL_WORDS = frozenset(("TCP", "TCPv6", "UDP", "UDPv6", "UDPLite", "UDPLITE", "UDPLITEv6", "IPv4", "IPv6", "ipv4",
                           "ipv6", "ICMP", "ICMPv6", "NET", "net", "nf_conntrack", "ip_conntrack", "nf_ct_proto",
                           "neighbour", "net_ratelimit", "printk", "IPVS", "netfilter", "x_tables", "ip_tables",
                           "NETDEV", "kernel", "klogd", "audit"))
_KERNEL_WORD = re.compile(r"request_sock_\w+|VE\d+|CT\d+|(?:eth|ens|enp|eno|enx|em|wlan|wlp|bond|br|vlan|veth|tun|tap"
                          r"|docker|virbr|ib|lo)\d*[\w.]*|lo|[a-z0-9_]+_core|[a-z0-9]+_conntrack\w*")


def bare_label(text: str) -> tuple[str | None, int]:
    """(label, where the text after it starts) when bare text starts with what may be a parallel shell's host
    label (a host name, an IPv4 address, a node set; never a kernel subsystem's word), else (None, 0). Only the
    dispatcher's answer tells a label from a prefix (tcplog.dispatch)."""
    m = _BARE_LABEL.match(text)
    if m is None:
        return None, 0
    label = m.group(1)
    if label in _NOT_HOSTS or label in _KERNEL_WORDS or _KERNEL_WORD.fullmatch(label) or _FAC_SEV.fullmatch(label) \
            or not _names_a_host(label):
        return None, 0
    return label, m.end()


def syslog_host(line: str) -> tuple[str | None, int]:
    """(host, where the `kernel` tag starts) of a syslog line cut after its date, or (None, 0)."""
    m = _SYSLOG_HOST.match(line)
    if m is None or m.group(1) == "kernel" or not _names_a_host(m.group(1)):
        return None, 0
    return m.group(1), m.end()


def _names_a_host(name: str) -> bool:
    """A host name holds a letter (digits alone are a line number, a year, a cut date), or is an IPv4 address."""
    return any(c.isalpha() for c in name) or name.count(".") == 3


def one_host(label: str) -> bool:
    """True when a label names one node (`web1`), not a set of them (`web[1-3]`, `web1,db2`)."""
    return "[" not in label and "," not in label


def attribute(record, label: str):
    """The record with the label kept, and as its host when it names none and the label names one node."""
    record.extra = {**record.extra, EXTRA: label}  # (a copy: a decoder may hand out a shared dict)
    if record.host is None and one_host(label):
        record.host = label
    return record
