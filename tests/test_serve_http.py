"""The preview server on a real loopback port: safe paths, types, 404, redirects, injection, overlay."""

from __future__ import annotations

import http.client
import os
import socket
import threading
from pathlib import Path

import pytest

from digest.serve_http import (EVENTS_PATH, Failure, SiteState, bind, folder_url, inject, is_loopback,
                               overlay)

PAGE = '<!doctype html><html lang="fa" dir="rtl"><body><p>صفحه‌ی نخست</p></body></html>'


@pytest.fixture
def served(tmp_path: Path):
    """Serve a small output folder (with a secret sibling and outward links); yield (state, port)."""
    out = tmp_path / "site"
    (out / "topic" / "world").mkdir(parents=True)
    (out / "index.html").write_text(PAGE, encoding="utf-8")
    (out / "topic" / "world" / "index.html").write_text(PAGE.replace("نخست", "جهان"), encoding="utf-8")
    (out / "404.html").write_text(PAGE.replace("نخست", "پیدا نشد"), encoding="utf-8")
    (out / "site.css").write_text("body{direction:rtl}", encoding="utf-8")
    (out / "font.woff2").write_bytes(b"wOF2\0\0")
    (out / ".hidden").write_text("hidden", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    (tmp_path / "site-old").mkdir()
    (tmp_path / "site-old" / "index.html").write_text("SECRET-OLD", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", out / "leak.txt")
    os.symlink(tmp_path / "site-old", out / "old")
    state = SiteState(out)
    server = bind("127.0.0.1", 0, state, say=lambda m: None)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield state, server.server_address[1]
    server.stop()


def get(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send one request with the path exactly as given; return status, headers and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def raw(port: int, data: bytes) -> bytes:
    """Send raw bytes and return whatever comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                                  "/%2e%2e%2fsecret.txt", "/topic/../../secret.txt",
                                  "/../site-old/index.html", "/%2E%2E/site-old/", "/leak.txt",
                                  "/old/index.html", "/old/", "/.hidden", "/%252e%252e/secret.txt",
                                  "/..\\secret.txt", "/%00", "/topic/%ff"])
def test_nothing_outside_the_output_folder_is_served(served, path):
    state, port = served
    status, _, body = get(port, path)
    assert status in (400, 404)
    assert b"SECRET" not in body and b"hidden" not in body


def test_pages_have_types_with_charset_and_the_live_script(served):
    _, port = served
    status, headers, body = get(port, "/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "صفحه‌ی نخست".encode() in body
    assert body.index(EVENTS_PATH.encode()) < body.index(b"</body>")
    _, css_headers, css = get(port, "/site.css")
    assert css_headers["content-type"] == "text/css; charset=utf-8" and EVENTS_PATH.encode() not in css
    _, font_headers, _ = get(port, "/font.woff2")
    assert font_headers["content-type"] == "font/woff2"


def test_missing_pages_get_the_sites_404_page_with_status_404(served):
    _, port = served
    status, headers, body = get(port, "/no/such/page.html")
    assert status == 404 and "پیدا نشد".encode() in body
    assert headers["content-type"] == "text/html; charset=utf-8"


def test_folders_without_a_slash_are_redirected(served):
    _, port = served
    status, headers, _ = get(port, "/topic/world?x=1")
    assert status == 301 and headers["location"] == "/topic/world/?x=1"
    status, _, body = get(port, "/topic/world/")
    assert status == 200 and "جهان".encode() in body


def test_a_redirect_never_points_at_another_host():
    assert folder_url("//evil.example") == "/evil.example/"


def test_head_sends_headers_only(served):
    _, port = served
    status, headers, body = get(port, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


@pytest.mark.parametrize("junk", [b"\x00\x01\x02garbage\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                                  b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"POST / HTTP/1.1\r\n\r\n",
                                  b"GET http://[::1 HTTP/1.1\r\n\r\n", b"\r\n"])
def test_malformed_requests_never_stop_the_server(served, junk):
    _, port = served
    raw(port, junk)
    status, _, _ = get(port, "/")
    assert status == 200


def test_requests_wait_for_a_running_rebuild(served):
    state, port = served
    state.begin()
    answers: list[bytes] = []
    asker = threading.Thread(target=lambda: answers.append(get(port, "/")[2]))
    asker.start()
    asker.join(0.5)
    assert asker.is_alive() and answers == []        # held while the rebuild runs
    (state.out / "index.html").write_text(PAGE.replace("نخست", "تازه"), encoding="utf-8")
    state.finish(None)
    asker.join(10)
    assert "تازه".encode() in answers[0]


def test_events_announce_each_finished_rebuild(served):
    state, port = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", EVENTS_PATH)
    resp = conn.getresponse()
    assert resp.getheader("Content-Type").startswith("text/event-stream")
    first = [resp.readline() for _ in range(4)]
    assert b"data: 0\n" in first
    state.begin()
    state.finish(None)
    later = [resp.readline() for _ in range(2)]
    assert later == [b"event: reload\n", b"data: 1\n"]
    conn.close()


def test_failure_overlay_is_escaped_rtl_persian_and_goes_away(served):
    state, port = served
    state.begin()
    state.finish(Failure("1 error(s)", (("content/a.md", 12, "<script>alert('x')</script>"),)))
    _, _, body = get(port, "/")
    text = body.decode()
    assert 'id="digest-error"' in text and 'dir="rtl"' in text
    assert "ساختن سایت شکست خورد" in text and "خط ۱۲" in text and "content/a.md" in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text and "<script>alert" not in text
    state.begin()
    state.finish(None)
    assert b"digest-error" not in get(port, "/")[2]


def test_injection_goes_before_the_last_body_end_or_at_the_end():
    state = SiteState(Path("."))
    assert inject(b"<body>x</BODY >", state).endswith(b"</BODY >")
    assert inject(b"<p>no body", state).startswith(b"<p>no body<script>")
    assert "digest-error" not in inject(b"</body>", state).decode()
    assert "<li>" in overlay(Failure("x", ((None, None, "m"),)))


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
