"""The site model: frozen articles, topics, days, months and years. No I/O.

The whole corpus is read into Articles before anything is grouped or rendered; grouping
(``digest.assemble``) then builds the other objects from them and nothing changes afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from digest.errors import Problem
from digest.jalali import JDate


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, read and cleaned; ``body_html`` is already sanitized."""

    id: str
    path: str                     # source file, relative to content/, POSIX separators
    title: str
    published: dt.datetime        # aware, in the site's time zone
    has_time: bool
    day: JDate                    # the Jalali day of ``published``
    topic_name: str               # as written in the file (grouped later by topic key)
    body_html: str
    summary: str
    tags: tuple[str, ...] = ()
    source: str | None = None
    source_url: str | None = None
    author: str | None = None
    draft: bool = False
    fingerprint: str = ""        # hash of the source bytes and the reader settings

    @property
    def url(self) -> str:
        """Return the article's site path, ``/1403/09/02/<id>/``."""
        return f"/{self.day.path}/{self.id}/"

    def __reduce__(self) -> tuple:
        """Pickle as a call of ``_unpickle_article``: several times faster to load than dataclass
        slot state, and than the frozen ``__init__`` (read workers send every Article this way).

        The body goes as UTF-16 bytes, not as a ``str`` (which pickle writes in UTF-8): Persian
        text is held in 16-bit units, so both ways are nearly a copy (an article of a generated
        corpus dumped in 10-11 us instead of 13-22 and loaded in 5 instead of 12-18; see
        docs/performance.md, tenth round)."""
        body = str(self.body_html)
        try:
            return (_unpickle_article, (article_row(self), body.encode(_BODY_CODEC)))
        except UnicodeEncodeError:   # a surrogate code point (read text has none) goes as it is
            return (_unpickle_article, (article_row(self), body))


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
# An Article's cached row: every field but the body, in order (see article_from_row).
article_row = attrgetter(*(name for name in _ARTICLE_FIELDS if name != "body_html"))
_BODY_CODEC = "utf-16-le"   # how a pickled Article carries its body (see Article.__reduce__)
assert _ARTICLE_FIELDS[5:8] == ("day", "topic_name", "body_html")  # digest.cache.BODY and DAY rely on it


class _Thawed:
    """Article's slot layout without the frozen ``__setattr__``: a cache row fills one in."""

    __slots__ = Article.__slots__


assert _Thawed.__slots__ == _ARTICLE_FIELDS


def article_from_row(row: tuple, body_html: Any) -> Article:
    """Make an Article from its cached fields (all but the body, in field order) and a body.

    The frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``; loading
    10,000 cached articles that way costs several times more than filling the slots of a
    same-layout object and then giving it the Article class (``__class__`` assignment checks the
    layouts match). ``row`` must hold exactly the 14 other fields, or this raises ValueError.
    """
    a = _Thawed.__new__(_Thawed)
    (a.id, a.path, a.title, a.published, a.has_time, a.day, a.topic_name, a.summary, a.tags,
     a.source, a.source_url, a.author, a.draft, a.fingerprint) = row
    a.body_html = body_html
    a.__class__ = Article
    return a  # type: ignore[return-value]


def _unpickle_article(row: tuple, body: bytes | str) -> Article:
    """Make an Article from what ``Article.__reduce__`` pickled: every field but the body, and the body."""
    return article_from_row(row, body if isinstance(body, str) else body.decode(_BODY_CODEC))


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic and its articles, newest first."""

    key: str
    name: str
    slug: str
    articles: tuple[Article, ...]

    @property
    def url(self) -> str:
        """Return the topic's first page path."""
        return f"/topics/{self.slug}/"

    def page_url(self, number: int) -> str:
        """Return the path of page ``number`` (1-based) of this topic."""
        return self.url if number == 1 else f"{self.url}page/{number}/"


@dataclass(frozen=True, slots=True)
class TopicGroup:
    """The articles of one topic within a day."""

    topic: Topic
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Day:
    """One Jalali day: its articles grouped by topic."""

    date: JDate
    groups: tuple[TopicGroup, ...]
    # How many articles the day has: counted once, as calendars print it in every cell.
    count: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Count the day's articles."""
        object.__setattr__(self, "count", sum(len(g.articles) for g in self.groups))

    @property
    def url(self) -> str:
        """Return the day's path, ``/1403/09/02/``."""
        return f"/{self.date.path}/"

    @property
    def articles(self) -> tuple[Article, ...]:
        """Return the day's articles in page order."""
        return tuple(a for g in self.groups for a in g.articles)


@dataclass(frozen=True, slots=True)
class Month:
    """A Jalali month with its days that have articles."""

    year: int
    month: int
    days: tuple[Day, ...]         # oldest first
    count: int = field(init=False, compare=False, repr=False)   # articles, counted once

    def __post_init__(self) -> None:
        """Count the month's articles."""
        object.__setattr__(self, "count", sum(d.count for d in self.days))

    @property
    def url(self) -> str:
        """Return the month's path, ``/1403/09/``."""
        return f"/{self.year:04d}/{self.month:02d}/"


@dataclass(frozen=True, slots=True)
class Year:
    """A Jalali year with its months that have articles."""

    year: int
    months: tuple[Month, ...]     # oldest first
    count: int = field(init=False, compare=False, repr=False)   # articles, counted once

    def __post_init__(self) -> None:
        """Count the year's articles."""
        object.__setattr__(self, "count", sum(m.count for m in self.months))

    @property
    def url(self) -> str:
        """Return the year's path, ``/1403/``."""
        return f"/{self.year:04d}/"


@dataclass(frozen=True)
class Site:
    """The assembled site: everything a template may show."""

    articles: tuple[Article, ...]          # newest first
    topics: tuple[Topic, ...]              # by name
    days: tuple[Day, ...]                  # newest first
    months: tuple[Month, ...]              # newest first
    years: tuple[Year, ...]                # newest first
    problems: tuple[Problem, ...] = ()
    by_day: dict[JDate, Day] = field(default_factory=dict, compare=False)
    by_month: dict[tuple[int, int], Month] = field(default_factory=dict, compare=False)
    topic_of: dict[str, Topic] = field(default_factory=dict, compare=False)   # article URL -> topic
