"""Joining affixes written with a space (``می شود``, ``کتاب ها``) to their known stem by a ZWNJ.

``join_affixes`` works on a whole text; ``join_tokens`` gives the same answer for a text held as
a list of space-separated tokens, looking only at the few spaces where an affix may join.
"""

from __future__ import annotations

import re

from .zwnj import LETTERS, MARKS, ZWNJ, lexicon, silent_end

_LETTER_OR_MARK = re.compile(f"[{LETTERS}{MARKS}]")
_WORD = f"[{LETTERS}{MARKS}]+(?:\u200c[{LETTERS}{MARKS}]+)*"
WORD_RE = re.compile(_WORD)
# Both start with a literal, which lets the regex engine skip ahead quickly.
SPACED_PREFIX = re.compile(f"(نمی|می) +(?=({_WORD}))")
# Alternatives share their first letters (ها, تر, ا), in the same longest-first order, so each
# space costs three tries instead of sixteen.
_SUFFIX = ("(ها(?:یشان|یتان|یمان|یی|یم|یت|یش|ی)?|تر(?:ین)?|ا(?:ند|یم|ید|ی|م))"
           f"(?![{LETTERS}{MARKS}\u200c])")
SPACED_SUFFIX = re.compile(" +" + _SUFFIX)
SUFFIX_AT_START = re.compile(_SUFFIX)
_WORD_AT_END = re.compile(f"(?:{_WORD})$")


def _join_prefix(match: re.Match[str]) -> str:
    start = match.start()
    text = match.string
    if start and (text[start - 1] == ZWNJ or _LETTER_OR_MARK.match(text, start - 1)):
        return match.group()  # the end of a longer word such as کمی
    # The verb after the spaces is matched by a look-ahead and stays as written: only the
    # spaces become a ZWNJ. (Its own lost ZWNJs were put back by the restore step.)
    if match.group(2).replace(ZWNJ, "") in lexicon().verbs:
        return match.group(1) + ZWNJ
    return match.group()


def _join_suffix(match: re.Match[str]) -> str:
    text = match.string
    head = _WORD_AT_END.search(text, max(0, match.start() - 60), match.start())
    if head is None:
        return match.group()
    stem, suffix = head.group(), match.group(1)
    lex = lexicon()
    flat = stem.replace(ZWNJ, "")
    known = stem in lex.words or lex.glued.get(flat) == stem or (ZWNJ not in stem and flat in lex.glued)
    if suffix.startswith("ها"):
        ok = known
    elif suffix.startswith("تر"):
        ok = flat in lex.adjectives
    else:
        ok = known and silent_end(stem)
    return ZWNJ + suffix if ok else match.group()


def join_affixes(text: str) -> str:
    """Join affixes written with a space (``می شود``, ``کتاب ها``) to their known stem by a ZWNJ."""
    if "می " in text:
        text = SPACED_PREFIX.sub(_join_prefix, text)
    return SPACED_SUFFIX.sub(_join_suffix, text)


# --- the same over a list of tokens -------------------------------------------------------------
# ``join_affixes(" ".join(tokens))`` when no token holds a space: a prefix can then only join
# across the spaces after a token ending in می, and a suffix only across the spaces before a
# token starting with one. For each such place the callbacks above run on a short string made
# of the tokens around it, which holds everything they read (the 60 characters before a suffix
# belong to one word, and a word never crosses a space).

def join_tokens(tokens: list[str], prefix_ends: list[int], suffix_starts: list[int]) -> str:
    """Return ``join_affixes(" ".join(tokens))``; no token may hold a space.

    ``prefix_ends`` lists, in order, (at least) the indices of the tokens ending in می,
    ``suffix_starts`` those of the tokens that start with a suffix (``SUFFIX_AT_START``).
    """
    joins: dict[int, int] = {}  # k -> m: the spaces between tokens[k] and tokens[m] become a ZWNJ
    for k in prefix_ends:
        m = _next_word(tokens, k)
        if m is not None and _prefix_joins(tokens[k], tokens[m]):
            joins[k] = m
    # Suffixes are decided on the text as the prefixes left it, as the whole-text sub does.
    prefixed = {m: k for k, m in joins.items()}
    for m in suffix_starts:
        k = _previous_word(tokens, m)
        if k is None or m in prefixed:
            continue  # nothing before it, or the spaces before it are already a ZWNJ
        if _suffix_joins(_joined_word_at(tokens, prefixed, k), tokens[m]):
            joins[k] = m
    if not joins:
        return " ".join(tokens)
    pieces = []
    start = 0
    for k in sorted(joins):
        pieces += (" ".join(tokens[start:k + 1]), ZWNJ)
        start = joins[k]
    pieces.append(" ".join(tokens[start:]))
    return "".join(pieces)


def _next_word(tokens: list[str], k: int) -> int | None:
    """Return the index of the first non-empty token after ``k``, or None."""
    for m in range(k + 1, len(tokens)):
        if tokens[m]:
            return m
    return None


def _previous_word(tokens: list[str], m: int) -> int | None:
    """Return the index of the last non-empty token before ``m``, or None."""
    for k in range(m - 1, -1, -1):
        if tokens[k]:
            return k
    return None


def prefix_may_join(token: str) -> bool:
    """Tell whether a space after ``token`` (ending in می) could become a ZWNJ: no letter before the می."""
    start = len(token) - (3 if token.endswith("نمی") else 2)
    # As in _join_prefix: after a letter, a mark or a ZWNJ the می ends a longer word (کمی، اسلامی).
    return not start or not (token[start - 1] == ZWNJ or _LETTER_OR_MARK.match(token, start - 1))


def _prefix_joins(before: str, after: str) -> bool:
    """Tell whether the spaces between ``before`` (ending in می) and ``after`` become a ZWNJ."""
    local = before + " " + after
    # The regex engine scans from the left, so a final نمی is tried before its می.
    match = SPACED_PREFIX.match(local, len(before) - (3 if before.endswith("نمی") else 2))
    return match is not None and _join_prefix(match) != match.group()


def _suffix_joins(before: str, after: str) -> bool:
    """Tell whether the spaces between ``before`` and ``after`` (starting with a suffix) become a ZWNJ."""
    local = before + " " + after
    match = SPACED_SUFFIX.match(local, len(before))
    return match is not None and _join_suffix(match) != match.group()


def _joined_word_at(tokens: list[str], prefixed: dict[int, int], k: int) -> str:
    """Return ``tokens[k]`` with the tokens a prefix joined before it (``prefixed``: m -> k)."""
    word = tokens[k]
    while k in prefixed:
        k = prefixed[k]
        word = tokens[k] + ZWNJ + word
    return word
