"""Regenerate docs/screenshots/: build the sample site and photograph it at four widths.

    python scripts/screenshots.py [--chromium /usr/bin/chromium]

Needs Playwright (pip install playwright) and a Chromium binary (Debian: apt-get install chromium).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = {"xs": 375, "sm": 800, "md": 1000, "lg": 1280}


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``folder`` on a free loopback port; return the server and its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def main() -> int:
    """Build, serve and photograph the sample site."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--page", default="", help="site path to photograph (default: the front page)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from digest.build import build
    from playwright.sync_api import sync_playwright

    build(ROOT)
    server, base = serve(ROOT / "site")
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for name, width in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(base + args.page)
                page.evaluate("document.fonts.ready")
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=False)
                page.close()
                print(f"wrote docs/screenshots/{name}-{width}.png")
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
