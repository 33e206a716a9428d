"""Site configuration from ``digest.toml``: typed, frozen, every setting defaulted.

All problems are reported at once, each naming its key; unknown keys are errors.

    title = "..."            site title
    description = "..."      one line under the title
    base_url = "/"           where the site is published; may carry a path ("https://u.github.io/repo/")
    timezone = "Asia/Tehran" local time of dates written without an offset
    per_page = 20            articles per topic page
    index_days = 7           days listed on the front page
    summary_length = 220     characters of the first paragraph used when an article has no summary
    content = "content"      input folder, relative to the site folder
    output = "site"          output folder, relative to the site folder
    max_file_kb = 512        larger input files are skipped with a warning

    [[topics]]               optional: a topic's display name, ASCII slug and other spellings
    name = "بین‌الملل"
    slug = "world"
    aliases = ["بین الملل", "جهان"]

Other tables (``[normalize]``, ``[email]``, ``[deploy]``, ``[feeds]``) are read by the features
that use them (``[feeds]`` by ``digest.feeds``, ``[deploy]`` by ``digest.publish``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import ConfigError

CONFIG_FILE = "digest.toml"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class TopicConfig:
    """A topic named in the config: display name, slug and other spellings."""

    name: str
    slug: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know besides the articles."""

    root: Path
    title: str = "خلاصه‌ی اخبار"
    description: str = "گزیده‌ی خبرهای روز، دسته‌بندی‌شده بر پایه‌ی موضوع و تاریخ"
    base_url: str = "/"
    timezone: str = "Asia/Tehran"
    per_page: int = 20
    index_days: int = 7
    summary_length: int = 220
    content: str = "content"
    output: str = "site"
    max_file_kb: int = 512
    topics: tuple[TopicConfig, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def content_dir(self) -> Path:
        """Return the absolute input folder."""
        return (self.root / self.content).resolve()

    @property
    def output_dir(self) -> Path:
        """Return the absolute output folder."""
        return (self.root / self.output).resolve()

    @property
    def cache_dir(self) -> Path:
        """Return the folder for build caches (git-ignored)."""
        return self.root / ".digest-cache"

    @property
    def base_path(self) -> str:
        """Return the path part of base_url, always starting and ending with '/'."""
        path = re.sub(r"^[a-z]+://[^/]+", "", self.base_url) or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def site_url(self) -> str | None:
        """Return base_url as an absolute URL ending in '/', or None when it names no host."""
        if not re.match(r"^https?://[^/]+", self.base_url):
            return None
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"

    @property
    def tz(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)


_SIMPLE: dict[str, type] = {
    "title": str, "description": str, "base_url": str, "timezone": str, "per_page": int,
    "index_days": int, "summary_length": int, "content": str, "output": str, "max_file_kb": int,
}
_TABLES = ("normalize", "email", "deploy", "feeds")


def load(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read ``root/digest.toml`` (optional) and return a checked Config."""
    path = root / CONFIG_FILE
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ConfigError([f"not valid TOML: {err}"], path=path) from None
    data.update(overrides or {})
    return from_dict(root, data, path)


def from_dict(root: Path, data: dict[str, Any], path: object = CONFIG_FILE) -> Config:
    """Check a parsed config mapping and return a Config, or raise ConfigError listing every problem."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SIMPLE:
            kind = _SIMPLE[key]
            if not isinstance(value, kind) or isinstance(value, bool):
                problems.append(f"{key}: expected {kind.__name__}, got {value!r}")
            else:
                values[key] = value
        elif key == "topics":
            values["topics"] = _topics(value, problems)
        elif key in _TABLES:
            if isinstance(value, dict):
                extra[key] = value
            else:
                problems.append(f"[{key}] must be a table")
        else:
            problems.append(f"unknown key {key!r} (known: {', '.join(sorted([*_SIMPLE, 'topics', *_TABLES]))})")
    for key in ("per_page", "index_days", "summary_length", "max_file_kb"):
        if key in values and values[key] < 1:
            problems.append(f"{key}: must be at least 1, got {values[key]}")
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone: unknown time zone {values['timezone']!r} (e.g. 'Asia/Tehran')")
    if "base_url" in values and not re.match(r"^(https?://[^/\s]+)?(/[^\s]*)?$", values["base_url"]):
        problems.append(f"base_url: {values['base_url']!r} is not a URL or path "
                        "(e.g. 'https://user.github.io/repo/' or '/')")
    if problems:
        raise ConfigError(problems, path=path)
    return Config(root=root.resolve(), extra=extra, **values)


def _topics(value: Any, problems: list[str]) -> tuple[TopicConfig, ...]:
    """Check the ``[[topics]]`` array."""
    if not isinstance(value, list):
        problems.append("topics: expected an array of tables ([[topics]])")
        return ()
    topics, slugs = [], set()
    for i, item in enumerate(value, 1):
        where = f"topics[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a table")
            continue
        unknown = set(item) - {"name", "slug", "aliases"}
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: name, slug, aliases)")
        name, slug, aliases = item.get("name"), item.get("slug"), item.get("aliases", [])
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name: required, a non-empty string")
            continue
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.append(f"{where}.slug: {slug!r} must be lowercase ASCII letters, digits and '-'")
            continue
        if slug in slugs:
            problems.append(f"{where}.slug: {slug!r} is used twice")
        slugs.add(slug)
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(f"{where}.aliases: expected a list of strings")
            aliases = []
        topics.append(TopicConfig(name.strip(), slug, tuple(aliases)))
    return tuple(topics)
