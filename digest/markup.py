"""Article Markdown to safe HTML. Pure: text in, sanitized HTML out.

Untrusted text meets four guards: cmark-gfm runs in safe mode (raw HTML never reaches the
output, script-scheme link targets are emptied); raw HTML is shown as text, because a text
holding any is parsed again with every ``<`` turned into a character cmark treats as a letter;
links cmark emptied are unwrapped to their text; and nh3 then keeps only the tags, attributes and
URL schemes listed here. Article text is only ever a template *value*, never a template.

Our rules run as passes over cmark's HTML, which is well formed: every literal ``<`` in it starts
a tag and text holds only the entities ``&amp; &lt; &gt; &quot;``.

Policy for ``data:`` URLs: none survive, images included (nh3 allows http, https and mailto
only), so a scraped page cannot smuggle content or trackers through them.
"""

from __future__ import annotations

import re
from html import unescape
from itertools import accumulate
from string import ascii_letters

import nh3

from digest import cmark
from digest.nh3_known import as_nh3_would
from digest.persian import LATIN_RUN
from digest.urls import relative_url

MAX_NESTING = 20

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "del", "sub", "sup",
    "blockquote", "ul", "ol", "li", "a", "code", "pre", "bdi", "table", "thead", "tbody", "tr", "th",
    "td", "img",
}
ATTRIBUTES = {
    "*": {"dir", "lang"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "ol": {"start"},
    "th": {"align"}, "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# A rare punctuation mark stands in for "<" when raw HTML must be shown as text: no tag, comment
# or HTML block can start with it, and as punctuation it sways emphasis as "<" does. One already in
# the text is parked on a noncharacter meanwhile (and a noncharacter already there becomes U+FFFD).
SENTINEL = "\u2e2e"  # REVERSED QUESTION MARK
_PARKED = "\ufdd1"
_SENTINEL_IN_URL, _PARKED_IN_URL = "%E2%B8%AE", "%EF%B7%91"  # as cmark writes them in link targets

# CommonMark autolinks (``<https://...>``, ``<name@host>``) keep their "<": they cannot be tags.
_AUTOLINK = (r"[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\x00-\x20<>]*>"
             r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
             r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*>")
# "\\" pairs are consumed first so that "\<" (an escaped, literal "<") is recognised and kept.
_SHIELD = re.compile(r"\\[\\<]|<(?!" + _AUTOLINK + ")")
# What a numeric entity may not bring (cmark decodes them, markdown-it wrote U+FFFD instead): C0
# and C1 controls (tab, line feed, form feed and carriage return excepted) and the noncharacters.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
                       + "".join(chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
                       + "]")
# Unicode spaces at a paragraph's, heading's or cell's edges: cmark keeps them (it trims only
# ASCII ones), markdown-it trimmed them.
_WIDE = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_WIDE_SPACE = re.compile(f"[{_WIDE}]")
# The same spaces in UTF-8 (U+0085 U+00A0; U+2000-200A U+2028 U+2029 U+202F U+205F; U+1680 and
# U+3000 below). Each starts with a lead byte, which never occurs inside another character, so in
# valid UTF-8 these match exactly where the class above does; searched from their first byte,
# they skip through Persian text (whose letters start with D8-DB) faster than the class does.
_WIDE_C2 = re.compile(b"\xc2[\x85\xa0]")
_WIDE_E2 = re.compile(b"\xe2(?:\x80[\x80-\x8a\xa8\xa9\xaf]|\x81\x9f)")
# What gives the Latin and edge-space passes work: a Latin letter or an entity (cmark's text can
# hold a Latin letter only if the Markdown had one, or an entity naming one), or a wide space. Most
# Persian news has none of them (four articles in five), and one search for all is cheaper than
# the Latin pass over the HTML.
_PASSES_WORK = re.compile(f"[A-Za-z&{_WIDE}]")
# Every byte but the ASCII letters and "&": deleting them from the UTF-8 (a plain loop in C, several
# times faster than the class's search through text without a Latin letter) leaves what matters.
_NOT_LATIN_OR_AMP = bytes(sorted(set(range(256)) - set(b"&" + ascii_letters.encode())))
_EDGE_SPACE = re.compile(r"(<(?:p|h[1-6]|th|td)(?: [^>]*)?>)\s+|\s+(?=</(?:p|h[1-6]|th|td)>)"
                         r"|(<li>)[^\S\n]+|[^\S\n]+(?=</li>)")  # an item's own newlines are cmark's layout

_TAG_EDGE = re.compile(r"<(/?)(?!br\b|hr\b|img\b)[a-z]")
_ANY_TAG = re.compile(r"<[^>]*>")
_SPECIAL_TAG = re.compile(
    r'<(/?)h([1-6])>'
    r'|<img src="([^"]*)" alt="([^"]*)"((?: title="[^"]*")?) />'
    r'|<a href="([^"]*)"((?: title="[^"]*")?)>'
)
_REFUSED_LINK = re.compile(r'<a href=""(?: title="[^"]*")?>(.*?)</a>', re.S)
_FOREIGN_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_STEP = {"": 1, "/": -1}
_PARAGRAPH_START = re.compile(r"<p>|<li>(?!\n)")
_TIGHT_END = re.compile(r"</li>|\n<(?:ul|ol|pre|blockquote|h[1-6]|hr|table)\b")
# A tag's end and the text after it, when that text holds a Latin letter: a literal ">" in
# cmark's output only ever ends a tag. (Possessive, so a run without Latin fails fast.) Group 1
# ends at the first Latin letter, where the search for Latin runs can start.
_LATIN_TEXT = re.compile(r">([^<A-Za-z]*+)[A-Za-z][^<]*+")


# Built once: ``nh3.clean`` sets its rules up again on every call, a Cleaner keeps them (the same
# rules; sanitizing a 4 KB article measured 0.12 -> 0.09 ms).
_CLEANER = nh3.Cleaner(tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                       link_rel="noopener noreferrer nofollow", strip_comments=True)


def sanitize(html: str) -> str:
    """Keep only allowed tags, attributes and URL schemes."""
    return _CLEANER.clean(html)


def render(text: str, page_url: str | None = None, *, want_first: bool = True,
           encoded: bytes | None = None) -> tuple[str, str]:
    """Render Markdown to (sanitized HTML, plain text of the first paragraph).

    ``page_url`` is the site path the HTML will be shown at; site-absolute links become relative to it.
    Without ``want_first`` (an article with a summary of its own) the second item is "".
    ``encoded``, when given, is ``text`` in UTF-8 already (see ``cmark.to_html``).
    """
    html, first, whole = unsanitized(text, page_url, want_first, encoded)
    # nh3's answer is known beforehand for HTML in the forms cmark and our passes write (nearly
    # all); not when nesting was bounded, which can leave text where the HTML parser moves it.
    known = as_nh3_would(html) if whole else None
    return (known if known is not None else sanitize(html)), first


def unsanitized(text: str, page_url: str | None, want_first: bool, encoded: bytes | None = None
                ) -> tuple[str, str, bool]:
    """Return the HTML that goes to the sanitizer, the first paragraph's text, and whether nesting was left whole."""
    if encoded is None:
        encoded = _utf8(text)
    html = _parse(text, encoded)
    if encoded is None:  # a lone surrogate: the classes over the text
        wide = _WIDE_SPACE.search(text) is not None
        work = wide or _PASSES_WORK.search(text) is not None
    else:  # the same answers from the UTF-8
        wide = _has_wide_space(text, encoded)
        work = wide or encoded.translate(None, _NOT_LATIN_OR_AMP) != b""
    # Only a numeric entity can bring a control character that was not in the text. (A test for
    # "&" first: a one-character search skips through Persian text, "&#" steps through it.)
    if "&" in text and "&#" in text:
        html = _CONTROLS.sub("\ufffd", html)
    if wide:
        html = _EDGE_SPACE.sub(r"\1\2", html)
    if '<a href=""' in html:
        html = _REFUSED_LINK.sub(r"\1", html)
    html = _rewrite_tags(html, page_url)
    first = first_paragraph(html) if want_first else ""
    if work:  # else no text of the HTML holds a Latin letter (cmark's &lt; &gt; &quot; stay as they are)
        html = _LATIN_TEXT.sub(_isolate_latin, html)
    bounded = _bound_nesting(html)
    whole, html = bounded is html, bounded
    # markdown-it wrote <s>; keep pages as they were. Only strikethrough (~~) writes <del> (raw
    # HTML is shown as text), and "~" is found in the text far faster than "<del>" in the HTML.
    if "~" in text and "<del>" in html:
        html = html.replace("<del>", "<s>").replace("</del>", "</s>")
    return html, first, whole


def _utf8(text: str) -> bytes | None:
    """Return ``text`` in UTF-8, or None if it holds a lone surrogate (which cmark must see checked)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _has_wide_space(text: str, encoded: bytes) -> bool:
    """Tell whether ``text`` (``encoded`` in UTF-8) holds a Unicode space cmark keeps at edges."""
    # A one-byte test first: E1 and E3 start no Persian letter, so the search for their space is rare.
    return ((b"\xe1" in encoded and b"\xe1\x9a\x80" in encoded)
            or (b"\xe3" in encoded and b"\xe3\x80\x80" in encoded)
            or _WIDE_C2.search(encoded) is not None or _WIDE_E2.search(encoded) is not None)


def _parse(text: str, encoded: bytes | None = None) -> str:
    """Render ``text`` (``encoded`` in UTF-8, if known) with cmark, showing any raw HTML in it as text."""
    html = cmark.to_html(text, encoded)
    if cmark.OMITTED not in html:
        return html  # nothing was taken for HTML: every "<" is already text, code or an autolink
    if SENTINEL in text or _PARKED in text:
        text = text.replace(_PARKED, "\ufffd").replace(SENTINEL, _PARKED)
    html = cmark.to_html(_SHIELD.sub(_shield, text))
    if cmark.OMITTED in html:  # not expected; shield every "<" rather than lose text
        html = cmark.to_html(text.replace("<", SENTINEL))
    html = html.replace(SENTINEL, "&lt;").replace(_SENTINEL_IN_URL, "%3C")
    return html.replace(_PARKED, SENTINEL).replace(_PARKED_IN_URL, _SENTINEL_IN_URL)


def _shield(m: re.Match) -> str:
    """Keep an escape sequence; replace a bare ``<`` by the sentinel."""
    return m.group() if m.group()[0] == "\\" else SENTINEL


def _bound_nesting(html: str) -> str:
    """Drop the tags of elements nested deeper than MAX_NESTING, keeping their text."""
    edges = _TAG_EDGE.findall(html)
    if not edges or max(accumulate(map(_STEP.__getitem__, edges))) <= MAX_NESTING:
        return html
    out, kept, pos = [], [], 0
    live = 0  # how many of the open elements keep their tags
    for m in _ANY_TAG.finditer(html):
        tag = m.group()
        if not _TAG_EDGE.match(tag):
            keep = True  # br, hr, img nest nothing
        elif tag[1] == "/":
            keep = kept.pop() if kept else False
            live -= keep
        else:
            keep = live < MAX_NESTING
            kept.append(keep)
            live += keep
        out.append(html[pos:m.start()])
        if keep:
            out.append(tag)
        pos = m.end()
    out.append(html[pos:])
    return "".join(out)


def _rewrite_tags(html: str, page_url: str | None) -> str:
    """Demote and number headings, make images lazy (or alt text), and site links relative."""
    count = 0

    def rewrite(m: re.Match) -> str:
        nonlocal count
        if m.group(2):
            # The page title is the only h1; ids are s1, s2... so never empty and never repeated.
            level = min(int(m.group(2)) + 1, 6)
            if m.group(1):
                return f"</h{level}>"
            count += 1
            return f'<h{level} id="s{count}">'
        if m.group(6) is not None:
            return f'<a href="{_site_link(m.group(6), page_url)}"{m.group(7)}>'
        src, alt, title = m.group(3), m.group(4), m.group(5)
        if not src or (_FOREIGN_SCHEME.match(src) and not src.lower().startswith(("http:", "https:"))):
            return alt  # already escaped by cmark
        return f'<img src="{_site_link(src, page_url)}" alt="{alt}"{title} loading="lazy" decoding="async" />'

    return _SPECIAL_TAG.sub(rewrite, html)


def _site_link(target: str, page_url: str | None) -> str:
    """Turn a site-absolute target (``/topics/x/``) into one relative to the page.

    Written as ``/...`` it would miss the base path of a project site (``/REPO/``).
    """
    if not page_url or not target.startswith("/") or target.startswith("//"):
        return target
    return relative_url(page_url, unescape(target)).replace("&", "&amp;").replace('"', "&quot;")


def _isolate_latin(m: re.Match) -> str:
    """Wrap the Latin runs of a text run in ``<bdi dir="ltr" lang="en">`` so punctuation stays put in RTL."""
    # lang="en": Latin runs in Persian news are mostly names, acronyms and addresses, which an
    # English voice reads far better than the page's Persian one.
    html = m.string
    if html.startswith("<code", html.rfind("<", 0, m.start())):
        return m.group()  # code holds no tags, so text after <code ...> is code
    text = m.group()[1:]
    if "&" not in text:  # nothing to decode, so runs can be wrapped in place
        # No run starts before the first Latin letter (a run starts with one and looks at nothing
        # before it), so the text before it is kept without being scanned again.
        first = m.end(1) - m.start()
        return m.group()[:first] + LATIN_RUN.sub(_bdi, text[first - 1:])
    text = unescape(text)
    out, pos = [">"], 0
    for run in LATIN_RUN.finditer(text):
        out.append(_escape(text[pos:run.start()]))
        out.append(f'<bdi dir="ltr" lang="en">{_escape(run.group())}</bdi>')
        pos = run.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _bdi(run: re.Match) -> str:
    """Wrap one Latin run (already escaped)."""
    # A function, not a template: Python 3.11 expands a \g<0> template in Python, twice as slowly.
    return f'<bdi dir="ltr" lang="en">{run.group()}</bdi>'


def _escape(text: str) -> str:
    """Escape text for HTML as cmark does."""
    if "&" in text or "<" in text or ">" in text or '"' in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return text


def first_paragraph(html: str) -> str:
    """Return the plain text of the first paragraph of cmark's HTML (for summaries)."""
    # An item of a tight list holds a paragraph without <p>; markdown-it counted it, so do we.
    for m in _PARAGRAPH_START.finditer(html):
        end = html.find("</p>", m.end()) if m.group() == "<p>" else _TIGHT_END.search(html, m.end()).start()
        # Line breaks (and the <br /> before one) separate words too.
        text = _ANY_TAG.sub("", html[m.end():end])
        text = " ".join((unescape(text) if "&" in text else text).split())
        if text:
            return text
    return ""
