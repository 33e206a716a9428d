"""Links between site paths. Pure.

Pages link to each other relatively, so one build works at ``/`` and under ``/REPO/`` alike.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8192)
def _folders(page: str) -> tuple[str, ...]:
    """Return the folders a page sits in (``/a/b/`` and ``/a/b/x.html`` both sit in a, b)."""
    parts = page.strip("/").split("/")
    if not page.endswith("/"):
        parts = parts[:-1]
    return tuple(p for p in parts if p)


@lru_cache(maxsize=8192)
def _segments(target: str) -> tuple[str, ...]:
    """Return the non-empty segments of a site path."""
    return tuple(p for p in target.strip("/").split("/") if p)


def relative_url(frm: str, to: str) -> str:
    """Return the link from page ``frm`` to site path ``to``, so the site works under any base path."""
    if "://" in to or to.startswith(("mailto:", "#")):
        return to
    # Every page links to the same few dozen targets (the topic navigation) from a few hundred
    # folders, so the answer is cached per (folders, target).
    return _between(_folders(frm), to)


@lru_cache(maxsize=65536)
def _between(src: tuple[str, ...], to: str) -> str:
    """Return the link from a page in folders ``src`` to site path ``to``."""
    dst = _segments(to)
    common = 0
    while common < min(len(src), len(dst)) and src[common] == dst[common]:
        common += 1
    rel = "../" * (len(src) - common) + "/".join(dst[common:])
    if to.endswith("/") and dst[common:]:
        rel += "/"
    return rel or "./"


def place(frm: str, depth: int) -> tuple:
    """Return what links from page ``frm`` depend on, for targets of at most ``depth`` segments.

    Two pages with the same place get the same ``relative_url`` to every such target: a link
    climbs out of the page's folders (their number) down to the common prefix, which a target
    of ``depth`` segments shares with the first ``depth`` folders at most.
    """
    src = _folders(frm)
    return len(src), src[:depth]


def depth(target: str) -> int:
    """Return how many segments of a page's folders a link to ``target`` can depend on."""
    if "://" in target or target.startswith(("mailto:", "#")):
        return 0
    return len(_segments(target))
