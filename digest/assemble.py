"""Articles + config -> the site model and the list of pages to render. Pure: no I/O.

Every grouping happens here, after the whole corpus has been read, so templates only display.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from digest import jalali
from digest.config import Config
from digest.errors import Problem
from digest.model import Article, Day, Month, Site, Topic, TopicGroup, Year
from digest.persian import ZWNJ, transliterate, topic_key


@dataclass(frozen=True)
class Page:
    """One output page: its path, the template that draws it and the values it gets."""

    url: str
    template: str
    context: dict[str, Any] = field(hash=False, compare=False)

    @cached_property  # asked for several times per page and build; frozen, so safe to keep
    def output(self) -> str:
        """Return the file this page is written to, relative to the output folder."""
        if self.url.endswith("/"):
            return self.url.lstrip("/") + "index.html"
        return self.url.lstrip("/")


@dataclass(frozen=True)
class CalendarCell:
    """One cell of a month calendar: a Jalali day (or None for padding) and its digest if any."""

    date: jalali.JDate | None
    day: Day | None


def assemble(articles: list[Article], config: Config, problems: list[Problem] = ()) -> Site:
    """Group published articles by topic and Jalali day into the site model."""
    problems = list(problems)
    live = _unique_urls([a for a in articles if not a.draft], problems)
    live.sort(key=lambda a: (a.published, a.id), reverse=True)
    topics, topic_of_key = _topics(live, config)
    topic_of = {a.url: topic_of_key[topic_key(a.topic_name)] for a in live}
    topic_order = {t.key: i for i, t in enumerate(topics)}

    by_date: dict[jalali.JDate, list[Article]] = defaultdict(list)
    for a in live:
        by_date[a.day].append(a)
    days = []
    for date in sorted(by_date, reverse=True):
        grouped: dict[str, list[Article]] = defaultdict(list)
        for a in by_date[date]:
            grouped[topic_of[a.url].key].append(a)
        groups = tuple(TopicGroup(topic_of_key[k], tuple(v))
                       for k, v in sorted(grouped.items(), key=lambda kv: topic_order[kv[0]]))
        days.append(Day(date, groups))

    by_month: dict[tuple[int, int], list[Day]] = defaultdict(list)
    for d in days:
        by_month[(d.date.year, d.date.month)].append(d)
    months = [Month(y, m, tuple(reversed(ds))) for (y, m), ds in sorted(by_month.items(), reverse=True)]
    by_year: dict[int, list[Month]] = defaultdict(list)
    for m in months:
        by_year[m.year].append(m)
    years = [Year(y, tuple(reversed(ms))) for y, ms in sorted(by_year.items(), reverse=True)]
    return Site(
        articles=tuple(live), topics=tuple(topics), days=tuple(days), months=tuple(months),
        years=tuple(years), problems=tuple(problems),
        by_day={d.date: d for d in days}, by_month={(m.year, m.month): m for m in months},
        topic_of={k: v for k, v in topic_of.items()},
    )


def _unique_urls(articles: list[Article], problems: list[Problem]) -> list[Article]:
    """Keep the first article (by file path) of each URL and report the others, naming both files."""
    seen: dict[str, Article] = {}
    kept = []
    for a in sorted(articles, key=lambda a: a.path):
        other = seen.get(a.url)
        if other:
            problems.append(Problem("error", f"same URL {a.url} as {other.path}; give one of them "
                                    "another 'id:'", a.path))
            continue
        seen[a.url] = a
        kept.append(a)
    return kept


def _topics(articles: list[Article], config: Config) -> tuple[list[Topic], dict[str, Topic]]:
    """Merge topic spellings, apply the config's names and slugs, and give every topic a slug."""
    configured = {}
    for t in config.topics:
        for spelling in (t.name, *t.aliases):
            configured[topic_key(spelling)] = t
    members: dict[str, list[Article]] = defaultdict(list)
    spellings: dict[str, Counter] = defaultdict(Counter)
    for a in articles:
        raw = topic_key(a.topic_name)
        conf = configured.get(raw)
        key = topic_key(conf.name) if conf else raw
        members[key].append(a)
        spellings[key][a.topic_name] += 1
    taken = {t.slug for t in config.topics}
    topics: list[Topic] = []
    for key in sorted(members, key=lambda k: _display(k, configured, spellings)):
        conf = configured.get(key)
        slug = conf.slug if conf else _slug(key, _display(key, configured, spellings), taken)
        taken.add(slug)
        topics.append(Topic(key, _display(key, configured, spellings), slug, tuple(members[key])))
    by_key = {t.key: t for t in topics}
    for raw, conf in configured.items():
        if topic_key(conf.name) in by_key:
            by_key.setdefault(raw, by_key[topic_key(conf.name)])
    return topics, by_key


def _display(key: str, configured: dict, spellings: dict[str, Counter]) -> str:
    """Return a topic's display name: the configured one, else the most used spelling."""
    if key in configured:
        return configured[key].name
    counts = spellings[key]
    return min(counts, key=lambda s: (-counts[s], ZWNJ not in s, s))


def _slug(key: str, name: str, taken: set[str]) -> str:
    """Return a stable ASCII slug for a topic that the config does not name."""
    slug = re.sub(r"[^a-z0-9]+", "-", transliterate(name).lower()).strip("-")[:40].strip("-")
    if not slug or slug in taken or slug in ("page",):
        slug = (slug + "-" if slug else "topic-") + hashlib.sha1(key.encode()).hexdigest()[:6]
    return slug


# ---- pages -------------------------------------------------------------------------------

def calendar(site: Site, year: int, month: int) -> list[list[CalendarCell]]:
    """Return a month as weeks (Saturday first) of cells linking to days that have digests."""
    return [[CalendarCell(d, site.by_day.get(d) if d else None) for d in week]
            for week in jalali.month_weeks(year, month)]


def _neighbors(items: tuple, i: int) -> tuple[Any, Any]:
    """Return (newer, older) neighbours of item ``i`` in a newest-first sequence."""
    return (items[i - 1] if i > 0 else None), (items[i + 1] if i + 1 < len(items) else None)


def plan(site: Site, config: Config) -> list[Page]:
    """List every page of the site with the values its template needs."""
    pages: list[Page] = []
    latest = site.days[0] if site.days else None
    pages.append(Page("/", "index.html", {
        "day": latest, "recent_days": site.days[1:1 + config.index_days],
        "weeks": calendar(site, latest.date.year, latest.date.month) if latest else None,
        "month": site.by_month.get((latest.date.year, latest.date.month)) if latest else None,
    }))
    for i, day in enumerate(site.days):
        newer, older = _neighbors(site.days, i)
        pages.append(Page(day.url, "day.html", {
            "day": day, "newer": newer, "older": older,
            "weeks": calendar(site, day.date.year, day.date.month),
            "month": site.by_month[(day.date.year, day.date.month)],
        }))
        for group in day.groups:
            for article in group.articles:
                pages.append(Page(article.url, "article.html", {
                    "article": article, "topic": group.topic, "day": day,
                    "related": tuple(a for a in group.articles if a is not article),
                }))
    for i, month in enumerate(site.months):
        newer, older = _neighbors(site.months, i)
        pages.append(Page(month.url, "month.html", {
            "month": month, "newer": newer, "older": older,
            "weeks": calendar(site, month.year, month.month),
        }))
    for i, year in enumerate(site.years):
        newer, older = _neighbors(site.years, i)
        pages.append(Page(year.url, "year.html", {"year": year, "newer": newer, "older": older}))
    pages.append(Page("/topics/", "topics.html", {}))
    for topic in site.topics:
        chunks = [topic.articles[i:i + config.per_page]
                  for i in range(0, len(topic.articles), config.per_page)] or [()]
        for n, chunk in enumerate(chunks, 1):
            pages.append(Page(topic.page_url(n), "topic.html", {
                "topic": topic, "number": n, "pages": len(chunks), "days": _by_day(chunk),
            }))
    pages.append(Page("/404.html", "404.html", {"absolute_urls": True}))
    return pages


def _by_day(articles: tuple[Article, ...]) -> list[tuple[jalali.JDate, list[Article]]]:
    """Group newest-first articles by their Jalali day, keeping the order."""
    out: list[tuple[jalali.JDate, list[Article]]] = []
    for a in articles:
        if out and out[-1][0] == a.day:
            out[-1][1].append(a)
        else:
            out.append((a.day, [a]))
    return out
