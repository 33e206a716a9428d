"""Read the third-party news corpora and split them into train and held-out parts.

Shared by ``mine_zwnj.py`` (which reads only the train part) and ``eval_zwnj.py``
(which reads only the held-out part), so both agree on the split.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterator

# Every article whose name hashes into the last 2 of 10 buckets is held out; bucket 7 is a
# development split for tuning the miner (``--tune`` mines without it), and belongs to train
# otherwise. A hash of the name (not a random draw) keeps the split identical everywhere.
HELD_OUT_BUCKETS = {8, 9}
DEV_BUCKETS = {7}


def bucket_of(name: str) -> int:
    """Return the hash bucket (0-9) of an article name."""
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % 10


def split_of(name: str) -> str:
    """Return ``"train"``, ``"dev"`` or ``"heldout"`` for an article name, deterministically."""
    bucket = bucket_of(name)
    if bucket in HELD_OUT_BUCKETS:
        return "heldout"
    return "dev" if bucket in DEV_BUCKETS else "train"


def irnews_articles(corpus: Path, *splits: str) -> Iterator[tuple[str, str]]:
    """Yield ``(name, text)`` for IR-News articles in any of ``splits``, in name order."""
    folder = corpus / "irnews" / "articles"
    for path in sorted(folder.glob("*.txt")):
        if split_of("irnews/" + path.name) not in splits:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        if not lines:
            continue
        fields = lines[0].split("###")
        title = fields[1] if len(fields) > 1 else ""
        # Line 2 holds summary sentence ids; from line 3 on each line is "N<TAB>sentence".
        body = [line.split("\t", 1)[-1] for line in lines[2:]]
        yield path.name, "\n".join([title, *body])


def farsnews_articles(corpus: Path, *splits: str) -> Iterator[tuple[str, str]]:
    """Yield ``(link, text)`` for Fars News articles in any of ``splits``, in file order."""
    path = corpus / "farsnews" / "fars-news-2.json"
    if not path.exists():
        return
    for item in json.loads(path.read_text(encoding="utf-8")):
        link = str(item.get("link", ""))
        if split_of("farsnews/" + link) not in splits:
            continue
        parts = [item.get("title") or "", item.get("abstract") or "", *(item.get("paragraphs") or [])]
        yield link, "\n".join(str(p) for p in parts)
