"""Pages to HTML bytes through Jinja2: one environment per build, filters, template lookup.

Lookup order: the site's own ``templates/`` first, then the packaged defaults; a site template
can extend the default it replaces as ``default:base.html``. Every value is autoescaped, and
article text is only ever passed in as a value, never compiled as a template.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes
import jinja2.utils

from digest import feeds, jalali
from digest.assemble import Page
from digest.codekey import code_key
from digest.config import Config
from digest.errors import TemplateError
from digest.filters import fa_digits, iso_text, isolate_latin, jday_words, month_words, per_object
from digest.lookup import template_dirs
from digest.fragments import FragmentRun, context_value, fragment
from digest.jinjafast import CodeGenerator, Context, escape_inner, escape_output
from digest.urls import relative_url


def _link(config: Config, page_url: str, absolute: Any, target: str) -> str:
    """Return the link to ``target`` from ``page_url`` (base-path absolute with ``absolute``)."""
    if absolute:
        return config.base_path + target.lstrip("/")
    return relative_url(page_url, target)


@jinja2.pass_context
def _url(context: Any, target: str) -> str:
    """Jinja filter: link to a site path from the page being rendered (absolute on the 404 page)."""
    run = context.environment.fragment_run
    if run is not None:   # inside a shared fragment: link from the page it is drawn for, and note it
        run.targets.append(target)
        return _link(context_value(context, "config"), run.page_url, run.absolute, target)
    found = context.vars
    if "page_url" not in found and "absolute_urls" not in found:   # neither set by the template
        parent = context.parent
        if not parent.get("absolute_urls"):
            return relative_url(parent.get("page_url"), target)
    return _link(context_value(context, "config"), context_value(context, "page_url"), context_value(context, "absolute_urls"), target)


@jinja2.pass_context
def _absolute(context: Any, target: str) -> str:
    """Jinja filter: a site path as an absolute URL (base_url must name a host; see config.site_url)."""
    config = context["config"]
    return (config.site_url or config.base_path) + target.lstrip("/")


class RecordingEnvironment(jinja2.Environment):
    """A Jinja2 environment that notes every template name loaded while ``loaded`` is a set.

    Extends, includes and imports all load through ``_load_template``, so a page's record lists
    every template file its output depends on.
    """

    loaded: set[str] | None = None
    code_generator_class = CodeGenerator
    context_class = Context
    escape_output = staticmethod(escape_output)
    escape_text = staticmethod(escape_inner)
    fragment_run: FragmentRun | None = None      # set while a shared fragment renders
    _fragments: tuple[Any, Any, dict] | None = None  # (site, config, {name: {targets: (reach, {place: ...})}})
    _by_name: tuple[Any, dict[str, jinja2.Template]] | None = None   # (owner, loaded templates)

    def fragment_cache(self, site: Any, config: Any) -> dict:
        """Return the rendered fragments of this site and config (a new site starts empty)."""
        held = self._fragments
        if held is None or held[0] is not site or held[1] is not config:
            held = self._fragments = (site, config, {})
        return held[2]

    def make_globals(self, d: Any) -> dict[str, Any]:
        """Return a template's globals as one plain dict over the environment's.

        Jinja2 makes a ChainMap, which every render walks in Python (to copy it into the page's
        context and to list its names); ``environment()`` sets every global before any template
        is loaded, so a copy sees the same values.
        """
        return {**self.globals, **(d or {})}

    def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
        """Parse a template, noting the templates it names (extends, include, import, fragment) for ``preload``."""
        tree = super()._parse(source, name, filename)
        if name is not None:
            refs = [n for n in jinja2.meta.find_referenced_templates(tree) if n is not None]
            refs += [call.args[0].value for call in tree.find_all(jinja2.nodes.Call)
                     if isinstance(call.node, jinja2.nodes.Name) and call.node.name == "fragment"
                     and call.args and isinstance(call.args[0], jinja2.nodes.Const)]
            self.__dict__.setdefault("references", {})[name] = refs
        return tree

    @jinja2.utils.internalcode   # left out of template tracebacks, as Jinja2's own is
    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        """Return a loaded template by name at once (three a page: the page's, ``extends``, include)."""
        # Jinja2 goes through join_path and _load_template, two more Python calls each time.
        held = self._by_name
        if (globals is None and held is not None and held[0] is self and type(name) is str
                and (parent is None or type(self).join_path is jinja2.Environment.join_path)):
            found = held[1].get(name)
            if found is not None:
                if self.loaded is not None:
                    self.loaded.add(name)
                return found
        return super().get_template(name, parent, globals)

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:
        """Load a template, recording its name."""
        if self.loaded is not None:
            self.loaded.add(name)
        # A page loads three or four templates; Jinja2's cache makes a weak reference and takes
        # a lock for each. Templates never reload (auto_reload is off), so a dict of this
        # environment's own (an overlay copies attributes, hence the owner check) answers.
        held = self._by_name
        if held is None or held[0] is not self:
            held = self._by_name = (self, {})
        found = held[1].get(name)
        if found is None or globals:
            found = held[1][name] = super()._load_template(name, globals)
        return found


def environment(config: Config, cache_dir: Path | None = None) -> RecordingEnvironment:
    """Make the Jinja2 environment for one build."""
    dirs = template_dirs(config)
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(dirs[-1]))}, delimiter=":"),
        jinja2.FileSystemLoader([str(d) for d in dirs]),
    ])
    cache = None
    if cache_dir is not None:
        (cache_dir / "jinja").mkdir(parents=True, exist_ok=True)
        # Named apart from bytecode that Jinja2's own code generator, or another version of ours
        # (this module holds it), made for the same source: Jinja2 keys it by the source only.
        cache = jinja2.FileSystemBytecodeCache(str(cache_dir / "jinja"), f"__digest_{code_key()[:16]}_%s.cache")
    env = RecordingEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, bytecode_cache=cache,
                             auto_reload=False)
    env.filters.update({
        "fa": fa_digits, "bidi": isolate_latin, "jday": jday_words, "jmonth": month_words, "url": _url,
        "absolute": _absolute,
        # An article's time is shown on its page, its day and its topic page: formatted once.
        "time": per_object(jalali.format_time), "iso": per_object(iso_text),
    })
    env.globals.update({
        "weekdays": jalali.WEEKDAYS, "weekdays_short": jalali.WEEKDAYS_SHORT,
        "months": jalali.MONTHS, "feeds": feeds.settings(config), "fragment": fragment,
    })
    return env


def preload(env: RecordingEnvironment, names: set[str]) -> None:
    """Load the templates ``names`` and every template they name, so forked workers inherit them.

    A template that fails to load is left for the page that uses it to report. Templates found
    in the bytecode cache are not parsed, so what they name loads later, when a page asks.
    """
    todo, seen = sorted(names), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            env.get_template(name)
        except Exception:   # noqa: BLE001 - reported, with its page, when that page renders
            continue
        todo.extend(getattr(env, "references", {}).get(name, ()))


def render_recorded(env: RecordingEnvironment, page: Page, shared: dict[str, Any]
                    ) -> tuple[bytes, tuple[str, ...]]:
    """Render one page and return its bytes and the names of every template it loaded."""
    env.loaded = set()
    try:
        return render_page(env, page, shared), tuple(sorted(env.loaded))
    finally:
        env.loaded = None


def render_page(env: jinja2.Environment, page: Page, shared: dict[str, Any]) -> bytes:
    """Render one page."""
    try:
        template = env.get_template(page.template)
        # Template.render's own steps, with the page's variables copied once instead of three times.
        context = env.context_class(env, {**template.globals, **shared, **page.context, "page_url": page.url},
                                    template.name, template.blocks, template.globals)
        try:
            html = env.concat(template.root_render_func(context))
        except Exception:  # noqa: BLE001 - Jinja2's way: the traceback rewritten to template lines
            env.handle_exception()
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"template syntax: {err.message}", path=err.filename or err.name,
                            line=err.lineno) from None
    except jinja2.TemplateNotFound as err:
        raise TemplateError(f"template {err.name!r} not found while rendering {page.url}",
                            hint=f"looked in {', '.join(map(str, _dirs(env)))}") from None
    except Exception as err:  # a runtime error inside a template: find the template line
        path, line = _template_frame(err)
        raise TemplateError(f"{type(err).__name__} while rendering {page.url}: {err}",
                            path=path, line=line) from None
    return html.encode("utf-8")


def _dirs(env: jinja2.Environment) -> list[str]:
    """Return every folder the environment looks in."""
    return [p for ldr in env.loader.loaders if isinstance(ldr, jinja2.FileSystemLoader)
            for p in ldr.searchpath]


def _template_frame(err: BaseException) -> tuple[str | None, int | None]:
    """Return the innermost template file and line in an exception's traceback."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(sys.exc_info()[2] or err.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (frame.filename, frame.lineno)
    return found
