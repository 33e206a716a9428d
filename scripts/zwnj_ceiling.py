"""How far can word-by-word ZWNJ restoration go on the corpus? Bounds for the #3 goal.

Usage (from the repository root)::

    python scripts/zwnj_ceiling.py --corpus ../shared/corpus [--visible]

Every figure scores spellings chosen one glued form at a time (what the restorer does outside
its few context-decided forms) against the held-out split, counted as ``eval_zwnj.py`` counts:

1. the shipped restorer (``RESTORED``, no context);
2. an oracle that knows the held-out counts and picks, form by form, the choices that restore
   most ZWNJ words while changing at most a given share of other words: no lexicon mined from
   other text can beat it;
3. choices learned from the train split alone (restore the commonest ZWNJ spelling when it is
   at least ``t`` times as common as the glued one), for every writer and per news agency
   (each agency's choices learned from its own train articles);
4. why the shipped restorer misses the ZWNJ words it misses, by what train says of them.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_io import farsnews_articles, irnews_articles  # noqa: E402
from digest.persian import WORD_RE, ZWNJ, normalize  # noqa: E402
from digest.zwnj import RESTORED  # noqa: E402
from digest.zwnj_eval import CLEAN, visible  # noqa: E402

Counts = dict[str, Counter]           # glued form -> spellings written for it, with counts
Chooser = Callable[[str], str]        # glued form -> spelling to write


def articles(corpus: Path, *splits: str) -> Iterator[tuple[str, str]]:
    """Yield (agency, text) for the articles of ``splits``."""
    for name, text in irnews_articles(corpus, *splits):
        header = (corpus / "irnews" / "articles" / name).read_text(encoding="utf-8").split("###", 1)[0]
        yield header, text
    for _link, text in farsnews_articles(corpus, *splits):
        yield "farsnews", text


def count(corpus: Path, vis: bool, *splits: str) -> dict[str, Counts]:
    """Count, per agency, how each glued form is written in ``splits``."""
    out: dict[str, Counts] = defaultdict(lambda: defaultdict(Counter))
    for agency, text in articles(corpus, *splits):
        original = normalize(text, CLEAN)
        for word in WORD_RE.findall(visible(original) if vis else original):
            out[agency][word.replace(ZWNJ, "")][word] += 1
    return out


def merged(per_agency: dict[str, Counts]) -> Counts:
    """Add up the agencies' counts."""
    total: Counts = defaultdict(Counter)
    for counts in per_agency.values():
        for flat, spellings in counts.items():
            total[flat].update(spellings)
    return total


def score(held: dict[str, Counts], choosers: Callable[[str], Chooser]) -> tuple[float, float]:
    """Return (recall %, other words changed %) of one choice per glued form and agency."""
    restored = zwnj_words = changed = other = 0
    for agency, counts in held.items():
        choose = choosers(agency)
        for flat, spellings in counts.items():
            got = choose(flat)
            for word, n in spellings.items():
                if ZWNJ in word:
                    zwnj_words += n
                    restored += n if got == word else 0
                else:
                    other += n
                    changed += n if got != word else 0
    return 100 * restored / zwnj_words, 100 * changed / other


def learned(train: Counts, ratio: float) -> Chooser:
    """Choose from train counts: the commonest ZWNJ spelling if ``ratio`` times the glued one."""
    def choose(flat: str) -> str:
        """Pick a spelling for one glued form; unseen forms go to the shipped restorer."""
        spellings = train.get(flat)
        if not spellings:
            return RESTORED[flat]
        best = max(((n, w) for w, n in spellings.items() if ZWNJ in w), default=None)
        return best[1] if best and best[0] >= ratio * spellings.get(flat, 0) else flat
    return choose


def oracle(held: Counts, limits: list[float]) -> list[tuple[float, float]]:
    """Return the oracle's best recall % for each limit on other words changed (a fraction)."""
    zwnj_words = sum(n for s in held.values() for w, n in s.items() if ZWNJ in w)
    other = sum(n for s in held.values() for w, n in s.items() if ZWNJ not in w)
    free, costly = 0, []
    for flat, spellings in held.items():
        best = max(((n, w) for w, n in spellings.items() if ZWNJ in w), default=None)
        if best is None:
            continue
        cost = spellings.get(flat, 0)
        if cost:
            costly.append((best[0] / cost, best[0], cost))
        else:
            free += best[0]
    costly.sort(reverse=True)   # best gain per wrong change first: greedy is optimal up to one form
    out, got, spent, taken = [], free, 0, 0
    for limit in sorted(limits):
        while taken < len(costly) and spent + costly[taken][2] <= limit * other:
            got, spent, taken = got + costly[taken][1], spent + costly[taken][2], taken + 1
        out.append((limit, 100 * got / zwnj_words))
    return out


def misses(held: Counts, train: Counts) -> Counter:
    """Sort the shipped restorer's missed ZWNJ words by what train says of their glued form."""
    kinds: Counter = Counter()
    for flat, spellings in held.items():
        got = RESTORED[flat]
        seen = train.get(flat, Counter())
        for word, n in spellings.items():
            if ZWNJ not in word or got == word:
                continue
            if not seen:
                kind = "glued form never seen in train"
            elif not seen.get(word):
                kind = "this spelling never seen in train"
            elif seen[word] < seen.get(flat, 0):
                kind = "train writes it glued more often"
            elif max(seen.values()) > seen[word]:
                kind = "train prefers another ZWNJ spelling"
            else:
                kind = "train prefers it; the restorer declined"
            kinds[kind] += n
    return kinds


def main(argv: list[str] | None = None) -> int:
    """Print the bounds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder holding irnews/ and farsnews/")
    parser.add_argument("--visible", action="store_true", help="ignore ZWNJs after non-joining letters")
    args = parser.parse_args(argv)
    train_by, held_by = count(args.corpus, args.visible, "train", "dev"), count(args.corpus, args.visible, "heldout")
    train, held = merged(train_by), merged(held_by)
    print("1. shipped restorer, word by word: recall %.2f%%, other words changed %.3f%%"
          % score({"all": held}, lambda _a: RESTORED.__getitem__))
    print("2. oracle knowing the held-out counts:")
    for limit, recall in oracle(held, [0.0008, 0.001, 0.0016, 0.002, 0.005]):
        print(f"   other words changed <= {100 * limit:.2f}%: recall {recall:.2f}%")
    print("3. choices learned from train (ratio: recall, other words changed):")
    for ratio in (1, 2, 3, 5):
        everyone = score({"all": held}, lambda _a: learned(train, ratio))
        agency = score(held_by, lambda a: learned(train_by.get(a, {}), ratio))
        print(f"   ratio {ratio}: all writers {everyone[0]:.2f}% {everyone[1]:.3f}%;"
              f" per agency {agency[0]:.2f}% {agency[1]:.3f}%")
    total = sum(n for s in held.values() for w, n in s.items() if ZWNJ in w)
    print(f"4. missed ZWNJ words of the shipped restorer, of {total}:")
    for kind, n in misses(held, train).most_common():
        print(f"   {n:6d} ({100 * n / total:.2f}%) {kind}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
