"""Header values built by hand: RFC 2047 encoded words, checked addresses, refused line breaks.

Python 3.11's ``email`` package drops the space between encoded words when it folds some
Persian subjects, so every non-ASCII header value is encoded and folded here, and handed to
the message with ``set_raw``. Only values built by this module are ever passed to ``set_raw``.
"""

from __future__ import annotations

import base64
import re

from digest.errors import MailError

MAX_WORD = 75          # RFC 2047: an encoded word is at most 75 characters
MAX_LINE = 78          # RFC 5322: recommended line length, folding whitespace included
_PREFIX, _SUFFIX = "=?utf-8?b?", "?="

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_NAMED = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>\s*$")
_UNSAFE = re.compile(r"[\r\n\x00\x0b\x0c\x85\u2028\u2029]")


def refuse_breaks(value: str, what: str) -> str:
    """Return ``value`` unchanged, or raise MailError if it holds a line break (header injection)."""
    if _UNSAFE.search(value):
        raise MailError(f"{what}: {value!r} holds a line break; header values must be one line",
                        hint="remove the CR/LF from the value")
    return value


def _chunks(text: str, first_budget: int) -> list[str]:
    """Split text on character boundaries into pieces whose base64 words fit their lines."""
    pieces: list[str] = []
    current, size = "", 0
    budget = first_budget
    for ch in text:
        n = len(ch.encode("utf-8"))
        if current and _word_len(size + n) > budget:
            pieces.append(current)
            current, size, budget = "", 0, MAX_WORD
        current += ch
        size += n
    pieces.append(current)
    return pieces


def _word_len(nbytes: int) -> int:
    """Return the length of the encoded word carrying ``nbytes`` UTF-8 bytes."""
    return len(_PREFIX) + 4 * ((nbytes + 2) // 3) + len(_SUFFIX)


def encode_words(text: str, first_budget: int = MAX_WORD) -> list[str]:
    """Encode text as base64 encoded words, each within its line, spaces kept inside words."""
    return [_PREFIX + base64.b64encode(p.encode("utf-8")).decode("ascii") + _SUFFIX
            for p in _chunks(text, max(first_budget, _word_len(4)))]


def fold(name: str, words: list[str], tail: str = "") -> str:
    """Join header pieces into folded lines (CRLF + space) that stay within 78 characters."""
    lines = [words[0]] if words else [""]
    used = len(name) + 2 + len(lines[0])
    for word in words[1:]:
        lines.append(word)
        used = 1 + len(word)
    if tail:
        if used + 1 + len(tail) <= MAX_LINE:
            lines[-1] += " " + tail
        else:
            lines.append(tail)
    return "\r\n ".join(lines)


def encoded_header(name: str, text: str) -> str:
    """Return a folded header value for free text (e.g. Subject); ASCII text is encoded too."""
    refuse_breaks(text, name)
    return fold(name, encode_words(text, MAX_LINE - len(name) - 2))


def check_address(address: str, what: str = "address") -> str:
    """Return a plain ``local@domain`` address (IDN domains in punycode) or raise MailError."""
    refuse_breaks(address, what)
    addr = address.strip()
    if len(addr) > 254 or addr.count("@") != 1:
        raise MailError(f"{what}: {address!r} is not an email address (one '@', at most 254 characters)")
    local, domain = addr.split("@")
    if not local.isascii():
        raise MailError(f"{what}: {address!r} has a non-ASCII local part, which needs SMTPUTF8 "
                        "(not supported); use an ASCII address")
    if len(local) > 64 or not _LOCAL.match(local):
        raise MailError(f"{what}: {address!r}: the part before '@' is not a valid dot-atom")
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError:
        raise MailError(f"{what}: {address!r}: the domain cannot be written in ASCII (IDNA)") from None
    labels = ascii_domain.rstrip(".").split(".")
    if len(labels) < 2 or len(ascii_domain) > 253 or not all(_LABEL.match(x) for x in labels) \
            or labels[-1].isdigit():
        raise MailError(f"{what}: {address!r}: the domain must be a dotted host name like example.com")
    return f"{local}@{ascii_domain}"


def parse_mailbox(value: str, what: str) -> tuple[str, str]:
    """Split ``Name <addr>`` or ``addr`` into (display name, checked address)."""
    refuse_breaks(value, what)
    match = _NAMED.match(value)
    if match:
        name = match["name"].strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1]
        return name, check_address(match["addr"], what)
    return "", check_address(value, what)


def mailbox_header(name: str, display: str, address: str) -> str:
    """Return a folded ``=?utf-8?b?...?= <addr>`` header value (or the bare address)."""
    refuse_breaks(display, name)
    if not display:
        return address
    return fold(name, encode_words(display, MAX_LINE - len(name) - 2), f"<{address}>")
