"""What a framing decoder needs to know that the record itself does not say.

RFC 3164 and journalctl short output carry no year and no zone. The CLI passes in a
reference time (the file's mtime, or now for a stream) or an explicit year, and the zone
the host wrote its local times in. Nothing here reads a clock or a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timedelta, timezone, tzinfo

# Abbreviated month names as strftime("%b") writes them in common locales (journalctl short
# output follows the machine's locale), casefolded, trailing dot stripped. Norwegian Bokmål's
# (glibc nb_NO) leave five months whole: "mars", "april", "mai", "juni", "juli", and "des.".
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("jan", "janv", "ene", "gen", "sty", "led", "tammi", "oca", "янв", "січ", "ιαν"),
    2: ("feb", "févr", "fev", "fév", "lut", "úno", "helmi", "şub", "фев", "лют", "φεβ"),
    3: ("mar", "mär", "mrt", "bře", "maalis", "мар", "бер", "μαρ", "mars"),
    4: ("apr", "avr", "avril", "abr", "kwi", "dub", "huhti", "nis", "апр", "кві", "απρ", "april"),
    5: ("may", "mai", "mag", "mei", "maj", "kvě", "touko", "мая", "май", "тра", "μαΐ", "μάι"),
    6: ("jun", "juin", "giu", "cze", "čvn", "kesä", "haz", "июн", "чер", "ιούν", "ιουν", "juni"),
    7: ("jul", "juil", "lug", "lip", "čvc", "heinä", "tem", "июл", "лип", "ιούλ", "ιουλ", "juli"),
    8: ("aug", "août", "ago", "sie", "srp", "elo", "ağu", "авг", "сер", "αύγ", "αυγ"),
    9: ("sep", "sept", "set", "wrz", "zář", "syys", "eyl", "сен", "вер", "σεπ"),
    10: ("oct", "okt", "ott", "out", "paź", "říj", "loka", "eki", "окт", "жов", "οκτ"),
    11: ("nov", "lis", "marras", "kas", "ноя", "лис", "νοέ", "νοε"),
    12: ("dec", "déc", "dez", "dic", "gru", "pro", "joulu", "ara", "дек", "гру", "δεκ", "des"),
}
MONTHS: dict[str, int] = {name: num for num, names in _MONTH_NAMES.items() for name in names}
ENGLISH_MONTHS = {name: MONTHS[name] for name in
                  ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")}
_CJK_MONTH = re.compile(r"^(\d{1,2})\s*[月월]$")


_EXACT = {name.capitalize(): num for name, num in ENGLISH_MONTHS.items()}


def month_number(token: str) -> int | None:
    """Month 1-12 from an abbreviated name in any known locale ("Nov", "déc.", "11月"), else None."""
    num = _EXACT.get(token)  # the common case: English, as rsyslog writes it
    if num is not None:
        return num
    key = token.casefold().rstrip(".")
    num = MONTHS.get(key)
    if num is not None:
        return num
    m = _CJK_MONTH.match(token)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    return None


@dataclass(slots=True)
class FramingContext:
    """Settings for decoding one input (one file or stream); holds that input's year state."""

    reference: datetime  # aware; RFC 3164 dates are placed at or before it (plus a day of slack)
    year: int | None = None  # explicit year of the first undated record (--year)
    tz: tzinfo = timezone.utc  # zone of local timestamps that carry none
    _year: int | None = field(default=None, repr=False)
    _month: int | None = field(default=None, repr=False)
    _placed: dict = field(default_factory=dict, repr=False)  # stateless placements, by date fields

    def place(self, month: int, day: int, hh: int, mm: int, ss: int, micro: int = 0) -> datetime | None:
        """A year-less local time placed in a year, converted to UTC; None if it names no date."""
        if self.year is not None:
            year = self._year if self._year is not None else self.year
            if self._month is not None and month < self._month - 6:  # Dec -> Jan rollover
                year += 1
            self._year, self._month = year, month
            return local_time(year, month, day, hh, mm, ss, micro, self.tz)
        key = (month, day, hh, mm, ss, micro)
        placed = self._placed.get(key)
        if placed is not None:
            return placed
        if len(self._placed) > 4096:
            self._placed.clear()
        limit = self.reference + timedelta(days=1)
        for year in (self.reference.year, self.reference.year - 1, self.reference.year - 2,
                     self.reference.year - 3, self.reference.year - 4):
            t = local_time(year, month, day, hh, mm, ss, micro, self.tz)
            if t is not None and t <= limit:
                self._placed[key] = t
                return t
        return None


    def place_text(self, month: int, day: str, hh: str, mm: str, ss: str, frac: str | None) -> datetime | None:
        """`place` from the date's digits as read (cached by them when no --year state applies)."""
        if self.year is None:
            key = (month, day, hh, mm, ss, frac)
            placed = self._placed.get(key)
            if placed is not None:
                return placed
        placed = self.place(month, int(day), int(hh), int(mm), int(ss), int(frac[:6].ljust(6, "0")) if frac else 0)
        if self.year is None and placed is not None:
            self._placed[key] = placed
        return placed


def local_time(year, month, day, hh, mm, ss, micro, tz) -> datetime | None:
    """A local date and time in zone `tz`, converted to UTC; None if it names no date."""
    try:
        return datetime(year, month, day, hh, mm, ss, micro, tzinfo=tz).astimezone(timezone.utc)
    except ValueError:
        return None


_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?$"
)


@lru_cache(maxsize=8192)
def parse_iso(text: str, default_tz: tzinfo = timezone.utc) -> datetime | None:
    """RFC 3339 / ISO 8601 (also journalctl's +0000 and dmesg's comma fraction) -> UTC datetime."""
    m = _ISO.match(text)
    if not m:
        return None
    y, mo, d, hh, mi, ss, frac, zone = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    if zone is None:
        tz = default_tz
    elif zone == "Z":
        tz = timezone.utc
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss), micro, tzinfo=tz).astimezone(
            timezone.utc)
    except ValueError:
        return None


def from_epoch_us(us: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(us / 1_000_000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
