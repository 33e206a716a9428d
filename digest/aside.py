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
import select
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple

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


class Scanned(NamedTuple):
    """What ``scan_aside``'s child found."""

    todo: list[tuple[str, str]]                # as scan.find_changes returns them
    gone: list[str]
    results: list[tuple[Entry, bool]] | None   # the ``todo`` files read; None: more than MOST
    pages_there: bool | None                   # nothing changed: every page's file is in ``output``


def scan_aside(state: State, content: Path, settings: Callable[[], ReadSettings],
               changed: Iterable[Path] | None, verify: bool, prepare: Iterable[Callable[[], object]],
               meanwhile: Callable[[], None], output: Path | None = None) -> Scanned | None:
    """List and stat the content folder in a forked child, and read what changed there, while
    this process runs the steps of ``prepare`` until the child has listed, then, if the child
    found files to read, ``meanwhile`` (which must not rely on ``prepare``'s steps).

    With nothing changed and an ``output`` folder, the child then checks that the file of every
    page in ``state.pages`` is there (a build with nothing to do needs that, one with edits
    does not). When more than ``MOST`` files changed they come back unread and ``meanwhile`` is
    not run: the caller's read workers read them. Returns None when the child could not be
    forked or failed; the caller scans then.

    Made for a new process with a cache: listing and stat-ing 10,000 files (60 ms) and reading an
    edit take less time than ``meanwhile``'s loading of the cached articles, and need not come
    before it; a build with nothing changed learns so from the child while ``prepare`` runs here,
    stops preparing then, and has its 10,000 page files checked by the child.
    """
    rfd, wfd = os.pipe()
    child = fork(lambda: _scan(wfd, state, content, settings, changed, verify, output), answer=False)
    os.close(wfd)
    if child is None:
        os.close(rfd)
        return None
    needed = found = None
    try:
        with os.fdopen(rfd, "rb") as reader:   # closed early, a child still writing stops
            for step in prepare:
                if select.select([reader], [], [], 0)[0]:
                    break   # the child has listed: what to do next depends on what it found
                step()
            try:
                todo, gone = pickle.load(reader)
                needed = 0 < len(todo) <= MOST or (output is not None and not todo and not gone)
                if todo and needed:
                    meanwhile()
                more = pickle.load(reader) if needed else None
                found = Scanned(todo, gone, more if todo else None, more if not todo else None)
            except (EOFError, pickle.UnpicklingError, ValueError):   # the child failed
                pass
    finally:
        succeeded, _ = child.wait(answer=False)
    return found if found is not None and (succeeded or not needed) else None


def _scan(wfd: int, state: State, content: Path, settings: Callable[[], ReadSettings],
          changed: Iterable[Path] | None, verify: bool, output: Path | None) -> None:
    """Send what changed, then those files read or, with nothing changed, whether every page is there (in the child)."""
    from digest.scan import content_files, find_changes

    with os.fdopen(wfd, "wb") as out:
        todo, gone = find_changes(state, content_files(content), changed, verify)
        pickle.dump((todo, gone), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        if 0 < len(todo) <= MOST:
            more: object = _read(todo, settings, state.files)
        elif output is not None and not todo and not gone:
            more = all(os.path.exists(os.path.join(output, rel)) for rel in state.pages)
        else:
            more = None
        pickle.dump(more, out, protocol=pickle.HIGHEST_PROTOCOL)
