"""Markdown to safe HTML (cmark-gfm): injection (cases 13, 14, 17), raw HTML as text, Latin isolation,
headings, summaries, deep nesting."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.markup import MAX_NESTING, render
from digest.persian import LATIN_RUN


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


def test_latin_runs_after_persian_text_keep_the_text_before_them():
    # Runs are looked for from a text's first Latin letter on; what comes before stays as it was.
    html, _ = render("«پیش از همه» ۱۲ نفر, سپس UN و بعد *EU* و [پیوند IMF](https://x.org)، آخر")
    assert html == ('<p>«پیش از همه» ۱۲ نفر, سپس <bdi dir="ltr" lang="en">UN</bdi> و بعد '
                    '<em><bdi dir="ltr" lang="en">EU</bdi></em> و <a href="https://x.org" '
                    'rel="noopener noreferrer nofollow">پیوند <bdi dir="ltr" lang="en">IMF</bdi></a>، آخر</p>\n')


def test_first_paragraph_is_the_summary_source():
    _, first = render("## عنوان\n\nپاراگراف **نخست** با `کد`.\n\nدومی.")
    assert first == "پاراگراف نخست با کد."


def test_deep_nesting_is_bounded():
    html, _ = render("> " * 500 + "متن")
    assert html.count("<blockquote>") <= 20


def test_summary_keeps_words_apart_across_line_breaks():
    _, first = render("خط نخست\nخط دوم  \nخط سوم")
    assert first == "خط نخست خط دوم خط سوم"


# ---- cmark-gfm: raw HTML shown as text, never dropped and never live --------------------------

@pytest.mark.parametrize("body, shown", [
    ("الف <b>ب</b> ج", "&lt;b&gt;ب&lt;/b&gt;"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("یادداشت <!-- پنهان --> پایان", "&lt;!-- پنهان --&gt;"),
    ("<div>\nمتن **پررنگ**\n</div>", "&lt;div&gt;"),
    ('<img src=x onerror="alert(1)">', "&lt;img src=x onerror=\"alert(1)\"&gt;"),
    ("<?php echo 1; ?> و <!DOCTYPE html>", "&lt;?php echo 1; ?&gt; و &lt;!DOCTYPE html&gt;"),
])
def test_raw_html_is_shown_as_text(body, shown):
    html, _ = render(body)
    assert shown in html.replace('<bdi dir="ltr" lang="en">', "").replace("</bdi>", "")
    assert "omitted" not in html


def test_markdown_inside_a_would_be_html_block_is_still_markdown():
    html, _ = render("<div>\nمتن **پررنگ**\n</div>")
    assert "<strong>پررنگ</strong>" in html


@pytest.mark.parametrize("body, code", [
    ("`a <b> c`", "<code>a &lt;b&gt; c</code>"),
    ("`a <b> c` و <i>", "<code>a &lt;b&gt; c</code>"),
    ("```\n<div>x</div>\n```", "<pre><code>&lt;div&gt;x&lt;/div&gt;\n</code></pre>"),
    ("<i> و\n\n```\n<div>x</div>\n```", "<pre><code>&lt;div&gt;x&lt;/div&gt;\n</code></pre>"),
    ("`a\\<b` و <i>", "<code>a\\&lt;b</code>"),  # a backslash in code is literal
])
def test_code_shows_angle_brackets(body, code):
    html, _ = render(body)
    assert code in html


def test_escaped_angle_bracket_shows_without_its_backslash():
    html, _ = render("\\<b> و <i>")
    assert html.startswith("<p>&lt;") and "\\" not in html


def test_autolinks_stay_links_next_to_raw_html():
    html, _ = render("<https://example.com/a> و <b> و <name@example.org>")
    assert '<a href="https://example.com/a"' in html
    assert '<a href="mailto:name@example.org"' in html
    assert "&lt;b&gt;" in html.replace('<bdi dir="ltr" lang="en">', "").replace("</bdi>", "")


def test_angle_bracket_in_a_link_target_is_percent_encoded():
    for body in ("[پیوند](https://example.com/?q=<b>)", "[پیوند](https://example.com/?q=<b>) <i>"):
        html, _ = render(body)
        assert 'href="https://example.com/?q=%3Cb%3E"' in html


def test_the_stand_in_for_angle_brackets_survives_in_text():
    # U+2E2E stands in for "<" while raw HTML is shielded; one written by the author stays itself.
    html, _ = render("⸮ <b> [پیوند](https://example.com/⸮)")
    assert "<p>⸮ &lt;" in html
    assert 'href="https://example.com/%E2%B8%AE"' in html


# ---- links, images, entities -----------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "<javascript:alert(1)>", "[پیوند](javascript:alert(1) \"عنوان\")", "[پیوند](vbscript:x) <b>",
])
def test_script_scheme_links_are_refused_in_every_form(body):
    html, _ = render(body)
    assert [tag for tag, _ in tags_and_attributes(html) if tag == "a"] == []
    assert "javascript:alert(1)" not in "".join(a.get("href") or "" for _, a in tags_and_attributes(html))


def test_refused_link_keeps_its_label():
    html, _ = render("[پیوند](javascript:alert(1))")
    assert "پیوند" in html


@pytest.mark.parametrize("body", ["![عکس](javascript:alert(1))", "![عکس]()", "![عکس](file:///etc/passwd)"])
def test_images_without_a_web_source_become_their_alt_text(body):
    html, _ = render(body)
    assert "<img" not in html and "عکس" in html


@pytest.mark.parametrize("entity", ["&#1;", "&#x7f;", "&#x9F;", "&#xFFFF;", "&#xFDD0;", "&#x1FFFE;", "&#0;"])
def test_entities_never_bring_control_characters(entity):
    html, first = render(f"الف {entity} ب")
    assert not re.search("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\uffff\U0001fffe]", html + first)
    assert "\ufffd" in html


def test_entities_in_code_stay_literal():
    html, _ = render("`&#1;`")
    assert "<code>&amp;#1;</code>" in html


def test_site_links_become_relative_to_the_page():
    html, _ = render("[موضوع](/topics/x/?a=1&b=2 \"عنوان\") ![عکس](/media/a.png)", page_url="/1403/01/02/a1/")
    assert 'href="../../../../topics/x/?a=1&amp;b=2" title="عنوان"' in html
    assert '<img src="../../../../media/a.png" alt="عکس" loading="lazy" decoding="async">' in html


# ---- what is on and what is off ---------------------------------------------------------------

def test_tables_and_strikethrough_are_on():
    html, _ = render("| الف | ب |\n|---|:-:|\n| ۱ | ۲ |\n\n~~حذف~~")
    assert "<table>" in html and "<th>الف</th>" in html and "<td>۲</td>" in html
    assert "<s>حذف</s>" in html


def test_single_tilde_and_bare_urls_stay_text():
    html, _ = render("~نه~ و https://example.com و www.example.com")
    assert "<s>" not in html and "<del>" not in html and "<a " not in html


# ---- Latin isolation touches only text --------------------------------------------------------

def test_latin_isolation_leaves_code_attributes_and_entities_alone():
    html, _ = render('`Code here` [پیوند](https://example.com/Path "Title") AT&T ![Alt](https://example.com/a.png)')
    assert "<code>Code here</code>" in html
    assert '<a href="https://example.com/Path" title="Title"' in html
    assert '<bdi dir="ltr" lang="en">AT&amp;T</bdi>' in html
    assert 'alt="Alt"' in html


def test_without_want_first_the_html_is_the_same_and_no_paragraph_is_taken():
    text = "پاراگراف **نخست** با FIFA.\n\n- فهرست"
    assert render(text, "/1403/01/01/x/", want_first=False) == (render(text, "/1403/01/01/x/")[0], "")


def test_a_latin_letter_written_as_a_numeric_entity_is_still_isolated():
    # The Latin pass is skipped for text without Latin letters, entities or wide spaces; an
    # entity can name a Latin letter, so text holding "&" must take it.
    html, _ = render("قیمت &#65;&#x42; اعلام شد")
    assert '<bdi dir="ltr" lang="en">AB</bdi>' in html


def test_text_without_latin_letters_keeps_the_escaped_brackets_and_gets_no_bdi():
    html, first = render('سه < چهار و پنج > دو، "نقل" از او')
    assert html == '<p>سه &lt; چهار و پنج &gt; دو، "نقل" از او</p>\n'
    assert first == 'سه < چهار و پنج > دو، "نقل" از او'


_WORDS = st.sampled_from(["خبر", "تهران", "Radio Farda", "AT&T", "a<b", 'say "hi"', "x > y", "3D", "e.g.",
                          "https://example.com/a?b=1&c=2", "،", "۱۴۰۳", "R&D", "O'Neil", "v2.0", "&", "<", ">"])


@given(st.lists(_WORDS, min_size=1, max_size=12))
def test_latin_isolation_wraps_exactly_the_latin_runs(words):
    text = " ".join(["خبر", *words])  # a Persian word first, so no line starts a block
    html, _ = render(text)
    body = html.removeprefix("<p>").removesuffix("</p>\n")
    wrapped = [unescape(run) for run in re.findall(r'<bdi dir="ltr" lang="en">(.*?)</bdi>', body)]
    assert wrapped == LATIN_RUN.findall(" ".join(text.split()))
    assert unescape(re.sub(r"<[^>]*>", "", body)) == text


# ---- summaries ----------------------------------------------------------------------------------

def test_summary_of_a_text_that_starts_with_a_list():
    _, first = render("- نخست\n- دوم\n\nپاراگراف")
    assert first == "نخست"


def test_unicode_spaces_at_block_edges_are_trimmed():
    html, first = render("\u00a0متن\u00a0\n\n## \u00a0عنوان\u00a0")
    assert "<p>متن</p>" in html and '<h3 id="s1">عنوان</h3>' in html
    assert first == "متن"


# ---- deep nesting: bounded, and neither slow nor fatal ------------------------------------------

DEEP = {
    "quotes": "'> ' * 100_000 + 'x'",
    "quote lines": "''.join('>' * i + ' x\\n' for i in range(3000))",
    "brackets": "'[' * 100_000 + 'x'",
    "images": "'![' * 100_000 + 'x'",
    "stars": "'*' * 100_000 + 'x' + '*' * 100_000",
    "emphasis": "'*a ' * 100_000 + 'b'",
    "link openers": "'[a](' * 100_000",
    "lists": "''.join('  ' * i + '- x\\n' for i in range(2000))",
    "angle brackets": "'<' * 100_000 + 'b>'",
}


def test_deep_nesting_is_bounded_fast_and_safe():
    # A child process, so a crash (a C stack overflow kills the process) fails the test instead of
    # the run; the timeout only catches hangs (a quadratic parser takes minutes here).
    script = (
        "import json, sys\nfrom html.parser import HTMLParser\nfrom digest.markup import render\n"
        "class Depth(HTMLParser):\n"
        "    depth = deepest = 0\n"
        "    def handle_starttag(self, tag, attrs):\n"
        "        if tag not in ('br', 'hr', 'img'):\n"
        "            self.depth += 1; self.deepest = max(self.deepest, self.depth)\n"
        "    def handle_endtag(self, tag):\n"
        "        self.depth -= 1\n"
        "out = {}\n"
        "for name, expr in json.loads(sys.argv[1]).items():\n"
        "    html, _ = render(eval(expr))\n"
        "    d = Depth(); d.feed(html); out[name] = [d.deepest, 'x' in html or 'b' in html]\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, json.dumps(DEEP)], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    for name, (deepest, text_kept) in json.loads(done.stdout).items():
        assert deepest <= MAX_NESTING, name
        assert text_kept, name


def test_wide_space_test_on_utf8_matches_the_class_for_every_character():
    # The byte patterns must find exactly the characters of the class, alone and among Persian
    # text: every character of the BMP, and a sample of the others (four-byte UTF-8).
    from digest import markup

    for code in [*range(0xD800), *range(0xE000, 0x10000), *range(0x10000, 0x110000, 97)]:
        char = chr(code)
        expected = markup._WIDE_SPACE.search(char) is not None
        for text in (char, f"ب{char}\u200cی"):
            assert markup._has_wide_space(text, text.encode()) is expected, hex(code)
