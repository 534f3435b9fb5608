"""The kernel's own prefixes inside a message: `[ 1234.567890]` and the `[    C1]` caller field.

rsyslog/syslog-ng keep the printk timestamp when they read /proc/kmsg on older setups
(`kernel: [61238.407346] TCP: ...`), dmesg always prints it, and with CONFIG_PRINTK_CALLER
(5.1+) a caller field follows (`[  601.749973][    C1] ...`, `[T1234]` for a task). dmesg
prints the caller as `[%*s] ` after whatever time format it was asked for
(`[Sun Nov 22 10:00:00 2026] [    C1] ...`), so `split_caller` reads it on its own; rsyslog on
SLES 15 keeps the caller without a timestamp (`kernel: [T92772] nfs: ...`). 2.6 kernels could
leave a level marker after the timestamp (`[681405.857278]  <7>UDP: short packet: ...`): dropped.
Amlogic's vendor kernels (Android TV boxes, Khadas boards; print_time under
CONFIG_AMLOGIC_DRIVER) print the CPU inside the stamp, `[  123.456789@1] `, some releases with a
context letter after it (`]h`, `]s`, `]d`, `]-`: hard irq, soft irq, irqs off, task): the CPU is
kept as a CPU caller (`C1`) unless a printk caller field follows, which names the caller itself.
Android vendor kernels that encode the CPU into the caller id (Unisoc's printk_cpuid module,
`decode_caller_id`: `"T%u@C%u"`) print it in the same field: `[ 4888.071462][T597@C0] ...`, kept
whole (`T597@C0`). MediaTek's kernels (CONFIG_PRINTK_MT_PREFIX: "cpu_id/status/pid/process_name")
put the CPU, the pid and the task's name after the stamp, `[  363.812166] (0)[0:swapper/0]TCP: ...`
(`cat /proc/kmsg` and Android's dmesg with `<4>` first): read past, the caller kept as `T0@C0`.
A stamp cut at its start by a copy that missed the line's first characters (`27341.246171] TCP: ...`
for `[827341.246171] TCP: ...`) is read past by `cut_stamp`; its seconds are unknown.
"""

from __future__ import annotations

import re

# CONFIG_PRINTK_CALLER: CPU (`[    C1]`) or task (`[ T1234]`); Unisoc's task with its CPU (`[T597@C0]`)
CALLER_ID = r"[CT]\d+(?:@C\d{1,4})?"
_CALLER = r"\[\s*(" + CALLER_ID + r")\]"
# MediaTek's `(CPU)[PID:COMM]` after the stamp (TASK_COMM_LEN 16: at most 15 characters of name)
_MTK_FIELD = r"\((\d{1,4})\)\[(\d{1,10}):[^\]\n]{1,15}\]"
_MTK = r"(?: ?" + _MTK_FIELD + r")?"
_MTK_ALONE = re.compile(_MTK_FIELD)
# Amlogic's `@CPU` inside the stamp, then its context letter: `[%5lu.%06lu@%d]%c `
CPU_STAMP_END = r"(?:@(\d{1,4})\](?:[hsd-](?= ))?|\])"
_PREFIX = re.compile(r"\[\s*(\d{1,10})\.(\d{1,9})" + CPU_STAMP_END + r"(?: ?" + _CALLER + r")?" + _MTK
                     + r"(?:\s*<[0-7]>)?\s?")
_CALLER_FIELD = re.compile(_CALLER + r" ?")
# The end of a stamp whose start was cut away: digits (perhaps from inside the fraction) and `]`.
_CUT = re.compile(r"\d*\.?\d+\](?: ?" + _CALLER + r")? ")


def split_prefix(text: str) -> tuple[float | None, str | None, str]:
    """(monotonic seconds, caller, rest) when text starts with a printk timestamp (or a caller
    field alone), else (None, None, text)."""
    m = _PREFIX.match(text)
    if m is None:
        caller, rest = split_caller(text) if text[:1] == "[" else (None, text)
        return None, caller, rest
    caller = m.group(4)
    if caller is None and m.group(5) is not None:
        caller = _mtk_caller(m.group(5), m.group(6))  # MediaTek's `(CPU)[PID:COMM]`
    elif caller is None and m.group(3) is not None:
        caller = "C" + m.group(3)  # Amlogic's `@CPU`
    return seconds(m.group(1), m.group(2)), caller, text[m.end():]


def split_mtk(text: str) -> tuple[str, str] | None:
    """(caller, rest) when text starts with MediaTek's `(CPU)[PID:COMM]` (the stamp read before it), else None."""
    m = _MTK_ALONE.match(text)
    return None if m is None else (_mtk_caller(m.group(1), m.group(2)), text[m.end():])


def _mtk_caller(cpu: str, pid: str) -> str:
    """MediaTek's CPU and pid as a caller id in Unisoc's spelling (`T0@C0`)."""
    return f"T{pid}@C{cpu}"


def cut_stamp(text: str) -> tuple[str | None, str] | None:
    """(caller, rest) when text starts with what is left of a cut stamp (`46171] `), else None."""
    m = _CUT.match(text)
    return None if m is None else (m.group(1), text[m.end():])


def seconds(whole: str, frac: str) -> float:
    """Seconds from a stamp's digits as printed: ("12345", "678901") -> 12345.678901."""
    return int(whole) + int(frac) / 10 ** len(frac)


def split_caller(text: str) -> tuple[str | None, str]:
    """(caller, rest) when text starts with a caller field (`[    C1] `), else (None, text)."""
    m = _CALLER_FIELD.match(text)
    if m is None:
        return None, text
    return m.group(1), text[m.end():]


def level_prefix(text: str) -> tuple[int | None, str]:
    """(syslog PRI, rest) for a leading `<N>` as /proc/kmsg and `dmesg -r` print it."""
    if len(text) >= 3 and text[0] == "<":
        end = text.find(">", 1, 5)
        if end > 1 and text[1:end].isdigit():
            return int(text[1:end]), text[end + 1:]
    return None, text


def split_pri(pri: int | None) -> tuple[int | None, int | None]:
    """(facility, severity) of a syslog PRI."""
    if pri is None:
        return None, None
    return pri >> 3, pri & 7
