"""Page weights of a built site: HTML, CSS and fonts per page, raw and gzip-compressed.

Reads the output folder after a build; no rendering, no printing. The page budget the quality
tests hold every page to is ``PAGE_BUDGET`` bytes of gzip-compressed HTML plus its stylesheets.
Fonts are counted apart: woff2 is already compressed, and browsers cache them across pages.
"""

from __future__ import annotations

import gzip
import re
import statistics
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

PAGE_BUDGET = 40 * 1024
GZIP_LEVEL = 6  # what common web servers use by default, not the smallest possible
_FONT_URL = re.compile(r"""url\(\s*['"]?([^'")]+?\.(?:woff2?|ttf|otf))['"]?\s*\)""", re.I)


@dataclass(frozen=True)
class Weight:
    """Bytes on disk and after gzip."""

    raw: int = 0
    gz: int = 0

    def __add__(self, other: Weight) -> Weight:
        """Add two weights."""
        return Weight(self.raw + other.raw, self.gz + other.gz)


@dataclass(frozen=True)
class PageWeight:
    """One page's own HTML and the CSS and fonts it loads."""

    path: str
    kind: str
    html: Weight
    css: Weight
    fonts: Weight
    scripts: int

    @property
    def budget_bytes(self) -> int:
        """Return what counts against the page budget: compressed HTML plus compressed CSS."""
        return self.html.gz + self.css.gz


@dataclass(frozen=True)
class KindSummary:
    """Medians and maxima of one kind of page (one template)."""

    kind: str
    pages: int
    html: Weight
    html_max: Weight
    css: Weight
    fonts: Weight
    budget_max: int


class _Links(HTMLParser):
    """Collect the stylesheets, preloads and scripts a page refers to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stylesheets: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note stylesheet links and script elements."""
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and "stylesheet" in a.get("rel", "").lower().split():
            self.stylesheets.append(a.get("href", ""))
        elif tag == "script":
            self.scripts += 1


@lru_cache(maxsize=256)
def file_weight(path: Path) -> Weight:
    """Return a file's size on disk and gzip-compressed (cached: pages share their assets)."""
    data = path.read_bytes()
    return Weight(len(data), len(gzip.compress(data, GZIP_LEVEL, mtime=0)))


def resolve(out: Path, page: Path, href: str) -> Path | None:
    """Return the local file a page-relative or site-absolute link points to, or None if remote."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    rel = unquote(parts.path)
    target = out / rel.lstrip("/") if rel.startswith("/") else page.parent / rel
    return target.resolve() if target.resolve().is_relative_to(out.resolve()) else None


def font_files(css: Path) -> list[Path]:
    """Return the font files a stylesheet's url()s name, relative to the stylesheet."""
    text = css.read_text(encoding="utf-8", errors="replace")
    found = []
    for href in _FONT_URL.findall(text):
        path = (css.parent / unquote(href)).resolve()
        if path.is_file() and path not in found:
            found.append(path)
    return found


def measure_page(out: Path, rel: str, kind: str) -> PageWeight:
    """Weigh one built page and the local stylesheets and fonts it loads."""
    page = out / rel
    links = _Links()
    links.feed(page.read_text(encoding="utf-8", errors="replace"))
    css, fonts, seen = Weight(), Weight(), set()
    for href in links.stylesheets:
        sheet = resolve(out, page, href)
        if sheet is None or not sheet.is_file() or sheet in seen:
            continue
        seen.add(sheet)
        css += file_weight(sheet)
        for font in font_files(sheet):
            if font not in seen:
                seen.add(font)
                fonts += file_weight(font)
    return PageWeight(rel, kind, file_weight(page), css, fonts, links.scripts)


def measure_site(out: Path, kinds: dict[str, str] | None = None) -> list[PageWeight]:
    """Weigh every HTML page under ``out``; ``kinds`` maps output paths to templates."""
    kinds = kinds or {}
    file_weight.cache_clear()
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    return [measure_page(out, rel, kind_of(rel, kinds)) for rel in pages]


def kind_of(rel: str, kinds: dict[str, str]) -> str:
    """Return a page's kind: its template's name without the suffix, else 'other'."""
    template = kinds.get(rel)
    return template.rsplit(".", 1)[0] if template else "other"


def summarize(weights: list[PageWeight]) -> list[KindSummary]:
    """Group page weights by kind: median HTML, CSS and fonts, largest HTML and budget use."""
    groups: dict[str, list[PageWeight]] = {}
    for w in weights:
        groups.setdefault(w.kind, []).append(w)
    return [KindSummary(kind, len(ws), _median(w.html for w in ws),
                        Weight(max(w.html.raw for w in ws), max(w.html.gz for w in ws)),
                        _median(w.css for w in ws), _median(w.fonts for w in ws),
                        max(w.budget_bytes for w in ws))
            for kind, ws in sorted(groups.items())]


def _median(weights) -> Weight:
    """Return the median raw and gzip sizes of some weights."""
    ws = list(weights)
    return Weight(int(statistics.median(w.raw for w in ws)), int(statistics.median(w.gz for w in ws)))


def report(weights: list[PageWeight]) -> list[str]:
    """Format the per-kind summary as aligned text lines (KB = 1024 bytes; raw/gzip)."""
    lines = [f"{'kind':<10} {'pages':>5}  {'HTML median':>13}  {'HTML max':>13}  {'CSS':>11}  "
             f"{'fonts':>11}  {'HTML+CSS gz max':>15}"]
    for s in summarize(weights):
        lines.append(f"{s.kind:<10} {s.pages:>5}  {_kb(s.html):>13}  {_kb(s.html_max):>13}  "
                     f"{_kb(s.css):>11}  {_kb(s.fonts):>11}  {s.budget_max / 1024:>12.1f} KB")
    over = [w for w in weights if w.budget_bytes >= PAGE_BUDGET]
    scripts = sum(w.scripts for w in weights)
    lines.append(f"budget {PAGE_BUDGET // 1024} KB of gzip HTML+CSS per page: "
                 + (f"{len(over)} page(s) over, largest {max(over, key=lambda w: w.budget_bytes).path}" if over else "every page under")
                 + (f"; {scripts} <script> element(s)" if scripts else "; no scripts"))
    return lines


def _kb(w: Weight) -> str:
    """Format a weight as 'raw/gzip' kilobytes."""
    return f"{w.raw / 1024:.1f}/{w.gz / 1024:.1f}"
