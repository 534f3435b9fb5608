"""Kernel rate-limit notices: how many messages a printk rate limiter swallowed.

They carry no family of their own: a classifier attributes the count to the preceding net
message in the same stream, and the count is a lower bound on the true event rate.
* 2.4 - early 2.6: net/core/utils.c:net_ratelimit kept its own token bucket and said so itself,
  KERN_WARNING: "NET: %d messages suppressed." (2.4.21 source and binary strings).
* early 2.6 (2.6.18 era): printk core, kernel/printk.c:__printk_ratelimit, KERN_WARNING:
  "printk: %d messages suppressed." — one token bucket shared by every printk_ratelimit() user,
  net_ratelimit() included.
* later 2.6 - 6.x: lib/ratelimit.c:___ratelimit, KERN_WARNING (printk_deferred in newer kernels):
  "%s: %d callbacks suppressed", %s = the function owning the ratelimit state. Every net
  message (net_ratelimit(), net_*_ratelimited) reports as `net_ratelimit`; other
  printk_ratelimited()/dev_*_ratelimited() users report their own function; 2.6.2x - 2.6.3x
  kernels (RHEL 6) print `__ratelimit` for all of them.
* 4.10 - 6.x: /dev/kmsg writers (devkmsg_release, printk.devkmsg=ratelimit) — "%s: %d output
  lines suppressed due to ratelimiting", %s = the writer's comm; "printk: " pr_fmt prefix on
  ~5.0+ kernels.

Examples:

    NET: 12 messages suppressed.
    printk: 4489 messages suppressed.
    net_ratelimit: 3939 callbacks suppressed
    __ratelimit: 37822 callbacks suppressed
    dvb_frontend_poll: 15 callbacks suppressed
    printk: systemd: 18 output lines suppressed due to ratelimiting

Fields:

    function        str        the rate-limited function ("net_ratelimit", "__ratelimit", "dvb_frontend_poll", ...);
                               "printk" for the early 2.6 notice, "net_ratelimit" for the 2.4 "NET:" one;
                               the writer process (comm) for devkmsg
    suppressed      int        messages/callbacks suppressed since the last notice
    source          str        "net_ratelimit", "ratelimit" (any other lib/ratelimit.c user), "printk", "devkmsg"

Message ids:

    ratelimit_suppressed.net         2.4 - early 2.6: "NET: %d messages suppressed." (net_ratelimit's own)
    ratelimit_suppressed.printk      early 2.6: "printk: %d messages suppressed."
    ratelimit_suppressed.callbacks   later 2.6 - 6.x: "%s: %d callbacks suppressed"
    ratelimit_suppressed.devkmsg     4.10 - 6.x: "[printk: ]%s: %d output lines suppressed due to ratelimiting"
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "ratelimit_suppressed"
ORIGIN = "kernel"
TRIGGERS = (b"messages suppressed", b"callbacks suppressed", b"lines suppressed")
MESSAGES = {
    "ratelimit_suppressed.net": "NET: %d messages suppressed.  [2.4 - early 2.6]",
    "ratelimit_suppressed.printk": "printk: %d messages suppressed.  [early 2.6]",
    "ratelimit_suppressed.callbacks": "%s: %d callbacks suppressed  [later 2.6 - 6.x]",
    "ratelimit_suppressed.devkmsg": "printk: %s: %d output lines suppressed due to ratelimiting  "
                                    "[4.10 - 6.x; no 'printk: ' before ~5.0]",
}
FIELDS = ("function", "suppressed", "source")
# /dev/kmsg writers rate-limited from 4.10 (grammars/__init__.py: SINCE)
SINCE = {"ratelimit_suppressed.devkmsg": ("4.10",)}

_period = pp.Optional(pp.Literal("."))

printk_notice = (pp.one_of("printk: NET:")("notice") + c.uint("suppressed") + c.literal_words("messages suppressed") + _period
                 + pp.StringEnd()).set_name("ratelimit_suppressed.printk")

# A C identifier (the __func__ of the rate-limited caller).
_function = pp.Regex(r"[A-Za-z_][A-Za-z0-9_.]{0,127}").set_name("function")("function")
callbacks = (_function + pp.Suppress(":") + c.uint("suppressed") + c.literal_words("callbacks suppressed") + _period
             + pp.StringEnd()).set_name("ratelimit_suppressed.callbacks")

# The writer's comm: up to 15 bytes, may hold spaces, '/', ':' ("kworker/0:1", "(sd-pam)").
devkmsg = (pp.Regex(r"(?:printk: )?(?P<function>\S.{0,15}?): (?P<suppressed>\d+) output lines suppressed"
                    r" due to ratelimiting\.?").set_name("ratelimit_suppressed.devkmsg")
           + pp.StringEnd())


def parse(text: str) -> c.Match | None:
    r = c.parse_named(printk_notice, text)
    if r is not None:
        if r["notice"] == "NET:":
            return c.Match(FAMILY, "ratelimit_suppressed.net",
                           {"function": "net_ratelimit", "suppressed": r["suppressed"], "source": "net_ratelimit"})
        return c.Match(FAMILY, "ratelimit_suppressed.printk",
                       {"function": "printk", "suppressed": r["suppressed"], "source": "printk"})
    r = c.parse_named(callbacks, text)
    if r is not None:
        function = r["function"]
        source = "net_ratelimit" if function == "net_ratelimit" else "ratelimit"
        return c.Match(FAMILY, "ratelimit_suppressed.callbacks",
                       {"function": function, "suppressed": r["suppressed"], "source": source})
    r = c.parse_named(devkmsg, text)
    if r is None:
        return None
    return c.Match(FAMILY, "ratelimit_suppressed.devkmsg",
                   {"function": r["function"], "suppressed": int(r["suppressed"]), "source": "devkmsg"})
