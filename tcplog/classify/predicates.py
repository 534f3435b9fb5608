"""Named predicates and value functions: the only logic a rule can use.

A rule condition is `{predicate = NAME, args = {...}}`. Each argument is either a *fact*
argument — an expression the engine resolves first — or a *literal* (kept as written):

    expression := "path"                       a fact path (tcplog.classify.facts), e.g.
                                               "before.sockstat.TCP.tw", "sysctl:net.ipv4.tcp_mem[2]"
                | 128 | 0.95                   a number
                | {fn = NAME, ...args}         a value function below, e.g.
                                               {fn = "times", value = "before.sockstat.TCP.orphan", factor = 4}

Every function here is pure and three-valued: given UNKNOWN (or a value of the wrong kind, e.g.
a string where a number is needed) it returns UNKNOWN; otherwise True/False (predicates) or a
number (value functions). The combinators `any_of` / `all_of` / `none_of` take a list of
conditions and are evaluated by the engine with Kleene logic (one True decides any_of, one False
decides all_of; otherwise an UNKNOWN member leaves the result UNKNOWN).

Predicates (fact arguments marked *):

    at_least(value*, limit*, ratio=1.0)      value >= limit × ratio
    above(value*, limit*, ratio=1.0)         value >  limit × ratio
    below(value*, limit*, ratio=1.0)         value <  limit × ratio
    at_most(value*, limit*, ratio=1.0)       value <= limit × ratio
    near(value*, other*, tolerance=0.25)     |value − other| <= tolerance × max(|value|, |other|)
    rising(value*, by=1)                     a delta.* counter grew by at least `by`
    flat(value*)                             a delta.* counter did not move (== 0)
    equals(value*, to)                       value == to (numbers by value, else as text)
    not_equals(value*, to)                   value != to
    same(value*, other*)                     two facts are equal (e.g. martian source == destination)
    in_set(value*, values)                   value is one of `values`
    kernel_between(version*, min, max)      the kernel version lies in [min, max] (max at its own
                                             precision: "3.0" holds 3.0.101); either bound optional
    ip_in(value*, networks)                  an IP address lies in one of the CIDR `networks`
    matches(value*, pattern)                 the text matches the regular expression `pattern` whole
                                             (e.g. an interface name: "(veth|cilium_).*")
    any_of(of), all_of(of), none_of(of)      combinators over a list of conditions (engine)

Suggestion helpers (remediation `suggested = {helper = NAME, ...}`), given the knob's current
value (a multi-value sysctl applies them to each value):

    double()                                 current × 2
    double_up_to(limit*)                     min(current × 2, limit), never below current: `limit` is a
                                             value above which the knob changes nothing (so at or above
                                             it the suggestion is the current value, and the entry is
                                             left out); plain double when the limit is unknown
    at_least(value*, factor=1)               max(current, value × factor): raise to at least this
    from_evidence(value*, factor=1)          value × factor, rounded up: sized from what was seen
    fixed(value)                             exactly `value` (e.g. tcp_syncookies = 1)

Value functions (`fn`), all arguments are expressions:

    times(value, factor)                     value × factor (the orphan shift: ×2, ×4)
    pages_to_bytes(pages, page_size)         pages × page_size (tcp_mem and sockstat mem are pages)
    ratio(value, limit)                      value / limit
    max_of(values)                           the largest of a list (effective rp_filter = max(all, dev))
    mean_lifetime(count, completions, seconds)
                                             Little's law: count × seconds / completions, the mean
                                             time an entry stays (TIME_WAIT lingering past 60 s)
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from tcplog.classify.facts import UNKNOWN, number
from tcplog.kernelver import KernelRange, KernelVersion


@dataclass(frozen=True)
class Spec:
    """A named function: which arguments are fact expressions, which are literals, which are required."""

    fn: Callable
    facts: tuple[str, ...]
    literals: tuple[str, ...] = ()
    required: tuple[str, ...] = ()

    @property
    def args(self) -> tuple[str, ...]:
        return self.facts + self.literals


def _num(*values):
    out = tuple(number(v) for v in values)
    return None if any(v is UNKNOWN for v in out) else out


# -- predicates ----------------------------------------------------------------------------


def at_least(value, limit, ratio=1.0):
    """value >= limit × ratio."""
    n = _num(value, limit)
    return UNKNOWN if n is None else n[0] >= n[1] * ratio


def above(value, limit, ratio=1.0):
    """value > limit × ratio."""
    n = _num(value, limit)
    return UNKNOWN if n is None else n[0] > n[1] * ratio


def below(value, limit, ratio=1.0):
    """value < limit × ratio."""
    n = _num(value, limit)
    return UNKNOWN if n is None else n[0] < n[1] * ratio


def at_most(value, limit, ratio=1.0):
    """value <= limit × ratio."""
    n = _num(value, limit)
    return UNKNOWN if n is None else n[0] <= n[1] * ratio


def near(value, other, tolerance=0.25):
    """|value − other| <= tolerance × the larger magnitude (two zeros are near)."""
    n = _num(value, other)
    if n is None:
        return UNKNOWN
    a, b = n
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def rising(value, by=1):
    """A counter delta of at least `by`."""
    n = _num(value)
    return UNKNOWN if n is None else n[0] >= by


def flat(value):
    """A counter delta of zero."""
    n = _num(value)
    return UNKNOWN if n is None else n[0] == 0


def _same(value, to) -> bool:
    if isinstance(value, bool) or isinstance(to, bool):
        return str(value).lower() == str(to).lower()  # true == "true" == True
    if isinstance(value, (int, float)) and isinstance(to, (int, float)):
        return value == to
    return str(value) == str(to)


def equals(value, to):
    """value == to (numbers by value, anything else compared as text)."""
    return UNKNOWN if value is UNKNOWN else _same(value, to)


def not_equals(value, to):
    """value != to."""
    return UNKNOWN if value is UNKNOWN else not _same(value, to)


def same(value, other):
    """Two facts are equal (numbers by value, anything else as text)."""
    return UNKNOWN if value is UNKNOWN or other is UNKNOWN else _same(value, other)


def in_set(value, values):
    """value is one of `values`."""
    return UNKNOWN if value is UNKNOWN else any(_same(value, v) for v in values)


def kernel_between(version, min=None, max=None):
    """The kernel version (a KernelVersion, or the tuple of kernel.version) lies in [min, max]."""
    if version is UNKNOWN or version is None:
        return UNKNOWN
    if isinstance(version, tuple):
        version = KernelVersion(release=".".join(map(str, version)), numbers=version)
    if not isinstance(version, KernelVersion):
        return UNKNOWN
    return KernelRange(min, max).contains(version)


def ip_in(value, networks):
    """An IP address (v4 or v6 text) lies in one of the CIDR networks."""
    if value is UNKNOWN or not isinstance(value, str):
        return UNKNOWN
    try:
        addr = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return UNKNOWN
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return any(addr.version == net.version and addr in net for net in _networks(tuple(networks)))


def matches(value, pattern):
    """The text matches `pattern` (a regular expression) whole."""
    if value is UNKNOWN or not isinstance(value, str):
        return UNKNOWN
    return _pattern(pattern).fullmatch(value) is not None


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern)


_NET_CACHE: dict[tuple, tuple] = {}


def _networks(networks: tuple) -> tuple:
    if networks not in _NET_CACHE:
        _NET_CACHE[networks] = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
    return _NET_CACHE[networks]


# -- value functions -----------------------------------------------------------------------


def times(value, factor):
    """value × factor."""
    n = _num(value, factor)
    return UNKNOWN if n is None else n[0] * n[1]


def pages_to_bytes(pages, page_size):
    """pages × page_size."""
    n = _num(pages, page_size)
    return UNKNOWN if n is None else n[0] * n[1]


def ratio(value, limit):
    """value / limit (UNKNOWN for a zero limit)."""
    n = _num(value, limit)
    return UNKNOWN if n is None or n[1] == 0 else n[0] / n[1]


def max_of(values):
    """The largest of the values (UNKNOWN if any is unknown)."""
    n = _num(*values) if values else None
    return UNKNOWN if n is None else max(n)


def mean_lifetime(count, completions, seconds):
    """Little's law: count × seconds / completions (UNKNOWN with no completions)."""
    n = _num(count, completions, seconds)
    return UNKNOWN if n is None or n[1] <= 0 or n[2] <= 0 else n[0] * n[2] / n[1]


PREDICATES: dict[str, Spec] = {
    "at_least": Spec(at_least, ("value", "limit"), ("ratio",), ("value", "limit")),
    "above": Spec(above, ("value", "limit"), ("ratio",), ("value", "limit")),
    "below": Spec(below, ("value", "limit"), ("ratio",), ("value", "limit")),
    "at_most": Spec(at_most, ("value", "limit"), ("ratio",), ("value", "limit")),
    "near": Spec(near, ("value", "other"), ("tolerance",), ("value", "other")),
    "rising": Spec(rising, ("value",), ("by",), ("value",)),
    "flat": Spec(flat, ("value",), (), ("value",)),
    "equals": Spec(equals, ("value",), ("to",), ("value", "to")),
    "not_equals": Spec(not_equals, ("value",), ("to",), ("value", "to")),
    "same": Spec(same, ("value", "other"), (), ("value", "other")),
    "in_set": Spec(in_set, ("value",), ("values",), ("value", "values")),
    "kernel_between": Spec(kernel_between, ("version",), ("min", "max"), ("version",)),
    "ip_in": Spec(ip_in, ("value",), ("networks",), ("value", "networks")),
    "matches": Spec(matches, ("value",), ("pattern",), ("value", "pattern")),
}

COMBINATORS = ("any_of", "all_of", "none_of")

VALUES: dict[str, Spec] = {
    "times": Spec(times, ("value", "factor"), (), ("value", "factor")),
    "pages_to_bytes": Spec(pages_to_bytes, ("pages", "page_size"), (), ("pages", "page_size")),
    "ratio": Spec(ratio, ("value", "limit"), (), ("value", "limit")),
    "max_of": Spec(max_of, ("values",), (), ("values",)),
    "mean_lifetime": Spec(mean_lifetime, ("count", "completions", "seconds"), (),
                          ("count", "completions", "seconds")),
}


# -- suggestion helpers (remediation) -------------------------------------------------------


def _each(current, op):
    """Apply `op` to a scalar current value, or to each value of a multi-value one."""
    if isinstance(current, (list, tuple)):
        out = [op(c) for c in current]
        return UNKNOWN if any(v is UNKNOWN for v in out) else out
    return op(current)


def _ceil(x):
    return int(-(-x // 1))


def suggest_double(current):
    """current × 2."""
    return _each(current, lambda c: UNKNOWN if number(c) is UNKNOWN else c * 2)


def suggest_double_up_to(current, limit):
    """min(current × 2, limit), but never below current (then current: no advice); current × 2 when
    the limit is unknown."""
    n = _num(limit)

    def op(c):
        if number(c) is UNKNOWN:
            return UNKNOWN
        return c * 2 if n is None else max(c, min(c * 2, n[0]))

    return _each(current, op)


def suggest_at_least(current, value, factor=1):
    """max(current, value × factor); just value × factor when the current value is unknown."""
    n = _num(value, factor)
    if n is None:
        return UNKNOWN
    floor = _ceil(n[0] * n[1])
    if number(current) is UNKNOWN:
        return floor
    return max(current, floor)


def suggest_from_evidence(current, value, factor=1):
    """value × factor, rounded up."""
    n = _num(value, factor)
    return UNKNOWN if n is None else _ceil(n[0] * n[1])


def suggest_fixed(current, value):
    """Exactly `value`."""
    return value


SUGGESTIONS: dict[str, Spec] = {
    "double": Spec(suggest_double, ()),
    "double_up_to": Spec(suggest_double_up_to, ("limit",), (), ("limit",)),
    "at_least": Spec(suggest_at_least, ("value", "factor"), (), ("value",)),
    "from_evidence": Spec(suggest_from_evidence, ("value", "factor"), (), ("value",)),
    "fixed": Spec(suggest_fixed, (), ("value",), ("value",)),
}
