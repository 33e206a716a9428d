"""Front matter: the ``key: value`` lines between ``---`` lines at the top of a Markdown article.

Simple front matter (the usual kind) is read by ``simple_front_matter`` without YAML; anything
else by a restricted YAML loader where every scalar stays a string. Problems raise LineError
with the line, before the reader attaches the file name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


class LineError(ValueError):
    """A reader problem at a line, before the file name is attached."""

    def __init__(self, line: int | None, message: str, hint: str | None = None):
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


@lru_cache(maxsize=1)
def _loader() -> type:
    """Return our YAML loader class (PyYAML is imported only when some front matter needs it)."""
    import yaml

    try:  # the C parser is several times faster; the pure-Python one behaves the same
        base = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - PyYAML built without libyaml
        base = yaml.SafeLoader

    class FrontMatterLoader(base):
        """Safe YAML where every plain scalar stays a string: our schema, not YAML 1.1, decides types.

        So ``draft: no`` is the text "no" (coerced below), ``id: 1.10`` stays "1.10", and an impossible
        ``date: 2024-02-30`` reaches our date parser instead of raising inside PyYAML.
        """

        yaml_implicit_resolvers: dict = {}

        def construct_document(self, node):
            """Refuse anchors and aliases (no article needs them; alias bombs abuse them), then build."""
            seen: set[int] = set()
            stack = [node]
            while stack:
                current = stack.pop()
                if id(current) in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, "aliases (*name) are not allowed in front matter", current.start_mark)
                seen.add(id(current))
                if isinstance(current, yaml.MappingNode):
                    stack.extend(n for pair in current.value for n in pair)
                elif isinstance(current, yaml.SequenceNode):
                    stack.extend(current.value)
            return super().construct_document(node)

        def construct_mapping(self, node, deep=False):
            """Build a mapping, remembering each key's line and warning about duplicate keys."""
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line
                if isinstance(key, str):
                    if key in seen:
                        self.duplicates.append((key, line))
                    seen[key] = line
            if not self.key_lines:
                self.key_lines.update({k: v for k, v in seen.items() if isinstance(k, str)})
            return super().construct_mapping(node, deep=deep)
    return FrontMatterLoader


# Front matter as most articles write it: one ``key: value`` per line, the value plain, quoted
# without escapes, or a flow list of plain items; or a block list (``key:`` then ``- item`` lines,
# as ``digest import`` writes tags). Such text means the same to YAML as to
# ``simple_front_matter`` (tests/test_frontmatter.py checks the two agree), which reads it about ten
# times faster than the YAML loader builds a document. Anything else goes to YAML.
# (The runs of ordinary characters are possessive, ``++``: nothing after a value could take back
# one of them, and the engine then steps over a run at once instead of a character at a time.)
_PLAIN = r"[^-?:,\[\]{}#&*!|>'\"%@`\s](?:[^:#\s]++|:(?=\S)|(?<=\S)#|[ ](?=[^ ]))*(?<![ :])"
_ITEM = r"[^-?:,\[\]{}#&*!|>'\"%@`\s](?:[^:#,\[\]{}\s]++|[ ](?=[^ ,\]]))*"
_SCALAR = rf"(?:(?P<plain>{_PLAIN})|\"(?P<dq>[^\"\\]*+)\"|'(?P<sq>(?:[^']++|'')*)'"
_SIMPLE_LINE = re.compile(
    rf"([A-Za-z_][A-Za-z0-9_]*):[ ]+{_SCALAR}"
    rf"|\[(?P<list>[ ]*(?:{_ITEM}(?:[ ]*,[ ]*{_ITEM})*)?[ ]*)\])[ ]*")
_LIST_HEAD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):[ ]*")
# A simple line's key, flow list, and plain, double- and single-quoted value, fetched in one call.
_SIMPLE_GROUPS = (1, *map(_SIMPLE_LINE.groupindex.__getitem__, ("list", "plain", "dq", "sq")))
_LIST_ITEM = re.compile(rf"([ ]*)-[ ]+{_SCALAR})[ ]*")
# YAML refuses or reads specially: control characters, NEL, line and paragraph separators, BOM.
# Listed rather than as the complement of what YAML allows: the same set, compiled ten times faster.
_YAML_SPECIAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def simple_front_matter(text: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Read front matter made only of simple ``key: value`` lines; None if it has anything else."""
    if _YAML_SPECIAL.search(text):
        return None
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    items: list[str] | None = None   # the block list being read
    indent: str | None = None        # its items' indentation, once one is read
    for number, line in enumerate(text.split("\n")):
        if not line:
            continue
        if items is not None:
            m = _LIST_ITEM.fullmatch(line)
            if m is not None and indent in (None, m[1]):
                indent = m[1]
                items.append(_scalar(m["plain"], m["dq"], m["sq"]))
                continue
            if not items:
                return None  # ``key:`` with no items: YAML's path decides what it means
            items = None
        m = _SIMPLE_LINE.fullmatch(line)
        if m is None:
            m = _LIST_HEAD.fullmatch(line)
            if m is None or m[1] in data:
                return None
            items, indent = [], None
            data[m[1]], lines[m[1]] = items, number
            continue
        key, listed, plain, dq, sq = m.group(*_SIMPLE_GROUPS)
        if key in data:  # duplicates: YAML's path reports them
            return None
        if listed is not None:
            data[key] = [item.strip() for item in listed.split(",")] if listed.strip() else []
        else:
            data[key] = _scalar(plain, dq, sq)
        lines[key] = number
    return (data, lines) if data and items != [] else None


def _scalar(plain: str | None, dq: str | None, sq: str | None) -> str:
    """Return the value a line matched, from its plain, double- and single-quoted groups (one is set)."""
    if plain is not None:
        return plain
    if dq is not None:
        return dq
    return sq.replace("''", "'")


def parse_front_matter(text: str, first_line: int) -> tuple[dict, dict[str, int], list[tuple[str, int]]]:
    """Parse YAML front matter into (mapping, key -> line, duplicate keys), raising ValueError with a line."""
    simple = simple_front_matter(text)
    if simple is not None:
        return simple[0], {k: first_line + v for k, v in simple[1].items()}, []
    return yaml_front_matter(text, first_line)


def yaml_front_matter(text: str, first_line: int) -> tuple[dict, dict[str, int], list[tuple[str, int]]]:
    """Parse front matter with the YAML loader (strings only, no aliases), raising ValueError with a line."""
    import yaml

    loader = _loader()(text)
    loader.key_lines, loader.duplicates = {}, []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = first_line + mark.line if mark else first_line
        problem = getattr(err, "problem", None) or str(err)
        hint = ("put the value in quotes: title: \"...: ...\"" if "mapping values" in str(problem)
                else None)
        raise LineError(line, f"invalid YAML front matter: {problem}", hint) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LineError(first_line, "front matter must be a mapping of 'key: value' lines")
    lines = {k: first_line + v for k, v in loader.key_lines.items()}
    dups = [(k, first_line + v) for k, v in loader.duplicates]
    return data, lines, dups
