"""Jinja2's faster code generator and template context (digest/jinjafast.py): every template gives
what plain Jinja2 gives it: printed values, attributes, calls, contexts and includes."""

from __future__ import annotations

import jinja2
import markupsafe
import pytest
from hypothesis import given, strategies as st

from digest.jinjafast import escape_output
from digest.render import RecordingEnvironment
from tests.test_filters import filters_env


@given(st.one_of(st.text(), st.integers(), st.none(), st.builds(markupsafe.Markup, st.text())))
def test_printed_values_are_escaped_exactly_as_markupsafe_does(value):
    assert escape_output(value) == str(markupsafe.escape(value))
    assert isinstance(escape_output(value), str)


def test_an_object_with_html_prints_its_html_unescaped():
    class Shown:
        def __html__(self):
            return "<b>پررنگ</b>"

    assert escape_output(Shown()) == "<b>پررنگ</b>"


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
