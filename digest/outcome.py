"""What a build reports: its result, the error that stops it, and the clock timing its stages."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from digest.config import Config
from digest.errors import DigestError, Problem
from digest.write import WriteStats

if TYPE_CHECKING:
    from digest.model import Site


@dataclass
class BuildResult:
    """What a build did, for the summary line, for ``digest serve`` and for tests."""

    pages: int
    stats: WriteStats
    problems: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)   # output paths re-rendered this time
    written: list[str] = field(default_factory=list)    # output paths whose bytes were written
    removed: list[str] = field(default_factory=list)    # output paths deleted
    inputs: list[str] = field(default_factory=list)     # inputs that changed, relative to the root
    counts: tuple[int, int, int] = (0, 0, 0)            # articles, topics, days
    processes: int = 1                                  # processes that rendered pages
    output: Path | None = None                          # the output folder
    _site: Site | None = None
    _load_site: Callable[[], Site] | None = None
    _templates: dict[str, str] | None = None
    _config: Config | None = None

    @property
    def site(self) -> Site:
        """Return the assembled site (loaded from the cache on first use if the build skipped it)."""
        if self._site is None and self._load_site is not None:
            self._site = self._load_site()
        return self._site

    @property
    def templates(self) -> dict[str, str]:
        """Return {output path: template} of every page (planned again if the build skipped it)."""
        if self._templates is None:
            from digest.assemble import plan

            self._templates = {p.output: p.template for p in plan(self.site, self._config)}
        return self._templates

    @property
    def seconds(self) -> float:
        """Return the whole build's duration."""
        return sum(self.timings.values())


class BuildFailed(DigestError):
    """The build stopped (``--strict`` with problems); nothing was written."""

    stage = "build"

    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message)
        self.problems = problems


def check_problems(problems: list[Problem], strict: bool, fail_on_errors: bool) -> None:
    """Stop the build before anything is written when ``strict`` or ``fail_on_errors`` says so."""
    if strict and problems:
        raise BuildFailed(f"{len(problems)} problem(s) and --strict is on; nothing was written", problems)
    errors = [p for p in problems if p.level == "error"]
    if fail_on_errors and errors:
        raise BuildFailed(f"{len(errors)} error(s); nothing was written", errors)


class Clock:
    """Times the stages of a build."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Record the time since the last lap under ``stage``."""
        now = time.perf_counter()
        self.timings[stage] = now - self.last
        self.last = now


