"""The build cache in .digest-cache/: damaged, foreign or stale caches are never trusted."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest.build import build
from digest.cli import main
from tests.conftest import ROOT, article, write_site


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under ``folder`` as {relative path: bytes}."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def make(root: Path, count: int = 12) -> Path:
    """Write a site of ``count`` articles over a few days and topics."""
    topics = ["سیاست", "ورزش", "اقتصاد"]
    return write_site(root, {f"content/n{i}.md": article(f"خبر شماره‌ی {i}", f"1403-09-{i % 5 + 1:02d}T{i % 24:02d}:{i % 60:02d}",
                                                          topics[i % 3], id=f"n{i}", body=f"متن {i} با Unicode.")
                             for i in range(count)})


def clean_output(root: Path, elsewhere: Path) -> dict[str, bytes]:
    """Build a copy of the site's content with no cache and return its output."""
    shutil.copytree(root / "content", elsewhere / "content")
    build(elsewhere, cache=False)
    return tree(elsewhere / "site")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "foreign-version", "wrong-types"])
def test_a_damaged_state_file_is_ignored(tmp_path, damage):
    root = make(tmp_path / "s")
    first = build(root)
    state = root / ".digest-cache/state.pickle"
    data = state.read_bytes()
    if damage == "garbage":
        state.write_bytes(b"\x80\x05not a pickle at all" * 10)
    elif damage == "truncated":
        state.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        state.write_bytes(b"")
    elif damage == "foreign-version":
        loaded = pickle.loads(data)
        loaded["key"] = "some other version"
        state.write_bytes(pickle.dumps(loaded))
    else:
        loaded = pickle.loads(data)
        loaded["pages"] = {"index.html": ("fp", "not a tuple of pairs")}
        state.write_bytes(pickle.dumps(loaded))
    (root / "content/n3.md").write_text(article("ویرایش", "1403-09-04T10:03", "ورزش", id="n3"), encoding="utf-8")
    again = build(root)
    assert set(again.rendered) == set(first.rendered)  # nothing trusted: every page rendered again
    assert tree(root / "site") == clean_output(root, tmp_path / "clean")


def edit(root: Path, n: int, words: str) -> None:
    """Rewrite article ``n`` with a new body (same place in the site)."""
    (root / f"content/n{n}.md").write_text(
        article(f"خبر شماره‌ی {n}", f"1403-09-{n % 5 + 1:02d}T{n % 24:02d}:{n % 60:02d}",
                ["سیاست", "ورزش", "اقتصاد"][n % 3], id=f"n{n}", body=words), encoding="utf-8")


def test_an_edit_saves_a_small_delta_and_later_builds_use_it(tmp_path):
    root = make(tmp_path / "s")
    build(root)
    cache = root / ".digest-cache"
    whole = (cache / "state.pickle").read_bytes()
    edit(root, 3, "متن تازه‌ی یکم.")
    build(root)
    assert (cache / "state.pickle").read_bytes() == whole        # only the delta was written
    delta = pickle.loads((cache / "state-delta.pickle").read_bytes())
    assert set(delta["files"]) == {"n3.md"} and 0 < len(delta["pages"]) < 20
    assert build(root).rendered == []                            # base + delta: nothing changed
    edit(root, 4, "متن تازه‌ی دوم.")
    again = build(root)
    assert "n4/index.html" in " ".join(again.rendered) and len(again.rendered) < 20
    assert tree(root / "site") == clean_output(root, tmp_path / "clean")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign-version"])
def test_a_damaged_delta_makes_the_build_start_cold(tmp_path, damage):
    root = make(tmp_path / "s")
    first = build(root)
    edit(root, 3, "متن تازه‌ی یکم.")
    build(root)
    delta = root / ".digest-cache/state-delta.pickle"
    data = delta.read_bytes()
    if damage == "garbage":
        delta.write_bytes(b"\x80\x05not a pickle at all" * 10)
    elif damage == "truncated":
        delta.write_bytes(data[: len(data) // 2])
    else:
        loaded = pickle.loads(data)
        loaded["key"] = "some other version"
        delta.write_bytes(pickle.dumps(loaded))
    edit(root, 4, "متن تازه‌ی دوم.")
    again = build(root)
    assert set(again.rendered) == set(first.rendered)  # nothing trusted: every page rendered again
    assert tree(root / "site") == clean_output(root, tmp_path / "clean")


def test_a_delta_for_an_older_state_file_is_ignored(tmp_path):
    root = make(tmp_path / "s")
    build(root)
    edit(root, 3, "متن تازه‌ی یکم.")
    build(root)
    cache = root / ".digest-cache"
    stale = (cache / "state-delta.pickle").read_bytes()
    build(root, clean=True)                       # rewrites state.pickle whole, drops the delta
    assert not (cache / "state-delta.pickle").exists()
    (cache / "state-delta.pickle").write_bytes(stale)
    edit(root, 5, "متن تازه‌ی سوم.")
    again = build(root)
    assert len(again.rendered) < 20                 # the cache was still used
    assert tree(root / "site") == clean_output(root, tmp_path / "clean")


@pytest.mark.parametrize("damage", ["truncated", "garbage", "wrong-article"])
def test_a_damaged_article_shard_is_read_again(tmp_path, damage):
    root = make(tmp_path / "s")
    build(root)
    shards = sorted((root / ".digest-cache/articles").glob("*.pickle"))
    assert shards
    for shard in shards:
        data = shard.read_bytes()
        if damage == "truncated":
            shard.write_bytes(data[:-7])
        elif damage == "garbage":
            shard.write_bytes(os.urandom(64))
        else:  # a well-formed shard whose articles carry someone else's content hash
            loaded = pickle.loads(data)
            loaded["articles"] = {rel: ("0" * 40, art) for rel, (_, art) in loaded["articles"].items()}
            shard.write_bytes(pickle.dumps(loaded))
    (root / "content/n1.md").write_text(article("تازه", "1403-09-02T10:01", "ورزش", id="n1"), encoding="utf-8")
    result = build(root)
    assert len(result.site.articles) == 12
    assert tree(root / "site") == clean_output(root, tmp_path / "clean")


def test_clean_flag_clears_the_cache_and_renders_everything(tmp_path, capsys):
    root = make(tmp_path / "s")
    assert main(["build", "--root", str(root)]) == 0
    assert main(["build", "--root", str(root)]) == 0
    assert "(0 rendered)" in capsys.readouterr().out
    assert main(["build", "--root", str(root), "--clean"]) == 0
    out = capsys.readouterr().out
    pages = int(out.split("built ")[1].split(" pages")[0])
    assert f"({pages} rendered)" in out and "0 written" in out  # same bytes: nothing rewritten


def test_a_code_change_invalidates_the_cache(tmp_path):
    """Run a copy of digest whose code differs by one comment: it must trust nothing cached."""
    root = make(tmp_path / "s")
    build(root)
    copy = tmp_path / "pkg"
    shutil.copytree(ROOT / "digest", copy / "digest", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", copy / "templates")
    with open(copy / "digest/model.py", "a", encoding="utf-8") as fh:
        fh.write("\n# a change in the code\n")
    env = {**os.environ, "PYTHONPATH": str(copy)}  # run from tmp_path so that the copy is imported
    run = subprocess.run([sys.executable, "-m", "digest", "build", "--root", str(root)],
                         capture_output=True, text=True, env=env, check=True, cwd=tmp_path)
    pages = int(run.stdout.split("built ")[1].split(" pages")[0])
    assert f"({pages} rendered)" in run.stdout
    same = subprocess.run([sys.executable, "-m", "digest", "build", "--root", str(root)],
                          capture_output=True, text=True, env=env, check=True, cwd=tmp_path)
    assert "(0 rendered)" in same.stdout


def test_reader_settings_change_rereads_articles(tmp_path):
    root = make(tmp_path / "s")
    build(root)
    (root / "digest.toml").write_text("summary_length = 5\n", encoding="utf-8")
    result = build(root)
    assert all(len(a.summary) <= 6 for a in result.site.articles)
    shutil.copy(root / "digest.toml", tmp_path / "digest.toml")
    (tmp_path / "clean").mkdir()
    shutil.copy(root / "digest.toml", tmp_path / "clean/digest.toml")
    assert tree(root / "site") == clean_output(root, tmp_path / "clean")


def test_parallel_cold_build_equals_a_single_process_build(tmp_path):
    root = make(tmp_path / "par", count=700)
    one = make(tmp_path / "one", count=700)
    # Workers are forked only from a single-threaded process; earlier tests may have left threads
    # (servers, browsers) in this one, so the parallel build runs in a fresh interpreter.
    code = ("import sys; from pathlib import Path; from digest.build import build\n"
            "r = build(Path(sys.argv[1]), jobs=2)\n"
            "print(r.processes, r.pages, len(r.problems))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(root)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    processes, pages, problems = map(int, proc.stdout.split())
    assert problems == 0 and pages > 700
    build(one, jobs=1)
    assert processes == 2
    assert tree(root / "site") == tree(one / "site")


def test_a_page_failing_in_a_worker_leaves_the_previous_site_and_no_staged_files(tmp_path):
    root = make(tmp_path / "par", count=700)
    code = ("import sys; from pathlib import Path; from digest.build import build\n"
            "r = build(Path(sys.argv[1]), jobs=2)\n"
            "print(r.processes)\n")
    first = subprocess.run([sys.executable, "-c", code, str(root)], cwd=ROOT, capture_output=True,
                           text=True, check=True)
    assert first.stdout.split() == ["2"]
    before = tree(root / "site")
    # Every article page changes (workers stage them), and one of them fails to render.
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text(
        '{% extends "default:article.html" %}{% block main %}<p>تازه</p>'
        '{% if article.id == "n650" %}{{ no_such_value }}{% endif %}{{ super() }}{% endblock %}',
        encoding="utf-8")
    failed = subprocess.run([sys.executable, "-c", code, str(root)], cwd=ROOT, capture_output=True, text=True)
    assert failed.returncode != 0 and "no_such_value" in failed.stderr
    assert tree(root / "site") == before
    assert not list((root / ".digest-cache").rglob("write-journal.json"))


def test_time_limit_stops_a_file_that_renders_too_long():                 # case 11
    from digest.cache import time_limit

    deadline = time.monotonic() + 5
    with pytest.raises(TimeoutError):
        with time_limit(0.05):
            while time.monotonic() < deadline:  # stands in for a parser stuck on one file
                pass


def shards(root: Path) -> dict[str, object]:
    """Return every article and body shard of a site's cache, unpickled, by file name."""
    cache = root / ".digest-cache"
    return {p.relative_to(cache).as_posix(): pickle.loads(p.read_bytes())
            for folder in ("articles", "bodies") for p in sorted((cache / folder).glob("*.pickle"))}


@pytest.mark.parametrize("change", ["edit", "add", "remove", "move day", "draft"])
def test_shards_saved_after_a_change_equal_those_of_a_clean_build(tmp_path, change):
    root = make(tmp_path / "inc", count=40)
    build(root, jobs=1)
    content = root / "content"
    if change == "edit":
        (content / "n7.md").write_text(article("خبر شماره‌ی 7", "1403-09-03T07:07", "سیاست", id="n7",
                                               body="متنی تازه."), encoding="utf-8")
    elif change == "add":
        (content / "new.md").write_text(article("خبر نو", "1403-09-02T12:00", "ورزش", id="new"),
                                        encoding="utf-8")
    elif change == "remove":
        (content / "n7.md").unlink()
    elif change == "move day":
        (content / "n7.md").write_text(article("خبر شماره‌ی 7", "1403-09-05T07:07", "سیاست", id="n7",
                                               body="متن 7 با Unicode."), encoding="utf-8")
    else:
        (content / "n7.md").write_text(article("خبر شماره‌ی 7", "1403-09-03T07:07", "سیاست", id="n7",
                                               body="متن 7.", draft="true"), encoding="utf-8")
    build(root, jobs=1)   # a new Builder: the shards it saves were loaded from disk, not made here
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    build(clean, jobs=1)
    got, want = shards(root), shards(clean)
    assert {k: v for k, v in got.items() if k.startswith("articles/")} == \
        {k: v for k, v in want.items() if k.startswith("articles/")}
    # A body shard may keep the body of an article that left its day (never read: bodies are
    # found by path and content hash); every body a clean build saves must be there, the same.
    for name, shard in want.items():
        if name.startswith("bodies/"):
            assert shard["key"] == got[name]["key"]
            assert {rel: got[name]["bodies"].get(rel) for rel in shard["bodies"]} == shard["bodies"]
