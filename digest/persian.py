"""Persian text normalization: characters, digits, ZWNJ. Pure functions, no I/O."""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"
KASHIDA = "\u0640"
RLM = "\u200f"

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

_TO_PERSIAN_DIGITS = str.maketrans(LATIN_DIGITS + ARABIC_DIGITS, PERSIAN_DIGITS * 2)
_TO_LATIN_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, LATIN_DIGITS * 2)

# Arabic letter forms that Persian writes differently, plus invisible debris from scraping.
_CHARS = str.maketrans({
    "ي": "ی", "ى": "ی",
    "ك": "ک", "ڪ": "ک",
    "\ufeff": None,          # BOM / zero-width no-break space
    "\u0000": "\ufffd",      # NUL becomes a visible replacement character
    "\u200b": None,          # zero-width space
    "\u00a0": " ",
    KASHIDA: None,      # kashida (tatweel) only stretches letters; it is never part of a word
})

_MULTI_ZWNJ = re.compile(ZWNJ + "{2,}")
_SURROGATES = re.compile("[\ud800-\udfff]")


def to_persian_digits(text: object) -> str:
    """Write every digit of ``text`` in Persian (for visible numbers and dates)."""
    return str(text).translate(_TO_PERSIAN_DIGITS)


def to_latin_digits(text: str) -> str:
    """Write every Persian or Arabic-Indic digit of ``text`` in Latin (for machine values)."""
    return text.translate(_TO_LATIN_DIGITS)


def normalize_chars(text: str) -> str:
    """Map Arabic ي/ك to Persian, drop BOMs, kashidas and zero-width spaces, collapse doubled ZWNJs."""
    text = _SURROGATES.sub("\ufffd", text).translate(_CHARS)
    if ZWNJ in text:
        text = _MULTI_ZWNJ.sub(ZWNJ, text)
    return text


def topic_key(name: str) -> str:
    """Return the key under which spellings of one topic meet (letters, ZWNJ, space, kashida)."""
    text = unicodedata.normalize("NFKC", normalize_chars(name)).casefold()
    return "".join(ch for ch in text if ch not in (ZWNJ, KASHIDA, " ", "\t", "-", "_"))


def has_rtl(text: str) -> bool:
    """Tell whether ``text`` holds any Arabic-script letter."""
    return any("\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff" for ch in text)


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary to at most ``limit`` characters, adding an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip("،,;؛:.") + "…"


# A tiny transliteration, only to give Persian topic names a readable ASCII slug.
_TRANSLIT = str.maketrans({
    "ا": "a", "آ": "a", "أ": "a", "إ": "e", "ب": "b", "پ": "p", "ت": "t", "ث": "s", "ج": "j",
    "چ": "ch", "ح": "h", "خ": "kh", "د": "d", "ذ": "z", "ر": "r", "ز": "z", "ژ": "zh", "س": "s",
    "ش": "sh", "ص": "s", "ض": "z", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "gh",
    "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "و": "v", "ه": "h", "ة": "h", "ی": "i",
    "ئ": "i", "ؤ": "o", "ء": "", ZWNJ: "-", " ": "-",
})


def transliterate(text: str) -> str:
    """Spell Persian letters in Latin ones, roughly; used for fallback slugs only."""
    return to_latin_digits(normalize_chars(text)).translate(_TRANSLIT)
