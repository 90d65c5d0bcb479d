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


def _full_scan(vectors: np.ndarray, query: np.ndarray, k: int, dead: np.ndarray | None) -> tuple[list, list]:
    rows, scores = search_rows(None, vectors, query, k, dead, int(dead.sum()) if dead is not None else 0)
    return rows.tolist(), scores.tolist()


@pytest.mark.parametrize("k", [1, 10, 120])
def test_the_float16_copy_finds_the_full_scans_rows_and_scores_bit_for_bit(
    k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_dense, "PREFILTER_MIN", 1)
    monkeypatch.setattr(_dense, "FAST_SCAN_MIN", 1)  # the full scan through the kernel the copy's rows are scored by
    rng = np.random.default_rng(k)
    n = 3000
    vectors = rng.standard_normal((n, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[100:140] = vectors[7]  # copies of one vector: ties at the k-th score go to the lower row
    vectors[2000:2100] = vectors[8] + 1e-4 * rng.standard_normal((100, 32)).astype(np.float32)  # within rounding
    cache: dict = {}
    used = 0
    for trial in range(60):
        query = vectors[rng.choice([7, 8, int(rng.integers(n))])] + rng.choice([0.0, 0.1, 1.0]) * (
            rng.standard_normal(32).astype(np.float32)
        )
        dead = rng.random(n) < 0.2 if trial % 2 else None
        n_dead = int(dead.sum()) if dead is not None else 0
        found = _dense._prefiltered(vectors, query, k, dead, n_dead, cache, "chunks16")
        used += found is not None
        rows, scores = search_rows(None, vectors, query, k, dead, n_dead, cache, "chunks16")
        monkeypatch.setattr(_dense, "PREFILTER_MIN", 10**9)
        assert (rows.tolist(), scores.tolist()) == _full_scan(vectors, query, k, dead)
        monkeypatch.setattr(_dense, "PREFILTER_MIN", 1)
        if dead is not None:
            assert not dead[rows].any()
    assert used > 30  # the copy settles most queries (the rest fall back to the full scan)
    assert list(cache) == ["chunks16"]  # made once, kept


def test_the_float16_copy_gives_way_to_the_full_scan_when_it_cannot_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dense, "PREFILTER_MIN", 1)
    vectors = np.ones((500, 8), dtype=np.float32) / np.sqrt(8)  # every score within rounding of every other
    query = vectors[0].copy()
    cache: dict = {}
    assert _dense._prefiltered(vectors, query, 5, None, 0, cache, "chunks16") is None
    rows, _scores = search_rows(None, vectors, query, 5, None, 0, cache, "chunks16")
    assert rows.tolist() == [0, 1, 2, 3, 4]
    vectors[3, 0] = np.nan  # no copy of what float16 cannot bound
    assert _dense._prefiltered(vectors, query, 5, None, 0, {}, "chunks16") is None


def test_a_faiss_scan_on_this_thread_leaves_the_thread_count_as_it_was() -> None:
    import faiss

    before = faiss.omp_get_max_threads()
    with _dense.on_this_thread():
        assert faiss.omp_get_max_threads() == 1
    assert faiss.omp_get_max_threads() == before


def test_each_segment_keeps_its_own_float16_copy_across_adds_and_removals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.core.test_index_segments import ARTICLES, QUERIES, CountingEmbedder, build, extra

    monkeypatch.setattr(_dense, "PREFILTER_MIN", 1)
    monkeypatch.setattr(_dense, "FAST_SCAN_MIN", 1)
    embedder = CountingEmbedder()
    vectors = embedder.embed(list(QUERIES))

    def searches(index: LoadedIndex) -> list:
        return [(index.search_dense(v, 5), index.search_units(v, 12)) for v in vectors]

    def exact(index: LoadedIndex) -> list:
        monkeypatch.setattr(_dense, "PREFILTER_MIN", 10**9)
        try:
            return searches(index)
        finally:
            monkeypatch.setattr(_dense, "PREFILTER_MIN", 1)

    first, _ = build(tmp_path / "index", ARTICLES)
    assert searches(first) == exact(first)
    kept = {seg.id: seg.search_cache for seg in first.segments}
    assert all(set(cache) == {"chunks16", "units16"} for cache in kept.values())
    added, _ = build(tmp_path / "index", [*ARTICLES, extra(1)], previous=first)
    new = [seg for seg in added.segments if seg.id not in kept]
    assert len(new) == 1
    assert not new[0].search_cache  # the new segment's copy is its own, made when it is first searched
    assert searches(added) == exact(added)
    removed, _ = build(tmp_path / "index", [a for a in ARTICLES if a.id != "launch"], previous=added)
    assert searches(removed) == exact(removed)  # tombstoned rows are never found through a copy
    assert not [r for r, _ in removed.search_dense(vectors[0], 10) if removed.chunks[r].article_id == "launch"]
