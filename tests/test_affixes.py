"""Tests for affix joining over a whole text and over a list of tokens.

Every Persian fragment here was written for these tests.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.affixes import SUFFIX_AT_START, join_affixes, join_tokens, prefix_may_join
from digest.zwnj import ZWNJ

Z = ZWNJ
WORDS = st.sampled_from([
    "می", "نمی", "شود", "رود", "دانم", "کمی", "اسلامی", "«می", "کتاب", "خانه", "بزرگ", "نامه",
    "رفته", "درخت", "ها", "های", "هایی", "تر", "ترین", "ای", "اند", "ام", "ها،", "تر.", "می" + Z + "رود",
    "کتاب" + Z + "ها", "G5", "۱۲", "", "»", "(", "علی\nها",
])
TOKENS = st.lists(WORDS, max_size=25)


def every_place(tokens: list[str]) -> list[int]:
    """Offer every index as a candidate: join_tokens must still decide exactly as join_affixes."""
    return list(range(len(tokens)))


@settings(max_examples=800, deadline=None)
@given(TOKENS)
def test_join_tokens_equals_join_affixes_with_every_place_offered(tokens):
    assert join_tokens(tokens, every_place(tokens), every_place(tokens)) == join_affixes(" ".join(tokens))


@settings(max_examples=800, deadline=None)
@given(TOKENS)
def test_join_tokens_equals_join_affixes_with_only_the_flagged_places(tokens):
    prefix = [i for i, t in enumerate(tokens) if t.endswith("می") and prefix_may_join(t)]
    suffix = [i for i, t in enumerate(tokens) if SUFFIX_AT_START.match(t)]
    assert join_tokens(tokens, prefix, suffix) == join_affixes(" ".join(tokens))


def test_joins_across_spaces_to_known_stems_only():
    assert join_tokens(["این", "می", "", "شود"], [1], []) == "این می" + Z + "شود"
    assert join_tokens(["کتاب", "ها", "و", "کمی", "شود"], [3], [1]) == "کتاب" + Z + "ها و کمی شود"
    assert join_tokens(["پیراهن", "تر"], [], [1]) == "پیراهن تر"


def test_a_suffix_reads_the_word_a_prefix_made():
    # کتاب ها after a prefix join: the suffix sees the joined word, as the whole-text sub does.
    tokens = ["می", "رود", "ها"]
    assert join_tokens(tokens, [0], [2]) == join_affixes("می رود ها")


def test_prefix_may_join_only_after_a_non_letter():
    assert prefix_may_join("می") and prefix_may_join("نمی") and prefix_may_join("«می")
    assert not prefix_may_join("کمی") and not prefix_may_join("اسلامی")
    assert not prefix_may_join("کار" + Z + "می")
