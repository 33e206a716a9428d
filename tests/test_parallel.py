"""Splitting work for the worker pool: every item once, in order, in chunks of nearly equal size."""

from __future__ import annotations

import pytest

from digest.parallel import _chunks


@pytest.mark.parametrize("count, parts", [(10_000, 20), (10_000, 6), (7, 3), (2, 6), (0, 4)])
def test_chunks_cover_every_item_once_in_order(count, parts):
    chunks = _chunks(count, parts)
    assert [i for chunk in chunks for i in chunk] == list(range(count))
    sizes = [len(c) for c in chunks]
    assert all(sizes) and (not sizes or max(sizes) - min(sizes) <= 1)
    assert len(chunks) == min(count, parts)
