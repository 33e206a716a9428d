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
    # Every page links to the same few dozen targets, so both splits are cached.
    src, dst = _folders(frm), _segments(to)
    common = 0
    while common < min(len(src), len(dst)) and src[common] == dst[common]:
        common += 1
    rel = "../" * (len(src) - common) + "/".join(dst[common:])
    if to.endswith("/") and dst[common:]:
        rel += "/"
    return rel or "./"
