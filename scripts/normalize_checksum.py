"""Print a checksum of ``normalize``'s output over a corpus, to prove a change keeps the output.

Usage (from the repository root)::

    python scripts/normalize_checksum.py --corpus ../shared/corpus
    python scripts/normalize_checksum.py --corpus ../shared/corpus --content DIR/content

Run it before and after a change to ``digest/persian.py`` (for instance from two checkouts):
equal checksums for every option set mean the output is byte-for-byte the same on every
article of both corpora (all splits), and with ``--content`` also on every Markdown file (front
matter included) of a generated corpus (``benchmarks/gen_corpus.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_io import farsnews_articles, irnews_articles  # noqa: E402
from digest.persian import NormalizeOptions, normalize  # noqa: E402

SPLITS = ("train", "dev", "heldout")
OPTION_SETS = {
    "all steps": NormalizeOptions(),
    "no restore_zwnj": NormalizeOptions(restore_zwnj=False),
    "no characters": NormalizeOptions(characters=False),
    "no digits": NormalizeOptions(digits=False),
    "characters + digits only": NormalizeOptions(punctuation=False, zwnj_cleanup=False,
                                                 join_affixes=False, restore_zwnj=False),
}


def main(argv: list[str] | None = None) -> int:
    """Normalize every article under each option set and print one sha256 per set."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder holding irnews/ and farsnews/")
    parser.add_argument("--content", type=Path, help="also a content/ folder of Markdown files")
    args = parser.parse_args(argv)
    texts = [t for reader in (irnews_articles, farsnews_articles) for _n, t in reader(args.corpus, *SPLITS)]
    if args.content:
        texts += [p.read_text(encoding="utf-8") for p in sorted(args.content.rglob("*.md"))]
    for label, options in OPTION_SETS.items():
        digest = hashlib.sha256()
        for text in texts:
            digest.update(normalize(text, options).encode("utf-8", "surrogatepass") + b"\0")
        print(f"{label:26s} {digest.hexdigest()[:24]}  ({len(texts)} articles)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
