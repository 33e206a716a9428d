"""The token cache must give exactly the step-by-step answer.

``normalize`` answers from a cache of space-separated tokens (``digest.normtokens``);
``normalize_steps`` runs every step over the whole text, as the normalizer always did, and is the
reference here. Every Persian fragment below was written for these tests.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import persian
from digest.persian import ZWNJ, NormalizeOptions, normalize, normalize_steps

Z = ZWNJ
STEPS = [f.name for f in dataclasses.fields(NormalizeOptions)]
OPTIONS = st.builds(NormalizeOptions, **{name: st.booleans() for name in STEPS})

# Pieces chosen to meet every rule at a token's edge: spaced affixes and the stems and verbs they
# join, punctuation with and without spaces around, line breaks, tabs and no-break spaces, what
# the character step deletes or rewrites, and protected spans.
PIECES = st.sampled_from([
    "کتاب", "خانه", "بزرگ", "نامه", "رفته", "درخت", "ها", "های", "هایی", "تر", "ترین", "ای", "اند",
    "ام", "می", "نمی", "شود", "رود", "دانم", "کمی", "اسلامی", "میافزاید", "رئیسجمهور", "گفتوگو",
    "او", "كتاب", "علي", "مي", "بـــورس", "ﻛﺘﺎﺏ", "\ufdfa", "Hello", "G5", "2024-11-22",
    "https://x.ir/1403/09", "a@b.ir", "١٩", "۱۲", "12", "3.14", "،", "؛", "؟", "«", "»", ".", ":", "!",
    "(", ")", "\"", "*", "/", Z, Z + Z, " ", "  ", "   ", "\n", "\n\n", "\t", "\u00a0", "\u200b",
    "\ufeff", "\u0640", "\u0000", "\u064e",
])
# What sends a whole text down the step-by-step path: code, placeholders, a URL with Persian
# letters, a form the restorer reads in context.
WHOLE = st.sampled_from(["`code`", "```\nمی شود\n```", "\ue000", "\ue001", "https://x.ir/خبر", "حرفهای"])
TEXTS = st.lists(PIECES, max_size=40).map("".join)
# Spaces between words, as in running text, with the same pieces.
SENTENCES = st.lists(PIECES, max_size=40).map(" ".join)
RANDOM = st.lists(st.sampled_from(
    list("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكىءآئ۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩019azAZ،؛؟«».:!()\"/-@ \t\n")
    + [Z, "\u0640", "\ufedb", "\u00a0", "می", "ها", " ،", "« ", " :"]), max_size=80).map("".join)
WITH_WHOLE = st.tuples(TEXTS, WHOLE, SENTENCES).map(" ".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(TEXTS, SENTENCES, RANDOM, WITH_WHOLE))
def test_token_cache_equals_the_step_by_step_path(text):
    assert normalize(text) == normalize_steps(text)


@settings(max_examples=600, deadline=None)
@given(st.one_of(TEXTS, SENTENCES, RANDOM, WITH_WHOLE), OPTIONS)
def test_token_cache_equals_the_step_by_step_path_for_any_steps(text, options):
    assert normalize(text, options) == normalize_steps(text, options)
    # normalize takes the cache only when restoration is on; the cache itself must hold for all.
    if not text.isascii():
        assert persian._TOKENS.normalize(text, options) == normalize_steps(text, options)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(TEXTS, SENTENCES), min_size=2, max_size=6))
def test_token_cache_reused_across_texts(texts):
    # The second time round every token comes from the cache, units and line parts included.
    for _ in range(2):
        for text in texts:
            assert normalize(text) == normalize_steps(text)


@pytest.mark.parametrize("text, expected", [
    ("کتاب ، دفتر", "کتاب، دفتر"),                        # the space before a separator goes
    ("او گفت : « باران »", "او گفت: «باران»"),           # before a colon, inside the quotes
    ("اول،  دوم", "اول، دوم"),                            # spaces after a separator become one
    ("اول،\t دوم", "اول، دوم"),
    ("اول، \tدوم", "اول، دوم"),
    ("پایان .\nآغاز", "پایان.\nآغاز"),
    ("کتاب\u00a0، دفتر", "کتاب، دفتر"),                    # a no-break space is a space
    ("کتاب \u0640، دفتر", "کتاب، دفتر"),                   # a kashida between goes first
    ("کتاب " + Z + "، دفتر", "کتاب، دفتر"),               # and so does a stray ZWNJ
    ("این کار می شود", "این کار می" + Z + "شود"),         # a prefix joins across the space
    ("این کار کمی شود", "این کار کمی شود"),               # not at the end of a longer word
    ("کتاب ها", "کتاب" + Z + "ها"),                      # a suffix joins to a known stem
    ("می\nشود", "می\nشود"),                               # never across a line break
    ("گفت،می شود", "گفت، می" + Z + "شود"),                # the answer of a token holds a space
    ("https://x.ir/کتاب ها", "https://x.ir/کتاب ها"),     # a URL's Persian letters are no stem
    ("مربی حرفهای است", "مربی حرفه" + Z + "ای است"),      # read in context: whole-text path
    ("`می شود` و می شود", "`می شود` و می" + Z + "شود"),   # code: whole-text path
])
def test_cases_where_tokens_meet(text, expected):
    assert normalize_steps(text) == expected
    assert normalize(text) == expected
    assert normalize(text) == expected  # again, from the cache


def test_blank_and_odd_tokens():
    for text in [" ", "  ،", "،  ", "\t«\t", "«", "» ", " .", "\n", "\n \n", "\u00a0\u00a0،", "\u0000 ها"]:
        assert normalize(text) == normalize_steps(text), repr(text)


@pytest.mark.parametrize("whole", ["`", "\ue000", "\ue001"])
def test_a_text_of_cached_words_with_a_whole_text_character_takes_the_whole_path(whole):
    # A text whose tokens are all cached as their own answers comes back as it is; a text of the
    # same words with a code mark or a placeholder must still take the step-by-step path.
    words = "او گفت که کتاب ها را می خواند"
    assert normalize(words) == normalize_steps(words)
    for text in (f"{words} {whole}", f"{whole}{words}{whole}", words.replace(" ", f" {whole}", 2)):
        assert normalize(text) == normalize_steps(text)


# Tokens that differ only in a protected span share the steps after the first stash
# (persian._STASHED): links in Markdown, addresses glued to words, spans that are not ASCII.
LINK_WORDS = st.sampled_from(["گزارش", "ويژه", "میخواهم", "حرفهای", "کتابها", "«خبر", "سال2024", "۱۲", "", "ﻛﺘﺎﺏ"])
SPANS = st.sampled_from(["https://a.ir/x/1", "https://a.ir/x/2", "www.b.com/y", "c@d.ir", "https://a.ir/خبر",
                         "https://a.ir/\ud800", "`کد`", "https://a.ir/x."])
LINKS = st.tuples(LINK_WORDS, st.sampled_from(["](", "(", "", Z, "\u0640", " "]), SPANS,
                  st.sampled_from([")", ").", "،", "", " ها"])).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINKS, min_size=1, max_size=6), OPTIONS)
def test_tokens_differing_only_in_a_protected_span(links, options):
    # Every link twice over, each time with another span, so later ones meet remembered steps.
    for text in links + [" ".join(links)]:
        assert normalize(text, options) == normalize_steps(text, options), repr(text)
        if not text.isascii():
            assert persian._TOKENS.normalize(text, options) == normalize_steps(text, options)


# Markdown emphasis around words: the stars belong to the shape of a plain token, so such tokens
# must give the step-by-step answer alone and next to punctuation.
STARRED = st.lists(st.sampled_from(["*", "**", "_", "«", "»", "(", ")", "\"", "]", "،", "؛", ".", ":", "!", "ها",
                                    "کتاب", "می", "شود", "حرفهای", "میخواهم", "۴۲", "12", Z, "ي"]),
                   min_size=1, max_size=8).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.lists(STARRED, min_size=1, max_size=8), OPTIONS)
def test_starred_tokens(tokens, options):
    text = " ".join(tokens)
    assert normalize(text, options) == normalize_steps(text, options)
    if not text.isascii():
        assert persian._TOKENS.normalize(text, options) == normalize_steps(text, options)
    for token in filter(persian.plain_token, tokens):
        # the shortcut for plain tokens against every step
        assert persian._token_entry(token, options) == persian._stashed_entry(token, options), repr(token)
