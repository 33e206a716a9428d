"""Splitting work for the worker pool: every item once, in order, in chunks of nearly equal size."""

from __future__ import annotations

import pytest

from digest.parallel import _chunks, _tapered


@pytest.mark.parametrize("count, parts", [(10_000, 20), (10_000, 6), (7, 3), (2, 6), (0, 4)])
def test_chunks_cover_every_item_once_in_order(count, parts):
    chunks = _chunks(count, parts)
    assert [i for chunk in chunks for i in chunk] == list(range(count))
    sizes = [len(c) for c in chunks]
    assert all(sizes) and (not sizes or max(sizes) - min(sizes) <= 1)
    assert len(chunks) == min(count, parts)


@pytest.mark.parametrize("count, workers", [(10_000, 2), (10_000, 4), (1_234, 2), (301, 2), (49, 2), (0, 2)])
def test_tapered_chunks_cover_every_item_once_and_shrink_to_the_tail(count, workers):
    chunks = _tapered(count, 500, 50, workers)
    assert [i for chunk in chunks for i in chunk] == list(range(count))
    sizes = [len(c) for c in chunks]
    assert all(50 <= s <= 500 for s in sizes[:-1]) and all(0 < s < 550 for s in sizes)
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)   # never a big chunk after a small one
    if count >= 10_000:
        assert sizes[0] == 500 and sizes[-1] < 100   # whole chunks first, then a short tail


def _stamped(indices):
    """Worker task: each item with the time its chunk started."""
    import time

    now = time.monotonic_ns()
    return [(i, now) for i in indices]


def test_tail_first_hands_out_the_last_chunks_first_and_keeps_the_order():
    from digest.parallel import _run

    rows = _run(1, _stamped, _chunks(100, 10), tail_first=True)
    assert [i for i, _ in rows] == list(range(100))
    assert rows[-1][1] < rows[0][1]   # one worker: the last chunk ran before the first
    rows = _run(1, _stamped, _chunks(100, 10))
    assert rows[0][1] < rows[-1][1]


def test_a_failing_chunk_raises_the_first_error_in_item_order():
    from digest.errors import DigestError
    from digest.parallel import _run

    with pytest.raises(DigestError) as caught:
        _run(2, _failing, _chunks(100, 10), tail_first=True)
    assert "item 30" in str(caught.value)


def _failing(indices):
    """Worker task: fail on items 30 and 80."""
    from digest.errors import DigestError

    for i in indices:
        if i in (30, 80):
            raise DigestError(f"item {i}")
    return list(indices)


def _covering(indices):
    """Worker task: rows shaped like rendered pages, page i covering the articles i % 7 and i % 11."""
    return [(f"p{i}", ("h", True), (), "", tuple({f"a{i % 7}", f"b{i % 11}"})) for i in indices]


@pytest.mark.parametrize("tail_first", [True, False])
def test_chunk_by_chunk_mentions_equal_those_of_all_rows_in_page_order(tail_first):
    from collections import defaultdict

    from digest.parallel import _mentioned, _run, mentions

    found: defaultdict[str, list[int]] = defaultdict(list)
    seen = []
    rows = _run(2, _covering, _chunks(500, 12), tail_first=tail_first,
                each=lambda indices, chunk: (seen.append(indices), _mentioned(found, indices, chunk)))
    assert len(seen) == 12 and sorted(i for r in seen for i in r) == list(range(500))
    assert (seen[0].start == 0) is not tail_first
    index = mentions(rows)
    assert index["a3"] == [i for i in range(500) if i % 7 == 3]
    assert {rel: sorted(v) for rel, v in found.items()} == index
