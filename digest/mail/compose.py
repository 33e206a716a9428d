"""Digest -> HTML and plain-text parts -> one 7-bit EmailMessage per recipient.

The parts are rendered once per digest with a placeholder token; each recipient's message
swaps in their own unsubscribe token, so a list of thousands costs one render.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass, replace
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Callable
from urllib.parse import quote

import css_inline
import jinja2
import markupsafe

from digest.config import Config
from digest.errors import MailError
from digest.mail.encode import MAX_LINE, check_address, encoded_header, mailbox_header, refuse_breaks
from digest.mail.period import Digest, Section
from digest.mail.settings import ENV_SECRET, MailSettings
from digest.model import Site
from digest.persian import RLM, to_persian_digits
from digest.render import environment, isolate_latin, render_page
from digest.assemble import Page

WARN_BYTES = 90 * 1024          # warn and cut above this: Gmail clips messages past 102 KB
GMAIL_CLIP = 102 * 1024
POLICY = policy.SMTP.clone(cte_type="7bit", refold_source="none")
_TOKEN, _EMAIL = "DIGESTUNSUBSCRIBETOKEN", "DIGESTUNSUBSCRIBEEMAIL"
# Outlook for Windows falls back to Times New Roman when it sees a web font, so it never sees one.
# The font is only looked up on the reader's machine: a remote font would be a remote resource.
WEBFONT = ('<!--[if !mso]><!--><style>@font-face { font-family: Vazirmatn; '
           'src: local("Vazirmatn"), local("Vazirmatn Regular"), local("Vazirmatn-Regular"); }'
           '</style><!--<![endif]-->')
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class Rendered:
    """A digest's subject and parts, before any recipient is known."""

    digest: Digest
    subject: str
    html: str
    text: str
    warnings: tuple[str, ...] = ()

    @property
    def html_bytes(self) -> int:
        """Return the size of the HTML part in UTF-8 bytes."""
        return len(self.html.encode("utf-8"))


def absolute_base(config: Config) -> str:
    """Return base_url (ending in '/') if it is absolute, else raise MailError: mail needs full links."""
    base = config.base_url
    if not re.match(r"^https?://[^/\s]+", base):
        raise MailError(f"base_url {base!r} is not an absolute URL, so links in an email would not work",
                        path=config.root / "digest.toml",
                        hint='set base_url = "https://news.example.com/" (the published site)')
    return base if base.endswith("/") else base + "/"


def _ltr(value: object) -> markupsafe.Markup:
    """Jinja filter: escape text and mark its Latin runs ``<span dir="ltr">`` (mail clients lack bdi)."""
    return isolate_latin(value, '<span dir="ltr">', "</span>")


def environments(config: Config) -> tuple[jinja2.Environment, jinja2.Environment]:
    """Return the (HTML, text) environments: the site's lookup order, absolute links, no escaping for text."""
    base = absolute_base(config)
    html = environment(config)
    html.filters.update({"abs": lambda path: base + str(path).lstrip("/"), "ltr": _ltr})
    text = html.overlay(autoescape=False)
    return html, text


def subject_for(digest: Digest, config: Config, settings: MailSettings) -> str:
    """Fill the subject template; the result must be one line."""
    subject = settings.subject.format(title=config.title, date=digest.label,
                                      count=to_persian_digits(digest.total))
    return refuse_breaks(" ".join(subject.split()), "[email] subject")


def _heading(digest: Digest) -> str:
    """Return the visible heading: the day, or the week and its range."""
    if digest.kind == "week":
        year, _, number = digest.id.partition("-W")
        return f"هفته‌ی {to_persian_digits(int(number))} سال {to_persian_digits(year)}: {digest.label}"
    return digest.label


def _preheader(digest: Digest) -> str:
    """Return the inbox preview line: the count and the first titles."""
    titles = "؛ ".join(a.title for s in digest.sections for a in s.articles[:1])
    return f"{to_persian_digits(digest.total)} خبر: {titles}"[:160]


def rtl_lines(text: str) -> str:
    """Start every non-empty line with a strong right-to-left character, adding RLM where needed."""
    out = []
    for line in text.splitlines():
        line = line.rstrip()
        if line and unicodedata.bidirectional(line[0]) not in ("R", "AL"):
            line = RLM + line
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def _render(envs: tuple[jinja2.Environment, jinja2.Environment], digest: Digest, config: Config,
            settings: MailSettings, site: Site) -> tuple[str, str]:
    """Render both parts of one digest (HTML inlined) with the placeholder unsubscribe link."""
    unsubscribe = None
    if settings.unsubscribe_url:
        unsubscribe = settings.unsubscribe_url.format(token=_TOKEN, email=_EMAIL)
    context = {"site": site, "config": config, "digest": digest, "heading": _heading(digest),
               "subject": subject_for(digest, config, settings), "preheader": _preheader(digest),
               "unsubscribe_url": unsubscribe}
    html = render_page(envs[0], Page(f"/email/{digest.id}", "email/digest.html", context), {})
    text = render_page(envs[1], Page(f"/email/{digest.id}", "email/digest.txt", context), {})
    inlined = _INLINER.inline(html.decode("utf-8"))
    inlined = inlined.replace("<!-- digest:webfont -->", WEBFONT, 1).rstrip("\n") + "\n"
    return inlined, rtl_lines(text.decode("utf-8"))


def cut(digest: Digest, keep: int, topics: int | None = None) -> Digest:
    """Keep the ``keep`` newest articles of each topic (and the first ``topics`` topics), counting the rest."""
    sections = []
    for i, s in enumerate(digest.sections):
        if topics is not None and i >= topics:
            keep_here = 0
        else:
            keep_here = keep
        shown = s.articles[:keep_here]
        more_url = s.topic.url if digest.kind == "week" else digest.url
        sections.append(Section(s.topic, shown, s.more + len(s.articles) - len(shown),
                                more_url if len(shown) < len(s.articles) or s.more else s.more_url))
    return replace(digest, sections=tuple(s for s in sections if s.articles or s.more))


def render(site: Site, digest: Digest, config: Config, settings: MailSettings,
           limit: int = WARN_BYTES) -> Rendered:
    """Render a digest; past ``limit`` bytes of HTML, warn and cut the oldest articles per topic."""
    envs = environments(config)
    subject = subject_for(digest, config, settings)
    html, text = _render(envs, digest, config, settings, site)
    size = len(html.encode("utf-8"))
    if size <= limit:
        return Rendered(digest, subject, html, text)
    warning = (f"the HTML part of {digest.id} is {size / 1024:.0f} KB, over {limit / 1024:.0f} KB "
               f"(Gmail clips mail past {GMAIL_CLIP // 1024} KB): ")
    most = max(len(s.articles) for s in digest.sections)
    fits = _largest(lambda k: _fits(envs, cut(digest, k), config, settings, site, limit), 1, most)
    if fits:
        small = cut(digest, fits)
    else:
        topics = _largest(lambda t: _fits(envs, cut(digest, 1, t), config, settings, site, limit),
                          1, len(digest.sections))
        if not topics:
            raise MailError(f"{warning}even one article does not fit", hint="shorten the template")
        small = cut(digest, 1, topics)
    html, text = _render(envs, small, config, settings, site)
    warning += (f"kept the newest {small.count} of {digest.total} articles "
                f"({len(html.encode('utf-8')) / 1024:.0f} KB), with links to the rest on the site")
    return Rendered(small, subject, html, text, (warning,))


def _fits(envs, digest: Digest, config: Config, settings: MailSettings, site: Site, limit: int) -> bool:
    """Tell whether a digest's HTML stays within ``limit`` bytes."""
    return len(_render(envs, digest, config, settings, site)[0].encode("utf-8")) <= limit


def _largest(ok: Callable[[int], bool], low: int, high: int) -> int:
    """Return the largest n in [low, high] with ok(n) (ok is monotone), or 0 if none."""
    best = 0
    while low <= high:
        mid = (low + high) // 2
        if ok(mid):
            best, low = mid, mid + 1
        else:
            high = mid - 1
    return best


# ---- one message per recipient -----------------------------------------------------------

def token_for(address: str, secret: str) -> str:
    """Return a reader's unsubscribe token: an HMAC of the lowercased address."""
    return hmac.new(secret.encode("utf-8"), address.lower().encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def unsubscribe_secret(settings: MailSettings) -> str | None:
    """Return the token key from the environment, required when an unsubscribe URL is set."""
    if not settings.unsubscribe_url:
        return None
    secret = os.environ.get(ENV_SECRET, "")
    if len(secret) < 16:
        raise MailError(f"unsubscribe_url is set but {ENV_SECRET} is missing or shorter than 16 characters",
                        hint=f"export {ENV_SECRET}=... (a long random string, kept the same between runs)")
    return secret


def message_id(digest: Digest, recipient: str, domain: str) -> str:
    """Return a short Message-ID (never folded) that is the same for one digest and reader."""
    tag = hashlib.sha256(f"{digest.id}\0{recipient.lower()}".encode()).hexdigest()[:20]
    return f"<digest.{digest.id}.{tag}@{domain}>"


def message(rendered: Rendered, settings: MailSettings, recipient: str, *,
            now: dt.datetime | None = None, secret: str | None = None) -> EmailMessage:
    """Build the message for one recipient: encoded headers, both parts base64, unsubscribe headers."""
    to = check_address(recipient, "recipient")
    html, text = rendered.html, rendered.text
    msg = EmailMessage(policy=POLICY)
    msg.set_raw("From", mailbox_header("From", settings.sender_name, settings.sender))
    msg.set_raw("To", to)
    if settings.reply_to:
        msg.set_raw("Reply-To", mailbox_header("Reply-To", *settings.reply_to))
    msg.set_raw("Subject", encoded_header("Subject", rendered.subject))
    msg.set_raw("Date", format_datetime(now or dt.datetime.now(dt.timezone.utc)))
    msg.set_raw("Message-ID", message_id(rendered.digest, to, settings.sender.rpartition("@")[2]))
    if settings.unsubscribe_url:
        if secret is None:
            raise MailError("an unsubscribe token key is needed", hint=f"set {ENV_SECRET}")
        token = token_for(to, secret)
        url = settings.unsubscribe_url.format(token=token, email=quote(to, safe=""))
        html = html.replace(_TOKEN, token).replace(_EMAIL, quote(to, safe=""))
        text = text.replace(_TOKEN, token).replace(_EMAIL, quote(to, safe=""))
        msg.set_raw("List-Unsubscribe", _list_unsubscribe(url, settings, token))
        msg.set_raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    return msg


def _list_unsubscribe(url: str, settings: MailSettings, token: str) -> str:
    """Return ``<https://...>, <mailto:...>``, folded between the two (RFC 8058 one-click)."""
    if not url.isascii() or re.search(r"[\s<>\"]", url):
        raise MailError(f"unsubscribe_url gives {url!r}, which is not a plain ASCII URL",
                        hint="percent-encode the URL in digest.toml")
    mailbox = settings.unsubscribe_mailto or (settings.reply_to[1] if settings.reply_to else settings.sender)
    mailto = f"<mailto:{mailbox}?subject=unsubscribe%20{token}>"
    https = f"<{url}>,"
    if len("List-Unsubscribe: ") + len(https) + 1 + len(mailto) <= MAX_LINE:
        return f"{https} {mailto}"
    return f"{https}\r\n {mailto}"
