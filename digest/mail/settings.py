"""The ``[email]`` table of digest.toml, checked: every problem reported at once, naming its key.

    [email]
    from = "خلاصه‌ی اخبار <news@example.com>"   sender; without a name the site title is used
    reply_to = "desk@example.com"                optional
    subject = "{title}: {date}"                  placeholders {title}, {date}, {count}
    smtp_host = "smtp.example.com"
    smtp_port = 587                              default: 587 (starttls), 465 (tls), 25 (none)
    security = "starttls"                        "starttls", "tls", or "none" (loopback relay only)
    ca_file = "relay-ca.pem"                     optional extra CA certificates (private relays)
    unsubscribe_url = "https://example.com/unsubscribe?t={token}"   {token} required, {email} optional
    unsubscribe_mailto = "leave@example.com"     optional; default: reply_to, else from
    rate = 5                                     messages per second at most
    retries = 3                                  extra tries after a temporary (4xx) failure
    backoff = 2.0                                seconds before the first retry; doubles each time
    timeout = 30                                 seconds to wait for the server

Credentials come only from the environment (``DIGEST_SMTP_USER``, ``DIGEST_SMTP_PASSWORD``),
and the unsubscribe token key from ``DIGEST_UNSUBSCRIBE_SECRET``.
"""

from __future__ import annotations

import ipaddress
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.config import Config
from digest.errors import ConfigError, MailError
from digest.mail.encode import parse_mailbox, refuse_breaks

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
SUBJECT_FIELDS = ("title", "date", "count")
_TYPES: dict[str, tuple[type, ...]] = {
    "from": (str,), "reply_to": (str,), "subject": (str,), "smtp_host": (str,), "smtp_port": (int,),
    "security": (str,), "ca_file": (str,), "unsubscribe_url": (str,), "unsubscribe_mailto": (str,),
    "rate": (int, float), "retries": (int,), "backoff": (int, float), "timeout": (int, float),
}
ENV_USER, ENV_PASSWORD, ENV_SECRET = "DIGEST_SMTP_USER", "DIGEST_SMTP_PASSWORD", "DIGEST_UNSUBSCRIBE_SECRET"


@dataclass(frozen=True)
class MailSettings:
    """Checked email settings."""

    sender_name: str
    sender: str
    reply_to: tuple[str, str] | None = None
    subject: str = "{title}: {date}"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    security: str = "starttls"
    ca_file: Path | None = None
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    rate: float = 5.0
    retries: int = 3
    backoff: float = 2.0
    timeout: float = 30.0


def is_loopback(host: str) -> bool:
    """Tell whether a host name or address is this machine."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _fields(template: str) -> set[str]:
    """Return the placeholder names in a str.format template, or raise ValueError."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def load(config: Config) -> MailSettings:
    """Check ``config.extra['email']`` and return MailSettings, or raise ConfigError listing problems."""
    table: dict[str, Any] = config.extra.get("email") or {}
    where = config.root / "digest.toml"
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in table.items():
        kinds = _TYPES.get(key)
        if kinds is None:
            problems.append(f"[email] unknown key {key!r} (known: {', '.join(sorted(_TYPES))})")
        elif not isinstance(value, kinds) or isinstance(value, bool):
            problems.append(f"[email] {key}: expected {' or '.join(k.__name__ for k in kinds)}, got {value!r}")
        else:
            values[key] = value
    for key, value in values.items():
        if isinstance(value, str):
            try:
                refuse_breaks(value, f"[email] {key}")
            except MailError as err:
                problems.append(err.message)
    out: dict[str, Any] = {}
    _mailboxes(values, config, problems, out)
    _transport(values, config, problems, out)
    _unsubscribe(values, problems, out)
    if "subject" in values:
        try:
            unknown = _fields(values["subject"]) - set(SUBJECT_FIELDS)
        except ValueError as err:
            unknown, _ = set(), problems.append(f"[email] subject: {err} (write {{{{ for a literal brace)")
        if unknown:
            problems.append(f"[email] subject: unknown placeholder(s) {', '.join(sorted(unknown))} "
                            f"(known: {', '.join(SUBJECT_FIELDS)})")
        out["subject"] = values["subject"]
    if problems:
        raise ConfigError(problems, path=where)
    return MailSettings(**out)


def _mailboxes(values: dict[str, Any], config: Config, problems: list[str], out: dict[str, Any]) -> None:
    """Check ``from`` (required) and ``reply_to``."""
    if "from" not in values:
        problems.append('[email] from: required, e.g. from = "News <news@example.com>"')
        out.update(sender_name="", sender="")
    else:
        try:
            name, addr = parse_mailbox(values["from"], "[email] from")
            out.update(sender_name=name or config.title, sender=addr)
        except MailError as err:
            problems.append(err.message)
            out.update(sender_name="", sender="")
    if "reply_to" in values:
        try:
            out["reply_to"] = parse_mailbox(values["reply_to"], "[email] reply_to")
        except MailError as err:
            problems.append(err.message)


def _transport(values: dict[str, Any], config: Config, problems: list[str], out: dict[str, Any]) -> None:
    """Check the SMTP host, port, security, rate and retry settings."""
    security = values.get("security", "starttls")
    if security not in SECURITY:
        problems.append(f"[email] security: {security!r} must be one of {', '.join(SECURITY)}")
        security = "starttls"
    host = values.get("smtp_host", "localhost")
    if security == "none" and not is_loopback(host):
        problems.append(f"[email] security: 'none' sends in plain text and is allowed only for a relay "
                        f"on loopback (127.0.0.1, ::1, localhost), not {host!r}; use 'starttls' or 'tls'")
    port = values.get("smtp_port", DEFAULT_PORTS[security])
    if not 0 < port < 65536:
        problems.append(f"[email] smtp_port: {port} is not a port (1-65535)")
    for key, low in (("rate", 0), ("backoff", 0), ("timeout", 0)):
        if key in values and values[key] <= low:
            problems.append(f"[email] {key}: must be above {low}, got {values[key]}")
    if values.get("retries", 0) < 0:
        problems.append(f"[email] retries: must be 0 or more, got {values['retries']}")
    if "ca_file" in values:
        ca = (config.root / values["ca_file"]).resolve()
        if not ca.is_file():
            problems.append(f"[email] ca_file: {ca} does not exist")
        out["ca_file"] = ca
    out.update(smtp_host=host, smtp_port=port, security=security)
    for key in ("rate", "retries", "backoff", "timeout"):
        if key in values:
            out[key] = values[key]


def _unsubscribe(values: dict[str, Any], problems: list[str], out: dict[str, Any]) -> None:
    """Check the unsubscribe URL template and mailto address."""
    url = values.get("unsubscribe_url")
    if url is not None:
        try:
            fields = _fields(url)
        except ValueError as err:
            fields = set()
            problems.append(f"[email] unsubscribe_url: {err}")
        if not url.startswith("https://"):
            problems.append("[email] unsubscribe_url: must start with https:// (mail clients require it "
                            "for one-click unsubscribe)")
        if "token" not in fields:
            problems.append("[email] unsubscribe_url: needs a {token} placeholder for each reader's token")
        if fields - {"token", "email"}:
            problems.append(f"[email] unsubscribe_url: unknown placeholder(s) "
                            f"{', '.join(sorted(fields - {'token', 'email'}))} (known: token, email)")
        out["unsubscribe_url"] = url
    if "unsubscribe_mailto" in values:
        try:
            out["unsubscribe_mailto"] = parse_mailbox(values["unsubscribe_mailto"],
                                                      "[email] unsubscribe_mailto")[1]
        except MailError as err:
            problems.append(err.message)
