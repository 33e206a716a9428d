"""Front matter: the simple reader agrees with the YAML loader wherever it answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.frontmatter import simple_front_matter, yaml_front_matter

KEYS = ["title", "date", "id", "tags", "x_1", "Topic", "k", "summary", "source", "2a", "a b", "-k"]
VALUE_PIECES = ["خبر", "تیم", "GitHub", "a", " ", "  ", ":", ": ", "#", " #", "'", "''", '"', "\\\\", ",", "[",
                "]", "{", "}", "-", "- ", "?", "!", "&", "*", "|", ">", "%", "@", "`", "~", "1403-07-01T06:02",
                "1.10", "no", "null", "\t", "\u200c", "\u2028", "\x85", "\ufeff", "«", "»", "۱۲"]
# Mostly ordinary words (so that many examples are simple), now and then anything.
ORDINARY = ["خبر", "تیم", "GitHub", " ", "a", "۱۲", "1.10", "«", ":"]
value = st.lists(st.sampled_from(ORDINARY * 6 + VALUE_PIECES), max_size=6).map("".join)
line = st.one_of(
    st.tuples(st.sampled_from(KEYS), st.sampled_from([": "] * 6 + [":", ":  ", " : "]), value).map("".join),
    st.tuples(st.sampled_from(KEYS), st.just(': "'), value, st.just('"')).map("".join),
    st.tuples(st.sampled_from(KEYS), st.just(": '"), value, st.just("'")).map("".join),
    st.tuples(st.sampled_from(KEYS), st.just(": ["), st.lists(value, max_size=3).map(", ".join),
              st.just("]")).map("".join),
    st.sampled_from(["", "# note", "  indented: x", "---"]),
)
# A block list: "key:" then "- item" lines, indented alike or not, items plain or quoted.
item = st.tuples(st.sampled_from(["", "", "  ", " "]), st.sampled_from(["- ", "- ", "-  ", "-", "-\t"]),
                 st.one_of(value, value.map(lambda v: f'"{v}"'), value.map(lambda v: f"'{v}'"))).map("".join)
block_list = st.tuples(st.sampled_from(KEYS), st.sampled_from([":", ":", ": ", " :"]),
                       st.lists(item, max_size=4).map(lambda items: "".join("\n" + i for i in items))).map("".join)
front_matter = st.lists(st.one_of(line, block_list), min_size=1, max_size=4).map("\n".join)
# Lines built the simple way, with any value: these probe where the simple reader must give up.
keyed = st.tuples(st.sampled_from(KEYS[:9]), st.just(": "),
                  st.lists(st.sampled_from(VALUE_PIECES + ORDINARY), min_size=1, max_size=6).map("".join))
near_simple = st.lists(keyed.map("".join), min_size=1, max_size=2).map("\n".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(front_matter, near_simple, st.lists(block_list, min_size=1, max_size=3).map("\n".join)))
def test_simple_front_matter_reads_what_yaml_reads(text):
    simple = simple_front_matter(text)
    if simple is None:
        return  # not simple: the YAML loader reads it
    data, lines, duplicates = yaml_front_matter(text, 0)
    assert (data, lines, duplicates) == (simple[0], simple[1], [])


@pytest.mark.parametrize("text", [
    'title: "a: b"\ndate: 1403-07-01T06:02\ntags: [خبر, تیم]',
    "title: O'Reilly's C# book\nsummary: 'گفت: ''بله'''",
    "draft: no\nid: 1.10\ntags: []",
    "title: نشست خبری\ntags:\n- اقتصاد\n- 'بورس: امروز'\n- \"GitHub\"\nsource: تابناک",
])
def test_common_front_matter_takes_the_simple_reader(text):
    assert simple_front_matter(text) is not None
    assert simple_front_matter(text) == yaml_front_matter(text, 0)[:2]
