"""Pages to HTML bytes through Jinja2: one environment per build, filters, template lookup.

Lookup order: the site's own ``templates/`` first, then the packaged defaults; a site template
can extend the default it replaces as ``default:base.html``. Every value is autoescaped, and
article text is only ever passed in as a value, never compiled as a template.
"""

from __future__ import annotations

import sys
import traceback
from io import StringIO
from pathlib import Path
from types import MethodType
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.meta
import jinja2.nodes
import jinja2.runtime
import jinja2.utils
from jinja2.runtime import Macro
import markupsafe

from digest import feeds, jalali
from digest.assemble import Page
from digest.codekey import code_key
from digest.config import Config
from digest.errors import TemplateError
from digest.filters import fa_digits, iso_text, isolate_latin, jday_words, month_words, per_object
from digest.lookup import template_dirs
from digest.fragments import FragmentRun, context_value, fragment
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


try:  # the C escaper behind markupsafe.escape, without its Markup wrapping
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - another markupsafe layout: the public way, same text
    def _escape_inner(text: str) -> str:
        """Escape text through the public API."""
        return str(markupsafe.escape(text))


def escape_output(value: Any) -> str:
    """Escape a value a template prints: ``markupsafe.escape``'s text, not wrapped in a new Markup.

    Printed values are only ever joined into the page, so the Markup object that
    ``markupsafe.escape`` builds around each one (a Python-level ``__new__``, about 80 times
    a page) is wasted work.
    """
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is markupsafe.Markup:   # already HTML (``bidi`` gives these): its own text
        return value
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return _escape_inner(str(value))


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja2's code generator, with printed values escaped by ``escape_output`` and attributes
    read without a Python call where they exist."""

    @jinja2.compiler.optimizeconst
    def visit_Getattr(self, node: Any, frame: Any) -> None:
        """Read ``x.name`` with the builtin ``getattr`` first, else as Jinja2 does (items, undefined)."""
        # Jinja2 writes environment.getattr(x, 'name') for every x.name, a Python call (about 0.2 us;
        # an article page reads some 60 attributes). The builtin answers in C whenever the
        # attribute exists; only a miss goes on to Jinja2's own rules, which try it again and
        # then x['name']. A miss evaluates x twice, so only a plain x (a variable or a short chain
        # of attributes of one: no call can hide in it) is written that way.
        if self.environment.is_async or not _plain(node.node):
            return super().visit_Getattr(node, frame)
        self.write("(")   # written first: any pending line break goes out before the capture
        held, self.stream = self.stream, StringIO()
        try:
            self.visit(node.node, frame)
            inner = self.stream.getvalue()
        finally:
            self.stream = held
        name = repr(node.attr)
        self.write(f"environment.getattr({inner}, {name}) if (_ga := getattr({inner}, {name}, missing))"
                   f" is missing else _ga)")

    def visit_Template(self, node: Any, frame: Any = None) -> None:
        """Compile a template module whose output escaping is ``escape_output``."""
        super().visit_Template(node, frame)
        # The module imported markupsafe's escape by that name; in generated code the name is
        # used only to escape printed values, and functions look it up when they run.
        self.writeline("escape = environment.escape_output")
        self.writeline("escape_text = environment.escape_text")
        if _keeps_to_itself(node):
            self.writeline(f"root.{_SHARES} = True")

    def visit_Include(self, node: Any, frame: Any) -> None:
        """Include a template; one that keeps to itself reads the including page's context as it is."""
        # Jinja2 gives an included template a new context over a copy of the page's names
        # (about 11,000 instructions a page for _publish_head.html). A template that stores no
        # name, defines no block and neither extends nor reads ``self`` sees exactly the same
        # values through the page's own context, so it gets that one, when nothing local to
        # this spot would have been added and the escaping in force is the environment's.
        if not self._may_share(node, frame):
            return super().visit_Include(node, frame)
        self.writeline("template = environment.get_template(", node)
        self.visit(node.template, frame)
        self.write(f", {self.name!r})")
        self.writeline(f"if getattr(template.root_render_func, {_SHARES!r}, False):")
        self.indent()
        self.writeline("yield from template.root_render_func(context)")
        self.outdent()
        self.writeline("else:")   # Jinja2's own include (it looks the loaded template up again)
        self.indent()
        super().visit_Include(node, frame)
        self.outdent()

    def _may_share(self, node: Any, frame: Any) -> bool:
        """Tell whether an include may hand over the page's context (if the template keeps to itself)."""
        escaping = self.environment.autoescape
        return (not self.environment.is_async and node.with_context and not node.ignore_missing
                and frame.buffer is None and isinstance(node.template, jinja2.nodes.Const)
                and isinstance(node.template.value, str) and self.dump_local_context(frame) == "{}"
                and not callable(escaping) and not frame.eval_ctx.volatile
                and frame.eval_ctx.autoescape == escaping)

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        """Open the escaping of a printed value: text and Markup (most values) without a Python call."""
        if not _escapes_plainly(frame, finalize):
            return super()._output_child_pre(node, frame, finalize)
        # escape_output's two common answers, written out: the value is evaluated once (into
        # _ev), then text goes to the C escaper, Markup as it is, anything else to escape().
        self.write("(escape_text(_ev) if (_ev := ")

    def _output_child_post(self, node: Any, frame: Any, finalize: Any) -> None:
        """Close what ``_output_child_pre`` opened."""
        if not _escapes_plainly(frame, finalize):
            return super()._output_child_post(node, frame, finalize)
        self.write(").__class__ is str else _ev if _ev.__class__ is Markup else escape(_ev))")


_SHARES = "digest_shares_context"   # set on the root function of a template that keeps to itself
# What an included template must not contain to share the including page's context: each
# writes to the context (names, exports, blocks) or reads what differs in a new one.
_OWN_CONTEXT = (jinja2.nodes.Assign, jinja2.nodes.AssignBlock, jinja2.nodes.Macro, jinja2.nodes.Import,
                jinja2.nodes.FromImport, jinja2.nodes.Extends, jinja2.nodes.Block,
                jinja2.nodes.EvalContextModifier)


def _keeps_to_itself(node: Any) -> bool:
    """Tell whether a template, included, would see the same as in a new context of its own."""
    return (next(node.find_all(_OWN_CONTEXT), None) is None
            and not jinja2.compiler.find_undeclared(node.body, ("self",)))


def _escapes_plainly(frame: Any, finalize: Any) -> bool:
    """Tell whether printed values here are always escaped, with no ``finalize`` around them."""
    return not frame.eval_ctx.volatile and frame.eval_ctx.autoescape and finalize.src is None


def _plain(node: Any, depth: int = 3) -> bool:
    """Tell whether an expression is a variable or a chain of at most ``depth`` attributes of one."""
    while isinstance(node, jinja2.nodes.Getattr) and depth:   # (each level doubles the code)
        node, depth = node.node, depth - 1
    return isinstance(node, jinja2.nodes.Name)


_new_eval_context = object.__new__
_EMPTY: frozenset[str] = frozenset()


def _names_of(environment: Any, globals: Any) -> frozenset[str]:  # noqa: A002 - Jinja2's name
    """Return the names of a template's globals, found once per globals mapping."""
    # Each template's globals are a dict of its own (``make_globals``), set before it loads;
    # a name added later still shows, as the size then differs.
    known = environment.__dict__.get("_global_names")
    if known is None:
        known = environment._global_names = {}
    held = known.get(id(globals))
    if held is None or held[0] is not globals or len(held[1]) != len(globals):
        held = known[id(globals)] = (globals, frozenset(globals))   # (holding it keeps its id)
    return held[1]


class _Context(jinja2.runtime.Context):
    """Jinja2's template context, calling macros, methods and the ``fragment`` global without its checks."""

    def __init__(self, environment: Any, parent: dict, name: str | None, blocks: dict,
                 globals: Any = None):   # noqa: A002 - Jinja2's signature
        """Set up a context as Jinja2 does, with the evaluation context and global names made cheaply."""
        # Two contexts a page (the page's and its include's) cost about 14,000 instructions
        # each in Jinja2's own __init__; most of it went to a set of the globals' names, built
        # anew for every context and only ever read (by imports, to compare with a template's
        # globals), and to EvalContext's __init__.
        self.parent = parent
        self.vars = {}
        self.environment = environment
        self.eval_ctx = evaluation = _new_eval_context(jinja2.nodes.EvalContext)
        evaluation.environment, evaluation.volatile = environment, False
        escaping = environment.autoescape
        evaluation.autoescape = escaping(name) if callable(escaping) else escaping
        self.exported_vars = set()
        self.name = name
        self.globals_keys = _EMPTY if globals is None else _names_of(environment, globals)
        self.blocks = {k: [v] for k, v in blocks.items()} if blocks else {}

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja2's signature
        """Call ``__obj`` from a template as Jinja2 does, sooner for the calls pages make most."""
        # Jinja2 looks for a pass_context mark on the callable and on its __call__ (about 1 us a
        # call; a day page calls a macro for every card). A macro or a method bearing no mark
        # gets what Jinja2 would give it: the arguments, less the block and loop variables that
        # only a marked callable receives. The fragment global takes this context, when there
        # are no block or loop variables that Jinja2 would add to a context of its own.
        kind = type(__obj)
        if kind is Macro or (kind is MethodType and not hasattr(__obj, "jinja_pass_arg")):
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        if __obj is fragment and "_block_vars" not in kwargs and "_loop_vars" not in kwargs:
            return fragment(__self, *args, **kwargs)
        return super().call(__obj, *args, **kwargs)


class RecordingEnvironment(jinja2.Environment):
    """A Jinja2 environment that notes every template name loaded while ``loaded`` is a set.

    Extends, includes and imports all load through ``_load_template``, so a page's record lists
    every template file its output depends on.
    """

    loaded: set[str] | None = None
    code_generator_class = _CodeGenerator
    context_class = _Context
    escape_output = staticmethod(escape_output)
    escape_text = staticmethod(_escape_inner)
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
