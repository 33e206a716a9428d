"""The [email] table: every problem named by its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import from_dict
from digest.errors import ConfigError
from digest.mail import settings


def load(table: dict):
    return settings.load(from_dict(Path("."), {"email": table}))


def test_defaults_and_sender_name_from_title():
    s = load({"from": "news@example.com"})
    assert (s.sender_name, s.sender, s.security, s.smtp_port, s.rate) == ("خلاصه‌ی اخبار", "news@example.com",
                                                                        "starttls", 587, 5.0)
    assert load({"from": "a@example.com", "security": "tls"}).smtp_port == 465


@pytest.mark.parametrize("table,needle", [
    ({"from": "a@example.com", "smtp_pasword": "x"}, "unknown key 'smtp_pasword'"),
    ({"from": "a@example.com", "password": "x"}, "unknown key 'password'"),
    ({}, "from: required"),
    ({"from": "a@example.com", "security": "ssl"}, "security: 'ssl'"),
    ({"from": "a@example.com", "security": "none", "smtp_host": "mail.example.com"}, "loopback"),
    ({"from": "a@example.com", "rate": 0}, "rate: must be above 0"),
    ({"from": "a@example.com", "rate": "fast"}, "rate: expected"),
    ({"from": "a@example.com", "subject": "{title} {day}"}, "unknown placeholder(s) day"),
    ({"from": "a@example.com", "unsubscribe_url": "http://x.example/u?t={token}"}, "https://"),
    ({"from": "a@example.com", "unsubscribe_url": "https://x.example/u"}, "{token}"),
    ({"from": "not an address"}, "from"),
    ({"from": "a@example.com", "smtp_port": 70000}, "smtp_port"),
])
def test_problems_name_the_key(table, needle):
    with pytest.raises(ConfigError) as err:
        load(table)
    assert needle in str(err.value)


def test_none_is_fine_on_loopback():
    assert load({"from": "a@example.com", "security": "none", "smtp_host": "127.0.0.1"}).smtp_port == 25
    assert settings.is_loopback("::1") and settings.is_loopback("localhost") and not settings.is_loopback("10.0.0.1")
