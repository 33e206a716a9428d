"""Tests for the ZWNJ evaluation: the scores and the consistent-writer rule.

Every Persian sentence here was written for these tests; none comes from a corpus.
"""

from __future__ import annotations

from digest.zwnj import ZWNJ
from digest.zwnj_eval import consistent, evaluate

Z = ZWNJ

CAREFUL = (f"کتاب{Z}های تازه در نمایشگاه{Z}ها فروخته شد. ناشران می{Z}گویند خریداران بیشتر"
           f" شده{Z}اند و شرکت{Z}های پخش راضی{Z}اند.")


def test_a_writer_who_places_every_zwnj_is_consistent():
    assert consistent(CAREFUL)


def test_too_few_zwnj_words_is_not_evidence():
    assert not consistent(f"کتاب{Z}های تازه رسید و فروش خوب بود.")
    assert consistent(f"کتاب{Z}های تازه رسید.", least=1)


def test_the_same_word_with_and_without_a_zwnj_is_inconsistent():
    assert not consistent(CAREFUL + " شرکتهای دیگر هم آمدند.")


def test_a_glued_word_the_text_separates_elsewhere_is_inconsistent():
    # «درختهای» glues a word of the text (درخت) to an ending written after a ZWNJ elsewhere (های).
    assert not consistent(CAREFUL + " آن درخت افتاد و درختهای دیگر ماندند.")
    # «میخواند» glues a prefix written before a ZWNJ elsewhere (می) to a word of the text.
    assert not consistent(CAREFUL + " او خواند و باز میخواند.")


def test_glued_words_the_text_never_separates_are_not_held_against_it():
    # «کشورها» ends a non-joining letter; «دانشگاه» is one word; neither is an inconsistency.
    assert consistent(CAREFUL + " کشورها و دانشگاه هم بودند.")


def test_evaluate_counts_restored_missed_and_wrongly_changed_words():
    score = evaluate([f"دیروز رئیس{Z}جمهور گفت کتاب{Z}ها رسید و پیامی بود."])
    assert score.zwnj_words == 2
    assert score.zwnj_restored == 2
    assert score.other_changed == 0
    assert score.other_words == 6
