"""Articles + config -> the site model and the list of pages to render. Pure: no I/O.

Every grouping happens here, after the whole corpus has been read, so templates only display.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, Callable

from digest import jalali
from digest.config import Config
from digest.errors import Problem
from digest.model import Article, Day, Month, Site, Topic, TopicGroup, Year
from digest.persian import ZWNJ, transliterate, topic_key


class _kept:
    """Like ``functools.cached_property`` without its lock (Python 3.11 takes one per first use).

    A non-data descriptor: the first use stores the value in the instance, which then answers
    every later use without calling here. (Every page's output path is first asked for in the
    serial part before rendering: 10.4 ms at 10,752 pages with the lock, 5.6 without.)
    """

    def __init__(self, compute: Callable[[Any], Any]):
        self.compute, self.name, self.__doc__ = compute, compute.__name__, compute.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


@dataclass(frozen=True)
class Page:
    """One output page: its path, the template that draws it and the values it gets."""

    url: str
    template: str
    context: dict[str, Any] = field(hash=False, compare=False)

    @_kept  # asked for several times per page and build; frozen, so safe to keep
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
    urls: dict[int, str] = {}   # id(article) -> its URL, made once (10,000 f-strings add up)
    live = _unique_urls([a for a in articles if not a.draft], problems, urls)
    live.sort(key=attrgetter("published", "id"), reverse=True)
    topics, topic_of_key = _topics(live, config)
    of_each = [topic_of_key[topic_key(a.topic_name)] for a in live]   # each article's Topic, once
    topic_of = dict(zip([urls[id(a)] for a in live], of_each))
    topic_order = {t.key: i for i, t in enumerate(topics)}

    by_date: dict[jalali.JDate, list[tuple[Article, Topic]]] = defaultdict(list)
    for a, topic in zip(live, of_each):
        by_date[a.day].append((a, topic))
    days = []
    for date in sorted(by_date, reverse=True):
        grouped: dict[str, list[Article]] = defaultdict(list)
        for a, topic in by_date[date]:
            grouped[topic.key].append(a)
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
        topic_of=topic_of,
    )


def swap_articles(site: Site, fresh: dict[str, Article], problems: tuple[Problem, ...]) -> Site:
    """Return the site with new versions of some articles, equal to assembling everything again.

    ``fresh`` maps source paths to Articles whose shape (path, id, time, day, topic, draft:
    ``digest.cache.article_shape``) is unchanged, so every grouping and order stays; only the
    objects that hold them are made anew: their topics, every day showing those topics (a group
    names its Topic), and those days' months and years.
    """
    hits = [(i, a) for i, a in enumerate(site.articles) if a.path in fresh]
    if not hits:   # drafts, or URLs another file won
        return replace(site, problems=problems)
    subs = {id(a): fresh[a.path] for _, a in hits}

    def sub(items: tuple[Article, ...]) -> tuple[Article, ...]:
        """Return ``items`` with the swapped articles."""
        return tuple([subs.get(id(a), a) for a in items])

    articles = list(site.articles)
    for i, a in hits:
        articles[i] = subs[id(a)]
    touched = {id(site.topic_of[a.url]) for _, a in hits}
    new_topic = {id(t): Topic(t.key, t.name, t.slug, sub(t.articles)) for t in site.topics if id(t) in touched}
    edited_days = {a.day for _, a in hits}
    new_day = {}
    for d in site.days:
        if any(id(g.topic) in new_topic for g in d.groups):
            new_day[id(d)] = Day(d.date, tuple(
                TopicGroup(new_topic[id(g.topic)], sub(g.articles) if d.date in edited_days else g.articles)
                if id(g.topic) in new_topic else g for g in d.groups))
    days = tuple([new_day.get(id(d), d) for d in site.days])
    months = tuple([Month(m.year, m.month, tuple([new_day.get(id(d), d) for d in m.days]))
                    if any(id(d) in new_day for d in m.days) else m for m in site.months])
    new_month = {(m.year, m.month): m for m in months}
    years = tuple([Year(y.year, tuple([new_month[(m.year, m.month)] for m in y.months])) for y in site.years])
    topic_of = dict(site.topic_of)
    for topic in new_topic.values():
        topic_of.update(dict.fromkeys([a.url for a in topic.articles], topic))
    return Site(articles=tuple(articles), topics=tuple([new_topic.get(id(t), t) for t in site.topics]),
                days=days, months=months, years=years, problems=problems,
                by_day={d.date: d for d in days}, by_month=new_month, topic_of=topic_of)


def _unique_urls(articles: list[Article], problems: list[Problem], urls: dict[int, str]) -> list[Article]:
    """Keep the first article (by file path) of each URL and report the others, naming both files.

    Records each kept article's URL in ``urls`` under ``id(article)``.
    """
    seen: dict[str, Article] = {}
    kept = []
    for a in sorted(articles, key=attrgetter("path")):
        url = urls[id(a)] = a.url
        other = seen.get(url)
        if other:
            problems.append(Problem("error", f"same URL {url} as {other.path}; give one of them "
                                    "another 'id:'", a.path))
            continue
        seen[url] = a
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


def _calendars(site: Site) -> Callable[[int, int], list[list[CalendarCell]]]:
    """Return ``calendar`` for ``site``, making each month once: all its day pages show the same one."""
    # (236 day pages of 8 months at 10,000 articles: about 15 ms of the serial part before rendering.)
    made: dict[tuple[int, int], list[list[CalendarCell]]] = {}

    def weeks(year: int, month: int) -> list[list[CalendarCell]]:
        found = made.get((year, month))
        if found is None:
            found = made[(year, month)] = calendar(site, year, month)
        return found
    return weeks


def _neighbors(items: tuple, i: int) -> tuple[Any, Any]:
    """Return (newer, older) neighbours of item ``i`` in a newest-first sequence."""
    return (items[i - 1] if i > 0 else None), (items[i + 1] if i + 1 < len(items) else None)


def plan(site: Site, config: Config) -> list[Page]:
    """List every page of the site with the values its template needs."""
    weeks = _calendars(site)
    pages = [_index_page(site, config, weeks)]
    for i in range(len(site.days)):
        pages += _day_pages(site, i, weeks)
    pages += [_month_page(site, i, weeks) for i in range(len(site.months))]
    pages += [_year_page(site, i) for i in range(len(site.years))]
    pages.append(Page("/topics/", "topics.html", {}))
    for topic in site.topics:
        pages += _topic_pages(topic, config)
    pages.append(Page("/404.html", "404.html", {"absolute_urls": True}))
    return pages


def plan_around(site: Site, config: Config, articles: list[Article]) -> list[Page]:
    """List the pages whose fingerprint covers any of ``articles`` (docs/incremental.md).

    Made by the same functions as ``plan``, so each page equals its counterpart there: the index
    (for the latest day), each article's day, its page and those of its group (they list it as
    related), its month, its year and the page of its topic that holds it.
    """
    pages = {}
    weeks = _calendars(site)
    if site.days and any(a.day == site.days[0].date for a in articles):
        pages["/"] = _index_page(site, config, weeks)
    index = {d.date: i for i, d in enumerate(site.days)}
    months = {(m.year, m.month): i for i, m in enumerate(site.months)}
    years = {y.year: i for i, y in enumerate(site.years)}
    for article in articles:
        i = index.get(article.day)
        topic = site.topic_of.get(article.url)
        if i is None or topic is None:
            continue   # not in the site (a draft, or a URL another file won)
        day = site.days[i]
        pages.setdefault(day.url, _day_page(site, i, weeks))
        for group in day.groups:
            if any(a is article for a in group.articles):
                pages.update((p.url, p) for p in _article_pages(day, group))
        date = day.date
        pages.setdefault(site.months[months[(date.year, date.month)]].url,
                         _month_page(site, months[(date.year, date.month)], weeks))
        pages.setdefault(site.years[years[date.year]].url, _year_page(site, years[date.year]))
        n = 1 + next(k for k, a in enumerate(topic.articles) if a is article) // config.per_page
        page = _topic_pages(topic, config)[n - 1]
        pages.setdefault(page.url, page)
    return list(pages.values())


def _index_page(site: Site, config: Config, weeks: Callable[[int, int], list]) -> Page:
    """Return the front page: the latest day and the recent ones (``weeks`` makes its calendar)."""
    latest = site.days[0] if site.days else None
    return Page("/", "index.html", {
        "day": latest, "recent_days": site.days[1:1 + config.index_days],
        "weeks": weeks(latest.date.year, latest.date.month) if latest else None,
        "month": site.by_month.get((latest.date.year, latest.date.month)) if latest else None,
    })


def _day_pages(site: Site, i: int, weeks: Callable[[int, int], list]) -> list[Page]:
    """Return day ``i``'s page and the pages of its articles."""
    pages = [_day_page(site, i, weeks)]
    for group in site.days[i].groups:
        pages += _article_pages(site.days[i], group)
    return pages


def _day_page(site: Site, i: int, weeks: Callable[[int, int], list]) -> Page:
    """Return day ``i``'s page (``weeks`` makes its calendar)."""
    day = site.days[i]
    newer, older = _neighbors(site.days, i)
    return Page(day.url, "day.html", {
        "day": day, "newer": newer, "older": older,
        "weeks": weeks(day.date.year, day.date.month),
        "month": site.by_month[(day.date.year, day.date.month)],
    })


def _article_pages(day: Day, group: TopicGroup) -> list[Page]:
    """Return the pages of the articles of one topic group of a day."""
    items = group.articles
    return [Page(article.url, "article.html", {
        "article": article, "topic": group.topic, "day": day,
        "related": items[:i] + items[i + 1:],   # the others of its group (each article is there once)
    }) for i, article in enumerate(items)]


def _month_page(site: Site, i: int, weeks: Callable[[int, int], list]) -> Page:
    """Return month ``i``'s page (``weeks`` makes its calendar)."""
    month = site.months[i]
    newer, older = _neighbors(site.months, i)
    return Page(month.url, "month.html", {
        "month": month, "newer": newer, "older": older,
        "weeks": weeks(month.year, month.month),
    })


def _year_page(site: Site, i: int) -> Page:
    """Return year ``i``'s page."""
    newer, older = _neighbors(site.years, i)
    return Page(site.years[i].url, "year.html", {"year": site.years[i], "newer": newer, "older": older})


def _topic_pages(topic: Topic, config: Config) -> list[Page]:
    """Return the numbered pages of one topic."""
    chunks = [topic.articles[i:i + config.per_page]
              for i in range(0, len(topic.articles), config.per_page)] or [()]
    return [Page(topic.page_url(n), "topic.html", {
        "topic": topic, "number": n, "pages": len(chunks), "days": _by_day(chunk),
    }) for n, chunk in enumerate(chunks, 1)]


def _by_day(articles: tuple[Article, ...]) -> list[tuple[jalali.JDate, list[Article]]]:
    """Group newest-first articles by their Jalali day, keeping the order."""
    out: list[tuple[jalali.JDate, list[Article]]] = []
    for a in articles:
        if out and out[-1][0] == a.day:
            out[-1][1].append(a)
        else:
            out.append((a.day, [a]))
    return out
