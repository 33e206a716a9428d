"""Find what changed since the last build: list and stat every input, read the new and changed files.

Reading goes through ``digest.parallel`` (imported only when a file must be read), which uses
both cores for a large cold build. ``scan_inputs`` is the build's read stage: in a new process
with a cache, a forked child lists, stats and reads (``aside.scan_aside``) while this process
loads the last build's site (``load_last_site``). ``read_all`` and ``read_settings`` serve the
other commands as well.
"""

from __future__ import annotations

import functools
import gc
import importlib
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from digest.cache import Entry, State, Store, collector_paused, settings_key
from digest.lookup import template_dirs

if TYPE_CHECKING:
    from digest.config import Config
    from digest.errors import Problem
    from digest.model import Article
    from digest.readers import ReadSettings

# The suffixes digest.readers.READERS reads (kept here so that listing files imports no reader).
CONTENT_SUFFIXES = (".md", ".markdown", ".txt")


def is_ignored(name: str) -> bool:
    """Tell whether a file name is an editor's temporary, swap, backup or hidden file."""
    return (name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp"))
            or "___jb_" in name or name == "4913" or name.endswith("#"))


def content_files(content: Path) -> list[tuple[str, str]]:
    """List readable input files under ``content`` as (path, relative POSIX path), sorted.

    Symlinks are followed only when they stay inside the content folder.
    """
    found: list[tuple[Path, str]] = []
    if not content.is_dir():
        return found
    root = content.resolve()
    suffixes = CONTENT_SUFFIXES
    # os.scandir and plain strings rather than pathlib: at 10,000 files, Path objects cost more
    # than the whole walk.
    pending = [(str(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            content = name.lower().endswith(suffixes)
            # For a name with a content suffix, is_ignored comes down to its first character and
            # the JetBrains mark (no ignored ending can follow ".md"): a quarter off the listing.
            if (name[0] in ".#~" or "___jb_" in name) if content else is_ignored(name):
                continue
            if entry.is_symlink() and not _inside(Path(entry.path), root):
                continue
            if entry.is_dir(follow_symlinks=False):  # like os.walk: linked folders are not entered
                pending.append((entry.path, prefix + name + "/"))
            elif content and entry.is_file():
                found.append((entry.path, prefix + name))
    found.sort(key=lambda item: item[1])
    return found


def _inside(path: Path, root: Path) -> bool:
    """Tell whether ``path`` (after following links) stays within ``root``."""
    try:
        return path.resolve().is_relative_to(root)
    except OSError:
        return False


def static_sources(config: Config) -> dict[str, Path]:
    """Map each static asset's output path to its source file; the site's own win over defaults."""
    files: dict[str, Path] = {}
    for folder in reversed(template_dirs(config)):
        static = folder / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if path.is_file() and not is_ignored(path.name):
                files["static/" + path.relative_to(static).as_posix()] = path
    return files


def scan_inputs(state: State, store: Store, config: Config, out: Path, changed: Iterable[Path] | None,
                verify: bool, jobs: int, progress: Callable[[str], None] | None = None
                ) -> tuple[list[str], bool | None]:
    """List, stat and read the content files (see ``scan_content``); return what changed and,
    when a child found nothing changed, whether every page's file is in ``out``."""
    settings = lambda: read_settings(config)   # noqa: E731 - called only if a file is read
    meanwhile = (lambda: load_last_site(state, store, config)) if state.site is None else None
    if meanwhile is not None and state.files and jobs > 1:
        # A new process with a cache (an edit, or nothing changed): a child lists, stats and
        # reads while this one loads the cached articles, which takes longer; or, when
        # nothing changed, checks the page files while this one scans the rest.
        from digest.aside import scan_aside

        scanned = scan_aside(state, config.content_dir, settings, changed, verify, _rendering_steps(),
                             meanwhile, out if state.config == repr(config) else None)
        if scanned is not None:
            return (read_changes(state, scanned.todo, scanned.gone, settings, jobs, progress,
                                 results=scanned.results), scanned.pages_there)
    return scan_content(state, content_files(config.content_dir), settings, changed, verify, jobs, progress,
                        meanwhile), None


def scan_content(state: State, found: list[tuple[str, str]], settings: Callable[[], ReadSettings],
                 changed: Iterable[Path] | None, verify: bool, jobs: int,
                 progress: Callable[[str], None] | None = None,
                 meanwhile: Callable[[], None] | None = None) -> list[str]:
    """Stat every content file, read those new or whose stat changed, and list what changed.

    ``changed`` paths (files or folders) are read even when their stat looks the same.
    ``settings`` makes the reader settings, called only if some file must be read.
    ``meanwhile`` (optional) prepares later work while a forked process reads a few files.
    Adds the paths whose bytes changed to ``state.edited``; sets ``state.reshaped`` when an
    article's shape changed or a file came or went.
    """
    todo, gone = find_changes(state, found, changed, verify)
    return read_changes(state, todo, gone, settings, jobs, progress, meanwhile)


def find_changes(state: State, found: list[tuple[str, str]], changed: Iterable[Path] | None,
                 verify: bool) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the ``found`` files to read (new, stat changed, named in ``changed``, or all with
    ``verify``) and the paths of ``state`` no longer found."""
    forced = [os.path.abspath(p) for p in changed or ()]
    todo: list[tuple[str, str]] = []
    for path, rel in found:
        entry = state.files.get(rel)
        if entry is None or verify or entry.size < 0 or not _same_stat(path, entry) \
                or (forced and _under(str(path), forced)):
            todo.append((path, rel))
    names = {rel for _, rel in found}
    return todo, [rel for rel in state.files if rel not in names]


def read_changes(state: State, todo: list[tuple[str, str]], gone: list[str],
                 settings: Callable[[], ReadSettings], jobs: int,
                 progress: Callable[[str], None] | None = None,
                 meanwhile: Callable[[], None] | None = None,
                 results: list[tuple[Entry, bool]] | None = None) -> list[str]:
    """Forget the ``gone`` files, read the ``todo`` ones and list what changed (see scan_content).

    ``results``, when given, are the ``todo`` files read already (see ``aside.scan_aside``)."""
    for rel in gone:
        state.set_entry(rel, None)
        state.reshaped = True
    changed_rels = set(gone)
    if not todo:
        state.edited |= changed_rels
        return sorted(changed_rels)
    if results is None and meanwhile is not None and jobs > 1:
        # The reading child and this process both need the model and the Jalali and Persian
        # code: imported once here, before the fork, the child inherits them (about 25 ms of CPU).
        from digest import jalali, model  # noqa: F401
        from digest.aside import read_aside

        results = read_aside(todo, settings, state.files, meanwhile)
    if results is None:
        from digest.parallel import read_many  # here: parallel imports this module
        results = read_many(todo, settings(), state.files, jobs, progress)
    for (path, rel), (entry, cacheable) in zip(todo, results):
        old = state.files.get(rel)
        if old is None or old.digest != entry.digest or not entry.digest or old.size < 0:
            changed_rels.add(rel)
            if old is None or not old.shape or old.shape != entry.shape:
                state.reshaped = True
            state.set_entry(rel, entry if cacheable else replace(entry, size=-1))
        else:  # same bytes, new stat: keep the Article, remember the stat
            old.size, old.mtime_ns = entry.size, entry.mtime_ns
    state.edited |= changed_rels
    return sorted(changed_rels)


def scan_static(state: State, sources: dict[str, Path], changed: Iterable[Path] | None,
                verify: bool, out: Path | None = None) -> dict[str, bytes]:
    """Return the bytes of static assets that are new or whose stat changed (or were named), and
    of those missing from the output folder ``out`` (deleted by hand, or the whole folder)."""
    forced = [os.path.abspath(p) for p in changed or ()]
    prefix = os.path.join(out, "") if out is not None else None
    files: dict[str, bytes] = {}
    state.static_now = {}
    for rel, path in sources.items():
        st = path.stat()
        now = (str(path), st.st_size, st.st_mtime_ns)
        state.static_now[rel] = now
        if verify or state.static.get(rel) != now or (forced and _under(str(path), forced)) \
                or (prefix is not None and not os.path.exists(prefix + rel)):
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


# ---- reading for the build and other commands ----------------------------------------------

def _rendering_steps() -> Iterator[Callable[[], object]]:
    """Yield the imports of the rendering code, a module at a time (1-55 ms each; see scan_inputs)."""
    yield functools.partial(importlib.import_module, "digest.parallel")
    from digest.parallel import RENDERING   # (imported by the step before)

    yield from (functools.partial(importlib.import_module, name) for name in RENDERING)


def read_all(config: Config, progress: Callable[[str], None] | None = None
             ) -> tuple[list[Article], list[Problem]]:
    """Read every article afresh (no cache, one process) with the per-file problems, for other commands."""
    state = State(key=settings_key(config))
    scan_content(state, content_files(config.content_dir), lambda: read_settings(config), None, False, 1,
                 progress)
    return state.contents()


def read_settings(config: Config) -> ReadSettings:
    """Return what readers need from the config, including the ``[normalize]`` steps."""
    from digest.persian import NormalizeOptions, normalize
    from digest.readers import ReadSettings

    options = NormalizeOptions.from_config(config.extra.get("normalize"))
    return ReadSettings(tz=config.tz, summary_length=config.summary_length,
                        max_bytes=config.max_file_kb * 1024,
                        normalize=functools.partial(normalize, options=options))


def load_last_site(state: State, store: Store, config: Config) -> None:
    """Load the cached Articles and the rendering code, and assemble the last build's site from
    them (while another process reads the edits)."""
    from digest.parallel import load_rendering

    load_rendering()   # imported now, used once the files are read
    with collector_paused():
        if store.load_articles(state) or state.config != repr(config):
            return   # articles to read again here, or another config: assemble later, as before
        from digest.assemble import assemble

        # The site as the last build left it: an edit that moves no article is swapped into it
        # (assemble.swap_articles, as digest serve does) instead of assembling again after reading.
        articles, problems = state.contents()
        state.site = assemble(articles, config, problems)
    gc.freeze()   # long-lived, as on the full path; rebuild() unfreezes
