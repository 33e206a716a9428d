"""``digest serve``: build, serve the output folder, rebuild on every save and reload open pages.

The build is a callable ``rebuild(changed_paths) -> result`` so that the preview does not care how
the site is rebuilt: by default ``incremental_rebuild`` (the ``Builder``, re-rendering only the pages
the change affects); ``full_rebuild`` renders everything and is kept for comparison. A rebuild
must raise a DigestError *before writing* when it fails, so that the last
good site stays on disk and keeps being served (``Builder.rebuild(..., fail_on_errors=True)`` does).

Threads: rebuilds run in the thread that calls ``Preview.run`` (the main thread under the CLI, where
``time_limit``'s SIGALRM works); the HTTP server answers in background threads; watchdog delivers
events on its own thread to the ``Collector``.
"""

from __future__ import annotations

import threading
import time
import traceback
import webbrowser
from pathlib import Path
from typing import Any, Callable

from digest import config as config_mod
from digest.build import Builder
from digest.config import CONFIG_FILE, Config
from digest.errors import ConfigError, DigestError
from digest.serve_http import Failure, PreviewServer, SiteState, bind, is_loopback
from digest.watch import DEBOUNCE, ChangeSet, Collector, outward_links, start_observer

Rebuild = Callable[[frozenset[Path]], Any]
Say = Callable[[str], None]


def full_rebuild(root: Path, overrides: dict[str, Any] | None = None) -> Rebuild:
    """Return a rebuild function that renders every page each time (no cache), refusing to write on errors."""
    def rebuild(changed: frozenset[Path]) -> Any:
        """Build everything (the changed paths are only reported)."""
        return Builder(root, overrides=overrides, cache=False).rebuild(fail_on_errors=True)
    return rebuild


class IncrementalRebuild:
    """Re-renders only the pages the changes affect, with one ``Builder`` kept in memory.

    Called with ``complete=True`` when the watcher saw every change since the last call, it
    stats and reads only the reported files (digest/quick.py). The cache in ``.digest-cache/``
    is saved by ``flush()``, which the preview calls when no change is waiting, so a save
    reaches the browser before the cache is written.
    """

    def __init__(self, root: Path, overrides: dict[str, Any] | None = None):
        self.builder = Builder(root, overrides=overrides, defer_save=True)

    def __call__(self, changed: frozenset[Path], complete: bool = False) -> Any:
        """Rebuild what the changed paths (and, unless ``complete``, anything else that changed) affect."""
        result = self.builder.rebuild(set(changed), fail_on_errors=True, complete=complete)
        result.site   # a warm first build skips the site; later edits swap articles into it
        return result

    def flush(self) -> None:
        """Save the cache of the last rebuild (called when no change is waiting)."""
        self.builder.flush(idle=True)


def incremental_rebuild(root: Path, overrides: dict[str, Any] | None = None) -> IncrementalRebuild:
    """Return a rebuild function that re-renders only the pages the changes affect."""
    return IncrementalRebuild(root, overrides)


def failure_of(err: BaseException, root: Path, content: Path | None = None) -> Failure:
    """Describe a failed rebuild for the terminal and the overlay (paths relative to the project)."""
    if isinstance(err, ConfigError):
        return Failure("digest.toml is invalid", tuple((_short(err.path, root), None, p) for p in err.problems))
    problems = getattr(err, "problems", None)
    if isinstance(err, DigestError) and problems:
        # problems name files relative to the content folder; people need them from the project
        items = tuple((_short(content / p.path if content and p.path else p.path, root), p.line, p.message)
                      for p in problems)
        return Failure(err.message, items)
    if isinstance(err, DigestError):
        message = f"{err.message} ({err.hint})" if err.hint else err.message
        return Failure(f"{err.stage} failed", ((_short(err.path, root), err.line, message),))
    return Failure("digest itself failed (a bug; please report it)",
                   ((None, None, f"{type(err).__name__}: {err}"),))


def _short(path: object, root: Path) -> str | None:
    """Return ``path`` relative to the project when it is inside, else as given."""
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def summary(result: Any) -> str:
    """Return 'N pages rendered, M written' for a build result of any builder."""
    rendered = getattr(result, "rendered", None)
    if rendered is None:
        rendered = getattr(result, "pages", None)
    if isinstance(rendered, (set, frozenset, list, tuple, dict)):
        rendered = len(rendered)
    stats = getattr(result, "stats", None)
    written = getattr(stats, "written", None)
    parts = [f"{rendered} pages rendered" if rendered is not None else "rebuilt"]
    if written is not None:
        parts.append(f"{written} written")
    problems = getattr(result, "problems", None) or []
    warnings = sum(getattr(p, "level", "") == "warning" for p in problems)
    if warnings:
        parts.append(f"{warnings} warnings")
    return ", ".join(parts)


def _written_with_errors(result: Any, root: Path, content: Path) -> Failure | None:
    """Describe errors a builder reported but wrote anyway (one without ``fail_on_errors``)."""
    errors = [p for p in getattr(result, "problems", None) or [] if getattr(p, "level", "") == "error"]
    if not errors:
        return None
    return Failure(f"{len(errors)} error(s); the pages of these files are missing",
                   tuple((_short(content / p.path if p.path else None, root), p.line, p.message)
                         for p in errors))


class Preview:
    """One live preview of a site: its server, its watcher and its rebuild loop."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 rebuild: Rebuild | None = None, say: Say = lambda message: None,
                 debounce: float = DEBOUNCE, polling: bool = False,
                 overrides: dict[str, Any] | None = None):
        self.root = Path(root).resolve()
        self.host, self.port = host, port
        self.overrides = overrides
        self.rebuild = rebuild or incremental_rebuild(self.root, overrides)
        self.say = say
        self.debounce = debounce
        self.polling = polling
        self.config: Config = config_mod.load(self.root, overrides)
        self.state = SiteState(self.config.output_dir, self.config.base_path)
        self.server: PreviewServer | None = None
        self.collector: Collector | None = None
        self.observer: Any = None
        self.rebuilds = 0
        self.url = ""
        self.watching_since_last_rebuild = False   # the watcher has seen every change since then

    def start(self) -> str:
        """Build once, start serving and watching; return the URL."""
        if not is_loopback(self.host):
            self.say(f"warning: listening on {self.host}, not on loopback: anyone who can reach this "
                     "machine can read the preview (use --host 127.0.0.1 to keep it private)")
        self.server = bind(self.host, self.port, self.state, self.say)
        if self.port == 0:
            self.say(f"port 0 asked for any free port: using {self.server.server_address[1]}")
        self._run_rebuild(ChangeSet(frozenset(), frozenset()), first=True)
        threading.Thread(target=self.server.serve_forever, args=(0.1,), name="digest-http",
                         daemon=True).start()
        self._watch()
        port = self.server.server_address[1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{port}/"
        self.say(f"serving {_short(self.config.output_dir, self.root)}/ at {self.url} "
                 "(Ctrl+C stops)")
        return self.url

    def open_browser(self) -> None:
        """Open the preview in the default browser without blocking."""
        threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()

    def run(self, stop: threading.Event | None = None) -> None:
        """Rebuild on every settled burst of changes until ``stop`` is set or Ctrl+C."""
        stop = stop or threading.Event()
        try:
            while not stop.is_set():
                self.step(timeout=0.25)
        except KeyboardInterrupt:
            pass
        finally:
            self.close()

    def step(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for changes and rebuild once; return whether it rebuilt."""
        assert self.collector is not None, "start() first"
        batch = self.collector.next_batch(timeout)
        if batch is None:
            flush = getattr(self.rebuild, "flush", None)
            if flush is not None:
                flush()   # quiet now: save the cache the last rebuild left in memory
            return False
        if any(p in batch.paths for p in self._watched_roots()):
            self._reload_config()
            self._watch()   # a watched folder itself appeared or went away
        elif self.config_file in batch.paths:
            self._reload_config()
        self._run_rebuild(batch)
        return True

    def idle(self) -> bool:
        """Tell whether no change is waiting and no rebuild is running."""
        return self.collector is not None and not self.collector.pending() and not self.state.building

    def close(self) -> None:
        """Stop watching and serving."""
        flush = getattr(self.rebuild, "flush", None)
        if flush is not None:
            flush()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
            self.observer = None
        if self.server is not None:
            self.server.stop()
            self.server = None

    @property
    def config_file(self) -> Path:
        """Return the config file's path."""
        return self.root / CONFIG_FILE

    def _watched_roots(self) -> list[Path]:
        """Return the folders whose contents feed the build."""
        return [self.config.content_dir, (self.root / "templates").resolve()]

    def _watch(self) -> None:
        """(Re)start the watcher on content, templates and the config file."""
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
        self.watching_since_last_rebuild = False
        content, templates = self._watched_roots()
        self.collector = Collector([content, templates], [self.config_file, content, templates],
                                   exclude=[self.config.output_dir, self.config.cache_dir.resolve()],
                                   debounce=self.debounce)
        polling = self.polling
        outward = outward_links(templates)
        if outward and not polling:
            self.say(f"note: {_short(outward[0], self.root)} links outside templates/; inotify cannot see "
                     f"edits there, so changes are found by polling every second")
            polling = True
        if (self.root / self.config.content).is_symlink():
            self.say(f"note: {self.config.content}/ is a symlink; watching its target {content}")
        watches = [(content, True), (templates, True), (self.root, False)]
        self.observer = start_observer(self.collector, watches, self.say, polling)

    def _reload_config(self) -> None:
        """Re-read digest.toml; re-aim the server and the watcher when folders moved."""
        try:
            config = config_mod.load(self.root, self.overrides)
        except ConfigError:
            return   # the rebuild reports it and the overlay shows it
        moved = (config.content_dir, config.output_dir) != (self.config.content_dir, self.config.output_dir)
        self.config = config
        self.state.out, self.state.base_path = config.output_dir, config.base_path
        if moved:
            self._watch()

    def _run_rebuild(self, batch: ChangeSet, first: bool = False) -> None:
        """Run one rebuild with requests held, then tell every open page to reload."""
        started = time.perf_counter()
        self.state.begin()
        failure, result = None, None
        try:
            if isinstance(self.rebuild, IncrementalRebuild):
                # Every change since the last rebuild is in the batch, unless the watcher was
                # (re)started since: then changes made before it started are looked for too.
                result = self.rebuild(batch.paths, complete=self.watching_since_last_rebuild)
            else:
                result = self.rebuild(batch.paths)
            failure = _written_with_errors(result, self.root, self.config.content_dir)
        except Exception as err:  # keep serving the last good site whatever went wrong
            failure = failure_of(err, self.root, self.config.content_dir)
            if not isinstance(err, DigestError):
                self.say("".join(traceback.format_exception(err)).rstrip())
        finally:
            self.watching_since_last_rebuild = self.collector is not None
            ms = (time.perf_counter() - started) * 1000
            recovered = self.state.failure is not None and failure is None
            self.state.finish(failure)
        self.rebuilds += 1
        what = "first build" if first else f"changed: {batch.describe(self.root)}"
        if failure is not None:
            kept = "built with errors" if result is not None else "build failed; still serving the last good site"
            self.say(f"{what} -> {kept} ({ms:.0f} ms)")
            for line in failure.lines():
                self.say(f"  {line}")
            return
        self.say(f"{what} -> {summary(result)} in {ms:.0f} ms" + ("; error fixed" if recovered else ""))
