"""Jinja2's code generator and template context, made to run our pages with fewer Python calls.

The generated code and the contexts give what Jinja2's own give (tests/test_jinjafast.py compares
them with plain Jinja2, case by case), with attributes read by the builtin ``getattr`` first,
printed text and Markup escaped in place, an include that keeps to itself run in the page's own
context, and contexts set up without a set of the globals' names per page.
``render.RecordingEnvironment`` uses both; see docs/performance.md for the counts.
"""

from __future__ import annotations

from io import StringIO
from types import MethodType
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.nodes
import jinja2.runtime
from jinja2.runtime import Macro
import markupsafe

from digest.fragments import fragment


try:  # the C escaper behind markupsafe.escape, without its Markup wrapping
    from markupsafe import _escape_inner as escape_inner
except ImportError:  # pragma: no cover - another markupsafe layout: the public way, same text
    def escape_inner(text: str) -> str:
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
        return escape_inner(value)
    if kind is markupsafe.Markup:   # already HTML (``bidi`` gives these): its own text
        return value
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return escape_inner(str(value))


class CodeGenerator(jinja2.compiler.CodeGenerator):
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


class Context(jinja2.runtime.Context):
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
