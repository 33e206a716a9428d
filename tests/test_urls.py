"""Links between site paths: the string comparison for plain paths agrees with the segment rule."""

from __future__ import annotations

import pytest
from hypothesis import example, given, strategies as st

from digest.urls import _between, depth, page_folders, place, relative_url

# Few distinct names, so that random paths often share folders, equal each other or nest.
SEGMENT = st.sampled_from(["1403", "09", "02", "x", "xy", "topics", "page", "2", "a.html", "۱۴۰۳", "?q=1"])


@st.composite
def site_paths(draw) -> str:
    """Draw a site path: mostly plain (``/a/b/``), sometimes with doubled slashes or none in front."""
    parts = draw(st.lists(SEGMENT, max_size=5))
    path = "/".join(parts)
    lead = draw(st.sampled_from(["/", "/", "/", "", "//"]))
    trail = draw(st.sampled_from(["/", "", "//"])) if parts else ""
    path = lead + path + trail
    if len(parts) > 1 and draw(st.booleans()):   # a doubled slash somewhere
        path = path.replace("/", "//", 1)
    return path


def by_segments(frm: str, to: str) -> str:
    """The rule every link must follow: climb out of the page's folders to the common ones, then down."""
    return _between(page_folders(frm), to) or "./"


@given(site_paths(), site_paths())
@example("/1403/09/02/x/", "/1403/09/02/x")      # the page's own folder without its last slash
@example("/1403/09/02/x/", "/1403/09/02")
@example("/1403/09/", "/1403/09/02/x/")
@example("/", "/")
@example("/a.html", "/")
@example("/1403/09/02/x/", "/1403/09/02x/")      # a folder whose name starts like the page's
def test_plain_paths_link_as_the_segment_rule_says(frm, to):
    assert relative_url(frm, to) == by_segments(frm, to)


@pytest.mark.parametrize("frm, to, expected", [
    ("/1403/09/02/x/", "/1403/09/02/y/", "../y/"),
    ("/1403/09/02/x/", "/1403/09/03/y/", "../../03/y/"),
    ("/1403/09/02/x/", "/1403/09/02/x/", "./"),
    ("/1403/09/02/x/", "/1403/09/02/x", "./"),
    ("/1403/09/02/x/", "/1403/09/02", "../"),
    ("/1403/09/02/x/", "/1403/09/02x/", "../../02x/"),
    ("/1403/09/02/x/", "/", "../../../../"),
    ("/topics/a/page/2/", "/topics/a/", "../../"),
    ("/1403/09/02/", "1403//09/02/y/", "y/"),           # not plain: the segment rule
    ("/1403/", "/x?next=https://example.com/", "/x?next=https://example.com/"),
    ("/1403/", "mailto:news@example.com", "mailto:news@example.com"),
    ("/1403/", "#main", "#main"),
])
def test_links_from_deep_pages(frm, to, expected):
    assert relative_url(frm, to) == expected


def test_place_and_depth_say_what_a_link_depends_on():
    assert depth("/topics/world/") == 2 and depth("https://example.com/a/b/") == 0
    # Two article pages of one day share the way to a two-segment target.
    assert place("/1403/09/02/x/", 2) == place("/1403/09/02/y/", 2) == (4, ("1403", "09"))
