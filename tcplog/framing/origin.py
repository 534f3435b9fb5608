"""Whether a syslog record is the kernel's: its tag is `kernel`, and never with a pid; with no tag, its facility is kern.

Every reader that logs the kernel's records under a tag writes `kernel` with no pid: sysklogd's
and busybox's klogd call openlog("kernel", 0, LOG_KERN) (no LOG_PID); rsyslog's imklog hands every
record to the engine with the tag "kernel:" (plugins/imklog/imklog.c); journald stores the
kernel's records with SYSLOG_IDENTIFIER=kernel and no pid (src/journal/journald-kmsg.c adds
SYSLOG_PID only to records of another facility, which user space wrote to /dev/kmsg), so
journalctl prints `kernel:`; syslog-ng prints `PROGRAM[PID]: ` only when the message has a pid
($MSGHDR in lib/template/macros.c) and its kernel sources set none. A `kernel[1234]:` tag is a
user-space program that named itself kernel (`logger -t kernel --id`, journalctl showing the _PID
of such a line): not the kernel. (macOS's syslog writes `kernel[0]:`, but that is not Linux's.)

The facility is not such a sign: busybox's klogd on glibc logs the kernel's records as facility
user (glibc's openlog() takes LOG_KERN, 0, as "the default", LOG_USER; a TODO in busybox's
sysklogd/klogd.c says so), and rsyslog's imjournal gives facility user (its DefaultFacility) to
journal entries without SYSLOG_FACILITY, which older journald releases set only for records of
other facilities. Only the kernel's own `<N>` marker (printk's encoding) separates user space's
/dev/kmsg writes.
"""

from __future__ import annotations

KERNEL = "kernel"


def kernel_tag(program: str | None, pid: int | str | None) -> bool:
    """True when a tag (program, pid) is the one the kernel's readers write: `kernel`, no pid."""
    return program == KERNEL and pid is None


def kernel_record(program: str | None, pid: int | str | None, facility: int | None) -> bool:
    """True when a syslog record is the kernel's: the kernel's tag, or no tag and facility kern (0)."""
    return kernel_tag(program, pid) or (program is None and facility == 0)
