"""Mine the ZWNJ lexicon that ``digest.zwnj.restore_zwnj`` uses.

Usage (from the repository root)::

    pip download hazm==0.10.0 --no-deps -d DIR
    python scripts/mine_zwnj.py --corpus ../shared/corpus --hazm-wheel DIR/hazm-0.10.0-py3-none-any.whl

Reads only the train split of the corpora (see ``corpus_io.split_of``; with ``--tune`` also
without its dev bucket) plus hazm's word and verb lists, and writes ``digest/data/zwnj.txt.gz``. The output is sorted and gzip-stamped with a fixed
time, so the same inputs always give the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import sys
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_io import DEV_BUCKETS, HELD_OUT_BUCKETS, farsnews_articles, irnews_articles  # noqa: E402
from digest.persian import NON_JOINING, WORD_RE, ZWNJ, NormalizeOptions, normalize  # noqa: E402
from digest.zwnj import GLUED_CANDIDATE, neighbours, silent_end  # noqa: E402

# Only the character-level steps: mining must see the writers' own ZWNJ choices.
CLEAN = NormalizeOptions(punctuation=False, join_affixes=False, restore_zwnj=False)
MARKS = re.compile("[\u064b-\u065f\u0670]")
PREFIXES = ("نمی" + ZWNJ, "می" + ZWNJ)
PERSONAL = ("م", "ی", "د", "یم", "ید", "ند")
PAST_PERSONAL = ("م", "ی", "", "یم", "ید", "ند")
AFTER_PARTICIPLE = ("ام", "ای", "است", "ایم", "اید", "اند")
PLURAL_TAILS = ("ها", "های", "هایی", "هایش", "هایم", "هاست")
# Glued endings with two readings: stem‌های (plural) or stemه‌ای (silent ه + ای), and so on.
TWO_READINGS = {"های": "ای", "هایم": "ایم", "هاست": "است", "هاید": "اید"}
# A ZWNJ after a letter that never joins leftwards changes nothing on screen; one agency's CMS
# scatters them (د‌ر for در). The lexicon keeps none, so variants merge and junk disappears.
USELESS_ZWNJ = re.compile(f"(?<=[{NON_JOINING}]){ZWNJ}")


def canonical(word: str) -> str:
    """Drop the ZWNJs of ``word`` that follow a non-joining letter."""
    return USELESS_ZWNJ.sub("", word) if ZWNJ in word else word


def read_hazm(wheel: Path) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """Return hazm's words (word -> (frequency, tags)) and its verb lines from the wheel."""
    with zipfile.ZipFile(wheel) as zf:
        words_text = zf.read("hazm/data/words.dat").decode("utf-8")
        verbs_text = zf.read("hazm/data/verbs.dat").decode("utf-8")
    words = {}
    for line in words_text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0]:
            word = canonical(normalize(parts[0], CLEAN))
            words[word] = (int(parts[1]), parts[2])
    return words, verbs_text.splitlines()


def verb_forms(verb_lines: list[str]) -> set[str]:
    """Conjugate hazm's verb stems into the forms that can follow می / نمی."""
    forms: set[str] = set()
    for line in verb_lines:
        past, _, present = line.partition("#")
        for stem in present.split():
            if stem == "یا":
                continue
            for end in PERSONAL:
                forms.add(stem + end)
                if stem.endswith(("ا", "و")):
                    forms.add(stem + "ی" + end)  # آید، گوید
        past = past.strip()
        if past:
            forms.update(past + end for end in PAST_PERSONAL)
            forms.add(past + "ه")
            forms.update(past + "ه" + ZWNJ + end for end in AFTER_PARTICIPLE)
    return {canonical(normalize(f, CLEAN)) for f in forms if len(f) >= 2}


def count_corpus(corpus: Path, sources: tuple[str, ...] = ("irnews", "farsnews"),
                 splits: tuple[str, ...] = ("train", "dev")) -> tuple[Counter, Counter, dict[str, int]]:
    """Count words and adjacent word pairs in the train split; return them with article counts."""
    words: Counter = Counter()
    pairs: Counter = Counter()
    articles = {source: 0 for source in sources}
    readers = {"irnews": irnews_articles, "farsnews": farsnews_articles}
    for source in sources:
        reader = readers[source]
        for _name, text in reader(corpus, *splits):
            articles[source] += 1
            text = normalize(text, CLEAN)
            for line in text.splitlines():
                previous_end, previous = -2, None
                for match in WORD_RE.finditer(line):
                    word = canonical(match.group())
                    if MARKS.search(word):
                        previous = None
                        continue
                    words[word] += 1
                    gap = line[previous_end:match.start()] if previous else ""
                    if previous and gap.strip(" ") == "" and gap:
                        pairs[previous, word] += 1
                    previous_end, previous = match.end(), word
    return words, pairs, articles


@dataclass(frozen=True)
class Params:
    """The miner's thresholds (see ``main`` for what each means)."""

    min_count: int = 2
    ratio: float = 2.0
    stem_count: int = 1
    context_min: int = 2
    frequent_min: int = 16
    tail_min: int = 8


def mine(corpus: Path, wheel: Path, params: Params, sources: tuple[str, ...],
         splits: tuple[str, ...] = ("train", "dev")) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Return the lexicon sections and statistics about how they were built."""
    min_count, ratio, stem_count = params.min_count, params.ratio, params.stem_count
    counts, pairs, articles = count_corpus(corpus, sources, splits)
    hazm, verb_lines = read_hazm(wheel)
    stats: dict[str, int] = {f"{k}_train_articles": v for k, v in articles.items()}

    # 1. Glued spelling -> ZWNJ spelling, from the corpus: keep a ZWNJ spelling only where it is
    #    written more often (``ratio`` times) than the glued one. The spaced spelling does not
    #    compete: the restorer only ever sees glued text, and there a ZWNJ is the right
    #    separator even for words more often written with a space (به عنوان, می تواند).
    #    (A first version that also required beating the spaced spelling lost exactly those.)
    best: dict[str, tuple[int, str]] = {}
    for word, z in counts.items():
        if ZWNJ not in word or z < min_count:
            continue
        glued = word.replace(ZWNJ, "")
        if z <= ratio * counts.get(glued, 0):
            continue
        if glued not in best or (z, word) > best[glued]:
            best[glued] = (z, word)
    glued_map = {g: w for g, (z, w) in best.items()}
    stats["glued_from_corpus"] = len(glued_map)

    # 2. hazm's ZWNJ words, unless the corpus writes them glued more often, or hazm itself lists
    #    the glued spelling as a tagged word that is at least as frequent.
    added = 0
    for word, (freq, _tags) in hazm.items():
        if ZWNJ not in word:
            continue
        glued = word.replace(ZWNJ, "")
        if glued in glued_map:
            continue
        if counts.get(glued, 0) >= max(1, counts.get(word, 0)):
            continue
        other = hazm.get(glued)
        if other and other[1] != "0" and other[0] >= freq:
            continue
        glued_map[glued] = word
        added += 1
    stats["glued_from_hazm"] = added

    # 3. Words that really are written without a ZWNJ: rules never split them.
    known = {w for w, (f, tags) in hazm.items() if ZWNJ not in w and tags != "0"}
    known |= {w for w, c in counts.items() if ZWNJ not in w and c >= 2}
    # Stems seen only with a ZWNJ suffix (اتوبون‌های) are words too: the plural rule may use them.
    for word, c in counts.items():
        head, sep, tail = word.rpartition(ZWNJ)
        if sep and c >= stem_count and tail in PLURAL_TAILS and len(head) >= 2:
            known.add(head.replace(ZWNJ, ""))
    known -= glued_map.keys()

    # 4. Stems that take تر / ترین: hazm's adjectives, and stems the corpus writes with ‌تر.
    adjectives = {w for w, (f, tags) in hazm.items() if "AJ" in tags.split(",")}
    for word in counts:
        head, sep, tail = word.rpartition(ZWNJ)
        if sep and tail in ("تر", "ترین"):
            adjectives.add(head.replace(ZWNJ, ""))
    adjectives = {a.replace(ZWNJ, "") for a in adjectives if len(a) >= 2}

    # 5. What may follow می / نمی: every continuation the corpus writes with a ZWNJ, plus
    #    hazm's verb stems conjugated.
    verbs: dict[str, Counter] = defaultdict(Counter)
    for word, z in counts.items():
        for prefix in PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                rest = word[len(prefix):]
                verbs[rest.replace(ZWNJ, "")][rest] += z
    for form in verb_forms(verb_lines):
        verbs[form.replace(ZWNJ, "")][form] += 0
    verb_list = {max(c.items(), key=lambda kv: (kv[1], kv[0]))[0] for c in verbs.values()}

    # A corpus word that is می/نمی glued to a verb form, and is written separated at least as
    # often as glued, is a lost ZWNJ rather than a word (میتواند); it must not block the prefix
    # rule. Words mostly written glued (میدانی, "of the field") stay known.
    for word in list(known):
        for prefix in ("نمی", "می"):
            rest = word[len(prefix):]
            if word.startswith(prefix) and rest in verbs:
                separated = counts.get(prefix + ZWNJ + rest, 0) + pairs.get((prefix, rest), 0)
                if separated >= counts.get(word, 0):
                    known.discard(word)

    sections = {
        "glued": sorted(glued_map.values()),
        "words": sorted(known),
        "adjectives": sorted(adjectives),
        "verbs": sorted(verb_list),
    }
    sections.update(frequency_sections(counts, params.frequent_min, params.tail_min))
    forms = ambiguous_forms(counts, glued_map, known, params.min_count)
    sections["context"] = context_lines(corpus, sources, splits, forms, params.context_min)
    for name, items in sections.items():
        stats[f"{name}_entries"] = len(items)
    return sections, stats


def frequency_sections(counts: Counter, frequent_min: int, tail_min: int) -> dict[str, list[str]]:
    """Return ``[frequent N]`` and ``[tails N]`` sections: words by frequency class (log2 of count).

    ``frequent`` counts a word however the corpus spells it (ZWNJs dropped); ``tails`` counts
    what follows the last ZWNJ of a word (the second part of a compound, جمهور in رئیس‌جمهور).
    """
    flat: Counter = Counter()
    tails: Counter = Counter()
    for word, c in counts.items():
        flat[word.replace(ZWNJ, "")] += c
        if ZWNJ in word:
            tails[word.rpartition(ZWNJ)[2]] += c
    sections: dict[str, list[str]] = {}
    for name, counter, least in (("frequent", flat, frequent_min), ("tails", tails, tail_min)):
        for word, c in counter.items():
            if c >= least and len(word) >= 2:
                sections.setdefault(f"{name} {c.bit_length() - 1}", []).append(word)
    return {name: sorted(sections[name]) for name in sorted(sections, key=lambda n: (n.split()[0], int(n.split()[1])))}


def ambiguous_forms(counts: Counter, glued_map: dict[str, str], known: set[str],
                    min_count: int) -> dict[str, set[str]]:
    """Return the glued forms with two plausible readings, each mapped to those readings."""
    readings: dict[str, set[str]] = defaultdict(set)
    for word, c in counts.items():
        if ZWNJ in word and c >= min_count:
            readings[word.replace(ZWNJ, "")].add(word)
    forms = {g: r for g, r in readings.items() if len(r) >= 2}

    def spelled(stem: str) -> str | None:
        """Return the lexicon spelling of a known stem, else None."""
        return glued_map.get(stem) or (stem if stem in known else None)

    # The rules alone make a second reading for stem + های when stem + ه is a word too
    # (نشانهای: نشان‌های or نشانه‌ای); the corpus may have seen only one of them.
    for g in {w.replace(ZWNJ, "") for w in counts}:
        for end, alt in TWO_READINGS.items():
            stem = g[: -len(end)]
            if not g.endswith(end) or len(stem) < 2:
                continue
            plain, heh = spelled(stem), spelled(stem + "ه")
            # Not after a non-joining letter: the glued spelling would be one reading, and its
            # counts mix real plurals (کارهای) with lost ZWNJs, so they cannot be trusted.
            if plain and heh and silent_end(stem + "ه") and not re.match(f"[{NON_JOINING}]", stem[-1]):
                forms.setdefault(g, set()).update({plain + ZWNJ + end, heh + ZWNJ + alt})
    return forms


def context_lines(corpus: Path, sources: tuple[str, ...], splits: tuple[str, ...],
                  forms: dict[str, set[str]], min_feature: int) -> list[str]:
    """Count each reading of the ambiguous forms with its neighbours; return ``[context]`` lines."""
    seen: dict[str, Counter] = defaultdict(Counter)
    features: dict[str, Counter] = defaultdict(Counter)
    readers = {"irnews": irnews_articles, "farsnews": farsnews_articles}
    for source in sources:
        for _name, text in readers[source](corpus, *splits):
            pieces = GLUED_CANDIDATE.split(canonical(normalize(text, CLEAN)))
            flat = [p.replace(ZWNJ, "") for p in pieces]
            for i in range(1, len(pieces), 2):
                reading = pieces[i]
                if flat[i] in forms and reading in forms[flat[i]]:
                    seen[flat[i]][reading] += 1
                    for feature in neighbours(flat, i):
                        features[flat[i]][feature, reading] += 1
    lines = []
    for g in sorted(seen):
        readings = sorted(r for r, n in seen[g].items() if n >= 2)
        if len(readings) < 2:
            continue
        items = [g, "|".join(readings), ",".join(str(seen[g][r]) for r in readings)]
        names = sorted({f for f, _r in features[g]})
        for name in names:
            row = [features[g][name, r] for r in readings]
            if sum(row) >= min_feature and " " not in name and "\t" not in name:
                items.append(f"{name} {','.join(map(str, row))}")
        lines.append("\t".join(items))
    return lines


HEADER = """\
# digest ZWNJ lexicon, made by scripts/mine_zwnj.py (do not edit by hand; run the script again).
# Sources and licences:
#   IR-News-Dataset articles, GPL-3.0: word spellings, frequencies and neighbour counts from the
#   train (+ dev) split only.
#   Fars News sample (fars-news-2.json, from an NLP course repository), Apache-2.0: the same splits.
#   hazm 0.10.0 (wheel files hazm/data/words.dat and hazm/data/verbs.dat), MIT, (c) 2013 Alireza Nourian.
# Split: an article is held out when sha256(source/name) % 10 is in {held_out}; the rest is train
#   (bucket {dev} is the dev split, mined unless --tune was given).
# Sections: [glued] ZWNJ spellings (the glued key is the word without its ZWNJs); [words] real
#   words written without a ZWNJ; [adjectives] stems taking تر/ترین; [verbs] what follows می/نمی;
#   [frequent N] words seen 2^N to 2^(N+1)-1 times (ZWNJs ignored); [tails N] compound second parts
#   (what follows a word's last ZWNJ) seen that often; [context] ambiguous glued forms: readings,
#   their counts, and counts of each reading beside a neighbour (<word before, >word after).
"""


def main(argv: list[str] | None = None) -> int:
    """Mine the lexicon and write it into the package."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder holding irnews/ and farsnews/")
    parser.add_argument("--hazm-wheel", type=Path, required=True, help="hazm-0.10.0-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=ROOT / "digest" / "data" / "zwnj.txt.gz")
    parser.add_argument("--min-count", type=int, default=2,
                        help="corpus occurrences a ZWNJ spelling needs (default 2)")
    parser.add_argument("--ratio", type=float, default=2.0,
                        help="a ZWNJ spelling must be written more than this many times as often as"
                             " the glued one to enter [glued] (default 2: clearly more frequent)")
    parser.add_argument("--stem-count", type=int, default=1,
                        help="corpus occurrences of stem‌ها… that make the stem known to the plural rule (default 1)")
    parser.add_argument("--context-min", type=int, default=2,
                        help="occurrences a neighbour needs to enter the context table (default 2)")
    parser.add_argument("--frequent-min", type=int, default=16,
                        help="corpus occurrences that list a word with its frequency class (default 16)")
    parser.add_argument("--tail-min", type=int, default=8,
                        help="occurrences after a ZWNJ that list a compound's second part (default 8)")
    parser.add_argument("--skip", action="append", default=[], choices=["irnews", "farsnews"],
                        help="leave a corpus out (for instance to keep GPL-3.0 text out of the lexicon)")
    parser.add_argument("--tune", action="store_true",
                        help="leave the dev split out too, to tune against it (eval_zwnj.py --split dev)")
    args = parser.parse_args(argv)

    sources = tuple(s for s in ("irnews", "farsnews") if s not in args.skip)
    splits = ("train",) if args.tune else ("train", "dev")
    params = Params(args.min_count, args.ratio, args.stem_count, args.context_min,
                    args.frequent_min, args.tail_min)
    sections, stats = mine(args.corpus, args.hazm_wheel, params, sources, splits)
    text = io.StringIO()
    text.write(HEADER.format(held_out=sorted(HELD_OUT_BUCKETS), dev=min(DEV_BUCKETS)))
    text.write(f"# Parameters: min_count={args.min_count} ratio={args.ratio} stem_count={args.stem_count}"
               f" context_min={args.context_min} frequent_min={args.frequent_min}"
               f" tail_min={args.tail_min} corpora={','.join(sources)}"
               f" splits={'+'.join(splits)}\n")
    for key in sorted(stats):
        text.write(f"# {key}: {stats[key]}\n")
    for name, items in sections.items():
        text.write(f"[{name}]\n")
        text.writelines(item + "\n" for item in items)
    data = gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data) / 1e6:.2f} MB)", file=sys.stderr)
    for key in sorted(stats):
        print(f"  {key}: {stats[key]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
