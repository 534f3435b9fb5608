"""NETDEV WATCHDOG: a transmit queue stayed stopped past the driver's watchdog timeout
(net/sched/sch_generic.c:dev_watchdog).

The device is present, running and has carrier, but a TX queue has been stopped for longer
than dev->watchdog_timeo (5 s unless the driver sets it); the kernel then calls the driver's
ndo_tx_timeout() to reset it, so repeated lines mean repeated resets.
* 2.4 - 2.6.26: printk(KERN_INFO ...) on every timeout, names the device only.
* 2.6.27 - 6.7: WARN_ONCE(): once per boot, next to a "WARNING: ... dev_watchdog" stack
  trace; later hangs are silent. The driver name is added (2.6.27), then the TX queue index
  (release unverified, between 2.6.28 and 3.x), then how long the queue was stuck (2f0f9465ad9f,
  in net-next on 2023-04-23, the day 6.3 was released: 6.4 by that date, tag unverified).
* 6.8+: netdev_crit() at KERN_CRIT on every timeout, no WARN; the device is named by the netdev
  prefix "<driver> <bus-id> <ifname>: " and the CPU is added (e316dd1cf135 "net: don't dump stack
  on queue timeout", in net-next on 2023-11-15, after 6.7-rc1, so 6.8). Stable backported it
  with the ms patch to 6.6.47 and 6.1.107 (August 2024): those print this wording, every time.

Examples:

    NETDEV WATCHDOG: eth0: transmit timed out
    NETDEV WATCHDOG: eth0 (r8169): transmit timed out
    NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out
    NETDEV WATCHDOG: eni1np1 (netdevsim): transmit queue 0 timed out 1975 ms
    r8169 0000:02:00.0 enp2s0: NETDEV WATCHDOG: CPU: 3: transmit queue 0 timed out 5376 ms

Fields:

    interface       str|null   network interface (null for an unnamed net_device)
    driver          str|null   driver name (null when the kernel printed none)
    bus_id          str|null   parent device name, e.g. "0000:02:00.0" (netdev_crit wording only)
    queue           int|null   TX queue index (null before the queue wording)
    timeout_ms      int|null   how long the queue was stopped, ms (6.4+)
    cpu             int|null   CPU that ran the watchdog timer (netdev_crit wording only)

Message ids:

    netdev_watchdog.legacy     2.4 - 2.6.26: "NETDEV WATCHDOG: %s: transmit timed out"
    netdev_watchdog.driver     2.6.27 - ~2.6.3x: "NETDEV WATCHDOG: %s (%s): transmit timed out"
    netdev_watchdog.queue      ~2.6.3x - 6.3: "NETDEV WATCHDOG: %s (%s): transmit queue %u timed out"
    netdev_watchdog.queue_ms   6.4 - 6.7: "... transmit queue %u timed out %u ms"
    netdev_watchdog.crit       6.8+, 6.6.47+, 6.1.107+: netdev_crit
                               "<netdev prefix>: NETDEV WATCHDOG: CPU: %d: transmit queue %u timed out %u ms"
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "netdev_watchdog"
ORIGIN = "kernel"
TRIGGERS = (b"NETDEV WATCHDOG",)
MESSAGES = {
    "netdev_watchdog.legacy": "NETDEV WATCHDOG: %s: transmit timed out  [2.4 - 2.6.26]",
    "netdev_watchdog.driver": "NETDEV WATCHDOG: %s (%s): transmit timed out  [2.6.27 - ~2.6.3x, WARN_ONCE]",
    "netdev_watchdog.queue": "NETDEV WATCHDOG: %s (%s): transmit queue %u timed out  [~2.6.3x - 6.3, WARN_ONCE]",
    "netdev_watchdog.queue_ms": "NETDEV WATCHDOG: %s (%s): transmit queue %u timed out %u ms  [6.4 - 6.7, WARN_ONCE]",
    "netdev_watchdog.crit": "<driver> <bus-id> <ifname>: NETDEV WATCHDOG: CPU: %d: transmit queue %u timed out %u ms  "
                            "[6.8+; stable 6.6.47+, 6.1.107+; netdev_crit]",
}
FIELDS = ("interface", "driver", "bus_id", "queue", "timeout_ms", "cpu")
# the first mainline kernel with each wording, then the stable releases that took it
# (grammars/__init__.py: SINCE)
SINCE = {
    "netdev_watchdog.driver": ("2.6.27",),
    "netdev_watchdog.queue_ms": ("6.4",),
    "netdev_watchdog.crit": ("6.8", "6.6.47", "6.1.107"),
}
# the last mainline kernel with each wording (grammars/__init__.py: UNTIL): 2.6.27's WARN_ONCE()
# replaced the printk() naming the device only (docs/reference §11 [V]); e316dd1cf135 (6.8) replaced the
# WARN_ONCE() with netdev_crit(). 6.6.47+ and 6.1.107+ print the new wording too, but their series are
# not later than 6.7, so they are never noted. Where the queue index and the ms came in is not pinned
# to a tag, so the driver and queue wordings have no end here.
UNTIL = {"netdev_watchdog.legacy": "2.6.26", "netdev_watchdog.queue_ms": "6.7"}

_UNNAMED = "(unnamed net_device)"

_watchdog = c.literal_words("NETDEV WATCHDOG:")
_timed_out = c.literal_words("timed out")
_ms = c.uint("timeout_ms") + pp.Keyword("ms")
_period = pp.Optional(pp.Literal("."))

legacy = (_watchdog + c.ifname("interface") + pp.Suppress(":") + c.literal_words("transmit timed out")
          + _period + pp.StringEnd()).set_name("netdev_watchdog.legacy")

_driver = pp.Suppress("(") + pp.Optional(pp.Regex(r"[^()\s][^()]*?(?=\))"))("driver") + pp.Suppress(")")
_which = pp.Keyword("queue") + c.uint("queue") + _timed_out + pp.Optional(_ms) | _timed_out
with_driver = (_watchdog + c.ifname("interface") + _driver + pp.Suppress(":") + pp.Keyword("transmit") + _which
               + _period + pp.StringEnd()).set_name("netdev_watchdog.with_driver")

# netdev_printk(): "<driver> <bus-id> <ifname><reg state>: " with a parent device, "<ifname>: " without.
_reg_state = pp.Regex(r"\((?:unregistering|unregistered|uninitialized|unknown)\)").set_name("reg state")
_name = (pp.Literal(_UNNAMED) | c.ifname)("interface")
_parent = pp.Regex(r"(?P<driver>[^\s:()]+) (?P<bus_id>[^\s()]+) (?=\S)").set_name("driver and bus id")
_device = _name + pp.Optional(_reg_state) + pp.Suppress(":") + _watchdog
crit = ((_parent + _device | _device)
        + pp.Keyword("CPU") + pp.Suppress(":") + c.uint("cpu") + pp.Suppress(":") + c.literal_words("transmit queue")
        + c.uint("queue") + _timed_out + _ms + _period + pp.StringEnd()).set_name("netdev_watchdog.crit")


def _fields(r: dict) -> dict:
    fields = {name: r.get(name) for name in FIELDS}
    if fields["interface"] == _UNNAMED:
        fields["interface"] = None
    if not fields["driver"]:
        fields["driver"] = None
    return fields


def parse(text: str) -> c.Match | None:
    r = c.parse_named(crit, text)
    if r is not None:
        return c.Match(FAMILY, "netdev_watchdog.crit", _fields(r))
    r = c.parse_named(with_driver, text)
    if r is not None:
        if "timeout_ms" in r:
            message_id = "netdev_watchdog.queue_ms"
        else:
            message_id = "netdev_watchdog.queue" if "queue" in r else "netdev_watchdog.driver"
        return c.Match(FAMILY, message_id, _fields(r))
    r = c.parse_named(legacy, text)
    if r is None:
        return None
    return c.Match(FAMILY, "netdev_watchdog.legacy", _fields(r))
