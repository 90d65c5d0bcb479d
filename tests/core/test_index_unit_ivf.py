"""Answer units above UNIT_FLAT_LIMIT per segment: searched through an inverted file, checked against exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.core.chunking import split_into_chunks
from bot.core.corpus import load_corpus
from bot.core.embedding import HashingEmbedder
from bot.core.index import _dense, build_index, choose_unit_faiss_type, load_index
from bot.core.index._loaded import LoadedIndex
from bot.core.models import Article
from bot.core.token_counting import approximate_token_counter

ROOT = Path(__file__).resolve().parents[2]


def _articles() -> tuple[Article, ...]:
    return load_corpus(ROOT / "corpus").articles


def _build(index_dir: Path, articles: tuple[Article, ...], previous: LoadedIndex | None = None) -> LoadedIndex:
    index, _ = build_index(
        articles,
        lambda a: split_into_chunks(a, approximate_token_counter),
        HashingEmbedder(),
        index_dir,
        extract_facts=lambda _a, _c: (),
        previous=previous,
        chunker_version="approximate",  # so that a rebuild keeps the segments of unchanged articles
    )
    return index


def _assert_exact(index: LoadedIndex, query: np.ndarray, hits: list[tuple[int, float]], k: int) -> None:
    """The hits are an exact top k: the best k scores of a full scan (FAISS sums in another order than numpy,
    so a near tie may come out either way round)."""
    scores = index.unit_vectors @ query
    best = np.sort(scores)[::-1][:k]
    assert len(hits) == min(k, len(scores))
    np.testing.assert_allclose([scores[row] for row, _ in hits], best, atol=1e-5)
    np.testing.assert_allclose([score for _, score in hits], best, atol=1e-5)


@pytest.fixture
def shipped_ivf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LoadedIndex:
    monkeypatch.setattr(_dense, "UNIT_FLAT_LIMIT", 50)  # the shipped corpus's ~160 units get an IVF
    _build(tmp_path / "ivf", _articles())
    return load_index(tmp_path / "ivf", expected_model_id="hashing-fake")


def test_the_unit_index_is_exact_up_to_the_limit_and_an_inverted_file_above() -> None:
    assert choose_unit_faiss_type(_dense.UNIT_FLAT_LIMIT) == "flat"
    assert choose_unit_faiss_type(_dense.UNIT_FLAT_LIMIT + 1) == "ivf"
    assert _dense.ivf_probes(_dense.ivf_lists(50_000)) == 27  # of 447 lists
    assert _dense.ivf_probes(_dense.ivf_lists(500_000)) == _dense.IVF_MAX_PROBES  # of 1,414 lists, not 49


def test_reading_every_list_gives_the_exact_ranking(shipped_ivf: LoadedIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    assert shipped_ivf.manifest["unit_faiss_type"] == "ivf"
    monkeypatch.setattr(_dense, "ivf_probes", lambda lists: lists)
    queries = HashingEmbedder().embed(["Muse Spark HealthBench Hard score", "open weights API", "Meta spending"])
    for query in queries:
        _assert_exact(shipped_ivf, query, shipped_ivf.search_units(query, 10), 10)


def test_each_unit_is_found_first_by_its_own_vector(shipped_ivf: LoadedIndex) -> None:
    # A vector's nearest centroid is its own list's, so the default probes always read it.
    vectors = shipped_ivf.unit_vectors
    for row in range(0, len(vectors), 7):
        best = shipped_ivf.search_units(vectors[row], 1)[0]
        assert best[1] == pytest.approx(1.0, abs=1e-5)
        assert np.allclose(vectors[best[0]], vectors[row])  # itself, or an identical sentence


def test_tombstoned_units_are_never_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dense, "UNIT_FLAT_LIMIT", 50)
    monkeypatch.setattr(_dense, "ivf_probes", lambda lists: lists)
    articles = load_corpus(ROOT / "tests" / "data" / "tune" / "corpus").articles
    first = _build(tmp_path, articles)
    kept = _build(tmp_path, articles[:-1], previous=first)  # a tenth of the chunks: no merge
    gone = {text for row, text in first.units if first.chunks[row].article_id == articles[-1].id}
    biggest = max(kept.views, key=lambda view: len(view.segment.unit_texts))
    assert biggest.segment.meta["unit_faiss_type"] == "ivf"
    assert biggest.n_unit_dead > 0  # the IVF segment stays, with tombstones
    for text in sorted(gone)[:10]:
        query = HashingEmbedder().embed([text])[0]
        hits = kept.search_units(query, 20)
        _assert_exact(kept, query, hits, 20)
        assert all(kept.chunks[kept.units[row][0]].article_id != articles[-1].id for row, _ in hits)


def test_the_inverted_file_holds_8_bit_codes_and_its_hits_are_scored_exactly(shipped_ivf: LoadedIndex) -> None:
    import faiss

    view = max(shipped_ivf.views, key=lambda v: len(v.segment.unit_texts))
    dense = view.segment.unit_dense
    assert isinstance(dense, faiss.IndexIVFScalarQuantizer)
    assert dense.code_size == dense.d  # one byte a component, a quarter of the float vectors
    for text in ("Muse Spark HealthBench Hard score", "open weights API"):
        query = HashingEmbedder().embed([text])[0]
        for row, score in shipped_ivf.search_units(query, 10):
            assert score == pytest.approx(float(shipped_ivf.unit_vectors[row] @ query), abs=1e-6)


def test_an_inverted_file_of_float_vectors_written_before_is_still_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    import faiss

    monkeypatch.setattr(_dense, "ivf_probes", lambda lists: lists)
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((400, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    old = faiss.IndexIVFFlat(faiss.IndexFlatIP(16), 16, 20, faiss.METRIC_INNER_PRODUCT)
    old.train(vectors)
    old.add(vectors)
    for query in vectors[:40:4]:
        rows, scores = _dense.search_rows(old, vectors, query, 5, None, 0)
        best = np.sort(vectors @ query)[::-1][:5]
        np.testing.assert_allclose(scores, best, atol=1e-5)
        np.testing.assert_allclose((vectors @ query)[rows], best, atol=1e-5)
