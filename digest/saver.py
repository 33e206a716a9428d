"""Save the article and body shards in a forked process while this one renders: the cold build's save.

A cold build at 10,000 articles pickles about 40 MB of bodies and 64 article shards (0.3-0.4 s)
after every page is written, while the render workers' cores sit idle. Those shards depend only
on what was read, not on the pages, so a child forked once the site is assembled writes them
during rendering; the parent writes the metadata (``state.pickle``, which names the content
hashes the shards must match) only after the child finished, exactly as ``Store.save`` orders
it. If the child fails, or the build fails first, the shards it wrote hold rows keyed by content
hash that no saved metadata names yet: a later build reads those files again, as after a crash.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest.cache import State, Store

FEWEST = 16   # dirty shards (article and body) below which saving in this process is cheaper


class Aside:
    """A child process writing the shards that were dirty when it was forked."""

    def __init__(self, pid: int, dirty: set[int], dirty_bodies: set[str]):
        self.pid, self.dirty, self.dirty_bodies = pid, dirty, dirty_bodies

    def settle(self, state: State) -> None:
        """Wait for the child (once); if it wrote its shards, take them off the state's dirty sets."""
        if not self.pid:
            return
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if status == 0:
            state.dirty -= self.dirty
            state.dirty_bodies -= self.dirty_bodies


def save_aside(store: Store, state: State) -> Aside | None:
    """Fork a child that writes the dirty shards and exits; None when it is not worth it or possible."""
    if (len(state.dirty) + len(state.dirty_bodies) < FEWEST or not hasattr(os, "fork")
            or threading.active_count() > 1):   # a fork copies only the calling thread
        return None
    dirty, dirty_bodies = set(state.dirty), set(state.dirty_bodies)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            store.save_articles(state)
            code = 0
        except BaseException:  # noqa: BLE001 - reported by the exit status; the parent saves instead
            pass
        finally:
            os._exit(code)   # never return into the parent's code, nor run its cleanup
    return Aside(pid, dirty, dirty_bodies)
