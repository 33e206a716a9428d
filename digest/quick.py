"""Shortcuts for a ``Builder`` that stays in memory (``digest serve``) when a few articles change.

Two of them, each falling back to the full path of ``digest.build`` whenever its condition fails:

- ``watched_changes``: when a watcher reports every change (``rebuild(..., complete=True)``),
  only the reported files are stat-ed and read, not the whole content folder.
- ``edit_in_place``: when only the contents of articles changed (no article's shape, the config,
  a template or a static file), the edited articles are swapped into the last assembled site
  (``assemble.swap_articles``) and only the pages that can show them are planned and
  fingerprinted (``assemble.plan_around``); every other page's fingerprint covers none of them
  (docs/incremental.md), so it cannot have changed. The feeds whose window holds no edited
  article and the sitemap (made of shapes only) stay as they are.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from digest.cache import State
from digest.scan import read_changes

if TYPE_CHECKING:
    from digest.assemble import Page
    from digest.config import Config
    from digest.model import Article, Site
    from digest.readers import ReadSettings


def watched_changes(state: State, content: Path, paths: set[str], settings: Callable[[], ReadSettings],
                    jobs: int, progress: Callable[[str], None] | None = None) -> list[str] | None:
    """Read the content files among ``paths`` and forget the vanished ones; stat nothing else.

    Returns the changed content paths, or None when a path is (or was) a folder or a file the
    full listing would judge differently (a link), so that the caller lists everything instead.
    """
    from digest.scan import CONTENT_SUFFIXES, is_ignored

    root = content.resolve()
    todo: list[tuple[str, str]] = []
    gone: list[str] = []
    for path in sorted(paths):
        try:
            rel_path = Path(path).relative_to(root)
        except ValueError:
            continue   # a template, static file or the config: not content
        rel = rel_path.as_posix()
        if rel == "." or os.path.isdir(path) or os.path.islink(path):
            return None
        if os.path.realpath(os.path.dirname(path)) != os.path.join(str(root), *rel_path.parts[:-1]):
            return None   # reached through a linked folder, which the listing does not enter
        if any(is_ignored(part) for part in rel_path.parts):
            continue
        if os.path.isfile(path):
            if rel.lower().endswith(CONTENT_SUFFIXES):
                todo.append((path, rel))
        elif rel in state.files:
            gone.append(rel)
        elif any(known.startswith(rel + "/") for known in state.files):
            return None   # a folder that went away
    return read_changes(state, todo, gone, settings, jobs, progress)


def edited_articles(state: State, site: Site) -> dict[str, Article] | None:
    """Return the edited articles if the last site can take them in place, else None."""
    fresh: dict[str, Article] = {}
    for rel in state.edited:
        entry = state.files.get(rel)
        if entry is None or entry.article is None or entry.problems:
            return None   # a file that failed or warns changes the problem list: assemble again
        fresh[rel] = entry.article
    if any(p.path in fresh for p in site.problems):
        return None
    return fresh


def pages_around(site: Site, config: Config, fresh: dict[str, Article]) -> list[Page]:
    """Plan the pages that can show any of the ``fresh`` articles."""
    from digest.assemble import plan_around

    return plan_around(site, config, [a for a in site.articles if a.path in fresh])


def fingerprints_of(pages: list[Page], site: Site, config: Config, state: State) -> dict[str, str]:
    """Return {output: fingerprint} of ``pages``."""
    from digest.deps import Fingerprints

    fingerprints = Fingerprints(site, state.key + repr(config))
    return {page.output: fingerprints.page(page) for page in pages}


def feeds_around(site: Site, config: Config, fresh: dict[str, Article]) -> dict[str, bytes]:
    """Return the feeds whose newest entries include an edited article (the rest keep their bytes)."""
    from digest.feeds import article_feeds

    return article_feeds(site, config, lambda a: a.path in fresh)
