"""The watcher against real files edited the way editors edit them, on a real inotify observer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from digest.watch import ChangeSet, Collector, outward_links, start_observer

from conftest import ROOT, article

DEBOUNCE = 0.2


class Consumer:
    """Take batches on a thread the whole time, as the preview's main loop does."""

    def __init__(self, collector: Collector):
        self.collector = collector
        self.batches: list[tuple[float, ChangeSet]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        """Record every released batch with the time it was released."""
        while not self.stop.is_set():
            batch = self.collector.next_batch(0.1)
            if batch is not None:
                self.batches.append((time.monotonic(), batch))

    def take(self, seconds: float = 2.0) -> list[ChangeSet]:
        """Wait ``seconds`` and return (and forget) the batches released so far."""
        time.sleep(seconds)
        found = [b for _, b in self.batches]
        self.batches.clear()
        return found


@pytest.fixture
def watched(tmp_path: Path):
    """Watch a content folder holding one article; yield (folder, consumer)."""
    content = (tmp_path / "content").resolve()
    content.mkdir()
    (content / "a.md").write_text(article("نخستین خبر"), encoding="utf-8")
    collector = Collector([content], debounce=DEBOUNCE)
    observer = start_observer(collector, [(content, True)], say=print)
    time.sleep(0.1)   # let inotify arm its watches
    consumer = Consumer(collector)
    yield content, consumer
    consumer.stop.set()
    consumer.thread.join(timeout=5)
    observer.stop()
    observer.join(timeout=5)


def drain(consumer: "Consumer", seconds: float = 2.0) -> list[ChangeSet]:
    """Return the batches released within the next ``seconds``."""
    return consumer.take(seconds)


def test_vim_save_is_one_change_of_the_file(watched):
    content, collector = watched
    target = content / "a.md"
    probe = content / "4913"                      # vim checks that it may create files here
    probe.write_bytes(b"")
    probe.unlink()
    (content / ".a.md.swp").write_bytes(b"swap")  # and keeps a swap file
    os.rename(target, content / "a.md~")           # backupcopy=no: move the original away
    target.write_text(article("خبر ویرایش‌شده"), encoding="utf-8")
    (content / "a.md~").unlink()
    batches = drain(collector)
    assert [b.paths for b in batches] == [frozenset({target})]
    assert batches[0].removed == frozenset()


def test_vim_save_with_a_pause_never_reports_the_file_removed(watched):
    content, collector = watched
    target = content / "a.md"
    os.rename(target, content / "a.md~")
    time.sleep(DEBOUNCE * 1.5)                     # longer than the debounce window
    target.write_text(article("خبر ویرایش‌شده"), encoding="utf-8")
    (content / "a.md~").unlink()
    batches = drain(collector)
    assert len(batches) == 1 and batches[0].removed == frozenset()


def test_emacs_jetbrains_and_swap_files_alone_change_nothing(watched):
    content, collector = watched
    os.symlink("user@host.1234:1700000000", content / ".#a.md")   # emacs lock: a dangling link
    (content / "#a.md#").write_text("autosave", encoding="utf-8")
    (content / "a.md___jb_tmp___").write_text("jetbrains", encoding="utf-8")
    (content / "a.md.swp").write_bytes(b"\0")
    (content / "b.md~").write_text(article(), encoding="utf-8")
    for name in (".#a.md", "#a.md#", "a.md___jb_tmp___", "a.md.swp", "b.md~"):
        os.unlink(content / name)
    assert drain(collector, 1.0) == []


def test_atomic_replace_and_jetbrains_saves_are_one_change_each(watched):
    content, collector = watched
    target = content / "a.md"
    tmp = content / ".a.md.tmp"
    tmp.write_text(article("ذخیره‌ی اتمی"), encoding="utf-8")
    os.replace(tmp, target)
    first = drain(collector, 1.0)
    (content / "a.md___jb_tmp___").write_text(article("ذخیره‌ی جت‌برینز"), encoding="utf-8")
    os.rename(target, content / "a.md___jb_old___")
    os.rename(content / "a.md___jb_tmp___", target)
    (content / "a.md___jb_old___").unlink()
    second = drain(collector, 1.0)
    assert [b.paths for b in first] == [frozenset({target})]
    assert [b.paths for b in second] == [frozenset({target})]


def test_a_file_truncated_to_zero_bytes_waits_for_its_text(watched):
    content, collector = watched
    target = content / "a.md"
    with open(target, "w", encoding="utf-8") as fh:   # the save truncates first ...
        fh.flush()
        time.sleep(0.7)                                  # ... then stalls past the debounce
        fh.write(article("متن کامل"))
    written = time.monotonic()
    time.sleep(2.0)
    released = [at for at, _ in collector.batches]
    assert len(released) == 1 and target.stat().st_size > 0
    assert released[0] >= written


def test_deleting_a_file_reports_it_removed(watched):
    content, collector = watched
    (content / "a.md").unlink()
    batches = drain(collector)
    assert [b.removed for b in batches] == [frozenset({content / "a.md"})]


def test_copying_200_files_is_one_batch(watched, tmp_path):
    content, collector = watched
    source = tmp_path / "incoming"
    source.mkdir()
    for n in range(200):
        (source / f"n{n:03}.md").write_text(article(f"خبر {n}"), encoding="utf-8")
    shutil.copytree(source, content / "incoming")
    batches = drain(collector, 2.5)
    assert len(batches) == 1
    assert content / "incoming" in batches[0].paths


def test_folders_moved_in_and_out_are_reported(watched, tmp_path):
    content, collector = watched
    outside = tmp_path / "batch"
    outside.mkdir()
    (outside / "x.md").write_text(article("خبر بیرونی"), encoding="utf-8")
    os.rename(outside, content / "batch")
    moved_in = drain(collector, 1.5)
    os.rename(content / "batch", outside)
    moved_out = drain(collector, 1.5)
    assert len(moved_in) == 1 and content / "batch" in moved_in[0].paths
    assert len(moved_out) == 1 and content / "batch" in moved_out[0].removed


def test_reading_files_is_not_a_change(watched):
    content, collector = watched
    for _ in range(3):
        (content / "a.md").read_bytes()
    assert drain(collector, 1.0) == []


def test_paths_outside_the_watched_places_are_refused(tmp_path):
    content, site = tmp_path / "content", tmp_path / "site"
    collector = Collector([content], [tmp_path / "digest.toml"], exclude=[content / "drafts-out"])
    assert collector.accepts(content / "x" / "a.md")
    assert collector.accepts(tmp_path / "digest.toml")
    assert not collector.accepts(site / "index.html")
    assert not collector.accepts(tmp_path / "digest.toml~")
    assert not collector.accepts(content / ".git" / "index")
    assert not collector.accepts(content / "drafts-out" / "a.md")


def test_polling_sees_edits(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    collector = Collector([content], debounce=DEBOUNCE)
    observer = start_observer(collector, [(content, True)], say=print, polling=True)
    consumer = Consumer(collector)
    try:
        time.sleep(0.3)
        (content / "new.md").write_text(article(), encoding="utf-8")
        batches = drain(consumer, 3.0)
    finally:
        consumer.stop.set()
        observer.stop()
        observer.join(timeout=5)
    assert [b.paths for b in batches] == [frozenset({content / "new.md"})]


def test_outward_links_are_found(tmp_path):
    templates, shared = tmp_path / "templates", tmp_path / "shared"
    templates.mkdir()
    shared.mkdir()
    (shared / "base.html").write_text("<html></html>", encoding="utf-8")
    (templates / "inner.html").write_text("x", encoding="utf-8")
    os.symlink(templates / "inner.html", templates / "alias.html")
    assert outward_links(templates) == []
    os.symlink(shared / "base.html", templates / "base.html")
    assert outward_links(templates) == [templates.resolve() / "base.html"]


FD_EXHAUSTION = textwrap.dedent("""
    import os, resource, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from digest.watch import Collector, start_observer
    content = Path(sys.argv[1])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
    held = []
    try:
        while True:
            held.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    def say(message):
        for fd in held:          # the fallback itself needs descriptors again
            os.close(fd)
        held.clear()
        print(message, flush=True)
    collector = Collector([content], debounce=0.2)
    observer = start_observer(collector, [(content, True)], say)
    print(type(observer).__name__, flush=True)
    time.sleep(0.3)
    (content / "late.md").write_text("x", encoding="utf-8")
    batch = collector.next_batch(5.0)
    print("batch", sorted(p.name for p in batch.paths) if batch else None, flush=True)
    observer.stop()
""")


def test_running_out_of_inotify_falls_back_to_polling(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    done = subprocess.run([sys.executable, "-c", FD_EXHAUSTION, str(content), str(ROOT)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "ran out of file watches" in lines[0] and "polling" in lines[0]
    assert lines[1] == "PollingObserver"
    assert lines[2] == "batch ['late.md']"


def test_a_writer_pausing_longer_than_the_debounce_is_waited_for(watched):
    content, collector = watched
    text = article("نوشتن با مکث", body="بند. " * 300).encode("utf-8")
    with open(content / "a.md", "wb") as fh:       # a slow network copy or a stalling editor
        fh.write(text[:1001])                      # cut inside a two-byte Persian letter
        fh.flush()
        time.sleep(DEBOUNCE * 4)                   # longer than a burst's quiet time
        fh.write(text[1001:])
    batches = drain(collector, 3.0)
    assert len(batches) == 1 and content / "a.md" in batches[0].paths
    assert (content / "a.md").read_bytes() == text


def test_a_burst_of_closed_files_ends_after_the_settle_time_and_folders_after_the_debounce(tmp_path):
    """With close reports (inotify) a saved file needs no debounce; without them, or when a
    folder is involved (a copy), the burst waits the whole debounce. Driven by a fake clock."""
    from watchdog.events import DirCreatedEvent, FileClosedEvent, FileModifiedEvent

    now = [100.0]
    content = tmp_path.resolve()
    target = content / "a.md"
    target.write_text(article("ذخیره"), encoding="utf-8")

    def collector(close_events: bool) -> Collector:
        made = Collector([content], debounce=0.2, settle=0.03, clock=lambda: now[0])
        made.close_events = close_events
        return made

    quick = collector(True)
    quick.on_any_event(FileModifiedEvent(str(target)))
    now[0] += 0.1
    assert quick.next_batch(0) is None                     # still open for writing
    quick.on_any_event(FileClosedEvent(str(target)))
    now[0] += 0.02
    assert quick.next_batch(0) is None                     # a burst may still go on
    now[0] += 0.02
    assert quick.next_batch(0).paths == {target}

    quick.on_any_event(DirCreatedEvent(str(content / "new")))
    quick.on_any_event(FileClosedEvent(str(target)))
    now[0] += 0.1
    assert quick.next_batch(0) is None
    now[0] += 0.15
    assert quick.next_batch(0).paths == {target, content / "new"}

    polled = collector(False)
    polled.on_any_event(FileModifiedEvent(str(target)))
    now[0] += 0.1
    assert polled.next_batch(0) is None
    now[0] += 0.15
    assert polled.next_batch(0).paths == {target}
