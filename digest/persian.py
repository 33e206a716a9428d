"""Persian text normalization: characters, digits, ZWNJ. Pure functions, no I/O."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from . import normtokens
from .affixes import WORD_RE, join_affixes  # noqa: F401 (importable from here, as before)
from .normopts import NormalizeOptions
from .punctuation import fix_punctuation as _fix_punctuation
# The restorer lives in its own module; these names stay importable from here.
from .zwnj import LETTERS as _LETTERS
from .zwnj import MARKS as _MARKS
from .zwnj import NON_JOINING, ZWNJ, has_ambiguous, restore_zwnj, silent_end  # noqa: F401
from .zwnj import RESTORED as _RESTORED  # benchmarks clear it too
from .zwnj import lexicon as _lexicon

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

_CHAR_KEYS = tuple(map(chr, _CHARS))
# Without NUL: in UCS-2 text a search for it cannot use memchr, and takes as long as the other eight.
_CHAR_KEYS_BUT_NUL = tuple(key for key in _CHAR_KEYS if key != "\0")
_CHARS_PRESENT = re.compile("[" + "".join(re.escape(chr(c)) for c in _CHARS) + "\ud800-\udfff]")
# A run of Latin text inside Persian: words plus the spaces, digits and URL punctuation between them.
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9@._:/?&=#%+~'’\-]*(?:[ ,][A-Za-z0-9@._:/?&=#%+~'’\-]*[A-Za-z0-9/])*")
_MULTI_ZWNJ = re.compile(ZWNJ + "{2,}")
_ZWNJ_PAIR = re.compile(ZWNJ + ZWNJ)  # _MULTI_ZWNJ's test: a literal, searched far faster
_SURROGATES = re.compile("[\ud800-\udfff]")


def to_persian_digits(text: object) -> str:
    """Write every digit of ``text`` in Persian (for visible numbers and dates)."""
    return str(text).translate(_TO_PERSIAN_DIGITS)


def to_latin_digits(text: str) -> str:
    """Write every Persian or Arabic-Indic digit of ``text`` in Latin (for machine values)."""
    return text.translate(_TO_LATIN_DIGITS)


def normalize_chars(text: str, *, valid: bool = False, nul: bool = True) -> str:
    """Map Arabic ي/ك to Persian, drop BOMs, kashidas and zero-width spaces, collapse doubled ZWNJs.

    ``valid`` promises that ``text`` holds no lone surrogate (it was decoded from valid UTF-8),
    ``nul=False`` that it holds no NUL (its bytes had no zero byte: a test of bytes is cheaper).
    """
    # str.translate walks every character in Python-level lookups; most text needs none of it.
    if valid:
        # A substring test per character scans a 6 KB article several times faster than one
        # search for a class of characters does.
        if any(map(text.__contains__, _CHAR_KEYS if nul else _CHAR_KEYS_BUT_NUL)):
            text = text.translate(_CHARS)
    elif _CHARS_PRESENT.search(text):
        text = _SURROGATES.sub("\ufffd", text).translate(_CHARS)
    # The engine looks for a literal's first character and compares the rest there; the
    # substring test for a two-ZWNJ needle steps through Persian text (4x slower, 12 against 3 us).
    if _ZWNJ_PAIR.search(text):
        text = _MULTI_ZWNJ.sub(ZWNJ, text)
    return text


@lru_cache(maxsize=4096)  # a site has few topic spellings and asks for each one per article
def topic_key(name: str) -> str:
    """Return the key under which spellings of one topic meet (letters, ZWNJ, space, kashida)."""
    text = unicodedata.normalize("NFKC", normalize_chars(name)).casefold()
    return "".join(ch for ch in text if ch not in (ZWNJ, KASHIDA, " ", "\t", "-", "_"))


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


# ---------------------------------------------------------------------------------------------
# The normalizer: one entry point, ``normalize``, made of switchable steps.
# ---------------------------------------------------------------------------------------------

DEFAULT_OPTIONS = NormalizeOptions()


_LETTER_OR_MARK = re.compile(f"[{_LETTERS}{_MARKS}]")

# Spans no step may change. Each is swapped for a private-use placeholder character while the
# steps run, then put back. URLs, e-mail addresses and code are found first, anywhere in the
# text (so a letter glued before "https://" cannot hide the URL on a second pass); Latin words
# and digit machine values second. Placeholders already in the input are stashed as themselves.
_PLACEHOLDER = "\ue000"         # first kind: URL, e-mail, code
_PLACEHOLDER_2 = "\ue001"       # second kind: Latin words, digit values
_PROTECTED_ANYWHERE = re.compile(
    # The look-ahead names every character a match can start with, so the engine skips Persian
    # text at once instead of trying each alternative at every position (2.3x faster here).
    r"(?=[`a-z0-9._%+\-\ue000\ue001])(?:"
    r"```.*?```"                                            # fenced code
    r"|`[^`\n]+`"                                           # inline code
    r"|(?:[a-z][a-z0-9+.\-]*://|www\.)"                     # URLs, up to a space or Persian
    r"[^\s«»،؛؟<>\"']*[^\s«»،؛؟<>\"'.,;:!?)]"                # punctuation; no trailing dot
    r"|[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"  # e-mail addresses
    r"|[\ue000\ue001])",
    re.IGNORECASE | re.DOTALL,
)
_PROTECTED_ANYWHERE_HINTS = ("`", "://", "www.", "WWW.", "@", _PLACEHOLDER, _PLACEHOLDER_2)
# Latin words and digit machine values: runs of ASCII letters and digits joined by connectors
# (2024-11-22T19:45, G5, 1403/09, 19:45, 3.14, 12,500). A bare digit run (a number) is not
# protected. The pattern starts with a plain character class, which lets the regex engine
# skip quickly over Persian text.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9_]+(?:[\-.:/+#%&=?~@',][A-Za-z0-9_]+)*")

# --- characters -------------------------------------------------------------------------------
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")
# Lone surrogates, presentation forms and Arabic-Indic digits are rare: one scan for all three
# lets most texts skip the three separate ones.
_RARE = re.compile("[\ud800-\udfff\ufb50-\ufdff\ufe70-\ufefe\u0660-\u0669]")
# str.replace per character present beats str.translate, which is slow on non-ASCII text.
_CHAR_REPLACEMENTS = (
    ("ي", "ی"), ("ى", "ی"), ("ك", "ک"), ("ڪ", "ک"), ("\u00a0", " "), ("\u0000", "\ufffd"),
)
_INVISIBLE = (KASHIDA, "\ufeff", "\u200b")
# Next to a protected span, invisible characters stay, for the same reason as ZWNJs do (see
# _JOINABLE): deleting one between two spans would fuse them.
_INVISIBLE_AWAY_FROM_SPANS = re.compile("(?<!\ue000)[\u0640\u200b\ufeff](?!\ue000)")

# --- digits -----------------------------------------------------------------------------------
_ARABIC_DIGIT = re.compile("[\u0660-\u0669]")
_ARABIC_TO_PERSIAN = str.maketrans(ARABIC_DIGITS, PERSIAN_DIGITS)
_LATIN_NUMBER = re.compile("[0-9]+")

# --- ZWNJ cleanup -----------------------------------------------------------------------------
# Placeholders count as letters: deleting a ZWNJ between two protected spans would fuse them,
# and a second pass would then find different spans (an e-mail address swallowing a URL).
_JOINABLE = f"[^\\W\\d_]|[{_MARKS}\ue000\ue001]"
_MULTI_ZWNJ_RUN = re.compile("\u200c\u200c+")
_ZWNJ_NOT_BEFORE_LETTER = re.compile(f"\u200c(?!{_JOINABLE})")

def _fix_chars(text: str, rare: bool = True) -> str:
    if rare and _PRESENTATION.search(text):
        text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    if any(ch in text for ch in _INVISIBLE):
        if _PLACEHOLDER in text:
            text = _INVISIBLE_AWAY_FROM_SPANS.sub("", text)
        else:
            for ch in _INVISIBLE:
                text = text.replace(ch, "")
    for old, new in _CHAR_REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    return text


def _fix_digits(text: str, rare: bool = True) -> str:
    if rare and _ARABIC_DIGIT.search(text):
        text = text.translate(_ARABIC_TO_PERSIAN)
    return _LATIN_NUMBER.sub(_persian_digits_in_word, text)


def _persian_digits_in_word(match: re.Match[str]) -> str:
    # Digits touching a Persian letter belong to a word (سال2019); free-standing ones are numbers.
    text, start, end = match.string, match.start(), match.end()
    if (start and _LETTER_OR_MARK.match(text, start - 1)) or _LETTER_OR_MARK.match(text, end):
        return match.group().translate(_TO_PERSIAN_DIGITS)
    return match.group()


def _clean_zwnj(text: str) -> str:
    text = _MULTI_ZWNJ_RUN.sub(ZWNJ, text)
    text = _ZWNJ_NOT_BEFORE_LETTER.sub("", text)
    # The same rule on the reversed text removes ZWNJs not preceded by a letter, without a
    # look-behind that would slow every position of the scan.
    return _ZWNJ_NOT_BEFORE_LETTER.sub("", text[::-1])[::-1]


def _stash_anywhere(text: str, spans: list[str]) -> str:
    """Swap URLs, e-mail addresses, code and placeholders for ``_PLACEHOLDER``, keeping them in ``spans``."""
    if not any(hint in text for hint in _PROTECTED_ANYWHERE_HINTS):
        return text

    def keep(match: re.Match[str]) -> str:
        """Remember one span and put the placeholder in its place."""
        spans.append(match.group())
        return _PLACEHOLDER
    return _PROTECTED_ANYWHERE.sub(keep, text)


def _stash_words(text: str, spans: list[str]) -> str:
    """Swap Latin words and digit machine values for ``_PLACEHOLDER_2``, keeping them in ``spans``."""
    def keep(match: re.Match[str]) -> str:
        """Remember a Latin word or machine value; leave a bare number alone."""
        token = match.group()
        if token.isdigit() or token == "_" * len(token):
            return token
        spans.append(token)
        return _PLACEHOLDER_2
    return _ASCII_TOKEN.sub(keep, text)


def _unstash(text: str, placeholder: str, spans: list[str]) -> str:
    parts = text.split(placeholder)
    out = [parts[0]]
    for kept, part in zip(spans, parts[1:]):
        out += (kept, part)
    return "".join(out)


def normalize(text: str, options: NormalizeOptions | None = None) -> str:
    """Normalize Persian ``text``: characters, digits, punctuation spacing and ZWNJs (see NormalizeOptions)."""
    if text.isascii():
        return text  # no step changes pure ASCII; this keeps Latin-only inputs free
    opts = options or DEFAULT_OPTIONS
    # Same answer as normalize_steps, from a cache of whole space-separated tokens (see
    # normtokens). Without restoration the steps are cheap enough that a cold cache loses.
    return _TOKENS.normalize(text, opts) if opts.restore_zwnj else normalize_steps(text, opts)


def normalize_steps(text: str, options: NormalizeOptions | None = None) -> str:
    """Normalize ``text`` step by step over the whole text: the reference ``normalize`` must equal."""
    if text.isascii():
        return text
    opts = options or DEFAULT_OPTIONS
    work, first, second = _prepare(text, opts)
    return _finish(work, opts, first, second, punctuate=True, join=True)


def _prepare(text: str, opts: NormalizeOptions) -> tuple[str, list[str], list[str]]:
    """Run the steps before punctuation; return the work text and the two lists of stashed spans."""
    # No step creates a rare character, so an answer for the input holds for every step.
    rare = _RARE.search(text) is not None
    if rare and _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    first: list[str] = []
    second: list[str] = []
    work = _stash_anywhere(text, first)
    return _prepare_stashed(work, rare, opts, second), first, second


def _prepare_stashed(work: str, rare: bool, opts: NormalizeOptions, second: list[str]) -> str:
    """Run the steps before punctuation that follow the first stash on ``work``, keeping Latin words in ``second``."""
    if opts.characters:
        work = _fix_chars(work, rare)
    # Latin words are found only after the character step, which may delete a kashida or a
    # zero-width space between two of them; found earlier, a second pass would see other words.
    work = _stash_words(work, second)
    if opts.zwnj_cleanup and ZWNJ in work:
        work = _clean_zwnj(work)
    if opts.digits:  # after the cleanup, which can bring a digit next to a letter
        work = _fix_digits(work, rare)
    return work


def _finish(work: str, opts: NormalizeOptions, first: list[str], second: list[str], *,
            punctuate: bool, join: bool) -> str:
    """Run punctuation (if ``punctuate``), restoration and affix joining (if ``join``), then unstash."""
    if punctuate and opts.punctuation:
        work = _fix_punctuation(work)
    if opts.restore_zwnj:
        work = restore_zwnj(work)
    if join and opts.join_affixes:
        work = join_affixes(work)
    if second:
        work = _unstash(work, _PLACEHOLDER_2, second)
    if first:
        work = _unstash(work, _PLACEHOLDER, first)
    return work


# A word of Persian letters (single ZWNJs inside, no ي ى ك ڪ, no marks) or a number in Persian
# digits, with « ( " before and closing punctuation after: the shape of most tokens. No step but
# restoration changes one, and restoration sees the word as one run (see _token_entry).
# The letters are zwnj.LETTERS less ك ى ي ڪ, which the character step rewrites.
_LETTERS_KEPT = ("\u0621-\u063a\u0641\u0642\u0644-\u0648\u066e\u066f\u0671-\u06a9\u06ab-\u06d3"
                 "\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff")
_PLAIN_TOKEN = re.compile(f'([«("]*)(?:([{_LETTERS_KEPT}]+(?:\u200c[{_LETTERS_KEPT}]+)*)|[۰-۹]+)'
                          '([.،:؛؟!»)\\]"]*)')
# The same with Markdown's emphasis stars next to the word, inside those marks (a star before «
# or after ، would gain a space); tried only when a token holds a star, so other tokens pay nothing.
_STARRED_TOKEN = re.compile(f'([«("]*\\**)(?:([{_LETTERS_KEPT}]+(?:\u200c[{_LETTERS_KEPT}]+)*)|[۰-۹]+)'
                            '(\\**[.،:؛؟!»)\\]"]*)')
_ARABIC_LETTERS = re.compile("[يىكڪ]")


def plain_token(token: str) -> re.Match[str] | None:
    """Return the match of ``token`` as a plain token (head, word, tail), or None."""
    plain = _PLAIN_TOKEN.fullmatch(token)
    return _STARRED_TOKEN.fullmatch(token) if plain is None and "*" in token else plain


def _token_entry(token: str, opts: NormalizeOptions) -> tuple[str, str, int]:
    """Normalize one space-free token alone (affixes not joined) and note what its neighbours could change."""
    if token.isascii() and "\0" not in token:
        # Latin words, URLs and numbers are stashed and put back; punctuation needs Persian marks.
        return token, token, 0
    plain = _PLAIN_TOKEN.fullmatch(token)  # (plain_token inlined: real news has many new tokens)
    if plain is None and "*" in token:
        plain = _STARRED_TOKEN.fullmatch(token)
    if plain is None and opts.characters and _ARABIC_LETTERS.search(token):
        fixed = _fix_chars(token)  # ي ك and kin are all the character step changes in such a token
        plain = plain_token(fixed)
        token = fixed if plain else token
    if plain:
        # The steps before restoration leave such a token as it is (no character to map, no
        # Latin, no ZWNJ out of place, no space for the punctuation rules).
        head, word, tail = plain.groups()
        out, unsafe = token, 0
        if word and opts.restore_zwnj:
            # One run for the restorer: its answer is the word cache's, unless read in context.
            out = head + _RESTORED[word] + tail
            unsafe = normtokens.UNSAFE if word in _lexicon().context else 0
        return out, token, unsafe | normtokens.affix_flags(out) if opts.join_affixes else unsafe
    return _stashed_entry(token, opts)


def _stashed_entry(token: str, opts: NormalizeOptions, spans_only: bool = False) -> tuple[str, str, int] | None:
    """Return ``_token_entry`` of a token of unusual shape (None if ``spans_only`` and it has no URL,
    address or code span)."""
    # The first stash is all that depends on a URL's or an address's text: the steps after it
    # see only the placeholder, so tokens that differ only there (``word](https://...)``, a new
    # one per link) share one run of those steps.
    rare = _RARE.search(token) is not None
    text = _SURROGATES.sub("\ufffd", token) if rare and _SURROGATES.search(token) else token
    first: list[str] = []
    work = _stash_anywhere(text, first)
    if not first:  # nothing to share: the token cache remembers this token itself
        if spans_only:
            return None
        out, before_punctuation, ambiguous = _after_stash(work, rare, opts)
        return _entry(out, before_punctuation, ambiguous, opts)
    key = (work, rare, opts)
    known = _STASHED.get(key)
    if known is None:
        if len(_STASHED) >= 100_000:
            _STASHED.clear()  # a guard against unbounded growth on odd input
        known = _STASHED[key] = _after_stash(work, rare, opts)
    out, before_punctuation, ambiguous = known
    out = _unstash(out, _PLACEHOLDER, first)
    # Affixes are joined over the tokens with spans unstashed, which is the same only when no
    # protected span holds a letter it could join to (a URL with a Persian path); the context
    # step reads neighbouring words.
    unsafe = ambiguous or not all(span.isascii() for span in first)
    return _entry(out, before_punctuation, unsafe, opts)


# Answers of the steps after the first stash, by (text after it, whether rare characters occur, options).
_STASHED: dict[tuple[str, bool, NormalizeOptions], tuple[str, str, bool]] = {}


def _after_stash(work: str, rare: bool, opts: NormalizeOptions) -> tuple[str, str, bool]:
    """Return a stashed token's answer (first placeholders kept), its text before punctuation, and
    whether the context step would read its neighbours."""
    second: list[str] = []
    work = _prepare_stashed(work, rare, opts, second)
    before_punctuation = work
    if opts.punctuation:
        work = _fix_punctuation(work)
    ambiguous = bool(opts.restore_zwnj and has_ambiguous(work))
    return _finish(work, opts, [], second, punctuate=False, join=False), before_punctuation, ambiguous


def _token_entries(tokens: list[str], opts: NormalizeOptions) -> list[tuple[str, str, int]]:
    """Return ``_token_entry`` of each of ``tokens`` (none holding a line break), sharing the passes.

    Tokens of unusual shape, which would each take every step alone, are normalized together as
    one text with a line break between them: no step reaches across a line break (see
    normtokens), so each one's answer is its line of the answer.
    """
    odd = [token for token in tokens if not (token.isascii() or _PLAIN_TOKEN.fullmatch(token)
                                             or ("*" in token and _STARRED_TOKEN.fullmatch(token)))]
    # Tokens with a span go alone through the remembered steps (they differ mostly in the span:
    # a link's address); the rest are batched.
    alone: dict[str, tuple[str, str, int]] = {}
    # Only URLs and addresses reach here (code and placeholders take the whole-text path), and
    # a token that only looks like one is batched: the two paths give the same answer.
    for token in odd:
        if "://" not in token and "@" not in token:
            continue
        found = _stashed_entry(token, opts, spans_only=True)
        if found is not None:
            alone[token] = found
    if alone:
        odd = [token for token in odd if token not in alone]
    batch = _batch_entries(odd, opts) if len(odd) > 1 else None
    if batch is not None:
        alone.update(batch)
    return [alone[token] if token in alone else _token_entry(token, opts) for token in tokens]


def _batch_entries(tokens: list[str], opts: NormalizeOptions) -> dict[str, tuple[str, str, int]] | None:
    """Return ``_token_entry`` of each of ``tokens`` from one pass of the steps, or None if one is unsafe."""
    work, first, second = _prepare("\n".join(tokens), opts)
    if not all(span.isascii() for span in first):
        return None
    befores = work.split("\n")
    if opts.punctuation:
        work = _fix_punctuation(work)
    if opts.restore_zwnj and has_ambiguous(work):
        return None
    outs = _finish(work, opts, first, second, punctuate=False, join=False).split("\n")
    return {token: _entry(out, before, False, opts) for token, out, before in zip(tokens, outs, befores)}


def _entry(out: str, before_punctuation: str, unsafe: bool, opts: NormalizeOptions) -> tuple[str, str, int]:
    """Bundle a token's answer with its flags for the token cache."""
    flags = normtokens.UNSAFE if unsafe else 0
    return out, before_punctuation, flags | normtokens.affix_flags(out) if opts.join_affixes else flags


_TOKENS = normtokens.TokenCache(_token_entry, _token_entries, lambda opts: opts.join_affixes, normalize_steps)
