"""Save the article and body shards in a forked process while this one renders: the cold build's save.

A cold build at 10,000 articles pickles about 40 MB of bodies and 64 article shards (0.3-0.4 s)
after every page is written, while the render workers' cores sit idle. Those shards depend only
on what was read, not on the pages, so a forked child writes them meanwhile: in a cold build
right after reading (every Article is in memory, so nothing changes the shards before rendering,
and the child takes the core that assembling leaves idle), otherwise once the site is assembled,
during rendering. The parent writes the metadata (``state.pickle``, which names the content
hashes the shards must match) only after the child finished, exactly as ``Store.save`` orders
it. If the child fails, or the build fails first, the shards it wrote hold rows keyed by content
hash that no saved metadata names yet: a later build reads those files again, as after a crash.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from digest.aside import Child, fork

if TYPE_CHECKING:
    from digest.cache import State, Store

FEWEST = 16   # dirty shards (article and body) below which saving in this process is cheaper


class Aside:
    """A child process writing the shards that were dirty when it was forked."""

    def __init__(self, child: Child, dirty: set[int], dirty_bodies: set[str]):
        self.child, self.dirty, self.dirty_bodies = child, dirty, dirty_bodies

    def settle(self, state: State) -> None:
        """Wait for the child (once); if it wrote its shards, take them off the state's dirty sets."""
        succeeded, _ = self.child.wait()
        if succeeded:
            state.dirty -= self.dirty
            state.dirty_bodies -= self.dirty_bodies


def save_aside(store: Store, state: State) -> Aside | None:
    """Fork a child that writes the dirty shards and exits; None when it is not worth it or possible."""
    if len(state.dirty) + len(state.dirty_bodies) < FEWEST:
        return None
    dirty, dirty_bodies = set(state.dirty), set(state.dirty_bodies)
    child = fork(lambda: store.save_articles(state), answer=False)   # failed: the parent saves instead
    return Aside(child, dirty, dirty_bodies) if child is not None else None
