"""The compiled path (grammars/_compiled.py) answers exactly what pyparsing answers.

Differential: every grammar element of every family, on the texts the goldens and the
benchmark's wordings put in front of the grammars, and on hypothesis mutations of them
(digits made huge, separators inserted, tabs, pieces dropped or doubled). Plus the PEG
corners a regex gets wrong by default, on small grammars built here.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pyparsing as pp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcplog.dispatch import Dispatcher
from tcplog.grammars import FAMILIES
from tcplog.grammars import _common as c
from tcplog.grammars._compiled import FALLBACK, compile_grammar
from tests import golden

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import netlines  # noqa: E402


def _elements() -> list[tuple[str, pp.ParserElement]]:
    """Every grammar element a family module defines at top level (variants and their parts)."""
    found = []
    for family in FAMILIES:
        for name, value in vars(family).items():
            if isinstance(value, pp.ParserElement):
                found.append((f"{family.FAMILY}.{name}", value))
    return found


ELEMENTS = _elements()


def _golden_texts() -> list[str]:
    """The message texts the scanner offers the grammars for every golden input."""
    seen: list[str] = []
    original = Dispatcher.parse

    def spy(self, text):
        seen.append(text)
        return original(self, text)

    Dispatcher.parse = spy
    try:
        for path in golden.all_files():
            for case in golden.read(path)[1]:
                golden.run(case.lines)
    finally:
        Dispatcher.parse = original
    return seen


def _bench_texts() -> list[str]:
    rng = random.Random(7)
    return [template(rng) for templates in netlines.TEMPLATES.values() for template in templates for _ in range(8)]


TEXTS = sorted(set(_golden_texts()) | set(_bench_texts()))


def _typed(named: dict | None):
    return None if named is None else sorted((k, type(v).__name__, repr(v)) for k, v in named.items())


def _reference(expr: pp.ParserElement, text: str):
    result = c.parse_with(expr, text)
    return None if result is None else dict(result.items())


def _agree(expr: pp.ParserElement, text: str) -> bool:
    """Compiled and pyparsing agree; True when the compiled path answered by itself."""
    compiled = c._entry(expr)[2]
    if compiled is None:
        return False
    answer = compiled.parse(text)
    if answer is FALLBACK:
        return False
    assert _typed(answer) == _typed(_reference(expr, text)), (text, expr)
    return True


def test_there_are_texts_for_every_family():
    assert len(TEXTS) > 500
    hit = {family.FAMILY for family in FAMILIES for text in TEXTS if family.parse(text) is not None}
    assert hit == {family.FAMILY for family in FAMILIES}


def test_every_variant_the_families_parse_with_is_compiled(monkeypatch):
    """No family silently takes the slow path: each element parse() uses compiles."""
    used = {}
    real = c._entry

    def spy(expr):
        entry = real(expr)
        used[id(expr)] = entry
        return entry

    monkeypatch.setattr(c, "_entry", spy)
    for text in TEXTS:
        for family in FAMILIES:
            family.parse(text)
    assert len(used) >= 40
    for expr, _, compiled in used.values():
        assert compiled is not None, f"not compiled: {expr}"


@pytest.mark.parametrize("name,expr", ELEMENTS, ids=[n for n, _ in ELEMENTS])
def test_element_agrees_on_every_text(name, expr):
    answered = sum(_agree(expr, text) for text in TEXTS)
    if compile_grammar(c._whole(expr)) is not None:
        assert answered > 0.9 * len(TEXTS), f"{name}: the compiled path fell back on too many texts"


def test_families_answer_the_same_either_way(monkeypatch):
    monkeypatch.setattr(c, "COMPILED", False)
    expected = {text: [f.parse(text) for f in FAMILIES] for text in TEXTS}
    monkeypatch.setattr(c, "COMPILED", True)
    for text, answers in expected.items():
        assert [f.parse(text) for f in FAMILIES] == answers, text


_INSERTS = [" ", "  ", "\t", ":", ".", "/", "[", "]", "(", ")", ",", "-", "%", "!", "x", "Z", "0", "7", "99999",
            "4294967296", "65536", "256", "::", "ff", "TCP: ", "eth0", "\u0663", "\xa0"]


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(("insert", "delete", "double", "digits")))
        at = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(_INSERTS)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 6)):]
        elif kind == "double":
            end = min(len(text), at + draw(st.integers(1, 12)))
            text = text[:end] + text[at:end] + text[end:]
        else:
            text = "".join(draw(st.sampled_from(("0", "65535", "65536", "4294967295", "4294967296", "999",
                                                 "1" * 25))) if ch.isdigit() and draw(st.booleans()) else ch
                           for ch in text)
    return text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_every_element_agrees_on_mutations(text):
    for _, expr in ELEMENTS:
        _agree(expr, text)
    for family in FAMILIES:
        c.COMPILED = False
        try:
            expected = family.parse(text)
        finally:
            c.COMPILED = True
        assert family.parse(text) == expected, (family.FAMILY, text)


# PEG corners, on small grammars.

def _check(expr: pp.ParserElement, text: str, expected):
    """The compiled path answers (no fallback) and both paths give `expected`."""
    assert _typed(_reference(expr, text)) == _typed(expected)
    answer = compile_grammar(c._whole(expr)).parse(text)
    assert answer is not FALLBACK
    assert _typed(answer) == _typed(expected)


def test_no_backtracking_into_a_token():
    """pyparsing's Regex keeps what it matched; a plain regex would give an 'a' back."""
    _check(pp.Regex("a+") + pp.Literal("a"), "aaa", None)


def test_ordered_choice_commits():
    expr = (pp.Literal("ab") | pp.Literal("a"))("x") + pp.Literal("bc")
    _check(expr, "abc", None)  # PEG takes "ab" and fails; a regex would retry with "a"
    _check(expr, "ab bc", {"x": "ab"})


def test_optional_commits():
    _check(pp.Optional(pp.Literal("a")) + pp.Literal("ab"), "ab", None)


def test_keyword_boundaries_and_whitespace():
    expr = pp.Keyword("port") + c.uint("n")
    _check(expr, " port\t 80 ", {"n": 80})
    _check(expr, "portal 80", None)
    _check(pp.Literal("x") + pp.Keyword("port") + c.uint("n"), "xport 80", None)  # Keyword checks the char before


def test_tabs_are_expanded_as_parse_string_does():
    _check(pp.Regex(r"a {4,}b")("v"), "a\tb", {"v": "a       b"})


def test_regex_groups_names_and_backreferences():
    expr = c.conntrack_prefix + pp.Literal("x")
    _check(expr, "nf_conntrack: nf_conntrack: x", {"module": "nf_conntrack", "again": "nf_conntrack"})
    _check(expr, "nf_conntrack: x", {"module": "nf_conntrack", "again": None})
    _check(expr, "nf_conntrack: ip_conntrack: x", None)


def test_values_conditions_and_names_on_choices():
    expr = pp.Literal("p") + c.port("port") + (pp.Literal("a") | pp.Literal("b"))("which")
    _check(expr, "p 443 b", {"port": 443, "which": "b"})
    _check(expr, "p 443 c", None)
    # The pattern matched, the value function rejected: pyparsing decides, and says no.
    assert compile_grammar(c._whole(expr)).parse("p 70000 b") is FALLBACK
    assert c.parse_named(expr, "p 70000 b") is None


def test_a_rejected_action_inside_a_choice_falls_back_and_agrees():
    """A condition rejects the first branch; pyparsing takes the second, the pattern must not answer."""
    expr = (c.port("port") | pp.Regex(r"\d+")("big")) + pp.Literal("!")
    compiled = compile_grammar(c._whole(expr))
    assert compiled.parse("70000 !") is FALLBACK
    assert _reference(expr, "70000 !") == {"big": "70000"}
    assert compiled.parse("80 !") == {"port": 80}
    assert compiled.parse("x !") is None  # the relaxed pattern proves the miss


@pytest.mark.parametrize("expr", [
    pp.Word(pp.alphas),
    pp.Group(pp.Literal("a")),
    pp.Literal("a").leave_whitespace(),
    pp.CaselessKeyword("a"),
    pp.Optional(pp.Literal("a"), default="z"),
    pp.Literal("a")("x*"),
    pp.Regex(r"(a)\1"),
], ids=["Word", "Group", "leave_whitespace", "caseless", "default", "list-all", "backref"])
def test_what_is_not_modelled_is_not_compiled(expr):
    assert compile_grammar(c._whole(expr)) is None
    assert _typed(c.parse_named(expr, "a")) == _typed(_reference(expr, "a"))
