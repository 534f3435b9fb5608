"""Bare kernel text: `dmesg -t`, `journalctl -o cat`, and what people paste into tickets.

    TCP: time wait bucket table overflow
    nf_conntrack: nf_conntrack: table full, dropping packet
    kernel: TCP: time wait bucket table overflow                     (a syslog line cut after its host)
    kernel: [  123.456789] TCP: time wait bucket table overflow
    kern.warn kernel: <4>TCP: time wait bucket table overflow        (busybox syslogd, OpenWrt logread, cut)

No header at all; a leading printk timestamp is still recognised, and so is what is left of one
whose start a copy missed (`27341.246171] TCP: ...`: the seconds are unknown). The kernel wrote it by
assumption: a grammar only matches from the start of the text, so an application's log line
with its own header does not parse as a kernel message. journalctl's own lines between
entries (`-- Boot 0123… --`, `-- Reboot --`, `-- No entries --`, `-- Logs begin at … --`,
`-- Journal begins at … --`) are not the kernel's.

A syslog line whose date and host were cut away (`grep kernel: kern.log | cut -d' ' -f5-`, a
busybox syslogd or OpenWrt logread line cut after its `kern.warn` token or before it, or inside its
date: `:24 2019 kern.err kernel: ...`, whose time is then unknown) keeps the
syslog tag: a leading `kernel:` is the tag (program `kernel`), not message text; the busybox
`facility.severity` token before it gives facility and level, and so does the kernel's own
`<N>` marker after it (which wins; a facility other than kern there is user space writing to
/dev/kmsg, not the kernel). `kernel[1234]:`, a tag with a pid, is user space naming itself kernel
(tcplog.framing.origin): not the kernel; so is any other program's tag with its pid (`rsyslogd[614]: `),
which names the program (its notices, as log daemons write them, are read as such). A copy cut inside
the tag leaves its colon before the printk stamp (`: [1564292.095620] __ratelimit: ...`): read past.
Only the `kernel` tag is read: `TCP:` or `nf_conntrack:`
at the start is the kernel's subsystem prefix, part of the message.
"""

from __future__ import annotations

import re

from tcplog.framing.printk import cut_stamp, level_prefix, split_pri, split_prefix
from tcplog.framing.syslog3164 import FAC_SEV, FACILITIES, SEVERITIES
from tcplog.record import Record

NAME = "dmesg-t"

_KERNEL_TAG = re.compile(rf"(?:{FAC_SEV} )?kernel(?:\[(?P<pid>\d{{1,10}})\])?:(?: |$)")
# What a copy left of a logread date before its `facility.severity` token: the end of the clock and the
# year (`:24 2019 kern.err kernel: ...`, `5 2019 kern.err kernel: ...`); the token must follow.
_CUT_LOGREAD_DATE = re.compile(rf"[\d:]{{0,8}} ?\d{{4}} (?={FAC_SEV} kernel)")
# Another program's tag with its pid, as syslog wrote it (`rsyslogd[614]: ...`): user space, not the kernel.
_PROGRAM_TAG = re.compile(r"(?P<prog>[A-Za-z][\w.-]{0,63})\[(?P<pid>\d{1,10})\]: ")


def detect(line: str) -> bool:
    return True


def decode(line: str, raw: bytes, ctx) -> Record:
    text = line.strip()
    facility = severity = program = pid = None
    kernel = True
    if text[:1] in _CUT_DATE_START and (cut := _CUT_LOGREAD_DATE.match(text)) is not None:
        text = text[cut.end():]  # a logread line whose date the copy cut inside: the time is unknown
    if text[:1] in _TAG_START and (tag := _KERNEL_TAG.match(text)) is not None:
        program, text = "kernel", text[tag.end():]
        if tag["pid"]:  # `kernel[1234]:`: user space naming itself kernel (tcplog.framing.origin)
            pid, kernel = int(tag["pid"]), False
        if tag["fac"]:
            facility, severity = FACILITIES[tag["fac"]], SEVERITIES[tag["sev"]]
        if text[:1] == "<":  # the kernel's `<N>` a daemon reading /proc/kmsg left after the tag
            marker, text = level_prefix(text)
            if marker is not None:
                facility, severity = split_pri(marker)
                kernel = kernel and facility == 0
    elif (tag := _PROGRAM_TAG.match(text)) is not None:  # `rsyslogd[614]: ...`: a program's line cut after its host
        program, pid, kernel, text = tag["prog"], int(tag["pid"]), False, text[tag.end():]
    elif text[:3] == ": [":  # `: [1564292.095620] ...`: the colon of a `kernel:` tag the copy cut before
        if split_prefix(text[2:])[0] is not None:
            text = text[2:]
    mono, caller, text = split_prefix(text)
    if mono is None and caller is None and text[:1].isdigit() and (cut := cut_stamp(text)) is not None:
        caller, text = cut  # `27341.246171] TCP: ...`: a stamp whose start the copy missed
    if text[:3] == "-- " and text[-3:] == " --":  # journalctl's `-- Boot … --` lines
        kernel = False
    return Record(raw=raw, text=text, framing=NAME, kernel=kernel, program=program, pid=pid, facility=facility,
                  severity=severity, monotonic=mono, caller=caller)


_CUT_DATE_START = frozenset(":0123456789")
_TAG_START = frozenset("k" + "".join({name[0] for name in FACILITIES}))
