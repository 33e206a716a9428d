"""Use every core for the two costly stages: reading (Markdown) and rendering pages.

Work is split into a few large chunks for a pool of forked processes. Forking after the site is
assembled lets workers inherit it, so only page numbers go out and bytes come back. Small jobs,
multi-threaded callers (forking a process with threads can deadlock) and systems without fork
run in this process instead.
"""

from __future__ import annotations

import functools
import gc
import importlib
import os
import threading
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from digest.alarm import alarm_held
from digest.cache import Entry, collector_paused, read_entry
from digest.config import Config
from digest.errors import DigestError
from digest.model import Site
from digest.write import Writer

if TYPE_CHECKING:   # the readers (Markdown, the normalizer) load only where a file is read; the
    # rendering code (Jinja2 and ours, about 45 ms) while the workers read (see load_rendering)
    from digest.assemble import Page
    from digest.deps import Fingerprints
    from digest.readers import ReadSettings
    from digest.render import RecordingEnvironment

MIN_READ = 300      # fewer files than this are read in this process
MIN_RENDER = 600    # fewer pages than this are rendered in this process
CHUNKS_PER_JOB = 3  # a few chunks per worker evens out uneven chunks without much traffic
# Reading sends back one result per file whatever the chunk size, so smaller chunks cost nothing
# but shorten the wait for the last one (with 3 per worker, one worker idled 0.15-0.5 s at 10,000).
# Chunks of 500 files at first, then smaller and smaller (see _tapered) down to READ_TAIL, so that
# the workers end within a few tens of files of each other (with 500 to the end, one idled up to
# 0.2-0.3 s at 10,000).
READ_CHUNK = 500
READ_TAIL = 50
# Rendering likewise: about 170 pages a chunk (64 at 10,000 articles). The plan lists the costly
# pages (months, years, topics) last, and those chunks go out first, so the cheap article chunks
# at the end even out the two workers (with 6 contiguous chunks one idled about 0.3 s).
RENDER_CHUNK = 170

_JOB: dict[str, Any] = {}   # what forked workers inherit


def _pool_size(count: int, minimum: int, jobs: int) -> int:
    """Return how many processes to use for ``count`` items (1 = stay in this process)."""
    if jobs <= 1 or count < minimum or threading.active_count() > 1:
        return 1
    import multiprocessing  # here: a build that reads or renders a few items needs no pool

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(jobs, os.cpu_count() or 1)


def _chunks(count: int, parts: int) -> list[range]:
    """Split ``range(count)`` into ``parts`` contiguous ranges of nearly equal size."""
    step, extra = divmod(count, parts)
    out, start = [], 0
    for i in range(parts):
        end = start + step + (i < extra)
        if end > start:
            out.append(range(start, end))
        start = end
    return out


def _tapered(count: int, size: int, tail: int, workers: int) -> list[range]:
    """Split ``range(count)`` into contiguous chunks of ``size`` that shrink towards the end.

    Each chunk is at most half of one worker's share of what is left (guided scheduling), never below
    ``tail``: whichever worker takes the last one, the other has little left to finish."""
    out, start = [], 0
    while start < count:
        step = min(count - start, max(tail, min(size, (count - start) // (2 * workers))))
        if count - start - step < tail:   # too little left for a chunk of its own
            step = count - start
        out.append(range(start, start + step))
        start += step
    return out


def _run(workers: int, task: Callable[[range], list], chunks: list[range], tail_first: bool = False,
         meanwhile: Callable[[], object] | None = None,
         each: Callable[[range, list], object] | None = None) -> list:
    """Run ``task`` over ``chunks`` (ranges of items) in forked workers and join the results in order.

    With ``tail_first`` the last chunks are handed out first (the results still come back in item
    order). ``meanwhile`` runs in this process once the workers have started; ``each`` is given
    every chunk's range and results as they come back, while the workers go on with the rest."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    order = chunks[::-1] if tail_first else chunks
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = pool.map(_Guarded(task), order)   # (every chunk is handed out: the workers run)
        # Paused only now that the workers have forked (they keep their own collector): what comes
        # back all survives, and the collector would walk it again and again.
        with collector_paused():
            if meanwhile is not None:
                meanwhile()
            parts = []
            for indices, chunk in zip(order, results):
                if isinstance(chunk, _Failure):
                    if not tail_first:
                        raise chunk.error()
                elif each is not None:
                    each(indices, chunk)
                parts.append(chunk)
            out = []
            for chunk in parts[::-1] if tail_first else parts:
                if isinstance(chunk, _Failure):   # the first in item order, once all came back
                    raise chunk.error()
                out.extend(chunk)
            return out


class _Failure:
    """A DigestError raised in a worker, carried back whole (its place would not survive pickling)."""

    def __init__(self, err: DigestError):
        self.kind, self.fields = type(err), dict(vars(err))

    def error(self) -> DigestError:
        """Rebuild the error in the parent."""
        err = self.kind.__new__(self.kind)
        Exception.__init__(err, self.fields.get("message", ""))
        err.__dict__.update(self.fields)
        return err


class _Guarded:
    """Wraps a worker task so that a DigestError comes back as a _Failure."""

    def __init__(self, task: Callable[[range], list]):
        self.task = task

    def __call__(self, indices: range) -> list | _Failure:
        """Run the task on one chunk."""
        try:
            return self.task(indices)
        except DigestError as err:
            return _Failure(err)


# ---- reading --------------------------------------------------------------------------------

def read_many(todo: list[tuple[Path, str]], settings: ReadSettings, old: dict[str, Entry], jobs: int,
              progress: Callable[[str], None] | None = None) -> list[tuple[Entry, bool]]:
    """Read the listed files (reusing ``old`` entries with the same bytes), in parallel if worth it."""
    workers = _pool_size(len(todo), MIN_READ, jobs)
    if progress and len(todo) >= 1000:
        progress(f"reading {len(todo)} files" + (f" in {workers} processes" if workers > 1 else ""))
    if workers == 1:
        with alarm_held():
            return [read_entry(path, rel, settings, old.get(rel)) for path, rel in todo]
    _JOB.update(todo=todo, settings=settings, old=old)
    try:
        return _run(workers, _read_chunk, _tapered(len(todo), READ_CHUNK, READ_TAIL, workers),
                    meanwhile=load_rendering)
    finally:
        _JOB.clear()


# What assembling and rendering import besides this module.
RENDERING = ("digest.assemble", "digest.deps", "digest.feeds", "digest.render")


def load_rendering() -> None:
    """Import what assembling and rendering need, while the workers read (the readers need none of it)."""
    for name in RENDERING:
        importlib.import_module(name)


def _read_chunk(indices: range) -> list[tuple[Entry, bool]]:
    """Worker: read one chunk of the inherited file list; return entries without unchanged Articles."""
    todo, settings, old = _JOB["todo"], _JOB["settings"], _JOB["old"]
    out = []
    # A read worker lives for the read stage only, and its collector stays off: reading leaves
    # almost no cycles, and each collection walks the entries kept for the parent and, in a forked
    # worker, writes to the pages of every object it walks, copying them from the parent (about
    # 14 ms a worker for 1,100 files when on throughout, 8 ms when paused only during chunks).
    gc.disable()
    with alarm_held():
        for i in indices:
            path, rel = todo[i]
            entry, cacheable = read_entry(path, rel, settings, old.get(rel))
            if rel in old and old[rel].digest == entry.digest:
                entry.article = None  # the parent has it already; do not send it back
            out.append((entry, cacheable))
    return out


# ---- rendering ------------------------------------------------------------------------------

def render_many(env: RecordingEnvironment, pages: list[Page], site: Site, config: Config, jobs: int,
                writer: Writer, key: str | None = None, index: dict[str, list[int]] | None = None
                ) -> tuple[list[Rendered], int]:
    """Render and stage pages; return what each one gave (see ``Rendered``) and the processes used.

    Page bytes never travel between processes. With ``key`` (the fingerprint key), each page's
    fingerprint and the articles it covers are computed beside it, in the workers, and ``index``
    (if given) is filled with ``mentions`` of the rows.
    """
    from digest.deps import Fingerprints
    from digest.render import preload

    workers = _pool_size(len(pages), MIN_RENDER, jobs)
    if workers == 1:
        prints = Fingerprints(site, key, collect=True) if key is not None else None
        rows = _render(env, pages, site, config, writer, prints, range(len(pages)))
        if index is not None:
            index.update(mentions(rows))
        return rows, 1
    # Compiled here, once, rather than by every worker in its first chunk (0.07-0.1 s each
    # when the bytecode cache is empty, as in a cold build).
    preload(env, {p.template for p in pages})
    _JOB.update(env=env, pages=pages, site=site, config=config, writer=writer, key=key)
    try:
        chunks = _chunks(len(pages), max(len(pages) // RENDER_CHUNK, workers * CHUNKS_PER_JOB))
        if index is None:
            return _run(workers, _render_chunk, chunks, tail_first=True), workers
        # The index is made here, chunk by chunk, while the workers render the rest: after the
        # last chunk it took this process alone about 30-40 ms (cProfile) at 10,000 articles.
        found: defaultdict[str, list[int]] = defaultdict(list)
        rows = _run(workers, _render_chunk, chunks, tail_first=True, each=functools.partial(_mentioned, found))
        for positions in found.values():   # chunks come back last first: each list in page order
            positions.sort()
        index.update(found)
        return rows, workers
    finally:
        _JOB.clear()


def render_staged(writer: Writer, env: RecordingEnvironment, pages: list[Page], site: Site, config: Config,
                  jobs: int, extra: dict[str, bytes], key: str | None = None,
                  index: dict[str, list[int]] | None = None
                  ) -> tuple[list[Rendered], dict[str, tuple[str, bool]], int]:
    """Stage ``pages`` (rendered by the workers) and the ``extra`` files for one ``writer.commit``.

    Returns the rendered rows, {output: (hash, staged)} of every file, and the processes used.
    Workers write the pages they render as temporary files themselves and send back only hashes;
    nothing is moved into place until every file is staged, and a failure removes them all.
    """
    writer.begin([p.output for p in pages] + list(extra))
    try:
        rendered, processes = render_many(env, pages, site, config, jobs, writer, key, index)
        staged = {out: result for out, result, _, _, _ in rendered}
        staged.update((rel, writer.stage(rel, data)) for rel, data in extra.items())
    except BaseException:
        writer.abort()
        raise
    return rendered, staged, processes


# One rendered page: output path, (content hash, staged), templates loaded, and with a
# fingerprint key its fingerprint and the source paths of the articles it covers.
Rendered = tuple[str, tuple[str, bool], tuple[str, ...], str, tuple[str, ...]]


def mentions(rendered: list[Rendered]) -> dict[str, list[int]]:
    """Return which pages (by position) cover each article, from fingerprinted ``Rendered`` rows."""
    index: defaultdict[str, list[int]] = defaultdict(list)
    _mentioned(index, range(len(rendered)), rendered)
    return dict(index)


def _mentioned(index: defaultdict[str, list[int]], indices: range, rows: list[Rendered]) -> None:
    """Add to ``index`` the articles each of ``rows`` covers (the rows of the pages at ``indices``)."""
    # A defaultdict makes a list only for a new article; setdefault(rel, []) made one per mention
    # (about 126,000 at 10,000 articles).
    for i, row in zip(indices, rows):
        for rel in row[4]:
            index[rel].append(i)


def _render_chunk(indices: range) -> list[Rendered]:
    """Worker: render and stage one chunk of the inherited page list."""
    from digest.deps import Fingerprints

    job = _JOB
    if "prints" not in job:   # one per worker, not per chunk: its memos serve every later chunk
        job["prints"] = Fingerprints(job["site"], job["key"], collect=True) if job["key"] is not None else None
        # A render worker lives for the render stage only, and its collector stays off (as a read
        # worker's): between chunks it ran about 30 young collections and 3 of the middle
        # generation, which walk the inherited page list and templates (about 30 ms a worker at
        # 10,000 articles, and copies of the pages they write to), to free a few dozen objects
        # per calendar page.
        gc.disable()
    return _render(job["env"], job["pages"], job["site"], job["config"], job["writer"], job["prints"], indices)


def _render(env: RecordingEnvironment, pages: list[Page], site: Site, config: Config, writer: Writer,
            prints: Fingerprints | None, indices: range) -> list[Rendered]:
    """Render the pages at ``indices``, stage each one whose bytes changed, fingerprint with ``prints``."""
    from digest.render import render_recorded

    shared = {"site": site, "config": config}
    out = []
    stage = writer.stage
    # One tuple object per distinct template list (a handful): pickled once per chunk, each later
    # row then refers to it (dumping and loading the rows: 3.0 -> 2.3 us a page).
    lists: dict[tuple[str, ...], tuple[str, ...]] = {}
    # The cyclic collector would walk the rows kept below again and again (about 6% of the
    # stage); an article page leaves no cycles and a calendar page a few dozen objects, which
    # the collector frees once it runs again after the chunk (a worker's never does: they go
    # when it ends).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for i in indices:
            page = pages[i]
            data, names = render_recorded(env, page, shared)
            names = lists.setdefault(names, names)
            fp, covered = "", ()
            if prints is not None:
                fp = prints.page(page)
                covered = tuple(set(prints.covered))
            out.append((page.output, stage(page.output, data), names, fp, covered))
    finally:
        if collecting:
            gc.enable()
    return out
