"""Shards saved by a forked child while pages render: same cache, written before the metadata."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from digest.aside import Child
from digest.cache import State
from digest.saver import FEWEST, Aside
from tests.conftest import ROOT, article, write_site


def make(root: Path, count: int) -> Path:
    """Write ``count`` articles, one day each, so that a cold build dirties many shards."""
    def one(i: int) -> str:
        """Return article ``i``, on day ``i`` of the year."""
        return article(f"گزارش روز {i}", f"1403-0{1 + i // 28}-{1 + i % 28:02d}T09:00", "جامعه",
                       id=f"s{i}", body=f"متن گزارش {i}.")
    return write_site(root, {f"content/s{i:03d}.md": one(i) for i in range(count)})


def run(code: str, *args: str) -> str:
    """Run ``code`` in a fresh interpreter (no threads, so forking is allowed) and return its output."""
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return proc.stdout


SAVE_ASIDE = """
import sys
from pathlib import Path
from digest.build import read_settings
from digest.cache import State, Store, settings_key
from digest.config import load
from digest.saver import save_aside
from digest.scan import content_files, scan_content

config = load(Path(sys.argv[1]))
state = State(key=settings_key(config))
scan_content(state, content_files(config.content_dir), lambda: read_settings(config), None, False, 1)
store = Store(config.cache_dir)
aside = save_aside(store, state)
print(aside is not None, len(state.dirty) + len(state.dirty_bodies))
aside.settle(state)
print(len(state.dirty) + len(state.dirty_bodies))
# The metadata is saved as the build saves it once the child is done; a fresh load must find
# every article in the shards the child wrote, with the body read in this process.
store.save(state)
again = Store(config.cache_dir).load_meta(state.key)
missing = Store(config.cache_dir).load_articles(again)
same = all(str(again.files[rel].article.body_html) == str(e.article.body_html)
           and again.files[rel].article.title == e.article.title for rel, e in state.files.items())
print(len(missing), same, len(again.files))
"""


def test_a_forked_child_writes_every_dirty_shard(tmp_path):
    root = make(tmp_path / "site", 30)
    lines = run(SAVE_ASIDE, str(root)).split("\n")
    forked, dirty = lines[0].split()
    assert forked == "True" and int(dirty) >= FEWEST
    assert lines[1] == "0"                      # the child wrote them all
    assert lines[2].split() == ["0", "True", "30"]


def test_a_parallel_cold_build_leaves_a_cache_the_next_build_trusts(tmp_path):
    root = make(tmp_path / "site", 30)
    code = ("import sys; from pathlib import Path; from digest.build import build\n"
            "r = build(Path(sys.argv[1]), jobs=2)\n"
            "print(r.pages)\n"
            "r = build(Path(sys.argv[1]), jobs=2)\n"
            "print(r.rendered, r.inputs)\n")
    out = run(code, str(root)).split("\n")
    assert int(out[0]) > 30
    assert out[1] == "[] []"                    # nothing read again, nothing rendered


def test_many_new_articles_after_a_cached_build_leave_a_cache_the_next_build_trusts(tmp_path):
    # More new files than a reading child takes: the cached articles stay on disk while they are
    # read, so the child saving the shards starts only after assembling (the late start).
    root = make(tmp_path / "site", 30)
    build = ("import sys; from pathlib import Path; from digest.build import build\n"
             "r = build(Path(sys.argv[1]), jobs=2)\n"
             "print(len(r.inputs), len(r.rendered))\n")
    run(build, str(root))
    for i in range(110):
        (root / f"content/n{i:03d}.md").write_text(
            article(f"گزارش تازه {i}", f"1402-0{1 + i % 9}-{1 + i % 28:02d}T09:00", "جامعه", id=f"n{i}",
                    body=f"متن تازه {i}."), encoding="utf-8")
    assert int(run(build, str(root)).split()[0]) == 110
    assert run(build, str(root)).split() == ["0", "0"]   # nothing read again, nothing rendered
    assert "متن تازه 4." in (root / "site/1402/05/05/n4/index.html").read_text(encoding="utf-8")


def test_a_child_that_failed_leaves_its_shards_dirty_for_this_process():
    state = State(dirty={1, 2}, dirty_bodies={"1403-01-01"})
    pid = os.fork()
    if pid == 0:
        os._exit(1)
    Aside(Child(pid), {1}, {"1403-01-01"}).settle(state)
    assert state.dirty == {1, 2} and state.dirty_bodies == {"1403-01-01"}


def test_a_child_that_succeeded_clears_only_what_it_was_given():
    state = State(dirty={1, 2, 3}, dirty_bodies={"1403-01-01", "1403-01-02"})
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    aside = Aside(Child(pid), {1, 2}, {"1403-01-01"})
    aside.settle(state)
    aside.settle(state)                         # a second call does not wait again
    assert state.dirty == {3} and state.dirty_bodies == {"1403-01-02"}
