"""Article Markdown to safe HTML. Pure: text in, sanitized HTML out.

Untrusted text meets three guards: markdown-it's "js-default" preset escapes raw HTML and
refuses script-scheme links; nh3 then keeps only the tags, attributes and URL schemes listed
here; and article text is only ever a template *value*, never a template.

Policy for ``data:`` URLs: none survive, images included (nh3 allows http, https and mailto
only), so a scraped page cannot smuggle content or trackers through them.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

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



def _isolate_latin(state) -> None:
    """Wrap Latin runs of text tokens in ``<bdi dir="ltr" lang="en">`` so punctuation stays put in RTL."""
    # lang="en": Latin runs in Persian news are mostly names, acronyms and addresses, which an
    # English voice reads far better than the page's Persian one.
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        out: list[Token] = []
        for tok in block.children:
            if tok.type != "text" or not LATIN_RUN.search(tok.content):
                out.append(tok)
                continue
            pos = 0
            for m in LATIN_RUN.finditer(tok.content):
                if m.start() > pos:
                    out.append(_text(tok.content[pos:m.start()]))
                out.append(_html('<bdi dir="ltr" lang="en">'))
                out.append(_text(m.group()))
                out.append(_html("</bdi>"))
                pos = m.end()
            if pos < len(tok.content):
                out.append(_text(tok.content[pos:]))
        block.children = out


def _text(content: str) -> Token:
    """Make a text token."""
    tok = Token("text", "", 0)
    tok.content = content
    return tok


def _html(content: str) -> Token:
    """Make an inline HTML token holding markup we wrote ourselves."""
    tok = Token("html_inline", "", 0)
    tok.content = content
    return tok


def _demote_and_number_headings(state) -> None:
    """Shift headings below the page's h1 and give each a unique, never-empty id."""
    n = 0
    for tok in state.tokens:
        if tok.type in ("heading_open", "heading_close"):
            level = min(int(tok.tag[1]) + 1, 6)
            tok.tag = f"h{level}"
            if tok.type == "heading_open":
                n += 1
                tok.attrSet("id", f"s{n}")


def _lazy_images(state) -> None:
    """Load article images lazily; an image whose URL is not http(s) or relative becomes its alt text."""
    for block in state.tokens:
        if not block.children:
            continue
        for i, tok in enumerate(block.children):
            if tok.type != "image":
                continue
            src = str(tok.attrGet("src") or "")
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) and not src.lower().startswith(("http:", "https:")):
                block.children[i] = _text(tok.content)
                continue
            tok.attrSet("loading", "lazy")
            tok.attrSet("decoding", "async")


def _site_links(state) -> None:
    """Turn site-absolute links (``/topics/x/``) into links relative to the article's page.

    Written as ``/...`` they would miss the base path of a project site (``/REPO/``).
    """
    page = state.env.get("page_url") if isinstance(state.env, dict) else None
    if not page:
        return
    for block in state.tokens:
        for tok in (block.children or ()):
            attr = "href" if tok.type == "link_open" else "src" if tok.type == "image" else None
            target = str(tok.attrGet(attr) or "") if attr else ""
            if target.startswith("/") and not target.startswith("//"):
                tok.attrSet(attr, relative_url(page, target))


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """Return the shared Markdown parser (raw HTML off, nesting bounded)."""
    md = MarkdownIt("js-default", {"maxNesting": MAX_NESTING}).enable("table").enable("strikethrough")
    md.core.ruler.push("isolate_latin", _isolate_latin)
    md.core.ruler.push("headings", _demote_and_number_headings)
    md.core.ruler.push("lazy_images", _lazy_images)
    md.core.ruler.push("site_links", _site_links)
    return md


def sanitize(html: str) -> str:
    """Keep only allowed tags, attributes and URL schemes."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def render(text: str, page_url: str | None = None) -> tuple[str, str]:
    """Render Markdown to (sanitized HTML, plain text of the first paragraph).

    ``page_url`` is the site path the HTML will be shown at; site-absolute links become relative to it.
    """
    md = parser()
    env = {"page_url": page_url}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return sanitize(html), first_paragraph(tokens)


def first_paragraph(tokens: list[Token]) -> str:
    """Return the plain text of the first paragraph (for summaries)."""
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and i + 1 < len(tokens):
            inline = tokens[i + 1]
            # A line break inside the paragraph separates words too.
            parts = [" " if c.type in ("softbreak", "hardbreak") else c.content
                     for c in inline.children or () if c.type in ("text", "code_inline", "softbreak", "hardbreak")]
            text = " ".join("".join(parts).split())
            if text:
                return text
    return ""
