"""Reading a few files in a forked process while the parent prepares: same results, safe fallbacks."""

from __future__ import annotations

import threading
from pathlib import Path

from digest import config as config_mod
from digest.aside import read_aside
from digest.build import read_settings
from digest.cache import read_entry
from tests.conftest import article, write_site


def site(root: Path) -> tuple[list[tuple[str, str]], object]:
    """Write three articles and return their (path, relative path) pairs and a settings maker."""
    files = {f"content/a{i}.md": article(f"خبر {i}", f"1403-09-0{i + 1}T10:00", "سیاست", id=f"a{i}",
                                         body=f"متن کتابها و خانههای شماره‌ی {i}.") for i in range(3)}
    write_site(root, files)
    config = config_mod.load(root)
    todo = [(str(root / rel), rel.removeprefix("content/")) for rel in files]
    return todo, lambda: read_settings(config)


def test_the_child_reads_what_this_process_would_and_meanwhile_runs(tmp_path):
    todo, settings = site(tmp_path)
    ran = []
    results = read_aside(todo, settings, {}, lambda: ran.append(True))
    assert ran == [True]
    here = [read_entry(path, rel, settings(), None) for path, rel in todo]
    assert results is not None
    assert [(e.digest, e.article, e.problems, e.shape, ok) for e, ok in results] == \
           [(e.digest, e.article, e.problems, e.shape, ok) for e, ok in here]
    assert "\u200c" in results[0][0].article.body_html   # normalized in the child (ZWNJs restored)


def test_a_failing_child_gives_none_so_the_caller_reads_itself(tmp_path):
    todo, _ = site(tmp_path)

    def broken_settings():
        raise RuntimeError("settings could not be made")

    ran = []
    assert read_aside(todo, broken_settings, {}, lambda: ran.append(True)) is None
    assert ran == [True]


def test_with_another_thread_running_nothing_is_forked(tmp_path):
    todo, settings = site(tmp_path)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        ran = []
        assert read_aside(todo, settings, {}, lambda: ran.append(True)) is None
        assert ran == []
    finally:
        stop.set()
        other.join()
