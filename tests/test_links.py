"""A link checker: crawl the built sample site over HTTP, served at ``/`` and under ``/REPO/``.

Every internal link, asset, font, feed and sitemap entry must answer 200 without a redirect;
nothing may point outside the site except the articles' ``source_url`` and Markdown links to
the web written in the articles; the 404 page's links must work from a deep missing URL. The
server answers a missing path with the site's own 404.html, as GitHub Pages does.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from digest.build import build
from tests.conftest import ROOT, QuietHandler, article

ATOM = "{http://www.w3.org/2005/Atom}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# Our own extra article: a site-absolute Markdown link (the kind other generators break under a
# sub-path), a relative one, and a link to the web.
LINKING = article(
    "پیوندهای درون‌سایتی", "1404-01-03T12:00", "سیاست", id="peyvand-ha",
    body="برای خبرهای دیگر به [فهرست موضوع‌ها](/topics/) و [سیاست](/topics/politics/) سر بزنید؛ "
         "[ماه پیش](../../../../1403/12/) و [پایگاه داده‌ها](https://data.example.net/fa/) هم هست.")


class PagesHandler(QuietHandler):
    """Serve files; answer a missing path under the site with the site's 404.html (as Pages does)."""

    def __init__(self, *args, not_found: Path, **kwargs):
        self.not_found = not_found
        super().__init__(*args, **kwargs)

    def send_error(self, code, message=None, explain=None):
        """Send the site's own 404 page for a missing file."""
        if code != 404 or not self.not_found.is_file():
            return super().send_error(code, message, explain)
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report redirects as errors: a link that needs one is a link to fix."""

    def redirect_request(self, *args, **kwargs):
        """Refuse to follow."""
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str) -> tuple[int, bytes]:
    """GET a URL on the loopback server and return (status, body)."""
    try:
        with OPENER.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


class LinkParser(HTMLParser):
    """Collect every URL an HTML page refers to."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        """Record href, src and og:url values."""
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.urls.append(values[name])
        if values.get("srcset"):
            self.urls += [part.split()[0] for part in values["srcset"].split(",") if part.strip()]
        if tag == "meta" and values.get("property") == "og:url":
            self.urls.append(values["content"])


def html_links(html: str) -> list[str]:
    """Return the URLs in an HTML document."""
    parser = LinkParser()
    parser.feed(html)
    return parser.urls


def links_in(url: str, body: bytes) -> list[str]:
    """Return absolute URLs a fetched file refers to, by its kind."""
    path = urlsplit(url).path
    if not path.endswith(("/", ".html", ".css", ".json", ".xml", ".txt")):
        return []  # fonts and images refer to nothing
    text = body.decode("utf-8")
    if path.endswith(".css"):
        return [urljoin(url, m.group(2)) for m in re.finditer(r"url\((['\"]?)([^)'\"]+)\1\)", text)]
    if path.endswith(".json"):
        data = json.loads(text)
        found = [data["home_page_url"], data["feed_url"]]
        for item in data["items"]:
            found += [item["url"], item.get("external_url")]
            found += [urljoin(urljoin(url, item["url"]), h) for h in html_links(item.get("content_html", ""))]
        return [urljoin(url, u) for u in found if u]
    if path.endswith(".xml"):
        return xml_links(url, ET.fromstring(body))
    if path.endswith(".txt"):
        return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Sitemap:")]
    return [urljoin(url, u) for u in html_links(text)]


def xml_links(url: str, root: ET.Element) -> list[str]:
    """Return the links of an Atom feed (content included, with its xml:base) or a sitemap."""
    if root.tag == SITEMAP + "urlset":
        return [loc.text for loc in root.iter(SITEMAP + "loc")]
    found = [urljoin(url, link.get("href")) for link in root.iter(ATOM + "link")]
    for content in root.iter(ATOM + "content"):
        base = urljoin(url, content.get(XML_BASE, ""))
        found += [urljoin(base, h) for h in html_links(content.text or "")]
    return found


def allowed_external(project: Path) -> set[str]:
    """Return the web addresses the articles themselves name (source_url and Markdown links)."""
    found: set[str] = set()
    for path in (project / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"^(?:source_url|url):\s*(\S+)\s*$", text, re.MULTILINE))
        found |= set(re.findall(r"\]\((https?://[^)\s]+)\)", text))
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Copy the sample site and add an article with internal Markdown links."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "digest.toml", root / "digest.toml")
    (root / "content" / "siasat" / "peyvand-ha.md").write_text(LINKING, encoding="utf-8")
    return root


def serve(www: Path, prefix: str):
    """Start a loopback server for ``www`` whose missing paths get ``www/prefix/404.html``."""
    handler = functools.partial(PagesHandler, directory=str(www), not_found=www / prefix.strip("/") / "404.html")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def crawl(starts: list[str], prefix_url: str, allowed: set[str]) -> tuple[set[str], list[str]]:
    """Visit everything reachable from ``starts``; return (visited URLs, problems)."""
    seen, queue, problems = set(starts), list(starts), []
    while queue:
        url = queue.pop()
        status, body = fetch(url)
        if status != 200:
            problems.append(f"{status} {url}")
            continue
        for link in links_in(url, body):
            link = urldefrag(link)[0]
            if urlsplit(link).scheme not in ("http", "https"):
                problems.append(f"odd link {link} in {url}")
            elif not link.startswith(urlsplit(prefix_url)._replace(path="").geturl()):
                if link not in allowed:
                    problems.append(f"leaves the site: {link} in {url}")
            elif not link.startswith(prefix_url):
                problems.append(f"outside the base path: {link} in {url}")
            elif link not in seen:
                seen.add(link)
                queue.append(link)
    return seen, problems


@pytest.mark.parametrize("prefix, with_host", [("/", True), ("/REPO/", True), ("/REPO/", False),
                                               ("/", False)])
def test_every_link_works(project, tmp_path, prefix, with_host):
    www = tmp_path / "www"
    out = www / prefix.strip("/")
    server, origin = serve(www, prefix)
    try:
        base_url = origin + prefix if with_host else prefix
        result = build(project, overrides={"output": str(out), "base_url": base_url})
        assert not [p for p in result.problems if p.level == "error"]
        site = origin + prefix
        # Start where people and crawlers start: the front page and robots.txt.
        visited, problems = crawl([site, site + "robots.txt"], site, allowed_external(project))
        assert problems == []
        pages = {site + p.relative_to(out).as_posix().removesuffix("index.html")
                 for p in out.rglob("*.html") if p.name != "404.html"}
        assert pages - visited == set()  # no page is an orphan
        assert {site + "static/site.css", site + "feed.xml", site + "topics/politics/feed.xml"} <= visited
        assert any(u.endswith(".woff2") for u in visited)
        assert (site + "sitemap.xml" in visited) == with_host

        deep = site + "1403/99/missing/article/"
        status, body = fetch(deep)
        assert status == 404 and "این صفحه پیدا نشد" in body.decode()
        targets = [urljoin(deep, u) for u in html_links(body.decode()) if not u.startswith("#")]
        assert len(targets) > 10
        for target in targets:
            assert target.startswith(site), target
            assert fetch(target)[0] == 200, target
    finally:
        server.shutdown()
        server.server_close()


def test_the_markdown_links_were_made_relative(project, tmp_path):
    build(project, overrides={"output": str(tmp_path / "out"), "base_url": "/REPO/"})
    page = (tmp_path / "out" / "1404/01/03/peyvand-ha/index.html").read_text(encoding="utf-8")
    assert 'href="../../../../topics/politics/"' in page
    assert 'href="/topics/' not in page
