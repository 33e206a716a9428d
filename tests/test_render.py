"""Rendering: relative links, Latin isolation and escaping of template values, shared fragments,
template lookup and errors."""

from __future__ import annotations

import jinja2
import markupsafe
import pytest
from hypothesis import given, strategies as st

from digest.build import build
from digest.errors import TemplateError
from digest.render import RecordingEnvironment, escape_output, isolate_latin, relative_url
from tests.conftest import article
from tests.test_filters import filters_env


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


@given(st.one_of(st.text(), st.integers(), st.none(), st.builds(markupsafe.Markup, st.text())))
def test_printed_values_are_escaped_exactly_as_markupsafe_does(value):
    assert escape_output(value) == str(markupsafe.escape(value))
    assert isinstance(escape_output(value), str)


def test_an_object_with_html_prints_its_html_unescaped():
    class Shown:
        def __html__(self):
            return "<b>پررنگ</b>"

    assert escape_output(Shown()) == "<b>پررنگ</b>"


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


CALLS = (
    '{% macro box(x) %}[{{ x }}]{% endmacro %}{% macro wrap(x) %}({{ x }}:{{ caller() }}){% endmacro %}'
    '{% for d in days %}{{ box(d.iso()) }}{% call wrap(loop.index) %}{{ d.iso() }}{% endcall %}{% endfor %}'
    '{% set seen = "بیرون" %}{{ where() }}'
    '{% for n in [1] %}{% set seen = "درون" %}{{ where() }}{% endfor %}')


def test_template_calls_get_what_jinja2_would_give_them(tmp_path):
    # Macros and methods are called without Jinja2's pass_context checks; a callable that takes
    # the context must still see the variables set around the call.
    from digest import jalali

    @jinja2.pass_context
    def where(context):
        return context.get("seen")

    days = [jalali.JDate(1403, 9, 2), jalali.JDate(1403, 12, 29)]
    ours = filters_env(tmp_path)
    plain = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    for env in (ours, plain):
        env.globals["where"] = where
    expected = plain.from_string(CALLS).render(days=days)
    assert "[2024-11-22]" in expected and "درون" in expected
    assert ours.from_string(CALLS).render(days=days) == expected


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


class _Odd:
    """An object whose attributes come and go: a property failing inside, items beside attributes."""

    plain = "attribute"

    @property
    def broken(self):
        """Fail as a missing attribute would."""
        raise AttributeError("inside")

    def __getitem__(self, key):
        return f"item {key}"


@pytest.mark.parametrize("expression", [
    "o.plain", "o.broken", "o.other", "d.key", "d.items", "d.nested.deeper", "d.nested.deeper.upper()",
    "l.real", "w.a.b.c.d.e", "(d.nested).deeper", "d.get('key').upper",
])
def test_attributes_read_as_jinja2_reads_them(expression):
    # The generated code tries the builtin getattr first; every outcome must be Jinja2's own.
    values = {"o": _Odd(), "d": {"key": "value", "nested": {"deeper": "x"}}, "l": [1],
              "w": {"a": {"b": {"c": {"d": {"e": "deep"}}}}}}
    results = []
    for kind in (RecordingEnvironment, jinja2.Environment):
        env = kind(undefined=jinja2.StrictUndefined)
        try:
            results.append(env.from_string("{{ " + expression + " }}").render(values))
        except jinja2.UndefinedError as err:
            results.append(f"undefined: {err}")
    assert results[0] == results[1]


def test_an_undefined_variable_still_fails_where_it_is_read():
    with pytest.raises(jinja2.UndefinedError, match="'nothing' is undefined"):
        RecordingEnvironment(undefined=jinja2.StrictUndefined).from_string("{{ nothing.title }}").render()


class _Html:
    """An object that gives its own HTML."""

    def __html__(self):
        return "<i>own</i>"


class _Text(str):
    """A str subclass (not Markup): escaped like text."""


@pytest.mark.parametrize("value", [
    "a < b & \"c\"", markupsafe.Markup("<b>kept</b>"), 42, 1.5, None, True, _Html(), _Text("<x>"), ["<li>"],
])
def test_printed_values_are_escaped_as_jinja2_escapes_them(value):
    # Text and Markup skip the escaping call in the generated code; every value prints as before.
    pages = [kind(autoescape=True).from_string("[{{ v }}|{{ v }}{{ 'x' }}]").render(v=value)
             for kind in (RecordingEnvironment, jinja2.Environment)]
    assert pages[0] == pages[1]


def test_printing_an_undefined_value_still_fails():
    env = RecordingEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nothing }}").render()


@pytest.mark.parametrize("autoescape", [True, False, jinja2.select_autoescape(["html"])])
def test_a_context_is_set_up_as_jinja2_sets_it_up(autoescape):
    # RecordingEnvironment's contexts build their evaluation context and global names their
    # own way; every attribute must hold what Jinja2's own Context.__init__ gives.
    loader = jinja2.DictLoader({"page.html": "{% block a %}{% endblock %}{% block b %}{% endblock %}",
                                "page.txt": "plain"})
    env = RecordingEnvironment(loader=loader, autoescape=autoescape)
    env.globals["extra"] = 1
    for name in ("page.html", "page.txt"):
        template = env.get_template(name)
        ours = template.new_context({"x": 1})
        theirs = jinja2.runtime.Context(env, ours.parent, name, template.blocks, template.globals)
        for attr in ("parent", "vars", "name", "blocks", "exported_vars", "globals_keys"):
            assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert ours.eval_ctx.__dict__ == theirs.eval_ctx.__dict__
        if template.blocks:   # lists of their own: an extending template appends to them
            assert ours.blocks["a"] is not theirs.blocks["a"]
        template.globals["later"] = 2   # a global added after loading still counts
        assert "later" in template.new_context({}).globals_keys


def test_imports_with_context_see_the_page_globals():
    # Jinja2 compares a context's global names with the imported template's to decide whether
    # its cached module may be reused; the names now come from a remembered frozenset.
    loader = jinja2.DictLoader({"m.html": "{% macro show() %}{{ g }}{% endmacro %}",
                                "page.html": "{% import 'm.html' as m with context %}{{ m.show() }}"})
    outputs = []
    for kind in (RecordingEnvironment, jinja2.Environment):
        env = kind(loader=loader)
        env.get_template("m.html")
        outputs.append([env.get_template("page.html", globals={"g": value}).render() for value in ("a", "b")])
    assert outputs[0] == outputs[1]


_INCLUDED = {
    "plain.html": "[{{ name }}|{{ shown|default('-') }}{% for i in items %}{{ i }}{% endfor %}]",
    "sets.html": "{% set name = 'درون' %}({{ name }})",
    "macro.html": "{% macro m() %}ماکرو{% endmacro %}{{ m() }}",
    "blocks.html": "{% block b %}بلوک {{ name }}{% endblock %}",
    "self.html": "{{ self.b() if self.b is defined else '' }}",
    "imports.html": "{% from 'macro.html' import m %}{{ m() }}",
    "nested.html": "<{% include 'plain.html' %}>",
}
_INCLUDERS = {   # INNER: the included template's name, written in as a constant (as pages do)
    "root.html": "{% set shown = 'بیرون' %}{% include INNER %}{{ name }}{% include 'plain.html' %}",
    "inblock.html": "{% extends 'base.html' %}{% block b %}{% include INNER %}{{ name }}{% endblock %}"
                    "{% block c %}{{ name }}{% include 'plain.html' %}{% endblock %}",
    "inloop.html": "{% for name in ['x'] %}{% include INNER %}{% endfor %}{{ name }}",
    "noescape.html": "{% autoescape false %}{% include INNER %}{% endautoescape %}{% include 'plain.html' %}",
}
_BASE = "<{% block b %}{% endblock %}|{% block c %}{% endblock %}>"


@pytest.mark.parametrize("inner", sorted(_INCLUDED))
@pytest.mark.parametrize("outer", sorted(_INCLUDERS))
def test_an_included_template_sees_what_jinja2_shows_it(inner, outer):
    # An included template that keeps to itself runs in the including page's own context;
    # others get Jinja2's new one. Either way the page must be plain Jinja2's.
    templates = {**_INCLUDED, "base.html": _BASE, outer: _INCLUDERS[outer].replace("INNER", repr(inner))}
    pages = []
    for kind in (RecordingEnvironment, jinja2.Environment):
        env = kind(loader=jinja2.DictLoader(templates), autoescape=True)
        try:
            pages.append(env.get_template(outer).render(name="<نام>", items=[1, 2]))
        except Exception as err:  # noqa: BLE001 - the same failure counts as the same answer
            pages.append(f"{type(err).__name__}: {err}")
    assert pages[0] == pages[1]


def test_only_a_template_that_keeps_to_itself_shares_the_context():
    env = RecordingEnvironment(loader=jinja2.DictLoader(_INCLUDED), autoescape=True)
    sharing = {name for name in _INCLUDED
               if getattr(env.get_template(name).root_render_func, "digest_shares_context", False)}
    assert sharing == {"plain.html", "nested.html"}
