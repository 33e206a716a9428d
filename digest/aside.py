"""Read a few changed files in a forked process while this one loads the cache: both cores.

After a one-article edit, reading the article (importing Markdown and the normalizer, loading
the ZWNJ lexicon, parsing) and loading 10,000 cached articles take about as long as each other
and need nothing from each other, so a fresh ``digest build`` does them at the same time.
"""

from __future__ import annotations

import os
import pickle
import threading
from typing import TYPE_CHECKING, Callable

from digest.cache import Entry, read_entry

if TYPE_CHECKING:
    from digest.readers import ReadSettings

MOST = 100   # more changed files than this go to digest.parallel's pool instead


def read_aside(todo: list[tuple[str, str]], settings: Callable[[], ReadSettings], old: dict[str, Entry],
               meanwhile: Callable[[], None]) -> list[tuple[Entry, bool]] | None:
    """Read ``todo`` in a forked child while running ``meanwhile`` here; None if it could not be done.

    ``meanwhile`` must only prepare what is needed later anyway: when the child fails, the
    caller reads the files itself.
    """
    # A fork copies only the calling thread; with others running (a live preview), stay here.
    if not hasattr(os, "fork") or threading.active_count() > 1 or len(todo) > MOST:
        return None
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child(rfd, wfd, todo, settings, old)
    os.close(wfd)
    reader = os.fdopen(rfd, "rb")
    try:
        meanwhile()
        data = reader.read()
    finally:
        reader.close()    # a child still writing gets a broken pipe and exits
        _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - anything odd: the caller reads the files itself
        return None


def _child(rfd: int, wfd: int, todo: list[tuple[str, str]], settings: Callable[[], ReadSettings],
           old: dict[str, Entry]) -> None:
    """Read the files, send the results down the pipe and exit without running any cleanup."""
    code = 1
    try:
        os.close(rfd)
        made = settings()
        results = [read_entry(path, rel, made, old.get(rel)) for path, rel in todo]
        with os.fdopen(wfd, "wb") as out:
            out.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    except BaseException:  # noqa: BLE001 - reported by the exit status; the parent reads again
        pass
    finally:
        os._exit(code)  # never return into the parent's code, nor flush its buffers twice
