"""Reading scraped material: clutter, scraped pages, JSON arrays and objects, JSON Lines."""

from __future__ import annotations

import json

import pytest

from digest.sources import blank_clutter, read_source

ZWNJ = "\u200c"


@pytest.mark.parametrize("lines, kept", [
    (["متن اول.", "بیشتر بخوانید", "", "تیتر یک خبر دیگر", "متن دوم."], ["متن اول.", "متن دوم."]),
    (["متن اول.", "بیشتر بخوانید:", "تیتر یک", "تیتر دو", "متن دوم."], ["متن اول.", "متن دوم."]),
    (["بیشتر بخوانید: تیتر خبری دیگر", "متن."], ["متن."]),
    ([f"بیش{ZWNJ}تر بخوانید :", "[تیتر](https://x.ir/1)", "متن."], ["متن."]),
    (["• بيشتر بخوانيد", "https://x.ir/2", "متن."], ["متن."]),       # Arabic ي, a bullet, a bare URL
    # A marker followed by a sentence: the sentence is article text and stays.
    (["بیشتر بخوانید", "این جمله متن خود خبر است."], ["این جمله متن خود خبر است."]),
    # Furniture in any spacing, and the breakpoint indicator; "بیشتر" inside a sentence stays.
    (["لینک‌های قابلیت دسترسی", "لینکهای  قابلیت دسترسی", "خبر فوری", "XS", "sm", "متن"], ["متن"]),
    (["او بیشتر بخوانید را نوشت."], ["او بیشتر بخوانید را نوشت."]),
    (["بیشتر بخوانید", "تیتر: «نقل قول»", "متن."], ["متن."]),      # a headline may end in a quote
])
def test_blank_clutter(lines, kept):
    out = blank_clutter(lines)
    assert len(out) == len(lines)                        # blanked, not removed: line numbers hold
    assert [line for line in out if line] == kept


def test_scraped_page_uses_the_build_reader():
    page = "خبر فوری\nشنبه ۳ آذر ۱۴۰۳ تهران ۰۹:۰۵\nتیتر خبر\nپاراگراف *اول*.\nپاراگراف دوم.\n"
    (record,), problems = read_source("a.txt", page.encode())
    assert problems == []
    assert (record.title, record.date, record.line) == ("تیتر خبر", "3 آذر 1403 09:05", None)
    assert record.paragraphs == (r"پاراگراف \*اول\*.", "پاراگراف دوم.")   # escaped for Markdown


def test_scraped_page_without_dateline_is_an_error():
    records, (problem,) = read_source("a.txt", "تیتر\nمتن\n".encode())
    assert records == [] and problem.path == "a.txt" and "no dateline" in problem.message


def test_json_array_items_know_their_lines():
    text = '[\n  {"title": "یک", "text": "الف", "date": "1403-09-02"},\n\n  {"text": "بی عنوان"},\n' \
           '  {"title": "سه", "paragraphs": ["ب", "پ\\nت"], "tags": "الف، ب", "topic": "ورزش"}\n]\n'
    records, problems = read_source("x.json", text.encode())
    assert [(r.title, r.line) for r in records] == [("یک", 2), ("سه", 5)]
    assert [(p.path, p.line, p.message) for p in problems] == [("x.json", 4, "missing title")]
    assert records[1].paragraphs == ("ب", "پ", "ت")
    assert (records[1].tags, records[1].category) == (("الف", "ب"), "ورزش")


def test_a_single_json_object_is_one_article():
    (record,), problems = read_source("x.json", json.dumps({"title": "تک", "text": "متن"}).encode())
    assert problems == [] and record.title == "تک" and record.line == 1


def test_broken_json_array_imports_nothing_and_names_the_line():
    records, (problem,) = read_source("x.json", '[\n{"title": "یک", "text": "ا"},\n{"title": }\n]'.encode())
    assert records == [] and problem.line == 3 and "invalid JSON" in problem.message


def test_json_lines_under_a_json_name_are_read_as_lines():
    text = '{"title": "یک", "text": "ا"}\n{"title": "دو", "text": "ب"}\n'
    records, problems = read_source("x.json", text.encode())
    assert [(r.title, r.line) for r in records] == [("یک", 1), ("دو", 2)] and problems == []


def test_json_lines_report_bad_lines_and_keep_the_rest():
    raw = b"\xef\xbb\xbf" + '{"title": "یک", "text": "ا"}\n'.encode() + b'{"title": "\xe1\xff"}\n' + \
        b"\n[1, 2]\n" + '{"title": "دو", "text": "ب", "paragraphs": "نه فهرست"}\n'.encode() + \
        '{"title": "سه", "text": "پ"}'.encode()
    records, problems = read_source("x.jsonl", raw)
    assert [(r.title, r.line) for r in records] == [("یک", 1), ("سه", 6)]
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (2, "not UTF-8 text"), (4, "expected an object with a title, got list"),
        (5, "paragraphs must be a list of text")]


def test_unknown_kinds_are_reported():
    records, (problem,) = read_source("x.csv", b"a,b")
    assert records == [] and "unknown kind of file" in problem.message
