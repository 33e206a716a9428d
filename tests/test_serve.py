"""`digest serve` end to end: real builds, a real server on a free loopback port, real editor saves,
the real headless browser, and a property test against clean builds."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from digest.build import build
from digest.errors import ServeError
from digest.serve import Preview, full_rebuild
from digest.serve_http import EVENTS_PATH

from conftest import ROOT, article, write_site

PAGE_A = "site/1403/09/02/a/index.html"


@dataclass
class Running:
    """A preview running on a background thread, with what it said."""

    preview: Preview
    root: Path
    lines: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        """Return the port it listens on."""
        return self.preview.server.server_address[1]

    def get(self, path: str) -> tuple[int, str]:
        """GET a path; return status and text."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read().decode("utf-8")
        conn.close()
        return resp.status, body

    def wait_rebuilds(self, count: int, timeout: float = 30) -> None:
        """Wait until ``count`` rebuilds (the first build included) have finished."""
        wait_until(lambda: self.preview.rebuilds >= count, timeout)

    def settle(self, quiet: float = 1.0, timeout: float = 60) -> None:
        """Wait until nothing has been pending or building for ``quiet`` seconds."""
        since = time.monotonic()
        end = since + timeout
        while time.monotonic() < end:
            if not self.preview.idle():
                since = time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.05)
        raise AssertionError("the preview never settled")


def wait_until(check: Callable[[], bool], timeout: float = 30) -> None:
    """Poll ``check`` until it is true, failing after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def small_site(root: Path) -> Path:
    """Write a three-article site into ``root``."""
    return write_site(root, {
        "digest.toml": 'title = "پیش‌نمایش"\n',
        "content/a.md": article("خبر نخست", body="متن نخست."),
        "content/b.md": article("خبر دوم", date="1403-09-03T09:00", topic="اقتصاد"),
        "content/c.md": article("خبر سوم", date="1403-09-03T11:30"),
    })


@pytest.fixture
def serve():
    """Start previews on free loopback ports in background threads; stop them after the test."""
    started: list[tuple[Running, threading.Event, threading.Thread]] = []

    def start(root: Path, **options) -> Running:
        running = Running(None, root)   # type: ignore[arg-type]
        running.preview = Preview(root, port=0, say=running.lines.append, **options)
        running.preview.start()
        stop = threading.Event()
        thread = threading.Thread(target=running.preview.run, args=(stop,), daemon=True)
        thread.start()
        started.append((running, stop, thread))
        return running

    yield start
    for _, stop, thread in started:
        stop.set()
        thread.join(timeout=10)


def test_an_edit_is_written_before_pages_are_told_to_reload(serve, tmp_path):
    run = serve(small_site(tmp_path / "s"))
    conn = http.client.HTTPConnection("127.0.0.1", run.port, timeout=30)
    conn.request("GET", EVENTS_PATH)
    events = conn.getresponse()
    assert events.readline() == b"retry: 1000\n"
    [events.readline() for _ in range(3)]                      # the greeting with the generation
    (run.root / "content/a.md").write_text(article("خبر بازنوشته"), encoding="utf-8")
    assert events.readline() == b"event: reload\n"
    # at the moment of the event the whole rebuild is already on disk
    assert "خبر بازنوشته" in (run.root / PAGE_A).read_text(encoding="utf-8")
    assert "خبر بازنوشته" in run.get("/1403/09/02/a/")[1]
    conn.close()
    assert any(re.search(r"changed: content/a\.md -> \d+ pages rendered, \d+ written in \d+ ms", line)
               for line in run.lines), run.lines


def watch_page(path: Path, stop: threading.Event, gaps: list[str]) -> None:
    """Record whenever ``path`` is missing until ``stop`` is set."""
    while not stop.is_set():
        if not path.exists():
            gaps.append("missing")
        time.sleep(0.002)


def edit_and_watch(run: Running, edit: Callable[[Path], None]) -> list[str]:
    """Apply an editor's save to content/a.md while watching that its page never disappears."""
    before = run.preview.rebuilds
    stop, gaps = threading.Event(), []
    watcher = threading.Thread(target=watch_page, args=(run.root / PAGE_A, stop, gaps))
    watcher.start()
    edit(run.root / "content" / "a.md")
    run.settle()
    stop.set()
    watcher.join()
    assert run.preview.rebuilds == before + 1, run.lines
    return gaps


def vim_save(path: Path, pause: float = 0.0) -> None:
    """Save like vim with backupcopy=no: probe 4913, move the original away, write anew."""
    folder = path.parent
    (folder / "4913").write_bytes(b"")
    (folder / "4913").unlink()
    (folder / f".{path.name}.swp").write_bytes(b"vim swap")
    os.rename(path, folder / f"{path.name}~")
    time.sleep(pause)
    path.write_text(article("ویرایش با ویم"), encoding="utf-8")
    (folder / f"{path.name}~").unlink()
    (folder / f".{path.name}.swp").unlink()


def emacs_save(path: Path) -> None:
    """Save like emacs: lock link, autosave file, backup by rename, new file, cleanup."""
    folder = path.parent
    os.symlink("editor@host.4242:1700000000", folder / f".#{path.name}")
    (folder / f"#{path.name}#").write_text("autosave", encoding="utf-8")
    os.rename(path, folder / f"{path.name}~")
    path.write_text(article("ویرایش با ایمکس"), encoding="utf-8")
    (folder / f"#{path.name}#").unlink()
    (folder / f".#{path.name}").unlink()


def atomic_save(path: Path) -> None:
    """Save like VS Code and many tools: write a temporary file and os.replace it."""
    tmp = path.with_name(f".{path.name}.tmp-1234")
    tmp.write_text(article("ذخیره‌ی اتمی"), encoding="utf-8")
    os.replace(tmp, path)


def slow_save(path: Path) -> None:
    """Save by truncating to 0 bytes and writing in chunks with pauses."""
    text = article("نوشتن آهسته", body="بند یکم. " * 200).encode("utf-8")
    with open(path, "wb") as fh:
        fh.flush()
        time.sleep(0.5)
        for start in range(0, len(text), 1024):
            fh.write(text[start:start + 1024])
            fh.flush()
            time.sleep(0.05)


@pytest.mark.parametrize("save, title", [(vim_save, "ویرایش با ویم"),
                                         (lambda p: vim_save(p, pause=0.3), "ویرایش با ویم"),
                                         (emacs_save, "ویرایش با ایمکس"),
                                         (atomic_save, "ذخیره‌ی اتمی"),
                                         (slow_save, "نوشتن آهسته")],
                         ids=["vim", "vim-slow", "emacs", "atomic", "slow-write"])
def test_editor_saves_are_one_rebuild_and_the_page_never_vanishes(serve, tmp_path, save, title):
    run = serve(small_site(tmp_path / "s"))
    gaps = edit_and_watch(run, save)
    assert gaps == []
    assert title in (run.root / PAGE_A).read_text(encoding="utf-8")
    leftovers = [p.name for p in (run.root / "site").rglob("*") if "4913" in p.name or p.name.endswith("~")]
    assert leftovers == []


def test_copying_200_articles_is_one_rebuild(serve, tmp_path):
    run = serve(small_site(tmp_path / "s"))
    incoming = tmp_path / "incoming"
    write_site(incoming, {f"n{n:03}.md": article(f"خبر {n}", id=f"n{n:03}") for n in range(200)})
    before = run.preview.rebuilds
    shutil.copytree(incoming, run.root / "content" / "incoming")
    run.settle()
    assert run.preview.rebuilds == before + 1
    assert len(list((run.root / "site/1403/09/02").glob("n*/index.html"))) == 200


def test_folders_moved_in_and_out_add_and_remove_their_pages(serve, tmp_path):
    run = serve(small_site(tmp_path / "s"))
    batch = write_site(tmp_path / "batch", {"x.md": article("خبر پوشه", id="moved")})
    os.rename(batch, run.root / "content" / "batch")
    run.settle()
    assert (run.root / "site/1403/09/02/moved/index.html").is_file()
    os.rename(run.root / "content" / "batch", batch)
    run.settle()
    assert not (run.root / "site/1403/09/02/moved").exists()


def test_content_reached_through_a_symlink_is_watched(serve, tmp_path):
    real = write_site(tmp_path / "real-content", {"a.md": article("خبر پیوندی")})
    root = write_site(tmp_path / "s", {"digest.toml": 'title = "پیوند"\n'})
    os.symlink(real, root / "content")
    run = serve(root)
    (real / "a.md").write_text(article("خبر پیوندی تازه"), encoding="utf-8")
    run.settle()
    assert "خبر پیوندی تازه" in (root / PAGE_A).read_text(encoding="utf-8")
    assert any("symlink" in line for line in run.lines)


def test_a_broken_article_keeps_the_last_good_site_and_shows_the_error(serve, tmp_path):
    run = serve(small_site(tmp_path / "s"))
    good = run.get("/1403/09/02/a/")[1]
    (run.root / "content/a.md").write_text("---\ntitle: [شکسته\ndate: 1403-09-02\n---\nمتن\n", encoding="utf-8")
    run.settle()
    status, page = run.get("/1403/09/02/a/")
    assert status == 200 and "خبر نخست" in page, run.lines   # still the last good page
    assert 'id="digest-error"' in page, run.lines
    assert "content/a.md" in page and "ساختن سایت شکست خورد" in page
    assert 'id="digest-error"' in run.get("/")[1]               # on every page
    assert any("content/a.md:" in line for line in run.lines)
    (run.root / "content/a.md").write_text(article("خبر درست‌شده"), encoding="utf-8")
    run.settle()
    page = run.get("/1403/09/02/a/")[1]
    assert "digest-error" not in page and "خبر درست‌شده" in page and page != good


def test_a_request_during_a_rebuild_waits_for_all_of_it(serve, tmp_path):
    root = small_site(tmp_path / "s")
    entered, release = threading.Event(), threading.Event()
    whole = full_rebuild(root.resolve())

    def gated(changed):
        """Build everything, but only once the test lets the rebuild go on."""
        if changed:
            entered.set()
            release.wait(30)
        return whole(changed)

    run = serve(root, rebuild=gated)
    (root / "content/a.md").write_text(article("پس از بازسازی"), encoding="utf-8")
    assert entered.wait(10)
    answers: list[str] = []
    asker = threading.Thread(target=lambda: answers.append(run.get("/1403/09/02/a/")[1]))
    asker.start()
    asker.join(0.5)
    assert answers == []
    release.set()
    asker.join(30)
    assert "پس از بازسازی" in answers[0]


def test_a_busy_port_is_a_clear_error(tmp_path):
    root = small_site(tmp_path / "s")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} .*already in use"):
            Preview(root, port=port).start()


def test_a_non_loopback_host_is_announced_with_a_warning(tmp_path):
    root = small_site(tmp_path / "s")
    said: list[str] = []
    with socket.socket() as taken:   # the port is taken, so nothing ever listens beyond loopback
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ServeError):
            Preview(root, host="0.0.0.0", port=taken.getsockname()[1], say=said.append).start()
    assert said and "not on loopback" in said[0] and "0.0.0.0" in said[0]


def test_a_normal_build_has_no_live_reload_script(tmp_path):
    root = small_site(tmp_path / "s")
    build(root)
    for page in (root / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "__digest__" not in text and "EventSource" not in text and "digest-error" not in text


def test_the_command_serves_on_loopback_and_stops_on_ctrl_c(tmp_path):
    root = small_site(tmp_path / "s")
    proc = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--root", str(root), "--port", "0"],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in proc.stderr:
            match = re.search(r"at (http://127\.0\.0\.1:(\d+)/)", line)
            if match:
                url, port = match.group(1), int(match.group(2))
                break
        assert url, "no URL printed"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/")
        body = conn.getresponse().read().decode("utf-8")
        assert EVENTS_PATH in body and "خبر" in body
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_command_names_a_busy_port(tmp_path):
    root = small_site(tmp_path / "s")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "digest", "serve", "--root", str(root), "--port", str(port)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and f"port {port}" in done.stderr and "--port 0" in done.stderr


def test_the_browser_reloads_after_an_edit_and_shows_then_clears_the_overlay(serve, tmp_path, browser):
    run = serve(small_site(tmp_path / "s"))
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{run.port}/1403/09/02/a/")
        page.wait_for_load_state("load")
        with page.expect_navigation(timeout=30000):
            (run.root / "content/a.md").write_text(article("تیتر تازه در مرورگر"), encoding="utf-8")
        assert "تیتر تازه در مرورگر" in page.content()
        with page.expect_navigation(timeout=30000):
            (run.root / "content/a.md").write_text("---\ntitle: [نیمه\n---\n", encoding="utf-8")
        banner = page.locator("#digest-error")
        banner.wait_for(state="visible", timeout=10000)
        assert "content/a.md" in banner.inner_text() and "ساختن سایت شکست خورد" in banner.inner_text()
        assert banner.evaluate("e => getComputedStyle(e).direction") == "rtl"
        assert "تیتر تازه در مرورگر" in page.content()          # the last good page under the overlay
        with page.expect_navigation(timeout=30000):
            (run.root / "content/a.md").write_text(article("تیتر درست"), encoding="utf-8")
        assert page.locator("#digest-error").count() == 0
        assert "تیتر درست" in page.content()
    finally:
        page.close()


TITLES = st.sampled_from(["خبر یک", "خبر دو", "گزارش", "تحلیل روز"])
OPS = st.lists(st.tuples(st.sampled_from(["create", "edit", "rename", "delete"]),
                         st.integers(0, 5), st.integers(0, 5), TITLES), min_size=1, max_size=8)


def apply(content: Path, op: str, a: int, b: int, title: str) -> None:
    """Apply one random file operation to the content folder."""
    src, dst = content / f"p{a}.md", content / f"p{b}.md"
    if op in ("create", "edit"):
        src.write_text(article(title, date=f"1403-09-0{1 + a % 3}T10:00", topic=["سیاست", "ورزش"][b % 2]),
                       encoding="utf-8")
    elif op == "rename" and src.exists():
        os.replace(src, dst)
    elif op == "delete" and src.exists():
        src.unlink()


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under ``folder`` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS, pauses=st.lists(st.sampled_from([0.0, 0.05, 0.3]), min_size=8, max_size=8))
def test_random_edits_while_watching_end_as_a_clean_build(ops, pauses):
    with tempfile.TemporaryDirectory() as tmp:
        root = small_site(Path(tmp) / "s")
        preview = Preview(root, port=0, debounce=0.1)
        preview.start()
        stop = threading.Event()
        loop = threading.Thread(target=preview.run, args=(stop,), daemon=True)
        loop.start()
        try:
            for (op, a, b, title), pause in zip(ops, pauses):
                apply(root / "content", op, a, b, title)
                time.sleep(pause)
            Running(preview, root).settle(quiet=1.0)
        finally:
            stop.set()
            loop.join(timeout=10)
        clean = Path(tmp) / "clean"
        shutil.copytree(root / "content", clean / "content")
        shutil.copy(root / "digest.toml", clean / "digest.toml")
        build(clean)
        assert tree(root / "site") == tree(clean / "site")
