"""Jalali (Persian solar) dates: parse, convert, name and format. No I/O.

Conversions use jdatetime's 33-year rule, which matches the official calendar for 1300-1500.
A Jalali day is kept as a plain ``JDate(year, month, day)`` tuple so it sorts, hashes and
pickles cheaply; visible text gets Persian digits, machine values stay Latin and ISO.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import jdatetime

from digest.persian import ZWNJ, normalize_chars, to_latin_digits, to_persian_digits

MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
          "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
# The Persian week starts on Saturday; index 0 is شنبه.
WEEKDAYS = ("شنبه", "یک" + ZWNJ + "شنبه", "دوشنبه", "سه" + ZWNJ + "شنبه",
            "چهارشنبه", "پنج" + ZWNJ + "شنبه", "جمعه")
WEEKDAYS_SHORT = ("ش", "ی", "د", "س", "چ", "پ", "ج")

TEHRAN = ZoneInfo("Asia/Tehran")


_PATHS: dict[tuple[int, int, int], str] = {}


class JDate(NamedTuple):
    """A Jalali calendar day."""

    year: int
    month: int
    day: int

    @property
    def path(self) -> str:
        """Return ``1403/09/02``, the day's URL path in Latin digits."""
        found = _PATHS.get(self)   # asked for every article URL; formatting it each time adds up
        if found is None:
            found = _PATHS[self] = f"{self.year:04d}/{self.month:02d}/{self.day:02d}"
        return found

    def iso(self) -> str:
        """Return the Gregorian ISO date of this day, for machine values."""
        return to_gregorian(self).isoformat()


def is_leap(year: int) -> bool:
    """Tell whether a Jalali year has 30 days in Esfand."""
    return jdatetime.date(year, 1, 1).isleap()


def days_in_month(year: int, month: int) -> int:
    """Return the number of days in a Jalali month."""
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if is_leap(year) else 29


def check(year: int, month: int, day: int) -> JDate:
    """Return the JDate, or raise ValueError naming what makes it impossible."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist (1-12)")
    last = days_in_month(year, month)
    if not 1 <= day <= last:
        raise ValueError(f"{MONTHS[month - 1]} {year} has {last} days, not {day}")
    return JDate(year, month, day)


@lru_cache(maxsize=8192)
def from_gregorian(day: dt.date) -> JDate:
    """Convert a Gregorian date to its Jalali day."""
    j = jdatetime.date.fromgregorian(date=day)
    return JDate(j.year, j.month, j.day)


@lru_cache(maxsize=8192)
def to_gregorian(day: JDate) -> dt.date:
    """Convert a Jalali day to its Gregorian date."""
    return jdatetime.date(*day).togregorian()


def weekday(day: JDate) -> int:
    """Return the weekday of a Jalali day, 0 for Saturday through 6 for Friday."""
    return (to_gregorian(day).weekday() + 2) % 7


def add_days(day: JDate, n: int) -> JDate:
    """Return the Jalali day ``n`` days after ``day``."""
    return from_gregorian(to_gregorian(day) + dt.timedelta(days=n))


def month_weeks(year: int, month: int) -> list[list[JDate | None]]:
    """Return the month as weeks of seven cells, Saturday first, None outside the month."""
    first = weekday(JDate(year, month, 1))
    cells: list[JDate | None] = [None] * first
    cells += [JDate(year, month, d) for d in range(1, days_in_month(year, month) + 1)]
    cells += [None] * (-len(cells) % 7)
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


# ---- formatting (visible text: Persian digits) -------------------------------------------

def format_day(day: JDate, weekday_name: bool = True) -> str:
    """Return ``شنبه ۲ آذر ۱۴۰۳`` (or without the weekday)."""
    text = f"{to_persian_digits(day.day)} {MONTHS[day.month - 1]} {to_persian_digits(day.year)}"
    return f"{WEEKDAYS[weekday(day)]} {text}" if weekday_name else text


def format_month(year: int, month: int) -> str:
    """Return ``آذر ۱۴۰۳``."""
    return f"{MONTHS[month - 1]} {to_persian_digits(year)}"


def format_time(moment: dt.datetime) -> str:
    """Return the local time as ``۱۹:۴۵``."""
    return to_persian_digits(f"{moment.hour:02d}:{moment.minute:02d}")


# ---- parsing --------------------------------------------------------------------------

_MONTH_NAMES = {normalize_chars(name): i + 1 for i, name in enumerate(MONTHS)}
_MONTH_NAMES.update({"امرداد": 5, "مردادماه": 5})

_NUMERIC = re.compile(
    r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$")
_NAMED = re.compile(r"^\s*(\d{1,2})\s+(\S+?)(?:\s*ماه)?\s+(\d{4})(?:\s*[،,]?\s*(?:ساعت\s*)?(\d{1,2}):(\d{2}))?\s*$")


def is_jalali_year(year: int) -> bool:
    """Tell whether a four-digit year is Jalali (Gregorian years start at 1700 here)."""
    return year < 1700


def local_datetime(day: dt.date, hour: int = 0, minute: int = 0, second: int = 0,
                   tz: dt.tzinfo = TEHRAN) -> dt.datetime:
    """Return an aware datetime at local wall time in ``tz`` (historical offsets included)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)


def _offset(text: str) -> dt.timezone:
    """Parse ``Z``, ``+03:30`` or ``+0330`` into a fixed offset."""
    if text == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse(value: object, tz: dt.tzinfo = TEHRAN) -> tuple[dt.datetime, bool]:
    """Parse a Gregorian or Jalali date (any digits, month names allowed) into (aware datetime, has_time).

    Raises ValueError with a message that says what is wrong; never falls back to "now".
    """
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return moment.astimezone(tz), True
    if isinstance(value, dt.date):
        return local_datetime(value, tz=tz), False
    text = to_latin_digits(normalize_chars(str(value))).strip()
    if not text:
        raise ValueError("the date is empty")
    match = _NUMERIC.match(text)
    if match:
        y, m, d, hh, mm, ss, off = match.groups()
        return _assemble(int(y), int(m), int(d), hh, mm, ss, off, tz)
    match = _NAMED.match(text)
    if match:
        d, name, y, hh, mm = match.groups()
        month = _MONTH_NAMES.get(name.replace(ZWNJ, ""))
        if month is None:
            raise ValueError(f'"{name}" is not a Jalali month name')
        if not is_jalali_year(int(y)):
            raise ValueError(f"{y} is not a Jalali year")
        return _assemble(int(y), month, int(d), hh, mm, None, None, tz)
    raise ValueError(f'"{value}" is not a date; write 2024-11-22, 2024-11-22T19:45, '
                     "1403-09-02, 1403/09/02 19:45 or ۲ آذر ۱۴۰۳")


def _assemble(y: int, m: int, d: int, hh: str | None, mm: str | None, ss: str | None,
              off: str | None, tz: dt.tzinfo) -> tuple[dt.datetime, bool]:
    """Build the aware datetime from parsed parts, checking every field."""
    if is_jalali_year(y):
        day = to_gregorian(check(y, m, d))
    else:
        try:
            day = dt.date(y, m, d)
        except ValueError as err:
            raise ValueError(f"{y:04d}-{m:02d}-{d:02d} does not exist: {err}") from None
    hour, minute, second = int(hh or 0), int(mm or 0), int(ss or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{hh}:{mm} is not a time of day")
    if off:
        moment = dt.datetime(day.year, day.month, day.day, hour, minute, second,
                             tzinfo=_offset(off)).astimezone(tz)
    else:
        moment = local_datetime(day, hour, minute, second, tz)
    return moment, hh is not None


def jday(moment: dt.datetime) -> JDate:
    """Return the Jalali day of a local datetime."""
    return from_gregorian(moment.date())
