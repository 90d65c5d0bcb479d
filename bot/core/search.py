"""Hybrid retrieval: dense (FAISS) and BM25 rankings fused with reciprocal rank fusion."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.core.models import Chunk, Passage
from bot.core.text import tokenize

log = logging.getLogger(__name__)

RRF_K = 60  # the usual constant: flattens the head so that neither ranking dominates
CANDIDATES = 40  # how deep each ranking is read before fusion
FUSION_WEIGHTS = (0.5, 1.0, 0.5)  # passage vectors, BM25, sentence vectors
UNITS_PER_CHUNK = 3  # unit hits read per chunk wanted, since several units share a chunk
# Sentence vectors are searched like passage vectors, segment by segment: exactly in a segment of up to
# UNIT_FLAT_LIMIT units (every corpus the eval sets use), through its inverted file above (an exact scan of
# 50k x 384 floats is memory-bound, ~4-5 ms here). Recall against the exact scan is measured by
# benchmarks/perf.py. (Scoring only the units of the passages the other rankings keep, as before, found
# under 0.8 of the exact top 10.)


class SearchableIndex(Protocol):
    @property
    def chunks(self) -> tuple[Chunk, ...]: ...

    @property
    def units(self) -> tuple[tuple[int, str], ...]: ...

    def search_dense(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]: ...

    def search_units(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]: ...

    def search_bm25(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]: ...


@dataclass(frozen=True, slots=True)
class TermStats:
    """Inverse document frequencies of search tokens over the chunks of one build."""

    idf: dict[str, float]
    default_idf: float
    chunk_count: int = 0

    def weight(self, token: str) -> float:
        return self.idf.get(token, self.default_idf)

    def idf_at_share(self, share: float) -> float:
        """The idf of a token that ``share`` of the passages hold: a threshold that means the same on a corpus of
        four passages as on one of forty thousand (1.39 for a quarter, on any corpus past a few dozen passages)."""
        n = max(self.chunk_count, 1)
        df = max(1.0, share * n)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))


def passage_doc_freq(chunks: Sequence[Chunk]) -> Counter[str]:
    """How many passages hold each token of their text."""
    doc_freq: Counter[str] = Counter()
    for chunk in chunks:
        doc_freq.update(set(tokenize(chunk.text)))
    return doc_freq


def build_term_stats(chunks: Sequence[Chunk]) -> TermStats:
    """IDF per token, computed once per loaded build (it is what makes 'muse spark' weigh little)."""
    return term_stats_from_doc_freq(passage_doc_freq(chunks), len(chunks))


def term_stats_from_doc_freq(doc_freq: Mapping[str, int], chunk_count: int) -> TermStats:
    """``build_term_stats`` from counts an index build saved (chunks holding each token of their text)."""
    n = max(chunk_count, 1)
    idf = {token: math.log(1 + (n - df + 0.5) / (df + 0.5)) for token, df in doc_freq.items()}
    return TermStats(idf=idf, default_idf=math.log(1 + (n + 0.5) / 0.5), chunk_count=n)


def fuse_rankings(
    rankings: Sequence[Sequence[tuple[int, float]]],
    *,
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion of several (row, score) rankings, best first; ties keep row order."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, (row, _score) in enumerate(ranking):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank + 1)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def keep_leaders(
    fused: Sequence[tuple[int, float]], rankings: Sequence[Sequence[tuple[int, float]]], top_k: int
) -> list[tuple[int, float]]:
    """The fused top_k, but with each ranking's first row in it: a passage one signal is sure of stays."""
    chosen = list(fused[:top_k])
    rows = {row for row, _ in chosen}
    for ranking in rankings:
        if not ranking or ranking[0][0] in rows:
            continue
        leader = next(item for item in fused if item[0] == ranking[0][0])
        # Replace the weakest pick that no ranking put first.
        firsts = {r[0][0] for r in rankings if r}
        for position in range(len(chosen) - 1, -1, -1):
            if chosen[position][0] not in firsts:
                rows.discard(chosen[position][0])
                chosen[position] = leader
                rows.add(leader[0])
                break
    return sorted(chosen, key=lambda item: (-item[1], item[0]))


def rank_chunks_by_units(
    unit_hits: Sequence[tuple[int, float]], units: Sequence[tuple[int, str]], unit_chunks: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Chunk rows in the order of their best-matching answer unit (a sentence-level dense ranking).

    ``unit_chunks`` (the index's unit row -> chunk row array, when it has one) maps every hit in one gather."""
    if unit_chunks is not None and unit_hits:
        chunk_rows = unit_chunks[np.fromiter((row for row, _ in unit_hits), dtype=np.int64, count=len(unit_hits))]
        _, first = np.unique(chunk_rows, return_index=True)  # each chunk's first (best) hit
        first.sort()
        return [(row, unit_hits[at][1]) for at, row in zip(first.tolist(), chunk_rows[first].tolist(), strict=True)]
    best: dict[int, float] = {}
    for unit_row, score in unit_hits:
        chunk_row = units[unit_row][0]
        if chunk_row not in best:
            best[chunk_row] = score
    return list(best.items())


def search_lexical(index: SearchableIndex, query: str, *, candidates: int = CANDIDATES) -> list[tuple[int, float]]:
    """BM25's ranking of a query as `search_passages` reads it, best first: the ask reads its head again for
    a passage that covers the question (`_asking.covering_passages`), so it is scored once."""
    depth = min(candidates, len(index.chunks))
    return index.search_bm25(tokenize(query), depth) if depth else []


def search_passages(
    index: SearchableIndex,
    query_vec: np.ndarray,
    query: str,
    *,
    top_k: int,
    candidates: int = CANDIDATES,
    lexical: Sequence[tuple[int, float]] | None = None,
) -> tuple[Passage, ...]:
    """The top_k passages for a query, by fused rank: passage vectors, BM25, and sentence vectors.

    ``query`` should already carry canonical names of the models and benchmarks it mentions
    (see NameCatalog.rewrite_query), so "gpt5.4" and "GPT-5.4" retrieve the same passages. ``lexical`` is
    `search_lexical(index, query, candidates=candidates)` when the caller has it already.
    """
    depth = min(candidates, len(index.chunks))
    if depth == 0:
        return ()
    if lexical is None:
        lexical = search_lexical(index, query, candidates=candidates)
    dense = index.search_dense(query_vec, depth)
    # A passage can be long and about several things; its best sentence says more about a precise question.
    unit_hits = index.search_units(query_vec, depth * UNITS_PER_CHUNK)
    by_units = rank_chunks_by_units(unit_hits, index.units, getattr(index, "unit_chunks", None))[:depth]
    dense_by_row = dict(dense)
    bm25_by_row = dict(lexical)
    # The two dense rankings come from one model; together they weigh as much as BM25, not twice as much.
    rankings = [dense, lexical, by_units]
    fused = keep_leaders(fuse_rankings(rankings, weights=FUSION_WEIGHTS), rankings, top_k)
    log.debug("search: %d dense, %d bm25, %d unit candidates, %d fused", len(dense), len(lexical), len(by_units),
              len(fused))  # fmt: skip
    return tuple(
        Passage(
            chunk=index.chunks[row],
            score=score,
            dense_score=float(dense_by_row.get(row, 0.0)),
            bm25_score=float(bm25_by_row.get(row, 0.0)),
        )
        for row, score in fused
    )
