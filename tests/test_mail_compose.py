"""The digest email's parts: RTL markup, inlined CSS, plain text, size gate, and rendering in Chromium."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

import pytest

from digest.errors import MailError
from digest.mail.run import run
from digest.persian import RLM
from smtp_helpers import make_site

BASE = "https://news.example.com/"


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("DIGEST_UNSUBSCRIBE_SECRET", "another-test-secret-key")


EMAIL = {"from": "news@example.com", "unsubscribe_url": "https://news.example.com/u?t={token}"}


def rendered(tmp_path, files=None, **kw):
    """Render the digest of 1403-09-02 of a small site."""
    root = make_site(tmp_path / "s", EMAIL, files)
    return run(root, date=kw.pop("date", "1403-09-02"), dry_run=True, **kw).rendered


class Tags(HTMLParser):
    """Collect (tag, attributes) of every start tag, and the comments."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.comments.append(data)


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def test_every_table_and_cell_is_rtl_inline(tmp_path):
    tags = parse(rendered(tmp_path).html)
    cells = [a for t, a in tags.tags if t in ("table", "td")]
    assert len(cells) > 10
    for attrs in cells:
        assert attrs.get("dir") == "rtl" and attrs.get("align") == "right"
        style = attrs.get("style", "").replace(" ", "")
        assert "direction:rtl" in style and "text-align:right" in style
    for name in ("html", "body"):
        attrs = next(a for t, a in tags.tags if t == name)
        assert attrs.get("lang") == "fa" and attrs.get("dir") == "rtl"
    wrapper = next(a for t, a in tags.tags if t == "div" and "wrapper" in a.get("class", ""))
    assert wrapper.get("lang") == "fa" and wrapper.get("dir") == "rtl"
    assert "direction:rtl" in wrapper.get("style", "").replace(" ", "")


def test_fluid_layout_fonts_schemes_and_no_remote_resources(tmp_path):
    html = rendered(tmp_path).html
    tags = parse(html)
    card = next(a for t, a in tags.tags if "card" in a.get("class", ""))
    assert "max-width:600px" in card["style"].replace(" ", "") and "width:100%" in card["style"].replace(" ", "")
    assert "Vazirmatn, Tahoma, Arial, sans-serif" in html
    assert "@media (prefers-color-scheme: dark)" in html and "@media (max-width: 480px)" in html
    hidden = [c for c in tags.comments if c.startswith("[if !mso]")]
    assert hidden and "@font-face" in html.split("<!--[if !mso]><!-->")[1].split("<!--<![endif]-->")[0]
    assert "@font-face" not in html.split("<!--[if !mso]><!-->")[0]
    assert not any(t in ("img", "link", "script", "iframe", "object") for t, _ in tags.tags)
    assert "url(" not in html and " src=" not in html
    hrefs = [a["href"] for t, a in tags.tags if t == "a"]
    assert hrefs and all(h.startswith(BASE) for h in hrefs)
    preheader = next(a for t, a in tags.tags if "preheader" in a.get("class", ""))
    assert "display:none" in preheader["style"].replace(" ", "")


def test_links_are_the_article_pages_unchanged(tmp_path):
    html = rendered(tmp_path).html
    hrefs = re.findall(r'href="([^"]+)"', html)
    article_links = [h for h in hrefs if re.match(rf"{re.escape(BASE)}1403/09/02/[^/]+/$", h)]
    assert len(article_links) == 3


def test_text_is_escaped_and_latin_runs_marked(tmp_path):
    files = {"content/x.md": "---\ntitle: 'گزارش <script>alert(1)</script> درباره‌ی Open Source'\n"
                             "date: 1403-09-02T20:00\ntopic: فناوری\n---\nمتن.\n"}
    out = rendered(tmp_path, files)
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html
    assert '<span dir="ltr">Open Source</span>' in out.html
    assert '<span dir="ltr">IBBY</span>' in out.html


def test_plain_text_lines_start_rtl_urls_alone_topics_as_headings(tmp_path):
    text = rendered(tmp_path).text
    lines = text.splitlines()
    for line in lines:
        if line:
            assert line[0] == RLM or unicodedata.bidirectional(line[0]) in ("R", "AL"), line
    for line in lines:
        if "http" in line:
            assert re.fullmatch(rf"{RLM}?https://\S+", line), line
    for topic in ("سیاست", "اقتصاد", "فرهنگ"):
        i = lines.index(topic)
        assert set(lines[i + 1].lstrip(RLM)) == {"="}
    assert "&" not in text.replace("&e=", "")          # not HTML-escaped


def test_week_digest_merges_days(tmp_path):
    out = rendered(tmp_path, date=None, week="۱۴۰۳-W36")
    assert out.digest.id == "1403-W36" and out.digest.total == 4
    assert "هفته‌ی ۳۶" in out.text and "۲۶ آبان تا ۲ آذر ۱۴۰۳" in out.subject


def test_relative_base_url_is_refused(tmp_path):
    root = make_site(tmp_path / "s", EMAIL, base_url="/")
    with pytest.raises(MailError, match="absolute"):
        run(root, date="1403-09-02", dry_run=True)


def test_site_templates_override_the_defaults(tmp_path):
    files = {"templates/email/digest.txt": "نسخه‌ی ویژه‌ی {{ config.title }}\n"}
    assert rendered(tmp_path, files).text == "نسخه‌ی ویژه‌ی خبرنامه‌ی آزمایشی\n"


def test_size_gate_keeps_newest_per_topic_and_links_the_rest(tmp_path):
    long = "جمله‌ای بلند برای پر کردن خلاصه. " * 14
    files = {f"content/big{i:03d}.md": f"---\ntitle: خبر شماره‌ی {i}\ndate: 1403-09-02T{8 + i // 60:02d}:{i % 60:02d}\n"
                                       f"topic: {'ورزش' if i % 2 else 'جامعه'}\nsummary: {long}\n---\nمتن.\n"
             for i in range(240)}
    out = rendered(tmp_path, files)
    assert out.warnings and "over 90 KB" in out.warnings[0]
    assert out.html_bytes <= 90 * 1024
    assert out.digest.total == 243 and out.digest.count < out.digest.total
    sport = next(s for s in out.digest.sections if s.topic.name == "ورزش")
    assert sport.more > 0 and sport.articles[0].title == "خبر شماره‌ی 239"
    assert all(a.published >= b.published for a, b in zip(sport.articles, sport.articles[1:]))
    assert f"{sport.more}".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) + " خبر دیگر در سایت" in out.html


# ---- in a real browser ---------------------------------------------------------------------

CONTRAST = """() => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bg = el => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
                     if (c[3] > 0) return c; } return [255, 255, 255, 1]; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.preheader')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const a = lum(parse(getComputedStyle(el).color)), b = lum(bg(el));
    out.push([(Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), el.textContent.trim().slice(0, 30)]);
  }
  return out;
}"""


@pytest.mark.parametrize("width", [375, 600])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_renders_rtl_without_overflow_and_readable(tmp_path, browser, width, scheme):
    html = rendered(tmp_path).html
    page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    try:
        page.route("**/*", lambda route: route.abort())        # nothing may be fetched
        page.set_content(html)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        directions = page.evaluate("[...document.querySelectorAll('td, table')].map(e => getComputedStyle(e).direction)")
        assert directions and set(directions) == {"rtl"}
        ratios = page.evaluate(CONTRAST)
        assert len(ratios) > 10
        worst = min(ratios)
        assert worst[0] >= 4.5, f"{scheme}: contrast {worst[0]:.2f} for {worst[1]!r}"
        body_bg = page.evaluate("getComputedStyle(document.querySelector('.item')).backgroundColor")
        assert (body_bg == "rgb(255, 255, 255)") == (scheme == "light")
    finally:
        page.close()
