"""What a build remembers between runs: input stats and hashes, parsed Articles, page records.

The state lives in memory inside a ``Builder`` and on disk in ``.digest-cache/``: a small
``state.pickle`` (per input file: size, mtime, content hash and warnings; per page: fingerprint
and templates used) and parsed Articles in 64 shards, so an edit rewrites one shard, not all.
Everything is keyed by the code version and reader settings; a file that cannot be read, is
truncated, or comes from another version is ignored (and rebuilt), never trusted.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from digest import statefile
from digest.alarm import time_limit  # build.py imports it from here, as before
from digest.bodies import Bodies, LazyBody, shard_name
from digest.codekey import FORMAT, code_key
from digest.config import Config
from digest.errors import ContentError, Problem

if TYPE_CHECKING:  # readers (YAML, Markdown, the normalizer) load only when a file must be read
    from digest.model import Article
    from digest.readers import ReadSettings

SECONDS_PER_FILE = 2.0
SHARDS = 64
BODY, DAY = 7, 5     # where body_html and day sit among an Article's fields (rows leave the body out)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block makes long-lived objects."""
    # Loading 10,000 cached articles and grouping them allocates tens of thousands of objects
    # that all survive; with the collector on, it walks them again and again (about 40 ms of a
    # one-edit build). Nothing in the block makes garbage cycles worth collecting.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def settings_key(config: Config) -> str:
    """Return a key for everything that shapes a parsed Article besides its bytes and path."""
    return repr((code_key(), config.timezone, config.summary_length, config.max_file_kb,
                 sorted(config.extra.get("normalize", {}).items())))


@dataclass
class Entry:
    """One input file as last read: stat, content hash, the Article (or None) and its problems."""

    size: int
    mtime_ns: int
    digest: str                     # sha1 of the bytes; "" when the file was skipped unread
    article: Article | None
    problems: tuple[Problem, ...]
    loaded: bool = True             # False while the Article is still in the on-disk shards
    shape: str = ""                 # article_shape() of the Article ("" when there is none)


def article_shape(article: Article) -> str:
    """Return what of an article decides where it sits in the site: which pages exist and what
    each page's fingerprint covers besides article contents (see docs/performance.md)."""
    text = (f"{article.path}\0{article.id}\0{article.published.isoformat()}\0{article.day.path}"
            f"\0{article.topic_name}\0{article.draft}")
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def read_entry(path: str | Path, rel: str, settings: ReadSettings, old: Entry | None = None
               ) -> tuple[Entry, bool]:
    """Read one input file into an Entry, reusing ``old`` when its bytes are the same.

    Returns (entry, cacheable): timeouts and I/O errors depend on the moment, so they are retried.
    """
    from digest.readers import read_text, size_problem

    try:
        st = os.stat(path)
        skipped = size_problem(st.st_size, rel, settings.max_bytes)
        if skipped:   # one stat decides; the file is not opened
            return Entry(st.st_size, st.st_mtime_ns, "", None, (skipped,)), True
        with open(path, "rb", buffering=0) as fh:  # read whole: a buffer would only be copied from
            raw = fh.read()
    except OSError as err:
        return Entry(-1, -1, "", None, (Problem("error", f"could not read: {err.strerror}", rel),)), False
    digest = hashlib.sha1(raw).hexdigest()
    if old is not None and old.digest == digest:
        return Entry(st.st_size, st.st_mtime_ns, digest, old.article, old.problems, old.loaded, old.shape), True
    try:
        with time_limit(SECONDS_PER_FILE):
            article, warnings = read_text(rel, raw, settings, digest)
    except ContentError as err:
        return Entry(st.st_size, st.st_mtime_ns, digest, None, (Problem.from_error(err),)), True
    except TimeoutError:
        problem = Problem("error", f"took over {SECONDS_PER_FILE:g} s to render; "
                          "simplify its Markdown (thousands of unclosed brackets?)", rel)
        return Entry(st.st_size, st.st_mtime_ns, digest, None, (problem,)), False
    return Entry(st.st_size, st.st_mtime_ns, digest, article, tuple(warnings), shape=article_shape(article)), True


@dataclass
class State:
    """Everything remembered between builds."""

    key: str = ""                                   # settings_key() the entries were read with
    files: dict[str, Entry] = field(default_factory=dict)         # content-relative path -> entry
    pages: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # output -> (fp, templates)
    static: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # output -> (source, size, mtime)
    counts: tuple[int, int, int] = (0, 0, 0)        # articles, topics, days of the last build
    config: str = ""                                # repr of the config of the last build
    problems: tuple[Problem, ...] = ()              # every problem the last build reported
    dirty: set[int] = field(default_factory=set)   # article shards to save
    dirty_bodies: set[str] = field(default_factory=set)        # body shards to save
    # Which pages' fingerprints cover each article (path -> positions in the page list), valid
    # while no article's shape changes (the page list stays the same); None when unknown.
    # Saved apart: it changes rarely.
    mentions: dict[str, list[int]] | None = None
    mentions_id: str = ""
    mentions_dirty: bool = False
    reshaped: bool = True                           # an article's shape changed, or one came or went
    edited: set[str] = field(default_factory=set)   # content paths whose bytes changed
    # Only in memory, for the rebuild under way or the next one in the same process:
    changed: bool = True                            # inputs changed since the site was assembled
    site: Any = None                                # the last assembled Site
    thash: dict[str, str] = field(default_factory=dict)        # template name -> current hash
    static_now: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    saved: Any = None                               # statefile.Saved: what state.pickle holds
    touched: set[str] = field(default_factory=set)  # paths set or forgotten since shards were saved

    def set_entry(self, rel: str, entry: Entry | None) -> None:
        """Record (or forget, with None) a file's entry and mark its shard for saving."""
        if entry is None:
            self.files.pop(rel, None)
        else:
            self.files[rel] = entry
            if entry.article is not None:
                self.dirty_bodies.add(shard_name(entry.article.day.path))
        self.dirty.add(shard_of(rel))
        self.touched.add(rel)
        self.changed = True

    def articles(self, store: "Store", content: Path, settings: Callable[[], ReadSettings]
                 ) -> tuple[list[Article], list[Problem]]:
        """Return every Article and per-file problem, loading cached ones (re-reading any lost)."""

        def reread(rel: str, digest: str) -> str | None:
            entry, _ = read_entry(content / rel, rel, settings())
            return str(entry.article.body_html) if entry.article and entry.digest == digest else None

        store.bodies(self.key).reread = reread
        for rel in store.load_articles(self):  # a damaged or missing shard: read those files again
            entry, cacheable = read_entry(content / rel, rel, settings())
            self.reshaped = True
            self.set_entry(rel, entry if cacheable else replace(entry, size=-1))
        return self.contents()

    def contents(self) -> tuple[list[Article], list[Problem]]:
        """Return the Articles and per-file problems of the entries as they are, in path order."""
        entries = [e for _, e in sorted(self.files.items())]   # sorted once (1-1.4 ms at 10,000)
        return [e.article for e in entries if e.article is not None], [p for e in entries for p in e.problems]


def shard_of(rel: str) -> int:
    """Return the article shard a content path is stored in."""
    return zlib.crc32(rel.encode()) % SHARDS


class Store:
    """Loads and saves a State in a cache folder; anything unreadable counts as absent."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.shards = folder / "articles"
        self._bodies: Bodies | None = None
        self._members: dict[int, set[str]] = {}   # article shard -> the paths it held when loaded

    def bodies(self, key: str) -> Bodies:
        """Return the body shards for cache key ``key``."""
        if self._bodies is None or self._bodies.key != key:
            self._bodies = Bodies(self.folder / "bodies", key)
        return self._bodies

    def load_meta(self, key: str) -> State | None:
        """Return the saved state without Articles, or None if missing, corrupt or for another key."""
        try:
            found = statefile.read(self.folder, FORMAT, key)
            if found is None:
                return None
            data, saved = found
            state = State(key=key, pages=dict(data["pages"]), static=data["static"], counts=data["counts"],
                          config=data["config"], problems=data["problems"], mentions_id=data["mentions"],
                          reshaped=False, saved=saved)
            files = state.files
            for rel, (size, mtime, digest, problems, shape) in data["files"].items():
                # Checked here, in the one pass over 10,000 files, rather than in _check.
                if not (type(rel) is str and type(size) is int and type(mtime) is int and type(digest) is str
                        and type(shape) is str and (problems == () or _problems_ok(problems))):
                    raise ValueError(rel)
                files[rel] = Entry(size, mtime, digest, None, problems, not digest, shape)
            _check(state)
            return state
        except Exception:  # noqa: BLE001 - a damaged cache of any kind is simply not used
            return None

    def load_articles(self, state: State) -> set[str]:
        """Fill in Articles not yet loaded from their shards; return the paths that could not be."""
        from digest.model import article_from_row

        files = state.files
        missing = {rel for rel, e in files.items() if not e.loaded}
        if not missing:
            return missing   # (a cold build: every Article was just read)
        bodies = self.bodies(state.key)
        # All of them (a new process): every shard, without hashing 10,000 paths to find which.
        shards = range(SHARDS) if len(missing) == len(files) else sorted({shard_of(rel) for rel in missing})
        names: dict[Any, str] = {}   # Jalali day -> body shard name: a few hundred days
        for n in shards:
            try:
                with open(self.shards / f"{n:02d}.pickle", "rb") as fh:
                    data = pickle.load(fh)
                if not (isinstance(data, dict) and data.get("key") == state.key):
                    continue
                self._members[n] = set(data["articles"])
                for rel, (digest, row) in data["articles"].items():
                    entry = files.get(rel)
                    if entry is None or entry.loaded or entry.digest != digest:
                        continue
                    article = None
                    if row is not None:  # the body stays in its shard until a page shows it
                        day = row[DAY]
                        name = names.get(day) or names.setdefault(day, shard_name(day.path))
                        article = article_from_row(row, LazyBody(bodies, name, rel, digest))
                    entry.article, entry.loaded = article, True
                    missing.discard(rel)
            except FileNotFoundError:
                continue   # no file of this shard was ever saved
            except Exception:  # noqa: BLE001 - a damaged shard: its files are read again
                continue
        return missing

    def save(self, state: State) -> None:
        """Write the state atomically: dirty body and article shards first, then the metadata."""
        self.save_articles(state)
        if state.mentions_dirty and state.mentions is not None:
            state.mentions_id = os.urandom(8).hex()
            statefile.dump(self.folder / "mentions.pickle", {"key": state.key, "id": state.mentions_id,
                                                    "mentions": state.mentions})
            state.mentions_dirty = False
        files = {rel: (e.size, e.mtime_ns, e.digest, e.problems, e.shape) for rel, e in state.files.items()}
        state.saved = statefile.write(self.folder, state.saved, FORMAT, state.key, files, state.pages,
                                      {"static": state.static, "counts": state.counts, "config": state.config,
                                       "problems": state.problems, "mentions": state.mentions_id})

    def save_articles(self, state: State) -> None:
        """Write the dirty body and article shards: the part of ``save`` that needs no page."""
        if not (state.dirty or state.dirty_bodies):
            state.touched.clear()
            return   # (a child saved them while the pages rendered)
        self.shards.mkdir(parents=True, exist_ok=True)
        if state.dirty_bodies:
            self._save_bodies(state)
        by_shard: dict[int, dict[str, tuple[str, tuple | None]]] = {n: {} for n in state.dirty}
        files = state.files
        known = [self._members.get(n) for n in by_shard]
        for rel in _candidates(files, known, state.touched):
            entry, n = files.get(rel), shard_of(rel)
            if n in by_shard and entry is not None and entry.digest:
                by_shard[n][rel] = (entry.digest, _row(entry.article))
        for n, articles in by_shard.items():
            statefile.dump(self.shards / f"{n:02d}.pickle", {"key": state.key, "articles": articles})
            self._members[n] = set(articles)
        state.dirty.clear()
        state.touched.clear()

    def load_mentions(self, state: State) -> dict[str, list[int]] | None:
        """Return the saved mentions index if it belongs to this state, else None."""
        if state.mentions is None and state.mentions_id:
            try:
                with open(self.folder / "mentions.pickle", "rb") as fh:
                    data = pickle.load(fh)
                if (isinstance(data, dict) and data.get("key") == state.key
                        and data.get("id") == state.mentions_id and isinstance(data.get("mentions"), dict)):
                    state.mentions = data["mentions"]
            except Exception:  # noqa: BLE001 - unreadable: every page is fingerprinted instead
                state.mentions = None
        return state.mentions

    def _save_bodies(self, state: State) -> None:
        """Rewrite each dirty body shard with the bodies of the articles that belong in it now."""
        if any(not e.loaded for e in state.files.values()):
            self.load_articles(state)
        bodies = self.bodies(state.key)
        members: dict[str, dict[str, tuple[str, str]]] = {name: {} for name in state.dirty_bodies}
        names: dict[Any, str] = {}   # Jalali day -> its shard name, made once per day
        files = state.files
        known = [set(bodies.shard(name)) or None for name in members]   # a missing shard: walk them all
        for rel in _candidates(files, known, state.touched):
            entry = files.get(rel)
            article = entry.article if entry is not None else None
            if article is not None and entry.digest:
                day = article.day
                name = names.get(day) or names.setdefault(day, shard_name(day.path))
                shard = members.get(name)
                if shard is not None:
                    shard[rel] = (entry.digest, str(article.body_html))
        for name, shard in members.items():  # every body is read before any shard is replaced
            bodies.save(name, shard)
        state.dirty_bodies.clear()

    def clear(self) -> None:
        """Delete the saved state."""
        statefile.clear(self.folder)
        (self.folder / "mentions.pickle").unlink(missing_ok=True)
        for folder in (self.shards, self.folder / "bodies"):
            if folder.is_dir():
                for path in folder.glob("*.pickle"):
                    path.unlink(missing_ok=True)


def _candidates(files: dict[str, Entry], known: list[set[str] | None], touched: set[str]) -> Iterable[str]:
    """Return the paths that can belong in shards whose ``known`` members were read from disk.

    A path in a shard now was either in it when it was read or set since (``touched``); any
    other path in ``files`` was read again this build (its shard did not hold it). When a shard
    was not read (None), every path is a candidate."""
    if any(members is None for members in known):
        return files
    return set().union(*known, touched)


def _check(state: State) -> None:
    """Raise if the loaded metadata does not have the shapes a build relies on."""
    checked: set[int] = set()   # pages share their template lists: check each list once
    for out, (fp, templates) in state.pages.items():
        if not (type(out) is str and type(fp) is str):
            raise ValueError(out)
        if id(templates) not in checked:
            if not (isinstance(templates, tuple)
                    and all(isinstance(n, str) and isinstance(h, str) for n, h in templates)):
                raise ValueError(out)
            checked.add(id(templates))
    if not (isinstance(state.static, dict) and isinstance(state.config, str)
            and isinstance(state.counts, tuple) and len(state.counts) == 3 and isinstance(state.mentions_id, str)
            and all(isinstance(p, Problem) for p in state.problems)):
        raise ValueError("state")


def _problems_ok(problems: object) -> bool:
    """Tell whether ``problems`` is a tuple of Problems."""
    return isinstance(problems, tuple) and all(isinstance(p, Problem) for p in problems)


def _row(article: Article | None) -> tuple | None:
    """Return an Article's fields without its body, for the article shards."""
    if article is None:
        return None
    from digest.model import article_row   # loaded by now: the article exists

    return article_row(article)
