"""Which articles a digest holds: a Jalali day, a Saturday-to-Friday week, or the latest day.

Jalali weeks run Saturday to Friday. Week 1 of a year is the week that holds 1 Farvardin (so it
may begin in the last days of Esfand); week N begins 7 * (N - 1) days after it; a year has the
weeks up to the one before week 1 of the next year (52 or 53). ``1403-W36`` is 26 Aban to
2 Azar 1403.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest import jalali
from digest.errors import MailError
from digest.jalali import JDate
from digest.model import Article, Site, Topic
from digest.persian import to_latin_digits, to_persian_digits

_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


@dataclass(frozen=True)
class Section:
    """One topic of a digest: the articles shown, and how many more are on the site."""

    topic: Topic
    articles: tuple[Article, ...]
    more: int = 0
    more_url: str = ""


@dataclass(frozen=True)
class Digest:
    """The articles of one digest, grouped by topic, ready for the email templates."""

    id: str                    # machine key: 1403-09-02 or 1403-W36
    kind: str                  # "day" or "week"
    first: JDate
    last: JDate
    label: str                 # visible: ۲ آذر ۱۴۰۳, or ۲۶ آبان تا ۲ آذر ۱۴۰۳
    url: str                   # the site page holding the whole digest (day page or front page)
    sections: tuple[Section, ...]

    @property
    def count(self) -> int:
        """Return how many articles are shown."""
        return sum(len(s.articles) for s in self.sections)

    @property
    def total(self) -> int:
        """Return how many articles the period has, shown or not."""
        return sum(len(s.articles) + s.more for s in self.sections)


def parse_day(text: str) -> JDate:
    """Parse ``1403-09-02`` (Latin or Persian digits, '-', '/' or '.') into a checked JDate."""
    match = _DAY.match(to_latin_digits(text.strip()))
    if not match:
        raise MailError(f"--date {text!r}: write a Jalali day as 1403-09-02")
    try:
        return jalali.check(*(int(g) for g in match.groups()))
    except ValueError as err:
        raise MailError(f"--date {text!r}: {err}") from None


def week_one(year: int) -> JDate:
    """Return the Saturday that starts week 1 of a Jalali year (the week holding 1 Farvardin)."""
    first = JDate(year, 1, 1)
    return jalali.add_days(first, -jalali.weekday(first))


def weeks_in_year(year: int) -> int:
    """Return how many weeks a Jalali year has (52 or 53)."""
    span = jalali.to_gregorian(week_one(year + 1)) - jalali.to_gregorian(week_one(year))
    return span.days // 7


def week_start(year: int, number: int) -> JDate:
    """Return the Saturday that starts week ``number`` of ``year``."""
    return jalali.add_days(week_one(year), 7 * (number - 1))


def week_of(day: JDate) -> tuple[int, int]:
    """Return (year, week number) of the week holding ``day``."""
    year = day.year + 1 if day >= week_one(day.year + 1) else day.year
    days = (jalali.to_gregorian(day) - jalali.to_gregorian(week_one(year))).days
    return year, days // 7 + 1


def parse_week(text: str) -> tuple[int, int]:
    """Parse ``1403-W36`` (Persian digits too) into (year, week), checking the week exists."""
    match = _WEEK.match(to_latin_digits(text.strip()))
    if not match:
        raise MailError(f"--week {text!r}: write a Jalali week as 1403-W36 (week 1 holds 1 Farvardin)")
    year, number = int(match[1]), int(match[2])
    last = weeks_in_year(year)
    if not 1 <= number <= last:
        raise MailError(f"--week {text!r}: {year} has weeks 1 to {last}")
    return year, number


def for_day(site: Site, day: JDate) -> Digest:
    """Return the digest of one Jalali day, or raise MailError if it has no articles."""
    found = site.by_day.get(day)
    if found is None:
        raise MailError(f"no published articles on {day.year:04d}-{day.month:02d}-{day.day:02d} "
                        f"({jalali.format_day(day)})", hint="pick a day that the site has")
    sections = tuple(Section(g.topic, g.articles) for g in found.groups)
    return Digest(f"{day.year:04d}-{day.month:02d}-{day.day:02d}", "day", day, day,
                  jalali.format_day(day), found.url, sections)


def for_week(site: Site, year: int, number: int) -> Digest:
    """Return the digest of a Saturday-to-Friday week, topics in site order, newest first."""
    first = week_start(year, number)
    last = jalali.add_days(first, 6)
    days = [site.by_day[d] for d in (jalali.add_days(first, i) for i in range(7)) if d in site.by_day]
    if not days:
        raise MailError(f"no published articles in week {year}-W{number:02d} "
                        f"({_range_label(first, last)})", hint="pick a week that the site has")
    order = {t.key: i for i, t in enumerate(site.topics)}
    merged: dict[str, list[Article]] = {}
    topics: dict[str, Topic] = {}
    for day in days:
        for g in day.groups:
            merged.setdefault(g.topic.key, []).extend(g.articles)
            topics[g.topic.key] = g.topic
    sections = tuple(
        Section(topics[k], tuple(sorted(arts, key=lambda a: (a.published, a.id), reverse=True)))
        for k, arts in sorted(merged.items(), key=lambda kv: order.get(kv[0], len(order))))
    return Digest(f"{year:04d}-W{number:02d}", "week", first, last, _range_label(first, last), "/",
                  sections)


def latest(site: Site) -> Digest:
    """Return the digest of the newest day that has articles."""
    if not site.days:
        raise MailError("the site has no published articles to send", hint="add articles to content/")
    return for_day(site, site.days[0].date)


def _range_label(first: JDate, last: JDate) -> str:
    """Return ``۲۶ آبان تا ۲ آذر ۱۴۰۳`` (the year shown once when both days share it)."""
    start = jalali.format_day(first, False)
    if first.year == last.year:
        start = f"{to_persian_digits(first.day)} {jalali.MONTHS[first.month - 1]}"
    return f"{start} تا {jalali.format_day(last, False)}"
