"""Templates compiled by a forked child while the parent assembles: the cache filled, the child reaped."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from digest.build import Builder
from tests.conftest import ROOT, article


def _cached(root):
    """Return the compiled templates in the site's bytecode cache."""
    folder = root / ".digest-cache" / "jinja"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _forks() -> list[str]:
    """Return this process's forked children (its own program name), running or not waited for (Linux /proc)."""
    me = str(os.getpid())
    name = Path(f"/proc/{me}/comm").read_text()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            ppid = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
            if ppid == me and (proc / "comm").read_text() == name:
                found.append(proc.name)
        except OSError:   # gone meanwhile
            continue
    return found


def run_alone(root: Path, body: str) -> str:
    """Run ``body`` on the site in ``root`` in a fresh interpreter (no threads, so forking is allowed)."""
    script = textwrap.dedent('''
        import os, threading
        from pathlib import Path
        from tests.test_precompile import _cached, _forks
        assert threading.active_count() == 1
        root = Path(ROOT_DIR)
    ''').replace("ROOT_DIR", repr(str(root))) + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_child_fills_the_cache_and_tells_what_each_template_names(site_dir):
    root = site_dir({"content/a.md": article(id="a")})
    out = run_alone(root, '''
        from digest.config import load
        from digest.precompile import compile_aside
        from digest.render import environment, preload
        config = load(root)
        compiling = compile_aside(config)
        assert compiling is not None
        env = environment(config, config.cache_dir)
        pid = compiling.child.pid
        compiling.join(env)
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            print("reaped")
        print(len(_cached(root)))   # the 8 page templates, base and the 5 they name
        print(sorted(env.references["article.html"]))
        print(sorted(env.references["base.html"]))
        # The parent loads from the cache: every template the pages reach, none compiled again.
        before = _cached(root)
        preload(env, {"article.html", "day.html"})
        print(sorted(env._by_name[1]))
        print(_cached(root) == before)
    ''')
    reaped, count, article_refs, base_refs, loaded, unchanged = out.splitlines()
    assert reaped == "reaped" and count == "14" and article_refs == "['base.html']"
    assert all(name in base_refs for name in ("_publish_head.html", "_masthead.html", "_footer.html"))
    assert all(name in loaded for name in ("base.html", "_macros.html", "_feed_links.html"))
    assert unchanged == "True"


def test_a_cold_build_with_two_jobs_gives_the_pages_of_a_serial_one(site_dir):
    files = {f"content/{i}.md": article(f"خبر {i}", f"1403-09-{1 + i % 5:02d}T10:00", id=f"n{i}")
             for i in range(12)}
    root = site_dir(files)
    out = run_alone(root, '''
        from digest.build import Builder
        Builder(root, jobs=2).rebuild()
        print(len(_cached(root)))
    ''')
    assert int(out) > 0   # the templates went through the bytecode cache
    two = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*.html")}
    Builder(root, jobs=1, clean=True).rebuild()
    one = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*.html")}
    assert two == one


def test_a_broken_template_is_still_reported_with_its_file_and_line(site_dir):
    root = site_dir({"content/a.md": article(id="a"), "templates/day.html": "{% extends 'base.html' %}\n{% if %}\n"})
    out = run_alone(root, '''
        from digest.build import Builder
        from digest.errors import TemplateError
        try:
            Builder(root, jobs=2).rebuild()
        except TemplateError as err:
            print(str(err.path).endswith("day.html"), err.line, _forks())
    ''')
    assert out.split() == ["True", "2", "[]"]


def test_a_build_stopped_by_its_problems_reaps_the_compiling_child(site_dir):
    root = site_dir({"content/a.md": article(id="a"), "content/bad.md": "---\ntitle: a\ndate: 1404-12-30\n---\nمتن\n"})
    out = run_alone(root, '''
        from digest.build import Builder
        from digest.outcome import BuildFailed
        try:
            Builder(root, jobs=2).rebuild(strict=True)
        except BuildFailed:
            print("failed", _forks())
    ''')
    assert out.split() == ["failed", "[]"]


def test_the_child_imports_the_rendering_code_itself(site_dir):
    # A first build forks the child before it has imported Jinja2 and the rendering code (they
    # would delay the readers): the child must fill the cache and name the templates all the same.
    root = site_dir({"content/a.md": article(id="a")})
    out = run_alone(root, '''
        import sys
        assert "jinja2" not in sys.modules and "digest.render" not in sys.modules
        from digest.config import load
        from digest.precompile import compile_aside
        config = load(root)
        compiling = compile_aside(config)
        print("digest.render" in sys.modules, "jinja2" in sys.modules)
        from digest.render import environment
        env = environment(config, config.cache_dir)
        compiling.join(env)
        print(len(_cached(root)), sorted(env.references["article.html"]))
    ''')
    assert out.splitlines() == ["False False", "14 ['base.html']"]
