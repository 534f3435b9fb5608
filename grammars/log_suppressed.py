"""Log shippers' own loss notices: the log daemon dropped, rate-limited or folded messages.

ORIGIN is "shipper": these lines are written by the log daemon, not the kernel, and only count
when the record's program is one of PROGRAMS, or when it has no tag at all (syslogd's
"last message repeated" lines). Two repeat notices (TAG_KEPT) keep the tag of the message they
repeat: rsyslog's "message repeated N times: [...]" (so a repeated kernel line arrives as
`kernel:`) and syslog-ng's "Last message '...' repeated N times, suppressed by syslog-ng on HOST".
They tell the reader that the kernel-message counts around them are lower bounds.
* systemd-journald (src/journal/journald-server.c, journald-kmsg.c): per-unit rate limiting
  (RateLimitIntervalSec/RateLimitBurst) "Suppressed %u messages from %s" — %s was the cgroup path
  ("/system.slice/foo.service") in older systemd, the unit name in newer; kernel records lost
  between two /dev/kmsg reads "Missed %llu kernel messages"; /dev/kmsg overrun (journald-kmsg.c,
  count unknown) "/dev/kmsg buffer overrun, some messages lost." — journald's own lines can
  reach the kernel log too (`systemd-journald[381]: ...` in dmesg); syslog socket full
  "Forwarding to syslog missed %u messages.".
* rsyslog: imuxsock per-pid rate limiting (5.7 - 7.x) "imuxsock begins to drop messages from pid
  %lu due to rate-limiting" / "imuxsock lost %d messages from pid %lu due to rate-limiting";
  the generic ratelimiter (7.x - 8.x, imjournal, imuxsock) "%s: begin to drop messages due to
  rate-limiting" / "%s: %u messages lost due to rate-limiting[ (%u allowed within %u seconds)]";
  repeated-message reduction "message repeated %d times: [%.800s]" (legacy format
  "last message repeated %d times").
* sysklogd / BSD syslogd "last message repeated %d times"; macOS and BSD syslogd
  "--- last message repeated %u time(s) ---".
* syslog-ng suppress(): "Last message '%.20s' repeated %d times, suppressed by syslog-ng on %s"
  ("supressed" up to 3.x).

Examples:

    Suppressed 1234 messages from /system.slice/nginx.service
    Missed 1427 kernel messages
    systemd-journald[381]: /dev/kmsg buffer overrun, some messages lost.
    imuxsock lost 141 messages from pid 55082 due to rate-limiting
    imjournal: 236 messages lost due to rate-limiting (20000 allowed within 600 seconds)
    rsyslogd[internal_messages]: 3543 messages lost due to rate-limiting (500 allowed within 5 seconds)
    last message repeated 3 times
    message repeated 5 times: [ nf_conntrack: table full, dropping packet]

Fields:

    daemon            str|null   "systemd-journald", "rsyslogd", "syslog-ng", "syslogd"; null when several write the wording
    suppressed        int|null   messages suppressed / lost / repeated (null for the "begin to drop" notices)
    unit              str|null   what was suppressed: journald unit or cgroup path, "kernel", an rsyslog process name
                                 (or its ratelimiter's other name, "internal_messages": rsyslog's own)
    pid               int|null   process whose messages were dropped (rsyslog imuxsock)
    repeated_message  str|null   the repeated text (rsyslog: up to 800 chars; syslog-ng: the first 20)

Message ids:

    log_suppressed.journald_suppressed      systemd 38+: "Suppressed %u messages from %s"
    log_suppressed.journald_kernel_missed   systemd 189+: "Missed %llu kernel messages"
    log_suppressed.journald_kmsg_overrun    systemd: "/dev/kmsg buffer overrun, some messages lost." (no count)
    log_suppressed.journald_forward_missed  systemd 206+: "Forwarding to syslog missed %u messages."
    log_suppressed.imuxsock_begin           rsyslog 5.7 - 7.x: "imuxsock begins to drop messages from pid %lu due to rate-limiting"
    log_suppressed.imuxsock_lost            rsyslog 5.7 - 7.x: "imuxsock lost %d messages from pid %lu due to rate-limiting"
    log_suppressed.ratelimit_begin          rsyslog 7.x - 8.x: "%s: begin to drop messages due to rate-limiting"
    log_suppressed.ratelimit_lost           rsyslog 7.x - 8.x: "%s: %u messages lost due to rate-limiting[ (%u allowed within %u seconds)]"
    log_suppressed.last_repeated            sysklogd, BSD syslogd, rsyslog legacy: "last message repeated %d times"
    log_suppressed.last_repeated_dashes     macOS / BSD syslogd: "--- last message repeated %u time(s) ---"
    log_suppressed.message_repeated         rsyslog 5.x+: "message repeated %d times: [%.800s]"
    log_suppressed.syslog_ng_repeated       syslog-ng suppress(): "Last message '%.20s' repeated %d times, suppressed by syslog-ng on %s"
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "log_suppressed"
ORIGIN = "shipper"
# Programs whose own notices count (syslog tag / SYSLOG_IDENTIFIER). journald's comm is cut to
# 15 bytes ("systemd-journal"); old rsyslog tags its internal messages with the error number.
PROGRAMS = frozenset({
    "systemd-journald", "systemd-journal", "journald",
    "rsyslogd", "rsyslogd-2177", "rsyslogd0", "rsyslog", "imuxsock", "imjournal",
    "syslog-ng", "syslogd", "sysklogd", "busybox",
})
TRIGGERS = (b"Suppressed", b"kernel messages", b"syslog missed", b"due to rate", b"repeated", b"buffer overrun")
# Message ids whose lines keep the tag of the message they repeat (rsyslog copies the original
# message, syslog-ng its program): accept these from any program, e.g. `kernel:`.
TAG_KEPT = frozenset({"log_suppressed.message_repeated", "log_suppressed.syslog_ng_repeated"})
MESSAGES = {
    "log_suppressed.journald_suppressed": "Suppressed %u messages from %s  [systemd-journald]",
    "log_suppressed.journald_kernel_missed": "Missed %llu kernel messages  [systemd-journald]",
    "log_suppressed.journald_kmsg_overrun": "/dev/kmsg buffer overrun, some messages lost.  [systemd-journald]",
    "log_suppressed.journald_forward_missed": "Forwarding to syslog missed %u messages.  [systemd-journald]",
    "log_suppressed.imuxsock_begin": "imuxsock begins to drop messages from pid %lu due to rate-limiting  [rsyslog 5.7 - 7.x]",
    "log_suppressed.imuxsock_lost": "imuxsock lost %d messages from pid %lu due to rate-limiting  [rsyslog 5.7 - 7.x]",
    "log_suppressed.ratelimit_begin": "%s: begin to drop messages due to rate-limiting  [rsyslog 7.x - 8.x]",
    "log_suppressed.ratelimit_lost": "%s: %u messages lost due to rate-limiting (%u allowed within %u seconds)  "
                                     "[rsyslog 7.x - 8.x; parenthesis 8.x]",
    "log_suppressed.last_repeated": "last message repeated %d times  [sysklogd, BSD syslogd, rsyslog legacy]",
    "log_suppressed.last_repeated_dashes": "--- last message repeated %u time(s) ---  [macOS / BSD syslogd]",
    "log_suppressed.message_repeated": "message repeated %d times: [%.800s]  [rsyslog 5.x+]",
    "log_suppressed.syslog_ng_repeated": "Last message '%.20s' repeated %d times, suppressed by syslog-ng on %s  [syslog-ng]",
}
FIELDS = ("daemon", "suppressed", "unit", "pid", "repeated_message")

_count = c.uint("suppressed")
_period = pp.Optional(pp.Literal("."))
_end = _period + pp.StringEnd()
_times = pp.Keyword("times") | pp.Keyword("time")
_rest = pp.Regex(r"\S.*").set_name("rest of line")

journald_suppressed = (pp.Keyword("Suppressed") + _count + c.literal_words("messages from") + _rest("unit")
                       ).set_name("log_suppressed.journald_suppressed")
# journald's own lines as they reach the kernel log (dmesg, kmsg): "systemd-journald[381]: ..."
_journald_self = pp.Optional(pp.Regex(r"systemd-journald?\[\d{1,10}\]:"))
journald_kernel_missed = (_journald_self + pp.Keyword("Missed") + _count + c.literal_words("kernel messages") + _end
                          ).set_name("log_suppressed.journald_kernel_missed")
# journald folds its repeats of a line: "... lost. (Dropped 93506 similar message(s))" (its own, not the kernel's)
journald_kmsg_overrun = (_journald_self + c.literal_words("/dev/kmsg buffer overrun, some messages lost") + _period
                         + pp.Optional(pp.Regex(r"\(Dropped \d+ similar message\(s\)\)")) + pp.StringEnd()
                         ).set_name("log_suppressed.journald_kmsg_overrun")
journald_forward_missed = (c.literal_words("Forwarding to syslog missed") + _count + pp.Keyword("messages") + _end
                           ).set_name("log_suppressed.journald_forward_missed")

_due = c.literal_words("due to rate-limiting")
imuxsock_begin = (c.literal_words("imuxsock begins to drop messages from pid") + c.uint("pid") + _due + _end
                  ).set_name("log_suppressed.imuxsock_begin")
imuxsock_lost = (c.literal_words("imuxsock lost") + _count + c.literal_words("messages from pid") + c.uint("pid")
                 + _due + _end).set_name("log_suppressed.imuxsock_lost")

# rsyslog ratelimiter names, `modname[dynname]` (ratelimitNew() in runtime/ratelimit.c): "imjournal", "imuxsock",
# "imuxsock[pid: 51, name: /usr/bin/syncd]", "imuxsock[pid: 57, name: /usr/bin/orchagent] from <sonic:orchagent>",
# "rsyslogd[internal_messages]" (8.2504: rsyslog's own messages, https://github.com/rsyslog/rsyslog/issues/5613).
_limiter = (r"(?P<limiter>[A-Za-z][\w.-]*(?:\[(?:pid: (?P<pid>\d+)(?:, name: (?P<unit>[^\]]*))?|(?P<dynname>(?!\d+\])[^\]\s]+))\])?"
            r"(?: from <[^>]*>)?)")
ratelimit_begin = pp.Regex(_limiter + r": begin to drop messages due to rate-limiting\.?$") \
    .set_name("log_suppressed.ratelimit_begin")
ratelimit_lost = pp.Regex(_limiter + r": (?P<suppressed>\d+) messages lost due to rate-limiting"
                          r"(?: \(\d+ allowed within \d+ seconds\))?\.?$").set_name("log_suppressed.ratelimit_lost")

last_repeated = (c.literal_words("last message repeated") + _count + _times + _end
                 ).set_name("log_suppressed.last_repeated")
last_repeated_dashes = (pp.Literal("---") + c.literal_words("last message repeated") + _count + _times
                        + pp.Literal("---") + pp.StringEnd()).set_name("log_suppressed.last_repeated_dashes")
message_repeated = pp.Regex(r"message repeated (?P<suppressed>\d+) times?: \[(?P<repeated_message>.*)\]$") \
    .set_name("log_suppressed.message_repeated")
syslog_ng_repeated = pp.Regex(r"Last message '(?P<repeated_message>.{0,20})' repeated (?P<suppressed>\d+) times?"
                              r"(?:, supp?ressed by syslog-ng on \S+)?$").set_name("log_suppressed.syslog_ng_repeated")

# (message id, expression, daemon), tried in order.
_WORDINGS = (
    ("log_suppressed.journald_suppressed", journald_suppressed, "systemd-journald"),
    ("log_suppressed.journald_kernel_missed", journald_kernel_missed, "systemd-journald"),
    ("log_suppressed.journald_kmsg_overrun", journald_kmsg_overrun, "systemd-journald"),
    ("log_suppressed.journald_forward_missed", journald_forward_missed, "systemd-journald"),
    ("log_suppressed.imuxsock_begin", imuxsock_begin, "rsyslogd"),
    ("log_suppressed.imuxsock_lost", imuxsock_lost, "rsyslogd"),
    ("log_suppressed.ratelimit_begin", ratelimit_begin, "rsyslogd"),
    ("log_suppressed.ratelimit_lost", ratelimit_lost, "rsyslogd"),
    ("log_suppressed.last_repeated", last_repeated, None),
    ("log_suppressed.last_repeated_dashes", last_repeated_dashes, None),
    ("log_suppressed.message_repeated", message_repeated, "rsyslogd"),
    ("log_suppressed.syslog_ng_repeated", syslog_ng_repeated, "syslog-ng"),
)


def _int(value) -> int | None:
    return None if value is None or value == "" else int(value)


def parse(text: str) -> c.Match | None:
    for message_id, expr, daemon in _WORDINGS:
        r = c.parse_named(expr, text)
        if r is None:
            continue
        unit = r.get("unit") or r.get("dynname") or None
        if message_id in ("log_suppressed.journald_kernel_missed", "log_suppressed.journald_kmsg_overrun"):
            unit = "kernel"
        repeated = r.get("repeated_message")
        return c.Match(FAMILY, message_id, {
            "daemon": daemon, "suppressed": _int(r.get("suppressed")), "unit": unit, "pid": _int(r.get("pid")),
            "repeated_message": repeated.strip() if repeated is not None else None,
        })
    return None
