"""Compile the page templates in a forked child while this process assembles the site.

A cold build finds no compiled templates in the cache; compiling them (about 0.08 s of CPU)
would fall in the serial part of the build, or in every render worker's first chunk. Assembling
the site keeps one core busy and leaves the other free, so a child compiles them meanwhile
into the bytecode cache, and the parent then loads them from there in a few milliseconds.
"""

from __future__ import annotations

import os
import pickle
import threading
from typing import Any

from digest.config import Config
from digest.deps import SUBJECTS


class Compiling:
    """A child compiling templates into the bytecode cache; ``join`` waits for it."""

    def __init__(self, pid: int, rfd: int):
        self.pid, self.rfd = pid, rfd

    def join(self, env: Any = None) -> None:
        """Wait for the child; give ``env`` what each template it compiled names (for ``preload``)."""
        if self.pid is None:
            return
        with os.fdopen(self.rfd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if env is None or status != 0 or not data:
            return   # the templates then compile where they are first used, as without a child
        try:
            found = pickle.loads(data)
        except Exception:  # noqa: BLE001 - anything odd: load as without a child
            return
        references = env.__dict__.setdefault("references", {})
        for name, names in found.items():
            references.setdefault(name, names)

    def settle(self, state: Any = None) -> None:
        """Wait for the child (a build that ends early has no environment to give)."""
        self.join()


def compile_aside(config: Config) -> Compiling | None:
    """Fork a child compiling the page templates into the cache; None when it cannot be done."""
    # A fork copies only the calling thread; with others running (a live preview), stay here.
    if config.cache_dir is None or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    import digest.render  # noqa: F401 - imported before the fork: the build renders with it anyway

    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child(rfd, wfd, config)
    os.close(wfd)
    return Compiling(pid, rfd)


def _child(rfd: int, wfd: int, config: Config) -> None:
    """Compile the templates, send back what each one names, and exit without any cleanup."""
    code = 1
    try:
        from digest.render import environment, preload

        os.close(rfd)
        env = environment(config, config.cache_dir)
        preload(env, set(SUBJECTS))
        with os.fdopen(wfd, "wb") as out:
            out.write(pickle.dumps(getattr(env, "references", {}), protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    except BaseException:  # noqa: BLE001 - reported by the exit status; templates compile later
        pass
    finally:
        os._exit(code)   # never return into the parent's code, nor flush its buffers twice
