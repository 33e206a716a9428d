"""What a build remembers between runs: input stats and hashes, parsed Articles, page records.

The state lives in memory inside a ``Builder`` and on disk in ``.digest-cache/``: a small
``state.pickle`` (per input file: size, mtime, content hash and warnings; per page: fingerprint
and templates used) and parsed Articles in 64 shards, so an edit rewrites one shard, not all.
Everything is keyed by the code version and reader settings; a file that cannot be read, is
truncated, or comes from another version is ignored (and rebuilt), never trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import signal
import sys
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from digest import __version__
from digest.config import Config
from digest.errors import ContentError, Problem
from digest.model import Article
from digest.readers import ReadSettings, read_file, read_text

SECONDS_PER_FILE = 2.0
SHARDS = 64
FORMAT = 1


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError if the block runs longer than ``seconds`` (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_CODE_KEY: str | None = None


def code_key() -> str:
    """Return a key that changes whenever digest's code or a library that shapes output changes."""
    global _CODE_KEY
    if _CODE_KEY is None:
        h = hashlib.blake2b(f"{FORMAT}:{__version__}:{sys.version}".encode(), digest_size=16)
        for dist in ("jinja2", "markdown-it-py", "nh3", "PyYAML", "jdatetime", "markupsafe"):
            try:
                h.update(f"{dist}={metadata.version(dist)};".encode())
            except metadata.PackageNotFoundError:
                h.update(f"{dist}=?;".encode())
        package = Path(__file__).resolve().parent
        # The ZWNJ lexicon in data/ shapes articles as much as the code does.
        for path in sorted([*package.glob("*.py"), *package.glob("data/*.gz")]):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        _CODE_KEY = h.hexdigest()
    return _CODE_KEY


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


def read_entry(path: Path, rel: str, settings: ReadSettings, old: Entry | None = None
               ) -> tuple[Entry, bool]:
    """Read one input file into an Entry, reusing ``old`` when its bytes are the same.

    Returns (entry, cacheable): timeouts and I/O errors depend on the moment, so they are retried.
    """
    try:
        st = os.stat(path)
        if st.st_size == 0 or st.st_size > settings.max_bytes:
            article, warnings = read_file(path, rel, settings)
            return Entry(st.st_size, st.st_mtime_ns, "", article, tuple(warnings)), True
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        return Entry(-1, -1, "", None, (Problem("error", f"could not read: {err.strerror}", rel),)), False
    digest = hashlib.sha1(raw).hexdigest()
    if old is not None and old.digest == digest:
        return Entry(st.st_size, st.st_mtime_ns, digest, old.article, old.problems, old.loaded), True
    try:
        with time_limit(SECONDS_PER_FILE):
            article, warnings = read_text(rel, raw, settings, digest)
    except ContentError as err:
        return Entry(st.st_size, st.st_mtime_ns, digest, None, (Problem.from_error(err),)), True
    except TimeoutError:
        problem = Problem("error", f"took over {SECONDS_PER_FILE:g} s to render; "
                          "simplify its Markdown (thousands of unclosed brackets?)", rel)
        return Entry(st.st_size, st.st_mtime_ns, digest, None, (problem,)), False
    return Entry(st.st_size, st.st_mtime_ns, digest, article, tuple(warnings)), True


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
    # Only in memory, for the rebuild under way or the next one in the same process:
    changed: bool = True                            # inputs changed since the site was assembled
    site: Any = None                                # the last assembled Site
    thash: dict[str, str] = field(default_factory=dict)        # template name -> current hash
    static_now: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    def set_entry(self, rel: str, entry: Entry | None) -> None:
        """Record (or forget, with None) a file's entry and mark its shard for saving."""
        if entry is None:
            self.files.pop(rel, None)
        else:
            self.files[rel] = entry
        self.dirty.add(shard_of(rel))
        self.changed = True

    def articles(self, store: "Store", content: Path, settings: ReadSettings
                 ) -> tuple[list[Article], list[Problem]]:
        """Return every Article and per-file problem, loading cached ones (re-reading any lost)."""
        for rel in store.load_articles(self):  # a damaged or missing shard: read those files again
            entry, cacheable = read_entry(content / rel, rel, settings)
            self.set_entry(rel, entry if cacheable else replace(entry, size=-1))
        articles = [e.article for _, e in sorted(self.files.items()) if e.article is not None]
        problems = [p for _, e in sorted(self.files.items()) for p in e.problems]
        return articles, problems


def shard_of(rel: str) -> int:
    """Return the article shard a content path is stored in."""
    return zlib.crc32(rel.encode()) % SHARDS


class Store:
    """Loads and saves a State in a cache folder; anything unreadable counts as absent."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.meta = folder / "state.pickle"
        self.shards = folder / "articles"

    def load_meta(self, key: str) -> State | None:
        """Return the saved state without Articles, or None if missing, corrupt or for another key."""
        try:
            with open(self.meta, "rb") as fh:
                data = pickle.load(fh)
            if not (isinstance(data, dict) and data.get("format") == FORMAT and data.get("key") == key):
                return None
            state = State(key=key, pages=data["pages"], static=data["static"], counts=data["counts"],
                          config=data["config"], problems=data["problems"])
            for rel, (size, mtime, digest, problems) in data["files"].items():
                state.files[rel] = Entry(size, mtime, digest, None, problems, not digest)
            _check(state)
            return state
        except Exception:  # noqa: BLE001 - a damaged cache of any kind is simply not used
            return None

    def load_articles(self, state: State) -> set[str]:
        """Fill in Articles not yet loaded from their shards; return the paths that could not be."""
        missing = {rel for rel, e in state.files.items() if not e.loaded}
        for n in sorted({shard_of(rel) for rel in missing}):
            try:
                with open(self.shards / f"{n:02d}.pickle", "rb") as fh:
                    data = pickle.load(fh)
                if not (isinstance(data, dict) and data.get("key") == state.key):
                    continue
                for rel, (digest, article) in data["articles"].items():
                    entry = state.files.get(rel)
                    if (entry is not None and not entry.loaded and entry.digest == digest
                            and (article is None or isinstance(article, Article))):
                        entry.article, entry.loaded = article, True
                        missing.discard(rel)
            except Exception:  # noqa: BLE001 - a damaged shard: its files are read again
                continue
        return missing

    def save(self, state: State) -> None:
        """Write the state atomically: dirty article shards first, then the metadata."""
        self.shards.mkdir(parents=True, exist_ok=True)
        by_shard: dict[int, dict[str, tuple[str, Article | None]]] = {n: {} for n in state.dirty}
        for rel, entry in state.files.items():
            n = shard_of(rel)
            if n in by_shard and entry.digest:
                by_shard[n][rel] = (entry.digest, entry.article)
        for n, articles in by_shard.items():
            _dump(self.shards / f"{n:02d}.pickle", {"key": state.key, "articles": articles})
        files = {rel: (e.size, e.mtime_ns, e.digest, e.problems) for rel, e in state.files.items()}
        _dump(self.meta, {"format": FORMAT, "key": state.key, "files": files, "pages": state.pages,
                          "static": state.static, "counts": state.counts, "config": state.config,
                          "problems": state.problems})
        state.dirty.clear()

    def clear(self) -> None:
        """Delete the saved state."""
        self.meta.unlink(missing_ok=True)
        if self.shards.is_dir():
            for path in self.shards.glob("*.pickle"):
                path.unlink(missing_ok=True)


def _check(state: State) -> None:
    """Raise if the loaded metadata does not have the shapes a build relies on."""
    for rel, e in state.files.items():
        if not (isinstance(rel, str) and isinstance(e.size, int) and isinstance(e.mtime_ns, int)
                and isinstance(e.digest, str) and isinstance(e.problems, tuple)
                and all(isinstance(p, Problem) for p in e.problems)):
            raise ValueError(rel)
    for out, (fp, templates) in state.pages.items():
        if not (isinstance(out, str) and isinstance(fp, str)
                and all(isinstance(n, str) and isinstance(h, str) for n, h in templates)):
            raise ValueError(out)
    if not (isinstance(state.static, dict) and isinstance(state.config, str)
            and isinstance(state.counts, tuple) and len(state.counts) == 3
            and all(isinstance(p, Problem) for p in state.problems)):
        raise ValueError("state")


def _dump(path: Path, data: object) -> None:
    """Pickle ``data`` to ``path`` atomically."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def scan_content(state: State, found: list[tuple[Path, str]], settings: ReadSettings,
                 changed: Iterable[Path] | None, verify: bool, jobs: int,
                 progress: Callable[[str], None] | None = None) -> list[str]:
    """Stat every content file, read those new or whose stat changed, and list what changed.

    ``changed`` paths (files or folders) are read even when their stat looks the same.
    """
    forced = [os.path.abspath(p) for p in changed or ()]
    todo: list[tuple[Path, str]] = []
    for path, rel in found:
        entry = state.files.get(rel)
        if entry is None or verify or entry.size < 0 or not _same_stat(path, entry) \
                or (forced and _under(str(path), forced)):
            todo.append((path, rel))
    names = {rel for _, rel in found}
    gone = [rel for rel in state.files if rel not in names]
    for rel in gone:
        state.set_entry(rel, None)
    changed_rels = set(gone)
    from digest.parallel import read_many  # here: parallel imports this module
    for (path, rel), (entry, cacheable) in zip(todo, read_many(todo, settings, state.files, jobs, progress)):
        old = state.files.get(rel)
        if old is None or old.digest != entry.digest or not entry.digest or old.size < 0:
            changed_rels.add(rel)
            state.set_entry(rel, entry if cacheable else replace(entry, size=-1))
        else:  # same bytes, new stat: keep the Article, remember the stat
            old.size, old.mtime_ns = entry.size, entry.mtime_ns
    return sorted(changed_rels)


def scan_static(state: State, sources: dict[str, Path], changed: Iterable[Path] | None,
                verify: bool) -> dict[str, bytes]:
    """Return the bytes of static assets that are new or whose stat changed (or were named)."""
    forced = [os.path.abspath(p) for p in changed or ()]
    files: dict[str, bytes] = {}
    state.static_now = {}
    for rel, path in sources.items():
        st = path.stat()
        now = (str(path), st.st_size, st.st_mtime_ns)
        state.static_now[rel] = now
        if verify or state.static.get(rel) != now or (forced and _under(str(path), forced)):
            files[rel] = path.read_bytes()
    return files


def _same_stat(path: Path, entry: Entry) -> bool:
    """Tell whether a file's size and modification time are what ``entry`` recorded."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_size == entry.size and st.st_mtime_ns == entry.mtime_ns


def _under(path: str, roots: list[str]) -> bool:
    """Tell whether ``path`` is one of ``roots`` or inside one of them."""
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)
