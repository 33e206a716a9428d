"""Feeds, sitemap, robots.txt and host files, read back the way their consumers read them."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from digest.build import build
from digest.errors import ConfigError
from tests.conftest import article

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
NASTY = '"><script>alert(1)</script> & شرکت‌ها'

SITE = {
    "digest.toml": """
        title = "خبرنامه & دوستان"
        base_url = "https://news.example.org/repo/"
        [feeds]
        length = 3
        [[topics]]
        name = "سیاست"
        slug = "politics"
        [[topics]]
        name = "اقتصاد"
        slug = "economy"
    """,
    "content/a.md": article("خبر اول", "1403-09-01T08:00", "سیاست", id="first"),
    "content/b.md": article("خبر دوم", "1403-09-02T09:30", "اقتصاد", id="second"),
    "content/c.md": article("'" + NASTY + "'", "1403-09-03T10:00", "سیاست", id="nasty",
                            summary="'خلاصه با <b>تگ</b> & نشانه'"),
    "content/d.md": article("خبر چهارم", "1403-09-04T11:45", "اقتصاد", id="fourth",
                            source_url="https://source.example.com/x?a=1&b=2"),
}


@pytest.fixture
def built(site_dir):
    """Build the feed test site and return its output folder."""
    root = site_dir(SITE)
    build(root)
    return root / "site"


def test_atom_has_every_element_rfc4287_requires(built):
    tree = ET.parse(built / "feed.xml").getroot()
    assert tree.tag == ATOM + "feed"
    assert tree.get("{http://www.w3.org/XML/1998/namespace}lang") == "fa"
    for tag in ("id", "title", "updated"):
        assert len(tree.findall(ATOM + tag)) == 1, tag
    assert tree.find(f"{ATOM}author/{ATOM}name").text == "خبرنامه & دوستان"
    assert tree.find(f"{ATOM}link[@rel='self']").get("href") == "https://news.example.org/repo/feed.xml"
    entries = tree.findall(ATOM + "entry")
    assert len(entries) == 3  # [feeds] length
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert len(entry.findall(ATOM + tag)) == 1, tag
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        assert re.match(r"^[a-z][a-z0-9+.-]*:", entry.find(ATOM + "id").text)  # absolute IRI
        assert RFC3339.match(entry.find(ATOM + "updated").text)


def test_atom_parses_newest_first_with_tehran_offsets(built):
    feed = feedparser.parse((built / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.language == "fa"
    assert feed.feed.title == "خبرنامه & دوستان"
    assert feed.feed.updated == "2024-11-24T11:45:00+03:30"  # 1403-09-04 11:45, Tehran time
    links = [e.link for e in feed.entries]
    assert links == ["https://news.example.org/repo/1403/09/04/fourth/",
                     "https://news.example.org/repo/1403/09/03/nasty/",
                     "https://news.example.org/repo/1403/09/02/second/"]
    stamps = [e.updated_parsed for e in feed.entries]
    assert stamps == sorted(stamps, reverse=True)
    assert all(e.updated.endswith("+03:30") for e in feed.entries)


def test_titles_and_summaries_are_escaped(built):
    raw = (built / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in raw and "<b>" not in raw
    feed = feedparser.parse(raw.encode())
    nasty = next(e for e in feed.entries if e.link.endswith("/nasty/"))
    assert nasty.title == NASTY
    assert nasty.summary == "خلاصه با <b>تگ</b> & نشانه"
    fourth = next(e for e in feed.entries if e.link.endswith("/fourth/"))
    assert [l.href for l in fourth.links if l.rel == "related"] == ["https://source.example.com/x?a=1&b=2"]
    items = json.loads((built / "feed.json").read_text(encoding="utf-8"))["items"]
    assert next(i for i in items if i["url"].endswith("/nasty/"))["title"] == NASTY


def test_ids_are_stable_across_builds(site_dir):
    root = site_dir(SITE)
    build(root)
    first = feedparser.parse((root / "site" / "feed.xml").read_bytes())
    before = (root / "site" / "feed.xml").read_bytes()
    build(root)
    assert (root / "site" / "feed.xml").read_bytes() == before  # no build-time stamps
    (root / "content" / "e.md").write_text(article("خبر پنجم", "1403-09-05T07:00", "سیاست", id="fifth"),
                                           encoding="utf-8")
    build(root)
    second = feedparser.parse((root / "site" / "feed.xml").read_bytes())
    old = {e.link: e.id for e in first.entries}
    new = {e.link: e.id for e in second.entries}
    assert second.entries[0].link.endswith("/fifth/")
    shared = set(old) & set(new)
    assert len(shared) == 2 and all(old[k] == new[k] for k in shared)
    assert first.feed.id == second.feed.id


def test_topic_feeds_hold_only_their_topic(built):
    feed = feedparser.parse((built / "topics/politics/feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.link.rsplit("/", 2)[-2] for e in feed.entries] == ["nasty", "first"]
    assert all(t.term == "politics" for e in feed.entries for t in e.tags)
    assert feed.feed.link == "https://news.example.org/repo/topics/politics/"


def test_json_feed_1_1(built):
    data = json.loads((built / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == "https://news.example.org/repo/feed.json"
    assert data["language"] == "fa"
    atom_ids = [e.id for e in feedparser.parse((built / "feed.xml").read_bytes()).entries]
    assert [i["id"] for i in data["items"]] == atom_ids
    assert all("content_html" in i and RFC3339.match(i["date_published"]) for i in data["items"])


def test_pages_link_their_feeds_and_carry_open_graph(built):
    page = (built / "1403/09/03/nasty/index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml" title="خبرنامه &amp; دوستان" href="../../../../feed.xml"' in page
    assert 'href="../../../../topics/politics/feed.xml"' in page
    assert '<link rel="canonical" href="https://news.example.org/repo/1403/09/03/nasty/">' in page
    assert '<meta property="og:title" content="&#34;&gt;&lt;script&gt;' in page
    assert '<meta property="article:published_time" content="2024-11-23T10:00:00+03:30">' in page
    topic = (built / "topics/economy/index.html").read_text(encoding="utf-8")
    assert 'href="feed.xml"' in topic and "og:type" not in topic


def test_sitemap_and_robots(built):
    tree = ET.parse(built / "sitemap.xml").getroot()
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {u.find(ns + "loc").text: u.find(ns + "lastmod") for u in tree}
    assert "https://news.example.org/repo/404.html" not in urls
    assert urls["https://news.example.org/repo/1403/09/02/second/"].text == "2024-11-22T09:30:00+03:30"
    assert urls["https://news.example.org/repo/topics/politics/"].text == "2024-11-23T10:00:00+03:30"
    assert urls["https://news.example.org/repo/"].text == "2024-11-24T11:45:00+03:30"
    robots = (built / "robots.txt").read_text()
    assert "Sitemap: https://news.example.org/repo/sitemap.xml" in robots.splitlines()
    assert (built / ".nojekyll").read_bytes() == b""
    assert not (built / "CNAME").exists()


def test_without_a_host_absolute_urls_are_left_out(site_dir):
    root = site_dir({**SITE, "digest.toml": 'base_url = "/repo/"\n'})
    build(root)
    out = root / "site"
    assert not (out / "sitemap.xml").exists()
    assert "Sitemap" not in (out / "robots.txt").read_text()
    page = (out / "1403/09/03/nasty/index.html").read_text(encoding="utf-8")
    assert "canonical" not in page and "og:" not in page
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    assert all(e.id.startswith("urn:uuid:") for e in feed.entries)
    assert feed.entries[0].link == "/repo/1403/09/04/fourth/"


def test_cname_and_feed_settings(site_dir):
    root = site_dir({**SITE, "digest.toml": '[deploy]\ncname = "News.Example.org"\n[feeds]\njson = false\n'
                     'topics = false\n'})
    build(root)
    out = root / "site"
    assert (out / "CNAME").read_text() == "news.example.org\n"
    assert not (out / "feed.json").exists() and not (out / "topics/politics/feed.xml").exists()
    assert "feed+json" not in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("toml, words", [
    ('[feeds]\nlength = 0\n', "length: must be between 1 and 1000"),
    ('[feeds]\nlenght = 5\n', "unknown key 'lenght'"),
    ('[feeds]\ncontent = "yes"\n', "content: expected true or false"),
    ('[deploy]\ncname = "https://news.example.org/"\n', "not a bare domain name"),
])
def test_bad_settings_name_the_key(site_dir, toml, words):
    root = site_dir({**SITE, "digest.toml": toml})
    with pytest.raises(ConfigError) as caught:
        build(root)
    assert words in str(caught.value) and "digest.toml" in str(caught.value)
    assert not (root / "site").exists()
