"""Hybrid retrieval: fusion on its own, then dense + BM25 over a real index built on disk from a tiny corpus."""

from __future__ import annotations

from pathlib import Path

from bot.core.chunking import approximate_token_counter, split_into_chunks
from bot.core.embedding import HashingEmbedder
from bot.core.index_store import LoadedIndex, build_index
from bot.core.models import Article, Chunk, Passage
from bot.core.search import build_term_stats, fuse_rankings, search_passages


def test_rrf_rewards_agreement_between_rankings() -> None:
    dense = [(3, 0.9), (1, 0.8), (2, 0.1)]
    lexical = [(1, 12.0), (4, 9.0), (3, 1.0)]

    fused = fuse_rankings([dense, lexical])

    assert [row for row, _ in fused] == [1, 3, 4, 2]


def test_rrf_of_one_ranking_keeps_its_order() -> None:
    assert [row for row, _ in fuse_rankings([[(5, 1.0), (2, 0.5), (9, 0.1)]])] == [5, 2, 9]


def test_idf_weighs_rare_terms_above_common_ones() -> None:
    chunks = [
        Chunk(f"a#{n}", "a", n, "", text, text)
        for n, text in enumerate(["Muse Spark is closed", "Muse Spark scores 42.8", "Muse Spark codename Avocado"])
    ]
    stats = build_term_stats(chunks)

    assert stats.weight("avocado") > stats.weight("muse")
    assert stats.weight("never-seen") >= stats.weight("avocado")


def _tiny_index(tmp_path: Path) -> LoadedIndex:
    articles = [
        Article("launch", "Muse Spark launches", "Daily", "Meta launched Muse Spark, a closed model, on meta.ai."),
        Article("health", "Health scores", "Weekly", "Muse Spark scores 42.8 on HealthBench Hard, ahead of GPT-5.4."),
        Article("codename", "Before launch", "Blog", "Inside Meta the model was codenamed Avocado for months."),
    ]
    index, _ = build_index(
        articles,
        lambda a: split_into_chunks(a, approximate_token_counter),
        HashingEmbedder(dim=64),
        tmp_path,
        extract_facts=lambda _articles, _chunks: (),
    )
    return index


def test_hybrid_search_finds_exact_ids_on_a_tiny_corpus(tmp_path: Path) -> None:
    index = _tiny_index(tmp_path)
    embedder = HashingEmbedder(dim=64)

    def top(query: str) -> list[str]:
        return [p.chunk.id for p in search_passages(index, embedder.embed([query])[0], query, top_k=3)]

    assert top("healthbench hard score")[0] == "health#0"
    assert top("what was the internal codename")[0] == "codename#0"  # "codename" meets "codenamed"
    assert top("gpt5.4")[0] == "health#0"  # letters split from digits: gpt 5.4
    assert len(top("muse spark")) == 3


def test_passages_carry_both_scores(tmp_path: Path) -> None:
    index = _tiny_index(tmp_path)
    query = "HealthBench Hard"

    (first, *_rest) = search_passages(index, HashingEmbedder(dim=64).embed([query])[0], query, top_k=2)

    assert first.chunk.id == "health#0"
    assert first.bm25_score > 0
    assert first.dense_score > 0
    assert first.score == max(p.score for p in [*_rest, first])


def test_a_passage_brings_its_neighbours_in_the_same_section(tmp_path: Path) -> None:
    from bot.core._asking import section_neighbours

    filler = " ".join(f"Sentence {n} says the review went on for a while." for n in range(60))
    body = f"## The review\n\n{filler}\n\nThe panel was chaired by Ines Duarte.\n\n## Later\n\nNothing else happened."
    index, _ = build_index(
        [Article("review", "The review", "Daily", body)],
        lambda a: split_into_chunks(a, approximate_token_counter),
        HashingEmbedder(dim=64),
        tmp_path,
        extract_facts=lambda _articles, _chunks: (),
    )
    chunks = {c.id: c for c in index.chunks}
    section = [c for c in index.chunks if c.heading == "The review"]
    assert len(section) >= 2, "the section is long enough to be cut in two"
    first = Passage(section[0], 0.5, 0.8, 1.0)

    found = section_neighbours(index, [first])

    assert [p.chunk.id for p in found] == [section[1].id]  # the next chunk of the section, not "Later"
    assert found[0].dense_score < first.dense_score  # read, but not as if retrieval had found it
    kept = [first, Passage(section[1], 0.4, 0.7, 1.0)]
    assert not {p.chunk.id for p in section_neighbours(index, kept)} & {p.chunk.id for p in kept}  # none twice
    assert all(chunks[p.chunk.id].heading == "The review" for p in found)


def test_units_ranked_by_their_chunk_alike_through_the_index_array() -> None:
    import numpy as np

    from bot.core.search import rank_chunks_by_units

    units = [(0, "a"), (0, "b"), (1, "c"), (2, "d"), (2, "e"), (3, "f")]
    unit_chunks = np.array([row for row, _ in units], dtype=np.int64)
    hits = [(4, 0.9), (1, 0.8), (3, 0.7), (0, 0.6), (5, 0.5), (2, 0.4)]
    by_tuples = rank_chunks_by_units(hits, units)
    assert by_tuples == [(2, 0.9), (0, 0.8), (3, 0.5), (1, 0.4)]  # each chunk at its first (best) unit
    assert rank_chunks_by_units(hits, units, unit_chunks) == by_tuples
    assert rank_chunks_by_units([], units, unit_chunks) == []


def test_an_index_maps_each_unit_to_its_chunk_in_one_array(tmp_path: Path) -> None:
    index = _tiny_index(tmp_path)
    assert index.unit_chunks.tolist() == [row for row, _ in index.units]
