"""Measure ``digest.persian.normalize`` throughput on real articles.

Usage (from the repository root)::

    python benchmarks/normalize_speed.py --corpus ../shared/corpus --articles 3000 --runs 5
    python benchmarks/normalize_speed.py --content DIR/content --runs 5   # a gen_corpus.py corpus

Prints the median MB/s (UTF-8 bytes of input per second) of several runs (CPU time of the
process), and milliseconds per article, for the default options and for fewer steps. "Cold"
clears the normalizer's caches (whole tokens and restored words) before each run, as for a
fresh build; "warm" keeps them, as in a long-running preview server. ``--content`` measures the
bodies (front matter left out) of the Markdown files of a generated corpus instead.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from digest import persian  # noqa: E402
from digest.persian import NormalizeOptions, normalize  # noqa: E402


def load(corpus: Path, limit: int) -> list[str]:
    """Return up to ``limit`` IR-News article texts, in name order (both splits)."""
    from corpus_io import irnews_articles
    texts = [t for _n, t in irnews_articles(corpus, "train", "dev", "heldout")]
    return texts[:limit]


def load_bodies(content: Path) -> list[str]:
    """Return the bodies (after the front matter) of the Markdown files under ``content``, in name order."""
    bodies = []
    for path in sorted(content.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        head, sep, body = text.partition("\n---\n")
        bodies.append(body if sep and text.startswith("---") else text)
    return bodies


def clear_caches() -> None:
    """Forget every normalized token and restored word, as a fresh process would."""
    persian._RESTORED.clear()
    tokens = getattr(persian, "_TOKENS", None)  # absent before the token cache existed
    if tokens is not None:
        tokens.clear()
    stashed = getattr(persian, "_STASHED", None)  # the steps after the first stash, by stashed text
    if stashed is not None:
        stashed.clear()


def run(texts: list[str], options: NormalizeOptions, runs: int, cold: bool) -> float:
    """Return the median seconds of CPU of ``runs`` passes of ``normalize`` over ``texts``."""
    persian._lexicon()  # loading the lexicon is a one-off cost, not throughput
    times = []
    for _ in range(runs):
        if cold:
            clear_caches()
        # CPU time of this process, so other load on a shared machine skews the figure less.
        start = time.process_time()
        for text in texts:
            normalize(text, options)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Print the median throughput for a few option sets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", type=Path, help="folder holding irnews/")
    source.add_argument("--content", type=Path, help="content/ folder of a gen_corpus.py corpus")
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    texts = load(args.corpus, args.articles) if args.corpus else load_bodies(args.content)[:args.articles]
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    start = time.perf_counter()
    persian._lexicon()
    print(f"lexicon load: {1000 * (time.perf_counter() - start):.0f} ms")
    print(f"{len(texts)} articles, {size:.1f} MB of UTF-8, median of {args.runs} runs")
    for label, options, cold in (
        ("all steps, cold caches", NormalizeOptions(), True),
        ("all steps, warm caches", NormalizeOptions(), False),
        ("without restore_zwnj, cold", NormalizeOptions(restore_zwnj=False), True),
        ("characters + digits, cold", NormalizeOptions(punctuation=False, zwnj_cleanup=False,
                                                       join_affixes=False, restore_zwnj=False), True),
    ):
        seconds = run(texts, options, args.runs, cold)
        print(f"{label:28s} {size / seconds:6.1f} MB/s {1000 * seconds / len(texts):7.3f} ms/article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
