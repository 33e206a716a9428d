"""Machine-read files of a published site: Atom and JSON feeds, sitemap, robots.txt, host files.

Pure: the site model, the page plan and the config in, ``{output path: bytes}`` out; the build
adds them to the rendered pages before the one all-or-nothing write. They are built in code and
not in templates because a feed or a sitemap must stay well-formed whatever a site's templates
do: ElementTree and ``json`` do all the escaping, so no title can break out of its element.

Every date is the articles' own (never the build time), so rebuilding unchanged content gives
byte-identical files and ``digest deploy`` has nothing to publish.

    [feeds]
    length = 20       entries in each feed, newest first
    topics = true     one Atom feed per topic as well as the site's
    json = true       a JSON Feed 1.1 beside the Atom feed
    content = true    full article HTML in the feeds (false: summaries only)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from digest import __version__
from digest.assemble import Page
from digest.config import CONFIG_FILE, Config
from digest.errors import ConfigError
from digest.model import Article, Site, Topic

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
SITE_FEED = "/feed.xml"
JSON_FEED = "/feed.json"
SITEMAP = "/sitemap.xml"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
HOSTNAME_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
# Characters XML 1.0 forbids even when escaped; a scraped page can carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedSettings:
    """The ``[feeds]`` table, checked; templates read it as ``feeds``."""

    length: int = 20
    topics: bool = True
    json: bool = True
    content: bool = True
    atom: str = SITE_FEED

    @property
    def json_url(self) -> str | None:
        """Return the JSON Feed's site path, or None when it is turned off."""
        return JSON_FEED if self.json else None

    def topic(self, topic: Topic) -> str:
        """Return the site path of a topic's Atom feed."""
        return f"{topic.url}feed.xml"


def settings(config: Config) -> FeedSettings:
    """Check ``[feeds]`` and return its settings; raise ConfigError naming every bad key."""
    table = dict(config.extra.get("feeds", {}))
    problems: list[str] = []
    kinds = {"length": int, "topics": bool, "json": bool, "content": bool}
    values: dict[str, Any] = {}
    for key, value in table.items():
        kind = kinds.get(key)
        if kind is None:
            problems.append(f"[feeds] unknown key {key!r} (known: {', '.join(kinds)})")
        elif type(value) is not kind:
            problems.append(f"[feeds] {key}: expected {'true or false' if kind is bool else 'a whole number'}, "
                            f"got {value!r}")
        elif key == "length" and not 1 <= value <= 1000:
            problems.append(f"[feeds] length: must be between 1 and 1000, got {value}")
        else:
            values[key] = value
    if problems:
        raise ConfigError(problems, path=config.root / CONFIG_FILE)
    return FeedSettings(**values)


def cname(config: Config) -> str | None:
    """Return the custom domain from ``[deploy] cname``, checked, or None."""
    value = config.extra.get("deploy", {}).get("cname")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not HOSTNAME_RE.match(value.strip().lower()):
        raise ConfigError([f"[deploy] cname: {value!r} is not a bare domain name "
                           "(write 'news.example.org', without https:// or a path)"],
                          path=config.root / CONFIG_FILE)
    return value.strip().lower()


# ---- addresses ---------------------------------------------------------------------------

def href(config: Config, path: str) -> str:
    """Return a site path as an absolute URL when base_url has a host, else base-path absolute."""
    return (config.site_url or config.base_path) + path.lstrip("/")


def entry_id(config: Config, path: str) -> str:
    """Return a stable, absolute id for a page: its permalink, or a name-based UUID without a host."""
    if config.site_url:
        return href(config, path)
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "digest:" + config.base_path + path.lstrip("/")))


def stamp(moment: dt.datetime) -> str:
    """Return an RFC 3339 timestamp with its offset, to the second."""
    return moment.isoformat(timespec="seconds")


def _clean(text: str) -> str:
    """Drop characters that XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


# ---- Atom --------------------------------------------------------------------------------

def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Append an Atom element with optional text and attributes."""
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = _clean(text)
    return el


def atom(config: Config, opts: FeedSettings, articles: Iterable[Article], site: Site, *,
         title: str, page: str, feed: str) -> bytes:
    """Return an RFC 4287 Atom feed of the newest ``articles`` for the page at ``page``."""
    entries = list(articles)[:opts.length]
    # Plain names plus an xmlns attribute: ElementTree then writes the default namespace as is.
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "fa"})
    _sub(root, "id", entry_id(config, feed))
    _sub(root, "title", title, type="text")
    if config.description:
        _sub(root, "subtitle", config.description, type="text")
    _sub(root, "updated", stamp(max((a.published for a in entries), default=EPOCH)))
    _sub(root, "link", rel="self", type="application/atom+xml", href=href(config, feed))
    _sub(root, "link", rel="alternate", type="text/html", href=href(config, page))
    author = _sub(root, "author")
    _sub(author, "name", config.title)
    _sub(root, "generator", "digest", version=__version__)
    for article in entries:
        _entry(root, config, opts, article, site)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(root: ET.Element, config: Config, opts: FeedSettings, article: Article, site: Site) -> None:
    """Append one article as an Atom entry."""
    entry = _sub(root, "entry")
    _sub(entry, "id", entry_id(config, article.url))
    _sub(entry, "title", article.title, type="text")
    _sub(entry, "updated", stamp(article.published))
    _sub(entry, "published", stamp(article.published))
    _sub(entry, "link", rel="alternate", type="text/html", href=href(config, article.url))
    if article.source_url:
        _sub(entry, "link", rel="related", type="text/html", href=article.source_url)
    if article.author:
        _sub(_sub(entry, "author"), "name", article.author)
    topic = site.topic_of.get(article.url)
    if topic is not None:
        _sub(entry, "category", term=topic.slug, label=topic.name)
    if article.summary:
        _sub(entry, "summary", article.summary, type="text")
    if opts.content:
        # Relative links inside the article resolve against its own page, as in the browser.
        content = _sub(entry, "content", str(article.body_html), type="html")  # str: may be a LazyBody
        content.set("xml:base", href(config, article.url))


# ---- JSON Feed ---------------------------------------------------------------------------

def json_feed(config: Config, opts: FeedSettings, site: Site) -> bytes:
    """Return the site's JSON Feed 1.1."""
    items = []
    for article in site.articles[:opts.length]:
        item: dict[str, Any] = {"id": entry_id(config, article.url), "url": href(config, article.url),
                                "title": article.title, "date_published": stamp(article.published)}
        if opts.content:
            item["content_html"] = str(article.body_html)  # str: may be a LazyBody
        else:
            item["content_text"] = article.summary or article.title
        if article.summary:
            item["summary"] = article.summary
        if article.source_url:
            item["external_url"] = article.source_url
        if article.author:
            item["authors"] = [{"name": article.author}]
        topic = site.topic_of.get(article.url)
        tags = ([topic.name] if topic else []) + [t for t in article.tags if not topic or t != topic.name]
        if tags:
            item["tags"] = tags
        items.append(item)
    feed = {"version": JSON_FEED_VERSION, "title": config.title, "description": config.description,
            "home_page_url": href(config, "/"), "feed_url": href(config, JSON_FEED), "language": "fa",
            "authors": [{"name": config.title}], "items": items}
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


# ---- sitemap and robots ------------------------------------------------------------------

def lastmod(page: Page, site: Site) -> dt.datetime | None:
    """Return when the newest article a page shows was published (None for an empty page)."""
    c = page.context
    if c.get("article"):
        found: Iterable[Article] = [c["article"]]
    elif c.get("day"):
        found = c["day"].articles
    elif c.get("month"):
        found = [a for d in c["month"].days for a in d.articles]
    elif c.get("year"):
        found = [a for m in c["year"].months for d in m.days for a in d.articles]
    elif c.get("topic"):
        found = [a for _, day in c.get("days", ()) for a in day]
    else:
        found = site.articles
    return max((a.published for a in found), default=None)


def sitemap(config: Config, pages: Iterable[Page], site: Site) -> bytes:
    """Return sitemap.xml listing every page but the 404 page (needs base_url with a host)."""
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for page in pages:
        if page.template == "404.html":
            continue
        entry = ET.SubElement(root, "url")
        ET.SubElement(entry, "loc").text = href(config, page.url)
        when = lastmod(page, site)
        if when is not None:
            ET.SubElement(entry, "lastmod").text = stamp(when)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def robots(config: Config) -> bytes:
    """Return robots.txt allowing every crawler and naming the sitemap when there is one."""
    lines = ["User-agent: *", "Disallow:"]
    if config.site_url:
        lines.append(f"Sitemap: {href(config, SITEMAP)}")
    return ("\n".join(lines) + "\n").encode("ascii")


# ---- everything together -----------------------------------------------------------------

def article_feeds(site: Site, config: Config, showing: Callable[[Article], bool] | None = None
                  ) -> dict[str, bytes]:
    """Return the Atom and JSON feeds, keyed by output path; with ``showing``, only the feeds
    whose entries include an article it accepts (the others stay as they were)."""
    opts = settings(config)

    def wanted(articles: tuple[Article, ...]) -> bool:
        """Tell whether a feed of the newest ``articles`` is to be made."""
        return showing is None or any(showing(a) for a in articles[:opts.length])
    out = {}
    if wanted(site.articles):
        out[SITE_FEED.lstrip("/")] = atom(config, opts, site.articles, site, title=config.title,
                                          page="/", feed=SITE_FEED)
    if opts.topics:
        for topic in site.topics:
            if wanted(topic.articles):
                path = opts.topic(topic)
                out[path.lstrip("/")] = atom(config, opts, topic.articles, site,
                                             title=f"{topic.name} · {config.title}", page=topic.url, feed=path)
    if opts.json and wanted(site.articles):
        out[JSON_FEED.lstrip("/")] = json_feed(config, opts, site)
    return out


def files(site: Site, pages: list[Page], config: Config) -> dict[str, bytes]:
    """Return every machine-read file of the site, keyed by output path."""
    out = article_feeds(site, config)
    if config.site_url:
        # Sitemaps and robots.txt must name absolute URLs, so without a host there is none.
        out[SITEMAP.lstrip("/")] = sitemap(config, pages, site)
    out["robots.txt"] = robots(config)
    out[".nojekyll"] = b""          # GitHub Pages: serve the files as they are, no Jekyll
    domain = cname(config)
    if domain:
        out["CNAME"] = (domain + "\n").encode("ascii")
    return out
