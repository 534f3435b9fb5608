"""Building blocks shared by the family grammars, and the Match every `parse()` returns.

Conventions (see docs/ARCHITECTURE.md): `import pyparsing as pp`; named sub-expressions;
results names for every field; no global whitespace changes; small typed parse actions;
`parse_all=True`; alternatives ordered specific -> generic.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple

import pyparsing as pp


class Match(NamedTuple):
    family: str
    message_id: str
    fields: dict


def _to_int(t):
    return int(t[0])


def _ipv4(s, loc, t):
    try:
        return str(ipaddress.IPv4Address(t[0]))
    except ValueError as exc:
        raise pp.ParseException(s, loc, f"bad IPv4 address {t[0]!r}") from exc


def _ipv6(s, loc, t):
    try:
        addr = ipaddress.IPv6Address(t[0])
    except ValueError as exc:
        raise pp.ParseException(s, loc, f"bad IPv6 address {t[0]!r}") from exc
    mapped = addr.ipv4_mapped  # keep one spelling on every Python version
    return f"::ffff:{mapped}" if mapped else str(addr)


integer = pp.Regex(r"-?\d{1,20}(?!\d)").set_name("integer").set_parse_action(_to_int)
uint = pp.Regex(r"\d{1,20}(?!\d)").set_name("unsigned").set_parse_action(_to_int)
# set_parse_action replaces earlier actions, so the range condition comes after it.
port = pp.Regex(r"\d{1,5}").set_name("port").set_parse_action(_to_int).add_condition(lambda t: t[0] <= 65535)
ipv4 = pp.Regex(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}").set_name("IPv4 address").set_parse_action(_ipv4)
ipv6 = pp.Regex(r"(?=[0-9A-Fa-f:]*:)(?:[0-9A-Fa-f:]{2,30}:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f:]{2,39})(?:%\w+)?") \
    .set_name("IPv6 address").set_parse_action(_ipv6)
ip = (ipv4 | ipv6).set_name("IP address")
# An interface name as the kernel prints it (IFNAMSIZ 16, no spaces, no ':' at the end).
ifname = pp.Regex(r"[^\s:/]{1,16}").set_name("interface")
# `nf_conntrack: ` or `ip_conntrack: `, once or twice (pr_fmt plus the literal prefix in the format).
conntrack_prefix = pp.Regex(r"(?P<module>nf_conntrack|ip_conntrack):(?:[ ]+(?P<again>(?P=module)):)?") \
    .set_name("conntrack module prefix")
hexbytes = pp.Regex(r"[0-9a-fA-F]{2}(?:[: ][0-9a-fA-F]{2})*").set_name("hex bytes")


_IDENT = r"[A-Za-z0-9_$]"  # pyparsing's Keyword.DEFAULT_KEYWORD_CHARS


def literal_words(text: str) -> pp.ParserElement:
    """A fixed phrase, tolerant of the kernel's double spaces: one Regex for the whole phrase.

    Same language as a chain of `Keyword` (alphanumeric words: not inside a longer identifier)
    and `Literal` (other words) with pyparsing's default whitespace between them, but one
    element instead of one per word: pyparsing's cost is per element tried."""
    parts = []
    for word in text.split():
        w = re.escape(word)
        parts.append(rf"(?<!{_IDENT}){w}(?!{_IDENT})" if word.isalnum() else w)
    return pp.Regex(r"[ \t\n\r]*".join(parts)).set_name(repr(text))


# `expr + StringEnd()` per grammar, built once: parse_string(parse_all=True) builds that pair on
# every call, which costs as much as the parse itself.
_WHOLE: dict[int, tuple[pp.ParserElement, pp.ParserElement]] = {}


def _whole(expr: pp.ParserElement) -> pp.ParserElement:
    entry = _WHOLE.get(id(expr))
    if entry is None or entry[0] is not expr:
        entry = (expr, (expr + pp.StringEnd()).streamline())
        _WHOLE[id(expr)] = entry
    return entry[1]


def parse_with(expr: pp.ParserElement, text: str) -> pp.ParseResults | None:
    """Parse the whole text; None when it does not match. Never raises on ordinary text."""
    try:
        return _whole(expr).parse_string(text)
    except pp.ParseBaseException:
        return None
    except (RecursionError, ValueError, OverflowError):  # e.g. a 5000-digit "count" in a hostile line
        return None


def fields_of(result: pp.ParseResults, names: tuple[str, ...]) -> dict:
    """The named results as a plain dict (static keys: absent names become None)."""
    return {name: (result[name] if name in result else None) for name in names}
