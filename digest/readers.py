"""Input files to Articles: one reader per suffix, chosen from the ``READERS`` registry.

Readers are pure over (relative path, decoded text, settings); ``digest.frontmatter`` reads front
matter; ``read_file`` is the one place that touches the disk. Every problem raises ContentError
naming the file and line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from digest import jalali, markup
from digest.errors import ContentError, Problem
from digest.frontmatter import LineError as _LineError
from digest.frontmatter import parse_front_matter
from digest.model import Article
from digest.persian import normalize_chars, shorten, to_latin_digits, topic_key

RESERVED_IDS = {"index", "topics", "static", "page", "feeds", "404", "sitemap", "robots"}
MAX_ID = 80
DEFAULT_TOPIC = "سایر"


@dataclass(frozen=True)
class ReadSettings:
    """What readers need from the config."""

    tz: Any = jalali.TEHRAN
    summary_length: int = 220
    max_bytes: int = 512 * 1024
    normalize: Callable[[str], str] = normalize_chars


# ---- decoding ----------------------------------------------------------------------------

def decode(raw: bytes) -> str:
    """Decode UTF-8 (BOM dropped, NULs and lone surrogates replaced, line ends unified)."""
    return decode_exact(raw)[0]


def decode_exact(raw: bytes) -> tuple[str, bool]:
    """Decode as ``decode`` does; also tell whether the text is the bytes' strict UTF-8 (a BOM aside)."""
    try:
        # "utf-8" is decoded in C directly, "utf-8-sig" through a codec written in Python; the
        # two differ only in dropping one leading BOM (errors keep "utf-8-sig"'s offsets, below).
        text, valid = raw.decode(), True  # valid UTF-8 holds no lone surrogate
        if text.startswith("\ufeff"):
            text = text[1:]
    except UnicodeDecodeError:
        try:
            text, valid = raw.decode("utf-8-sig", errors="surrogatepass"), False
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            raise _LineError(line, f"not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start})",
                             "save the file as UTF-8; Windows-1256 files can be converted with "
                             "'iconv -f windows-1256 -t utf-8'") from None
    exact = valid
    if "\r" in text:
        text, exact = text.replace("\r\n", "\n").replace("\r", "\n"), False
    decoded = normalize_chars(text, valid=valid, nul=b"\0" in raw)  # NUL is the zero byte in UTF-8
    return decoded, exact and decoded is text  # (normalize_chars returns text it leaves as it is)


# ---- fields ----------------------------------------------------------------------------

# Compiled once: ``re.match(pattern, ...)`` looks its pattern up in re's cache on every call.
_TAG_SEPARATOR = re.compile(r"[,،]")
_HTTP_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_NOT_SLUG = re.compile(r"[^a-z0-9._-]+")
_SLUG_LETTER = re.compile(r"[a-z0-9]")
_DAY_NUMBER = re.compile(r"\d{1,2}")
# The line ending front matter, found from the line break before it: a pattern that starts with a
# character is searched for that character, one that starts with "^" is tried at every position.
_FRONT_MATTER_END = re.compile(r"\n(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")

_TRUE = {"true", "yes", "on", "1", "y", "بله"}
_FALSE = {"false", "no", "off", "0", "n", "", "خیر"}
# ``imported_hash`` is written by ``digest import``: the hash of what it wrote, so a later import
# can tell whether a person has edited the article since.
KNOWN_FIELDS = {"title", "date", "topic", "category", "tags", "source", "source_url", "url",
                "author", "summary", "id", "draft", "imported_hash"}


def _text(value: Any, name: str, line: int | None) -> str:
    """Return a field as one line of text."""
    if isinstance(value, (dict, list)):
        raise _LineError(line, f"{name} must be text, not a {'list' if isinstance(value, list) else 'mapping'}")
    return " ".join(str(value).split())


def _bool(value: Any, name: str, line: int | None) -> bool:
    """Coerce yes/no/true/false/on/off/1/0 (any case) to a bool."""
    text = _text(value, name, line).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _LineError(line, f"{name}: {value!r} is not yes/no or true/false")


def _tags(value: Any, line: int | None) -> tuple[str, ...]:
    """Return tags from a list or a comma-separated string."""
    items = value if isinstance(value, list) else _TAG_SEPARATOR.split(_text(value, "tags", line))
    if len(items) > 50:
        raise _LineError(line, "tags: more than 50 tags")
    tags = []
    for item in items:
        tag = _text(item, "tags", line)
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _url(value: Any, name: str, line: int | None) -> str:
    """Return an http(s) URL, refusing every other scheme."""
    url = _text(value, name, line)
    if not _HTTP_URL.match(url):
        raise _LineError(line, f"{name}: {url[:80]!r} is not an http(s) URL")
    return url


def make_id(value: str | None, stem: str) -> tuple[str, str | None]:
    """Return (ASCII id, warning or None) from an ``id`` field or the file name.

    Raises ValueError for ids that try to leave their folder or take a reserved name.
    """
    raw = to_latin_digits(value if value is not None else stem).strip()
    if value is not None and ("/" in raw or "\\" in raw or raw.startswith(".") or ".." in raw):
        raise ValueError(f"id {value!r} may not contain '/', '\\\\' or '..' or start with '.'")
    slug = _NOT_SLUG.sub("-", raw.lower()).strip("-._")
    warning = None
    if not slug or not _SLUG_LETTER.search(slug) or _mostly_not_ascii(raw):
        digest = hashlib.sha1(topic_key(raw).encode()).hexdigest()[:10]
        slug = f"a-{digest}"
        warning = f"no ASCII id; using {slug!r} (add an 'id:' of Latin letters and digits to choose one)"
    if len(slug) > MAX_ID:
        slug = slug[:MAX_ID - 11].rstrip("-._") + "-" + hashlib.sha1(slug.encode()).hexdigest()[:10]
    if slug in RESERVED_IDS or _DAY_NUMBER.fullmatch(slug):
        raise ValueError(f"id {slug!r} is reserved (it would clash with the site's own pages)")
    return slug, warning


def _mostly_not_ascii(text: str) -> bool:
    """Tell whether a name is written mainly in non-Latin letters."""
    if text.isascii():
        return False  # (most ids and file names)
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) * 2 < len(letters)


# ---- the two readers ----------------------------------------------------------------------

def read_markdown(rel: str, text: str, settings: ReadSettings) -> tuple[dict, str, int, list[Problem]]:
    """Split a Markdown file into (fields, body, body's first line, warnings)."""
    warnings: list[Problem] = []
    fields: dict[str, Any] = {}
    lines: dict[str, int] = {}
    body, body_line = text, 1
    if text.startswith("---\n") or text == "---":
        end = _FRONT_MATTER_END.search(text, 3)  # (searched in place: a slice would copy the text)
        if not end:
            raise _LineError(1, "front matter starts with '---' but has no closing '---' line")
        fm = text[4:end.start() + 1]
        body = text[end.end():].lstrip("\n")
        body_line = text.count("\n", 0, len(text) - len(body)) + 1
        fields, lines, dups = parse_front_matter(fm, 2)
        for key, line in dups:
            warnings.append(Problem("warning", f"duplicate key {key!r}; the last value is used", rel, line))
    fields["__lines__"] = lines
    if "title" not in fields:
        heading = _HEADING.match(body)
        if heading and not body[:heading.start()].strip():
            fields["title"] = heading.group(1)
            body = body[heading.end():].lstrip("\n")
    return fields, body, body_line, warnings


FURNITURE = {"لینکهای قابلیت دسترسی", "لینک‌های قابلیت دسترسی", "لینک های قابلیت دسترسی",
             "خبر فوری", "xs", "sm", "md", "lg", "بیشتر بخوانید", "بیشتر بخوانید:"}
_WEEKDAY_RE = r"(?:شنبه|یک[\s\u200c]*شنبه|دو[\s\u200c]*شنبه|سه[\s\u200c]*شنبه|چهار[\s\u200c]*شنبه|پنج[\s\u200c]*شنبه|جمعه)"
_DATELINE = re.compile(
    rf"^\s*(?:{_WEEKDAY_RE}\s*[،,]?\s+)?(\d{{1,2}})\s+(\S+?)(?:\s*ماه)?\s+(\d{{4}})"
    r"(?:\s+(?P<city>[^\d:]+?))?(?:\s*[،,-]?\s*(?:ساعت\s*)?(\d{1,2}):(\d{2}))?\s*$")


def parse_dateline(line: str) -> tuple[str, str | None] | None:
    """Return (date text for jalali.parse, city) if ``line`` is a Persian dateline, else None."""
    m = _DATELINE.match(to_latin_digits(line))
    if not m or normalize_chars(m.group(2)).replace("\u200c", "") not in jalali._MONTH_NAMES:
        return None
    day, month, year, city, hh, mm = m.group(1, 2, 3, "city", 5, 6)
    date = f"{day} {month} {year}" + (f" {hh}:{mm}" if hh else "")
    return date, (city.strip() if city else None)


def read_scraped(rel: str, text: str, settings: ReadSettings) -> tuple[dict, str, int, list[Problem]]:
    """Read a scraped page: drop furniture, parse the dateline, take the headline and paragraphs."""
    lines = text.split("\n")
    numbered = [(i + 1, ln.strip()) for i, ln in enumerate(lines)]
    kept = [(n, ln) for n, ln in numbered if ln and ln.lower() not in FURNITURE]
    date_at = None
    for idx, (n, ln) in enumerate(kept[:8]):
        parsed = parse_dateline(ln)
        if parsed:
            date_at = idx
            date_text, city = parsed
            break
    if date_at is None:
        raise _LineError(1, "no dateline found near the top",
                         "a scraped page needs a line like 'سه‌شنبه ۱۴ اسفند ۱۴۰۲ تهران ۰۸:۳۰'")
    rest = kept[date_at + 1:]
    if not rest:
        raise _LineError(kept[date_at][0], "no headline after the dateline")
    headline_line, headline = rest[0]
    paragraphs = [escape_markdown(ln) for _, ln in rest[1:]]
    fields = {"title": headline, "date": date_text,
              "__lines__": {"date": kept[date_at][0], "title": headline_line}}
    body_line = rest[1][0] if len(rest) > 1 else headline_line
    return fields, "\n\n".join(paragraphs), body_line, []


def escape_markdown(line: str) -> str:
    """Keep a plain-text line from being read as Markdown syntax."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", line)


READERS: dict[str, Callable[[str, str, ReadSettings], tuple[dict, str, int, list[Problem]]]] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_scraped,
}


# ---- from fields to an Article ----------------------------------------------------------

@lru_cache(maxsize=4096)
def _repeated(norm: Callable[[str], str], text: str) -> str:
    """Normalize a value that recurs from article to article (topic, tag, source, author) once."""
    # normalize is pure, so its answer can be kept; titles and summaries rarely recur, bodies never.
    return norm(text)


def path_parts(rel: str) -> tuple[str | None, str, str]:
    """Return the first folder (None at the top), the stem and the suffix of a content path, as pathlib would."""
    names = rel.split("/")
    if "" in names or "." in names:  # pathlib drops these names; rare, so let it decide
        path = PurePosixPath(rel)
        return (path.parts[0] if len(path.parts) > 1 else None), path.stem, path.suffix
    name = names[-1]
    dot = name.rfind(".")
    stem, suffix = (name[:dot], name[dot:]) if 0 < dot < len(name) - 1 else (name, "")
    return (names[0] if len(names) > 1 else None), stem, suffix


def to_article(rel: str, fields: dict, body: str, settings: ReadSettings, fingerprint: str,
               encoded: bytes | None = None) -> tuple[Article, list[Problem]]:
    """Check the fields against the schema and build the Article.

    ``encoded``, when given, is ``body`` in UTF-8 (the file's own bytes), handed to the Markdown
    parser when normalizing leaves the body as it is.
    """
    lines: dict[str, int] = fields.pop("__lines__", {})
    warnings: list[Problem] = []
    norm = settings.normalize
    line = lines.get  # a field's line, or None

    folder, stem, _ = path_parts(rel)
    if not fields.keys() <= KNOWN_FIELDS:  # (tested in C, without a set of the keys)
        for key in sorted(set(fields) - KNOWN_FIELDS, key=str):
            warnings.append(Problem("warning", f"unknown field {key!r} ignored", rel, line(str(key))))
    title = norm(_text(fields.get("title", ""), "title", line("title")))
    if not title:
        raise _LineError(line("title") or 1, "missing title", "add 'title: ...' to the front matter")
    if "date" not in fields:
        raise _LineError(1, "missing date", "add 'date: 1403-09-02' (Jalali) or 'date: 2024-11-22'")
    try:
        published, has_time = jalali.parse(_text(fields["date"], "date", line("date")), settings.tz)
    except ValueError as err:
        raise _LineError(line("date"), f"invalid date: {err}") from None
    topic = fields.get("topic", fields.get("category"))
    topic_name = _repeated(norm, _text(topic, "topic", line("topic") or line("category"))) if topic is not None else ""
    if not topic_name:
        topic_name = _repeated(norm, folder) if folder is not None else DEFAULT_TOPIC
    try:
        art_id, id_warning = make_id(_text(fields["id"], "id", line("id")) if "id" in fields else None,
                                     stem)
    except ValueError as err:
        raise _LineError(line("id") or 1, str(err)) from None
    if id_warning:
        warnings.append(Problem("warning", id_warning, rel, line("id")))
    source_url = fields.get("source_url", fields.get("url"))
    day = jalali.jday(published)
    # A summary of the article's own spares finding the first paragraph; a summary that is not
    # text is refused after the body, as before.
    given = fields.get("summary", "")
    summary = norm(_text(given, "summary", line("summary"))) if isinstance(given, str) else None
    text = norm(body)
    html, first = markup.render(text, page_url=f"/{day.path}/{art_id}/", want_first=not summary,
                                encoded=encoded if encoded is not None and text == body else None)
    if summary is None:
        summary = norm(_text(given, "summary", line("summary")))
    article = Article(
        id=art_id, path=rel, title=title, published=published, has_time=has_time,
        day=day, topic_name=topic_name, body_html=html,
        summary=summary or shorten(first, settings.summary_length),
        tags=tuple(_repeated(norm, t) for t in _tags(fields.get("tags", []), line("tags"))),
        source=_repeated(norm, _text(fields["source"], "source", line("source"))) if fields.get("source") else None,
        source_url=_url(source_url, "source_url", line("source_url") or line("url")) if source_url else None,
        author=_repeated(norm, _text(fields["author"], "author", line("author"))) if fields.get("author") else None,
        draft=_bool(fields.get("draft", "no"), "draft", line("draft")),
        fingerprint=fingerprint,
    )
    return article, warnings


def read_text(rel: str, raw: bytes, settings: ReadSettings, fingerprint: str = ""
              ) -> tuple[Article, list[Problem]]:
    """Read one file's bytes into an Article and its warnings; raise ContentError on failure."""
    try:
        text, exact = decode_exact(raw)
        fields, body, body_line, warnings = READERS[path_parts(rel)[2].lower()](rel, text, settings)
        article, more = to_article(rel, fields, body, settings, fingerprint,
                                   _tail_bytes(raw, text, body) if exact else None)
    except _LineError as err:
        raise ContentError(err.message, path=rel, line=err.line, hint=err.hint) from None
    except RecursionError:
        raise ContentError("the Markdown nests too deeply to render", path=rel) from None
    return article, warnings + more


def _tail_bytes(raw: bytes, text: str, body: str) -> bytes | None:
    """Return the bytes of ``body`` when it ends ``text``, which is exactly ``raw`` decoded (a BOM aside)."""
    # Slicing the file's bytes spares encoding the body again for the Markdown parser; only the
    # text before the body (the front matter, a few hundred characters) is encoded to find it.
    if not text.endswith(body):
        return None  # a scraped page's body is made of its lines, not a slice of the file
    start = len(text[:len(text) - len(body)].encode()) + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
    return raw[start:]


def size_problem(size: int, rel: str, max_bytes: int) -> Problem | None:
    """Return the warning that skips an empty or oversized file, or None when its size is fine."""
    if size == 0:
        return Problem("warning", "empty file skipped", rel)
    if size > max_bytes:
        return Problem("warning", f"file is {size // 1024} KB, over the {max_bytes // 1024} KB "
                       "limit (max_file_kb in digest.toml); skipped", rel)
    return None


def read_file(path: Path, rel: str, settings: ReadSettings) -> tuple[Article | None, list[Problem]]:
    """Read one input file from disk; skip empty or oversized files with a warning."""
    skipped = size_problem(path.stat().st_size, rel, settings.max_bytes)
    if skipped:
        return None, [skipped]
    raw = path.read_bytes()
    return read_text(rel, raw, settings, hashlib.sha1(raw).hexdigest())
