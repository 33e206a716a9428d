"""Tests for punctuation spacing alone (``digest.punctuation``); ``normalize`` runs it as one step.

Every Persian fragment here was written for these tests.
"""

from __future__ import annotations

import pytest

from digest.punctuation import fix_punctuation


@pytest.mark.parametrize("raw, expected", [
    ("باران ، برف", "باران، برف"),
    ("باران،برف", "باران، برف"),
    ("باران،\t  برف", "باران، برف"),
    ("عدد ۳،۵ است", "عدد ۳،۵ است"),                   # a decimal comma keeps no space
    ("گفت« آری »و رفت", "گفت «آری» و رفت"),
    ("تمام شد .", "تمام شد."),
    ("ساعت 10 :", "ساعت 10 :"),                        # pulled back only onto a Persian word
    ("«الف»، «ب»", "«الف»، «ب»"),
])
def test_punctuation_spacing(raw, expected):
    assert fix_punctuation(raw) == expected
