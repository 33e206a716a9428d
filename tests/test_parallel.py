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


def _stamped(indices):
    """Worker task: each item with the time its chunk started."""
    import time

    now = time.monotonic_ns()
    return [(i, now) for i in indices]


def test_tail_first_hands_out_the_last_chunks_first_and_keeps_the_order():
    from digest.parallel import _run

    rows = _run(1, _stamped, 100, 10, tail_first=True)
    assert [i for i, _ in rows] == list(range(100))
    assert rows[-1][1] < rows[0][1]   # one worker: the last chunk ran before the first
    rows = _run(1, _stamped, 100, 10)
    assert rows[0][1] < rows[-1][1]


def test_a_failing_chunk_raises_the_first_error_in_item_order():
    from digest.errors import DigestError
    from digest.parallel import _run

    with pytest.raises(DigestError) as caught:
        _run(2, _failing, 100, 10, tail_first=True)
    assert "item 30" in str(caught.value)


def _failing(indices):
    """Worker task: fail on items 30 and 80."""
    from digest.errors import DigestError

    for i in indices:
        if i in (30, 80):
            raise DigestError(f"item {i}")
    return list(indices)
