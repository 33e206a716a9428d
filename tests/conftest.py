"""Shared fixtures: inline multi-file sites in tmp_path, a loopback static server, headless Chromium.

Browser tests need Debian's ``chromium`` and Playwright. Where Chromium is missing they skip,
except under CI (``CI=true``), where a missing browser is a failure: CI installs it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import textwrap
import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text or bytes}`` under ``root`` (text is dedented) and return root."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def site_dir(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Return a function that writes a small site into a fresh folder."""
    def make(files: dict[str, str | bytes]) -> Path:
        return write_site(tmp_path / "site-root", files)
    return make


def article(title: str = "خبر آزمایشی", date: str = "1403-09-02T10:00", topic: str = "سیاست",
            body: str = "متن خبر.", **fields: str) -> str:
    """Return a Markdown article with front matter."""
    lines = [f"title: {title}", f"date: {date}", f"topic: {topic}"]
    lines += [f"{k}: {v}" for k, v in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log every request."""

    def log_message(self, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def static_server() -> Iterator[Callable[[Path], str]]:
    """Serve folders on free loopback ports; every server is stopped after the test."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def chromium_path() -> str | None:
    """Return the Chromium binary, or None."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    """Launch headless Chromium once per session (skips locally without it; fails under CI)."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if path is None or sync_playwright is None:
        missing = "Chromium" if path is None else "Playwright"
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is missing under CI; .ci/run must install it")
        pytest.skip(f"{missing} is not installed (apt-get install chromium; pip install playwright)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


SAMPLE_PER_PAGE = 3  # lower than digest.toml's so topic pages paginate and page 2 is exercised


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a copy of the repository's sample site (content/, digest.toml) once; return its output."""
    from digest.build import build

    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "digest.toml", root / "digest.toml")
    result = build(root, overrides={"per_page": SAMPLE_PER_PAGE})
    assert not [p for p in result.problems if p.level == "error"], result.problems
    return root / "site"


@pytest.fixture(scope="session")
def sample_url(sample_site: Path) -> Iterator[str]:
    """Serve the built sample site on a free loopback port for the whole session."""
    handler = functools.partial(QuietHandler, directory=str(sample_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
