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
    # them while this process runs ``meanwhile``, and answers as the listing here would.
    out = run_alone(tmp_path, SCAN_SETUP.replace("ROOT_DIR", repr(str(tmp_path))) + '''
    edited = root / "content/a1.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\\nجمله‌ای تازه.\\n", encoding="utf-8")
    (root / "content/a2.md").unlink()
    (root / "content/b.md").write_text((root / "content/a0.md").read_text(encoding="utf-8")
                                       .replace("id: a0", "id: b"), encoding="utf-8")
    ran = []
    todo, gone, results = scan_aside(state, config.content_dir, settings, None, False,
                                     lambda: ran.append(True))
    here_todo, here_gone = find_changes(state, content_files(config.content_dir), None, False)
    here = [read_entry(path, rel, settings(), state.files.get(rel)) for path, rel in here_todo]
    print(ran == [True], [rel for _, rel in todo], gone)
    print((todo, gone) == (here_todo, here_gone))
    print([(e.digest, e.article, e.problems, ok) for e, ok in results]
          == [(e.digest, e.article, e.problems, ok) for e, ok in here])
    ''')
    assert out.split("\n")[:3] == ["True ['a1.md', 'b.md'] ['a2.md']", "True", "True"]


def test_more_changes_than_the_child_reads_come_back_unread(tmp_path):
    out = run_alone(tmp_path, SCAN_SETUP.replace("ROOT_DIR", repr(str(tmp_path))) + '''
    from digest.aside import MOST
    for i in range(MOST + 1):
        (root / f"content/n{i}.md").write_text((root / "content/a0.md").read_text(encoding="utf-8")
                                               .replace("id: a0", f"id: n{i}"), encoding="utf-8")
    todo, gone, results = scan_aside(state, config.content_dir, settings, None, False, lambda: None)
    print(len(todo) == MOST + 1, gone, results)
    ''')
    assert out.split() == ["True", "[]", "None"]


def test_with_another_thread_running_the_scan_is_left_to_the_caller_after_meanwhile(tmp_path):
    todo, settings = site(tmp_path)
    config = config_mod.load(tmp_path)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        ran = []
        assert scan_aside(State(), config.content_dir, settings, None, False, lambda: ran.append(True)) is None
        assert ran == [True]   # the caller need not run it again
    finally:
        stop.set()
        other.join()


def test_a_failing_scanning_child_gives_none_after_meanwhile(tmp_path):
    out = run_alone(tmp_path, SCAN_SETUP.replace("ROOT_DIR", repr(str(tmp_path))) + '''
    (root / "content/a1.md").write_text("---\\ntitle: تازه\\ndate: 1403-09-02\\n---\\nمتن\\n", encoding="utf-8")
    def broken_settings():
        raise RuntimeError("settings could not be made")
    ran = []
    print(scan_aside(state, config.content_dir, broken_settings, None, False, lambda: ran.append(True)) is None,
          ran == [True])
    ''')
    assert out.split()[-2:] == ["True", "True"]
