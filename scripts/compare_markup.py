"""Render the same Markdown with the old engine (markdown-it-py) and the new one (cmark-gfm); count differences.

Not a test: a tool for judging the switch. Inputs are Markdown files under ``--folder`` (front matter
dropped, body normalized as a build would), the news corpora under ``--corpus`` (layout of
``scripts/corpus_io.py``; each line a paragraph) and ``--fuzz N`` random strings of Persian and Latin
words, Markdown punctuation, entities, raw HTML and URLs. The old ``digest/markup.py`` is read from
git history (the last commit whose version imports markdown_it) and needs markdown-it-py installed.

    python scripts/compare_markup.py --folder content --fuzz 20000
    python scripts/compare_markup.py --folder CORPUS/content --time     # A/B per-article cost
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import re
import subprocess
import sys
import time
import types
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from digest import markup  # noqa: E402
from digest.persian import normalize  # noqa: E402
from digest.readers import read_markdown  # noqa: E402

PAGE = "/1403/01/15/a1/"

GROUPS = {
    "a": "links", "img": "images", "em": "emphasis", "strong": "emphasis", "s": "strikethrough",
    "del": "strikethrough", "table": "tables", "thead": "tables", "tbody": "tables", "tr": "tables",
    "th": "tables", "td": "tables", "blockquote": "blockquotes", "ul": "lists", "ol": "lists", "li": "lists",
    "code": "code", "pre": "code", "bdi": "Latin isolation", "p": "paragraphs", "br": "line breaks",
    "hr": "rules", **{f"h{n}": "headings" for n in range(2, 7)},
}


def old_engine(rev: str | None) -> types.ModuleType:
    """Load the markdown-it-py ``digest/markup.py`` from git history as a module."""
    if importlib.util.find_spec("markdown_it") is None:
        raise SystemExit("the old engine needs markdown-it-py: pip install markdown-it-py")
    if rev is None:
        revs = subprocess.run(["git", "log", "--format=%H", "--", "digest/markup.py"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.split()
        rev = next(r for r in revs if "markdown_it" in _show(r))
    module = types.ModuleType("old_markup")
    module.__file__ = f"git:{rev}:digest/markup.py"
    exec(compile(_show(rev), module.__file__, "exec"), module.__dict__)
    return module


def _show(rev: str) -> str:
    """Return digest/markup.py as of ``rev``."""
    return subprocess.run(["git", "show", f"{rev}:digest/markup.py"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


def folder_inputs(folder: Path) -> list[tuple[str, str]]:
    """Return (name, normalized body) for every Markdown file under ``folder``."""
    out = []
    for path in sorted([*folder.rglob("*.md"), *folder.rglob("*.markdown")]):
        try:
            _, body, _, _ = read_markdown(str(path), path.read_text(encoding="utf-8"), None)
        except Exception as err:  # a broken file is the reader's business, not this comparison's
            print(f"skipped {path}: {err}", file=sys.stderr)
            continue
        out.append((str(path.relative_to(folder)), normalize(body)))
    return out


def corpus_inputs(corpus: Path) -> list[tuple[str, str]]:
    """Return (name, normalized text) for the news corpora, one paragraph per line."""
    from corpus_io import farsnews_articles, irnews_articles

    splits = ("train", "dev", "heldout")
    items = [*irnews_articles(corpus, *splits), *farsnews_articles(corpus, *splits)]
    return [(name, normalize(text.replace("\n", "\n\n"))) for name, text in items]


PIECES = [
    "خبر", "گزارش", "می‌شود", "تهران", "۱۴۰۳", "۲۵٪", "«نقل»", "،", ".", "؟",
    "Reuters", "World Bank", "AT&T", "COVID-19", "e.g.", "3D", "v2.0",
    "*", "**", "_", "__", "~~", "~", "`", "``", "[", "]", "(", ")", "!", "#", "## ", "> ", "- ", "1. ",
    "|", "\\", "\\<", "<", ">", "&", "\"", "'", "---", "***", "    ", "\t", " ", " ", " ", "\n", "\n\n",
    "\u00a0", "\u200c", "&amp;", "&lt;", "&#1;", "&#x7f;", "&#0;", "&nbsp;", "&copy;", "&#1605;",
    "<b>", "</i>", "<script>alert(1)</script>", "<!-- c -->", "<div>", "<a href=\"x\">", "<br>",
    "<https://example.org/x>", "<name@example.org>", "https://example.com/a?b=1&c=2", "/topics/x/",
    "javascript:alert(1)", "mailto:a@example.org", "[پیوند](https://example.com)", "[داخلی](/1403/01/)",
    "[بد](javascript:alert(1))", "![عکس](https://example.com/a.png)", "![داده](data:image/png;base64,AA)",
    "`کد <b>`", "\n```\nx < y\n```\n", "\n| الف | ب |\n|---|:-:|\n| ۱ | ۲ |\n", "\n# عنوان\n", "*تأکید*",
    "~~خط~~", "\n> نقل\n", "\n- یک\n- دو\n",
]


def fuzz_inputs(n: int, seed: int) -> list[tuple[str, str]]:
    """Return ``n`` random strings built from PIECES (not normalized: the parser meets them raw)."""
    rng = random.Random(seed)
    return [(f"fuzz {i}", "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))) for i in range(n)]


def kind_of(old: tuple[str, str], new: tuple[str, str]) -> str:
    """Name the kind of a difference between two (html, first paragraph) results."""
    if old[0] == new[0]:
        return "summary text only"
    refused = r"\]\((?:<bdi[^>]*>)?(?:javascript|vbscript|file|data):"
    if len(re.findall(refused, old[0], re.I)) != len(re.findall(refused, new[0], re.I)):
        return "refused link shown as its label (was its source)"
    count_old, count_new = (Counter(re.findall(r"<(\w+)", h)) for h in (old[0], new[0]))
    changed = sorted({GROUPS.get(t, t) for t in count_old.keys() | count_new.keys() if count_old[t] != count_new[t]})
    if changed:
        return "tags: " + ", ".join(changed)
    text_old, text_new = (re.sub(r"<[^>]*>", "", h) for h in (old[0], new[0]))
    if text_old == text_new:
        return "attributes"
    for name, pattern in (("shown '<'", "&lt;"), ("no-break spaces", "&nbsp;"),
                          ("control characters", "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")):
        if len(re.findall(pattern, text_old)) != len(re.findall(pattern, text_new)):
            return "text: " + name
    if text_old.split() == text_new.split():
        return "text: whitespace"
    return "text: other"


def compare(label: str, inputs: list[tuple[str, str]], old: types.ModuleType, examples: int) -> None:
    """Render every input with both engines and print the differences by kind."""
    kinds: dict[str, list[tuple[str, str, tuple, tuple]]] = defaultdict(list)
    for name, text in inputs:
        a, b = old.render(text, PAGE), markup.render(text, PAGE)
        if a != b:
            kinds[kind_of(a, b)].append((name, text, a, b))
    differ = sum(len(v) for v in kinds.values())
    print(f"\n== {label}: {differ} of {len(inputs)} differ ({100 * differ / max(len(inputs), 1):.1f}%)")
    for kind, items in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        print(f"-- {kind}: {len(items)}")
        for name, text, a, b in sorted(items, key=lambda it: len(it[1]))[:examples]:
            print(f"   {name}: {_short(text)}\n     old {_short(a)}\n     new {_short(b)}")


def _short(value, limit: int = 300) -> str:
    """Return a one-line repr cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def time_both(inputs: list[tuple[str, str]], old: types.ModuleType, rounds: int = 3) -> None:
    """Print per-article cost of both engines, interleaved A/B, best of ``rounds``."""
    texts = [text for _, text in inputs]
    best = {"markdown-it-py": [], "cmark-gfm": []}
    for _ in range(rounds):
        for label, render in (("markdown-it-py", old.render), ("cmark-gfm", markup.render)):
            start = time.perf_counter()
            for text in texts:
                render(text, PAGE)
            best[label].append((time.perf_counter() - start) / len(texts) * 1000)
    for label, runs in best.items():
        print(f"{label:15} best {min(runs):.3f} ms per article (runs {', '.join(f'{r:.3f}' for r in runs)})")


def main() -> None:
    """Parse arguments and compare."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folder", type=Path, action="append", default=[], help="Markdown files to compare")
    ap.add_argument("--corpus", type=Path, help="folder holding irnews/ and farsnews/")
    ap.add_argument("--fuzz", type=int, default=0, help="how many random strings to compare")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--old", help="git revision of the markdown-it-py markup.py (default: the last one)")
    ap.add_argument("--examples", type=int, default=3, help="examples shown per kind of difference")
    ap.add_argument("--time", action="store_true", help="also time both engines on the folder inputs")
    args = ap.parse_args()
    old = old_engine(args.old)
    print(f"old engine: {old.__file__}")
    for folder in args.folder:
        inputs = folder_inputs(folder)
        compare(f"folder {folder}", inputs, old, args.examples)
        if args.time:
            time_both(inputs, old)
    if args.corpus:
        compare(f"corpus {args.corpus}", corpus_inputs(args.corpus), old, args.examples)
    if args.fuzz:
        compare(f"fuzz ({args.fuzz}, seed {args.seed})", fuzz_inputs(args.fuzz, args.seed), old, args.examples)


if __name__ == "__main__":
    main()
