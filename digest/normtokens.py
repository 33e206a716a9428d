"""A cache of normalized tokens: ``normalize`` without a pass of regular expressions per step.

News text repeats its words, so most of ``digest.persian.normalize`` can be answered per
space-separated token from a dict: split the text on " ", look every token up (normalizing a
token alone the first time it is seen), join the answers with " ". That equals normalizing the
whole text because every step before affix joining is local to a token: no pattern of those
steps matches across a space, and where one looks past its match (a look-ahead, the letter before
a run of digits) a space and the end of a string answer alike. The exceptions are known:

- punctuation spacing that moves or removes the space between two tokens (``word ،``, ``« word``,
  ``word :``, ``،  word``): each token records whether its edges could start such a rule, and
  tokens joined by such a space are looked up together, as one unit (``word ،``);
- affix joining (``می شود``), which is about the space itself: it runs last, on the joined text;
- code in backticks and placeholders already in the input (spans that may hold spaces), and the
  context step of the ZWNJ restorer, which reads the neighbouring words: a text with one of them
  goes through the step-by-step path instead.

So the answer is always that of ``normalize_steps`` (tests/test_normtokens.py checks it on
random text and on the cases above).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from itertools import compress
from typing import NamedTuple

from .affixes import join_tokens

# Bounds each option set's cache (about 250 bytes an entry); checked between texts, never during one.
_LIMIT = 150_000
# Characters that mean "take the step-by-step path": code spans and the stash placeholders.
_WHOLE_TEXT_ONLY = ("`", "\ue000", "\ue001")
# A token whose text before the punctuation step starts like this may lose the space before it
# (``word ،`` -> ``word،``, ``word :`` -> ``word:``), or one ending like this the space after it
# (``« word`` -> ``«word``, ``،\t word`` -> ``، word``).
_TAKES_SPACE_BEFORE = re.compile(r"[ \t]*[،؛؟».:!]")
_TAKES_SPACE_AFTER = re.compile(r"(?:«[ \t]*|[،؛؟][ \t]+)\Z")
_SEPARATORS = "،؛؟"
_EDGE_FIRST = " \t،؛؟».:!"   # first characters that may give a token an edge flag
_EDGE_LAST = " \t«،؛؟"       # and last ones


class Entry(NamedTuple):
    """One token normalized alone, and what the whole-text path needs to know about it."""

    out: str                 # the token normalized alone, affixes not joined
    before_punctuation: str  # the token (spans stashed) as the punctuation step sees it
    unsafe: bool             # a protected span with Persian letters, or a word read in context
    prefix_end: bool         # ``out`` ends in می (``می شود`` may join after it)
    suffix_start: bool       # ``out`` starts with a suffix (``کتاب ها`` may join before it)


# Edge flags of a token, from its text as the punctuation step sees it.
_GLUE_BEFORE = 1    # the space before it may go: it starts with ، ؛ ؟ » . : ! (after spaces), or is blank
_GLUE_AFTER = 2     # the space after it may go: it ends with « (and spaces), ، ؛ ؟ and spaces, or is blank
_SEPARATOR_END = 4  # it ends with ، ؛ ؟: the space after stays single unless more spaces follow
_LOOSE_START = 8    # it starts with a space or a tab (or is blank)
_BLANK = 16         # it is nothing but spaces and tabs (or empty)
_EMPTY = 32         # it is empty
_LEFT = _GLUE_BEFORE | _LOOSE_START
_RIGHT = _GLUE_AFTER | _SEPARATOR_END


def edge_flags(text: str) -> int:
    """Return the edge flags of a token whose text before the punctuation step is ``text``."""
    if text and text[0] not in _EDGE_FIRST and text[-1] not in _EDGE_LAST:
        return 0  # most tokens: a letter or a digit at both ends
    if not text.strip(" \t"):
        return _GLUE_BEFORE | _GLUE_AFTER | _LOOSE_START | _BLANK | (0 if text else _EMPTY)
    flags = 0
    if _TAKES_SPACE_BEFORE.match(text):
        flags |= _GLUE_BEFORE
    if _TAKES_SPACE_AFTER.search(text):
        flags |= _GLUE_AFTER
    if text[-1] in _SEPARATORS:
        flags |= _SEPARATOR_END
    if text[0] in " \t":
        flags |= _LOOSE_START
    return flags


def _line_edges(first: int, last: int) -> int:
    """Return the edge flags of lines joined by line breaks, from those of the first and last line."""
    # A blank first line leaves a line break (or spaces then a line break) at the start: the
    # space before the token stays (a loose start aside); likewise at the end.
    if first & _EMPTY:
        left = 0
    elif first & _BLANK:
        left = _LOOSE_START
    else:
        left = first & _LEFT
    return left | (0 if last & _BLANK else last & _RIGHT)


def joined_pairs(tokens: list[str], edges: dict[str, int], pairing: set[str]) -> list[int]:
    """Return, in order, each k where the space between ``tokens[k]`` and ``tokens[k + 1]`` may change.

    Only tokens in ``pairing`` (a glue flag or a loose start) can make a pair; a token ending in
    ، ؛ ؟ joins only a loose start after it.
    """
    pairs = set()
    last = len(tokens) - 1
    for k in compress(range(len(tokens)), map(pairing.__contains__, tokens)):
        flags = edges[tokens[k]]
        if flags & _GLUE_BEFORE and k:
            pairs.add(k - 1)
        if flags & _GLUE_AFTER and k < last:
            pairs.add(k)
        if flags & _LOOSE_START and k and edges.get(tokens[k - 1], 0) & _SEPARATOR_END:
            pairs.add(k - 1)
    return sorted(pairs)


def units(tokens: list[str], pairs: list[int]) -> list[str]:
    """Join the tokens on each side of the spaces named by ``pairs`` into single units."""
    out: list[str] = []
    done = 0  # tokens[:done] are in out
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1] == pairs[j] + 1:
            j += 1
        first, last = pairs[i], pairs[j] + 1
        out += tokens[done:first]
        out.append(" ".join(tokens[first:last + 1]))
        done, i = last + 1, j + 1
    out += tokens[done:]
    return out


class _Tokens(dict):
    """Tokens of one option set, each mapped to its normalized text; filled on first lookup."""

    def __init__(self, entry: Callable[[str], Entry], punctuation: bool) -> None:
        super().__init__()
        self._entry = entry
        self._punctuation = punctuation
        self.unsafe: set[str] = set()        # tokens that force the step-by-step path
        self.prefix_ends: set[str] = set()   # tokens whose answer ends in می
        self.suffix_starts: set[str] = set()  # tokens whose answer starts with a suffix
        self.spaced: set[str] = set()        # tokens whose answer holds a space: join the whole text
        self.edges: dict[str, int] = {}   # tokens with edge flags, and their flags
        self.pairing: set[str] = set()    # tokens with a glue flag or a loose start

    def __missing__(self, token: str) -> str:
        if "\n" in token and len(token) > 1:
            return self._lines(token)
        found = self._entry(token)
        if found.unsafe:
            self.unsafe.add(token)
        if found.prefix_end:
            self.prefix_ends.add(token)
        if found.suffix_start:
            self.suffix_starts.add(token)
        if " " in found.out:
            self.spaced.add(token)
        if self._punctuation:
            self._note(token, edge_flags(found.before_punctuation))
        self[token] = found.out
        return found.out

    def _note(self, token: str, flags: int) -> None:
        """Remember the edge flags of ``token``."""
        if flags:
            self.edges[token] = flags
            if flags & (_GLUE_BEFORE | _GLUE_AFTER | _LOOSE_START):
                self.pairing.add(token)

    def _lines(self, token: str) -> str:
        """Look a token holding line breaks up line by line (``شد.\nاو`` is ``شد.`` and ``او``).

        No step reaches across a line break in a way a string's end would not (the same
        argument as for spaces), so the parts can come from the cache and be joined by it.
        """
        parts = token.split("\n")
        out = "\n".join(map(self.__getitem__, parts))
        # Affixes join across spaces only, never across a line break.
        if not self.unsafe.isdisjoint(parts):
            self.unsafe.add(token)
        if parts[-1] in self.prefix_ends:
            self.prefix_ends.add(token)
        if parts[0] in self.suffix_starts:
            self.suffix_starts.add(token)
        if not self.spaced.isdisjoint(parts):
            self.spaced.add(token)
        if self._punctuation:
            self._note(token, _line_edges(self.edges.get(parts[0], 0), self.edges.get(parts[-1], 0)))
        self[token] = out
        return out


class TokenCache:
    """Normalize texts token by token, falling back to the whole-text path where tokens interact."""

    def __init__(self, entry: Callable[[str, Hashable], Entry],
                 join: Callable[[str, Hashable], str],
                 whole: Callable[[str, Hashable], str]) -> None:
        self._entry = entry   # (token, options) -> Entry
        self._join = join     # (text, options) -> the text with affixes joined (if the options say so)
        self._whole = whole   # (text, options) -> the step-by-step answer
        self._caches: dict[Hashable, _Tokens] = {}

    def clear(self) -> None:
        """Forget every cached token (benchmarks use it to measure a fresh process)."""
        self._caches = {}

    def _tokens(self, options: Hashable) -> _Tokens:
        """Return the cache for ``options``, replacing it by an empty one when it is full."""
        cache = self._caches.get(options)
        # Replaced, never cleared in place: a text being normalized keeps its own cache whole.
        if cache is None or len(cache) > _LIMIT:
            entry = self._entry
            cache = _Tokens(lambda token: entry(token, options), getattr(options, "punctuation", True))
            self._caches[options] = cache
        return cache

    def normalize(self, text: str, options: Hashable) -> str:
        """Return what ``whole(text, options)`` returns, from cached tokens where that is the same."""
        if any(mark in text for mark in _WHOLE_TEXT_ONLY):
            return self._whole(text, options)
        cache = self._tokens(options)
        tokens = text.split(" ")
        outs = list(map(cache.__getitem__, tokens))
        if not cache.pairing.isdisjoint(tokens):
            pairs = joined_pairs(tokens, cache.edges, cache.pairing)
            if pairs:
                tokens = units(tokens, pairs)
                outs = list(map(cache.__getitem__, tokens))
        if not cache.unsafe.isdisjoint(tokens):
            return self._whole(text, options)
        if not cache.spaced.isdisjoint(tokens):
            return self._join(" ".join(outs), options)
        if cache.prefix_ends.isdisjoint(tokens) and cache.suffix_starts.isdisjoint(tokens):
            return " ".join(outs)
        return join_tokens(outs, map(cache.prefix_ends.__contains__, tokens),
                           map(cache.suffix_starts.__contains__, tokens))
