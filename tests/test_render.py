"""Rendering: relative links, Latin isolation in template values, template lookup and errors."""

from __future__ import annotations

import pytest

from digest.build import build
from digest.errors import TemplateError
from digest.render import isolate_latin, relative_url
from tests.conftest import article


@pytest.mark.parametrize("frm, to, expected", [
    ("/", "/topics/", "topics/"),
    ("/", "/", "./"),
    ("/1403/09/02/x/", "/topics/world/", "../../../../topics/world/"),
    ("/1403/09/02/x/", "/1403/09/02/", "../"),
    ("/1403/09/02/", "/1403/09/02/y/", "y/"),
    ("/topics/a/page/2/", "/static/site.css", "../../../../static/site.css"),
    ("/404.html", "/static/site.css", "static/site.css"),
    ("/1403/", "https://example.com/", "https://example.com/"),
])
def test_relative_url(frm, to, expected):
    assert relative_url(frm, to) == expected


def test_bidi_isolates_latin_and_escapes():
    assert str(isolate_latin("گفت‌وگو با BBC News & <b>")) == (
        'گفت‌وگو با <bdi dir="ltr" lang="en">BBC News</bdi> &amp; &lt;<bdi dir="ltr" lang="en">b</bdi>&gt;')
    assert str(isolate_latin("فقط فارسی")) == "فقط فارسی"


def test_site_template_overrides_one_file_and_can_extend_the_default(site_dir):
    root = site_dir({
        "content/a.md": article("الف", id="a"),
        "templates/article.html": '{% extends "default:article.html" %}\n'
                                  '{% block title %}ویژه: {{ article.title }}{% endblock %}\n',
    })
    build(root)
    html = (root / "site/1403/09/02/a/index.html").read_text(encoding="utf-8")
    assert "<title>ویژه: الف</title>" in html
    assert 'class="prose"' in html           # the rest still comes from the default


def test_template_syntax_error_names_file_and_line(site_dir):
    root = site_dir({"content/a.md": article(), "templates/day.html": "line one\n{% if %}\n"})
    with pytest.raises(TemplateError) as caught:
        build(root)
    assert str(caught.value.path).endswith("day.html") and caught.value.line == 2


def test_pages_are_rtl_persian_and_use_persian_digits(site_dir):
    root = site_dir({"content/a.md": article("الف", "1403-09-02T19:45", id="a")})
    build(root)
    html = (root / "site/1403/09/02/a/index.html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in html
    assert '<time datetime="2024-11-22T19:45:00+03:30">جمعه ۲ آذر ۱۴۰۳، ساعت ۱۹:۴۵</time>' in html
    assert "<script" not in html
