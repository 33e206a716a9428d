"""Tests for the ZWNJ restorer's newer rules: context, compounds, joins after non-joining letters.

Every Persian phrase here was written for these tests; none comes from a corpus. Where a test
builds its own small ``Lexicon``, it checks a rule's logic; where it uses the packaged one, it
checks the shipped behaviour.
"""

from __future__ import annotations

import pytest

from digest.persian import normalize
from digest.zwnj import (
    GLUED_CANDIDATE,
    ZWNJ,
    Lexicon,
    choose_in_context,
    neighbours,
    restore_zwnj,
    rule_restore,
    split_compound,
)

Z = ZWNJ


def small_lexicon(**parts) -> Lexicon:
    """A hand-made lexicon with only the parts a test needs."""
    empty = dict(glued={}, words=frozenset(), adjectives=frozenset(), verbs={}, context={},
                 frequent={}, tails={})
    return Lexicon(**{**empty, **parts})


def pieces_of(text: str) -> list[str]:
    """Split ``text`` the way ``restore_zwnj`` does."""
    return GLUED_CANDIDATE.split(text)


# --- neighbours -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, index, expected", [
    ("امروز نشانهای تازه", 3, ("<امروز", ">تازه")),
    ("نشانهای تازه", 1, ("<^", ">تازه")),            # start of the text
    ("۱۲ سالهای", 1, ("<#", ">^")),                   # a number before, the end after
    ("گفت: نشانهای، سپس", 3, ("<:", ">،")),           # punctuation stands for the neighbour
    ("اول\nنشانهای", 3, ("<^", ">^")),                # a new line is a start
    ("روز" + Z + "ها نشانهای", 3, ("<روزها", ">^")),   # a neighbour's ZWNJs are ignored
])
def test_neighbour_features(text, index, expected):
    assert neighbours(pieces_of(text), index) == expected


# --- context -----------------------------------------------------------------------------------

# Two readings of one glued form, seen 10 and 30 times; «یک» came before the first 6 times,
# «از» after the second 12 times.
LINE = "\t".join(["نشانهای", "نشانه" + Z + "ای|نشان" + Z + "های", "10,30", "<یک 6,0", ">از 0,12"])


@pytest.mark.parametrize("text, expected", [
    ("یک نشانهای تازه", "نشانه" + Z + "ای"),   # the left neighbour outweighs the prior
    ("همه نشانهای از", "نشان" + Z + "های"),
    ("همه نشانهای تازه", "نشان" + Z + "های"),  # no known neighbour: the commoner reading
])
def test_context_line_picks_a_reading(text, expected):
    pieces = pieces_of(text)
    assert choose_in_context(LINE, pieces, 3) == expected


def test_packaged_context_reads_the_neighbours():
    # The same glued form, two readings: «a professional coach» and «his words».
    assert restore_zwnj("مربی حرفهای") == "مربی حرفه" + Z + "ای"
    assert restore_zwnj("حرفهای او را شنیدیم") == "حرف" + Z + "های او را شنیدیم"


def test_context_leaves_written_zwnjs_and_other_words_alone():
    text = "حرف" + Z + "های او و کتابها"
    assert restore_zwnj(text) == text.replace("کتابها", "کتاب" + Z + "ها")


# --- compounds -----------------------------------------------------------------------------------

COMPOUNDS = small_lexicon(
    frequent={"چربی": 6, "سوز": 5, "کاغذ": 6, "ساز": 7, "کار": 8, "گران": 5, "ان": 9, "دست": 9},
    tails={"سوز": 4, "ساز": 6, "ان": 9, "انی": 3},
    words=frozenset({"کاغذسا"}),
)


def test_unknown_compound_of_two_frequent_words_is_split():
    assert split_compound("چربیسوز", COMPOUNDS) == "چربی" + Z + "سوز"
    assert rule_restore("چربیسوز", COMPOUNDS) == "چربی" + Z + "سوز"


@pytest.mark.parametrize("word", [
    "کارساز",     # the first part ends in a letter that never joins: nothing to show
    "گرانان",     # an affix (ان) is not a compound's second part
    "کاغذساز",    # a known word plus one letter (کاغذسا + ز) is left alone
    "دستانی",     # ان + ی: the second part would be an affix again
])
def test_compound_split_must_not_fire(word):
    assert split_compound(word, COMPOUNDS) == word


def test_compound_split_needs_frequent_parts_and_a_seen_tail():
    rare = small_lexicon(frequent={"چربی": 6, "سوز": 2}, tails={"سوز": 4})
    assert split_compound("چربیسوز", rare) == "چربیسوز"
    unseen_tail = small_lexicon(frequent={"چربی": 6, "سوز": 6}, tails={})
    assert split_compound("چربیسوز", unseen_tail) == "چربیسوز"
    assert split_compound("کمسوز", COMPOUNDS) == "کمسوز"  # too short to split


def test_packaged_compound_split():
    assert restore_zwnj("یک قرص چربیسوز") == "یک قرص چربی" + Z + "سوز"


# --- joins after letters that never join -----------------------------------------------------

def test_no_invisible_zwnj_in_comparatives_or_plurals():
    lex = small_lexicon(adjectives=frozenset({"پردرآمد", "مهم"}), words=frozenset({"دیوار", "درخت"}))
    assert rule_restore("پردرآمدترین", lex) == "پردرآمدترین"
    assert rule_restore("مهمترین", lex) == "مهم" + Z + "ترین"
    assert rule_restore("دیوارها", lex) == "دیوارها"
    assert rule_restore("درختها", lex) == "درخت" + Z + "ها"


def test_plural_of_a_compound_stem_keeps_the_stem_zwnj():
    lex = small_lexicon(glued={"نیزار": "نی" + Z + "زار"})
    assert rule_restore("نیزارها", lex) == "نی" + Z + "زارها"


# --- round trips ------------------------------------------------------------------------------

def test_restoring_twice_changes_nothing():
    text = "مربی حرفهای گفت حرفهای او درباره قرص چربیسوز و ۱۲ سالهای گذشته درست بود."
    once = normalize(text)
    assert normalize(once) == once
    assert restore_zwnj(once) == once


def reference_lexicon(text: str) -> Lexicon:
    """Read the lexicon's text head by head and line by line, the plain way ``parse_lexicon`` must agree with."""
    import re

    sections: dict[str, list[str]] = {"glued": [], "words": [], "adjectives": [], "verbs": [], "context": []}
    heads = list(re.finditer(r"^(\[.*)$", text, re.MULTILINE))   # a head: any line starting with "["
    for head, after in zip(heads, heads[1:] + [None]):
        block = text[head.end():after.start() if after else len(text)]
        for line in block.splitlines():
            if line and not line.startswith("#"):
                sections.setdefault(head.group(1).strip("[]"), []).append(line)
    classes: dict[str, dict[str, int]] = {"frequent": {}, "tails": {}}
    for name, lines in sections.items():
        kind, _, level = name.partition(" ")
        if kind in classes:
            for line in lines:
                classes[kind][line] = int(level)
    return Lexicon({g.replace(Z, ""): g for g in sections["glued"]}, frozenset(sections["words"]),
                   frozenset(sections["adjectives"]), {v.replace(Z, ""): v for v in sections["verbs"]},
                   {c.partition("\t")[0]: c for c in sections["context"]}, classes["frequent"],
                   classes["tails"])


@pytest.mark.parametrize("text", [
    f"# سرآغاز\n[glued]\nکتاب{Z}ها\nمی{Z}رود\n[words]\nبهتر\n\nخانه\n# یادداشت\n[frequent 5]\nرفت\n"
    f"[verbs]\nمی{Z}گفت\n[frequent 7]\nآمد\n[tails 3]\nخانه\n[context]\nمیخواند\tیک 1,2\n[words]\nدیگر",
    "[words]\r\nسبز\r\nآبی\r\n[adjectives]\nبلند\x85کوتاه\u2028پهن\n",     # other line breaks
    "[adjectives]\n\n\nتند\n\n[frequent 4]\n#\nکم\n[glued]\n",             # blank and bare-comment lines
    "",
])
def test_parse_lexicon_reads_sections_as_a_line_by_line_reading(text):
    from digest.zwnj import parse_lexicon

    assert parse_lexicon(text) == reference_lexicon(text)


def test_packaged_lexicon_equals_a_line_by_line_reading():
    import gzip
    from importlib import resources

    from digest.zwnj import lexicon

    text = gzip.decompress(resources.files("digest").joinpath("data/zwnj.txt.gz").read_bytes()).decode()
    assert lexicon() == reference_lexicon(text)
    assert len(lexicon().glued) > 1000 and len(lexicon().words) > 1000
