"""Kernel release parsing, ordering and ranges (tcplog.kernelver)."""

from __future__ import annotations

import pytest

from tcplog.kernelver import KernelRange, parse, postdates, predates, series

RELEASES = [
    ("2.6.18-419.el5", (2, 6, 18), 5, False),
    ("2.6.32-754.35.1.el6.x86_64", (2, 6, 32), 6, False),
    ("3.10.0-1160.el7.x86_64", (3, 10, 0), 7, False),
    ("4.18.0-513.el8", (4, 18, 0), 8, False),
    ("5.14.0-362.8.1.el9_3.x86_64", (5, 14, 0), 9, False),
    ("5.15.0-91-generic", (5, 15, 0), None, False),
    ("6.18.44-fc-v657", (6, 18, 44), None, False),
    ("2.6.18-028stab101.1", (2, 6, 18), None, True),
    ("2.6.18-348.16.1.el5.028stab108.1", (2, 6, 18), 5, True),
    ("2.6.32-042stab134.8", (2, 6, 32), None, True),
    ("4.9", (4, 9), None, False),
]


@pytest.mark.parametrize("release,numbers,el,openvz", RELEASES, ids=[r[0] for r in RELEASES])
def test_parse_reads_upstream_numbers_and_vendor_hints(release, numbers, el, openvz):
    """Upstream numbers, the RHEL major and the OpenVZ flag come out of every release form."""
    v = parse(release)
    assert (v.numbers, v.el, v.openvz) == (numbers, el, openvz)


def test_openvz_build_and_arch_are_kept():
    """The OpenVZ build string and the architecture suffix are exposed as hints."""
    assert parse("2.6.18-028stab101.1").stab == "028stab101.1"
    assert parse("3.10.0-1160.el7.x86_64").arch == "x86_64"


@pytest.mark.parametrize("garbage", [None, 42, "", "   ", "Linux", "3", "3.x", "3.10abc", "x" * 300, "v", "..1"])
def test_parse_returns_none_on_garbage(garbage):
    """Anything that is not MAJOR.MINOR[...] gives None, never an exception."""
    assert parse(garbage) is None


def test_vendor_tail_does_not_change_the_order():
    """A RHEL 7 build compares equal to its upstream version."""
    assert parse("3.10.0-1160.el7.x86_64").key == parse("3.10.0").key


def test_versions_order_numerically():
    """2.6.32 < 3.10 < 4.18 < 5.4 < 5.15, numerically (not as text)."""
    keys = [parse(r).key for r in ("2.6.32-754.el6", "3.10.0", "4.18.0", "5.4.0-42-generic", "5.15.0")]
    assert keys == sorted(keys) and parse("2.6.9").key < parse("2.6.18").key


def test_at_most_honours_the_bound_precision():
    """max "3.0" holds 3.0.101; max "2.6.19" holds 2.6.19 but not 2.6.20."""
    assert parse("3.0.101-63-default").at_most("3.0")
    assert parse("2.6.19").at_most("2.6.19") and not parse("2.6.20").at_most("2.6.19")


def test_at_least_is_inclusive():
    """min "2.6.20" holds 2.6.20 itself and excludes 2.6.18."""
    assert parse("2.6.20").at_least("2.6.20") and not parse("2.6.18-419.el5").at_least("2.6.20")


def test_range_contains_between_its_bounds():
    """A closed range holds its inside and excludes both outsides."""
    r = KernelRange("2.6.20", "3.0")
    assert r.contains(parse("2.6.32-754.el6"))
    assert not r.contains(parse("2.6.18-419.el5")) and not r.contains(parse("3.10.0"))


def test_half_open_ranges():
    """A range with only min or only max is open on the other side."""
    assert KernelRange(min="5.15").contains(parse("6.18.44-fc-v657"))
    assert not KernelRange(max="5.3").contains(parse("5.4.0-42-generic"))


def test_open_range_holds_everything():
    """No bounds: every version fits, and the range says so."""
    assert KernelRange().open and KernelRange().contains(parse("2.4.37"))


def test_range_rejects_bad_bounds():
    """A bound that is not a version is a ValueError naming it."""
    with pytest.raises(ValueError, match="kernel.min"):
        KernelRange("five", None)


def test_predates_reads_mainline_then_the_stable_series_that_took_a_change():
    """("6.8", "6.6.47", "6.1.107"): 6.1.50 and 5.15 predate it; 6.1.107, 6.6.50 and 6.9 do not."""
    since = ("6.8", "6.6.47", "6.1.107")
    assert [predates(parse(r), since) for r in ("6.1.50", "5.15.0-91-generic", "6.1.107", "6.6.50", "6.9.1")] == [
        True, True, False, False, False]
    assert predates(parse("3.10.0-1160.el7.x86_64"), ("3.17",)) and not predates(parse("3.17"), ("3.17",))


def test_postdates_compares_series_so_stable_releases_keep_their_series_wordings():
    """A wording last in 2.6.32 or 3.16: the stable releases of that series (2.6.32.71, a RHEL 6 2.6.32 with
    its vendor tail, 3.16.85) printed it, the next series (2.6.33, 3.17) and anything later did not."""
    assert [postdates(parse(r), "2.6.32") for r in ("2.6.32.71", "2.6.32-754.35.1.el6.x86_64", "2.6.31.14",
                                                    "2.6.33", "3.0.101")] == [False, False, False, True, True]
    assert [postdates(parse(r), "3.16") for r in ("3.16.85", "3.16", "3.10.0-1160.el7.x86_64", "3.17.0",
                                                  "4.18.0-513.el8")] == [False, False, False, True, True]
    assert [postdates(parse(r), "6.7") for r in ("6.6.47", "6.7.12", "6.8", "6.18.44-fc-v657")] == [
        False, False, True, True]
    assert series(parse("2.6.32.71")) == (2, 6, 32) and series(parse("3.16.85")) == (3, 16)
    with pytest.raises(ValueError):
        postdates(parse("6.8"), "latest")


def test_a_range_with_min_above_max_is_empty():
    """"4.7" - "4.6" holds nothing; "3.0" - "3.0" holds every 3.0.x."""
    assert KernelRange("4.7", "4.6").empty and not KernelRange("3.0", "3.0").empty and not KernelRange().empty


@pytest.mark.parametrize("a, b, meet", [
    (("4.7", None), (None, "4.6"), False),
    (("4.7", None), (None, "4.7"), True),
    ((None, "3.0"), ("2.6.20", "3.0"), True),
    (("5.0", "5.9"), ("5.10", None), False),
    ((None, None), ("6.1", "6.1"), True),
])
def test_ranges_meet_when_a_version_lies_in_both(a, b, meet):
    """Two ranges meet unless one ends (at its own precision) before the other begins."""
    assert KernelRange(*a).meets(KernelRange(*b)) is meet and KernelRange(*b).meets(KernelRange(*a)) is meet


def test_a_range_describes_itself_in_words():
    """The words a note uses: "4.7 and later", "up to 4.6", "2.6.20 to 3.0"."""
    assert [KernelRange(*r).describe() for r in (("4.7", None), (None, "4.6"), ("2.6.20", "3.0"), (None, None))] == [
        "4.7 and later", "up to 4.6", "2.6.20 to 3.0", "any kernel"]
