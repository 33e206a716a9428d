"""SMTP delivery: verified TLS (never a silent fall back to plain text), pacing, retries, a send log.

``starttls`` refuses a server that does not offer STARTTLS; ``tls`` speaks TLS from the first
byte; both verify the certificate and host name with the system's CAs (plus ``ca_file``).
``none`` is accepted only for a relay on loopback (checked in settings).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from typing import Callable

from digest.errors import MailError
from digest.mail.compose import Rendered, message
from digest.mail.sendlog import DONE, SendLog, key
from digest.mail.settings import ENV_PASSWORD, ENV_USER, MailSettings


@dataclass
class SendReport:
    """What a sending run did, for the summary."""

    sent: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)     # (recipient, why)
    failed: list[tuple[str, str]] = field(default_factory=list)      # (recipient, why)
    retries: int = 0


class TemporaryFailure(Exception):
    """The server answered 4xx: try again later."""


def tls_context(settings: MailSettings) -> ssl.SSLContext:
    """Return a verifying TLS context (system CAs, plus ca_file when set)."""
    context = ssl.create_default_context()
    if settings.ca_file:
        context.load_verify_locations(cafile=str(settings.ca_file))
    return context


def connect(settings: MailSettings) -> smtplib.SMTP:
    """Open an SMTP session with the configured security and log in if credentials are set."""
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
    try:
        if settings.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                  timeout=settings.timeout, context=tls_context(settings))
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
        try:
            smtp.ehlo()
            if settings.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailError(f"{where} does not offer STARTTLS; refusing to send in plain text",
                                    hint="fix the relay, or use security = \"tls\" with its TLS port")
                smtp.starttls(context=tls_context(settings))
                smtp.ehlo()
            if user:
                smtp.login(user, password or "")
        except BaseException:
            smtp.close()
            raise
    except ssl.SSLCertVerificationError as err:
        raise MailError(f"the certificate of {where} could not be verified ({err.verify_message}); "
                        "nothing was sent", hint="fix the server's certificate, or name its CA in ca_file") from None
    except ssl.SSLError as err:
        raise MailError(f"TLS with {where} failed ({err.reason or err}); nothing was sent",
                        hint="check security and smtp_port (465 is tls, 587 is starttls)") from None
    except smtplib.SMTPAuthenticationError as err:
        raise MailError(f"{where} refused the login ({err.smtp_code})",
                        hint=f"check {ENV_USER} and {ENV_PASSWORD}") from None
    except (OSError, smtplib.SMTPException) as err:
        raise MailError(f"could not talk to {where}: {err}", hint="check smtp_host and smtp_port") from None
    return smtp


def _classify(err: smtplib.SMTPException, recipient: str) -> tuple[int, str]:
    """Return (SMTP code, text) of a refusal."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(err.recipients.values()), (0, b""))
    elif isinstance(err, smtplib.SMTPResponseException):
        code, text = err.smtp_code, err.smtp_error
    else:
        return 0, str(err)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return code, f"{code} {text}"


def _try_once(smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """Send one message; raise TemporaryFailure on 4xx, MailError (permanent) on 5xx."""
    try:
        smtp.sendmail(sender, [recipient], data)
    except smtplib.SMTPServerDisconnected:
        raise
    except smtplib.SMTPException as err:
        code, text = _classify(err, recipient)
        if 400 <= code < 500:
            raise TemporaryFailure(text) from None
        raise MailError(text) from None


def send_all(rendered: Rendered, settings: MailSettings, recipients: list[str], log: SendLog, *,
             secret: str | None = None, progress: Callable[[str], None] | None = None,
             sleep: Callable[[float], None] = time.sleep) -> SendReport:
    """Send the digest to every recipient the log has not seen, pacing and retrying; never twice."""
    report = SendReport()
    earlier = log.state()
    todo = []
    for r in recipients:
        entry = earlier.get(key(r))
        if entry and entry["status"] in DONE:
            report.skipped.append((r, _skip_reason(entry)))
        else:
            todo.append(r)
    if not todo:
        return report
    with log:
        session = [connect(settings)]          # replaced when a dropped connection is reopened
        try:
            _loop(session, rendered, settings, todo, log, report, secret, progress, sleep)
        finally:
            try:
                session[0].quit()
            except (OSError, smtplib.SMTPException):
                session[0].close()
    return report


def _skip_reason(entry: dict) -> str:
    """Explain why a recipient in the log is not mailed again."""
    if entry["status"] == "sent":
        return f"already sent at {entry['time']}"
    return (f"an earlier run stopped while sending ({entry['time']}); not sent again to avoid a "
            "duplicate: remove the recipient's lines from the send log to resend")


def _loop(session: list[smtplib.SMTP], rendered: Rendered, settings: MailSettings, todo: list[str], log: SendLog,
          report: SendReport, secret: str | None, progress: Callable[[str], None] | None,
          sleep: Callable[[float], None]) -> None:
    """Send to each recipient in turn, at most ``rate`` messages a second."""
    interval = 1.0 / settings.rate
    next_at = time.monotonic()
    for n, recipient in enumerate(todo, 1):
        wait = next_at - time.monotonic()
        if wait > 0:
            sleep(wait)
        next_at = time.monotonic() + interval
        msg = message(rendered, settings, recipient, secret=secret)
        data, mid = msg.as_bytes(), str(msg["Message-ID"])
        log.write(recipient, "sending", message_id=mid)
        status, reason = _deliver(session[0], settings, recipient, data, report, sleep)
        if status == "reconnect":
            log.write(recipient, "uncertain", reason, mid)
            report.failed.append((recipient, reason))
            session[0].close()
            session[0] = connect(settings)
        elif status == "sent":
            log.write(recipient, "sent", message_id=mid)
            report.sent.append(recipient)
        else:
            log.write(recipient, "failed", reason, mid)
            report.failed.append((recipient, reason))
        if progress:
            progress(f"sending {rendered.digest.id}: {n}/{len(todo)} "
                     f"({len(report.sent)} sent, {len(report.failed)} failed)")


def _deliver(smtp: smtplib.SMTP, settings: MailSettings, recipient: str, data: bytes,
             report: SendReport, sleep: Callable[[float], None]) -> tuple[str, str]:
    """Send one message with retries on 4xx; return (status, reason)."""
    delay = settings.backoff
    for attempt in range(settings.retries + 1):
        try:
            _try_once(smtp, settings.sender, recipient, data)
            return "sent", ""
        except TemporaryFailure as err:
            reason = f"temporary failure, {attempt + 1} tries: {err}"
            if attempt == settings.retries:
                return "failed", reason
            report.retries += 1
            sleep(delay)
            delay *= 2
        except MailError as err:
            return "failed", f"refused: {err.message}"
        except (smtplib.SMTPServerDisconnected, OSError) as err:
            return "reconnect", f"the connection dropped while sending ({err}); delivery unknown"
    return "failed", "no tries left"
