"""Readers: front matter schema, scraped pages, decoding, ids. Robustness cases 1-10, 15, 18, 20."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from digest.errors import ContentError
from digest.readers import ReadSettings, decode, make_id, parse_dateline, read_text

SETTINGS = ReadSettings()


def read(text: str | bytes, rel: str = "news/x.md"):
    """Read one file's content through the real reader."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return read_text(rel, raw, SETTINGS)


def md(front: str, body: str = "متن خبر.") -> str:
    """Return a Markdown file with the given front matter lines."""
    return f"---\n{front}\n---\n{body}\n"


def test_reads_all_fields():
    art, warnings = read(md(
        "title: عنوان خبر\ndate: 1403-09-02T19:45\ntopic: اقتصاد\ntags: [نفت, بورس]\nsource: خبرگزاری نمونه\n"
        "source_url: https://example.com/a\nauthor: سارا\nsummary: خلاصه\nid: oil-news\ndraft: no"))
    assert (art.title, art.topic_name, art.id, art.tags) == ("عنوان خبر", "اقتصاد", "oil-news", ("نفت", "بورس"))
    assert art.published.isoformat() == "2024-11-22T19:45:00+03:30" and art.has_time
    assert (art.source, art.source_url, art.author, art.summary, art.draft) == (
        "خبرگزاری نمونه", "https://example.com/a", "سارا", "خلاصه", False)
    assert art.url == "/1403/09/02/oil-news/" and warnings == []


def test_category_is_accepted_and_folder_is_the_fallback_topic():
    assert read(md("title: ا\ndate: 1403-09-02\ncategory: ورزش"))[0].topic_name == "ورزش"
    assert read(md("title: ا\ndate: 1403-09-02"), rel="فرهنگ/x.md")[0].topic_name == "فرهنگ"


def test_summary_falls_back_to_the_first_paragraph_only_when_empty():
    given, _ = read(md("title: a\ndate: 1403-09-02\nsummary: خلاصه‌ی خودش", "پاراگراف نخست.\n\nدوم."))
    blank, _ = read(md("title: a\ndate: 1403-09-02\nsummary: ' '", "پاراگراف نخست.\n\nدوم."))
    assert (given.summary, blank.summary) == ("خلاصه‌ی خودش", "پاراگراف نخست.")
    assert given.body_html == blank.body_html


def test_title_from_first_heading_when_front_matter_has_none():
    art, _ = read(md("date: 1403-09-02", "# عنوان از متن\n\nپاراگراف."))
    assert art.title == "عنوان از متن"
    assert "عنوان از متن" not in art.body_html


@pytest.mark.parametrize("front, line, words", [
    ("title: خبر: جدید\ndate: 1403-09-02", 2, "invalid YAML"),                  # case 1
    ("title: [unclosed\ndate: 1403-09-02", 3, "invalid YAML"),
    ("- a\n- b", 2, "must be a mapping"),                                       # case 2
    ("title: a\ndate: 2024-02-30", 3, "invalid date"),                          # case 3
    ("title: a\ndate: 1403-07-31", 3, "30 days"),
    ("title: a\ndate: 1404-12-30", 3, "29 days"),
    ("title: a", 1, "missing date"),                                            # case 4: never "now"
    ("date: 1403-09-02\ntopic: x", 1, "missing title"),
    ("title: a\ndate: 1403-09-02\ntags: &x [a]\nsource: *x", None, "aliases"),   # case 6
    ("title: !!python/object/apply:os.system [ls]\ndate: 1403-09-02", 2, "constructor"),
    ("title: a\ndate: 1403-09-02\nsource_url: javascript:alert(1)", 4, "not an http"),  # case 15
    ("title: a\ndate: 1403-09-02\nurl: JaVaScRiPt:alert(1)", 4, "not an http"),
    ("title: a\ndate: 1403-09-02\nid: ../x", 4, "may not contain"),             # case 18
    ("title: a\ndate: 1403-09-02\nid: /etc/passwd", 4, "may not contain"),
    ("title: a\ndate: 1403-09-02\nid: index", 4, "reserved"),
    ("title: a\ndate: 1403-09-02\ndraft: maybe", 4, "yes/no"),
    ("title: a\ndate: 1403-09-02\nsummary: [یک, دو]", 4, "summary must be text"),
])
def test_bad_front_matter_names_file_and_line(front, line, words):
    with pytest.raises(ContentError) as caught:
        read(md(front))
    assert caught.value.path == "news/x.md"
    if line is not None:
        assert caught.value.line == line
    assert words in str(caught.value)


def test_unterminated_front_matter():
    with pytest.raises(ContentError, match="no closing"):
        read("---\ntitle: a\ndate: 1403-09-02\nمتن بدون پایان")


def test_surprising_scalars_are_coerced_by_the_schema():
    art, _ = read(md("title: 1.10\ndate: 1403-09-02\ndraft: no\nid: 1.10"))
    assert (art.title, art.id, art.draft) == ("1.10", "1.10", False)
    assert read(md("title: a\ndate: 1403-09-02\ndraft: YES"))[0].draft is True


def test_duplicate_keys_warn_and_keep_the_last():
    art, warnings = read(md("title: اول\ntitle: دوم\ndate: 1403-09-02"))
    assert art.title == "دوم"
    assert [(w.level, w.line) for w in warnings] == [("warning", 3)]
    assert "duplicate key 'title'" in warnings[0].message


def test_unknown_fields_warn():
    _, warnings = read(md("title: a\ndate: 1403-09-02\ncolour: red"))
    assert len(warnings) == 1 and "unknown field 'colour'" in warnings[0].message


def test_bom_and_line_endings_do_not_change_the_article():
    text = md("title: عنوان\ndate: 1403-09-02", "# بخش\n\nپاراگراف اول.\n\nپاراگراف دوم.")
    plain = read(text)[0]
    assert read(b"\xef\xbb\xbf" + text.encode())[0] == plain          # case 7
    assert read(text.replace("\n", "\r\n"))[0] == plain
    assert read(text.replace("\n", "\r"))[0] == plain


def test_windows_1256_is_an_error_naming_the_line():
    raw = "---\ntitle: a\ndate: 1403-09-02\n---\nخط اول\n".encode("utf-8") + "خبر".encode("cp1256") + b"\n"
    with pytest.raises(ContentError) as caught:                       # case 8
        read(raw)
    assert caught.value.line == 6 and "not UTF-8" in str(caught.value) and "iconv" in str(caught.value)


def test_nul_bytes_and_lone_surrogates_are_replaced():
    raw = md("title: a\ndate: 1403-09-02", "متن\x00ادامه").encode() + b"\xed\xa0\x80\n"   # case 9
    art, _ = read(raw)
    assert "\x00" not in art.body_html and "\ufffd" in art.body_html


def test_nul_in_valid_utf8_is_replaced():
    # Valid UTF-8 is tested for NUL on its bytes; the text must still lose it.
    assert decode("الف\x00ب".encode()) == "الف\ufffdب"
    assert decode(b"\x00") == "\ufffd"


def test_arabic_letters_and_doubled_zwnj_are_normalized():
    art, _ = read(md("title: كتاب\u200c\u200cهاي تازه\ndate: 1403-09-02\ntopic: فرهنگي"))
    assert art.title == "کتاب\u200cهای تازه" and art.topic_name == "فرهنگی"


SCRAPED = """لینکهای قابلیت دسترسی
خبر فوری
سهشنبه ۱۴ اسفند ۱۴۰۲ تهران ۰۸:۳۰

نمایشگاه گل و گیاه در بوستان شهر گشایش مییابد

مدیر نمایشگاه گفت امسال صد غرفه برپا میشود.

بازدید برای کودکان رایگان است.

XS
SM
MD
LG
"""


def test_scraped_page_drops_furniture_and_parses_dateline():
    art, warnings = read(SCRAPED, rel="جامعه/golgiah.txt")
    assert art.title == "نمایشگاه گل و گیاه در بوستان شهر گشایش مییابد"
    assert art.published.isoformat() == "2024-03-04T08:30:00+03:30"
    assert art.topic_name == "جامعه" and art.id == "golgiah"
    assert art.body_html.count("<p>") == 2
    for furniture in ("قابلیت دسترسی", "خبر فوری", ">XS<", "LG"):
        assert furniture not in art.body_html
    assert warnings == []


@pytest.mark.parametrize("line, date", [
    ("سه‌شنبه ۱۴ اسفند ۱۴۰۲ تهران ۰۸:۳۰", "14 اسفند 1402 08:30"),
    ("سه شنبه ۱۴ اسفند ۱۴۰۲ تهران ۰۸:۳۰", "14 اسفند 1402 08:30"),
    ("پنجشنبه ۲ آذر ۱۴۰۳", "2 آذر 1403"),
    ("جمعه 2 آذر 1403 مشهد 19:45", "2 آذر 1403 19:45"),
])
def test_datelines_in_many_spellings(line, date):
    assert parse_dateline(line)[0] == date


def test_scraped_page_without_dateline_is_an_error():
    with pytest.raises(ContentError, match="no dateline"):
        read("عنوان\n\nمتن\n", rel="x.txt")


def test_ids_from_file_names_and_fallbacks():
    assert make_id(None, "2024-11-22-Book-Fair") == ("2024-11-22-book-fair", None)
    slug, warning = make_id(None, "خبر-تازه")                      # case 20: no ASCII name
    assert slug.startswith("a-") and warning and "no ASCII id" in warning
    assert make_id(None, "خبر-تازه")[0] == slug                     # stable
    long_slug, _ = make_id("x" * 300, "ignored")
    assert len(long_slug) <= 80 and long_slug != make_id("x" * 299 + "y", "ignored")[0]


def test_persian_id_spellings_meet_in_one_slug():
    # ك/ک, ي/ی and ZWNJ variants of one Persian id give one URL, so duplicates are caught.
    variants = ["كتاب‌های نو", "کتاب‌های نو", "کتابهاي نو", "کتاب های نو"]
    assert len({make_id(v, "x")[0] for v in variants}) == 1


# ---- content paths as pathlib reads them ---------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from digest.readers import path_parts  # noqa: E402


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "b.md", ".md", ".", "..", "", "x.tar.gz", "خبر.txt", "c."]), min_size=1,
                max_size=4).map("/".join))
def test_path_parts_read_paths_as_pathlib_does(rel):
    path = PurePosixPath(rel)
    assert path_parts(rel) == ((path.parts[0] if len(path.parts) > 1 else None), path.stem, path.suffix)


# ---- the file's own bytes for the Markdown parser --------------------------------------------

from digest.persian import normalize  # noqa: E402
from digest.readers import _tail_bytes, decode_exact  # noqa: E402

_RAW_PIECES = st.sampled_from(["خبر", "a", " ", "\n", "\r", "\r\n", "\ufeff", "\u200c\u200c", "ي", "\x00",
                               "\u0640", "**", "\xa0"])


@settings(max_examples=400, deadline=None)
@given(st.booleans(), st.lists(_RAW_PIECES, max_size=30).map("".join), st.data())
def test_exact_text_is_the_files_utf8_and_its_tails_are_its_bytes(bom, text, data):
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    decoded, exact = decode_exact(raw)
    assert decoded == decode(raw)
    if exact:  # the bytes handed to cmark must then be exactly the tail's UTF-8
        assert raw.removeprefix(b"\xef\xbb\xbf").decode() == decoded
        k = data.draw(st.integers(0, len(decoded)))
        assert _tail_bytes(raw, decoded, decoded[k:]) == decoded[k:].encode()
    if "\r" in text or "\x00" in text or "ي" in text:
        assert not exact


def test_a_body_the_normalizer_changes_is_rendered_from_its_normal_form():
    # The file's bytes stand for the body only when normalizing leaves it as it is.
    settings_ = ReadSettings(normalize=normalize)
    raw = md("title: a\ndate: 1403-09-02", "کتاب ها و BBC").encode()
    art, _ = read_text("news/x.md", raw, settings_)
    assert "کتاب\u200cها" in art.body_html
    raw = md("title: a\ndate: 1403-09-02", "کتاب\u200cها و BBC").encode()
    assert read_text("news/x.md", raw, settings_)[0].body_html == art.body_html


_FM_PIECES = st.sampled_from(["---", "...", "--", "\n", " ", "\t", "a: b", "\r", "x", "----", ". .", ""])


@settings(max_examples=500, deadline=None)
@given(st.lists(_FM_PIECES, max_size=12).map("".join))
def test_front_matter_ends_at_the_first_closing_line(rest):
    # The closing line is searched from the line break before it; it must be the line a search
    # for "---" or "..." at every line start finds (the reading the pattern replaced).
    import re

    from digest.readers import _FRONT_MATTER_END

    text = "---\n" + rest
    by_line_start = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE).search(text, 4)
    found = _FRONT_MATTER_END.search(text, 3)
    assert (found is None) == (by_line_start is None)
    if found:
        assert (found.start() + 1, found.end()) == by_line_start.span()
