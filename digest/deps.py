"""Page fingerprints: a hash of everything a page displays, so unchanged pages are not re-rendered.

A page's *subject* (its article, day, month, year or topic page) counts in full, down to each
article's content; objects it only *mentions* (neighbours, its topic, calendar cells) count by
summary: URL, name or date, and article count. Every page also covers the site-wide navigation
and a global key (code version and config). See docs/incremental.md for the table.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.assemble import CalendarCell, Page
from digest.jalali import JDate
from digest.model import Article, Day, Month, Site, Topic, Year

if TYPE_CHECKING:
    from digest.cache import State, Store
    from digest.config import Config

# Which context keys are the page's subject, per template; the rest are summarized.
SUBJECTS: dict[str, frozenset[str]] = {
    "index.html": frozenset({"day"}),
    "day.html": frozenset({"day"}),
    "article.html": frozenset({"article", "related"}),
    "month.html": frozenset({"month"}),
    "year.html": frozenset({"year"}),
    "topic.html": frozenset({"days"}),
    "topics.html": frozenset(),
    "404.html": frozenset(),
}


def article_token(a: Article) -> str:
    """Return an article's identity: its source path and the hash of its source bytes."""
    return f"A{a.path}\0{a.fingerprint}"


class Fingerprints:
    """Computes page fingerprints for one assembled site, memoizing shared parts."""

    def __init__(self, site: Site, global_key: str, collect: bool = False):
        self.site = site
        self._memo: dict[tuple[int, bool], str] = {}
        # With ``collect``: the source paths of the articles the last page() covered, which
        # an edit of one article uses to fingerprint only the pages that cover it.
        self.covered: list[str] | None = [] if collect else None
        self._memo_paths: dict[tuple[int, bool], list[str]] = {}
        self._tokens: dict[int, str] = {}    # id(article) -> token; the site holds every article
        # Hashed once: the key and navigation are long and every page starts with them.
        self.base = hashlib.blake2b((global_key + "\0" + self._nav()).encode(), digest_size=16).hexdigest()

    def _nav(self) -> str:
        """Return what every page shows about the whole site: the topic nav and the newest year."""
        s = self.site
        topics = "|".join(f"{t.key}\0{t.name}\0{t.slug}" for t in s.topics)
        return f"N{topics}\0{s.years[0].year if s.years else '-'}"

    def page(self, page: Page) -> str:
        """Return the fingerprint of one page."""
        subjects = SUBJECTS.get(page.template)
        if self.covered is not None:
            self.covered = []
        parts = [self.base, page.template, page.url]
        if page.template == "topics.html":  # the one page that shows every topic's count
            parts.append("|".join(f"{self.summary(t)}:{len(t.articles)}" for t in self.site.topics))
        elif page.template == "topic.html":  # its heading shows how many articles the topic has
            parts.append(f"count={len(page.context['topic'].articles)}")
        for key in sorted(page.context):
            deep = subjects is None or key in subjects
            parts.append(key + "=" + self.encode(page.context[key], deep))
        if subjects is None:  # a page kind we do not know: depend on the whole site
            parts.append(self.encode(self.site.years, True))
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()

    def encode(self, value: Any, deep: bool) -> str:
        """Return a stable text standing for ``value`` (in full when ``deep``, else by summary)."""
        kind = type(value)
        if kind is Article:   # (once a page: the page's own article)
            return self._items((value,), deep)[0]
        if kind is tuple or kind is list:   # the common case first; subclasses go the long way
            return "[" + ",".join(self._items(value, deep)) + "]"
        if isinstance(value, Article):
            if self.covered is not None:
                self.covered.append(value.path)
            return article_token(value)
        if isinstance(value, (Topic, Day, Month, Year)):
            key = (id(value), deep)
            found = self._memo.get(key)
            if found is None:
                start = len(self.covered) if self.covered is not None else 0
                found = self._full(value) if deep else self.summary(value)
                self._memo[key] = found
                if self.covered is not None:
                    self._memo_paths[key] = self.covered[start:]
            elif self.covered is not None:
                self.covered.extend(self._memo_paths[key])
            return found
        if isinstance(value, CalendarCell):
            return f"C{value.date.path if value.date else '-'}:{self.summary(value.day) if value.day else '-'}"
        if isinstance(value, JDate):
            return "J" + value.path
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(self.encode(v, deep) for v in value) + "]"
        if isinstance(value, dict):
            return "{" + ",".join(f"{k!r}:{self.encode(v, deep)}" for k, v in sorted(value.items())) + "}"
        if value is None or isinstance(value, (str, int, float, bool)):
            return repr(value)
        raise TypeError(f"cannot fingerprint a {type(value).__name__} in a page context")

    def _items(self, values: Any, deep: bool) -> list[str]:
        """Return ``encode`` of each item, articles (most items: a page's related list) done here."""
        # One encode() call per related article was a third of an article page's fingerprint.
        tokens, covered, out = self._tokens, self.covered, []
        for v in values:
            if type(v) is Article:
                if covered is not None:
                    covered.append(v.path)
                token = tokens.get(id(v))
                if token is None:
                    token = tokens[id(v)] = article_token(v)
                out.append(token)
            else:
                out.append(self.encode(v, deep))
        return out

    def summary(self, value: Topic | Day | Month | Year) -> str:
        """Return how a mentioned object is shown: its place, name or date, and count."""
        if isinstance(value, Topic):  # mentioned by name and link; its count shows only on topics.html
            return f"T{value.key}\0{value.name}\0{value.slug}"
        if isinstance(value, Day):
            return f"D{value.date.path}:{value.count}"
        if isinstance(value, Month):
            return f"M{value.year}/{value.month}:{value.count}:{len(value.days)}"
        return f"Y{value.year}:{value.count}:{len(value.months)}"

    def _full(self, value: Topic | Day | Month | Year) -> str:
        """Return a subject in full, down to each article's content."""
        if isinstance(value, Topic):
            return self.summary(value) + self.encode(value.articles, True)
        if isinstance(value, Day):
            groups = ";".join(self.summary(g.topic) + self.encode(g.articles, True) for g in value.groups)
            return f"{self.summary(value)}<{groups}>"
        if isinstance(value, Month):
            return f"{self.summary(value)}<{self.encode(value.days, True)}>"
        return f"{self.summary(value)}<{self.encode(value.months, True)}>"


def stale_pages(pages: list[Page], site: Site, config: Config, out: Path, state: State,
                store: Store, full: bool, templates_changed: bool) -> tuple[list[Page], dict[str, str]]:
    """Return the pages whose fingerprint or templates changed or whose file is missing, and
    the fingerprints of those pages (with every page fingerprinted, ``state.mentions`` too)."""
    mentions = None
    if not (full or templates_changed or state.reshaped or state.config != repr(config)):
        mentions = store.load_mentions(state)
    if mentions is not None:
        # No article moved, came or went, and nothing else changed: only the pages that
        # cover an edited article can have a new fingerprint (docs/performance.md).
        covering = {pages[i].output for rel in state.edited for i in mentions.get(rel, ())
                    if i < len(pages)}
        fingerprints = Fingerprints(site, state.key + repr(config))
        todo, prints = [], {}
        for page in pages:
            record = state.pages.get(page.output)
            missing = not os.path.exists(os.path.join(out, page.output))
            if page.output in covering or record is None or missing:
                fp = fingerprints.page(page)
                if record is None or record[0] != fp or missing:
                    todo.append(page)
                    prints[page.output] = fp
        return todo, prints
    fingerprints = Fingerprints(site, state.key + repr(config), collect=True)
    todo, prints, index = [], {}, {}
    for i, page in enumerate(pages):
        fp = fingerprints.page(page)
        for rel in set(fingerprints.covered):
            index.setdefault(rel, []).append(i)
        record = state.pages.get(page.output)
        if (full or record is None or record[0] != fp
                or any(state.thash.get(n) != h for n, h in record[1])
                or not os.path.exists(os.path.join(out, page.output))):
            todo.append(page)
            prints[page.output] = fp
    state.mentions, state.mentions_dirty = index, True
    return todo, prints
