"""Listing content files: editors' temporary and hidden files are left out, whatever their suffix."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.scan import CONTENT_SUFFIXES, content_files, is_ignored

STEMS = ["a", ".a", "#a", "~a", "a~", "a___jb_tmp___", "a___jb_old___", "4913", "خبر", "a#", "a.swp", "a.tmp"]
ENDINGS = ["", ".md", ".MD", ".Md", ".markdown", ".txt", ".TXT", ".md~", ".md.swp", ".md.tmp", ".md#", ".html"]


def expected(names: list[str]) -> list[str]:
    """Return the names every reader of the rules would list: a content suffix and not ignored."""
    return sorted(n for n in names if n.lower().endswith(CONTENT_SUFFIXES) and not is_ignored(n))


@settings(max_examples=40, deadline=None)
@given(st.sets(st.tuples(st.sampled_from(STEMS), st.sampled_from(ENDINGS)), min_size=1, max_size=12))
def test_the_listing_keeps_exactly_the_content_names_that_are_not_ignored(tmp_path_factory, pairs):
    folder = tmp_path_factory.mktemp("content")
    names = sorted({stem + ending for stem, ending in pairs})
    for name in names:
        (folder / name).write_text("x", encoding="utf-8")
    assert [rel for _, rel in content_files(folder)] == expected(names)


def test_folders_are_entered_unless_ignored_even_with_a_content_suffix(tmp_path):
    for rel in ["news.md/a.md", ".git/b.md", "#drafts#/c.md", "ok/d.txt", "ok/~e.md"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    assert [rel for _, rel in content_files(tmp_path)] == ["news.md/a.md", "ok/d.txt"]


def test_a_missing_folder_lists_nothing(tmp_path: Path):
    assert content_files(tmp_path / "absent") == []
