"""``digest import``: scraped material to clean Markdown articles that ``digest build`` reads.

read sources (``digest.sources``) -> prepare each record (normalize with the site's
``[normalize]`` steps, drop repeated leads, choose a stable id, a topic and a file) -> write
``<into>/<topic folder>/<id>.md`` atomically.

Every file written records ``imported_hash``, the hash of the rest of the file as import wrote
it. A later import recomputes it: if the file no longer matches, a person has edited it since,
and it is left alone unless ``force`` is set. So re-importing the same material changes
nothing, and importing a newer version of an article updates its one file.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import yaml

from digest import jalali
from digest.config import Config, TopicConfig
from digest.errors import Problem
from digest.persian import NormalizeOptions, normalize, normalize_chars, topic_key, transliterate
from digest.readers import DEFAULT_TOPIC, make_id
from digest.sources import SUFFIXES, Record, read_source

HASH_FIELD = "imported_hash"
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid)$", re.IGNORECASE)
_HASH_LINE = re.compile(rf"^{HASH_FIELD}: *['\"]?([0-9a-f]+)['\"]? *\n", re.MULTILINE)
_ID_LINE = re.compile(r"^id: *['\"]?([^'\"\n]+?)['\"]? *$", re.MULTILINE)
EDITED = "edited since the last import; use --force to overwrite it"
FOREIGN = "exists and was not written by digest import; use --force to overwrite it"


@dataclass(frozen=True)
class ImportSettings:
    """What preparing an article needs from the site config."""

    tz: object = jalali.TEHRAN
    normalize: Callable[[str], str] = normalize
    topics: dict[str, TopicConfig] = field(default_factory=dict)


def settings_from(config: Config) -> ImportSettings:
    """Return the time zone, the ``[normalize]`` steps and the topic spellings of a site."""
    options = NormalizeOptions.from_config(config.extra.get("normalize"))
    topics = {topic_key(spelling): t for t in config.topics for spelling in (t.name, *t.aliases)}
    return ImportSettings(config.tz, functools.partial(normalize, options=options), topics)


@dataclass(frozen=True)
class Planned:
    """An article ready to write: its id, its path under the content folder and its text."""

    id: str
    rel: str
    text: str
    origin: str


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), for the command line and tests."""

    created: list[tuple[str, str]] = field(default_factory=list)    # (file, origin)
    updated: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)    # (file or origin, why)
    errors: list[Problem] = field(default_factory=list)
    sources: int = 0

    def lines(self, verbose: bool = True) -> list[str]:
        """Return one line per article created, updated, skipped (and unchanged if ``verbose``)."""
        out = [f"created {path} (from {origin})" for path, origin in self.created]
        out += [f"updated {path} (from {origin})" for path, origin in self.updated]
        if verbose:
            out += [f"unchanged {path}" for path, _ in self.unchanged]
        out += [f"skipped {what}: {why}" for what, why in self.skipped]
        return out

    def summary(self, dry_run: bool = False) -> str:
        """Return the closing count line."""
        verb = "would import" if dry_run else "imported"
        return (f"{verb} from {self.sources} files: {len(self.created)} created, {len(self.updated)} "
                f"updated, {len(self.unchanged)} unchanged, {len(self.skipped)} skipped, "
                f"{len(self.errors)} errors" + ("; nothing was written (dry run)" if dry_run else ""))


# ---- sources ---------------------------------------------------------------------------

def source_files(paths: list[Path], skip: Path | None = None) -> tuple[list[Path], list[Problem]]:
    """List the files to read: files as given, folders searched recursively (hidden names and ``skip`` left out)."""
    from digest.scan import is_ignored

    found: list[Path] = []
    problems: list[Problem] = []
    skip_real = skip.resolve() if skip is not None else None
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not is_ignored(d)
                                 and Path(folder, d).resolve() != skip_real)
                found += [Path(folder, f) for f in sorted(files)
                          if f.lower().endswith(SUFFIXES) and not is_ignored(f)]
        else:
            problems.append(Problem("error", "no such file or folder", str(path)))
    return found, problems


# ---- one record to one article ---------------------------------------------------------

class _Refused(ValueError):
    """A record that does not become an article; ``error`` tells a problem from a skip."""

    def __init__(self, message: str, error: bool = True):
        super().__init__(message)
        self.error = error


def canonical_url(url: str) -> str:
    """Return the form of a URL that stays the same across trivial differences (scheme, www, tracking, slash)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    path = unicodedata.normalize("NFC", normalize_chars(unquote(parts.path))).rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    return host + path + ("?" + urlencode(query) if query else "")


def url_id(url: str) -> str:
    """Return a stable ASCII id from a URL: the site's name and a hash of the canonical URL."""
    canon = canonical_url(url)
    host = canon.split("/", 1)[0].split(":", 1)[0]
    labels = [label for label in host.split(".") if label not in ("m", "mobile", "amp")]
    name = re.sub(r"[^a-z0-9]+", "-", labels[0] if labels else "").strip("-")[:30].strip("-")
    return f"{name or 'u'}-{hashlib.sha1(canon.encode()).hexdigest()[:10]}"


def title_date_id(title: str, day: jalali.JDate) -> str:
    """Return a stable ASCII id from a title and a Jalali day (for articles without a URL)."""
    digest = hashlib.sha1(topic_key(title).encode()).hexdigest()[:8]
    return f"{day.year:04d}{day.month:02d}{day.day:02d}-{digest}"


def choose_id(record: Record, url: str | None, title: str, day: jalali.JDate) -> str:
    """Return the article's id: from the URL, else the export's own ASCII id, else title and date."""
    if url:
        return url_id(url)
    if record.id:
        try:
            slug, warning = make_id(record.id, "")
        except ValueError:
            warning = "refused"
        if not warning:
            return slug
    return title_date_id(title, day)


def topic_and_folder(category: str | None, settings: ImportSettings) -> tuple[str, str]:
    """Return the topic name to write and the folder for the file, from the config's topics."""
    name = settings.normalize(category) if category else DEFAULT_TOPIC
    configured = settings.topics.get(topic_key(name))
    if configured:
        return configured.name, configured.slug
    folder = re.sub(r"[^a-z0-9]+", "-", transliterate(name).lower()).strip("-")[:40].strip("-")
    return name, folder or "topic-" + hashlib.sha1(topic_key(name).encode()).hexdigest()[:6]


def _lead_key(paragraph: str) -> str:
    """Return what two paragraphs must share to count as the same: letters and digits only."""
    return "".join(ch for ch in topic_key(paragraph.replace("\\", "")) if ch.isalnum())


def drop_repeated_leads(paragraphs: list[str], summary: str | None) -> list[str]:
    """Drop a first paragraph repeated as the second, then a summary repeated as the first paragraph."""
    paras = list(paragraphs)
    if len(paras) >= 2 and _lead_key(paras[0]) and _lead_key(paras[0]) == _lead_key(paras[1]):
        del paras[1]
    if summary and paras and _lead_key(summary) and _lead_key(summary) == _lead_key(paras[0]):
        del paras[0]
    return paras


def jalali_text(value: object, tz: object) -> tuple[str, jalali.JDate]:
    """Parse a date the way the build does and write it as Jalali ``YYYY-MM-DDTHH:MM`` (Latin digits).

    A date given without a time is written without one, so no made-up 00:00 is shown.
    """
    if value is None or value == "":
        raise _Refused("missing date (add a date such as 1403-09-02T10:30 or 2024-11-22)")
    try:
        moment, has_time = jalali.parse(value, tz)
    except ValueError as err:
        raise _Refused(f"invalid date: {err}") from None
    day = jalali.jday(moment)
    text = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    return (text + f"T{moment.hour:02d}:{moment.minute:02d}" if has_time else text), day


def prepare(record: Record, settings: ImportSettings) -> Planned:
    """Turn one record into the article file to write (raising _Refused when it cannot)."""
    norm = settings.normalize
    title = " ".join(norm(record.title).split())
    date_text, day = jalali_text(record.date, settings.tz)
    url = record.url
    if url and not re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.IGNORECASE):
        raise _Refused(f"url: {url[:80]!r} is not an http(s) URL")
    summary = " ".join(norm(record.summary).split()) if record.summary else None
    paragraphs = drop_repeated_leads([p for p in (norm(p).strip() for p in record.paragraphs) if p], summary)
    if not paragraphs:
        raise _Refused("no article text (only a headline, furniture or repeated lines)", error=False)
    topic, folder = topic_and_folder(record.category, settings)
    art_id = choose_id(record, url, title, day)
    fields: dict[str, object] = {"title": title, "date": date_text, "topic": topic}
    tags = list(dict.fromkeys(t for t in (" ".join(norm(t).split()) for t in record.tags) if t))
    if tags:
        fields["tags"] = tags
    if record.source:
        fields["source"] = " ".join(norm(record.source).split())
    if url:
        fields["source_url"] = url
    if summary:
        fields["summary"] = summary
    fields["id"] = art_id
    return Planned(art_id, f"{folder}/{art_id}.md", render(fields, "\n\n".join(paragraphs)), record.origin)


def _hash(text: str) -> str:
    """Return the short hash recorded in ``imported_hash``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def render(fields: dict[str, object], body: str) -> str:
    """Return the article file: YAML front matter (with ``imported_hash`` last), a blank line, the body."""
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1_000_000,
                           default_flow_style=False)
    hashed = f"---\n{front}---\n\n{body}\n"
    return f"---\n{front}{HASH_FIELD}: {_hash(hashed)}\n---\n\n{body}\n"


def edit_state(text: str) -> str:
    """Tell whether a file is as import wrote it ("clean"), edited since ("edited"), or not import's ("foreign")."""
    end = text.find("\n---\n", 3) if text.startswith("---\n") else -1
    if end < 0:
        return "foreign"
    match = _HASH_LINE.search(text, 0, end + 1)
    if not match:
        return "foreign"
    rest = text[:match.start()] + text[match.end():]
    return "clean" if _hash(rest) == match.group(1) else "edited"


# ---- the content folder ------------------------------------------------------------------

def existing_ids(into: Path) -> dict[str, list[Path]]:
    """Map each article id already in the content folder to its Markdown files."""
    found: dict[str, list[Path]] = {}
    if not into.is_dir():
        return found
    for folder, dirs, files in os.walk(into):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".md") or name.startswith("."):
                continue
            path = Path(folder, name)
            try:
                head = path.read_text(encoding="utf-8", errors="replace")[:4096]
            except OSError:
                continue
            end = head.find("\n---", 3) if head.startswith("---\n") else -1
            match = _ID_LINE.search(head, 0, end) if end > 0 else None
            found.setdefault(match.group(1).strip() if match else path.stem, []).append(path)
    return found


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a hidden temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _place(plan: Planned, into: Path, known: dict[str, list[Path]], force: bool
           ) -> tuple[str, Path | None]:
    """Decide what to do with one article: ("create" | "update" | "unchanged" | why-skipped, old file)."""
    target = into / plan.rel
    olds = known.get(plan.id, [])
    current = target if target.exists() else (olds[0] if olds else None)
    if current is None:
        return "create", None
    text = current.read_text(encoding="utf-8", errors="replace")
    if current == target and text == plan.text:
        return "unchanged", None
    state = edit_state(text)
    if state != "clean" and not force:
        return (EDITED if state == "edited" else FOREIGN), current
    return "update", (current if current != target else None)


def write_all(plans: list[Planned], into: Path, report: ImportReport, force: bool, dry_run: bool) -> None:
    """Create, update or leave each planned article, recording what happened in ``report``."""
    known = existing_ids(into)
    for plan in plans:
        shown = str(into / plan.rel)
        try:
            action, old = _place(plan, into, known, force)
            if action in ("create", "update") and not dry_run:
                write_atomic(into / plan.rel, plan.text)
                if old is not None:
                    old.unlink()
        except OSError as err:
            report.errors.append(Problem("error", f"could not write: {err.strerror or err}", shown))
            continue
        if action == "create":
            report.created.append((shown, plan.origin))
        elif action == "update":
            moved = f"; moved from {old}" if old is not None else ""
            report.updated.append((shown, plan.origin + moved))
        elif action == "unchanged":
            report.unchanged.append((shown, plan.origin))
        else:
            report.skipped.append((str(old or shown), action))


def import_sources(paths: list[Path], config: Config, into: Path, *, force: bool = False,
                   dry_run: bool = False) -> ImportReport:
    """Import every article found in ``paths`` into the folder ``into``; see the module docstring."""
    settings = settings_from(config)
    report = ImportReport()
    files, report.errors = source_files(paths, skip=into)
    report.sources = len(files)
    plans: list[Planned] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as err:
            report.errors.append(Problem("error", f"could not read: {err.strerror or err}", str(path)))
            continue
        records, problems = read_source(str(path), raw)
        report.errors += problems
        for record in records:
            try:
                plan = prepare(record, settings)
            except _Refused as why:
                if why.error:
                    report.errors.append(Problem("error", str(why), record.path, record.line))
                else:
                    report.skipped.append((record.origin, str(why)))
                continue
            if plan.id in seen:
                report.skipped.append((record.origin, f"the same article as {seen[plan.id]} (id {plan.id})"))
                continue
            seen[plan.id] = record.origin
            plans.append(plan)
    write_all(plans, into, report, force, dry_run)
    return report
