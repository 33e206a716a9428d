"""Scraped material to raw article records: scraped ``.txt`` pages, JSON and JSON Lines exports.

Pure over (name, bytes): ``read_source`` returns the articles one file holds and the problems
(file and line) that kept the others out. Page furniture and "read more" lines are dropped here,
before the text is escaped for Markdown; the importer does the rest (normalizing, repeated
leads, ids, topics, files).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from digest.errors import Problem
from digest.persian import normalize_chars, topic_key
from digest.readers import FURNITURE, ReadSettings, decode, escape_markdown, read_scraped

SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class Record:
    """One article as a source file gave it: Markdown-safe paragraphs, other fields as found."""

    path: str                       # the source file, as named to the importer
    line: int | None                # where the record starts (JSON), or None (a whole page)
    title: str
    paragraphs: tuple[str, ...]
    date: Any = None
    category: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None
    summary: str | None = None
    id: str | None = None

    @property
    def origin(self) -> str:
        """Return ``file:line`` (or ``file``) for messages."""
        return f"{self.path}:{self.line}" if self.line else self.path


# ---- furniture and "read more" ------------------------------------------------------------

_FURNITURE_KEYS = {topic_key(item) for item in FURNITURE if not item.startswith("بیشتر")}
# "بیشتر بخوانید" (also spelled with a ZWNJ or a space inside بیشتر), maybe after a bullet, with
# or without a colon, maybe followed on the same line by the headline it links to.
_READ_MORE = re.compile("^[\\s*•\\-–—»>]*بیش[\u200c ]?تر\\s+بخوانید\\s*[:：]?\\s*(?P<rest>.*)$")
# Headlines often end in a quotation (…: «…»), so a closing quote does not end a sentence here.
_SENTENCE_END = re.compile("[.!؟?…:؛]\\s*$")
_LINK_OR_URL = re.compile(r"^\s*(?:\[[^\]]+\]\([^)]+\)|<?https?://\S+>?)\s*$")
# A linked headline is short and does not end like a sentence; a few may follow one marker.
HEADLINE_MAX_CHARS = 160
HEADLINES_PER_MARKER = 3


def is_furniture(line: str) -> bool:
    """Tell whether a line is page furniture (accessibility links, breaking-news label, XS/SM/MD/LG)."""
    return topic_key(line.strip().rstrip(":：")) in _FURNITURE_KEYS


def _looks_like_headline(line: str) -> bool:
    """Tell whether a line after a "read more" marker is the headline it links to."""
    if _LINK_OR_URL.match(line):
        return True
    text = line.strip()
    return 0 < len(text) <= HEADLINE_MAX_CHARS and not _SENTENCE_END.search(text)


def blank_clutter(lines: list[str]) -> list[str]:
    """Return ``lines`` with furniture, "read more" lines and the headlines they link to blanked.

    Lines are blanked, not removed, so line numbers in later messages stay right.
    """
    out = list(lines)
    i = 0
    while i < len(out):
        line = normalize_chars(out[i])
        match = _READ_MORE.match(line)
        if match:
            out[i] = ""
            if not match.group("rest").strip():
                i = _blank_linked_headlines(out, i + 1)
                continue
        elif is_furniture(line):
            out[i] = ""
        i += 1
    return out


def _blank_linked_headlines(out: list[str], start: int) -> int:
    """Blank the headlines that follow a bare "read more" marker; return where to go on."""
    i, dropped = start, 0
    while i < len(out) and dropped < HEADLINES_PER_MARKER:
        if not out[i].strip():
            i += 1
            continue
        if not _looks_like_headline(out[i]) or _READ_MORE.match(normalize_chars(out[i])):
            break
        out[i] = ""
        dropped += 1
        i += 1
    return i


# ---- scraped .txt pages -------------------------------------------------------------------

def read_txt(name: str, text: str) -> Record:
    """Read a scraped page through the build's own reader, after blanking clutter."""
    cleaned = "\n".join(blank_clutter(text.split("\n")))
    fields, body, _line, _warnings = read_scraped(name, cleaned, ReadSettings())
    paragraphs = tuple(p for p in body.split("\n\n") if p.strip())
    return Record(path=name, line=None, title=fields["title"], paragraphs=paragraphs, date=fields["date"])


# ---- JSON and JSON Lines ------------------------------------------------------------------

class _RecordError(ValueError):
    """A record that cannot become an article, with the line it starts on."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _text_field(obj: dict, names: tuple[str, ...]) -> str | None:
    """Return the first of ``names`` present in ``obj`` as one line of text, or None."""
    for name in names:
        value = obj.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, (dict, list)):
            raise _RecordError(f"{name} must be text, not a {type(value).__name__}")
        return " ".join(str(value).split())
    return None


def _paragraphs(obj: dict) -> list[str]:
    """Return the article's lines from ``paragraphs`` (a list) or ``text`` (a string)."""
    if obj.get("paragraphs") is not None:
        items = obj["paragraphs"]
        if not isinstance(items, list) or not all(isinstance(p, str) for p in items):
            raise _RecordError("paragraphs must be a list of text")
        lines = [line for item in items for line in item.split("\n")]
    elif obj.get("text") is not None:
        if not isinstance(obj["text"], str):
            raise _RecordError("text must be a string")
        lines = obj["text"].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    else:
        return []
    kept = (" ".join(line.split()) for line in blank_clutter(lines))
    return [escape_markdown(line) for line in kept if line]


def _tags(obj: dict) -> tuple[str, ...]:
    """Return tags from a list or a comma-separated string."""
    value = obj.get("tags")
    if value is None:
        return ()
    items = value if isinstance(value, list) else re.split(r"[,،]", str(value))
    if not all(isinstance(item, (str, int, float)) for item in items):
        raise _RecordError("tags must be a list of text or a comma-separated string")
    return tuple(dict.fromkeys(t for t in (" ".join(str(i).split()) for i in items) if t))


def record_from_json(name: str, line: int | None, obj: Any) -> Record:
    """Turn one exported JSON object into a Record (raising _RecordError when it cannot)."""
    if not isinstance(obj, dict):
        raise _RecordError(f"expected an object with a title, got {type(obj).__name__}")
    title = _text_field(obj, ("title",))
    if not title:
        raise _RecordError("missing title")
    return Record(
        path=name, line=line, title=title, paragraphs=tuple(_paragraphs(obj)),
        date=obj.get("date"), category=_text_field(obj, ("category", "topic")),
        url=_text_field(obj, ("url", "source_url")), tags=_tags(obj),
        source=_text_field(obj, ("source",)), summary=_text_field(obj, ("summary",)),
        id=_text_field(obj, ("id",)),
    )


def _json_values(text: str) -> list[tuple[int, Any]]:
    """Return the top-level values of a JSON document as (line, value); arrays give their items.

    Raises json.JSONDecodeError (with a line) for broken JSON, and ValueError('lines') when
    the file holds several top-level values: it is JSON Lines under a .json name.
    """
    decoder = json.JSONDecoder()
    start = len(text) - len(text.lstrip())
    if text[start:start + 1] != "[":
        value, end = decoder.raw_decode(text, start)
        if text[end:].strip():
            raise ValueError("lines")
        return [(text.count("\n", 0, start) + 1, value)]
    items: list[tuple[int, Any]] = []
    pos, line, counted = start + 1, 1, 0
    while True:
        pos = _skip_space(text, pos)
        if text.startswith("]", pos) and not items:
            break
        line += text.count("\n", counted, pos)
        counted = pos
        value, pos = decoder.raw_decode(text, pos)
        items.append((line, value))
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos += 1
        elif text.startswith("]", pos):
            break
        else:
            raise json.JSONDecodeError("expected ',' or ']' between array items", text, pos)
    if text[pos + 1:].strip():
        raise json.JSONDecodeError("extra data after the array", text, pos + 1)
    return items


def _skip_space(text: str, pos: int) -> int:
    """Return the index of the first non-whitespace character at or after ``pos``."""
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def read_json(name: str, raw: bytes) -> tuple[list[Record], list[Problem]]:
    """Read a JSON export: one article object or an array of them (JSON Lines is detected too)."""
    try:
        text = decode(raw)
    except ValueError as err:
        return [], [_problem(name, err)]
    try:
        values = _json_values(text)
    except json.JSONDecodeError as err:
        return [], [Problem("error", f"invalid JSON: {err.msg} (column {err.colno}); "
                             "nothing was imported from this file", name, err.lineno)]
    except ValueError:
        return read_jsonl(name, raw)
    return _records(name, values)


def read_jsonl(name: str, raw: bytes) -> tuple[list[Record], list[Problem]]:
    """Read JSON Lines: one article object per line; a broken line is reported and skipped."""
    values: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    for number, chunk in enumerate(raw.split(b"\n"), 1):
        try:
            text = decode(chunk.removeprefix(b"\xef\xbb\xbf") if number == 1 else chunk).strip()
        except ValueError as err:
            problems.append(_problem(name, err, number))
            continue
        if not text:
            continue
        try:
            values.append((number, json.loads(text)))
        except json.JSONDecodeError as err:
            problems.append(Problem("error", f"invalid JSON: {err.msg} (column {err.colno}); "
                                    "this line was skipped", name, number))
    records, more = _records(name, values)
    return records, problems + more


def _records(name: str, values: list[tuple[int, Any]]) -> tuple[list[Record], list[Problem]]:
    """Turn (line, value) pairs into Records and problems."""
    records, problems = [], []
    for line, value in values:
        try:
            records.append(record_from_json(name, line, value))
        except _RecordError as err:
            problems.append(Problem("error", str(err), name, line))
    return records, problems


def _problem(name: str, err: ValueError, line: int | None = None) -> Problem:
    """Turn a decoding error from the readers into a Problem naming the file and line."""
    message = getattr(err, "message", str(err))
    hint = getattr(err, "hint", None)
    return Problem("error", f"{message} ({hint})" if hint else message, name,
                   line if line is not None else getattr(err, "line", None))


def read_source(name: str, raw: bytes) -> tuple[list[Record], list[Problem]]:
    """Read one source file by its suffix into records and the problems that kept others out."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(name, raw)
    if suffix == ".json":
        return read_json(name, raw)
    if suffix == ".txt":
        try:
            return [read_txt(name, decode(raw))], []
        except ValueError as err:
            return [], [_problem(name, err)]
    return [], [Problem("error", f"unknown kind of file (import reads {', '.join(SUFFIXES)})", name)]
