"""``python -m digest``: what a build prints reaches a pipe whole, and the exit code is kept."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, article, write_site


def test_a_build_prints_everything_and_exits_with_zero(tmp_path):
    root = write_site(tmp_path, {f"content/m{i}.md": article(f"خبر {i}", f"1403-09-0{i + 1}T10:00", id=f"m{i}")
                                 for i in range(3)})
    proc = subprocess.run([sys.executable, "-m", "digest", "build", "--root", str(root), "--stats"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("built ") and "from 3 articles" in lines[0]
    assert len(lines) > 3 and proc.stdout.endswith("\n")   # the --stats report came after the summary
    assert (root / "site" / "index.html").is_file()


def test_a_failed_build_still_exits_with_one(tmp_path):
    root = write_site(tmp_path, {"digest.toml": "no_such_key = 1\n", "content/a.md": article()})
    proc = subprocess.run([sys.executable, "-m", "digest", "build", "--root", str(root)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "no_such_key" in proc.stderr


def test_a_strict_build_with_warnings_exits_with_one(tmp_path):
    root = write_site(tmp_path, {"content/a.md": article(), "content/notes.txt": ""})
    proc = subprocess.run([sys.executable, "-m", "digest", "build", "--strict", "--root", str(root)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1
