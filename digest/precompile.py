"""Compile the page templates in a forked child while this process does serial work.

A cold build finds no compiled templates in the cache; compiling them (about 0.13 s of CPU)
would fall in the serial part of the build, or in every render worker's first chunk. A build
that starts with no page records forks the child first thing, while this process imports the
readers and lists the content and the second core is idle; another build that renders every
page forks it after reading, while this process assembles the site. The child compiles into the
bytecode cache, and the parent then loads the templates from there in a few milliseconds.
"""

from __future__ import annotations

from typing import Any

from digest.aside import Child, fork
from digest.config import Config


class Compiling:
    """A child compiling templates into the bytecode cache; ``join`` waits for it."""

    def __init__(self, child: Child):
        self.child = child

    def join(self, env: Any = None) -> None:
        """Wait for the child; give ``env`` what each template it compiled names (for ``preload``)."""
        succeeded, found = self.child.wait()
        if env is None or not succeeded or not found:
            return   # the templates then compile where they are first used, as without a child
        references = env.__dict__.setdefault("references", {})
        for name, names in found.items():
            references.setdefault(name, names)

    def settle(self, state: Any = None) -> None:
        """Wait for the child (a build that ends early has no environment to give)."""
        self.join()


def compile_aside(config: Config) -> Compiling | None:
    """Fork a child compiling the page templates into the cache; None when it cannot be done."""
    if config.cache_dir is None:
        return None
    # The child imports the rendering code itself: forked first thing, this process has not
    # imported it yet, and importing it here would delay both the child and this process.
    child = fork(lambda: _compile(config))
    return Compiling(child) if child is not None else None


def _compile(config: Config) -> dict[str, list[str]]:
    """Compile the templates (in the child) and return what each one names."""
    from digest.deps import SUBJECTS
    from digest.render import environment, preload

    env = environment(config, config.cache_dir)
    preload(env, set(SUBJECTS))
    return getattr(env, "references", {})
