"""Hybrid retrieval: fusion on its own, then dense + BM25 over a real index built on disk from a tiny corpus."""

from __future__ import annotations

from bot.core.models import Chunk
from bot.core.search import build_term_stats, fuse_rankings


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
