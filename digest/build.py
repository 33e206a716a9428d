"""The build: read -> assemble -> render -> write, one line per stage.

Everything is read and grouped before anything is rendered, and everything is rendered in
memory before anything is written, so a failing build leaves the previous site whole.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from digest import config as config_mod
from digest.assemble import Page, assemble, plan
from digest.config import Config
from digest.errors import ContentError, DigestError, Problem
from digest.model import Article, Site
from digest.readers import READERS, ReadSettings, read_file
from digest.render import environment, render_pages, template_dirs
from digest.write import WriteStats, Writer, check_output

SECONDS_PER_FILE = 2.0


@dataclass
class BuildResult:
    """What a build did, for the summary line and for tests."""

    site: Site
    pages: int
    stats: WriteStats
    problems: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Return the whole build's duration."""
        return sum(self.timings.values())


class BuildFailed(DigestError):
    """The build stopped (``--strict`` with problems); nothing was written."""

    stage = "build"

    def __init__(self, message: str, problems: list[Problem] | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.problems = list(problems or [])


def is_ignored(name: str) -> bool:
    """Tell whether a file name is an editor's temporary, swap, backup or hidden file."""
    return (name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp"))
            or "___jb_" in name or name == "4913" or name.endswith("#"))


def content_files(content: Path) -> list[tuple[Path, str]]:
    """List readable input files under ``content`` as (path, relative POSIX path), sorted.

    Symlinks are followed only when they stay inside the content folder.
    """
    found: list[tuple[Path, str]] = []
    if not content.is_dir():
        return found
    root = content.resolve()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not is_ignored(d)
                         and _inside(Path(folder, d), root))
        for name in names:
            if is_ignored(name) or Path(name).suffix.lower() not in READERS:
                continue
            path = Path(folder, name)
            if path.is_symlink() and not _inside(path, root):
                continue
            found.append((path, path.relative_to(root).as_posix()))
    found.sort(key=lambda item: item[1])
    return found


def _inside(path: Path, root: Path) -> bool:
    """Tell whether ``path`` (after following links) stays within ``root``."""
    try:
        return path.resolve().is_relative_to(root)
    except OSError:
        return False


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


def read_settings(config: Config) -> ReadSettings:
    """Return what readers need from the config."""
    return ReadSettings(tz=config.tz, summary_length=config.summary_length,
                        max_bytes=config.max_file_kb * 1024)


def read_all(config: Config, progress: Callable[[str], None] | None = None
             ) -> tuple[list[Article], list[Problem]]:
    """Read every input file; a file that fails becomes a problem and the rest go on."""
    settings = read_settings(config)
    articles: list[Article] = []
    problems: list[Problem] = []
    files = content_files(config.content_dir)
    for n, (path, rel) in enumerate(files, 1):
        try:
            with time_limit(SECONDS_PER_FILE):
                article, warnings = read_file(path, rel, settings)
        except ContentError as err:
            problems.append(Problem.from_error(err))
            continue
        except TimeoutError:
            problems.append(Problem("error", f"took over {SECONDS_PER_FILE:g} s to render; "
                                    "simplify its Markdown (thousands of unclosed brackets?)", rel))
            continue
        except OSError as err:
            problems.append(Problem("error", f"could not read: {err.strerror}", rel))
            continue
        problems.extend(warnings)
        if article is not None:
            articles.append(article)
        if progress and n % 1000 == 0:
            progress(f"read {n}/{len(files)} files")
    return articles, problems


def static_files(config: Config) -> dict[str, bytes]:
    """Collect static assets from every template folder; the site's own win."""
    files: dict[str, bytes] = {}
    for folder in reversed(template_dirs(config)):
        static = folder / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if path.is_file() and not is_ignored(path.name):
                files["static/" + path.relative_to(static).as_posix()] = path.read_bytes()
    return files


def build(root: Path, *, strict: bool = False, overrides: dict[str, Any] | None = None,
          progress: Callable[[str], None] | None = None, config: Config | None = None,
          fail_on_errors: bool = False) -> BuildResult:
    """Build the site in ``root`` into its output folder and report what happened.

    ``strict`` stops before writing on any problem; ``fail_on_errors`` (the live preview) stops
    only on errors, so a broken article never removes its page from the site being previewed.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    config = config or config_mod.load(root, overrides)
    out = check_output(config)
    articles, problems = read_all(config, progress)                       # read
    lap("read")
    site = assemble(articles, config, problems)                             # assemble
    pages: list[Page] = plan(site, config)
    lap("assemble")
    problems = list(site.problems)
    if strict and problems:
        raise BuildFailed(f"{len(problems)} problem(s) and --strict is on; nothing was written", problems)
    errors = [p for p in problems if p.level == "error"]
    if fail_on_errors and errors:
        raise BuildFailed(f"{len(errors)} error(s); nothing was written", errors)
    env = environment(config, config.cache_dir)
    files = render_pages(env, pages, site, config)                         # render
    files.update(static_files(config))
    lap("render")
    stats = Writer(out, config.cache_dir / "output").write(files)          # write
    lap("write")
    return BuildResult(site, len(pages), stats, problems, timings)
