"""Page weights: which files a page loads, how they are counted, and the printed summary."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

from digest import stats
from tests.conftest import write_site

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="{css}"><link rel="stylesheet" href="https://cdn.example.com/x.css">
</head><body><p>سلام</p></body></html>"""
CSS = '@font-face { src: url("fonts/A.woff2"); } @font-face { src: url(fonts/B.woff2) } body { color: red }'


def gz(data: bytes) -> int:
    """Return the gzip size the way a web server at level 6 would send it."""
    return len(gzip.compress(data, 6, mtime=0))


def test_a_page_counts_its_html_local_css_and_the_fonts_that_css_names(tmp_path: Path) -> None:
    """Local stylesheets and their fonts are counted once each; remote ones are not counted."""
    out = write_site(tmp_path, {
        "a/b/index.html": PAGE.format(css="../../static/site.css"),
        "static/site.css": CSS, "static/fonts/A.woff2": b"A" * 300, "static/fonts/B.woff2": b"B" * 500,
    })
    w = stats.measure_page(out, "a/b/index.html", "day")
    html = (out / "a/b/index.html").read_bytes()
    assert w.html == stats.Weight(len(html), gz(html))
    assert w.css == stats.Weight(len(CSS.encode()), gz(CSS.encode()))
    assert w.fonts.raw == 800 and w.scripts == 0
    assert w.budget_bytes == gz(html) + gz(CSS.encode())


def test_site_absolute_links_resolve_and_escapes_do_not(tmp_path: Path) -> None:
    """A '/static/...' link resolves inside the output; one climbing out of it is ignored."""
    out = write_site(tmp_path / "out", {"static/site.css": "p{}", "x.html": "<p>"})
    page = out / "x.html"
    assert stats.resolve(out, page, "/static/site.css") == (out / "static/site.css").resolve()
    assert stats.resolve(out, page, "../../etc/passwd") is None
    assert stats.resolve(out, page, "https://example.com/a.css") is None


def test_report_groups_by_template_and_names_a_page_over_budget(tmp_path: Path) -> None:
    """One line per kind, and a page over 40 KB compressed is named."""
    noise = random.Random(8).randbytes(60_000)  # random bytes barely compress: over 40 KB gzipped
    out = write_site(tmp_path, {"index.html": "<p>کوچک</p>", "big/index.html": noise,
                                "other.html": "<p>x</p>"})
    weights = stats.measure_site(out, {"index.html": "index.html", "big/index.html": "day.html"})
    assert [(w.path, w.kind) for w in weights] == [
        ("big/index.html", "day"), ("index.html", "index"), ("other.html", "other")]
    lines = stats.report(weights)
    assert [line.split()[0] for line in lines[1:-1]] == ["day", "index", "other"]
    assert lines[-1].startswith("budget 40 KB") and "1 page(s) over, largest big/index.html" in lines[-1]


def test_scripts_are_counted(tmp_path: Path) -> None:
    """A page with script elements says so in the report."""
    out = write_site(tmp_path, {"index.html": "<script>1</script><script src=a.js></script>"})
    weights = stats.measure_site(out)
    assert weights[0].scripts == 2 and "2 <script> element(s)" in stats.report(weights)[-1]
