"""Compare two checkouts of digest on one build target, in interleaved pairs (A/B).

    python benchmarks/ab.py SITE_A REPO_A SITE_B REPO_B [--pairs 10] [--target edit|warm|cold]

Each checkout builds its own copy of a site (a cache belongs to one version of the code), each
build is a new process (``python -m digest build -q``, bytecode caching on, as installed), and
the two sides take turns, starting with A and B alternately, so that the machine's load falls
on both alike. ``edit`` appends a sentence to the first article (by path) of each site before
every build, ``warm`` changes nothing, ``cold`` adds ``--clean``. Both sites are put back and
built again at the end. Prints median and range of wall time, median CPU (the build and its
worker processes), the median of the per-pair ratios B/A and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SENTENCE = "\nجمله‌ای افزوده برای سنجش دوبه‌دو، شماره‌ی {n}.\n"


def build(site: Path, repo: Path, *args: str) -> tuple[float, float]:
    """Run one build; return (wall seconds, CPU seconds of it and its children)."""
    env = dict(os.environ, PYTHONPATH=str(repo.resolve()))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "digest", "build", "-q", *args], cwd=site, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"the build in {site} failed")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def main() -> int:
    """Run the pairs and print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site_a", type=Path)
    ap.add_argument("repo_a", type=Path)
    ap.add_argument("site_b", type=Path)
    ap.add_argument("repo_b", type=Path)
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--target", choices=["edit", "warm", "cold"], default="edit")
    opts = ap.parse_args()
    sides = {"A": (opts.site_a, opts.repo_a), "B": (opts.site_b, opts.repo_b)}
    firsts = {k: sorted((site / "content").rglob("*.md"))[0] for k, (site, _) in sides.items()}
    originals = {k: path.read_bytes() for k, path in firsts.items()}
    args = ("--clean",) if opts.target == "cold" else ()
    for site, repo in sides.values():
        build(site, repo)   # start from a built site with this side's cache
    runs: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
    loads = [os.getloadavg()[0]]
    try:
        for n in range(opts.pairs):
            for k in ("A", "B") if n % 2 == 0 else ("B", "A"):
                if opts.target == "edit":
                    firsts[k].write_bytes(originals[k] + SENTENCE.format(n=n).encode("utf-8"))
                runs[k].append(build(*sides[k], *args))
    finally:
        for k, (site, repo) in sides.items():
            firsts[k].write_bytes(originals[k])
            build(site, repo)
    loads.append(os.getloadavg()[0])
    for k, rows in runs.items():
        walls = [w for w, _ in rows]
        print(f"{k}: wall median {statistics.median(walls):.3f} s ({min(walls):.3f}-{max(walls):.3f}), "
              f"CPU median {statistics.median(c for _, c in rows):.3f} s")
    ratios = [b[0] / a[0] for a, b in zip(runs["A"], runs["B"])]
    print(f"B/A per pair: median {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}); "
          f"load average {loads[0]:.2f} -> {loads[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
