"""The preview's HTTP side: safe static serving, live-reload events and the error overlay.

Only the standard library: a ``ThreadingHTTPServer`` with our own handler. Every request path is
decoded once, split, refused if any segment is ``.``/``..``/hidden, then resolved (following
links) and served only if it stays inside the output folder. HTML responses get a small script
that listens on ``/__digest__/events`` (server-sent events) and reloads the page when a rebuild
finishes; while the last rebuild failed they also get an overlay describing the error. Nothing
is ever added to the files on disk, so a normal build's output stays clean.
"""

from __future__ import annotations

import errno
import html
import http.server
import ipaddress
import mimetypes
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, unquote, urlsplit

from digest.errors import ServeError
from digest.persian import to_persian_digits

EVENTS_PATH = "/__digest__/events"
WAIT_FOR_BUILD = 300.0      # seconds a request waits for a running rebuild
KEEPALIVE = 10.0            # seconds between SSE comments, so dead clients are noticed
_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
          ".xml": "application/xml", ".svg": "image/svg+xml", ".txt": "text/plain",
          ".woff2": "font/woff2", ".woff": "font/woff", ".webmanifest": "application/manifest+json",
          ".ico": "image/x-icon", ".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp"}
_TEXTUAL = ("text/", "application/json", "application/xml", "image/svg+xml", "application/manifest+json",
            "application/javascript", "application/rss+xml", "application/atom+xml")
_MISSING_PAGE = ('<!doctype html><html lang="fa" dir="rtl"><meta charset="utf-8"><title>۴۰۴</title>'
                 "<body><h1>این صفحه پیدا نشد</h1></body></html>")
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Failure:
    """A failed rebuild as shown to people: a headline and (path, line, message) items."""

    headline: str
    items: tuple[tuple[str | None, int | None, str], ...]

    def lines(self) -> list[str]:
        """Return the failure as terminal lines."""
        out = [self.headline]
        for path, line, message in self.items:
            where = f"{path}:{line}" if path and line else (path or "")
            out.append(f"  {where}: {message}" if where else f"  {message}")
        return out


class SiteState:
    """What the server shows: output folder, rebuild in progress, generation and last failure."""

    def __init__(self, out: Path, base_path: str = "/"):
        self.out = out
        self.base_path = base_path
        self.generation = 0
        self.failure: Failure | None = None
        self._building = False
        self._closed = False
        self._cond = threading.Condition()

    @property
    def building(self) -> bool:
        """Tell whether a rebuild is running."""
        with self._cond:
            return self._building

    def begin(self) -> None:
        """Mark a rebuild as running; requests wait until ``finish``."""
        with self._cond:
            self._building = True

    def finish(self, failure: Failure | None) -> None:
        """Mark the rebuild done (or failed), bump the generation and wake every waiter."""
        with self._cond:
            self._building = False
            self.failure = failure
            self.generation += 1
            self._cond.notify_all()

    def wait_ready(self, timeout: float = WAIT_FOR_BUILD) -> bool:
        """Wait until no rebuild is running; return False on timeout or shutdown."""
        with self._cond:
            self._cond.wait_for(lambda: not self._building or self._closed, timeout)
            return not self._building and not self._closed

    def wait_change(self, generation: int, timeout: float) -> int | None:
        """Wait for a generation newer than ``generation``; return it, or None on timeout or shutdown."""
        with self._cond:
            self._cond.wait_for(lambda: self.generation != generation or self._closed, timeout)
            return None if self._closed or self.generation == generation else self.generation

    def close(self) -> None:
        """Release every waiting request (the server is stopping)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def live_script(generation: int) -> str:
    """Return the script that reloads the page when the site is rebuilt."""
    return ("<script>(function(){var g=%d;var s=new EventSource(%r);"
            "s.addEventListener('reload',function(e){if(Number(e.data)!==g){s.close();location.reload();}});"
            "})();</script>" % (generation, EVENTS_PATH))


def overlay(failure: Failure) -> str:
    """Return the right-to-left error overlay for a failed rebuild, every value escaped."""
    rows = []
    for path, line, message in failure.items:
        where = f'<bdi dir="ltr"><code>{html.escape(path)}</code></bdi>' if path else ""
        if line:
            where += f"، خط {to_persian_digits(str(line))}"
        rows.append(f'<li>{where + ": " if where else ""}<bdi dir="ltr">{html.escape(message)}</bdi></li>')
    return ('<div id="digest-error" role="alert" dir="rtl" lang="fa" style="position:fixed;top:0;right:0;'
            'left:0;z-index:2147483647;max-height:80vh;overflow:auto;margin:0;padding:1rem 1.5rem;'
            'background:#fff3f3;color:#610000;border-bottom:4px solid #c40000;text-align:right;'
            'font:16px/1.9 Vazirmatn,Tahoma,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.25)">'
            '<strong style="font-size:1.2em">ساختن سایت شکست خورد</strong>'
            '<p style="margin:.3em 0">آخرین نسخه‌ی سالم سایت نمایش داده می‌شود. خطا را درست و پرونده را '
            'ذخیره کنید؛ این پیام خودبه‌خود برداشته می‌شود.</p>'
            f'<p style="margin:.3em 0"><bdi dir="ltr">{html.escape(failure.headline)}</bdi></p>'
            f'<ul style="margin:0;padding-inline-start:1.5em">{"".join(rows)}</ul></div>')


def inject(page: bytes, state: SiteState) -> bytes:
    """Insert the live-reload script (and the overlay after a failure) before the last ``</body>``."""
    extra = live_script(state.generation)
    if state.failure is not None:
        extra = overlay(state.failure) + extra
    data = extra.encode("utf-8")
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + data
    at = ends[-1].start()
    return page[:at] + data + page[at:]


def content_type(path: Path) -> str:
    """Return the Content-Type for a file, with ``charset=utf-8`` for text."""
    kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(_TEXTUAL) else kind


def request_path(raw: str) -> str | None:
    """Return the decoded URL path of a request target, or None when it is malformed."""
    try:
        path = urlsplit(raw).path
        decoded = unquote(path, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return None
    if not decoded.startswith("/") or "\x00" in decoded or "\\" in decoded:
        return None
    return decoded


def folder_url(path: str, query: str = "") -> str:
    """Return the folder URL with a trailing slash, rebuilt from its segments (never ``//host``)."""
    segments = [quote(s) for s in path.split("/") if s]
    url = "/" + "".join(s + "/" for s in segments)
    return url + (f"?{query}" if query else "")


def locate(out: Path, path: str) -> Path | None:
    """Return the file or folder ``path`` names inside ``out``, or None if it is missing or escapes."""
    segments = [s for s in path.split("/") if s]
    if any(s in (".", "..") or s.startswith(".") for s in segments):
        return None
    try:
        root = out.resolve(strict=True)
        real = root.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_relative_to(root) else None


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Serve the output folder safely, with live reload; never raise out of a request."""

    server: "PreviewServer"
    server_version = "digest-preview"

    def do_GET(self) -> None:
        """Answer a GET request."""
        self._respond(head=False)

    def do_HEAD(self) -> None:
        """Answer a HEAD request."""
        self._respond(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the terminal is for rebuilds and errors."""

    def _respond(self, head: bool) -> None:
        """Route one request: events, a file, a folder redirect, or 404."""
        state = self.server.state
        path = request_path(self.path)
        if path is None:
            return self._send(400, b"bad request path\n", "text/plain; charset=utf-8", head)
        if path == EVENTS_PATH:
            return self._events()
        if not state.wait_ready():
            return self._send(503, b"the site is being rebuilt; try again\n", "text/plain; charset=utf-8", head)
        base = state.base_path
        if base != "/" and path.startswith(base):
            path = "/" + path[len(base):]
        target = locate(state.out, path)
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                return self._redirect(folder_url(path, urlsplit(self.path).query), head)
            target = target / "index.html" if (target / "index.html").is_file() else None
        if target is None or not target.is_file():
            return self._not_found(head)
        self._file(target, 200, head)

    def _file(self, target: Path, status: int, head: bool) -> None:
        """Send a file, adding the live-reload script to HTML."""
        try:
            data = target.read_bytes()
        except OSError:
            return self._not_found(head)
        kind = content_type(target)
        if kind.startswith("text/html"):
            data = inject(data, self.server.state)
        self._send(status, data, kind, head)

    def _not_found(self, head: bool) -> None:
        """Send the site's 404 page with status 404 (or a minimal one that still reloads)."""
        page = locate(self.server.state.out, "/404.html")
        if page is not None and page.is_file():
            return self._file(page, 404, head)
        body = inject(_MISSING_PAGE.encode("utf-8"), self.server.state)
        self._send(404, body, "text/html; charset=utf-8", head)

    def _redirect(self, location: str, head: bool) -> None:
        """Send a permanent redirect to the folder URL with its trailing slash."""
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, data: bytes, kind: str, head: bool) -> None:
        """Send a complete response that is never cached."""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self) -> None:
        """Stream server-sent events: the current generation now, then one per finished rebuild."""
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        generation = state.generation
        self.wfile.write(f"retry: 1000\nevent: reload\ndata: {generation}\n\n".encode())
        self.wfile.flush()
        while not self.server.stopping.is_set():
            newer = state.wait_change(generation, KEEPALIVE)
            if newer is None:
                if self.server.stopping.is_set():
                    return
                self.wfile.write(b": still here\n\n")
            else:
                generation = newer
                self.wfile.write(f"event: reload\ndata: {generation}\n\n".encode())
            self.wfile.flush()


class PreviewServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server holding the site state; errors are reported, never fatal."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SiteState, say: Callable[[str], None]):
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.state = state
        self.say = say
        self.stopping = threading.Event()
        super().__init__(address, PreviewHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that went away; report anything else in one line."""
        import sys
        err = sys.exc_info()[1]
        if isinstance(err, (ConnectionError, TimeoutError)):
            return
        self.say(f"warning: request from {client_address[0]} failed: {type(err).__name__}: {err}")

    def stop(self) -> None:
        """Stop serving and release waiting requests."""
        self.stopping.set()
        self.state.close()
        self.shutdown()
        self.server_close()


def is_loopback(host: str) -> bool:
    """Tell whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int, state: SiteState, say: Callable[[str], None]) -> PreviewServer:
    """Bind the preview server, turning a busy port or a bad host into a clear ServeError."""
    try:
        return PreviewServer((host.strip("[]"), port), state, say)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is already in use",
                             hint=f"stop the program using it, pick another with --port {port + 1}, "
                                  "or use --port 0 for any free port") from None
        if err.errno == errno.EACCES:
            raise ServeError(f"not allowed to listen on port {port}",
                             hint="ports below 1024 need special rights; use --port 8000") from None
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror or err}",
                         hint="use --host 127.0.0.1") from None
