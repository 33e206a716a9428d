"""Measure ZWNJ restoration on text whose ZWNJs are known to be right.

Usage (from the repository root)::

    python scripts/eval_zwnj.py --corpus ../shared/corpus      # the held-out split
    python scripts/eval_zwnj.py my-articles/*.txt              # any UTF-8 text files

Each text has its ZWNJs deleted (each replaced by nothing), then ``restore_zwnj`` runs, and
every word is compared with the original:

- recall: share of ZWNJ-bearing words restored exactly;
- precision: of the words the restorer changed, share now exactly right;
- other words changed: share of words without a ZWNJ in the original that the restorer changed.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from digest.persian import NON_JOINING, WORD_RE, ZWNJ, NormalizeOptions, normalize, restore_zwnj  # noqa: E402

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


def evaluate(texts: Iterable[str], visible_only: bool = False) -> Score:
    """Score ``restore_zwnj`` on texts that have correct ZWNJs."""
    score = Score(visible_only=visible_only)
    for text in texts:
        score.add(text)
    return score


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="UTF-8 text files with correct ZWNJs")
    parser.add_argument("--corpus", type=Path, help="folder holding irnews/ and farsnews/: use its held-out split")
    parser.add_argument("--show", type=int, default=0, help="print the N most frequent errors")
    parser.add_argument("--visible", action="store_true",
                        help="ignore ZWNJs after non-joining letters (د‌ر, کشور‌ها) in both texts:"
                             " they change nothing on screen")
    args = parser.parse_args(argv)
    if not args.files and not args.corpus:
        parser.error("give text files or --corpus")
    if args.files:
        score = evaluate((p.read_text(encoding="utf-8") for p in args.files), args.visible)
        print(f"== {len(args.files)} files\n{score.report(args.show)}")
    if args.corpus:
        from corpus_io import farsnews_articles, irnews_articles
        total = Score(visible_only=args.visible)
        for label, reader in (("irnews", irnews_articles), ("farsnews", farsnews_articles)):
            texts = [text for _name, text in reader(args.corpus, "heldout")]
            score = evaluate(texts, args.visible)
            print(f"== {label} held-out: {len(texts)} articles\n{score.report(args.show)}\n")
            for name in ("zwnj_words", "zwnj_restored", "changed", "changed_right", "other_words", "other_changed"):
                setattr(total, name, getattr(total, name) + getattr(score, name))
        print(f"== all held-out\n{total.report()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
