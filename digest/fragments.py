"""Shared fragments: a template drawn once per set of links and reused on every page it fits.

See ``fragment`` and docs/templates.md. The ``url`` filter (``digest.render``) notes the targets a
fragment links to while it renders, through ``environment.fragment_run``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2
import markupsafe

from digest.urls import depth, page_folders, place

if TYPE_CHECKING:
    from digest.render import RecordingEnvironment


def context_value(context: Any, name: str) -> Any:
    """Return a template variable as ``context.get`` does, without its three method calls."""
    # The filter runs about 30 times a page: Jinja's lookup chain was a quarter of its cost.
    found = context.vars
    if name in found:
        return found[name]
    return context.parent.get(name)


class FragmentRun:
    """A shared fragment being rendered: the page it is drawn for and the link targets it asked for."""

    __slots__ = ("page_url", "absolute", "targets")

    def __init__(self, page_url: str, absolute: Any):
        self.page_url, self.absolute, self.targets = page_url, absolute, []


@jinja2.pass_context
def fragment(context: Any, name: str, **values: Any) -> markupsafe.Markup:
    """Template global: the output of template ``name`` drawn for this page, rendered once per link set.

    The fragment gets only ``site``, ``config``, the globals and the ``values`` passed to it, and
    reaches the page only through the ``url`` filter, so its output is a function of those values
    (by identity) and of the links the filter gave it: every time it is rendered, the targets it
    asked for are noted, and a later page with the same values whose links to those same targets
    are sure to be equal (the same ``urls.place``, or both absolute) gets the same text without
    rendering: the topic navigation is drawn about once per month folder instead of once per
    page. Templates it loads are recorded for the page each time, as if it had been rendered.
    """
    env = context.environment
    outer = env.fragment_run
    if outer is not None:   # a fragment inside a fragment: part of the outer one's rendering
        return _render_fragment(env, name, context, outer, values)
    # The lookup runs three times a page; it is written out (no helper calls) where it can be.
    if context.vars:   # names the template set itself come first, as in _value
        site, config = context_value(context, "site"), context_value(context, "config")
        page_url, absolute = context_value(context, "page_url"), context_value(context, "absolute_urls")
    else:
        given = context.parent
        site, config = given.get("site"), given.get("config")
        page_url, absolute = given.get("page_url"), given.get("absolute_urls")
    held = env._fragments
    cache = held[2] if held is not None and held[0] is site and held[1] is config else env.fragment_cache(site, config)
    if not values:
        key: Any = name
    elif len(values) == 1:
        key = (name, *[(k, id(v)) for k, v in values.items()])
    else:
        key = (name, *sorted((k, id(v)) for k, v in values.items()))
    variants = cache.get(key)
    if variants is None:
        variants = cache[key] = {}
        if values:   # held while the cache lives, so that no other object can take their ids
            cache.setdefault(None, []).append(values)
    if variants:
        folders = None if absolute else page_folders(page_url)
        for reach, by_place in variants.values():
            # urls.place(page_url, reach), from the page's folders found once
            found = by_place.get(True if absolute else (len(folders), folders[:reach]))
            if found is not None:
                if env.loaded is not None:
                    env.loaded.update(found[1])
                return found[0]
    run = FragmentRun(page_url, absolute)
    loaded, env.loaded = env.loaded, set()
    try:
        html = _render_fragment(env, name, context, run, values)
        names = frozenset(env.loaded)
    finally:
        env.loaded = loaded
    if loaded is not None:
        loaded.update(names)
    # Pages at the same place (urls.place) get the same links to these targets, so the same text.
    targets = tuple(run.targets)
    reach = max(map(depth, targets), default=0)
    variants.setdefault(targets, (reach, {}))[1][True if absolute else place(page_url, reach)] = (html, names)
    return html


def _render_fragment(env: RecordingEnvironment, name: str, context: Any, run: FragmentRun,
                     values: dict[str, Any]) -> markupsafe.Markup:
    """Render template ``name`` with the page's site and config and ``values``, its links going through ``run``."""
    outer, env.fragment_run = env.fragment_run, run
    try:
        text = env.get_template(name).render(values, site=context_value(context, "site"), config=context_value(context, "config"))
    finally:
        env.fragment_run = outer
    return markupsafe.Markup(text)
