"""Template filters that turn values into visible text: Persian digits and dates, Latin runs isolated.

Each remembers its answers where the same value shows on many pages (a day on all its articles'
pages, a title on its page, its day and its topic); all are pure.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Callable

import markupsafe

from digest import jalali
from digest.jalali import JDate
from digest.persian import LATIN_RUN, to_persian_digits

_HAS_LATIN = re.compile("[A-Za-z]")

BDI_OPEN, BDI_CLOSE = '<bdi dir="ltr" lang="en">', "</bdi>"


def isolate_latin(value: Any, opening: str = BDI_OPEN, closing: str = BDI_CLOSE) -> markupsafe.Markup:
    """Escape text and wrap each Latin run in ``opening``/``closing`` (a ``bdi`` by default)."""
    if type(value) is str and opening is BDI_OPEN and closing is BDI_CLOSE:   # the filter's own call
        return _bidi(value)
    raw = "" if value is None else str(value)
    return _isolate(raw, opening, closing)


@lru_cache(maxsize=16384)  # topic names repeat on every page; Markup is immutable, so sharing is safe
def _isolate(raw: str, opening: str, closing: str) -> markupsafe.Markup:
    """Escape ``raw`` and wrap its Latin runs."""
    if not _HAS_LATIN.search(raw):      # most Persian text: nothing to isolate
        return markupsafe.escape(raw)
    parts, pos = [], 0
    for m in LATIN_RUN.finditer(raw):
        parts.append(str(markupsafe.escape(raw[pos:m.start()])))
        parts.append(f"{opening}{markupsafe.escape(m.group())}{closing}")
        pos = m.end()
    parts.append(str(markupsafe.escape(raw[pos:])))
    return markupsafe.Markup("".join(parts))


@lru_cache(maxsize=32768)   # each title shows on its page, its day, its topic and beside its neighbours
def _bidi(raw: str) -> markupsafe.Markup:
    """Return ``_isolate`` with the default ``bdi`` for text (one cache key instead of three)."""
    return _isolate(raw, BDI_OPEN, BDI_CLOSE)


def per_object(fn: Callable[[Any], str], size: int = 65536) -> Callable[[Any], str]:
    """Return ``fn`` remembering its answer per object, for values shown on several pages.

    Keyed by the object itself, not by equality: two equal datetimes (one instant in two zones)
    print differently. Each entry keeps its object alive, so its ``id`` is never reused.
    """
    memo: dict[int, tuple[Any, str]] = {}

    def remembered(value: Any) -> str:
        """Return ``fn(value)``, computed once per object."""
        found = memo.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        if len(memo) >= size:   # a bound, so that a long-lived preview does not grow without end
            memo.clear()
        text = fn(value)
        memo[id(value)] = (value, text)
        return text

    return remembered


@lru_cache(maxsize=8192, typed=True)   # a day shows on all its articles' pages and in calendars
def _day_words(day: Any, weekday: bool) -> str:
    """Return ``jalali.format_day`` of a Jalali day."""
    return jalali.format_day(day, weekday)


def jday_words(value: Any, weekday: bool = True) -> str:
    """Jinja filter: a Jalali day (or datetime) in words with Persian digits."""
    if isinstance(value, dt.datetime):
        value = jalali.jday(value)
    if type(value) is JDate:
        return _day_words(value, weekday)
    return jalali.format_day(value, weekday)


@lru_cache(maxsize=4096, typed=True)
def _digits(value: int) -> str:
    """Return an integer in Persian digits."""
    return to_persian_digits(value)


def fa_digits(value: Any) -> str:
    """Jinja filter: ``to_persian_digits``, remembered for integers (counts and days repeat)."""
    if type(value) is int:
        return _digits(value)
    return to_persian_digits(value)


def iso_text(moment: Any) -> str:
    """Return a date or datetime in ISO form (a machine value: Latin digits)."""
    return moment.isoformat()


def month_words(value: Any) -> str:
    """Jinja filter: a Month (or (year, month)) as ``آذر ۱۴۰۳``."""
    year, month = (value.year, value.month) if hasattr(value, "month") else value
    return jalali.format_month(year, month)
