"""Sending through real aiosmtpd servers on loopback: delivery, TLS refusals, retries, the send log."""

from __future__ import annotations

import random
import smtplib
from dataclasses import replace
from email import message_from_bytes, policy

import pytest

from digest.errors import MailError
from digest.mail import compose
from digest.mail.run import run
from digest.persian import ZWNJ
from smtp_helpers import Recorder, make_certs, make_site, server_context, start_server

SECRET = "a-test-secret-of-enough-length"
READERS = [f"reader{i}@example.org" for i in range(1, 7)]


@pytest.fixture
def servers():
    """Start aiosmtpd servers on demand; stop them all after the test."""
    started = []

    def start(handler: Recorder, **options):
        controller = start_server(handler, **options)
        started.append(controller)
        return controller
    yield start
    for controller in started:
        controller.stop()


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    """Give the unsubscribe token key through the environment, as a deployment would."""
    monkeypatch.setenv("DIGEST_UNSUBSCRIBE_SECRET", SECRET)
    monkeypatch.delenv("DIGEST_SMTP_USER", raising=False)


def plain(port: int, **more) -> dict:
    """Return an [email] table for a plain relay on loopback."""
    return {"from": "خبرنامه‌ی آزمایشی <news@example.com>", "reply_to": "desk@example.com",
            "smtp_host": "127.0.0.1", "smtp_port": port, "security": "none", "rate": 500,
            "backoff": 0.01, "unsubscribe_url": "https://news.example.com/unsub?t={token}&e={email}", **more}


def test_messages_arrive_whole(tmp_path, servers):
    handler = Recorder()
    server = servers(handler)
    root = make_site(tmp_path / "s", plain(server.port))
    result = run(root, date="1403-09-02", to=READERS[:3], send=True)
    assert result.report.sent == READERS[:3] and not result.report.failed
    assert handler.to() == READERS[:3]
    for received, reader in zip(handler.messages, READERS):
        assert received.data.isascii()                       # 7-bit on the wire
        msg = message_from_bytes(received.data, policy=policy.default)
        assert msg["To"] == reader
        assert msg["Subject"] == result.rendered.subject
        assert msg["From"].addresses[0].display_name == "خبرنامه‌ی آزمایشی"
        assert msg["Reply-To"].addresses[0].addr_spec == "desk@example.com"
        assert msg["Message-ID"].startswith("<digest.1403-09-02.")
        assert msg["Date"].datetime is not None
        token = compose.token_for(reader, SECRET)
        assert msg["List-Unsubscribe"] == (f"<https://news.example.com/unsub?t={token}&e="
                                           f"{reader.replace('@', '%40')}>, "
                                           f"<mailto:desk@example.com?subject=unsubscribe%20{token}>")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        assert text["Content-Transfer-Encoding"] == html["Content-Transfer-Encoding"] == "base64"
        expected_text = result.rendered.text.replace("DIGESTUNSUBSCRIBETOKEN", token)
        expected_text = expected_text.replace("DIGESTUNSUBSCRIBEEMAIL", reader.replace("@", "%40"))
        assert text.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n") == expected_text
        body = html.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n")
        expected_html = result.rendered.html.replace("DIGESTUNSUBSCRIBETOKEN", token)
        assert body == expected_html.replace("DIGESTUNSUBSCRIBEEMAIL", reader.replace("@", "%40"))
        assert f"نشست شورای شهر درباره{ZWNJ}ی بودجه{ZWNJ}ی حمل{ZWNJ}ونقل" in body
        assert f"سکه{ZWNJ}ی تمام{ZWNJ}بهار" in body and f"سکه{ZWNJ}ی تمام{ZWNJ}بهار" in expected_text
        assert f"t={token}" in body and "DIGESTUNSUBSCRIBE" not in body


def test_hundreds_of_persian_subjects_keep_every_space(tmp_path, servers):
    handler = Recorder()
    server = servers(handler)
    root = make_site(tmp_path / "s", plain(server.port))
    rendered = run(root, date="1403-09-02", dry_run=True).rendered
    from digest.mail import settings as settings_mod
    from digest import config as config_mod
    settings = settings_mod.load(config_mod.load(root))
    rng = random.Random(1403)
    letters = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآئ"
    subjects = []
    for _ in range(240):
        words = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(1, 14))]
        words = [w + ZWNJ + "ها" if rng.random() < 0.2 else w for w in words]
        words += rng.sample(["۱۴۰۳", "آذر", "BBC", "(گزارش)", "«ویژه»", "۲٪"], rng.randint(0, 2))
        subjects.append(" ".join(words))
    with smtplib.SMTP("127.0.0.1", server.port) as smtp:
        for subject in subjects:
            msg = compose.message(replace(rendered, subject=subject), settings, "r@example.org", secret=SECRET)
            smtp.sendmail("news@example.com", ["r@example.org"], msg.as_bytes())
    got = [message_from_bytes(m.data, policy=policy.default)["Subject"] for m in handler.messages]
    assert got == subjects
    for m in handler.messages:
        lines = m.data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        start = next(i for i, line in enumerate(lines) if line.startswith(b"Subject: "))
        end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(b" "))
        assert all(len(line) <= 78 for line in lines[start:end])        # folded, never too long
        assert all(len(line) <= 998 for line in lines)


def test_temporary_failure_mid_list_is_retried_and_nobody_gets_two(tmp_path, servers):
    def answer(attempt: int, rcpts: list[str]) -> str | None:
        return "451 4.3.0 try again later" if attempt in (3, 4) else None
    handler = Recorder(answer=answer)
    server = servers(handler)
    root = make_site(tmp_path / "s", plain(server.port))
    result = run(root, date="1403-09-02", to=READERS, send=True)
    assert result.report.retries == 2
    assert sorted(handler.to()) == sorted(READERS) and len(handler.to()) == len(READERS)
    again = run(root, date="1403-09-02", to=READERS, send=True)
    assert again.report.sent == [] and len(again.report.skipped) == len(READERS)
    assert len(handler.to()) == len(READERS)


def test_exhausted_retries_fail_then_a_later_run_sends_only_those(tmp_path, servers):
    refuse = {"reader2@example.org"}
    handler = Recorder(answer=lambda n, rcpts: "451 busy" if set(rcpts) & refuse else None)
    server = servers(handler)
    root = make_site(tmp_path / "s", plain(server.port, retries=2))
    first = run(root, date="1403-09-02", to=READERS[:3], send=True)
    assert [r for r, _ in first.report.failed] == ["reader2@example.org"]
    assert "451 busy" in first.report.failed[0][1] and "3 tries" in first.report.failed[0][1]
    refuse.clear()
    second = run(root, date="1403-09-02", to=READERS[:3], send=True)
    assert second.report.sent == ["reader2@example.org"]
    assert sorted(handler.to()) == sorted(READERS[:3])


def test_permanent_refusal_is_not_retried(tmp_path, servers):
    handler = Recorder(answer=lambda n, rcpts: "550 5.1.1 no such user" if "reader1@example.org" in rcpts else None)
    server = servers(handler)
    root = make_site(tmp_path / "s", plain(server.port))
    result = run(root, date="1403-09-02", to=READERS[:2], send=True)
    assert result.report.retries == 0
    assert result.report.failed[0][0] == "reader1@example.org" and "550" in result.report.failed[0][1]
    assert handler.to() == ["reader2@example.org"]


def test_interrupted_run_restarted_sends_nobody_twice(tmp_path, servers):
    handler = Recorder()
    server = servers(handler)
    root = make_site(tmp_path / "s", plain(server.port))
    seen = []

    def stop_after_two(line: str) -> None:
        seen.append(line)
        if len(seen) == 2:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        run(root, date="1403-09-02", to=READERS, send=True, progress=stop_after_two)
    assert handler.to() == READERS[:2]
    rest = run(root, date="1403-09-02", to=READERS, send=True)
    assert rest.report.sent == READERS[2:]
    assert handler.to() == READERS


def test_certificates(tmp_path, servers):
    certs = make_certs(tmp_path / "certs")
    for kind, pair in (("good", certs.good), ("self-signed", certs.self_signed), ("wrong host", certs.wrong_host)):
        for security in ("starttls", "tls"):
            handler = Recorder()
            options = ({"tls_context": server_context(pair), "require_starttls": True} if security == "starttls"
                       else {"ssl_context": server_context(pair)})
            server = servers(handler, **options)
            table = {**plain(server.port), "security": security, "ca_file": str(certs.ca)}
            root = make_site(tmp_path / f"{security}-{kind}", table)
            if kind == "good":
                result = run(root, date="1403-09-02", to=READERS[:1], send=True)
                assert result.report.sent == READERS[:1] and handler.to() == READERS[:1]
            else:
                with pytest.raises(MailError, match="could not be verified"):
                    run(root, date="1403-09-02", to=READERS[:1], send=True)
                assert handler.messages == []
                assert not (root / ".digest-cache/sendlog/1403-09-02.jsonl").exists() or \
                    "sent" not in (root / ".digest-cache/sendlog/1403-09-02.jsonl").read_text()


def test_server_without_starttls_aborts(tmp_path, servers):
    handler = Recorder()
    server = servers(handler)          # no TLS at all
    root = make_site(tmp_path / "s", {**plain(server.port), "security": "starttls"})
    with pytest.raises(MailError, match="does not offer STARTTLS"):
        run(root, date="1403-09-02", to=READERS[:1], send=True)
    assert handler.messages == []


def test_plain_text_only_for_loopback(tmp_path):
    from digest.errors import ConfigError
    root = make_site(tmp_path / "s", {**plain(25), "smtp_host": "smtp.example.com"})
    with pytest.raises(ConfigError, match="loopback|this machine"):
        run(root, date="1403-09-02", to=READERS[:1], send=True)


@pytest.mark.parametrize("bad", [
    "reader@example.org\r\nBcc: victim@example.net",
    "reader@example.org\nBcc: victim@example.net",
    "reader@example.org>, <victim@example.net",
    "reader@example.org,victim@example.net",
    "no-at-sign.example.org",
    "two@@example.org",
    "spaces in@example.org",
    "reader@localhost",
    "reader@-bad-.example.org",
    "\u0631\u0636\u0627@example.org",
])
def test_bad_recipients_are_refused_before_any_connection(tmp_path, servers, bad):
    handler = Recorder()
    server = servers(handler)
    root = make_site(tmp_path / "s", plain(server.port))
    with pytest.raises(MailError, match="recipient"):
        run(root, date="1403-09-02", to=[READERS[0], bad], send=True)
    assert handler.attempts == 0


@pytest.mark.parametrize("key,value", [
    ("subject", "خبرها\r\nBcc: victim@example.net"),
    ("from", "News <news@example.com>\nBcc: victim@example.net"),
    ("reply_to", "desk@example.com\rX-Injected: yes"),
    ("unsubscribe_url", "https://news.example.com/u?t={token}\r\nX: y"),
])
def test_line_breaks_in_header_values_are_refused(tmp_path, key, value):
    from digest.errors import ConfigError
    root = make_site(tmp_path / "s", {**plain(25), key: value})
    with pytest.raises(ConfigError, match="line break"):
        run(root, date="1403-09-02", to=READERS[:1], dry_run=True)


def test_recipients_file_names_every_bad_line(tmp_path, servers):
    root = make_site(tmp_path / "s", plain(25))
    listing = tmp_path / "readers.txt"
    listing.write_text("# subscribers\nreader1@example.org\nbroken\n\nREADER1@example.org\nx@y\n", encoding="utf-8")
    with pytest.raises(MailError) as err:
        run(root, date="1403-09-02", recipients_file=listing, dry_run=True)
    assert f"{listing}:3:" in str(err.value) and f"{listing}:6:" in str(err.value)
    listing.write_text("name,email\nرضا,reader1@example.org\nسارا,READER1@example.org\nمینا,reader2@example.org\n",
                       encoding="utf-8")
    assert run(root, date="1403-09-02", recipients_file=listing, dry_run=True).recipients == READERS[:2]
