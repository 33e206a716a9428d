"""Links between site paths. Pure.

Pages link to each other relatively, so one build works at ``/`` and under ``/REPO/`` alike.
"""

from __future__ import annotations


def relative_url(frm: str, to: str) -> str:
    """Return the link from page ``frm`` to site path ``to``, so the site works under any base path."""
    if "://" in to or to.startswith(("mailto:", "#")):
        return to
    src = frm.strip("/").split("/")[:-1] if not frm.endswith("/") else frm.strip("/").split("/")
    src = [p for p in src if p]
    dst = [p for p in to.strip("/").split("/") if p]
    common = 0
    while common < min(len(src), len(dst)) and src[common] == dst[common]:
        common += 1
    rel = "../" * (len(src) - common) + "/".join(dst[common:])
    if to.endswith("/") and dst[common:]:
        rel += "/"
    return rel or "./"
