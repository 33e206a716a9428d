"""Markdown to safe HTML: injection (cases 13, 14, 17), Latin isolation, headings, summaries."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from digest.markup import render


def tags_and_attributes(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Return every start tag in ``html`` with its attributes, as a browser's parser sees them."""
    found: list[tuple[str, dict[str, str | None]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


@pytest.mark.parametrize("body", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://example.com"></iframe>',
    "<style>body{display:none}</style>",
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
])
def test_raw_html_is_inert(body):
    html, _ = render(f"متن {body} ادامه")
    found = tags_and_attributes(html)
    assert {tag for tag, _ in found} <= {"p", "a", "bdi"}
    assert not [name for _, attrs in found for name in attrs if name.startswith("on")]


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)", "java\tscript:alert(1)",
    "vbscript:msgbox(1)", "file:///etc/passwd", "data:text/html;base64,PHNjcmlwdD4=",
])
def test_script_scheme_links_are_not_links(href):
    html, _ = render(f"[پیوند]({href})")
    assert [tag for tag, _ in tags_and_attributes(html) if tag == "a"] == []


def test_web_links_stay_and_are_marked_untrusted():
    html, _ = render("[منبع](https://example.com/a?b=1&c=2)")
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">' in html


def test_data_images_are_dropped_to_their_alt_text():
    html, _ = render("![نمودار](data:image/png;base64,AAAA) ![عکس](https://example.com/a.png)")
    assert "data:" not in html
    assert "نمودار" in html
    assert '<img src="https://example.com/a.png" alt="عکس" loading="lazy" decoding="async">' in html


def test_template_syntax_stays_literal():
    html, _ = render("{{ 7*7 }} و {% raw %} و {# x #}")
    assert "{{ 7*7 }}" in html and "49" not in html


def test_fence_info_is_escaped():
    html, _ = render('```"><script>alert(1)</script>\ncode\n```')
    assert "<script" not in html and "<pre><code>code\n</code></pre>" in html


def test_heading_ids_are_unique_and_never_empty():
    html, _ = render("# الف\n\n# الف\n\n## \n\n### ب")
    ids = re.findall(r'<h\d id="([^"]*)"', html)
    assert ids == ["s1", "s2", "s3", "s4"]
    assert "<h1" not in html  # the page title is the only h1


def test_latin_runs_are_isolated():
    html, _ = render("گزارش Radio Farda از https://example.com/a و OpenStreetMap")
    assert '<bdi dir="ltr" lang="en">Radio Farda</bdi>' in html
    assert '<bdi dir="ltr" lang="en">https://example.com/a</bdi>' in html
    assert '<bdi dir="ltr" lang="en">OpenStreetMap</bdi>' in html


def test_first_paragraph_is_the_summary_source():
    _, first = render("## عنوان\n\nپاراگراف **نخست** با `کد`.\n\nدومی.")
    assert first == "پاراگراف نخست با کد."


def test_deep_nesting_is_bounded():
    html, _ = render("> " * 500 + "متن")
    assert html.count("<blockquote>") <= 20


def test_summary_keeps_words_apart_across_line_breaks():
    _, first = render("خط نخست\nخط دوم  \nخط سوم")
    assert first == "خط نخست خط دوم خط سوم"
