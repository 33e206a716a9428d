"""``digest deploy`` against real bare git repositories on disk, through the real command line."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, article, write_site

TOKEN = "ghp_s3cretTOKENvalue0123456789"


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` and return its output (failing the test on error)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@localhost"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def digest(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the command line as a user would, in ``cwd``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=120)


def snapshot(work: Path) -> tuple[str, str, str]:
    """Return what the user's checkout looks like: HEAD, status and the index file's hash."""
    index = hashlib.sha1((work / ".git" / "index").read_bytes()).hexdigest()
    return git(work, "rev-parse", "HEAD"), git(work, "status", "--porcelain", "--ignored"), index


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path]:
    """Return (working repository with a small committed site, bare remote named origin)."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    work = write_site(tmp_path / "work", {
        "digest.toml": 'title = "آزمایش"\nbase_url = "https://example.org/news/"\n',
        "content/one.md": article("خبر یک", "1403-09-01T08:00", "سیاست", id="one"),
        "content/two.md": article("خبر دو", "1403-09-02T09:00", "اقتصاد", id="two"),
        ".gitignore": "/site/\n/.digest-cache/\n",
        "notes.txt": "uncommitted work in progress\n",
    })
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "digest.toml", "content", ".gitignore")
    git(work, "commit", "-q", "-m", "site")
    git(work, "remote", "add", "origin", str(remote))
    return work, remote


def published(remote: Path, branch: str = "gh-pages") -> list[str]:
    """Return the files on the remote branch."""
    return git(remote, "ls-tree", "-r", "--name-only", branch).splitlines()


def test_first_publish_leaves_the_checkout_alone(repos):
    work, remote = repos
    before = snapshot(work)
    run = digest(work, "deploy")
    assert run.returncode == 0, run.stderr
    files = published(remote)
    assert {"index.html", ".nojekyll", "feed.xml", "sitemap.xml", "404.html",
            "1403/09/01/one/index.html"} <= set(files)
    commit = git(remote, "rev-parse", "gh-pages")
    assert run.stdout.split() == ["pushed", commit, "gh-pages"]
    assert f"pushed {commit[:12]} to gh-pages on {remote}: {len(files)} added" in run.stderr
    head, status, index = snapshot(work)
    # The only new thing is the git-ignored build cache that every build keeps.
    assert (head, status.replace("\n!! .digest-cache/", ""), index) == before
    assert not (work / "site").exists()
    assert "refs/digest" not in git(work, "for-each-ref")


def test_republishing_the_same_site_does_nothing(repos):
    work, remote = repos
    assert digest(work, "deploy").returncode == 0
    first = git(remote, "rev-parse", "gh-pages")
    again = digest(work, "deploy")
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stderr
    assert again.stdout.split() == ["unchanged", first, "gh-pages"]
    assert git(remote, "rev-parse", "gh-pages") == first


def test_a_new_article_is_a_new_commit_on_top(repos):
    work, remote = repos
    assert digest(work, "deploy").returncode == 0
    first = git(remote, "rev-parse", "gh-pages")
    (work / "content" / "three.md").write_text(article("خبر سه", "1403-09-03T07:00", "سیاست", id="three"),
                                               encoding="utf-8")
    run = digest(work, "deploy")
    assert run.returncode == 0, run.stderr
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert "1403/09/03/three/index.html" in published(remote)
    assert "0 removed" in run.stderr and "changed" in run.stderr


def test_branch_and_remote_are_configurable(repos, tmp_path):
    work, remote = repos
    other = tmp_path / "other.git"
    git(tmp_path, "init", "-q", "--bare", str(other))
    git(work, "remote", "add", "mirror", str(other))
    (work / "digest.toml").write_text('base_url = "/"\n[deploy]\nremote = "mirror"\nbranch = "site"\n',
                                      encoding="utf-8")
    run = digest(work, "deploy")
    assert run.returncode == 0, run.stderr
    assert "index.html" in published(other, "site")
    assert git(remote, "branch", "--list") == ""
    flagged = digest(work, "deploy", "--remote", "origin", "--branch", "pages")
    assert flagged.returncode == 0, flagged.stderr
    assert "index.html" in published(remote, "pages")


def test_cname_added_on_the_host_is_kept(repos, tmp_path):
    """ROBUSTNESS 34: a CNAME committed to the branch (as GitHub's settings page does) survives."""
    work, remote = repos
    assert digest(work, "deploy").returncode == 0
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "-b", "gh-pages", str(remote), str(clone))
    (clone / "CNAME").write_text("news.example.org\n")
    git(clone, "add", "CNAME")
    git(clone, "commit", "-q", "-m", "Create CNAME")
    git(clone, "push", "-q", "origin", "gh-pages")
    (work / "content" / "three.md").write_text(article("خبر سه", "1403-09-03T07:00", id="three"),
                                               encoding="utf-8")
    assert digest(work, "deploy").returncode == 0
    assert git(remote, "show", "gh-pages:CNAME") == "news.example.org"
    assert ".nojekyll" in published(remote)
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Publish 3 articles"


def test_configured_cname_is_written(repos):
    work, remote = repos
    (work / "digest.toml").write_text('[deploy]\ncname = "digest.example.net"\n', encoding="utf-8")
    assert digest(work, "deploy").returncode == 0
    assert git(remote, "show", "gh-pages:CNAME") == "digest.example.net"


def test_an_empty_build_is_not_published(repos):
    """ROBUSTNESS 34: no articles, nothing pushed."""
    work, remote = repos
    for path in (work / "content").iterdir():
        path.unlink()
    run = digest(work, "deploy")
    assert run.returncode == 1
    assert "no published articles" in run.stderr
    assert git(remote, "branch", "--list") == ""


def test_a_failed_build_is_not_published(repos):
    """ROBUSTNESS 34: a template that does not compile stops the deploy before git is touched."""
    work, remote = repos
    assert digest(work, "deploy").returncode == 0
    first = git(remote, "rev-parse", "gh-pages")
    write_site(work, {"templates/day.html": "{% extends 'base.html' %}{% block main %}{{ day.count %}"})
    (work / "content" / "three.md").write_text(article("خبر سه", "1403-09-03T07:00", id="three"),
                                               encoding="utf-8")
    run = digest(work, "deploy")
    assert run.returncode == 1
    assert "the build failed, so nothing was published" in run.stderr and "day.html" in run.stderr
    assert git(remote, "rev-parse", "gh-pages") == first


def test_an_article_with_errors_is_not_published(repos):
    work, remote = repos
    (work / "content" / "bad.md").write_text("---\ntitle: بی‌تاریخ\n---\nمتن\n", encoding="utf-8")
    run = digest(work, "deploy")
    assert run.returncode == 1
    assert "error(s), so nothing was published" in run.stderr and "bad.md" in run.stderr
    assert git(remote, "branch", "--list") == ""


def closed_port() -> int:
    """Return a loopback port that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_failed_push_exits_non_zero_without_the_token(repos):
    """ROBUSTNESS 33: fetching works, the push goes to a URL with a token and fails."""
    work, remote = repos
    url = f"http://x-access-token:{TOKEN}@127.0.0.1:{closed_port()}/owner/repo.git"
    git(work, "remote", "set-url", "--push", "origin", url)
    run = digest(work, "deploy")
    assert run.returncode == 1
    assert "git push failed" in run.stderr
    assert "http://***@127.0.0.1" in run.stderr
    assert TOKEN not in run.stdout + run.stderr
    assert git(remote, "branch", "--list") == ""


def test_an_unreachable_remote_with_a_bare_token_is_redacted(repos):
    """ROBUSTNESS 33: the ``https://token@host`` form, failing already at the first contact."""
    work, _ = repos
    url = f"http://{TOKEN}@127.0.0.1:{closed_port()}/owner/repo.git"
    for args in (("deploy", "--remote", url), ("deploy", "--remote", url, "--branch", "bad..name")):
        run = digest(work, *args)
        assert run.returncode == 1
        assert TOKEN not in run.stdout + run.stderr
        assert "error: publish:" in run.stderr


def test_a_rejected_push_exits_non_zero(repos):
    work, remote = repos
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pages are frozen today' >&2\nexit 1\n")
    hook.chmod(0o755)
    run = digest(work, "deploy")
    assert run.returncode == 1
    assert "git push failed" in run.stderr and "pages are frozen today" in run.stderr
    assert git(remote, "branch", "--list") == ""


def test_without_git_or_remote_the_message_says_what_to_do(repos, tmp_path):
    work, _ = repos
    run = digest(work, "deploy", "--remote", "upstream")
    assert run.returncode == 1 and "no git remote named 'upstream'" in run.stderr
    loose = write_site(tmp_path / "loose", {"content/a.md": article(id="a")})
    run = digest(loose, "deploy")
    assert run.returncode == 1 and "not inside a git repository" in run.stderr
