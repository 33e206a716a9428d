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
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from digest.zwnj_eval import Score, consistent, evaluate  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="UTF-8 text files with correct ZWNJs")
    parser.add_argument("--corpus", type=Path, help="folder holding irnews/ and farsnews/: use its held-out split")
    parser.add_argument("--split", default="heldout", choices=["heldout", "dev"],
                        help="which part of --corpus to score (dev only after mine_zwnj.py --tune)")
    parser.add_argument("--show", type=int, default=0, help="print the N most frequent errors")
    parser.add_argument("--visible", action="store_true",
                        help="ignore ZWNJs after non-joining letters (د‌ر, کشور‌ها) in both texts:"
                             " they change nothing on screen")
    parser.add_argument("--consistent", action="store_true",
                        help="also score the articles whose writers are demonstrably consistent"
                             " (digest.zwnj_eval.consistent), beside the figures for all of them")
    args = parser.parse_args(argv)
    if not args.files and not args.corpus:
        parser.error("give text files or --corpus")
    if args.files:
        score = evaluate((p.read_text(encoding="utf-8") for p in args.files), args.visible)
        print(f"== {len(args.files)} files\n{score.report(args.show)}")
    if args.corpus:
        from corpus_io import farsnews_articles, irnews_articles
        texts = {label: [text for _name, text in reader(args.corpus, args.split)]
                 for label, reader in (("irnews", irnews_articles), ("farsnews", farsnews_articles))}
        report_corpus(texts, args.split, args.visible, args.show)
        if args.consistent:
            kept = {label: [t for t in group if consistent(t)] for label, group in texts.items()}
            print(f"\n==== only articles whose writers are consistent ({sum(map(len, kept.values()))}"
                  f" of {sum(map(len, texts.values()))})\n")
            report_corpus(kept, args.split, args.visible, args.show)
    return 0


def report_corpus(texts: dict[str, list[str]], split: str, visible: bool, show: int) -> None:
    """Print the figures for each source and for all of them."""
    total = Score(visible_only=visible)
    for label, group in texts.items():
        score = evaluate(group, visible)
        print(f"== {label} {split}: {len(group)} articles\n{score.report(show)}\n")
        for name in ("zwnj_words", "zwnj_restored", "changed", "changed_right", "other_words", "other_changed"):
            setattr(total, name, getattr(total, name) + getattr(score, name))
    print(f"== all {split}\n{total.report()}")


if __name__ == "__main__":
    raise SystemExit(main())
