"""Time digest's cold, warm and one-edit builds of a site folder; print medians and peak memory.

    python benchmarks/build_speed.py SITE [--runs 5] [--cold-runs 3] [--repo .]

SITE holds a digest.toml and a content/ folder (for example a synthetic corpus). Each build
runs as its own process (``python -m digest build``), as a user runs it. The edit target
appends a sentence to the body of the first article (by path) before each build and restores
the file at the end. CPU is user+system time of the build and its worker processes; peak memory
is the largest resident size of the build process or a worker. On a shared machine the wall
times follow the load; the load average is printed with the results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SENTENCE = "\nجمله‌ای تازه برای سنجش بازسازی شماره‌ی {n}.\n"


def run(site: Path, repo: Path, *args: str) -> tuple[float, float, int]:
    """Run one build; return (wall seconds, CPU seconds, peak resident KB)."""
    env = dict(os.environ, PYTHONPATH=str(repo.resolve()))
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # as installed: compiled modules are cached
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "digest", "build", "-q", *args], cwd=site, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"digest build {' '.join(args)} failed in {site}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def first_article(site: Path) -> Path:
    """Return the first Markdown article under content/ by path."""
    found = sorted((site / "content").rglob("*.md"))
    if not found:
        raise SystemExit(f"no .md articles under {site / 'content'}")
    return found[0]


def measure(site: Path, repo: Path, runs: int, cold_runs: int) -> dict[str, list[tuple[float, float, int]]]:
    """Run the three targets and return every run's numbers."""
    results: dict[str, list[tuple[float, float, int]]] = {"cold": [], "warm": [], "edit": []}
    for _ in range(cold_runs):
        results["cold"].append(run(site, repo, "--clean"))
    run(site, repo)
    for _ in range(runs):
        results["warm"].append(run(site, repo))
    target = first_article(site)
    original = target.read_bytes()
    try:
        for n in range(runs):
            target.write_bytes(original + SENTENCE.format(n=n).encode("utf-8"))
            results["edit"].append(run(site, repo))
    finally:
        target.write_bytes(original)
        run(site, repo)
    return results


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=5, help="warm and edit builds (default 5)")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold builds (default 3)")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="checkout whose digest package is run (default: this one)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    results = measure(args.site, args.repo, args.runs, args.cold_runs)
    print(f"{'target':<6} {'median wall':>12} {'median CPU':>11} {'peak RSS':>10}  runs (wall)")
    for name, rows in results.items():
        walls = [r[0] for r in rows]
        print(f"{name:<6} {statistics.median(walls):>10.3f} s {statistics.median(r[1] for r in rows):>9.3f} s "
              f"{max(r[2] for r in rows) / 1024:>7.0f} MB  {' '.join(f'{w:.2f}' for w in walls)}")
    print(f"load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
          "(above 1 the second core is busy: parallel cold builds are slowed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
