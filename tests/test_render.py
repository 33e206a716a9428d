"""Rendering: relative links, Latin isolation, shared fragments, template lookup, preloading and
errors (the code generator's own tests are in test_jinjafast.py)."""

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


MARKING_MASTHEAD = (
    '{% for t in site.topics %}<a href="{{ t.url|url }}"{% if t.url|url == "./" %} aria-current="page"'
    '{% endif %}>{{ t.name }}</a>\n{% endfor %}')


def test_a_shared_fragment_is_drawn_for_each_page_s_own_links(site_dir):
    # Topic pages sit at the same depth; a fragment that marks the current topic must differ
    # on each of them although it is rendered once and reused where the links are the same.
    root = site_dir({
        "content/a.md": article("الف", topic="سیاست", id="a"),
        "content/b.md": article("ب", topic="ورزش", id="b"),
        "content/c.md": article("پ", "1403-09-03T10:00", topic="اقتصاد", id="c"),
        "templates/_masthead.html": MARKING_MASTHEAD,
    })
    result = build(root)
    for topic in result.site.topics:
        html = (root / "site" / topic.url.strip("/") / "index.html").read_text(encoding="utf-8")
        assert html.count('aria-current="page"') == 1
        assert f'<a href="./" aria-current="page">{topic.name}</a>' in html
    for a in ("1403/09/02/a", "1403/09/02/b", "1403/09/03/c"):
        html = (root / "site" / a / "index.html").read_text(encoding="utf-8")
        assert 'aria-current' not in html and 'href="../../../../topics/' in html
    html = (root / "site/404.html").read_text(encoding="utf-8")
    assert 'href="/topics/' in html   # the 404 page links absolutely, fragment included


def test_a_fragment_drawn_with_values_differs_for_each_value_and_each_place(site_dir):
    # The default head draws its feed links as a fragment keyed by the page's topic: pages of
    # one topic share it, pages of another topic or at another depth get their own links.
    root = site_dir({
        "content/a.md": article("الف", topic="سیاست", id="a"),
        "content/b.md": article("ب", topic="ورزش", id="b"),
        "content/c.md": article("پ", topic="سیاست", id="c"),
        "digest.toml": 'title = "خبرنامه"\n[feeds]\ntopics = true\njson = false\n',
    })
    result = build(root)
    slugs = {t.name: t.slug for t in result.site.topics}
    pages = {"a": "سیاست", "b": "ورزش", "c": "سیاست"}
    for name, topic in pages.items():
        html = (root / "site/1403/09/02" / name / "index.html").read_text(encoding="utf-8")
        feeds = [line for line in html.splitlines() if 'rel="alternate"' in line]
        assert feeds == [
            '<link rel="alternate" type="application/atom+xml" title="خبرنامه" href="../../../../feed.xml">',
            f'<link rel="alternate" type="application/atom+xml" title="{topic} · خبرنامه" '
            f'href="../../../../topics/{slugs[topic]}/feed.xml">']
    day = (root / "site/1403/09/02/index.html").read_text(encoding="utf-8")
    assert [line for line in day.splitlines() if 'rel="alternate"' in line] == [
        '<link rel="alternate" type="application/atom+xml" title="خبرنامه" href="../../../feed.xml">']
    topic = (root / "site/topics" / slugs["ورزش"] / "index.html").read_text(encoding="utf-8")
    assert 'title="ورزش · خبرنامه" href="feed.xml"' in topic


def test_a_fragment_that_reads_the_page_url_is_refused_with_its_file(site_dir):
    root = site_dir({"content/a.md": article(id="a"), "templates/_footer.html": "{{ page_url }}\n"})
    with pytest.raises(TemplateError) as caught:
        build(root)
    assert str(caught.value.path).endswith("_footer.html") and "page_url" in str(caught.value)


def test_compiled_templates_are_cached_under_this_code_generator_s_name(site_dir):
    # Jinja2 keys cached bytecode by template source only; ours is named after the code version
    # (which covers the module holding our generator), so another version's code is never loaded.
    from digest.codekey import code_key

    root = site_dir({"content/a.md": article(id="a")})
    build(root)
    names = [p.name for p in (root / ".digest-cache" / "jinja").iterdir()]
    assert names and all(n.startswith(f"__digest_{code_key()[:16]}_") for n in names)


def test_preload_loads_what_the_page_templates_name_and_leaves_broken_ones(site_dir):
    # Render workers fork after preload: every template a page reaches must be loaded already,
    # while a broken template is left for the page that uses it to report.
    from digest.config import load
    from digest.render import environment, preload

    root = site_dir({"content/a.md": article(id="a"), "templates/broken.html": "{% if %}\n"})
    env = environment(load(root), None)
    preload(env, {"article.html", "broken.html", "missing.html"})
    held = set(env._by_name[1])
    assert {"article.html", "base.html", "_publish_head.html", "_masthead.html", "_footer.html"} <= held
    assert "day.html" not in held and "broken.html" not in held


def test_preloaded_templates_record_the_same_names_for_a_page(site_dir):
    from digest.assemble import plan
    from digest.config import load
    from digest.render import environment, preload, render_recorded

    root = site_dir({"content/a.md": article(id="a"), "content/b.md": article(id="b", topic="ورزش")})
    result = build(root)
    config = load(root)
    pages = plan(result.site, config)
    shared = {"site": result.site, "config": config}
    warm = environment(config, None)
    preload(warm, {p.template for p in pages})
    cold = environment(config, None)
    for page in pages:
        assert render_recorded(warm, page, shared) == render_recorded(cold, page, shared)
