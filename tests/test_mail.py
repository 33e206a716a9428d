"""``digest email`` end to end: the command line, the outbox, and a killed run started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from digest.cli import main
from digest.mail.run import run
from smtp_helpers import Recorder, make_site, start_server

ROOT = Path(__file__).resolve().parent.parent
READERS = [f"reader{i}@example.org" for i in range(1, 7)]


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("DIGEST_UNSUBSCRIBE_SECRET", "end-to-end-secret-key")


def table(port: int = 25) -> dict:
    return {"from": "news@example.com", "smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
            "rate": 500, "unsubscribe_url": "https://news.example.com/u?t={token}"}


def test_outbox_gets_one_eml_per_recipient(tmp_path, capsys):
    root = make_site(tmp_path / "s", table())
    listing = tmp_path / "readers.csv"
    listing.write_text("email,name\nreader1@example.org,رضا\nreader2@example.org,سارا\n", encoding="utf-8")
    assert main(["email", "--root", str(root), "--date", "۱۴۰۳-۰۹-۰۲", "--recipients", str(listing),
                 "--outbox", str(tmp_path / "out")]) == 0
    files = sorted((tmp_path / "out" / "1403-09-02").glob("*.eml"))
    assert [f.name for f in files] == ["00001-reader1@example.org.eml", "00002-reader2@example.org.eml"]
    msg = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["To"] == "reader1@example.org" and msg.get_body(("html",)) and msg.get_body(("plain",))
    out = capsys.readouterr().out
    assert "digest 1403-09-02: 3 of 3 articles" in out and "wrote 2 message(s)" in out


def test_cli_reports_a_relative_base_url(tmp_path, capsys):
    root = make_site(tmp_path / "s", table(), base_url="/")
    assert main(["email", "--root", str(root), "--latest"]) == 1
    assert "absolute" in capsys.readouterr().err


def test_cli_sends_and_summarizes(tmp_path, capsys):
    handler = Recorder()
    server = start_server(handler)
    try:
        root = make_site(tmp_path / "s", table(server.port))
        argv = ["email", "--root", str(root), "--date", "1403-09-02", "--to", READERS[0], "--to", READERS[1], "--send"]
        assert main(argv) == 0
        assert main(argv) == 0
    finally:
        server.stop()
    out = capsys.readouterr().out
    assert "sent 2, skipped 0, failed 0" in out and "sent 0, skipped 2, failed 0" in out
    assert handler.to() == READERS[:2]


def test_killed_run_restarted_sends_nobody_twice(tmp_path):
    release = threading.Event()
    handler = Recorder(hold=release, hold_at=3)
    server = start_server(handler)
    try:
        root = make_site(tmp_path / "s", table(server.port))
        listing = tmp_path / "readers.txt"
        listing.write_text("\n".join(READERS) + "\n", encoding="utf-8")
        child = subprocess.Popen([sys.executable, "-m", "digest", "email", "--root", str(root), "--date",
                                  "1403-09-02", "--recipients", str(listing), "--send"], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + 60
        while len(handler.messages) < 3 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
        assert len(handler.messages) == 3          # the third is in, its answer not yet given
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        release.set()
        again = run(root, date="1403-09-02", recipients_file=listing, send=True)
    finally:
        release.set()
        server.stop()
    assert again.report.sent == READERS[3:]
    assert [r for r, _ in again.report.skipped] == READERS[:3]
    assert "stopped while sending" in again.report.skipped[2][1]
    assert sorted(handler.to()) == sorted(READERS) and len(handler.to()) == len(READERS)
