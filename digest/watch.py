"""Filesystem events to debounced change sets, the way editors really save files.

Editors do not simply write a file. vim probes the folder with a file named ``4913``, moves the
original to ``name~`` and writes a new file; emacs drops ``.#name`` lock links and ``#name#``
autosaves; JetBrains IDEs write ``name___jb_tmp___`` and rename it over the original; others write
the new text into a temporary file and ``os.replace`` it. Copying a folder is hundreds of events.
The ``Collector`` turns all of that into one ``ChangeSet`` per burst:

- editor temporary, swap and backup files are dropped (``digest.scan.is_ignored``);
- a batch is released only after ``debounce`` seconds without events; with inotify, which
  reports when a writer closes a file, a burst of files all closed (or renamed into place) is
  released after ``settle`` seconds instead: the debounce stands in for that report when
  polling, and still holds bursts that touch folders (copies, checkouts);
- a path that is missing when the burst ends gets one more grace window (vim's save moves the
  file away and back), and is only then reported as removed;
- a file that shrank to 0 bytes (a save caught half-way) is held back until it has content or
  ``empty_grace`` has passed.

The collector runs its event callback on watchdog's thread and hands batches to the main thread
through ``next_batch``; rebuilds stay in the main thread, where ``time_limit``'s SIGALRM works.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import (DirModifiedEvent, FileClosedNoWriteEvent, FileOpenedEvent,
                             FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from digest.scan import is_ignored

DEBOUNCE = 0.2          # seconds of quiet that end a burst of events
SETTLE = 0.03           # seconds of quiet that end a burst whose files were all closed (inotify)
MISSING_GRACE = 0.4     # extra wait before a vanished file counts as deleted
EMPTY_GRACE = 1.5       # how long a file that became empty may stay empty before we build it
WRITE_GRACE = 2.0       # how long a file still open for writing (no close seen) may hold a burst
POLL_SECONDS = 1.0      # interval of the polling fallback

# Reading a file produces open/close events; our own builds read every article.
_NOISE = (FileOpenedEvent, FileClosedNoWriteEvent, DirModifiedEvent)


@dataclass(frozen=True)
class ChangeSet:
    """One debounced burst: absolute paths of changed files or folders, and which of them are gone."""

    paths: frozenset[Path]
    removed: frozenset[Path]

    def describe(self, root: Path, limit: int = 3) -> str:
        """Return a short human list of the changed paths, relative to ``root``."""
        names = sorted(_relative(p, root) + (" (removed)" if p in self.removed else "")
                       for p in self.paths)
        shown = ", ".join(names[:limit])
        return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _relative(path: Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` when it is inside, else as given."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


class Collector(FileSystemEventHandler):
    """Gather accepted events from watchdog's thread and release them as debounced ChangeSets."""

    def __init__(self, folders: Iterable[Path], files: Iterable[Path] = (), *,
                 exclude: Iterable[Path] = (), debounce: float = DEBOUNCE,
                 missing_grace: float = MISSING_GRACE, empty_grace: float = EMPTY_GRACE,
                 settle: float = SETTLE, clock: Callable[[], float] = time.monotonic):
        self.folders = tuple(Path(f) for f in folders)
        self.files = frozenset(Path(f) for f in files)
        self.exclude = tuple(Path(e) for e in exclude)
        self.debounce, self.missing_grace, self.empty_grace = debounce, missing_grace, empty_grace
        self.settle = min(settle, debounce)
        self.clock = clock
        self._cond = threading.Condition()
        self._pending: dict[Path, float] = {}
        self._gone: set[Path] = set()    # paths whose latest event removed or moved them away
        self._last_event = 0.0
        self._sizes = _scan_sizes(self.folders)
        # inotify reports when a writer closes a file; a slow writer that pauses longer than the
        # debounce is then still waited for. start_observer sets this when such events come.
        self.close_events = False
        self._writing: set[Path] = set()
        self._folders = False   # the burst has an event on a folder: wait the whole debounce

    def accepts(self, path: Path) -> bool:
        """Tell whether an event on ``path`` can change the site."""
        if path in self.files:
            return True
        if any(path == e or path.is_relative_to(e) for e in self.exclude):
            return False
        for folder in self.folders:
            if path == folder:
                return True
            if path.is_relative_to(folder):
                return not any(is_ignored(part) for part in path.relative_to(folder).parts)
        return False

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Record the paths of one watchdog event (called on the observer's thread)."""
        if isinstance(event, _NOISE):
            return
        src = Path(os.fsdecode(event.src_path))
        dest = Path(os.fsdecode(event.dest_path)) if getattr(event, "dest_path", "") else None
        away = event.event_type in ("deleted", "moved")
        accepted = [(p, gone) for p, gone in ((src, away), (dest, False))
                    if p is not None and self.accepts(p)]
        if not accepted:
            return
        with self._cond:
            now = self.clock()
            self._folders = self._folders or event.is_directory
            for path, gone in accepted:
                self._pending[path] = now
                (self._gone.add if gone else self._gone.discard)(path)
                self._track_writer(event, path, src)
            self._last_event = now
            self._cond.notify_all()

    def _track_writer(self, event: FileSystemEvent, path: Path, src: Path) -> None:
        """Remember files opened for writing and not yet closed (only when closes are reported)."""
        # Events watchdog makes up for the contents of a folder moved in have no close to follow.
        if not self.close_events or event.is_directory or getattr(event, "is_synthetic", False):
            return
        if event.event_type in ("created", "modified") and path == src:
            self._writing.add(path)
        else:  # closed after writing, moved in whole, or gone
            self._writing.discard(path)

    def pending(self) -> bool:
        """Tell whether events are waiting to be released."""
        with self._cond:
            return bool(self._pending)

    def next_batch(self, timeout: float) -> ChangeSet | None:
        """Wait up to ``timeout`` seconds for a settled burst and return it, or None."""
        deadline = self.clock() + timeout
        with self._cond:
            while True:
                now = self.clock()
                if self._pending:
                    ready = self._ready_at()
                    if ready <= now:
                        return self._take()
                    until = min(ready, deadline)
                else:
                    until = deadline
                if now >= deadline:
                    return None
                self._cond.wait(max(until - now, 0.005))

    def _ready_at(self) -> float:
        """Return when the pending burst may be released.

        A path whose last event took it away waits an extra grace window for the event that
        brings it back (judged by events, not by the disk: the file may already be back while
        its events are still on their way to us).
        """
        # Without close reports, or with folders involved, quiet time is the only sign of the end.
        quick = self.close_events and not self._folders
        ready = self._last_event + (self.settle if quick else self.debounce)
        for path, seen in self._pending.items():
            if path in self._gone:
                ready = max(ready, seen + self.debounce + self.missing_grace)
            elif self._sizes.get(path, 0) > 0 and _size(path) == 0 and path.is_file():
                ready = max(ready, seen + self.empty_grace)
            if path in self._writing:
                ready = max(ready, seen + WRITE_GRACE)
        return ready

    def _take(self) -> ChangeSet:
        """Return the pending burst as a ChangeSet and start a new one."""
        paths = frozenset(self._pending)
        removed = frozenset(p for p in paths if not p.exists())
        self._pending.clear()
        self._gone.clear()
        self._writing.clear()
        self._folders = False
        for path in paths:
            if path in removed:
                self._sizes = {p: s for p, s in self._sizes.items()
                               if p != path and not p.is_relative_to(path)}
            elif path.is_dir():
                self._sizes.update(_scan_sizes([path]))
            else:
                self._sizes[path] = _size(path)
        return ChangeSet(paths, removed)


def _size(path: Path) -> int:
    """Return a file's size, 0 when it cannot be read."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _scan_sizes(folders: Iterable[Path]) -> dict[Path, int]:
    """Record the size of every file under ``folders``, to notice files truncated mid-save."""
    sizes: dict[Path, int] = {}
    for folder in folders:
        for base, _, names in os.walk(folder):
            for name in names:
                path = Path(base, name)
                sizes[path] = _size(path)
    return sizes


def outward_links(folder: Path) -> list[Path]:
    """List symlinks under ``folder`` whose targets lie outside it (inotify cannot see those edits)."""
    found: list[Path] = []
    if not folder.is_dir():
        return found
    root = folder.resolve()
    for base, dirs, names in os.walk(root):
        for name in dirs + names:
            path = Path(base, name)
            if path.is_symlink():
                try:
                    inside = path.resolve().is_relative_to(root)
                except OSError:
                    inside = True   # a dangling or looping link has nothing to watch
                if not inside:
                    found.append(path)
    return found


def start_observer(handler: FileSystemEventHandler, watches: Iterable[tuple[Path, bool]],
                   say: Callable[[str], None], polling: bool = False) -> BaseObserver:
    """Start watching ``(folder, recursive)`` pairs with inotify, or by polling when it runs out."""
    watches = [(Path(p), r) for p, r in watches if Path(p).is_dir()]
    if not polling:
        observer = None
        try:
            observer = Observer()   # watchdog opens the inotify instance right here
            for path, recursive in watches:
                observer.schedule(handler, str(path), recursive=recursive)
            observer.start()
            if isinstance(handler, Collector):
                handler.close_events = True   # inotify reports IN_CLOSE_WRITE
            return observer
        except OSError as err:
            if err.errno not in (errno.ENOSPC, errno.EMFILE, errno.ENFILE):
                raise
            _stop_quietly(observer)
            say(f"warning: the system ran out of file watches ({err.strerror or err}); "
                f"watching by polling every {POLL_SECONDS:g} s instead "
                "(raise fs.inotify.max_user_watches or max_user_instances for instant reloads)")
    observer = PollingObserver(timeout=POLL_SECONDS)
    for path, recursive in watches:
        observer.schedule(handler, str(path), recursive=recursive)
    observer.start()
    return observer


def _stop_quietly(observer: BaseObserver | None) -> None:
    """Stop an observer that may never have been made or started."""
    if observer is None:
        return
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(timeout=2)
    except RuntimeError:
        pass
