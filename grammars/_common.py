"""Building blocks shared by the family grammars, and the Match every `parse()` returns.

Conventions (see docs/ARCHITECTURE.md): `import pyparsing as pp`; named sub-expressions;
results names for every field; no global whitespace changes; small typed parse actions, as
`value_token` / `fields_token` where a token's value is a function of its text; the whole text
must match; alternatives ordered specific -> generic. Families call `parse_named`, which runs the
grammar compiled (grammars/_compiled.py) and lets pyparsing answer where that cannot vouch.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple

import pyparsing as pp

from tcplog.grammars._compiled import FALLBACK, Compiled, compile_grammar


class Match(NamedTuple):
    family: str
    message_id: str
    fields: dict


def value_token(pattern: str, name: str, value) -> pp.Regex:
    """A Regex token whose result is `value(text)`; `value` raises ValueError to reject the text.

    `value` is the token's one parse action, and it is marked so that the compiled path
    (grammars/_compiled.py) calls it on the matched text instead of parsing the token again:
    both paths run the same function. `value` returns a scalar (str, int), never None."""
    return _marked_token(pattern, name, value, "token_value", lambda v: v)


def fields_token(pattern: str, name: str, fields) -> pp.Regex:
    """A Regex token whose named results are the dict `fields(text)` (ValueError rejects).

    Marked like value_token's action, for the same reason. Give it no results name of its own."""
    return _marked_token(pattern, name, fields, "token_fields", pp.ParseResults.from_dict)


def _marked_token(pattern: str, name: str, fn, mark: str, wrap) -> pp.Regex:
    def action(s, loc, t):
        try:
            return wrap(fn(t[0]))
        except ValueError as exc:
            raise pp.ParseException(s, loc, f"{name}: {exc}") from None

    token = pp.Regex(pattern).set_name(name).set_parse_action(action)
    setattr(token.parseAction[0], mark, fn)
    return token


def _port(text: str) -> int:
    number = int(text)
    if number > 65535:
        raise ValueError(f"port {number} out of range")
    return number


def ipv4_value(text: str) -> str:
    return str(ipaddress.IPv4Address(text))


def ipv6_value(text: str) -> str:
    address = ipaddress.IPv6Address(text)
    mapped = address.ipv4_mapped  # keep one spelling on every Python version
    return f"::ffff:{mapped}" if mapped else str(address)


integer = value_token(r"-?\d{1,20}(?!\d)", "integer", int)
uint = value_token(r"\d{1,20}(?!\d)", "unsigned", int)
port = value_token(r"\d{1,5}", "port", _port)
_IPV4 = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"
_IPV6 = r"(?=[0-9A-Fa-f:]*:)(?:[0-9A-Fa-f:]{2,30}:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f:]{2,39})(?:%\w+)?"
ipv4 = value_token(_IPV4, "IPv4 address", ipv4_value)
ipv6 = value_token(_IPV6, "IPv6 address", ipv6_value)


def ip_value(text: str) -> str:
    """An IPv4 or IPv6 address in its one spelling (an IPv4 address never holds ':')."""
    return ipv6_value(text) if ":" in text else ipv4_value(text)


# Either address. One token: where the IPv4 form matches, the IPv6 one (a ':' before any '.')
# cannot, so the alternation is the same language as `ipv4 | ipv6`.
ip = value_token(f"(?>{_IPV4}|{_IPV6})", "IP address", ip_value)
_IP_WHOLE = re.compile(ip.re.pattern + r"\Z")


def ip_address(text: str) -> str:
    """`ip`'s value for a whole text (no spaces around it); ValueError when it is none."""
    if _IP_WHOLE.match(text) is None:
        raise ValueError(f"not an IP address: {text!r}")
    return ip_value(text)


# An interface name as the kernel prints it (IFNAMSIZ 16, no spaces, no ':' at the end).
ifname = pp.Regex(r"[^\s:/]{1,16}").set_name("interface")


def labelled_martian(kind: str) -> pp.ParserElement:
    """`IPv4: martian <kind> (src=%pI4, dst=%pI4, dev=%s)`: net/ipv4/route.c since "ipv4: Improve
    martian logs" (net-next, 2026-01, 48a4aa9d9c39): labelled, and the source printed first."""
    return (pp.Optional(pp.Literal("IPv4:"))("prefix") + literal_words(f"martian {kind}") + pp.Suppress("(")
            + pp.Suppress("src=") + ipv4("src_address") + pp.Suppress(",") + pp.Suppress("dst=") + ipv4("dst_address")
            + pp.Suppress(",") + pp.Suppress("dev=") + pp.Regex(r"[^\s:/)]{1,16}")("interface") + pp.Suppress(")")
            + pp.StringEnd()).set_name(f"martian_{kind}.labelled")


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
# every call, which costs as much as the parse itself. Beside it, the grammar compiled to one
# pattern (grammars/_compiled.py), or None when it holds what the translation does not model.
_WHOLE: dict[int, tuple[pp.ParserElement, pp.ParserElement, Compiled | None]] = {}

# Off only to compare the two paths (tests/grammars/test_compiled.py).
COMPILED = True


def _entry(expr: pp.ParserElement) -> tuple[pp.ParserElement, pp.ParserElement, Compiled | None]:
    entry = _WHOLE.get(id(expr))
    if entry is None or entry[0] is not expr:
        whole = (expr + pp.StringEnd()).streamline()
        entry = (expr, whole, compile_grammar(whole))
        _WHOLE[id(expr)] = entry
    return entry


def _whole(expr: pp.ParserElement) -> pp.ParserElement:
    return _entry(expr)[1]


def parse_with(expr: pp.ParserElement, text: str) -> pp.ParseResults | None:
    """Parse the whole text with pyparsing; None when it does not match. Never raises on ordinary text."""
    try:
        return _whole(expr).parse_string(text)
    except pp.ParseBaseException:
        return None
    except (RecursionError, ValueError, OverflowError):  # e.g. a 5000-digit "count" in a hostile line
        return None


def parse_named(expr: pp.ParserElement, text: str) -> dict | None:
    """The named results of a whole-text parse (what parse_with's results hold under their
    names), or None when it does not match. The compiled pattern answers when it can vouch for
    pyparsing's answer; otherwise pyparsing parses."""
    _, _, compiled = _entry(expr)
    if compiled is not None and COMPILED:
        named = compiled.parse(text)
        if named is not FALLBACK:
            return named
    result = parse_with(expr, text)
    return None if result is None else dict(result.items())


def fields_of(result, names: tuple[str, ...]) -> dict:
    """The named results as a plain dict (static keys: absent names become None)."""
    return {name: (result[name] if name in result else None) for name in names}
