"""Kernel release strings → comparable versions with vendor hints, and version ranges.

`uname -r` strings carry the upstream version first and a vendor tail after it:

    2.6.18-419.el5                    RHEL/CentOS 5   → (2, 6, 18)   el=5
    2.6.32-754.35.1.el6.x86_64        RHEL/CentOS 6   → (2, 6, 32)   el=6, arch x86_64
    3.10.0-1160.el7.x86_64            RHEL/CentOS 7   → (3, 10, 0)   el=7
    4.18.0-513.el8                    RHEL 8          → (4, 18, 0)   el=8
    5.14.0-362.8.1.el9_3.x86_64       RHEL 9.3        → (5, 14, 0)   el=9
    5.15.0-91-generic                 Ubuntu          → (5, 15, 0)   flavor "generic"
    6.18.44-fc-v657                   this sandbox    → (6, 18, 44)
    2.6.18-028stab101.1               OpenVZ          → (2, 6, 18)   openvz, stab "028stab101.1"
    2.6.32-042stab134.8               OpenVZ (RHEL 6) → (2, 6, 32)   openvz

Only the upstream numbers are compared; vendor kernels backport, so the hints (`el`, `openvz`)
are there for rules that need them, never folded into the order. `parse()` never raises: a
string that does not start with `MAJOR.MINOR` gives None.

Ranges (`KernelRange`) have an inclusive `min` and an inclusive `max` *at the precision written*:
`max = "3.0"` holds every 3.0.x, `max = "2.6.19"` holds 2.6.19.x but not 2.6.20. Either bound may be
absent. A bound is itself parsed with `parse()`. Rules use ranges twice: a rule's own `kernel`
(where it applies at all) and a remediation entry's `kernel` (which kernels its command is for).

    >>> parse("3.10.0-1160.el7.x86_64").numbers
    (3, 10, 0)
    >>> KernelRange.of("2.6.20", "3.0").contains(parse("2.6.32-754.el6"))
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEAD = re.compile(r"v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?")
_EL = re.compile(r"(?:^|[.\-_])el(\d{1,2})(?=$|[._\-])")
_STAB = re.compile(r"(\d*stab[0-9][0-9.]*)")
_ARCH = re.compile(r"[.\-](x86_64|i[3-6]86|aarch64|ppc64le|ppc64|s390x|armv7hl|noarch)$")


@dataclass(frozen=True, order=False)
class KernelVersion:
    """One parsed release: `numbers` (upstream, 2-4 ints) plus what the vendor tail says."""

    release: str
    numbers: tuple[int, ...]
    tail: str = ""  # everything after the upstream numbers ("-754.35.1.el6.x86_64")
    el: int | None = None  # RHEL/CentOS major release from ".elN"
    openvz: bool = False  # OpenVZ/Virtuozzo ("stab" in the release)
    stab: str | None = None  # the OpenVZ build ("028stab101.1")
    arch: str | None = None

    @property
    def key(self) -> tuple[int, ...]:
        """The comparable key: upstream numbers padded to four places."""
        return (self.numbers + (0, 0, 0, 0))[:4]

    def at_least(self, bound: str | KernelVersion) -> bool:
        """True when this version is at or above `bound` (e.g. "3.1")."""
        b = bound if isinstance(bound, KernelVersion) else parse(bound)
        if b is None:
            raise ValueError(f"not a kernel version: {bound!r}")
        return self.key >= b.key

    def at_most(self, bound: str | KernelVersion) -> bool:
        """True when this version is at or below `bound` at the bound's precision ("3.0" holds 3.0.101)."""
        b = bound if isinstance(bound, KernelVersion) else parse(bound)
        if b is None:
            raise ValueError(f"not a kernel version: {bound!r}")
        n = len(b.numbers)
        return self.key[:n] <= b.numbers

    def hints(self) -> dict:
        """The vendor hints as a plain dict (what facts expose under kernel.*)."""
        return {"el": self.el, "openvz": self.openvz, "stab": self.stab, "arch": self.arch}

    def __str__(self) -> str:
        return ".".join(map(str, self.numbers))


def parse(release: object) -> KernelVersion | None:
    """A release string → KernelVersion, or None when it is not one (never raises)."""
    if not isinstance(release, str):
        return None
    text = release.strip()
    if not text or len(text) > 256:
        return None
    m = _HEAD.match(text)
    if m is None:
        return None
    numbers = tuple(int(g) for g in m.groups() if g is not None)
    tail = text[m.end():]
    if tail and tail[0] not in "-.+_~":
        return None  # "3.10abc" is not a release
    el = _EL.search(tail)
    stab = _STAB.search(tail)
    arch = _ARCH.search(tail)
    return KernelVersion(
        release=text,
        numbers=numbers,
        tail=tail,
        el=int(el.group(1)) if el else None,
        openvz=stab is not None,
        stab=stab.group(1).rstrip(".") if stab else None,
        arch=arch.group(1) if arch else None,
    )


def predates(version: KernelVersion, since: tuple[str, ...]) -> bool:
    """True when `version` is older than every kernel that can hold a change: `since` is the first
    mainline release with it, then releases of older stable series that took it (`("6.8", "6.6.47",
    "6.1.107")`). 6.1.50 predates that change, 6.1.110 and 6.9 do not."""
    first, *stable = since
    if version.at_least(first):
        return False
    for release in stable:
        b = parse(release)
        if b is None:
            raise ValueError(f"not a kernel version: {release!r}")
        if version.key[:2] == b.key[:2] and version.at_least(b):
            return False
    return True


def series(version: KernelVersion) -> tuple[int, ...]:
    """The release series a version belongs to: `MAJOR.MINOR.PATCH` for 2.x (2.6.32.71 is of 2.6.32,
    2.6's stable releases carry a fourth number), `MAJOR.MINOR` from 3.0 (3.16.7 is of 3.16)."""
    return version.key[:3] if version.key[0] < 3 else version.key[:2]


def postdates(version: KernelVersion, until: str) -> bool:
    """True when `version` is of a later series than `until`, the last mainline release with a
    wording: no release of that series or after it printed the wording. The series' own stable
    releases kept it (2.6.32.71 printed 2.6.32's texts, 3.16.85 3.16's), so they do not postdate it.

        >>> postdates(parse("3.17.1"), "3.16"), postdates(parse("3.16.85"), "3.16")
        (True, False)
        >>> postdates(parse("2.6.32-754.el6"), "2.6.21"), postdates(parse("2.6.21.7"), "2.6.21")
        (True, False)
    """
    b = parse(until)
    if b is None:
        raise ValueError(f"not a kernel version: {until!r}")
    return series(version) > series(b)


@dataclass(frozen=True)
class KernelRange:
    """An inclusive version range; `min`/`max` are release strings or None (open)."""

    min: str | None = None
    max: str | None = None

    def __post_init__(self):
        for name in ("min", "max"):
            bound = getattr(self, name)
            if bound is not None and parse(bound) is None:
                raise ValueError(f"kernel.{name}: not a kernel version: {bound!r}")

    @classmethod
    def of(cls, min: str | None = None, max: str | None = None) -> KernelRange:
        return cls(min, max)

    @property
    def open(self) -> bool:
        return self.min is None and self.max is None

    def contains(self, version: KernelVersion) -> bool:
        """True when `version` lies within the range."""
        if self.min is not None and not version.at_least(self.min):
            return False
        if self.max is not None and not version.at_most(self.max):
            return False
        return True

    @property
    def empty(self) -> bool:
        """True when no version lies in the range (`min` above `max`: "4.7" - "4.6")."""
        return self.min is not None and self.max is not None and not parse(self.min).at_most(self.max)

    def meets(self, other: KernelRange) -> bool:
        """True when some version lies in both ranges."""
        if self.max is not None and other.min is not None and not parse(other.min).at_most(self.max):
            return False
        if other.max is not None and self.min is not None and not parse(self.min).at_most(other.max):
            return False
        return True

    def describe(self) -> str:
        """The range in words, for notes read by people: "4.7 and later", "up to 4.6", "2.6.20 to 3.0"."""
        if self.open:
            return "any kernel"
        if self.min and self.max:
            return f"{self.min} to {self.max}"
        return f"{self.min} and later" if self.min else f"up to {self.max}"

    def __str__(self) -> str:
        if self.open:
            return "any"
        if self.min and self.max:
            return f"{self.min} - {self.max}"
        return f">= {self.min}" if self.min else f"<= {self.max}"
