"""The build: read -> assemble -> render -> write, one line per stage (``Builder.rebuild``).

Everything is read and grouped before anything is rendered, and every changed page is staged
under a temporary name before any is moved into place, so a failing build leaves the previous
site whole. A
``Builder`` remembers what it built (in memory, and in ``.digest-cache/`` between processes) and
re-renders only pages whose fingerprint or templates changed; see docs/incremental.md.
"""

from __future__ import annotations

import gc
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from digest import config as config_mod
from digest.cache import SECONDS_PER_FILE, State, Store, collector_paused, settings_key, time_limit
from digest.config import Config
from digest.errors import Problem
from digest.lookup import template_dirs, template_hash
from digest.outcome import BuildFailed, BuildResult, Clock, check_problems
from digest.saver import Aside, save_aside
from digest.scan import read_all, read_settings, scan_inputs, scan_static, static_sources
from digest.write import WriteStats, Writer, check_output

if TYPE_CHECKING:  # the rest is imported where it is used: a build with nothing to do needs none of it
    from digest.assemble import Page
    from digest.model import Site
    from digest.precompile import Compiling

# read_all and read_settings live in digest.scan; other commands import them from here.
__all__ = ["Builder", "BuildResult", "BuildFailed", "build", "read_all", "read_settings", "SECONDS_PER_FILE",
           "time_limit"]


def output_state(config: Config, out: Path) -> Path:
    """Return the cache folder that remembers what was written into ``out``."""
    return config.cache_dir / "output" / hashlib.sha1(str(out).encode()).hexdigest()[:12]


class Builder:
    """Builds one site again and again, re-rendering only the pages whose inputs changed."""

    def __init__(self, root: Path, *, overrides: dict[str, Any] | None = None,
                 progress: Callable[[str], None] | None = None, cache: bool = True,
                 clean: bool = False, jobs: int | None = None, defer_save: bool = False):
        self.root = Path(root)
        self.overrides = overrides
        self.progress = progress
        self.cache = cache
        self.clean = clean
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self.state: State | None = None
        # For a Builder kept in memory (digest serve), see digest/quick.py:
        self.defer_save = defer_save          # save the cache in flush(), not in rebuild()
        self._unsaved: Store | None = None    # the cache holding a committed state not yet saved
        self._listed: State | None = None     # the state a full listing of the inputs went into
        self._pending: set[str] = set()       # paths reported since the last rebuild that worked
        self._config: Config | None = None
        self._writer: Writer | None = None
        self._env: tuple[str, Any] | None = None   # (config, Jinja2 environment) of the last build
        self._late: tuple[Callable[[], dict[str, str]], dict, list[Path]] | None = None  # see flush()

    def rebuild(self, changed: Iterable[Path] | None = None, *, strict: bool = False,
                verify: bool = False, fail_on_errors: bool = False, complete: bool = False) -> BuildResult:
        """Bring the output folder up to date with the inputs and report what was done.

        ``fail_on_errors`` (the live preview) stops before writing when any problem is an error,
        so a broken article never takes its page out of the site being previewed. ``complete``
        promises that ``changed`` names every input changed since the last call (a watcher's
        report), so no other input is stat-ed and no output file is checked.
        """
        clock = Clock()
        self.flush()   # a deferred save holds the last committed state; this rebuild changes it
        try:
            # A build makes almost no garbage cycles (its collections found 43 objects at 10,000
            # articles) but many long-lived objects, which the collector walked again and again:
            # 130 ms of the parent's time in a cold build, half of it one full collection after
            # rendering. A resident builder collects once when idle (flush).
            with collector_paused():
                result = self._rebuild(clock, changed, strict, verify, fail_on_errors, complete)
            self._pending.clear()
            return result
        finally:
            if not self.defer_save:   # a resident builder refreezes in flush(idle=True)
                gc.unfreeze()

    def defer_fingerprints(self, fingerprint: Callable[[], dict[str, str]], records: dict,
                           dirs: list[Path]) -> None:
        """Keep the fingerprinting of the pages just rendered for ``flush`` (with ``defer_save``)."""
        self._late = (fingerprint, records, dirs)

    def flush(self, idle: bool = False) -> None:
        """Finish what ``defer_save`` held back: the last fingerprints, then saving the cache.

        ``idle`` (nothing else to do): also collect garbage once and freeze what is left, so
        that the collector does not walk the long-lived site during the next rebuilds."""
        if idle and (self._late is not None or self._unsaved is not None):
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        if self._late is not None and self.state is not None:
            fingerprint, records, dirs = self._late
            self.state.pages.update(_records(self.state, fingerprint(), records, dirs))
        self._late = None
        if self._unsaved is not None and self.state is not None:
            self._unsaved.save(self.state)
        self._unsaved = None

    def _rebuild(self, clock: Clock, changed: Iterable[Path] | None, strict: bool, verify: bool,
                 fail_on_errors: bool, complete: bool) -> BuildResult:
        """Do the work of ``rebuild``."""
        trusted = (complete and changed is not None and not verify and self.state is not None
                   and self._listed is self.state)
        if trusted:
            self._pending |= {os.path.abspath(p) for p in changed or ()}
        else:   # only a full listing finished after this call may be trusted again
            self._pending, self._listed = set(), None
        config = self._load_config(trusted)
        out = check_output(config)
        state, store = self._state(config)
        compiling = None
        if self.jobs > 1 and not state.pages:   # every page will render: see _render_all
            from digest.precompile import compile_aside

            # Forked first thing, the child takes the core that imports and listing leave idle;
            # forked after reading, it and the saver slowed the parent assembling the site.
            compiling = compile_aside(config)
        try:
            return self._update(clock, changed, strict, verify, fail_on_errors, trusted, config, out,
                                state, store, compiling)
        finally:
            if compiling is not None:
                compiling.settle()   # (joined already unless the build ended early)

    def _update(self, clock: Clock, changed: Iterable[Path] | None, strict: bool, verify: bool,
                fail_on_errors: bool, trusted: bool, config: Config, out: Path, state: State, store: Store,
                compiling: Compiling | None) -> BuildResult:
        """Read what changed, then assemble, render and write what that needs (see ``rebuild``)."""
        trusted = trusted and state is self._listed
        inputs, pages_there = None, None
        if trusted:
            from digest.quick import watched_changes

            inputs = watched_changes(state, config.content_dir, self._pending,
                                     lambda: read_settings(config), self.jobs, self.progress)
        if inputs is None:
            inputs, pages_there = scan_inputs(state, store, config, out, changed, verify, self.jobs,
                                              self.progress)   # read
            self._listed = state
        if not (trusted and self._writer is not None and self._writer.out == out):
            self._writer = Writer(out, output_state(config, out))
        writer = self._writer
        fresh = writer.manifest() is None          # a new or foreign output folder gets everything
        dirs = template_dirs(config)
        if trusted and not self._touches_templates(config):
            static, templates = {}, []
            state.static_now = dict(state.static)
        else:
            static = scan_static(state, static_sources(config), changed, verify or fresh, out)
            templates = self._changed_templates(dirs, state)
        prefix = os.path.relpath(config.content_dir, self.root).replace(os.sep, "/")
        inputs = [f"{prefix}/{rel}" for rel in inputs] + templates
        inputs += [f"templates/{rel}" for rel in sorted(static)]
        if state.config and state.config != repr(config):
            inputs.insert(0, "digest.toml")
        clock.lap("read")
        if not (inputs or state.edited or state.reshaped) and self._unchanged(state, config, out, writer,
                                                                               not trusted, pages_there):
            return self._nothing_to_do(state, store, config, clock)
        if state.edited and not (state.reshaped or templates or static or fresh) and state.config == repr(config):
            from digest.quick import edit_in_place

            result = edit_in_place(self, state, store, config, writer, clock, inputs, strict, fail_on_errors)
            if result is not None:
                return result
        if compiling is None and self.jobs > 1 and fresh:   # a new output folder gets every page
            from digest.precompile import compile_aside

            compiling = compile_aside(config)   # in a child, while this process assembles
        asides: list[Aside | Compiling] = [compiling] if compiling is not None else []
        if self._saves_aside() and all(e.loaded for e in state.files.values()):
            # Nothing changes the shards before rendering when every Article is in memory (no
            # cached one to load or re-read): the child saving them starts now, on the core that
            # assembling leaves idle. Frozen first, so that its collector walks none of them.
            gc.freeze()
            saver = save_aside(store, state)
            asides += [saver] if saver is not None else []
        try:
            site, problems = self.assemble(state, store, config)                    # assemble
            # The site is long-lived: keep the cyclic collector from walking its objects again and
            # again while the rest of the build allocates; rebuild() unfreezes when it returns.
            gc.freeze()
            check_problems(problems, strict, fail_on_errors)
            return self._render_all(state, store, config, writer, clock, site, problems, inputs, templates,
                                    static, fresh, dirs, out, asides)
        finally:
            for aside in asides:
                aside.settle(state)   # before returning or raising: no child outlives the build

    def _render_all(self, state: State, store: Store, config: Config, writer: Writer, clock: Clock,
                    site: Site, problems: list[Problem], inputs: list[str], templates: list[str],
                    static: dict[str, bytes], fresh: bool, dirs: list[Path], out: Path,
                    asides: list[Aside | Compiling]) -> BuildResult:
        """Plan, fingerprint, render and write the pages of an assembled site, then save the state.

        Puts in ``asides`` the child saving shards meanwhile, if there is one (the caller waits
        for it whatever happens)."""
        from digest import feeds
        from digest.assemble import plan
        from digest.deps import stale_pages
        from digest.parallel import render_staged
        from digest.precompile import Compiling
        from digest.render import environment

        pages = plan(site, config)
        clock.lap("assemble")
        # When every page is rendered anyway (a clean build, a new output folder), old
        # fingerprints have nothing to be compared with: the render workers compute the new ones.
        everything = fresh or not state.pages
        todo, prints = (pages, {}) if everything else stale_pages(pages, site, config, out, state, store,
                                                                  fresh, bool(templates))
        clock.lap("fingerprint")
        extra = feeds.files(site, pages, config)
        extra.update(static)
        clock.lap("feeds")
        env = environment(config, config.cache_dir)
        for waiting in asides:
            if isinstance(waiting, Compiling):   # templates compiled meanwhile: load them from there
                waiting.join(env)
        key = state.key + repr(config) if everything else None
        # The shards of what was read need no page: a child writes them while the pages render
        # (unless one started after reading already).
        aside = next((a for a in asides if isinstance(a, Aside)), None)
        if aside is None and self._saves_aside():
            aside = save_aside(store, state)
            asides.extend([aside] if aside is not None else [])
        index: dict[str, list[int]] | None = {} if everything else None   # see parallel.mentions
        rendered, staged, processes = render_staged(writer, env, todo, site, config, self.jobs,
                                                    extra, key, index)              # render
        clock.lap("render")
        stats = writer.commit(staged, keep=[p.output for p in pages] + list(state.static_now))  # write
        clock.lap("write")
        records = {out: names for out, _, names, _, _ in rendered}
        if everything:
            prints = {out: fp for out, _, _, fp, _ in rendered}
            state.mentions, state.mentions_dirty = index, True
        if aside is not None:
            aside.settle(state)   # the metadata names the shards' rows: written after them
        self.commit(state, store, config, pages, prints, records, site, problems, dirs)
        self._env = (repr(config), env)
        clock.lap("save")
        return BuildResult(len(pages), stats, problems, clock.timings, sorted(p.output for p in todo),
                           sorted(writer.last_changed), sorted(writer.last_removed), inputs,
                           state.counts, processes, output=out, _site=site,
                           _templates={p.output: p.template for p in pages})

    def _saves_aside(self) -> bool:
        """Tell whether this build saves the cache's shards in a child while it goes on."""
        return self.cache and not self.defer_save and self.jobs > 1

    def _load_config(self, trusted: bool) -> Config:
        """Return the config: the last one when a watcher reported no change to digest.toml."""
        from digest.config import CONFIG_FILE

        if not (trusted and self._config is not None
                and os.path.abspath(self.root / CONFIG_FILE) not in self._pending):
            self._config = config_mod.load(self.root, self.overrides)
        return self._config

    def _touches_templates(self, config: Config) -> bool:
        """Tell whether a reported path lies in the site's templates folder (or is that folder)."""
        folders = {os.path.abspath(config.root / "templates"), os.path.realpath(config.root / "templates")}
        return any(p == f or p.startswith(f + os.sep) for p in self._pending for f in folders)

    def environment(self, config: Config) -> Any:
        """Return the last build's Jinja2 environment if it was made for this config, else a new one."""
        from digest.render import environment

        if self._env is None or self._env[0] != repr(config):
            self._env = (repr(config), environment(config, config.cache_dir))
        return self._env[1]

    def _state(self, config: Config) -> tuple[State, Store]:
        """Return the state for this config: in memory, else from the cache folder, else empty."""
        store = Store(config.cache_dir)
        key = settings_key(config)
        if self.clean:
            store.clear()
            self.clean = False
        if self.state is None or self.state.key != key:
            with collector_paused():
                self.state = (store.load_meta(key) if self.cache else None) or State(key=key)
        return self.state, store

    def _changed_templates(self, dirs: list[Path], state: State) -> list[str]:
        """Hash every template the last build used and list the ones that changed."""
        state.thash = {}
        lists = {id(t): t for _, t in state.pages.values()}   # pages share their template lists
        used = {pair for templates in lists.values() for pair in templates}
        for name, _ in used:
            state.thash[name] = template_hash(dirs, name)
        return sorted({f"templates/{name}" for name, h in used if state.thash[name] != h})

    def _unchanged(self, state: State, config: Config, out: Path, writer: Writer, check_files: bool = True,
                   pages_there: bool | None = None) -> bool:
        """Tell whether the last build's output stands as it is: same config, every file there
        (``pages_there``: the pages' files were checked already)."""
        if not state.pages or state.config != repr(config) or writer.manifest() is None or pages_there is False:
            return False
        files = state.static_now if pages_there else [*state.pages, *state.static_now]
        return not check_files or all(os.path.exists(os.path.join(out, rel)) for rel in files)

    def _nothing_to_do(self, state: State, store: Store, config: Config, clock: Clock) -> BuildResult:
        """Report a build that found nothing to do, loading the site only if someone asks for it."""
        state.static = state.static_now

        def load_site() -> Site:
            site, _ = self.assemble(state, store, config)
            state.site, state.changed = site, False
            return site
        clock.lap("assemble")
        return BuildResult(len(state.pages), WriteStats(0, len(state.pages) + len(state.static), 0),
                           list(state.problems), clock.timings, counts=state.counts,
                           output=config.output_dir, _site=state.site, _load_site=load_site,
                           _config=config)

    def assemble(self, state: State, store: Store, config: Config) -> tuple[Site, list[Problem]]:
        """Group the articles into the site (reusing the last site when no input changed)."""
        site = state.site
        if site is None or state.changed or state.config != repr(config):
            from digest.assemble import assemble

            with collector_paused():
                articles, problems = state.articles(store, config.content_dir, lambda: read_settings(config))
                site = assemble(articles, config, problems)
        return site, list(site.problems)

    def commit(self, state: State, store: Store, config: Config, pages: list[Page] | None,
               prints: dict[str, str], records: dict[str, tuple[str, ...]], site: Site,
               problems: list[Problem], dirs: list[Path]) -> None:
        """Remember what this build produced (after a successful write) and save it.

        ``pages`` is every page of the site, or None when no page came or went."""
        fresh = _records(state, prints, records, dirs)
        if pages is None:
            state.pages.update(fresh)
        else:
            state.pages = {p.output: fresh.get(p.output) or state.pages[p.output] for p in pages}
        state.static = state.static_now
        state.config, state.site, state.problems = repr(config), site, tuple(problems)
        state.changed, state.reshaped = False, False
        state.edited = set()
        state.counts = (len(site.articles), len(site.topics), len(site.days))
        if self.cache and self.defer_save:
            self._unsaved = store
        elif self.cache:
            store.save(state)


def _records(state: State, prints: dict[str, str], records: dict[str, tuple[str, ...]], dirs: list[Path]
             ) -> dict[str, tuple[str, tuple]]:
    """Return the page records (fingerprint, templates used with their hashes) of rendered pages."""
    for names in records.values():
        for name in names:
            if name not in state.thash:
                state.thash[name] = template_hash(dirs, name)
    # One object per distinct template list (a few for thousands of pages): made once, pickled once.
    shared: dict[tuple[str, ...], tuple] = {}
    fresh = {}
    for out, fp in prints.items():
        names = records[out]
        used = shared.get(names)
        if used is None:
            used = shared[names] = tuple((n, state.thash.get(n) or "?") for n in names)
        fresh[out] = (fp, used)
    return fresh


def build(root: Path, *, strict: bool = False, overrides: dict[str, Any] | None = None,
          progress: Callable[[str], None] | None = None, clean: bool = False,
          cache: bool = True, jobs: int | None = None) -> BuildResult:
    """Build the site in ``root`` into its output folder (incrementally, from the cache)."""
    return Builder(root, overrides=overrides, progress=progress, clean=clean, cache=cache,
                   jobs=jobs).rebuild(strict=strict)
