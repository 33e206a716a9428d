"""Real SMTP servers for tests: aiosmtpd on 127.0.0.1 and a free port, plus test certificates."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class LoopbackController(Controller):
    """An aiosmtpd controller bound to port 0 that learns its real port before the first talk."""

    def _trigger_server(self) -> None:
        """Read the port the OS chose, then let aiosmtpd poke the server as usual."""
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Received:
    """One message as the server saw it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message; ``answer`` may refuse one (e.g. '451 ...')."""

    messages: list[Received] = field(default_factory=list)
    answer: Callable[[int, list[str]], str | None] | None = None
    attempts: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event | None = None          # when set up, the answer to DATA number hold_at waits for it
    hold_at: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        """Accept (or refuse) one message."""
        self.attempts += 1
        if self.answer:
            refusal = self.answer(self.attempts, list(envelope.rcpt_tos))
            if refusal:
                return refusal
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        self.arrived.set()
        if self.hold is not None and self.attempts == self.hold_at:
            import asyncio
            while not self.hold.is_set():
                await asyncio.sleep(0.02)
        return "250 OK"

    def to(self) -> list[str]:
        """Return every recipient of every accepted message, in order."""
        return [r for m in self.messages for r in m.rcpt_tos]


def start_server(handler: Recorder, **smtp_options) -> LoopbackController:
    """Start an aiosmtpd server on 127.0.0.1 and a free port."""
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0, **smtp_options)
    controller.start()
    return controller


@dataclass
class Certs:
    """Files of a test CA and server certificates."""

    ca: Path
    good: tuple[Path, Path]          # signed by the CA, for 127.0.0.1
    self_signed: tuple[Path, Path]   # for 127.0.0.1, signed by nobody we trust
    wrong_host: tuple[Path, Path]    # signed by the CA, for another host name


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _cert(subject: str, key, issuer: str, issuer_key, san: x509.GeneralName | None, ca: bool) -> x509.Certificate:
    """Build and sign one certificate valid from yesterday for a week."""
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=7))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName([san]), critical=False)
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_key.public_key()), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(folder: Path, stem: str, cert: x509.Certificate, key) -> tuple[Path, Path]:
    """Write a certificate and its key as PEM files."""
    crt, pem = folder / f"{stem}.crt", folder / f"{stem}.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


def make_certs(folder: Path) -> Certs:
    """Generate a CA and three server certificates into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("digest test CA", ca_key, "digest test CA", ca_key, None, True)
    ip = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
    good_key, other_key, self_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca_path, _ = _write(folder, "ca", ca, ca_key)
    return Certs(
        ca=ca_path,
        good=_write(folder, "good", _cert("127.0.0.1", good_key, "digest test CA", ca_key, ip, False), good_key),
        self_signed=_write(folder, "self", _cert("127.0.0.1", self_key, "127.0.0.1", self_key, ip, False),
                           self_key),
        wrong_host=_write(folder, "wrong", _cert("mail.example.net", other_key, "digest test CA", ca_key,
                                                 x509.DNSName("mail.example.net"), False), other_key),
    )


def server_context(pair: tuple[Path, Path]) -> ssl.SSLContext:
    """Return a server-side TLS context for a certificate and key."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(pair[0]), str(pair[1]))
    return context


# ---- a small site with an [email] table --------------------------------------------------

import tomllib  # noqa: E402  (kept beside the helpers that use it)

from conftest import article, write_site  # noqa: E402

ARTICLES = {
    "content/a.md": article("نشست شورای شهر درباره\u200cی بودجه\u200cی حمل\u200cونقل", "1403-09-02T09:30", "سیاست",
                            "متن.", summary="اعضای شورا می‌خواهند سهم اتوبوس‌رانی بیشتر شود."),
    "content/b.md": article("قیمت طلا در بازار تهران پایین آمد", "1403-09-02T11:00", "اقتصاد", "متن.",
                            source="خبرگزاری آزمایشی",
                            summary="بهای سکه\u200cی تمام\u200cبهار آزادی در معاملات امروز کاهش یافت."),
    "content/c.md": article("نمایشگاه کتاب کودک با حضور ناشران IBBY گشایش یافت", "1403-09-02T16:45",
                            "فرهنگ", "متن.", summary="نمایشگاه تا پنج‌شنبه در فرهنگسرای نیاوران باز است."),
    "content/d.md": article("خبر روز پیش", "1403-09-01T08:00", "سیاست", "متن."),
}


def toml_value(value: object) -> str:
    """Write a TOML value (strings escaped)."""
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
        return '"' + escaped + '"'
    return str(value).lower() if isinstance(value, bool) else str(value)


def make_site(root: Path, email: dict, files: dict | None = None,
              base_url: str = "https://news.example.com/") -> Path:
    """Write a site with articles and an [email] table; return its folder."""
    lines = [f"base_url = {toml_value(base_url)}", 'title = "خبرنامه‌ی آزمایشی"', "", "[email]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in email.items()]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)
    write_site(root, {**ARTICLES, **(files or {}), "digest.toml": text})
    return root
