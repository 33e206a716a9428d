"""Count the instructions of one cold ``digest build``, every process included, with valgrind.

Timed builds on a shared machine move by +-10% with the host. Counted instructions of the
parent, the render workers and the two children repeat within 1% from run to run, so a change to
them can be judged on one or two runs; the read workers' sum varied by up to 14% over six runs of
the same code (a cause was not found), so judge a change to reading over several (``--runs``).
Instructions are not time: a cache miss or a page fault costs more than its instructions, so
confirm a change with ``ab.py`` when it is large enough to show there.

Each forked child is counted from its own fork (callgrind zeroes its counts where the child
starts, in ``PyOS_AfterFork_Child``); counted from the parent's start, as cachegrind does, every
child would count the parent's imports and reading again.

    python benchmarks/gen_corpus.py 2000 /dev/shm/site/content
    python benchmarks/instructions.py /dev/shm/site --python VENV/bin/python

prints the total and each process's count, largest first. Needs ``valgrind`` (Debian package);
a 2,000-article corpus takes about a minute. The site's ``site/`` and ``.digest-cache/`` are
removed first (a cold build).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def count(site: Path, python: str) -> list[int]:
    """Return the instructions of each process of one cold build of ``site``."""
    for name in ("site", ".digest-cache"):
        shutil.rmtree(site / name, ignore_errors=True)
    with tempfile.TemporaryDirectory() as out:
        command = ["valgrind", "--tool=callgrind", "--trace-children=yes",
                   "--zero-before=PyOS_AfterFork_Child", f"--callgrind-out-file={out}/cl.%p",
                   python, "-m", "digest", "build", "-q"]
        env = dict(os.environ, PYTHONHASHSEED="0")
        done = subprocess.run(command, cwd=site, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.exit(f"the build failed under valgrind:\n{done.stderr[-2000:]}")
        return sorted((_totals(path) for path in Path(out).glob("cl.*")), reverse=True)


def _totals(path: Path) -> int:
    """Return the instructions a callgrind file counts since its last zeroing (its ``totals:`` line)."""
    with open(path, errors="replace") as fh:
        for line in fh:
            if line.startswith("totals:"):
                return int(line.split()[1])
    raise SystemExit(f"{path}: no totals line")


def main(argv: list[str] | None = None) -> int:
    """Count, print and return 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path, help="a site folder holding content/")
    ap.add_argument("--python", default=sys.executable,
                    help="the Python that has digest installed (default: this one)")
    ap.add_argument("--runs", type=int, default=1, help="builds to count (to see the spread)")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    for _ in range(args.runs):
        counts = count(args.site.resolve(), args.python)
        print(f"{sum(counts) / 1e9:.3f} G instructions in {len(counts)} processes: "
              + " ".join(f"{n / 1e9:.2f}" for n in counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
