"""Links between site paths. Pure.

Pages link to each other relatively, so one build works at ``/`` and under ``/REPO/`` alike.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8192)
def page_folders(page: str) -> tuple[str, ...]:
    """Return the folders a page sits in (``/a/b/`` and ``/a/b/x.html`` both sit in a, b), remembered."""
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
    if to[:1] == "/" and "//" not in to:   # a plain site path (nearly every link): compare strings
        folder, parent = _folder(frm)
        # Inside the page's folder: the rest of the path (a target equal to the folder without
        # its last slash is the folder itself, as segments go).
        if (to if to[-1] == "/" else to + "/").startswith(folder):
            return to[len(folder):] or "./"
        # Above it: every page of the parent folder shares the way there, so it is cached there.
        return "../" + _climb(parent, to)
    if "://" in to or to.startswith(("mailto:", "#")):
        return to
    return _between(page_folders(frm), to) or "./"


@lru_cache(maxsize=8192)
def _folder(page: str) -> tuple[str, str]:
    """Return the folder a page sits in as a path, ``/a/b/`` (``/`` at the top), and its parent's."""
    src = page_folders(page)
    if not src:
        return "/", "/"   # the parent is never asked for: "/" holds every plain path
    return "/" + "/".join(src) + "/", "/" + "".join(f"{p}/" for p in src[:-1])


@lru_cache(maxsize=65536)
def _climb(folder: str, to: str) -> str:
    """Return the link (``''`` for the folder itself) from folder path ``folder`` to plain site path ``to``."""
    if (to if to[-1] == "/" else to + "/").startswith(folder):   # "/" holds every plain path
        return to[len(folder):]
    return "../" + _climb(folder[:folder.rindex("/", 0, -1) + 1], to)


@lru_cache(maxsize=65536)
def _between(src: tuple[str, ...], to: str) -> str:
    """Return the link (``''`` for the folder itself) from a page in folders ``src`` to site path ``to``.

    The reference by segments: the only way for paths that are not plain (no leading slash,
    doubled slashes), and what the string comparison above must agree with (tests/test_urls.py).
    """
    dst = _segments(to)
    common = 0
    while common < min(len(src), len(dst)) and src[common] == dst[common]:
        common += 1
    rel = "../" * (len(src) - common) + "/".join(dst[common:])
    if to.endswith("/") and dst[common:]:
        rel += "/"
    return rel


def place(frm: str, depth: int) -> tuple:
    """Return what links from page ``frm`` depend on, for targets of at most ``depth`` segments.

    Two pages with the same place get the same ``relative_url`` to every such target: a link
    climbs out of the page's folders (their number) down to the common prefix, which a target
    of ``depth`` segments shares with the first ``depth`` folders at most.
    """
    src = page_folders(frm)
    return len(src), src[:depth]


def depth(target: str) -> int:
    """Return how many segments of a page's folders a link to ``target`` can depend on."""
    if "://" in target or target.startswith(("mailto:", "#")):
        return 0
    return len(_segments(target))
