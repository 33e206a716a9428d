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
from collections.abc import Callable, Hashable, Iterable
from itertools import compress, count, filterfalse

from .affixes import SUFFIX_AT_START, join_tokens, prefix_may_join

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

# What a token's flags say. Edge flags come from its text as the punctuation step sees it:
GLUE_BEFORE = 1    # the space before it may go: it starts with ، ؛ ؟ » . : ! (after spaces), or is blank
GLUE_AFTER = 2     # the space after it may go: it ends with « (and spaces), ، ؛ ؟ and spaces, or is blank
SEPARATOR_END = 4  # it ends with ، ؛ ؟: the space after stays single unless more spaces follow
LOOSE_START = 8    # it starts with a space or a tab (or is blank)
BLANK = 16         # it is nothing but spaces and tabs (or empty)
EMPTY = 32         # it is empty
# and the others from its answer (or, for UNSAFE, from the steps):
UNSAFE = 64        # a protected span with Persian letters, or a word read in context: whole text
SPACED = 128       # the answer holds a space: affixes are joined over the whole text
PREFIX_END = 256   # the answer ends in می (``می شود`` may join after it)
SUFFIX_START = 512  # the answer starts with a suffix (``کتاب ها`` may join before it)
_PAIRING = GLUE_BEFORE | GLUE_AFTER | LOOSE_START
_AFFIX = SPACED | PREFIX_END | SUFFIX_START
_SPECIAL = _PAIRING | UNSAFE | _AFFIX  # flags that cost a text more work


def edge_flags(text: str) -> int:
    """Return the edge flags of a token whose text before the punctuation step is ``text``."""
    if not text.strip(" \t"):
        return GLUE_BEFORE | GLUE_AFTER | LOOSE_START | BLANK | (0 if text else EMPTY)
    flags = 0
    if _TAKES_SPACE_BEFORE.match(text):
        flags |= GLUE_BEFORE
    if _TAKES_SPACE_AFTER.search(text):
        flags |= GLUE_AFTER
    if text[-1] in _SEPARATORS:
        flags |= SEPARATOR_END
    if text[0] in " \t":
        flags |= LOOSE_START
    return flags


def affix_flags(out: str) -> int:
    """Return the flags saying where affix joining may act next to a token whose answer is ``out``."""
    flags = PREFIX_END if out.endswith("می") and prefix_may_join(out) else 0
    return flags | SUFFIX_START if SUFFIX_AT_START.match(out) else flags


def _line_edges(first: int, last: int) -> int:
    """Return the edge flags of lines joined by line breaks, from those of the first and last line."""
    # A blank first line leaves a line break (or spaces then a line break) at the start: the
    # space before the token stays (a loose start aside); likewise at the end.
    if first & EMPTY:
        left = 0
    elif first & BLANK:
        left = LOOSE_START
    else:
        left = first & (GLUE_BEFORE | LOOSE_START)
    return left | (0 if last & BLANK else last & (GLUE_AFTER | SEPARATOR_END))


def positions(tokens: list[str], wanted: Iterable[str]) -> list[int]:
    """Return, in order, the indices in ``tokens`` of every occurrence of the ``wanted`` tokens."""
    return list(compress(count(), map(frozenset(wanted).__contains__, tokens)))


def joined_pairs(tokens: list[str], flags: dict[str, int], pairing: Iterable[str]) -> list[int]:
    """Return, in order, each k where the space between ``tokens[k]`` and ``tokens[k + 1]`` may change.

    ``pairing`` are the tokens present with a glue flag or a loose start; a token ending in
    ، ؛ ؟ joins only a loose start after it.
    """
    pairs = set()
    last = len(tokens) - 1
    for k in positions(tokens, pairing):
        mine = flags[tokens[k]]
        if mine & GLUE_BEFORE and k:
            pairs.add(k - 1)
        if mine & GLUE_AFTER and k < last:
            pairs.add(k)
        if mine & LOOSE_START and k and flags.get(tokens[k - 1], 0) & SEPARATOR_END:
            pairs.add(k - 1)
    return sorted(pairs)


def units(tokens: list[str], outs: list[str], pairs: list[int], cache: dict[str, str]
          ) -> tuple[list[str], list[str]]:
    """Join the tokens on each side of the spaces named by ``pairs`` into single units.

    Return the units and their answers (``outs`` holds the answers of ``tokens``; a new unit is
    looked up in ``cache``).
    """
    new_tokens: list[str] = []
    new_outs: list[str] = []
    done = 0  # tokens[:done] are in new_tokens
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1] == pairs[j] + 1:
            j += 1
        first, last = pairs[i], pairs[j] + 1
        unit = " ".join(tokens[first:last + 1])
        new_tokens += tokens[done:first]
        new_tokens.append(unit)
        new_outs += outs[done:first]
        new_outs.append(cache[unit])
        done, i = last + 1, j + 1
    new_tokens += tokens[done:]
    new_outs += outs[done:]
    return new_tokens, new_outs


class _Tokens(dict):
    """Tokens of one option set, each mapped to its normalized text; filled on first lookup."""

    def __init__(self, entry: Callable[[str, Hashable], tuple[str, str, int]],
                 entries: Callable[[list[str], Hashable], list[tuple[str, str, int]]], options: Hashable) -> None:
        super().__init__()
        self._entry = entry
        self._entries = entries
        self._options = options
        self._punctuation = getattr(options, "punctuation", True)
        self.flags: dict[str, int] = {}  # tokens with a flag, and their flags
        self.special: set[str] = set()   # tokens with a flag in _SPECIAL
        # The other tokens, "plain": those that are their own answer, and the rest with their answers.
        self.fixed: set[str] = set()
        self.plain: dict[str, str] = {}

    def __missing__(self, token: str) -> str:
        if "\n" in token and len(token) > 1:
            return self._lines(token)
        return self._add(token, self._entry(token, self._options))

    def fill(self, tokens: Iterable[str]) -> None:
        """Look up every token of ``tokens`` not seen yet, the line-free ones in one batch."""
        new: set[str] = set()
        for token in tokens:
            new.update(token.split("\n"))
        todo = [token for token in new if token not in self]
        if len(todo) > 1:
            for token, found in zip(todo, self._entries(todo, self._options)):
                self._add(token, found)

    def _add(self, token: str, found: tuple[str, str, int]) -> str:
        """Remember the answer and the flags of a token looked up alone."""
        out, before_punctuation, flags = found
        if self._punctuation and (not before_punctuation or before_punctuation[0] in _EDGE_FIRST
                                  or before_punctuation[-1] in _EDGE_LAST):
            flags |= edge_flags(before_punctuation)
        if " " in out:
            flags |= SPACED
        return self._keep(token, out, flags)

    def _keep(self, token: str, out: str, flags: int) -> str:
        """Remember the answer and the flags of ``token``; return the answer."""
        self[token] = out
        if flags:
            self.flags[token] = flags
            if flags & _SPECIAL:
                self.special.add(token)
                return out
        if out == token:
            self.fixed.add(token)
        else:
            self.plain[token] = out
        return out

    def _lines(self, token: str) -> str:
        """Look a token holding line breaks up line by line (``شد.\nاو`` is ``شد.`` and ``او``).

        No step reaches across a line break in a way a string's end would not (the same
        argument as for spaces), so the parts can come from the cache and be joined by it.
        Affixes join across spaces only, never across a line break.
        """
        parts = token.split("\n")
        out = "\n".join(map(self.__getitem__, parts))
        get = self.flags.get
        first, last = get(parts[0], 0), get(parts[-1], 0)
        flags = (first & SUFFIX_START) | (last & PREFIX_END)
        for part in parts:
            flags |= get(part, 0) & (UNSAFE | SPACED)
        if self._punctuation:
            flags |= _line_edges(first, last)
        return self._keep(token, out, flags)


class TokenCache:
    """Normalize texts token by token, falling back to the whole-text path where tokens interact."""

    def __init__(self, entry: Callable[[str, Hashable], tuple[str, str, int]],
                 entries: Callable[[list[str], Hashable], list[tuple[str, str, int]]],
                 joins: Callable[[Hashable], bool],
                 whole: Callable[[str, Hashable], str]) -> None:
        self._entry = entry   # (token, options) -> (answer, text before punctuation, UNSAFE and affix flags)
        self._entries = entries  # (tokens without line breaks, options) -> the same for each, in one go
        self._joins = joins   # (options) -> whether affixes are joined
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
            cache = _Tokens(self._entry, self._entries, options)
            self._caches[options] = cache
        return cache

    def normalize(self, text: str, options: Hashable) -> str:
        """Return what ``whole(text, options)`` returns, from cached tokens where that is the same."""
        cache = self._tokens(options)
        tokens = text.split(" ")
        # Most texts are made only of tokens that are plain and their own answer (news already
        # written well): then the text is its own answer, and nothing need be joined. Such a text
        # holds no character of _WHOLE_TEXT_ONLY either: only texts without them fill the cache.
        rest = list(filterfalse(cache.fixed.__contains__, tokens))
        if not rest:
            return text
        if "`" in text or "\ue000" in text or "\ue001" in text:  # _WHOLE_TEXT_ONLY, without a generator
            return self._whole(text, options)
        plain = cache.plain
        # Every token is either plain (fixed or not) or special once seen, so the tokens left
        # (a few, usually) are the unseen ones and the special ones.
        rest = list(filterfalse(plain.__contains__, rest))
        if rest:
            # (set.difference would walk the whole cache: it is a dict subclass.)
            unseen = list(filterfalse(cache.__contains__, rest))
            if len(unseen) > 1:
                cache.fill(unseen)
            for token in unseen:
                cache[token]  # noqa: B018 - looks up (and remembers) any token fill left out
            hits = cache.special.intersection(rest)
        if not rest or not hits:
            return " ".join(map(plain.get, tokens, tokens))  # a fixed token is its own answer
        outs = list(map(cache.__getitem__, tokens))
        flags = cache.flags
        mask = _union(flags, hits)
        if mask & _PAIRING:
            pairs = joined_pairs(tokens, flags, [t for t in hits if flags[t] & _PAIRING])
            if pairs:
                tokens, outs = units(tokens, outs, pairs, cache)
                hits = cache.special.intersection(tokens)
                mask = _union(flags, hits)
        if mask & UNSAFE:
            return self._whole(text, options)
        if not mask & (SPACED | PREFIX_END | SUFFIX_START) or not self._joins(options):
            return " ".join(outs)
        return join_tokens(*_affix_places(outs, positions(tokens, [t for t in hits if flags[t] & _AFFIX]), flags,
                                          tokens))


def _affix_places(outs: list[str], places: list[int], flags: dict[str, int], tokens: list[str]
                  ) -> tuple[list[str], list[int], list[int]]:
    """Return the answers split at their own spaces, and where in them a prefix and a suffix may join.

    ``places`` are the indices of the tokens with a SPACED or an affix flag.
    """
    words: list[str] = []
    prefix: list[int] = []
    suffix: list[int] = []
    done = 0
    for i in places:
        words += outs[done:i]
        mine = flags[tokens[i]]
        if mine & SPACED:
            for part in outs[i].split(" "):
                found = affix_flags(part)
                if found & PREFIX_END:
                    prefix.append(len(words))
                if found & SUFFIX_START:
                    suffix.append(len(words))
                words.append(part)
        else:
            if mine & PREFIX_END:
                prefix.append(len(words))
            if mine & SUFFIX_START:
                suffix.append(len(words))
            words.append(outs[i])
        done = i + 1
    words += outs[done:]
    return words, prefix, suffix


def _union(flags: dict[str, int], tokens: Iterable[str]) -> int:
    """Return the union of the flags of ``tokens``."""
    mask = 0
    for token in tokens:
        mask |= flags[token]
    return mask
