"""RFC 3164 ("BSD syslog") as rsyslog, syslog-ng, busybox and journalctl short/short-iso write it.

    Aug 28 13:16:32 lotus kernel: [61238.407346] TCP: Treason uncloaked! Peer 80.128.87.225:2861/4662 shrinks window 2238402976:2238405685. Repaired.
    Sep  2 14:14:11 db02 kernel: TCP: TCP: Possible SYN flooding on port 9042. Sending cookies.  Check SNMP counters.
    Jun 23 21:33:47 kernel: nf_conntrack: expectation table full                     (no hostname)
    <4>Nov 22 18:10:00 web1 kernel: nf_conntrack: table full, dropping packet          (with PRI)
    <4> 2026 May 29 14:54:05 awplus kernel: IPv4: martian destination ...               (a space after PRI: AlliedWare Plus)
    2026-11-22T18:10:00.123456+01:00 web1 kernel: neighbour: arp_cache: neighbor table overflow!   (rsyslog RFC 3339)
    2026-11-22 18:10:00.123 web1 kernel: TCP: too many orphaned sockets               (templates with a date-pgsql/space date)
    2026 Nov  2 18:10:00 web1 kernel: TCP: too many orphaned sockets                  (syslog-ng $FULLDATE)
    Aug 28 2024 13:16:32 web1 kernel: TCP: too many orphaned sockets                  (a year after the day: appliances)
    Jan 15 21:18:04 router kern.warn kernel: nf_conntrack: expectation table full      (busybox syslogd)
    Nov 22 10:00:00  kern.warn kernel: TCP: time wait bucket table overflow            (busybox, empty hostname)
    déc. 31 23:59:59 web1 kernel: ...                                                  (journalctl short, fr_FR)
    11月 22 10:00:00 web1 kernel: ...                                                   (journalctl short, ja_JP)
    Nov 22 10:00:05 relay1 <4>Nov 22 10:00:00 web1 kernel: ...                          (a relay's header first)
    Nov 23 03:08:56 relay1 kernlog: Nov 22 10:00:00 web1 kernel: ...                   (a relay's header and tag: imfile)
    kern.warn<4>: Nov 22 10:00:00 web1 kernel: ...            (rsyslog TraditionalFormatWithPRI: %pri-text%: first)
    kern.warning Nov 22 10:00:00 web1 kernel: ...             (%syslogfacility-text%.%syslogseverity-text%, $FACILITY.$PRIORITY)
    Nov 22 10:00:00 web1 kernel: <4>[  123.456789] TCP: ...  (sysklogd/syslog-ng reading /proc/kmsg, the kernel's <N> kept)
    Nov 22 10:00:00 [  123.456789] TCP: ...                    (dmesg -w | ts: a dmesg line, dated; framing dmesg)
    <4>Nov 22 10:00:00 [1795370000.123] router kernel: ...     (OpenWrt logread -r -t: the entry's epoch time)

Header fields: time (year from the context, or the line's own: a full date, a year after the day), host, program, pid,
facility/severity (PRI; a `facility.severity` token before the date: rsyslog's `%pri-text%` with or
without `<N>`, `%syslogfacility-text%.%syslogseverity-text%`, syslog-ng's `$FACILITY.$PRIORITY`; or the
busybox `kern.warn` token after the host; the kernel's own `<N>` level marker after a `kernel:` tag,
which wins), kernel monotonic seconds and caller from a printk prefix.
The kernel wrote the record when the tag is `kernel` with no pid (tcplog.framing.origin; and a `<N>` marker after it, if any, names
facility kern: /dev/kmsg gives user space's records facility user unless they name another) or, with no
tag, the facility is kern (0).
A tag-less header followed by another header that ends in a tag is a relay's (RFC 3164 4.3.3;
syslog-ng `flags(no-parse)` and Logstash's tcp output write the same): the inner header is the
sender's record, and the relay's host (`extra["relay"]`, or the host when the sender wrote none), time and
PRI fill what it lacks. A relay may add its own tag before the sender's whole header (rsyslog imfile's
`Tag=` on a line read from a syslog file, Logstash's syslog output `appname[procid]:`): when the inner
header names a host and a tag, it is the sender's record too, the relay's tag in
`extra["relay_program"]`; the relay's PRI is then its own setting and fills nothing.
"""

from __future__ import annotations

import re

from tcplog.framing.context import from_epoch_us, local_time, month_number, parse_iso
from tcplog.framing.origin import kernel_record
from tcplog.framing.printk import CALLER_ID, CPU_STAMP_END, level_prefix, split_mtk, split_pri, split_prefix
from tcplog.record import Record

NAME = "rfc3164"
DMESG = "dmesg"  # the framing of a dmesg line a time stamper (ts) dated

_DATE = re.compile(
    r"(?P<mon>[^\W\d_]{3,6}\.?|\d{1,2}\s?[月월])\s{1,2}(?P<day>\d{1,2})\s+"
    r"(?P<hh>\d{1,2}):(?P<mm>\d{2}):(?P<ss>\d{2})(?:\.(?P<frac>\d{1,9}))?\s+"
)
_ISO = re.compile(r"(?P<iso>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)\s+")
# syslog-ng's $FULLDATE (TS_FMT_FULL in lib/timeutils/format.c): year, English month, space-padded
# day, local time, a fraction with frac-digits(); no zone.
_FULLDATE = re.compile(
    r"(?P<year>\d{4}) (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(?P<day>\d{1,2}) "
    r"(?P<hh>\d{2}):(?P<mm>\d{2}):(?P<ss>\d{2})(?:\.(?P<frac>\d{1,9}))?\s+"
)
# The year after the day: syslog-ng templates such as `$MONTH_ABBREV $DAY $YEAR $HOUR:$MIN:$SEC`, Cisco-style
# appliances (`service timestamps log datetime year`); English month, local time, no zone.
_YEARDATE = re.compile(
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(?P<day>\d{1,2}) (?P<year>\d{4}) "
    r"(?P<hh>\d{2}):(?P<mm>\d{2}):(?P<ss>\d{2})(?:\.(?P<frac>\d{1,9}))?\s+"
)
# Facility and severity names as the daemons write them: RFC 3164 table 1, rsyslog's
# syslog_fac_names (ntp, audit, alert, clock for 12-15) and syslog-ng's sl_facilities (ntp, security,
# console, solaris-cron); severities with the aliases syslog-ng, busybox and Logstash print.
FACILITIES = {"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
              "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "audit": 13, "security": 13,
              "alert": 14, "console": 14, "clock": 15, "solaris-cron": 15,
              **{f"local{i}": 16 + i for i in range(8)}}
SEVERITIES = {"emerg": 0, "emergency": 0, "panic": 0, "alert": 1, "crit": 2, "critical": 2, "err": 3, "error": 3,
              "warn": 4, "warning": 4, "notice": 5, "info": 6, "informational": 6, "debug": 7}
_FAC = "|".join(sorted(map(re.escape, FACILITIES), key=len, reverse=True))
_SEV = "|".join(sorted(map(re.escape, SEVERITIES), key=len, reverse=True))
# `facility.severity` before the date: rsyslog's %pri-text% (`kern.warning<4>` as documented,
# `kern.warning` as 8.x writes it) and %syslogfacility-text%.%syslogseverity-text%, syslog-ng's
# $FACILITY.$PRIORITY; a colon after it (TraditionalFormatWithPRI) or not. With `<N>` the number
# decides and the names are not checked; without, both names must be known.
FAC_SEV = rf"(?P<fac>{_FAC})\.(?P<sev>{_SEV})"  # a known facility and severity, named groups fac, sev
_PRI_TEXT = re.compile(rf"(?:[a-z]{{2,8}}[0-7]?\.[a-z]{{3,7}}<(?P<pri>\d{{1,3}})>|{FAC_SEV}):?[ \t]")
_TAG = re.compile(r"(?P<prog>[^\s\[\]:]{1,128})(?:\[(?P<pid>\d{1,10}|-)\])?:(?:\s|$)")  # `[-]`: no PROCID
_FACPRI = re.compile(rf"({_FAC})\.({_SEV})\s+")  # busybox syslogd's token after the host
# The tokens busybox syslogd writes (parse_fac_prio_20: `%s.%s` of its facility and priority names): with an
# empty hostname its `"%s %.64s %s %s\n"` leaves two spaces and the token where the host stands.
_FACPRI_TOKENS = frozenset(f"{fac}.{sev}" for fac in FACILITIES for sev in SEVERITIES)
# Shippers' own notices that carry no tag ("Nov 22 10:00:00 host last message repeated 3 times").
_TAGLESS = ("last message repeated", "message repeated", "--- last message repeated")
_MAX_RELAYS = 4  # headers of relays before the sender's; more than this is message text
_PRINTK_STAMP = re.compile(r"\[\s*\d{1,10}\.\d{6}[\]@]")
_LOGREAD_TS = re.compile(r"\[(\d{9,11})\.(\d{3})\] ")  # OpenWrt logread -t: epoch seconds and milliseconds


def header(line: str) -> tuple[int | None, object, int] | None:
    """(PRI, date match, end) when the line starts with a 3164 date (with or without a year after the day),
    an RFC 3339 date or a syslog-ng full date, else None."""
    pri, rest = level_prefix(line)
    if pri is not None and rest[:1] == " ":  # appliances put a space after the PRI (AlliedWare Plus)
        rest = rest[1:]
    if pri is None and (p := _PRI_TEXT.match(line)) is not None:  # `kern.warning<4>: `, `kern.warning `
        pri = int(p["pri"]) if p["pri"] else FACILITIES[p["fac"]] << 3 | SEVERITIES[p["sev"]]
        rest = line[p.end():]
    skip = len(line) - len(rest)
    m = _DATE.match(rest) or _ISO.match(rest) or _FULLDATE.match(rest) or _YEARDATE.match(rest)
    if m is None:
        return None
    if m.re is _DATE and month_number(m.group("mon")) is None:
        return None
    return pri, m, skip + m.end()


def header_time(m: re.Match, ctx):
    """The UTC time of a `header` date match: RFC 3339 as written, a date with a year (syslog-ng's full
    date, `Aug 28 2024 13:16:32`) in --tz, a year-less date placed in a year by the context."""
    if m.re is _ISO:
        return parse_iso(m.group("iso").replace(" ", "T"), ctx.tz)
    frac = m.group("frac") or "0"
    fields = (int(m.group("day")), int(m.group("hh")), int(m.group("mm")), int(m.group("ss")),
              int(frac[:6].ljust(6, "0")))
    if m.re is _FULLDATE or m.re is _YEARDATE:
        return local_time(int(m.group("year")), _MONTHS[m.group("mon")], *fields, ctx.tz)
    return ctx.place(month_number(m.group("mon")), *fields)


def detect(line: str) -> bool:
    return header(line) is not None


def split_host_tag(rest: str) -> tuple[str | None, str | None, int | None, str]:
    """(host, program, pid, message) from what follows the date."""
    if rest.startswith(_TAGLESS):
        return None, None, None, rest
    tag = _TAG.match(rest)
    if tag:  # no hostname: "kernel: ..."
        return None, tag.group("prog"), _int(tag.group("pid")), rest[tag.end():]
    host, sep, after = rest.partition(" ")
    if not sep:
        return host or None, None, None, ""
    tag = _TAG.match(after)
    if tag:
        return host, tag.group("prog"), _int(tag.group("pid")), after[tag.end():]
    return host, None, None, after


# The shape of nearly every line rsyslog/syslog-ng write, in one match: optional PRI, English
# date, host, `prog[pid]:`, optional printk prefix. Anything else takes the general path below.
_FAST = re.compile(
    r"(?:<(\d{1,3})>)?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})"
    r"(?:\.(\d{1,9}))? (?![ \[])(\S*[^\s:]) ([^\s\[\]:]{1,128})(?:\[(\d{1,10})\])?: (?:: )?+"  # (`[`: no host;
    # two spaces: busybox's empty hostname, its `kern.warn` where the host stands, read by the general decoder)
    r"(?!<)"  # a `<N>` level marker the kernel left after the tag: rare, read by the general decoder
    r"(?:\[\s*(\d{1,10})\.(\d{1,9})" + CPU_STAMP_END + r"(?: ?\[\s*(" + CALLER_ID + r")\])?(?:\s*<[0-7]>)? ?"
    r"|\[\s*(" + CALLER_ID + r")\] ?)?"
)
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), 1)}


def decode(line: str, raw: bytes, ctx, name: str = NAME) -> Record | None:
    line = line.rstrip("\r\n")
    m = _FAST.match(line)
    if m is not None and not line.startswith(_TAGLESS, m.start(8)) and (
            m.group(9) == "kernel" or header(line[m.end():]) is None):  # (else a relay's tag, the sender's header)
        pri, mon, day, hh, mm, ss, frac, host, program, pid, sec, usec, cpu, caller, lone_caller = m.groups()
        time = ctx.place_text(_MONTHS[mon], day, hh, mm, ss, frac)
        facility = severity = None
        if pri is not None:
            facility, severity = int(pri) >> 3, int(pri) & 7
        text = line[m.end():]
        mono = int(sec) + int(usec) / 10 ** len(usec) if sec is not None else None
        if text[:1] == "(" and sec is not None and (mtk := split_mtk(text)) is not None:
            mtk_caller, text = mtk  # MediaTek's `(CPU)[PID:COMM]` after the stamp (tcplog.framing.printk)
            caller = caller or mtk_caller
        return Record(raw=raw, text=text, framing=name,
                      kernel=program == "kernel" and pid is None, time=time, host=host, program=program,
                      pid=int(pid) if pid else None, facility=facility, severity=severity, monotonic=mono,
                      caller=caller or lone_caller or (cpu and "C" + cpu))
    return decode_general(line, raw, ctx, name)


def decode_general(line: str, raw: bytes, ctx, name: str = NAME, depth: int = 0) -> Record | None:
    """Every RFC 3164 variant: host-less, tag-less, busybox, locales, RFC 3339 and full dates, relayed records."""
    line = line.rstrip("\r\n")
    head = header(line)
    if head is None:
        return None
    pri, m, end = head
    time = header_time(m, ctx)
    rest = line[end:]
    facility, severity = split_pri(pri)
    if rest[:1] == "[":
        if (stamped := _ts_stamped(rest, raw, time, facility, severity)) is not None:
            return stamped
        if (epoch := _LOGREAD_TS.match(rest)) is not None:  # OpenWrt `logread -r … -t`: the entry's own time
            time = from_epoch_us(int(epoch[1]) * 1_000_000 + int(epoch[2]) * 1000) or time
            rest = rest[epoch.end():]
    host, sep, after = rest.partition(" ")
    fp = _FACPRI.match(after) if sep else None
    if fp:  # busybox: "host kern.warn kernel: ..."
        facility, severity = FACILITIES[fp.group(1)], SEVERITIES[fp.group(2)]
        rest = host + " " + after[fp.end():]
    elif host in _FACPRI_TOKENS and _TAG.match(after):  # busybox with an empty hostname: "  kern.warn kernel: ..."
        facility, severity = FACILITIES[host.partition(".")[0]], SEVERITIES[host.partition(".")[2]]
        rest = after
    host, program, pid, msg = split_host_tag(rest)
    if (host or program) and depth < _MAX_RELAYS and header(msg) is not None:
        inner = decode_general(msg, raw, ctx, name, depth + 1)  # a relay's header before the sender's
        # the sender's header ends in a tag; after a relay's own tag it names the sender's host too
        if inner is not None and inner.program is not None and (program is None or inner.host is not None):
            return _relayed(inner, host, program, time, facility, severity)
    msg = msg[2:] if msg.startswith(": ") else msg  # CentOS "kernel: : ..."
    marker = None
    if program == "kernel" and msg[:1] == "<":  # a daemon reading /proc/kmsg left the kernel's `<N>`
        marker, msg = level_prefix(msg)
        if marker is not None:
            facility, severity = split_pri(marker)
    mono, caller, text = split_prefix(msg)
    # facility 0 under the marker: the kernel's own record (user space writing /dev/kmsg gets another)
    kernel = kernel_record(program, pid, facility) and (marker is None or facility == 0)
    return Record(raw=raw, text=text, framing=name, kernel=kernel, time=time, host=host, program=program,
                  pid=pid, facility=facility, severity=severity, monotonic=mono, caller=caller)


def _ts_stamped(rest: str, raw: bytes, time, facility: int | None, severity: int | None) -> Record | None:
    """A dmesg line after the date a pipe's time stamper put before it (`dmesg -w | ts`: moreutils' and
    toybox's ts print `%b %d %H:%M:%S ` by default, any strftime format with an argument): no host, no
    tag, the kernel's own stamp at once (its six decimals: printk's `%5lu.%06lu`). The date (when ts
    read the line) is the record's time."""
    if _PRINTK_STAMP.match(rest) is None:
        return None
    mono, caller, text = split_prefix(rest)
    if mono is None:
        return None
    return Record(raw=raw, text=text, framing=DMESG, kernel=facility in (None, 0), time=time, facility=facility,
                  severity=severity, monotonic=mono, caller=caller)


def _relayed(inner: Record, relay: str | None, relay_program: str | None, time, facility: int | None,
             severity: int | None) -> Record:
    """The sender's record inside a relay's header: the relay fills what the sender's header lacks.
    A relay that adds its own tag (a file input's tag, Logstash's appname) also sets its own PRI
    (the input's configured facility), which says nothing of the sender's record."""
    if relay is not None:
        if inner.host is None:  # the sender wrote no hostname: the relay's host field names it
            inner.host = relay
        elif inner.host != relay:
            inner.extra["relay"] = relay
    if relay_program is not None:
        inner.extra["relay_program"] = relay_program
    inner.time = inner.time or time
    if inner.facility is None and relay_program is None:
        inner.facility, inner.severity = facility, severity
        inner.kernel = inner.kernel or (facility == 0 and inner.program is None)
    return inner


def _int(s: str | None) -> int | None:
    return int(s) if s and s != "-" else None
