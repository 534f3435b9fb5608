"""Named predicates, value functions and suggestion helpers: pure and three-valued."""

from __future__ import annotations

import inspect

import pytest

from tcplog.classify import predicates as p
from tcplog.classify.facts import UNKNOWN


def test_unknown_refuses_to_be_a_bool():
    """UNKNOWN cannot be used as a truth value, so 'unknown' is never silently 'no'."""
    with pytest.raises(TypeError):
        bool(UNKNOWN)


@pytest.mark.parametrize("fn,args,expected", [
    (p.at_least, (95, 100, 0.95), True),
    (p.at_least, (94, 100, 0.95), False),
    (p.above, (101, 100), True),
    (p.above, (100, 100), False),
    (p.below, (4, 10, 0.5), True),
    (p.below, (5, 10, 0.5), False),
    (p.at_most, (128, 128), True),
    (p.at_most, (129, 128), False),
])
def test_comparisons(fn, args, expected):
    """value against limit × ratio, at the boundary and beyond it."""
    assert fn(*args) is expected


@pytest.mark.parametrize("fn", [p.at_least, p.above, p.below, p.at_most])
def test_comparisons_are_unknown_on_unknown_input(fn):
    """An unknown value or limit gives UNKNOWN, not False."""
    assert fn(UNKNOWN, 10) is UNKNOWN and fn(10, UNKNOWN) is UNKNOWN


@pytest.mark.parametrize("bad", ["180000 2", True, None, [1]])
def test_comparisons_are_unknown_on_non_numbers(bad):
    """A text, bool or list where a number is needed cannot decide anything."""
    assert p.at_least(bad, 10) is UNKNOWN


def test_near_uses_the_larger_magnitude():
    """near(): within tolerance × max(|a|, |b|); two zeros are near."""
    assert p.near(90, 100, 0.1) is True and p.near(89, 100, 0.1) is False and p.near(0, 0) is True


def test_rising_and_flat_read_deltas():
    """rising needs a delta of at least `by`; flat needs exactly zero."""
    assert p.rising(1) is True and p.rising(0) is False and p.rising(5, by=10) is False
    assert p.flat(0) is True and p.flat(3) is False and p.flat(UNKNOWN) is UNKNOWN


def test_equals_compares_numbers_by_value_and_the_rest_as_text():
    """1 == 1.0, "drop" == "drop", True == "true", 1 != "x"."""
    assert p.equals(1, 1.0) is True and p.equals("drop", "drop") is True
    assert p.equals(True, "true") is True and p.equals(1, "x") is False
    assert p.not_equals("cookies", "drop") is True and p.equals(UNKNOWN, 1) is UNKNOWN


def test_same_compares_two_facts():
    """same(): both facts known and equal; UNKNOWN if either is unknown."""
    assert p.same("10.0.0.1", "10.0.0.1") is True and p.same("a", "b") is False
    assert p.same(UNKNOWN, "a") is UNKNOWN


def test_in_set():
    """Membership with the equals() notion of equality."""
    assert p.in_set(4, [4, 6]) is True and p.in_set("x", ["y"]) is False and p.in_set(UNKNOWN, [1]) is UNKNOWN


def test_kernel_between_takes_the_kernel_version_tuple():
    """kernel.version (a padded tuple) is placed in an inclusive range."""
    assert p.kernel_between((5, 4, 0, 0), min="5.0", max="5.9") is True
    assert p.kernel_between((5, 10, 0, 0), min="5.0", max="5.9") is False
    assert p.kernel_between(UNKNOWN, min="5.0") is UNKNOWN


def test_ip_in_handles_v4_v6_and_mapped_addresses():
    """CIDR membership for IPv4, IPv6 and IPv4-mapped IPv6 text; junk is UNKNOWN."""
    nets = ["127.0.0.0/8", "fe80::/10"]
    assert p.ip_in("127.0.0.1", nets) is True and p.ip_in("fe80::1", nets) is True
    assert p.ip_in("::ffff:127.0.0.2", nets) is True and p.ip_in("10.0.0.1", nets) is False
    assert p.ip_in("999.1.1.1", nets) is UNKNOWN


def test_value_functions():
    """times, pages_to_bytes, ratio, max_of and mean_lifetime compute plain numbers."""
    assert p.times(126800, 4) == 507200 and p.pages_to_bytes(10, 4096) == 40960
    assert p.ratio(1, 4) == 0.25 and p.max_of([0, 2, 1]) == 2
    assert p.mean_lifetime(262144, 150000, 60) == pytest.approx(104.86, abs=0.01)


def test_value_functions_propagate_unknown_and_refuse_division_by_zero():
    """Unknown inputs, a zero limit or zero completions give UNKNOWN."""
    assert p.times(UNKNOWN, 2) is UNKNOWN and p.ratio(1, 0) is UNKNOWN
    assert p.max_of([1, UNKNOWN]) is UNKNOWN and p.mean_lifetime(10, 0, 60) is UNKNOWN


def test_suggestion_helpers():
    """double (scalars and multi-value sysctls), at_least, from_evidence and fixed."""
    assert p.suggest_double(180000) == 360000 and p.suggest_double([1, 2, 3]) == [2, 4, 6]
    assert p.suggest_at_least(128, 4096) == 4096 and p.suggest_at_least(8192, 4096) == 8192
    assert p.suggest_at_least(UNKNOWN, 100, 2) == 200
    assert p.suggest_from_evidence(7, 100, 1.5) == 150 and p.suggest_fixed(0, "1") == "1"
    assert p.suggest_double(UNKNOWN) is UNKNOWN


def test_double_up_to_stops_at_the_limit_and_never_goes_below_current():
    """double_up_to: doubled up to the limit, the current value when already at or past it, double with no limit."""
    assert p.suggest_double_up_to(512, 1024) == 1024 and p.suggest_double_up_to(512, 4096) == 1024
    assert p.suggest_double_up_to(2048, 128) == 2048 and p.suggest_double_up_to(300, 500) == 500
    assert p.suggest_double_up_to(512, UNKNOWN) == 1024 and p.suggest_double_up_to(UNKNOWN, 128) is UNKNOWN


@pytest.mark.parametrize("registry", [p.PREDICATES, p.VALUES, p.SUGGESTIONS],
                         ids=["predicates", "values", "suggestions"])
def test_registries_match_the_function_signatures(registry):
    """Every registered argument is a parameter of the function, and required ones have no default."""
    for name, spec in registry.items():
        params = inspect.signature(spec.fn).parameters
        named = [a for a in params if a != "current"]
        assert sorted(named) == sorted(spec.args), name
        for arg in spec.required:
            assert params[arg].default is inspect.Parameter.empty, (name, arg)


def test_matches_is_a_whole_match_on_text():
    """An interface name against a pattern: the whole name must match; numbers and unknowns are UNKNOWN."""
    virtual = "(veth|cilium_).*"
    assert p.matches("cilium_host", virtual) is True and p.matches("veth3f2a1b0", virtual) is True
    assert p.matches("eth0", virtual) is False and p.matches("my-veth0", virtual) is False
    assert p.matches(UNKNOWN, virtual) is UNKNOWN and p.matches(3, virtual) is UNKNOWN
