"""Score ZWNJ restoration against text whose ZWNJs are right (for scripts and, later, the CLI).

Pure functions: give it texts, it strips their ZWNJs, restores them with ``restore_zwnj`` and
counts, word by word, what came back.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from .persian import NON_JOINING, WORD_RE, ZWNJ, NormalizeOptions, normalize, restore_zwnj

CLEAN = NormalizeOptions(punctuation=False, join_affixes=False, restore_zwnj=False)
USELESS_ZWNJ = re.compile(f"(?<=[{NON_JOINING}]){ZWNJ}")


def visible(word: str) -> str:
    """Drop the ZWNJs that follow a non-joining letter: they change nothing on screen."""
    return USELESS_ZWNJ.sub("", word)


@dataclass
class Score:
    """Word counts behind the three figures."""

    zwnj_words: int = 0
    zwnj_restored: int = 0
    changed: int = 0
    changed_right: int = 0
    other_words: int = 0
    other_changed: int = 0
    misses: Counter = field(default_factory=Counter)
    wrong: Counter = field(default_factory=Counter)

    visible_only: bool = False

    def add(self, text: str) -> None:
        """Strip, restore and compare one text."""
        original = normalize(text, CLEAN)
        if self.visible_only:
            original = visible(original)
        stripped = original.replace(ZWNJ, "")
        restored = restore_zwnj(stripped)
        before = WORD_RE.findall(original)
        after = WORD_RE.findall(restored)
        if len(before) != len(after):  # cannot happen: restoring only inserts ZWNJs inside words
            raise AssertionError("word count changed")
        for gold, got in zip(before, after):
            flat = gold.replace(ZWNJ, "")
            if self.visible_only:
                got = visible(got)
            if got != flat:
                self.changed += 1
                self.changed_right += got == gold
            if ZWNJ in gold:
                self.zwnj_words += 1
                if got == gold:
                    self.zwnj_restored += 1
                else:
                    self.misses[gold, got] += 1
            else:
                self.other_words += 1
                if got != gold:
                    self.other_changed += 1
                    self.wrong[gold, got] += 1

    def report(self, show: int = 0) -> str:
        """Return the figures as text, with the ``show`` most frequent errors of each kind."""
        def pct(a: int, b: int) -> str:
            """Format ``a / b`` as a percentage."""
            return f"{100 * a / b:.2f}%" if b else "n/a"
        lines = [
            f"ZWNJ words:            {self.zwnj_words}",
            f"recall:                {pct(self.zwnj_restored, self.zwnj_words)}"
            f" ({self.zwnj_restored}/{self.zwnj_words})",
            f"precision:             {pct(self.changed_right, self.changed)}"
            f" ({self.changed_right}/{self.changed})",
            f"other words changed:   {pct(self.other_changed, self.other_words)}"
            f" ({self.other_changed}/{self.other_words})",
        ]
        if show:
            lines.append("most frequent misses (expected, got):")
            lines += [f"  {n:5d}  {g}  {o}" for (g, o), n in self.misses.most_common(show)]
            lines.append("most frequent wrong changes (original, got):")
            lines += [f"  {n:5d}  {g}  {o}" for (g, o), n in self.wrong.most_common(show)]
        return "\n".join(lines)


_JOINS_NEXT = re.compile(f"[^{NON_JOINING}]$")


def consistent(text: str, least: int = 3) -> bool:
    """Tell whether the writer of ``text`` demonstrably places ZWNJs consistently.

    Decided from the text alone (no lexicon, no restorer), after the character steps and with
    ZWNJs after non-joining letters ignored: at least ``least`` distinct words carry a ZWNJ; no
    word is written both with and without one; and no glued word is two parts ``x + y`` (``x``
    ending in a joining letter) that the text itself separates elsewhere: ``x`` written before
    a ZWNJ and ``y`` a word of the text or written after a ZWNJ, or ``x`` a word of the text and
    ``y`` written after a ZWNJ (شرکت‌ها ... شرکتهای; مهم ... بزرگ‌ترین ... مهمترین).
    """
    words = set(WORD_RE.findall(visible(normalize(text, CLEAN))))
    marked = [w for w in words if ZWNJ in w]
    if len(marked) < least:
        return False
    glued = [w for w in words if ZWNJ not in w]
    if not {w.replace(ZWNJ, "") for w in marked}.isdisjoint(glued):
        return False
    heads, tails = set(), set()
    for word in marked:
        parts = word.split(ZWNJ)
        for k in range(1, len(parts)):
            heads.add("".join(parts[:k]))
            tails.add("".join(parts[k:]))
    for word in glued:
        for cut in range(2, len(word) - 1):
            x, y = word[:cut], word[cut:]
            if _JOINS_NEXT.search(x) and ((x in heads and (y in tails or y in words))
                                          or (x in words and y in tails)):
                return False
    return True


def evaluate(texts: Iterable[str], visible_only: bool = False) -> Score:
    """Score ``restore_zwnj`` on texts that have correct ZWNJs."""
    score = Score(visible_only=visible_only)
    for text in texts:
        score.add(text)
    return score
