"""``digest deploy``: build cleanly, then commit the site to a branch of a git remote and push it.

The user's working tree, index, HEAD and ``site/`` are never touched. The site is built into a
temporary folder; the commit is made with plumbing (a temporary index file and ``--work-tree``
pointed at that folder, ``write-tree``, ``commit-tree``) on top of the branch as the remote has
it, and pushed as ``COMMIT:refs/heads/BRANCH``. Only objects and one private, deleted-afterwards
ref are added to the repository. Git runs with prompts off, so a missing credential fails
instead of waiting for a password.

Every message passes through ``errors.redact`` (``PublishError`` does it itself), so a remote
URL carrying a token (``https://user:token@host/...``) is never printed.

    [deploy]
    remote = "origin"       a remote name or URL
    branch = "gh-pages"     the branch the site is committed to
    cname = "news.example.org"   optional custom domain, written to CNAME by the build
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from digest import __version__
from digest import config as config_mod
from digest.build import build, output_state
from digest.config import CONFIG_FILE, Config
from digest.errors import ConfigError, DigestError, PublishError, redact

BASE_REF = "refs/digest/deploy-base"
KEEP = ("CNAME", ".nojekyll")   # files the host may have added to the branch; kept if we lack them
DEFAULTS = {"remote": "origin", "branch": "gh-pages"}


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did."""

    remote: str                 # redacted
    branch: str
    commit: str                 # the new commit, or the published one when nothing changed
    status: str                 # "pushed", "unchanged" or "dry-run"
    added: int = 0
    changed: int = 0
    removed: int = 0


def deploy_settings(config: Config, remote: str | None = None, branch: str | None = None) -> dict[str, str]:
    """Return remote and branch from the arguments, else ``[deploy]``, else the defaults."""
    table = config.extra.get("deploy", {})
    problems = [f"[deploy] unknown key {k!r} (known: remote, branch, cname)"
                for k in table if k not in ("remote", "branch", "cname")]
    chosen = {}
    for key, given in (("remote", remote), ("branch", branch)):
        value = given if given is not None else table.get(key, DEFAULTS[key])
        if not isinstance(value, str) or not value.strip():
            problems.append(f"[deploy] {key}: expected a non-empty string")
        chosen[key] = str(value).strip()
    if problems:
        raise ConfigError([redact(p) for p in problems], path=config.root / CONFIG_FILE)
    return chosen


class Git:
    """Runs git in one repository with prompts off; failures become redacted PublishErrors."""

    def __init__(self, repo: Path, env: dict[str, str] | None = None):
        self.repo = repo
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}

    def run(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
        """Run ``git ARGS`` and return its standard output, stripped."""
        try:
            proc = subprocess.run(["git", "-C", str(self.repo), *args], capture_output=True, text=True,
                                  env={**self.env, **(env or {})}, stdin=subprocess.DEVNULL)
        except OSError as err:
            raise PublishError(f"could not run git: {err.strerror}",
                               hint="install git and make sure it is on PATH") from None
        if check and proc.returncode != 0:
            detail = " ".join(proc.stderr.split()) or f"exit status {proc.returncode}"
            raise PublishError(f"git {args[0]} failed: {detail}")
        return proc.stdout.strip()

    def ok(self, *args: str) -> bool:
        """Tell whether ``git ARGS`` succeeds."""
        try:
            self.run(*args)
        except PublishError:
            return False
        return True


def find_repository(root: Path) -> Git:
    """Return a Git runner for the repository holding ``root``."""
    probe = Git(root)
    if not probe.ok("rev-parse", "--git-dir"):
        raise PublishError(f"{root} is not inside a git repository",
                           hint="run 'git init' and 'git remote add origin URL', or publish with the "
                                "GitHub Actions workflow instead")
    return Git(Path(probe.run("rev-parse", "--show-toplevel") or root))


def remote_url(git: Git, remote: str) -> str:
    """Return the push URL of a remote name (a URL or path is returned as given), redacted."""
    if "/" in remote or ":" in remote:
        return redact(remote)
    try:
        return redact(git.run("remote", "get-url", "--push", remote))
    except PublishError:
        raise PublishError(f"there is no git remote named {remote!r}",
                           hint=f"add it with 'git remote add {remote} URL', or name another remote "
                                "with --remote or [deploy] remote in digest.toml") from None


def build_clean(root: Path, config: Config, out: Path, strict: bool,
                overrides: dict[str, Any] | None = None) -> int:
    """Build into ``out`` from scratch and return the article count; refuse a failed or empty build."""
    temp = dataclasses.replace(config, output=str(out))
    try:
        result = build(root, strict=strict, overrides={**(overrides or {}), "output": str(out)})
    except DigestError as err:
        raise PublishError(f"the build failed, so nothing was published: {err}") from None
    finally:
        shutil.rmtree(output_state(temp, out), ignore_errors=True)
    errors = [p for p in result.problems if p.level == "error"]
    if errors:
        raise PublishError(f"the build reported {len(errors)} error(s), so nothing was published; "
                           f"first: {errors[0]}", hint="fix them and run 'digest build' to check")
    if not result.site.articles:
        raise PublishError(f"the build has no published articles in {config.content_dir}, so nothing "
                           "was published", hint="add an article (or remove 'draft: yes') and try again")
    return len(result.site.articles)


def remote_head(git: Git, remote: str, branch: str) -> str | None:
    """Fetch the branch from the remote into a private ref and return its commit, or None if absent."""
    listing = git.run("ls-remote", "--heads", remote, f"refs/heads/{branch}")
    if not listing:
        return None
    git.run("fetch", "--no-tags", "--quiet", remote, f"+refs/heads/{branch}:{BASE_REF}")
    return git.run("rev-parse", "--verify", f"{BASE_REF}^{{commit}}")


def keep_host_files(git: Git, parent: str | None, out: Path) -> None:
    """Copy CNAME and .nojekyll from the published branch when the new build lacks them."""
    if parent is None:
        return
    for name in KEEP:
        if not (out / name).exists() and git.ok("cat-file", "-e", f"{parent}:{name}"):
            (out / name).write_text(git.run("show", f"{parent}:{name}") + "\n", encoding="utf-8")


def write_tree(git: Git, out: Path, index: Path) -> str:
    """Stage every file of ``out`` in a temporary index and return the tree id."""
    git_dir = git.run("rev-parse", "--absolute-git-dir")
    env = {"GIT_INDEX_FILE": str(index)}
    # -C into the output with --git-dir/--work-tree: the user's own index and files stay untouched.
    staged = Git(out, git.env)
    staged.run(f"--git-dir={git_dir}", f"--work-tree={out}", "-c", "core.autocrlf=false",
               "add", "--all", "--force", ".", env=env)
    return staged.run(f"--git-dir={git_dir}", "write-tree", env=env)


def identity(git: Git) -> dict[str, str]:
    """Return author variables for commit-tree when the repository has no user configured."""
    if git.ok("config", "user.name") and git.ok("config", "user.email"):
        return {}
    return {"GIT_AUTHOR_NAME": "digest", "GIT_AUTHOR_EMAIL": "digest@localhost",
            "GIT_COMMITTER_NAME": "digest", "GIT_COMMITTER_EMAIL": "digest@localhost"}


def count_changes(git: Git, parent: str | None, tree: str) -> tuple[int, int, int]:
    """Return (added, changed, removed) file counts between the parent's tree and ``tree``."""
    if parent is None:
        return len(git.run("ls-tree", "-r", "--name-only", tree).splitlines()), 0, 0
    status = [line.split("\t")[0] for line in
              git.run("diff-tree", "-r", "--no-renames", "--name-status", parent, tree).splitlines()]
    return status.count("A"), status.count("M") + status.count("T"), status.count("D")


def deploy(root: Path, *, remote: str | None = None, branch: str | None = None, strict: bool = False,
           overrides: dict[str, Any] | None = None, push: bool = True,
           say: Callable[[str], None] | None = None) -> DeployResult:
    """Build the site cleanly and publish it to BRANCH of REMOTE, doing nothing when nothing changed."""
    say = say or (lambda message: None)
    config = config_mod.load(root, overrides)
    chosen = deploy_settings(config, remote, branch)
    remote, branch = chosen["remote"], chosen["branch"]
    git = find_repository(config.root)
    if not git.ok("check-ref-format", f"refs/heads/{branch}"):
        raise PublishError(f"{branch!r} is not a valid branch name", hint="set [deploy] branch or --branch")
    shown = remote_url(git, remote)
    with tempfile.TemporaryDirectory(prefix="digest-deploy-") as tmp:
        out = Path(tmp) / "site"
        articles = build_clean(config.root, config, out, strict, overrides)
        say(f"built {articles} articles; publishing to branch {branch} of {shown}")
        try:
            parent = remote_head(git, remote, branch)
            keep_host_files(git, parent, out)
            tree = write_tree(git, out, Path(tmp) / "index")
            if parent and git.run("rev-parse", f"{parent}^{{tree}}") == tree:
                say(f"nothing changed: {branch} on {shown} already holds this site ({parent[:12]})")
                return DeployResult(shown, branch, parent, "unchanged")
            added, changed, removed = count_changes(git, parent, tree)
            commit = git.run("commit-tree", tree, *(["-p", parent] if parent else []), "-m",
                             message(git, articles), env=identity(git))
            if push:
                git.run("push", "--quiet", remote, f"{commit}:refs/heads/{branch}")
        finally:
            git.run("update-ref", "-d", BASE_REF, check=False)
    verb = "pushed" if push else "would push (dry run)"
    say(f"{verb} {commit[:12]} to {branch} on {shown}: {added} added, {changed} changed, {removed} removed")
    return DeployResult(shown, branch, commit, "pushed" if push else "dry-run", added, changed, removed)


def message(git: Git, articles: int) -> str:
    """Return the commit message, naming the source commit when there is one."""
    source = git.run("rev-parse", "--short", "HEAD", check=False)
    origin = f"from {source}" if re.fullmatch(r"[0-9a-f]{4,40}", source or "") else "from an unborn branch"
    return f"Publish {articles} articles\n\nBuilt by digest {__version__} {origin}."
