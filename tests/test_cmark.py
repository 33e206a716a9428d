"""The cmark-gfm binding: options (safe mode, tables, strikethrough) and freeing what cmark allocates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest import cmark


def test_raw_html_is_omitted_never_passed_through():
    html = cmark.to_html("الف <b onclick=x>ب</b>\n\n<div>\nج\n</div>")
    assert "<b" not in html and "<div" not in html and "onclick" not in html
    assert cmark.OMITTED in html


def test_script_scheme_targets_are_emptied():
    assert cmark.to_html("[x](javascript:alert(1))") == '<p><a href="">x</a></p>\n'


def test_tables_and_double_tilde_only():
    html = cmark.to_html("| a | b |\n|:-:|---|\n| 1 | 2 |\n\n~~x~~ ~y~ https://example.com")
    assert '<th style="text-align: center">a</th>' in html
    assert "<del>x</del>" in html and "~y~" in html and "<a " not in html


def test_noncharacter_entities_decode_to_valid_text():
    # cmark writes U+FFFF as a bare 0xFF byte; the binding must not raise on it.
    assert "\ufffd" in cmark.to_html("&#xFFFF; &#xFFFE;")


def test_lone_surrogate_becomes_replacement_character():
    assert cmark.to_html("الف \ud800 ب") == "<p>الف \ufffd ب</p>\n"


def _checked(text: str) -> str:
    """Render ``text`` with cmark's UTF-8 check on, as every text was rendered before."""
    lib = cmark._lib
    data = text.encode("utf-8")
    parser = lib.cmark_parser_new(cmark.OPTIONS)
    for ext in cmark._native()[0]:
        lib.cmark_parser_attach_syntax_extension(parser, ext)
    lib.cmark_parser_feed(parser, data, len(data))
    root = lib.cmark_parser_finish(parser)
    raw = lib.cmark_render_html(root, cmark.OPTIONS, lib.cmark_parser_get_syntax_extensions(parser))
    return cmark._ffi.string(raw).decode("utf-8", "replace")  # a few bytes leaked: a test only


_PIECES = st.sampled_from(["\x00", "\x01", "\ufffe", "\uffff", "\U0010ffff", "\U0001f600", "a", "ب",
                           " ", "\n", "\r", "\t", "*", "_", "`", "[", "](", ")", "<", ">", "&", "#", "|",
                           "-", "~~", "&#0;", "&#xD800;", "\u200c", "\xa0", "\\", "!", "https://x.y"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=3), max_size=40).map("".join))
def test_text_without_lone_surrogates_skips_the_check_unchanged(text):
    # Strictly encoded text is valid UTF-8, so cmark's check (which only replaces invalid
    # sequences) is skipped for it; the HTML must be what the check would have given.
    assert cmark.to_html(text) == _checked(text)


def test_memory_is_freed():
    # cmarkgfm's own helpers leak the tree and the HTML (about 190 KB per 4 KB article); ours must
    # not. 1,500 renders of a 6 KB text would leak over 250 MB; allow 40 MB of ordinary growth.
    script = (
        "import resource\nfrom digest.cmark import to_html\n"
        "text = ('پاراگراف **پررنگ** و [پیوند](https://example.com) و `کد`.\\n\\n' * 60)\n"
        "to_html(text)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "for _ in range(1500):\n    to_html(text)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent, check=True)
    assert int(done.stdout) < 40 * 1024  # KB
