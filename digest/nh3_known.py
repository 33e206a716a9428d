"""What nh3 makes of HTML written only in forms it is known to keep, computed without running it.

Pure. ``markup.render`` hands its HTML to nh3, the last guard, and nh3 parses it into a tree,
filters the tree and writes it out again: about a tenth of the cost of reading an article.
Nearly every article's HTML is made of a handful of forms that cmark and our own passes write,
and nh3 writes each of them back unchanged, but for three things:

- a link gets ``rel="noopener noreferrer nofollow"`` after its attributes;
- a void element loses its slash: ``<br />`` becomes ``<br>``;
- a quotation mark in text, which cmark writes ``&quot;``, is written ``"``.

``as_nh3_would`` returns that result for such HTML, and None for anything else, which then goes to
nh3 as before. Whatever it accepts is safe on its own terms: every tag is one of a fixed list,
with fixed attributes or attribute values of a strict form; link and image targets are relative or
plain ``http``, ``https`` or ``mailto`` ones; text holds no ``<`` or ``>``. And it is what nh3
would write: the tests compare the two on every form and on random Markdown.
"""

from __future__ import annotations

import re

REL = ' rel="noopener noreferrer nofollow"'

# Tags nh3 writes back as they are. (cmark writes tables' alignment to a style attribute, code
# blocks' language to a class: both are dropped by nh3, so those tags are not here.)
_AS_THEY_ARE = frozenset(
    f"<{slash}{name}>"
    for name in ("p", "strong", "em", "b", "i", "s", "sub", "sup", "blockquote", "ul", "ol", "li",
                 "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "bdi")
    for slash in ("", "/")
) | {f"</{name}>" for name in ("a", "h2", "h3", "h4", "h5", "h6")} | {'<bdi dir="ltr" lang="en">'}
_VOID = frozenset({"<br />", "<hr />"})   # nh3 writes "<br>", "<hr>"

# A target nh3 keeps as it is. Only a plain form of each kind: anything that nh3's URL parser might
# refuse (an IP address, a port, user info, another scheme, a character that needs quoting) is
# left to nh3, and so is a host with a label in punycode ("xn--"), which the parser decodes and
# checks. Relative targets are those that do not start with a scheme.
_URL_CHAR = r"(?:[!#-%'-;=?-~]|&amp;)"
_HOST = r"(?![^/?#\"]*[Xx][Nn]--)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z][A-Za-z0-9-]*"
_URL = (r"(?:https?://" + _HOST + r"(?:[/?#]" + _URL_CHAR + "*)?"
        r"|mailto:" + _URL_CHAR + "+"
        r"|(?![A-Za-z][A-Za-z0-9+.\-]*:)" + _URL_CHAR + "*)")
_VALUE = r'(?:[^"&<>]|&(?:amp|lt|gt);)*'
_LINK = re.compile(f'<a href="{_URL}"(?: title="{_VALUE}")?>')
_IMAGE = re.compile(f'<img src="{_URL}" alt="{_VALUE}"(?: title="{_VALUE}")? loading="lazy" decoding="async" />')
_NUMBERED = re.compile(r'<h[2-6] id="s[0-9]{1,6}">|<ol start="[0-9]{1,9}">')
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot);")


def as_nh3_would(html: str) -> str | None:
    """Return what nh3 would make of ``html`` if it holds only forms known to be kept, else None."""
    # Text that nh3 would write otherwise: a no-break space (nh3 writes &nbsp;), a carriage return
    # (a line feed), a NUL.
    if "\xa0" in html or "\r" in html or "\0" in html:
        return None
    tags = _TAG.findall(html)
    # Every "<" and ">" belongs to a tag: text holds none, which nh3 would escape. (A "<" in text
    # before the last ">" makes a "tag" of itself and what follows, and no form below holds a "<".)
    if html.count(">") != len(tags) or html.rfind("<") > html.rfind(">"):
        return None
    amp = "&" in html
    if amp and html.count("&") != len(_ENTITY.findall(html)):
        return None
    distinct = set(tags)
    if "<pre>" in distinct and "<pre>\n" in html:   # the HTML parser drops a line feed after <pre>
        return None
    links, void = [], False
    for tag in distinct:
        if tag in _AS_THEY_ARE or _NUMBERED.fullmatch(tag):
            continue
        if tag in _VOID:
            void = True
        elif tag.startswith("<a ") and _LINK.fullmatch(tag):
            links.append(tag)
        elif tag.startswith("<img ") and _IMAGE.fullmatch(tag):
            void = True
        else:
            return None
    for tag in links:   # a tag's text ends at its ">", so it is found nowhere but as that tag
        html = html.replace(tag, tag[:-1] + REL + ">")
    if void:   # " />" ends only a void element: no text or attribute value holds ">"
        html = html.replace(" />", ">")
    if amp and "&quot;" in html:   # only in text (no attribute value above holds one): nh3 writes '"'
        html = html.replace("&quot;", '"')
    return html
