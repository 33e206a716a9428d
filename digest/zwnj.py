"""ZWNJ restoration inside glued Persian words: the packaged lexicon, affix rules and context.

``restore_zwnj`` is the entry point; ``digest.persian.normalize`` calls it as one of its steps.
Pure functions; the only I/O is reading the packaged lexicon once per process.
"""

from __future__ import annotations

import gzip
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

ZWNJ = "\u200c"
# Arabic-script letters (no digits, no punctuation) and the combining marks that may sit on them.
LETTERS = "\u0621-\u063a\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"
MARKS = "\u064b-\u065f\u0670"
# Letters that never join the next one: a ZWNJ after them changes nothing on screen.
NON_JOINING = ("\u0621-\u0625\u0627\u0629\u062f-\u0632\u0648\u0698\u0671-\u0673\u0688-\u0699"
               "\u06c0\u06c3-\u06cb\u06cd\u06cf\u06d2\u06d3\u06d5")
_NON_JOINING_END = re.compile(f"[{NON_JOINING}]")

# Candidates for restoration: every maximal run of letters, marks and ZWNJs. Runs that hold a
# ZWNJ or a mark, or are shorter than three letters, map to themselves. A plain character class
# lets the regex engine scan fast, and splitting on it then mapping the runs through a dict
# avoids a Python call per word.
GLUED_CANDIDATE = re.compile(f"([{LETTERS}{MARKS}\u200c]+)")
_MARK = re.compile(f"[{MARKS}]")
_GLUED_PREFIXES = ("نمی", "می")
# Longest first, so ``هایی`` wins over ``های`` and ``ها``.
_PLURAL_SUFFIXES = ("هایشان", "هایتان", "هایمان", "هاست", "هایی", "هایم", "هایت", "هایش", "های", "ها")
_COMPARATIVE_SUFFIXES = ("ترین", "تری", "تر")
# Endings that take a ZWNJ only after a silent final ه (خانه‌ای، گفته‌اند، خانه‌ی).
_AFTER_HEH_SUFFIXES = ("اند", "ایم", "اید", "است", "ای", "ام", "اش", "ات", "ی")
# Possessive endings that take a ZWNJ after a final ه or ی (خانه‌مان، زندگی‌تان).
_POSSESSIVE_SUFFIXES = ("مان", "تان", "شان")
_DIGITS = frozenset("0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True)
class Lexicon:
    """The packaged ZWNJ lexicon (see ``digest/data/README.md`` for its sections)."""

    glued: dict[str, str]       # glued spelling -> ZWNJ spelling
    words: frozenset[str]       # real words written without a ZWNJ (never split by a rule)
    adjectives: frozenset[str]  # stems that take تر / ترین
    verbs: dict[str, str]       # what may follow می / نمی, glued -> ZWNJ spelling
    context: dict[str, str]     # ambiguous glued form -> its readings and neighbour counts (raw line)
    frequent: dict[str, int]    # word (ZWNJs dropped) -> frequency class, log2 of its corpus count
    tails: dict[str, int]       # second part of a ZWNJ compound -> frequency class


# Line breaks that ``str.splitlines`` knows besides "\n": with none of them in the file, a section
# can be split at "\n" alone (the packaged file has none; see ``_section_lines``).
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load the packaged ZWNJ lexicon once per process."""
    raw = resources.files("digest").joinpath("data/zwnj.txt.gz").read_bytes()
    return parse_lexicon(gzip.decompress(raw).decode("utf-8"))


def parse_lexicon(text: str) -> Lexicon:
    """Build the Lexicon from the text of ``zwnj.txt.gz``."""
    # Every read worker of a build loads the lexicon first (it was 85% of a worker's warm-up),
    # so whole sections are split at once: a loop with a branch per line over 80,000 lines took
    # four times as long, and splitlines plus a filter per line twice as long as the split.
    plain = not any(ch in text for ch in _OTHER_BREAKS)
    sections: dict[str, list[str]] = {"glued": [], "words": [], "adjectives": [], "verbs": [], "context": []}
    for name, block in _sections(text):
        sections.setdefault(name, []).extend(_section_lines(block, plain))
    glued = {line.replace(ZWNJ, ""): line for line in sections["glued"]}
    words, adjectives = sections["words"], sections["adjectives"]
    verbs = {line.replace(ZWNJ, ""): line for line in sections["verbs"]}
    # Context lines are parsed only when their word turns up (few do in any one text).
    context = {line.partition("\t")[0]: line for line in sections["context"]}
    classes: dict[str, dict[str, int]] = {"frequent": {}, "tails": {}}
    for name, lines in sections.items():
        kind, _, level = name.partition(" ")
        if kind in classes:
            classes[kind].update(dict.fromkeys(lines, int(level)))
    return Lexicon(glued, frozenset(words), frozenset(adjectives), verbs, context,
                   classes["frequent"], classes["tails"])


def _sections(text: str) -> list[tuple[str, str]]:
    """Return (name, text after the head line) for every line that starts with "[" (a section head)."""
    # str.find, not a MULTILINE regex: the same heads (a "[" at the start or after a "\n") found
    # five times faster.
    starts = [0] if text.startswith("[") else []
    at = text.find("\n[")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n[", at + 1)
    out = []
    for i, start in enumerate(starts):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        stop = starts[i + 1] if i + 1 < len(starts) else len(text)
        out.append((text[start:end].strip("[]"), text[end:stop]))
    return out


def _section_lines(block: str, plain: bool) -> list[str]:
    """Return the lines of a section that are neither empty nor comments (``#``)."""
    inner = block.strip("\n")
    if plain and "\n\n" not in inner and "\n#" not in inner and not inner.startswith("#"):
        return inner.split("\n") if inner else []
    return [line for line in block.splitlines() if line and line[0] != "#"]


def known_stem(stem: str, lex: Lexicon) -> str | None:
    """Return the correct spelling of ``stem`` if it is a known word, else None."""
    if stem in lex.glued:
        return lex.glued[stem]
    if stem in lex.words:
        return stem
    return None


def silent_end(stem: str) -> bool:
    """Tell whether ``stem`` ends in a ه that is a vowel (خانه), not a consonant (راه، کوه)."""
    return len(stem) >= 3 and stem[-1] == "ه" and stem[-2] not in "اوآ"


def _vowel_yeh_end(stem: str) -> bool:
    """Tell whether ``stem`` ends in a ی that is a vowel (زندگی), not a consonant (روی، رأی)."""
    return len(stem) >= 3 and stem[-1] == "ی" and stem[-2] not in "اوآأ"


def _join(stem: str, suffix: str) -> str:
    """Join a known stem and a suffix: with a ZWNJ, unless the stem's last letter never joins."""
    # After a non-joining letter (کشورها، پردرآمدترین) the glued form already looks right.
    return stem + suffix if _NON_JOINING_END.match(stem[-1]) else stem + ZWNJ + suffix


def rule_restore(word: str, lex: Lexicon) -> str:
    """Return ``word`` (letters only, no ZWNJ) with its lost ZWNJs put back, or unchanged."""
    found = lex.glued.get(word)
    if found is not None:
        return found
    if word in lex.words or len(word) < 4:
        return word
    for prefix in _GLUED_PREFIXES:
        if word.startswith(prefix):
            rest = lex.verbs.get(word[len(prefix):])
            if rest is not None:
                return prefix + ZWNJ + rest
    for suffix in _PLURAL_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            stem = known_stem(word[: -len(suffix)], lex)
            if stem is not None:
                return _join(stem, suffix)
    for suffix in _COMPARATIVE_SUFFIXES:
        if word.endswith(suffix) and word[: -len(suffix)] in lex.adjectives:
            return _join(word[: -len(suffix)], suffix)
    for suffix in _AFTER_HEH_SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and silent_end(stem):
            known = known_stem(stem, lex)
            if known is not None:
                return known + ZWNJ + suffix
    for suffix in _POSSESSIVE_SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and (silent_end(stem) or _vowel_yeh_end(stem)):
            known = known_stem(stem, lex)
            if known is not None:
                return known + ZWNJ + suffix
    return split_compound(word, lex)


# Endings that are affixes, not words: a compound's second part is never one of these.
_NOT_A_TAIL = frozenset(_PLURAL_SUFFIXES + _COMPARATIVE_SUFFIXES + _AFTER_HEH_SUFFIXES
                        + _POSSESSIVE_SUFFIXES + ("ان", "یی", "گان"))
# Tuned on the dev split: both parts seen 16+ times, the second 8+ times after a ZWNJ.
_COMPOUND_FREQUENT = 4
_COMPOUND_TAIL = 3


def split_compound(word: str, lex: Lexicon) -> str:
    """Split an unknown glued ``word`` into two frequent words by a ZWNJ, or return it unchanged.

    Both parts need at least three letters and a frequency class of ``_COMPOUND_FREQUENT``; the
    second must often follow a ZWNJ in the corpus (``tails``) and not be an affix. A word that
    is a known word plus one or two letters (ورزشکاری, فیلتری) is left alone. Of several splits,
    the one with the most frequent parts wins.
    """
    if len(word) < 6 or any(word[:-n] in lex.words or word[:-n] in lex.glued for n in (1, 2)):
        return word
    best, best_score = word, -1
    frequent, tails = lex.frequent, lex.tails
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        if (frequent.get(head, -1) < _COMPOUND_FREQUENT or tails.get(tail, -1) < _COMPOUND_TAIL
                or frequent.get(tail, -1) < _COMPOUND_FREQUENT or tail in _NOT_A_TAIL
                or tail.startswith("ها") or _NON_JOINING_END.match(head[-1])):
            continue
        score = frequent[head] + tails[tail]
        if score > best_score:
            best, best_score = lex.glued.get(head, head) + ZWNJ + tail, score
    return best


# --- context: the neighbours decide between two readings of one glued form ----------------------

def neighbours(pieces: list[str], i: int) -> tuple[str, str]:
    """Return the context features of the word at ``pieces[i]`` (odd i; pieces from GLUED_CANDIDATE).

    The left feature is ``<`` plus the previous word without its ZWNJs when only spaces
    separate them, else plus the last character before the word (``#`` for a digit, ``^`` for
    the start of a line); the right feature mirrors it with ``>``.
    """
    return "<" + _side(pieces, i, -1), ">" + _side(pieces, i, 1)


def _side(pieces: list[str], i: int, step: int) -> str:
    """Return one side's feature for ``neighbours``."""
    sep = pieces[i + step] if 0 <= i + step < len(pieces) else ""
    if sep and not sep.strip(" ") and 0 <= i + 2 * step < len(pieces):
        return pieces[i + 2 * step].replace(ZWNJ, "")
    sep = sep.strip(" ")
    if not sep:
        return "^"
    char = sep[-1] if step < 0 else sep[0]
    if char in _DIGITS:
        return "#"
    return "^" if char in "\n\r" else char


# Smoothing of the context counts (tuned on the dev split): an unseen neighbour costs every
# reading about the same, so the reading's own frequency decides unless a neighbour speaks.
_ALPHA = 0.5
_VOCABULARY = 200


@lru_cache(maxsize=4096)
def _context_model(line: str) -> tuple[tuple[str, ...], tuple[float, ...], dict[str, tuple[float, ...]]]:
    """Parse one ``[context]`` line into readings, log priors and per-feature log likelihoods.

    Line format: ``glued<TAB>reading|reading...<TAB>n,n...<TAB>feature c,c...``. The scores
    are naive Bayes with add-half smoothing; a feature not listed counts zero for every reading.
    """
    _glued, readings, totals, *features = line.split("\t")
    counts = [int(n) for n in totals.split(",")]
    priors = tuple(math.log(n + 1) for n in counts)
    table = {}
    for item in features:
        name, _, values = item.rpartition(" ")
        table[name] = tuple(math.log((int(c) + _ALPHA) / (n + _ALPHA * _VOCABULARY))
                            for c, n in zip(values.split(","), counts))
    table[""] = tuple(math.log(_ALPHA / (n + _ALPHA * _VOCABULARY)) for n in counts)
    return tuple(readings.split("|")), priors, table


def choose_in_context(line: str, pieces: list[str], i: int) -> str:
    """Return the reading of the ambiguous glued word at ``pieces[i]`` that its neighbours favour."""
    readings, priors, table = _context_model(line)
    unseen = table[""]
    scores = list(priors)
    for feature in neighbours(pieces, i):
        scores = [s + f for s, f in zip(scores, table.get(feature, unseen))]
    return readings[max(range(len(readings)), key=scores.__getitem__)]


class _RestoredWords(dict):
    """Words already looked at, each mapped to its restored spelling; filled on first lookup."""

    def __missing__(self, word: str) -> str:
        if len(self) >= 200_000:
            self.clear()  # only a guard against unbounded growth on odd input
        if len(word) < 3 or ZWNJ in word or _MARK.search(word):
            result = word  # the writer placed ZWNJs here, or marks make the lookup meaningless
        else:
            result = rule_restore(word, lexicon())
        self[word] = result
        return result


RESTORED = _RestoredWords()


def restore_zwnj(text: str) -> str:
    """Put back the ZWNJs lost inside glued Persian words of ``text``; touch nothing else."""
    pieces = GLUED_CANDIDATE.split(text)
    if len(pieces) == 1:
        return text
    words = pieces[1::2]
    pieces[1::2] = map(RESTORED.__getitem__, words)
    context = lexicon().context
    # One C-level membership sweep; only texts holding an ambiguous form pay for more.
    if not context.keys().isdisjoint(words):
        for k, word in enumerate(words):
            line = context.get(word)
            if line is not None:
                pieces[2 * k + 1] = choose_in_context(line, pieces, 2 * k + 1)
    return "".join(pieces)


def has_ambiguous(text: str) -> bool:
    """Tell whether ``text`` holds a glued form whose reading ``restore_zwnj`` takes from its neighbours."""
    return not lexicon().context.keys().isdisjoint(GLUED_CANDIDATE.findall(text))
