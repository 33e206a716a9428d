"""Punctuation spacing in Persian text: the ``punctuation`` step of ``digest.persian.normalize``.

No space before ، ؛ ؟ and one after (none inside a number: ۱۲،۵); « and » hug what they quote,
with a space outside them; no space between a Persian word and a following . : !
"""

from __future__ import annotations

import re

from .zwnj import LETTERS

_LETTER_ONLY = re.compile(f"[{LETTERS}]")

_SPACE_BEFORE = re.compile("[ \t]+(?=[،؛؟»])")
_SPACE_BEFORE_PAIRS = tuple(space + mark for space in " \t" for mark in "،؛؟»")
_SPACE_AFTER_OPEN = re.compile("«[ \t]+")
# A separator followed by anything that is not a space or more closing punctuation gets one space.
_AFTER_SEPARATOR = re.compile("([،؛؟])[ \t]*(?=[^\\s،؛؟!?.:»)\\]}…,;\"'])")
_BEFORE_OPEN = re.compile("«")
_NO_SPACE_BEFORE_OPEN = frozenset(" \t\n\r\f\v«([{/-–—\"'")
_AFTER_CLOSE = re.compile("»(?=[^\\s«»)\\]}،؛؟.!?:…,;\"'/\\-–—])")
# A full stop, colon or exclamation mark is pulled back onto the Persian word before it.
_SPACE_BEFORE_STOP = re.compile(" +(?=[.:!](?:\\s|$))")
_DIGIT = re.compile("[0-9\u06f0-\u06f9\u0660-\u0669]")


def _space_after_separator(match: re.Match[str]) -> str:
    # A comma between two digits with no space is a number's separator, not a pause.
    start, end = match.start(), match.end()
    text = match.string
    if end == start + 1 and start > 0 and _DIGIT.match(text, start - 1) and _DIGIT.match(text, end):
        return match.group()
    return match.group(1) + " "


def _space_before_open(match: re.Match[str]) -> str:
    start = match.start()
    if start and match.string[start - 1] not in _NO_SPACE_BEFORE_OPEN:
        return " «"
    return "«"


def _pull_stop_back(match: re.Match[str]) -> str:
    start = match.start()
    if start and _LETTER_ONLY.match(match.string, start - 1):
        return ""
    return match.group()


def fix_punctuation(text: str) -> str:
    """Space ، ؛ ؟ « » . : ! the Persian way (see the module docstring)."""
    # Each rule runs only when its trigger is present: cheap substring tests skip most of them.
    if any(pair in text for pair in _SPACE_BEFORE_PAIRS):
        text = _SPACE_BEFORE.sub("", text)
    if "«" in text:
        if "« " in text or "«\t" in text:
            text = _SPACE_AFTER_OPEN.sub("«", text)
        text = _BEFORE_OPEN.sub(_space_before_open, text)
    if "»" in text:
        text = _AFTER_CLOSE.sub("» ", text)
    if " ." in text or " :" in text or " !" in text:
        text = _SPACE_BEFORE_STOP.sub(_pull_stop_back, text)
    return _AFTER_SEPARATOR.sub(_space_after_separator, text)
