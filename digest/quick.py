"""Shortcuts for a build in which a few articles changed, mostly for a ``Builder`` that stays in
memory (``digest serve``); ``edit_in_place`` also serves a new ``digest build`` process.

Two of them, each falling back to the full path of ``digest.build`` whenever its condition fails:

- ``watched_changes``: when a watcher reports every change (``rebuild(..., complete=True)``),
  only the reported files are stat-ed and read, not the whole content folder.
- ``edit_in_place``: when only the contents of articles changed (no article's shape, the config,
  a template or a static file), the edited articles are swapped into the last assembled site
  (``assemble.swap_articles``; a new process assembles it from the cache while the edits are
  read) and only the pages that can show them are planned and
  fingerprinted (``assemble.plan_around``); every other page's fingerprint covers none of them
  (docs/incremental.md), so it cannot have changed. The feeds whose window holds no edited
  article and the sitemap (made of shapes only) stay as they are.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from digest.cache import State
from digest.scan import read_changes

if TYPE_CHECKING:
    from digest.assemble import Page
    from digest.build import Builder
    from digest.cache import Store
    from digest.config import Config
    from digest.model import Article, Site
    from digest.outcome import BuildResult, Clock
    from digest.readers import ReadSettings
    from digest.write import Writer


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


def edit_in_place(builder: Builder, state: State, store: Store, config: Config, writer: Writer, clock: Clock,
                  inputs: list[str], strict: bool, fail_on_errors: bool) -> BuildResult | None:
    """Rebuild after edits that moved no article, from the last site (None: take the full path).

    The edits are swapped into the site ``builder`` last assembled, or into the one a new process
    assembled from the cache while the edits were read (``scan.load_last_site``); without
    either, the articles are assembled as they are now. Either way only the pages around the
    edits are planned and rendered."""
    from digest.assemble import swap_articles
    from digest.lookup import template_dirs
    from digest.outcome import BuildResult, check_problems
    from digest.parallel import render_staged

    if state.site is None:
        site, _ = builder.assemble(state, store, config)                           # assemble
        gc.freeze()   # as on the full path: the site lives until rebuild() returns
        fresh = {rel: state.files[rel].article for rel in state.edited}   # unmoved: all read
    else:
        fresh = edited_articles(state, state.site)
        site = swap_articles(state.site, fresh, state.site.problems) if fresh is not None else None
    if fresh is None:
        return None
    problems = list(site.problems)
    check_problems(problems, strict, fail_on_errors)
    # Each of these pages covers an edited article, so its fingerprint changed: render them
    # all, and fingerprint them for the record after the pages are out (with defer_save).
    pages = pages_around(site, config, fresh)
    clock.lap("assemble")
    env = builder.environment(config)
    rendered, staged, processes = render_staged(writer, env, pages, site, config, builder.jobs,
                                                feeds_around(site, config, fresh))  # render
    clock.lap("render")
    stats = writer.commit(staged, partial=True)   # no page came or went              # write
    records = {out: names for out, _, names, _, _ in rendered}
    clock.lap("write")
    dirs = template_dirs(config)

    def fingerprint() -> dict[str, str]:
        """Return the fingerprints of the pages rendered."""
        return fingerprints_of(pages, site, config, state)
    if builder.defer_save:   # fingerprinted for the record once the server is idle (Builder.flush)
        builder.defer_fingerprints(fingerprint, records, dirs)
    builder.commit(state, store, config, None, {} if builder.defer_save else fingerprint(), records, site,
                   problems, dirs)
    clock.lap("save")
    return BuildResult(len(state.pages), stats, problems, clock.timings, sorted(p.output for p in pages),
                       sorted(writer.last_changed), [], inputs, state.counts, processes,
                       output=writer.out, _site=site, _config=config)
