"""BM25 postings scored across segments: a long postings list kept computed scores exactly as it did fresh."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.index import _bm25
from bot.core.index._bm25 import Bm25Scores, Postings


def two_segments() -> list[tuple[Postings, np.ndarray]]:
    """600 + 400 passages that all say "muse" (some twice), a few "spark"; every 7th of the first tombstoned."""
    first = [["muse", "spark"] * (1 + n % 3) if n % 50 == 0 else ["muse", f"w{n}"] * (1 + n % 2) for n in range(600)]
    second = [["muse", "muse", "news", f"v{n}"] if n % 3 else ["spark", f"v{n}"] for n in range(400)]
    rows_first = np.arange(600, dtype=np.int64)
    rows_first[::7] = -1
    live = int((rows_first >= 0).sum())
    rows_second = np.arange(live, live + 400, dtype=np.int64)
    return [(Postings.of_token_lists(first), rows_first), (Postings.of_token_lists(second), rows_second)]


@pytest.mark.parametrize("limit", [32_000_000, 5_000])  # room for every list, or so little that it empties
def test_kept_postings_score_exactly_as_fresh_ones(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    monkeypatch.setattr(_bm25, "CACHED_POSTINGS_BYTES", limit)
    parts = two_segments()
    num_docs = sum(int((rows >= 0).sum()) for _, rows in parts)
    kept = Bm25Scores(parts, num_docs)
    queries = (["muse", "spark"], ["muse"], ["spark", "muse", "muse"], ["news", "w3", "muse"], ["nothing"])
    for _round in range(3):
        for query in queries:
            fresh = Bm25Scores(parts, num_docs).scores_of(query)
            again = kept.scores_of(query)
            if fresh is None:
                assert again is None
                continue
            assert again is not None
            np.testing.assert_array_equal(again, fresh)
            assert again.any()
    if limit > 100_000:
        assert set(kept._columns) == {"muse", "spark", "news", "w3"}  # every list scored is kept
        assert kept._columns["muse"][0] is None  # in nearly every passage: a column over all of them
        assert kept._columns["spark"][0] is not None  # in a third: its rows and terms


def test_dense_and_sparse_columns_score_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    parts = two_segments()
    num_docs = sum(int((rows >= 0).sum()) for _, rows in parts)
    queries = (["muse", "spark"], ["spark", "muse", "muse"], ["news", "w3", "muse"], ["v7", "spark"])
    found = {}
    for share in (0, 4, 10**9):  # every column sparse, the default, every column dense
        monkeypatch.setattr(_bm25, "DENSE_COLUMN_SHARE", share)
        scores = Bm25Scores(parts, num_docs)
        found[share] = [scores.scores_of(q) for q in queries]
        assert all(s is not None and s.any() for s in found[share])
        assert all(r is None for r, _ in scores._columns.values()) == (share == 10**9)
    for share in (4, 10**9):
        for mine, sparse in zip(found[share], found[0], strict=True):
            np.testing.assert_array_equal(mine, sparse)
