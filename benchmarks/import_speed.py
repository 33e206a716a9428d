"""Measure ``digest import`` on a JSON Lines export made from real articles, and ``digest normalize``.

Usage (from the repository root)::

    python benchmarks/import_speed.py --corpus ../shared/corpus --articles 2000 --runs 3

Writes the articles as one JSON Lines export in a temporary folder, then reports medians over
``runs`` of: a first import into an empty site (every article created), a re-import (every
article unchanged), and ``digest normalize`` streaming the same text from a file (MB/s).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from digest import config as config_mod  # noqa: E402
from digest.importer import import_sources  # noqa: E402


def export(corpus: Path, limit: int, folder: Path) -> tuple[Path, Path]:
    """Write ``limit`` articles as a JSON Lines export and as plain text; return both paths."""
    from corpus_io import irnews_articles
    texts = [t for _n, t in irnews_articles(corpus, "train", "dev", "heldout")][:limit]
    lines = []
    for i, text in enumerate(texts):
        title, _, body = text.strip().partition("\n")
        day = 1 + i % 28
        lines.append(json.dumps({"title": title or f"خبر {i}", "text": body or title, "category": "اخبار",
                                 "date": f"1403-07-{day:02d}T10:00", "url": f"https://example.ir/news/{i}"},
                                ensure_ascii=False))
    jsonl = folder / "export.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plain = folder / "plain.txt"
    plain.write_text("\n".join(texts), encoding="utf-8")
    return jsonl, plain


def timed(action) -> float:
    """Return the wall-clock seconds ``action()`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    """Run the measurements and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        jsonl, plain = export(args.corpus, args.articles, work)
        config = config_mod.load(work)
        first, again = [], []
        for _ in range(args.runs):
            shutil.rmtree(work / "content", ignore_errors=True)
            first.append(timed(lambda: import_sources([jsonl], config, work / "content")))
            again.append(timed(lambda: import_sources([jsonl], config, work / "content")))
        size = plain.stat().st_size / 1e6
        export_size = jsonl.stat().st_size / 1e6
        streams = [timed(lambda: subprocess.run([sys.executable, "-m", "digest", "normalize", str(plain)],
                                                cwd=work, stdout=subprocess.DEVNULL, check=True,
                                                env={"PYTHONPATH": str(ROOT)}))
                   for _ in range(args.runs)]
    n = args.articles
    print(f"{n} articles, {export_size:.1f} MB export")
    print(f"first import:  {statistics.median(first):.2f} s ({n / statistics.median(first):.0f} articles/s)")
    print(f"re-import:     {statistics.median(again):.2f} s (all unchanged)")
    print(f"normalize CLI: {size / statistics.median(streams):.1f} MB/s over {size:.1f} MB, process start included")


if __name__ == "__main__":
    main()
