"""Tests for the Persian normalizer and ZWNJ restoration.

Every Persian sentence here was written for these tests; none comes from a corpus.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import persian
from digest.errors import ConfigError
from digest.persian import (
    ZWNJ,
    NormalizeOptions,
    join_affixes,
    normalize,
    normalize_chars,
    restore_zwnj,
    to_latin_digits,
    to_persian_digits,
    topic_key,
)

Z = ZWNJ
OFF = NormalizeOptions(**{f.name: False for f in dataclasses.fields(NormalizeOptions)})


def only(**on: bool) -> NormalizeOptions:
    """Options with every step off except the ones named."""
    return dataclasses.replace(OFF, **on)


# --- glued words ------------------------------------------------------------------------------

@pytest.mark.parametrize("glued, expected", [
    ("میافزاید", "می" + Z + "افزاید"),
    ("رئیسجمهور", "رئیس" + Z + "جمهور"),
    ("خبرگزاریهای", "خبرگزاری" + Z + "های"),
    ("گفتوگو", "گفت" + Z + "وگو"),
    ("آتشبس", "آتش" + Z + "بس"),
    ("سهشنبه", "سه" + Z + "شنبه"),
])
def test_the_six_glued_words_are_restored(glued, expected):
    assert restore_zwnj(glued) == expected
    assert normalize(f"دیروز {glued} بود.") == f"دیروز {expected} بود."


def test_glued_words_in_a_sentence():
    text = "سخنگوی دولت روز سهشنبه گفت رئیسجمهور از آتشبس حمایت میکند."
    assert normalize(text) == (
        f"سخنگوی دولت روز سه{Z}شنبه گفت رئیس{Z}جمهور از آتش{Z}بس حمایت می{Z}کند."
    )


@pytest.mark.parametrize("glued, expected", [
    ("نمیدانستیم", "نمی" + Z + "دانستیم"),       # نمی + a verb form
    ("میخوانند", "می" + Z + "خوانند"),
    ("کتابهایی", "کتاب" + Z + "هایی"),           # known noun + plural
    ("درختها", "درخت" + Z + "ها"),
    ("نامهای", "نامه" + Z + "ای"),               # silent ه + ای
    ("پنجرهی", "پنجره" + Z + "ی"),               # silent ه + ی (ezafe)
    ("خانهمان", "خانه" + Z + "مان"),             # silent ه + possessive
    ("زندگیتان", "زندگی" + Z + "تان"),           # vowel ی + possessive
])
def test_affix_rules_on_glued_words(glued, expected):
    assert restore_zwnj(glued) == expected


@pytest.mark.parametrize("word", [
    "بیمار", "میدان", "میز", "تنها", "دفتر", "دختر", "کشورها", "همسر", "بهتر", "کمتر", "ایران",
    "همراهمان", "کوهشان", "پایشان", "جایمان",   # ه and ی that are consonants take no ZWNJ
])
def test_real_words_are_not_split(word):
    assert restore_zwnj(word) == word


def test_restore_leaves_words_that_already_have_a_zwnj():
    word = "دانش" + Z + "آموزها"
    assert restore_zwnj(word) == word


def test_restore_only_inserts_zwnjs():
    text = "امروز خبرگزاریهای خارجی و داخلی گزارش دادند که گفتوگو ادامه دارد."
    assert restore_zwnj(text).replace(Z, "") == text


# --- characters and digits ------------------------------------------------------------------

def test_arabic_letters_become_persian():
    assert normalize("كتاب علي", only(characters=True)) == "کتاب علی"
    assert normalize("مصطفى", only(characters=True)) == "مصطفی"


def test_kashida_and_invisible_debris_go():
    assert normalize("بـــورس\ufeff و\u200bبازار", only(characters=True)) == "بورس وبازار"


def test_presentation_forms_become_plain_letters():
    assert normalize("\ufedb\ufe98\ufe8e\ufe8f", only(characters=True)) == "کتاب"


def test_arabic_indic_digits_become_persian():
    assert normalize("ساعت ١٩:٤٥", only(digits=True)) == "ساعت ۱۹:۴۵"


def test_latin_digits_inside_a_word_become_persian_but_numbers_keep_theirs():
    assert normalize("سال2019 و 2019", only(digits=True)) == "سال۲۰۱۹ و 2019"


# --- punctuation ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("سلام ، دنیا", "سلام، دنیا"),
    ("سلام،دنیا", "سلام، دنیا"),
    ("سلام،   دنیا", "سلام، دنیا"),
    ("اول ؛ دوم", "اول؛ دوم"),
    ("چرا ؟ زیرا", "چرا؟ زیرا"),
    ("او گفت « باران می آید » و رفت", "او گفت «باران می آید» و رفت"),
    ("او گفت«باران»و رفت", "او گفت «باران» و رفت"),
    ("«باران»، «برف»", "«باران»، «برف»"),
    ("عدد ۱۲،۵ و فهرست ۱، ۲", "عدد ۱۲،۵ و فهرست ۱، ۲"),
    ("پایان .", "پایان."),
])
def test_punctuation_spacing(raw, expected):
    assert normalize(raw, only(punctuation=True)) == expected


# --- ZWNJ cleanup -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("می" + Z + Z + Z + "رود", "می" + Z + "رود"),
    (Z + "سلام" + Z, "سلام"),
    ("کتاب" + Z + " خوب", "کتاب خوب"),
    ("کتاب " + Z + "خوب", "کتاب خوب"),
    ("سلام" + Z + "،", "سلام،"),
    ("شماره" + Z + "۱۲", "شماره۱۲"),
    ("کار" + Z + "ها", "کار" + Z + "ها"),   # after a non-joining letter: harmless, kept
])
def test_zwnj_cleanup(raw, expected):
    assert normalize(raw, only(zwnj_cleanup=True)) == expected


# --- spaced affixes ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("این کار می شود", "این کار می" + Z + "شود"),
    ("من نمی دانم", "من نمی" + Z + "دانم"),
    ("کتاب ها را خواندم", "کتاب" + Z + "ها را خواندم"),
    ("درخت های باغ", "درخت" + Z + "های باغ"),
    ("بزرگ ترین شهر", "بزرگ" + Z + "ترین شهر"),
    ("آنها رفته اند", "آنها رفته" + Z + "اند"),
    ("کمی می شود", "کمی می" + Z + "شود"),
])
def test_spaced_affixes_are_joined(raw, expected):
    assert join_affixes(raw) == expected
    assert normalize(raw, only(join_affixes=True)) == expected


@pytest.mark.parametrize("raw", [
    "پیراهن تر شد",          # تر is "wet" after a noun, not a comparative
    "زژقث ها",               # unknown stem
    "می زژقث",               # unknown verb
    "کمی زژقث",              # a word ending in می is no prefix
])
def test_spaced_affixes_need_a_known_stem(raw):
    assert join_affixes(raw) == raw


# --- untouched spans --------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "https://x.ir/1403/09",
    "2024-11-22T19:45",
    "1403/09/02",
    "19:45",
    "info@example.ir",
    "www.example.ir/news?id=42",
    "Hello, world ; is this ok ?",
    "`می شود`",
])
def test_machine_values_and_latin_are_untouched(value):
    assert normalize(value) == value
    text = f"نشانی {value} است"
    assert value in normalize(text)


def test_url_with_persian_path_is_untouched():
    url = "https://example.ir/خبر/كتابها"
    assert normalize(f"ببینید {url} را") == f"ببینید {url} را"


def test_fenced_code_is_untouched():
    text = "متن\n```\nمی شود ، كتاب ١٢\n```\nپایان"
    assert "```\nمی شود ، كتاب ١٢\n```" in normalize(text)


def test_placeholder_characters_in_input_survive():
    text = "الف \ue000 ب \ue001 پ"
    assert normalize(text) == text


def test_url_glued_to_other_text_stays_whole():
    text = "12ـhttps://x.ir/1403/09ﻛﺘﺎﺏ"
    once = normalize(text)
    assert "https://x.ir/1403/09ﻛﺘﺎﺏ" in once
    assert normalize(once) == once


# --- options ----------------------------------------------------------------------------------

RAW = "كتاب ها ، ٤ میافزاید و نمی" + Z + Z + "رود می شود"


@pytest.mark.parametrize("name, survivor", [
    ("characters", "كتاب"),
    ("digits", "٤"),
    ("punctuation", " ،"),
    ("zwnj_cleanup", Z + Z),
    ("join_affixes", "می شود"),
    ("restore_zwnj", "میافزاید"),
])
def test_each_step_can_be_switched_off(name, survivor):
    assert survivor not in normalize(RAW)
    assert survivor in normalize(RAW, dataclasses.replace(NormalizeOptions(), **{name: False}))


def test_all_steps_off_changes_nothing():
    assert normalize(RAW, OFF) == RAW


def test_options_from_config():
    assert NormalizeOptions.from_config(None) == NormalizeOptions()
    assert NormalizeOptions.from_config({"restore_zwnj": False}).restore_zwnj is False
    with pytest.raises(ConfigError) as err:
        NormalizeOptions.from_config({"restore": False, "digits": "yes"})
    assert len(err.value.problems) == 2


# --- lexicon ----------------------------------------------------------------------------------

def test_lexicon_is_packaged_small_and_loaded_once():
    from importlib import resources
    data = resources.files("digest").joinpath("data/zwnj.txt.gz").read_bytes()
    assert len(data) < 2_000_000
    assert persian._lexicon() is persian._lexicon()


# --- the older helpers keep working -----------------------------------------------------------

def test_existing_helpers():
    assert normalize_chars("علي" + Z + Z + "رضا") == "علی" + Z + "رضا"
    assert to_persian_digits(1403) == "۱۴۰۳"
    assert to_latin_digits("۱۴٠٣") == "1403"
    assert topic_key("بین‌الملل") == topic_key("بین الملل")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["ي", "ى", "ك", "ڪ", "\ufeff", "\x00", "\u200b", "\xa0", "\u0640", Z, Z + Z,
                                 "خبر", " ", "a", "\r"]), max_size=12).map("".join))
def test_normalize_chars_for_valid_utf8_answers_as_the_general_path(text):
    # decode() takes the substring-test path for text from valid UTF-8 (no lone surrogates),
    # and leaves the NUL test out when the bytes had no zero byte.
    assert normalize_chars(text, valid=True) == normalize_chars(text)
    if "\x00" not in text:
        assert normalize_chars(text, valid=True, nul=False) == normalize_chars(text)


# --- round trips ------------------------------------------------------------------------------

PIECES = st.sampled_from([
    "کتاب", "ها", "های", "می", "نمی", "شود", "دانم", "میافزاید", "رئیسجمهور", "گفتوگو", "كتاب",
    "علي", "بـــورس", "تر", "ترین", "بزرگ", "نامه", "ای", "اند", "رفته", "سهشنبه", "آتشبس",
    "Hello", "world", "G5", "2024-11-22T19:45", "https://x.ir/1403/09", "a@b.ir", "`code`",
    "١٩:٤٥", "۱۲", "12", "3.14", "،", "؛", "؟", "«", "»", ".", ":", "!", Z, Z + Z, " ", "  ",
    "\n", "\t", "\u00a0", "\ue000", "\ue001", "ﻛﺘﺎﺏ", "ـ", "(", ")", "-", "/",
])
TEXTS = st.lists(PIECES, max_size=30).map("".join)
RANDOM = st.text(alphabet=st.sampled_from(
    list("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكىءآئ۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩0123456789azAZ،؛؟«».:!/-@` \n")
    + [Z, "\u0640", "\ufedb"]), max_size=60)


@pytest.mark.parametrize("text", [
    "12" + Z + "کتاب",                           # cleanup brings a digit next to a letter
    "12ـhttps://x.ir/1403/09ﻛﺘﺎﺏ",              # kashida glued before a URL
    "0،0ـA",                                     # kashida between a number and a Latin word
    "a@b.ir" + Z + "https://x.ir/1403/09١٩:٤٥",  # ZWNJ between an address and a URL
    "a@b.ir\u200bhttps://x.ir/ـ",
])
def test_normalizing_twice_changes_nothing_in_found_cases(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXTS, RANDOM))
def test_normalizing_twice_changes_nothing(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.sampled_from(["https://x.ir/1403/09", "2024-11-22T19:45", "a@b.ir", "`می شود`"]))
def test_protected_values_survive_any_surroundings(text, value):
    assert value in normalize(f"{text} {value} {text}")


@settings(max_examples=200, deadline=None)
@given(st.one_of(TEXTS, RANDOM))
def test_each_step_alone_is_idempotent(text):
    for field in dataclasses.fields(NormalizeOptions):
        opts = only(**{field.name: True})
        once = normalize(text, opts)
        assert normalize(once, opts) == once, field.name


# --- evaluation -------------------------------------------------------------------------------

def test_evaluation_counts_words():
    from digest.zwnj_eval import evaluate
    text = f"رئیس{Z}جمهور روز سه{Z}شنبه گفت که آتش{Z}بس ادامه دارد و کشورها آماده{Z}اند."
    score = evaluate([text])
    assert (score.zwnj_words, score.zwnj_restored) == (4, 4)
    assert score.other_changed == 0
    assert "recall:                100.00%" in score.report()


def test_markdown_source_survives():
    source = (
        "# خبر تازه\n\n**رئیسجمهور** گفت : [متن](https://x.ir/a?b=1&c=2) را ببینید .\n\n"
        "- کد `x = 1` و ![عکس](images/a-1.jpg)\n\n| ستون | مقدار |\n|---|---|\n| قیمت | 12,500 |\n"
    )
    out = normalize(source)
    assert out == (
        f"# خبر تازه\n\n**رئیس{Z}جمهور** گفت: [متن](https://x.ir/a?b=1&c=2) را ببینید.\n\n"
        "- کد `x = 1` و ![عکس](images/a-1.jpg)\n\n| ستون | مقدار |\n|---|---|\n| قیمت | 12,500 |\n"
    )
