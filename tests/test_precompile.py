"""Templates compiled by a forked child while the parent assembles: the cache filled, the child reaped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.build import Builder
from digest.config import load
from digest.errors import TemplateError
from digest.outcome import BuildFailed
from digest.precompile import compile_aside
from digest.render import environment, preload
from tests.conftest import article


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


def test_the_child_fills_the_cache_and_tells_what_each_template_names(site_dir):
    root = site_dir({"content/a.md": article(id="a")})
    config = load(root)
    compiling = compile_aside(config)
    assert compiling is not None
    env = environment(config, config.cache_dir)
    pid = compiling.pid
    compiling.join(env)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)   # reaped
    assert len(_cached(root)) == 14   # the 8 page templates, base and the 5 they name
    assert set(env.references["article.html"]) == {"base.html"}
    assert {"_publish_head.html", "_masthead.html", "_footer.html"} <= set(env.references["base.html"])
    # The parent loads from the cache: every template the pages reach, none compiled again.
    before = _cached(root)
    preload(env, {"article.html", "day.html"})
    assert {"base.html", "_macros.html", "_feed_links.html"} <= set(env._by_name[1])
    assert _cached(root) == before


def test_a_cold_build_with_two_jobs_gives_the_pages_of_a_serial_one(site_dir):
    files = {f"content/{i}.md": article(f"خبر {i}", f"1403-09-{1 + i % 5:02d}T10:00", id=f"n{i}")
             for i in range(12)}
    root = site_dir(files)
    Builder(root, jobs=2).rebuild()
    assert _cached(root)
    two = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*.html")}
    Builder(root, jobs=1, clean=True).rebuild()
    one = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*.html")}
    assert two == one


def test_a_broken_template_is_still_reported_with_its_file_and_line(site_dir):
    root = site_dir({"content/a.md": article(id="a"), "templates/day.html": "{% extends 'base.html' %}\n{% if %}\n"})
    with pytest.raises(TemplateError) as caught:
        Builder(root, jobs=2).rebuild()
    assert str(caught.value.path).endswith("day.html") and caught.value.line == 2
    assert not _forks()


def test_a_build_stopped_by_its_problems_reaps_the_compiling_child(site_dir):
    root = site_dir({"content/a.md": article(id="a"), "content/bad.md": "---\ntitle: a\ndate: 1404-12-30\n---\nمتن\n"})
    with pytest.raises(BuildFailed):
        Builder(root, jobs=2).rebuild(strict=True)
    assert not _forks()
