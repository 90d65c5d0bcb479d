"""The exact scans behind the search: FAISS's kernel for big flat segments, the best rows with ties to the lower
row, and BM25's best positive rows read among the top scores only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.core.chunking import split_into_chunks
from bot.core.corpus import load_corpus
from bot.core.embedding import HashingEmbedder
from bot.core.index import _dense, build_index, load_index
from bot.core.index._dense import best_positive_rows, best_rows, inner_products, search_rows
from bot.core.index._loaded import LoadedIndex
from bot.core.token_counting import approximate_token_counter

ROOT = Path(__file__).resolve().parents[2]


def _reference(scores: np.ndarray, k: int) -> list[int]:
    """Best first, ties to the lower row, by a full stable sort."""
    return [int(r) for r in np.argsort(-scores, kind="stable")[:k]]


def test_faiss_kernel_scores_as_numpy_does() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((_dense.FAST_SCAN_MIN + 7, 24)).astype(np.float32)
    query = rng.standard_normal(24).astype(np.float32)
    np.testing.assert_allclose(inner_products(vectors, query), np.einsum("ij,j->i", vectors, query), atol=1e-5)
    small = vectors[:50]
    np.testing.assert_array_equal(inner_products(small, query), np.einsum("ij,j->i", small, query))


def test_a_big_flat_scan_keeps_ties_to_the_lower_row_and_leaves_out_the_dead() -> None:
    rng = np.random.default_rng(4)
    n = _dense.FAST_SCAN_MIN * 2
    vectors = rng.standard_normal((n, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[n - 1] = vectors[n - 2] = vectors[5] = vectors[9]  # four copies of one vector
    query = vectors[9] * 2
    dead = np.zeros(n, dtype=bool)
    dead[9] = True
    rows, scores = search_rows(None, vectors, query, 3, dead, 1)
    assert rows.tolist() == [5, n - 2, n - 1]  # row 9 is tombstoned; its copies tie, lower rows first
    assert scores[0] == scores[1] == scores[2]


@pytest.mark.parametrize("k", [1, 5, 40, 500])
def test_best_rows_and_best_positive_rows_match_a_full_sort(k: int) -> None:
    rng = np.random.default_rng(k)
    for _round in range(20):
        # BM25-like: most scores 0, a few levels repeated many times (copies of passages), a few high ones.
        scores = np.zeros(3000, dtype=np.float32)
        hit = rng.random(3000) < rng.choice([0.001, 0.05, 0.6])
        scores[hit] = rng.choice(np.array([0.0004, 0.3, 1.7, 2.25, 9.5], dtype=np.float32), int(hit.sum()))
        assert best_rows(scores, k).tolist() == _reference(scores, k)
        expected = [r for r in _reference(scores, k) if scores[r] > 0]
        assert best_positive_rows(scores, k).tolist() == expected
    assert best_positive_rows(np.zeros(0, dtype=np.float32), 3).tolist() == []


def test_an_index_searches_alike_with_and_without_the_faiss_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = load_corpus(ROOT / "corpus").articles
    build_index(
        articles,
        lambda a: split_into_chunks(a, approximate_token_counter),
        HashingEmbedder(),
        tmp_path / "index",
        extract_facts=lambda _a, _c: (),
    )
    index: LoadedIndex = load_index(tmp_path / "index", expected_model_id="hashing-fake")
    queries = HashingEmbedder().embed(["HealthBench Hard score", "open weights", "Alexandr Wang", "compute"])
    before = [(index.search_dense(q, 10), index.search_units(q, 30)) for q in queries]
    monkeypatch.setattr(_dense, "FAST_SCAN_MIN", 1)  # every scan through FAISS's kernel
    after = [(index.search_dense(q, 10), index.search_units(q, 30)) for q in queries]
    for (dense, units), (dense_fast, units_fast) in zip(before, after, strict=True):
        for slow, fast in ((dense, dense_fast), (units, units_fast)):
            np.testing.assert_allclose([s for _, s in fast], [s for _, s in slow], atol=1e-5)
            # Same rows, but for scores within rounding of each other, which may swap.
            near = {r for r, s in slow if any(abs(s - t) < 1e-5 and r != q for q, t in slow)}
            assert [r for r, _ in fast if r not in near] == [r for r, _ in slow if r not in near]
