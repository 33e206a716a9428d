"""Work in a forked child while this process goes on: both cores of a build busy.

``fork`` is the one way the build starts such a child (finding and reading changed files here,
compiling templates in ``digest.precompile``, saving cache shards in ``digest.saver``): it
refuses where forking is unsafe, sends the child's answer back through a pipe, and the child
leaves with ``os._exit`` so that none of the parent's cleanup runs twice.

After a one-article edit, finding the article (listing and stat-ing 10,000 files) and reading it
(importing Markdown and the normalizer, loading the ZWNJ lexicon, parsing) need nothing from
loading and assembling 10,000 cached articles, and take less time, so a fresh ``digest build``
does them in a child meanwhile (``scan_aside``). ``read_aside`` reads a few files already found.
"""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from digest.cache import Entry, State, read_entry

if TYPE_CHECKING:
    from digest.readers import ReadSettings

MOST = 100   # more changed files than this go to digest.parallel's pool instead


class Child:
    """A forked child; ``wait`` reaps it once and returns whether it succeeded and what it sent."""

    def __init__(self, pid: int, rfd: int | None = None):
        self.pid, self.rfd = pid, rfd

    def wait(self, answer: bool = True) -> tuple[bool, Any]:
        """Wait for the child (a second call returns (False, None)); ``answer=False`` drops its answer."""
        if self.pid is None:
            return False, None
        data = b""
        try:
            if self.rfd is not None:
                # Closed unread, the pipe gives a child still writing a broken pipe: it stops.
                with os.fdopen(self.rfd, "rb") as reader:
                    data = reader.read() if answer else b""
        finally:
            _, status = os.waitpid(self.pid, 0)
            self.pid = self.rfd = None
        if status != 0:
            return False, None
        if not data:   # a child asked for no answer (or its answer was dropped)
            return True, None
        try:
            return True, pickle.loads(data)
        except Exception:  # noqa: BLE001 - anything odd counts as a failed child
            return False, None


def fork(work: Callable[[], Any], answer: bool = True) -> Child | None:
    """Run ``work`` in a forked child, sending back what it returns if ``answer``; None if forking is unsafe."""
    # A fork copies only the calling thread; with others running (a live preview), stay here.
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    rfd, wfd = os.pipe() if answer else (None, None)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if rfd is not None:
                os.close(rfd)
            result = work()
            if wfd is not None:
                with os.fdopen(wfd, "wb") as out:
                    out.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            code = 0
        except BaseException:  # noqa: BLE001 - reported by the exit status; the parent does the work
            pass
        finally:
            os._exit(code)  # never return into the parent's code, nor flush its buffers twice
    if wfd is not None:
        os.close(wfd)
    return Child(pid, rfd)


def read_aside(todo: list[tuple[str, str]], settings: Callable[[], ReadSettings], old: dict[str, Entry],
               meanwhile: Callable[[], None]) -> list[tuple[Entry, bool]] | None:
    """Read ``todo`` in a forked child while running ``meanwhile`` here; None if it could not be done.

    ``meanwhile`` must only prepare what is needed later anyway: when the child fails, the
    caller reads the files itself.
    """
    if len(todo) > MOST:
        return None
    child = fork(lambda: _read(todo, settings, old))
    if child is None:
        return None
    finished = False
    try:
        meanwhile()
        finished = True
    finally:
        ok, results = child.wait(answer=finished)
    return results if ok else None


def _read(todo: list[tuple[str, str]], settings: Callable[[], ReadSettings], old: dict[str, Entry]
          ) -> list[tuple[Entry, bool]]:
    """Read the files (in the child)."""
    made = settings()
    return [read_entry(path, rel, made, old.get(rel)) for path, rel in todo]


Scanned = tuple[list[tuple[str, str]], list[str], "list[tuple[Entry, bool]] | None"]


def scan_aside(state: State, content: Path, settings: Callable[[], ReadSettings],
               changed: Iterable[Path] | None, verify: bool, meanwhile: Callable[[], None]) -> Scanned | None:
    """List and stat the content folder and read what changed in a forked child, running
    ``meanwhile`` here; None if the child could not do it (``meanwhile`` has run all the same).

    Returns what ``scan.find_changes`` returns and the files it found read, or None in their
    place when more than ``MOST`` changed (the caller's pool reads those). Made for a new
    process with a cache: listing and stat-ing 10,000 files (60 ms) and reading the edits then
    take less than ``meanwhile``'s loading of the cached articles, and no longer come before it.
    """
    child = fork(lambda: _scan(state, content, settings, changed, verify))
    if child is None:
        meanwhile()
        return None
    finished = False
    try:
        meanwhile()
        finished = True
    finally:
        ok, answer = child.wait(answer=finished)
    return answer if ok else None


def _scan(state: State, content: Path, settings: Callable[[], ReadSettings],
          changed: Iterable[Path] | None, verify: bool) -> Scanned:
    """Find the changed files and read them unless there are too many (in the child)."""
    from digest.scan import content_files, find_changes

    todo, gone = find_changes(state, content_files(content), changed, verify)
    return todo, gone, (_read(todo, settings, state.files) if len(todo) <= MOST else None)
