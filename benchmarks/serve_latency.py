"""Measure `digest serve` latency: from a file write to the new page on disk and to the reload event.

    python benchmarks/serve_latency.py [--articles 10000] [--edits 5] [--keep DIR]

Builds a synthetic Persian site (with ``benchmarks/gen_corpus.py`` when it is present, otherwise a
small deterministic generator below), starts ``digest serve`` as a subprocess on a free loopback
port, listens on its server-sent events endpoint like a browser would, then:

- edits one article ``--edits`` times (a different article each time),
- edits the article template ``--edits`` times,
- adds ``--edits`` new articles,

and prints, per kind, the median milliseconds from the write to (a) the changed page being on disk
with the new text and (b) the reload event arriving. Rebuilds are incremental (``Builder``); note
that adding an article changes the article count every page's footer shows, so it re-renders all.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def generate(count: int, content: Path) -> None:
    """Write ``count`` articles into ``content`` (the shared generator when available)."""
    shared = HERE / "gen_corpus.py"
    if shared.is_file():
        subprocess.run([sys.executable, str(shared), str(count), str(content)], check=True,
                       stdout=subprocess.DEVNULL)
        return
    topics = ["سیاست", "اقتصاد", "فرهنگ", "ورزش", "بین‌الملل"]
    for n in range(count):
        day = 1 + n // 40
        month, mday = 1 + (day // 30) % 12, 1 + day % 30
        topic = topics[n % len(topics)]
        folder = content / f"t{n % len(topics)}"
        folder.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(f"بند {p} از خبر شماره‌ی {n} درباره‌ی {topic}؛ متنی ساختگی برای سنجش." * 6
                           for p in range(1, 8))
        (folder / f"n{n:05}.md").write_text(
            f"---\ntitle: خبر شماره‌ی {n}\ndate: 1403-{month:02}-{mday:02}T{8 + n % 10:02}:00\n"
            f"topic: {topic}\nid: n{n:05}\n---\n{body}\n", encoding="utf-8")


RUN = str(int(time.time()))   # makes every run's markers new, also in a kept folder


def _tag(n: int) -> str:
    """Return a Latin tag for edit ``n`` of this run (digits in titles are turned into Persian ones)."""
    return "bench" + "".join(chr(ord("a") + int(d)) for d in RUN + str(n))


class Events:
    """Listen on the SSE endpoint and record when each reload event arrives."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.conn.request("GET", "/__digest__/events")
        self.resp = self.conn.getresponse()
        self.times: list[float] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        """Record the arrival time of every reload event after the greeting."""
        greeted = False
        for line in self.resp:
            if line.startswith(b"data:"):
                if greeted:
                    with self.cond:
                        self.times.append(time.perf_counter())
                        self.cond.notify_all()
                greeted = True

    def wait_after(self, start: float, timeout: float = 600) -> float:
        """Return the arrival time of the first reload event after ``start``."""
        with self.cond:
            self.cond.wait_for(lambda: any(t > start for t in self.times), timeout)
            return min(t for t in self.times if t > start)


def wait_for_text(path: Path, text: str, timeout: float = 300) -> float:
    """Poll until ``path`` contains ``text``; return when it did."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        try:
            if text.encode() in path.read_bytes():
                return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError(f"{path} never contained {text!r}")


def article_page(site: Path, source: Path) -> Path:
    """Find the output page of an article from its id (the file name)."""
    found = list(site.glob(f"*/*/*/{source.stem}/index.html"))
    if not found:
        raise FileNotFoundError(f"no page for {source}")
    return found[0]


def measure(events: Events, write, page: Path, marker: str) -> tuple[float, float]:
    """Run one write; return (ms to the page on disk, ms to the reload event)."""
    time.sleep(0.5)   # let the previous burst settle
    start = time.perf_counter()
    write()
    on_disk = wait_for_text(page, marker)
    reload = events.wait_after(start)
    return (on_disk - start) * 1000, (reload - start) * 1000


def main() -> int:
    """Run the benchmark and print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the site here and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="digest-serve-bench-"))
    root = work / "site-root"
    if not (root / "content").is_dir():
        generate(args.articles, root / "content")
    shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("static"))
    (root / "content" / "bench-new").mkdir(exist_ok=True)   # made now so it is not a change of its own
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--root", str(root), "--port", str(port)],
                            cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "serving" in line:
                break
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
        print(f"first build and start: {time.perf_counter() - started:.1f} s "
              f"({args.articles} articles)")
        events = Events(port)
        site = root / "site"
        sources = sorted((root / "content").rglob("*.md"))
        results: dict[str, list[tuple[float, float]]] = {"edit one article": [], "edit a template": [],
                                                          "add an article": []}
        for n in range(args.edits):
            source = sources[(n * 7919) % len(sources)]
            marker = f"ویرایش سنجش {_tag(n)}"
            text = source.read_text(encoding="utf-8")
            edited = re.sub(r"^title:.*$", f"title: {marker}", text, count=1, flags=re.M)
            results["edit one article"].append(measure(   # Latin runs are wrapped in <bdi>: look for the tag
                events, lambda: source.write_text(edited, encoding="utf-8"), article_page(site, source), _tag(n)))
        template = root / "templates" / "article.html"
        original = template.read_text(encoding="utf-8")
        for n in range(args.edits):
            marker = f"<!-- template-bench-{n} -->"
            results["edit a template"].append(measure(
                events, lambda: template.write_text(original.replace("{% block main %}",
                                                                     "{% block main %}" + marker, 1),
                                                    encoding="utf-8"),
                article_page(site, sources[0]), marker))
        for n in range(args.edits):
            source = root / "content" / "bench-new" / f"new-{_tag(n)}.md"
            marker = f"خبر تازه‌ی سنجش {_tag(n)}"
            text = f"---\ntitle: {marker}\ndate: 1403-09-02T10:00\ntopic: سیاست\n---\nمتن خبر تازه.\n"
            page = site / "1403" / "09" / "02" / f"new-{_tag(n)}" / "index.html"
            results["add an article"].append(measure(
                events, lambda: source.write_text(text, encoding="utf-8"), page, _tag(n)))
        print(f"\nmedians of {args.edits} changes each, {args.articles} articles "
              "(incremental rebuilds through Builder)")
        print(f"{'change':<18} {'page on disk':>14} {'reload sent':>13}")
        for kind, pairs in results.items():
            disk = statistics.median(p[0] for p in pairs)
            reload = statistics.median(p[1] for p in pairs)
            print(f"{kind:<18} {disk:>11.0f} ms {reload:>10.0f} ms")
    finally:
        proc.send_signal(2)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
