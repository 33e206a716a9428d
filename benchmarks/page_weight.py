"""Build the sample site (and optionally a synthetic one) and print page weights per kind of page.

    python benchmarks/page_weight.py                      # the sample site in content/
    python benchmarks/page_weight.py --synthetic 2000 --per-day 40

Weights are HTML, CSS and fonts, raw/gzip in KB (gzip level 6), medians per kind of page with the
largest HTML and the largest HTML+CSS against the 40 KB budget. The synthetic site puts
``--per-day`` articles on each day, which is what makes day and index pages grow.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest import stats  # noqa: E402
from digest.build import build  # noqa: E402
from digest.jalali import JDate, add_days  # noqa: E402

TOPICS = ("سیاست", "اقتصاد", "فرهنگ", "ورزش", "بین‌الملل", "دانش", "محیط زیست", "جامعه")
WORDS = ("گزارش", "نشست", "شهر", "مردم", "دولت", "بازار", "قیمت", "برنامه", "طرح", "سال", "روز",
         "تازه", "بزرگ", "امروز", "پژوهشگران", "دانشگاه", "کارشناسان", "افزایش", "کاهش", "خبر")


def sentence(rng: random.Random, n: int) -> str:
    """Return ``n`` made-up Persian words ending with a full stop."""
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def synthetic(root: Path, count: int, per_day: int, seed: int = 1403) -> None:
    """Write ``count`` articles, ``per_day`` on each Jalali day going back from 1404-01-15."""
    rng = random.Random(seed)
    day = JDate(1404, 1, 15)
    for i in range(count):
        if i and i % per_day == 0:
            day = add_days(day, -1)
        topic = TOPICS[rng.randrange(len(TOPICS))]
        body = "\n\n".join(" ".join(sentence(rng, rng.randint(8, 16)) for _ in range(4)) for _ in range(5))
        text = (f"---\ntitle: {sentence(rng, rng.randint(5, 10))[:-1]}\n"
                f"date: {day.year:04d}-{day.month:02d}-{day.day:02d}T{8 + i % 12:02d}:{i % 60:02d}\n"
                f"topic: {topic}\nsource: خبرگزاری نمونه\n---\n{body}\n")
        path = root / "content" / f"t{TOPICS.index(topic)}" / f"a{i:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def weigh(root: Path, label: str) -> None:
    """Build the site in ``root`` and print its weights."""
    result = build(root)
    print(f"\n{label}: {result.pages} pages from {len(result.site.articles)} articles")
    for line in stats.report(stats.measure_site(result.output, result.templates)):
        print(line)


def main(argv: list[str] | None = None) -> int:
    """Build and weigh the sample site, then the synthetic one if asked."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--synthetic", type=int, default=0, metavar="N", help="also weigh N synthetic articles")
    p.add_argument("--per-day", type=int, default=30, help="synthetic articles per day (default 30)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digest-weight-") as tmp:
        sample = Path(tmp, "sample")
        shutil.copytree(ROOT / "content", sample / "content")
        shutil.copy(ROOT / "digest.toml", sample / "digest.toml")
        weigh(sample, "sample site")
        if args.synthetic:
            big = Path(tmp, "synthetic")
            synthetic(big, args.synthetic, args.per_day)
            weigh(big, f"synthetic site, {args.per_day} articles a day")
    return 0


if __name__ == "__main__":
    sys.exit(main())
