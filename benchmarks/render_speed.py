"""Time the render stage alone: every page of a site rendered, fingerprinted and staged in one process.

    python benchmarks/render_speed.py SITE [--repeat 5] [--profile N] [--kinds]

SITE holds a digest.toml and a content/ folder (for example a synthetic corpus). The site is
built once (with its cache, so a second run reads nothing) to get the assembled site; then the
page list is rendered ``--repeat`` times (CPU time of this process) as a clean build's render workers do (Jinja2, page
fingerprint, content hash, staging into a scratch folder that is removed afterwards), and the
best and median milliseconds per page are printed. ``--kinds`` adds the best time per page by
template; ``--profile N`` prints the N costliest functions of one more pass (cProfile).
To compare two versions of the code, run the script from each checkout in turn, interleaved.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.assemble import plan  # noqa: E402
from digest.build import Builder  # noqa: E402
from digest.config import load as load_config  # noqa: E402
from digest.parallel import render_many  # noqa: E402
from digest.render import environment  # noqa: E402
from digest.write import Writer  # noqa: E402


def one_pass(env, pages, site, config, key) -> float:
    """Render and stage ``pages`` once into a scratch folder; return the seconds taken."""
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        writer = Writer(Path(tmp) / "out", Path(tmp) / "state")
        writer.begin([p.output for p in pages])
        start = time.process_time()
        render_many(env, pages, site, config, 1, writer, key)
        seconds = time.process_time() - start
        writer.abort()
    return seconds


def main() -> None:
    """Parse arguments, build the site once, then time the render passes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--kinds", action="store_true")
    args = parser.parse_args()
    site = Builder(args.site, jobs=1).rebuild().site
    config = load_config(args.site)
    pages = plan(site, config)
    env = environment(config, None)
    key = "benchmark" + repr(config)
    one_pass(env, pages, site, config, key)    # compile the templates and fill the caches
    times = [one_pass(env, pages, site, config, key) for _ in range(args.repeat)]
    per_page = [t / len(pages) * 1000 for t in times]
    print(f"{len(pages)} pages: best {min(per_page):.4f} ms, median {statistics.median(per_page):.4f} ms"
          f" per page (of {args.repeat})")
    if args.kinds:
        by_kind: dict[str, list] = {}
        for p in pages:
            by_kind.setdefault(p.template, []).append(p)
        for name, group in sorted(by_kind.items()):
            best = min(one_pass(env, group, site, config, key) for _ in range(3))
            print(f"  {name:14} {len(group):6} pages  {best / len(group) * 1000:.4f} ms each")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        one_pass(env, pages, site, config, key)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
