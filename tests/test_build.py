"""Whole builds of small inline sites: robustness cases 1, 10-12, 16, 19, 21-25 and the summary."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from digest.build import build
from digest.cli import main
from digest.errors import OutputError, TemplateError
from tests.conftest import ROOT, article


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under ``folder`` as {relative path: bytes}."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def page(root: Path, url: str) -> str:
    """Return a built page's HTML."""
    return (root / "site" / url.strip("/") / "index.html").read_text(encoding="utf-8")


GOOD = {
    "content/a.md": article("خبر اول", "1403-09-02T10:00", "سیاست", id="first"),
    "content/b.md": article("خبر دوم", "1403-09-03T11:00", "اقتصاد", id="second"),
}


def test_a_broken_article_does_not_stop_the_others(site_dir, capsys):
    root = site_dir({**GOOD, "content/bad.md": "---\ntitle: خبر: بد\ndate: 1403-09-02\n---\nمتن\n"})
    assert main(["build", "--root", str(root)]) == 0                  # case 1
    err = capsys.readouterr().err
    assert "error: bad.md:2: invalid YAML front matter" in err
    assert (root / "site/1403/09/02/first/index.html").exists()
    assert (root / "site/1403/09/03/second/index.html").exists()


def test_strict_fails_and_writes_nothing(site_dir, capsys):
    root = site_dir({**GOOD, "content/bad.md": "---\ntitle: a\ndate: 1404-12-30\n---\nمتن\n"})
    assert main(["build", "--root", str(root), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "bad.md:3: invalid date" in err and "Traceback" not in err
    assert not (root / "site").exists()


def test_empty_and_oversized_files_are_skipped_with_a_warning(site_dir):
    root = site_dir({**GOOD, "content/empty.md": "", "digest.toml": "max_file_kb = 1\n",
                     "content/big.md": article("بزرگ", body="متن " * 400)})
    result = build(root)                                               # case 10
    messages = {(p.path, p.level): p.message for p in result.problems}
    assert "empty file skipped" in messages[("empty.md", "warning")]
    assert "over the 1 KB limit" in messages[("big.md", "warning")]
    assert len(result.site.articles) == 2


def test_pathological_markdown_is_bounded(site_dir):
    # cmark-gfm parses this in milliseconds (markdown-it-py took over the 2 s limit); the limit
    # itself is tested in test_cache.py.
    root = site_dir({**GOOD, "content/brackets.md": article("براکت", body="[" * 400_000)})
    result = build(root)                                               # case 11
    assert not [p for p in result.problems if p.path == "brackets.md"]
    assert len(result.site.articles) == 3


def test_article_text_is_never_a_template(site_dir):
    root = site_dir({"content/t.md": article("'{{ 7*7 }}'", body="{% for x in range(3) %}{{ config }}{% endfor %}",
                                             id="tpl")})
    build(root)                                                        # case 12
    html = page(root, "/1403/09/02/tpl/")
    assert "{{ 7*7 }}" in html and "{% for x in range(3) %}" in html and "49" not in html


def test_hostile_title_is_escaped_everywhere(site_dir):
    title = '"><script>alert(1)</script>&amp'
    root = site_dir({"content/x.md": article(f"'{title}'", summary=f"'{title}'", id="x")})
    build(root)                                                        # case 16
    for html in (page(root, "/1403/09/02/x/"), page(root, "/1403/09/02/"), page(root, "/")):
        assert "<script>" not in html
        assert "&lt;script&gt;" in html or "&lt;<bdi" in html
    article_html = page(root, "/1403/09/02/x/")
    assert "<title>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp · " in article_html
    assert 'content="&#34;&gt;&lt;script&gt;' in article_html           # the description attribute


def test_same_url_is_an_error_naming_both_files(site_dir):
    root = site_dir({
        "content/a.md": article("الف", id="كتاب-نو"),
        "content/b.md": article("ب", id="کتاب‌نو"),
        "content/c.md": article("پ", id="Same"),
        "content/d.md": article("ت", id="same"),
    })
    result = build(root)                                               # case 19
    errors = [p for p in result.problems if p.level == "error"]
    assert {(p.path, "same URL" in p.message) for p in errors} == {("b.md", True), ("d.md", True)}
    assert any("a.md" in p.message for p in errors) and any("c.md" in p.message for p in errors)
    assert len(result.site.articles) == 2


def test_symlink_out_of_content_is_not_followed(site_dir, tmp_path):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "leak.md").write_text(article("نشت", id="leak"), encoding="utf-8")
    root = site_dir(GOOD)
    (root / "content" / "linked").symlink_to(outside)
    (root / "content" / "file.md").symlink_to(outside / "leak.md")
    result = build(root)                                               # case 21
    assert {a.id for a in result.site.articles} == {"first", "second"}


def test_template_error_keeps_the_previous_site(site_dir):
    root = site_dir(GOOD)
    build(root)
    before = tree(root / "site")
    (root / "content/c.md").write_text(article("سوم", "1403-09-04", id="third"), encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text('{% extends "base.html" %}\n{% block main %}\n'
                                                  "{{ article.nope.deeper }}\n{% endblock %}\n")
    with pytest.raises(TemplateError) as caught:                        # case 22
        build(root)
    assert caught.value.path.endswith("templates/article.html") and caught.value.line == 3
    assert tree(root / "site") == before


def test_disk_full_keeps_the_previous_site(site_dir):
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    root = site_dir(GOOD)
    build(root)
    before = tree(root / "site")
    (root / "content/a.md").write_text(article("خبر اول ویرایش‌شده", id="first"), encoding="utf-8")
    # Point one output file's temporary name at /dev/full: writing it fails with ENOSPC.
    staged = root / "site/1403/09/02/first/.index.html.digest-tmp"
    staged.symlink_to("/dev/full")
    with pytest.raises(OutputError, match="could not write"):
        build(root)
    assert tree(root / "site") == before
    staged.unlink(missing_ok=True)
    build(root)
    assert "ویرایش‌شده" in page(root, "/1403/09/02/first/")


def test_killed_build_leaves_previous_site_and_is_cleaned_next_run(site_dir):
    root = site_dir(GOOD)
    build(root)
    before = tree(root / "site")
    for i in range(300):
        (root / f"content/n{i}.md").write_text(article(f"خبر {i}", f"1403-09-{i % 28 + 1:02d}", id=f"n{i}"),
                                               encoding="utf-8")
    # Kill a real build process while it writes (it stops itself just before the commit).
    code = ("import os, signal, digest.write as w\n"
            "orig = w.Writer._apply\n"
            "def stop(self, moves, remove):\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"
            "w.Writer._apply = stop\n"
            "from digest.build import build\n"
            f"build(__import__('pathlib').Path({str(root)!r}))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL
    leftovers = [p for p in (root / "site").rglob("*") if p.name.endswith(".digest-tmp")]
    assert leftovers  # staged files were on disk when it died
    build(root)                                                        # recovery: rolled forward
    assert not [p for p in (root / "site").rglob("*") if p.name.endswith(".digest-tmp")]
    after = tree(root / "site")
    assert set(before) <= set(after) and "1403/09/05/n4/index.html" in after


def test_a_deleted_output_folder_or_asset_comes_back_whole(site_dir):
    root = site_dir(GOOD)
    build(root)
    before = tree(root / "site")
    assert "static/site.css" in before and any(rel.startswith("static/fonts/") for rel in before)
    for gone in (root / "site", root / "site/static/site.css", root / "site/static/fonts"):
        if gone.is_dir():
            shutil.rmtree(gone)
        else:
            gone.unlink()
        build(root)   # the cache still says every file was written; the disk says otherwise
        assert tree(root / "site") == before, gone


def test_killed_first_build_leaves_no_half_site_and_is_cleaned_next_run(site_dir):
    root = site_dir(GOOD)
    # Kill a real first build just before its new output folder is renamed into place.
    code = ("import os, signal, digest.write as w\n"
            "w.Writer._move_new = lambda self: os.kill(os.getpid(), signal.SIGKILL)\n"
            "from digest.build import build\n"
            f"build(__import__('pathlib').Path({str(root)!r}))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL
    hidden = root / ".site.digest-tmp"
    assert (hidden / "index.html").is_file() and not (root / "site").exists()
    build(root)
    assert not hidden.exists() and (root / "site/index.html").is_file()


@pytest.mark.parametrize("output, words", [
    ("/", "file-system root"), ("~", "home folder"), (".", "project folder"),
    ("content", "content folder"), ("..", "contains the project folder"),
])
def test_dangerous_output_folders_are_refused(site_dir, output, words):
    root = site_dir(GOOD)
    target = os.path.expanduser(output) if output == "~" else output
    with pytest.raises(OutputError, match=words):                      # case 23
        build(root, overrides={"output": target})


def test_output_holding_a_git_folder_is_refused(site_dir):
    root = site_dir(GOOD)
    (root / "public/.git").mkdir(parents=True)
    with pytest.raises(OutputError, match=".git"):
        build(root, overrides={"output": "public"})


def test_deleted_and_renamed_articles_leave_no_pages(site_dir):
    root = site_dir({**GOOD, "content/c.md": article("سوم", "1403-09-05T09:00", "ورزش", id="third")})
    sports = {t.name: t.slug for t in build(root).site.topics}["ورزش"]
    before = tree(root / "site")
    (root / "content/c.md").unlink()                                   # case 24
    os.rename(root / "content/b.md", root / "content/b2.md")
    text = (root / "content/b2.md").read_text(encoding="utf-8").replace("id: second", "id: second-renamed")
    (root / "content/b2.md").write_text(text, encoding="utf-8")
    result = build(root)
    after = tree(root / "site")
    gone = set(before) - set(after)
    assert gone == {"1403/09/05/third/index.html", "1403/09/05/index.html", f"topics/{sports}/index.html",
                    f"topics/{sports}/feed.xml", "1403/09/03/second/index.html"}
    assert "1403/09/03/second-renamed/index.html" in after
    assert result.stats.removed == len(gone)


def test_two_builds_are_byte_identical(site_dir, tmp_path):
    files = {**GOOD, "content/c.md": article("سوم", "1403-09-05", "ورزش")}
    one = tree(build(site_dir(files)).site and (tmp_path / "site-root" / "site"))
    other = tmp_path / "again"
    from tests.conftest import write_site
    write_site(other, files)
    build(other)
    assert tree(other / "site") == one                                 # case 25


def test_topics_spelled_differently_are_one_topic(site_dir):
    root = site_dir({
        "content/a.md": article("الف", topic="بین‌الملل", id="a"),
        "content/b.md": article("ب", topic="بين الملل", id="b"),
        "content/c.md": article("پ", topic="بینالملل", id="c"),
        "content/d.md": article("ت", topic="بیـن‌الملـل", id="d"),
    })
    site = build(root).site
    assert len(site.topics) == 1 and len(site.topics[0].articles) == 4
    assert site.topics[0].name == "بین‌الملل"


def test_drafts_are_not_published(site_dir):
    root = site_dir({**GOOD, "content/d.md": article("پیش‌نویس", id="draft", draft="yes")})
    build(root)
    assert not (root / "site/1403/09/02/draft").exists()


def test_summary_line_counts_and_exit_code(site_dir, capsys):
    root = site_dir(GOOD)
    assert main(["build", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "from 2 articles, 2 topics, 2 days" in out and "0 warnings, 0 errors" in out


def test_the_listed_suffixes_are_the_readers_suffixes():
    """content_files lists by CONTENT_SUFFIXES so that a build with nothing to do imports no reader."""
    from digest.scan import CONTENT_SUFFIXES
    from digest.readers import READERS

    assert sorted(CONTENT_SUFFIXES) == sorted(READERS)


EDIT_BUILD = """
import sys
from pathlib import Path
from digest.build import build
r = build(Path(sys.argv[1]), jobs=2)
print(len(r.rendered))
"""


@pytest.mark.parametrize("edit", ["body", "title", "topic", "new article"])
def test_an_edit_built_by_a_new_process_equals_a_clean_build(tmp_path, edit):
    files = {f"content/e{i}.md": article(f"خبر {i}", f"1403-09-{i % 4 + 1:02d}T{i:02d}:00",
                                         ["سیاست", "اقتصاد"][i % 2], id=f"e{i}", body=f"متن خبر {i}.")
             for i in range(12)}
    root = tmp_path / "incremental"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    # A new process each time, as `digest build` runs: it reads the edit in a forked child while
    # it loads the cache and assembles the last site, which the edit is then swapped into.
    subprocess.run([sys.executable, "-c", EDIT_BUILD, str(root)], cwd=ROOT, check=True, capture_output=True)
    when = "1403-09-02T05:00"
    changed = {
        "body": {"content/e5.md": article("خبر 5", when, "اقتصاد", id="e5", body="متنی دیگر.")},
        "title": {"content/e5.md": article("عنوانی نو", when, "اقتصاد", id="e5", body="متن خبر 5.")},
        "topic": {"content/e5.md": article("خبر 5", when, "ورزش", id="e5", body="متن خبر 5.")},
        "new article": {"content/e99.md": article("خبر تازه", "1403-09-03T23:00", "سیاست", id="e99")},
    }[edit]
    for rel, text in changed.items():
        (root / rel).write_text(text, encoding="utf-8")
        files[rel] = text
    out = subprocess.run([sys.executable, "-c", EDIT_BUILD, str(root)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert int(out) > 0
    clean = tmp_path / "clean"
    for rel, text in files.items():
        (clean / rel).parent.mkdir(parents=True, exist_ok=True)
        (clean / rel).write_text(text, encoding="utf-8")
    build(clean, cache=False, jobs=1)
    assert tree(root / "site") == tree(clean / "site")


def test_the_last_site_is_assembled_from_the_cache_while_edits_are_read(site_dir):
    from digest.assemble import assemble
    from digest.cache import Store, settings_key
    from digest.config import load
    from digest.scan import load_last_site

    root = site_dir(GOOD)
    build(root, jobs=1)
    config = load(root)
    store = Store(config.cache_dir)
    state = store.load_meta(settings_key(config))
    load_last_site(state, store, config)
    articles = sorted((e.article for e in state.files.values()), key=lambda a: a.path)
    assert state.site == assemble(articles, config)
    other = load(root, {"title": "نامی دیگر"})
    state = store.load_meta(settings_key(config))
    load_last_site(state, store, other)          # built with another config: nothing to swap into
    gc.unfreeze()
    assert state.site is None
