"""Measure ``digest.persian.normalize`` throughput on real articles.

Usage (from the repository root)::

    python benchmarks/normalize_speed.py --corpus ../shared/corpus --articles 3000 --runs 5

Prints the median MB/s (UTF-8 bytes of input per second) of several runs (CPU time of the
process), for the default options and for fewer steps. "Cold" clears the restorer's word cache
before each run, as for a fresh build; "warm" keeps it, as in a long-running preview server.
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


def run(texts: list[str], options: NormalizeOptions, runs: int, cold: bool) -> float:
    """Return the median MB/s of ``runs`` passes of ``normalize`` over ``texts``."""
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    persian._lexicon()  # loading the lexicon is a one-off cost, not throughput
    speeds = []
    for _ in range(runs):
        if cold:
            persian._RESTORED.clear()
        # CPU time of this process, so other load on a shared machine skews the figure less.
        start = time.process_time()
        for text in texts:
            normalize(text, options)
        speeds.append(size / (time.process_time() - start))
    return statistics.median(speeds)


def main(argv: list[str] | None = None) -> int:
    """Print the median throughput for a few option sets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder holding irnews/")
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    texts = load(args.corpus, args.articles)
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    start = time.perf_counter()
    persian._lexicon()
    print(f"lexicon load: {1000 * (time.perf_counter() - start):.0f} ms")
    print(f"{len(texts)} articles, {size:.1f} MB of UTF-8, median of {args.runs} runs")
    for label, options, cold in (
        ("all steps, cold word cache", NormalizeOptions(), True),
        ("all steps, warm word cache", NormalizeOptions(), False),
        ("without restore_zwnj", NormalizeOptions(restore_zwnj=False), False),
        ("characters + digits only", NormalizeOptions(punctuation=False, zwnj_cleanup=False,
                                                      join_affixes=False, restore_zwnj=False), False),
    ):
        print(f"{label:28s} {run(texts, options, args.runs, cold):6.1f} MB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
