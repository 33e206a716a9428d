"""Reading a few files (or listing, stat-ing and reading) in a forked process while the parent
prepares: same results, safe fallbacks.

A fork is taken only when no other thread runs, and the test session has threads (servers,
the browser), so the forking cases run in a fresh Python process of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from digest import config as config_mod
from digest.aside import read_aside, scan_aside
from digest.build import read_settings
from digest.cache import State
from tests.conftest import ROOT, article, write_site


def site(root: Path) -> tuple[list[tuple[str, str]], object]:
    """Write three articles and return their (path, relative path) pairs and a settings maker."""
    files = {f"content/a{i}.md": article(f"خبر {i}", f"1403-09-0{i + 1}T10:00", "سیاست", id=f"a{i}",
                                         body=f"متن کتابها و خانههای شماره‌ی {i}.") for i in range(3)}
    write_site(root, files)
    config = config_mod.load(root)
    todo = [(str(root / rel), rel.removeprefix("content/")) for rel in files]
    return todo, lambda: read_settings(config)


def run_alone(root: Path, body: str) -> str:
    """Run ``body`` (with ``todo`` and ``settings`` for the site in ``root``) in a fresh process."""
    script = textwrap.dedent('''
        import threading
        from pathlib import Path
        from digest.aside import read_aside
        from digest.cache import read_entry
        from tests.test_aside import site
        assert threading.active_count() == 1
        todo, settings = site(Path(ROOT_DIR))
    ''').replace("ROOT_DIR", repr(str(root))) + textwrap.dedent(body)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_child_reads_what_this_process_would_and_meanwhile_runs(tmp_path):
    out = run_alone(tmp_path, '''
        ran = []
        results = read_aside(todo, settings, {}, lambda: ran.append(True))
        here = [read_entry(path, rel, settings(), None) for path, rel in todo]
        print(ran == [True], results is not None)
        print([(e.digest, e.article, e.problems, e.shape, ok) for e, ok in results]
              == [(e.digest, e.article, e.problems, e.shape, ok) for e, ok in here])
        print("\\u200c" in results[0][0].article.body_html)   # normalized in the child
    ''')
    assert out.split() == ["True", "True", "True", "True"]


def test_a_failing_child_gives_none_so_the_caller_reads_itself(tmp_path):
    out = run_alone(tmp_path, '''
        def broken_settings():
            raise RuntimeError("settings could not be made")
        ran = []
        print(read_aside(todo, broken_settings, {}, lambda: ran.append(True)) is None, ran == [True])
    ''')
    assert out.split() == ["True", "True"]


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


def test_an_edit_built_by_a_fresh_process_equals_a_clean_build(tmp_path):
    root = tmp_path / "s"
    site(root)
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def cli_build(where: Path) -> None:
        """Run ``digest build`` in its own process (no threads: the fork is taken)."""
        subprocess.run([sys.executable, "-m", "digest", "build", "-q", "--root", str(where)],
                       check=True, env=env, cwd=tmp_path, timeout=120)

    cli_build(root)
    (root / "content/a1.md").write_text(article("خبر ۱", "1403-09-02T10:00", "سیاست", id="a1",
                                                body="متن تازه با کتابها."), encoding="utf-8")
    cli_build(root)
    clean = tmp_path / "clean"
    write_site(clean, {f"content/{p.name}": p.read_bytes() for p in (root / "content").iterdir()})
    cli_build(clean)

    def tree(folder: Path) -> dict[str, bytes]:
        """Return every file under ``folder``."""
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    assert "کتاب\u200cها" in (root / "site/1403/09/02/a1/index.html").read_text(encoding="utf-8")
    assert tree(root / "site") == tree(clean / "site")


SCAN_SETUP = '''
    import os
    from digest.aside import scan_aside
    from digest.build import Builder
    from digest.cache import Store, settings_key
    from digest.config import load
    from digest.scan import content_files, find_changes
    root = Path(ROOT_DIR)
    Builder(root, jobs=1).rebuild()
    config = load(root)
    state = Store(config.cache_dir).load_meta(settings_key(config))
    assert state is not None and len(state.files) == 3
'''


def test_the_scanning_child_finds_and_reads_what_a_scan_here_would(tmp_path):
    # After a build: one article edited, one deleted, one added. The child lists, stats and reads
    # them while this process prepares and loads, and answers as the listing here would.
    out = run_alone(tmp_path, SCAN_SETUP.replace("ROOT_DIR", repr(str(tmp_path))) + '''
    edited = root / "content/a1.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\\nجمله‌ای تازه.\\n", encoding="utf-8")
    (root / "content/a2.md").unlink()
    (root / "content/b.md").write_text((root / "content/a0.md").read_text(encoding="utf-8")
                                       .replace("id: a0", "id: b"), encoding="utf-8")
    ran = []
    todo, gone, results, there = scan_aside(state, config.content_dir, settings, None, False,
                                            [lambda: ran.append("prepare")], lambda: ran.append("meanwhile"),
                                            config.output_dir)
    here_todo, here_gone = find_changes(state, content_files(config.content_dir), None, False)
    here = [read_entry(path, rel, settings(), state.files.get(rel)) for path, rel in here_todo]
    print(ran[-1:] == ["meanwhile"], [rel for _, rel in todo], gone, there)   # (prepared unless the child was quicker)
    print((todo, gone) == (here_todo, here_gone))
    print([(e.digest, e.article, e.problems, ok) for e, ok in results]
          == [(e.digest, e.article, e.problems, ok) for e, ok in here])
    ''')
    assert out.split("\n")[:3] == ["True ['a1.md', 'b.md'] ['a2.md'] None", "True", "True"]


def test_with_nothing_changed_the_child_checks_the_pages_and_the_preparation_stops(tmp_path):
    # A build with nothing to do learns it from the child, loads no article meanwhile, and has
    # the child check that every page's file is still in the output folder.
    out = run_alone(tmp_path, SCAN_SETUP.replace("ROOT_DIR", repr(str(tmp_path))) + '''
    import time
    ran = []
    steps = [lambda: (time.sleep(0.2), ran.append("prepare"))] * 10   # the child lists in far less
    meanwhile = lambda: ran.append("meanwhile")
    print(scan_aside(state, config.content_dir, settings, None, False, steps, meanwhile, config.output_dir),
          0 < len(ran) < 10, "meanwhile" in ran)
    print(scan_aside(state, config.content_dir, settings, None, False, [], meanwhile, None).pages_there)
    (config.output_dir / "1403/09/02/a1/index.html").unlink()   # removed by hand
    print(scan_aside(state, config.content_dir, settings, None, False, [], meanwhile, config.output_dir).pages_there)
    ''')
    assert out.split("\n")[:3] == ["Scanned(todo=[], gone=[], results=None, pages_there=True) True False",
                                   "None", "False"]


def test_more_changes_than_the_child_reads_come_back_unread(tmp_path):
    out = run_alone(tmp_path, SCAN_SETUP.replace("ROOT_DIR", repr(str(tmp_path))) + '''
    from digest.aside import MOST
    for i in range(MOST + 1):
        (root / f"content/n{i}.md").write_text((root / "content/a0.md").read_text(encoding="utf-8")
                                               .replace("id: a0", f"id: n{i}"), encoding="utf-8")
    ran = []
    todo, gone, results, there = scan_aside(state, config.content_dir, settings, None, False,
                                            [], lambda: ran.append(True), config.output_dir)
    print(len(todo) == MOST + 1, gone, results, there, ran)   # the caller's read workers read them
    ''')
    assert out.split() == ["True", "[]", "None", "None", "[]"]


def test_with_another_thread_running_nothing_is_forked_nor_run(tmp_path):
    todo, settings = site(tmp_path)
    config = config_mod.load(tmp_path)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        ran = []
        assert scan_aside(State(), config.content_dir, settings, None, False,
                          [lambda: ran.append(True)], lambda: ran.append(True)) is None
        assert ran == []
    finally:
        stop.set()
        other.join()


def test_a_failing_scanning_child_gives_none(tmp_path):
    out = run_alone(tmp_path, SCAN_SETUP.replace("ROOT_DIR", repr(str(tmp_path))) + '''
    (root / "content/a1.md").write_text("---\\ntitle: تازه\\ndate: 1403-09-02\\n---\\nمتن\\n", encoding="utf-8")
    def broken_settings():
        raise RuntimeError("settings could not be made")
    print(scan_aside(state, config.content_dir, broken_settings, None, False, [], lambda: None))
    ''')
    assert out.split()[-1] == "None"


def test_a_fresh_process_with_nothing_changed_writes_nothing_but_puts_back_a_removed_page(tmp_path):
    site(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def cli_build() -> str:
        """Run ``digest build`` in its own process (no threads: the child scanning is forked)."""
        return subprocess.run([sys.executable, "-m", "digest", "build", "--root", str(tmp_path)], check=True,
                              env=env, cwd=tmp_path, timeout=120, capture_output=True, text=True).stdout

    cli_build()
    page = tmp_path / "site/1403/09/02/a1/index.html"
    before = page.read_bytes()
    assert "(0 rendered)" in cli_build()   # nothing changed: nothing rendered or written
    page.unlink()
    assert "(0 rendered)" not in cli_build()
    assert page.read_bytes() == before
