"""Merging segments, as Lucene's tiered merge policy does: tiers of about one size, and tombstone purges.

A merge copies the live articles of some segments into one new segment (chunks, units, vectors, postings
rebuilt from the copied text, lexicon and fact parts, MinHash signatures): nothing is embedded again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.index._segment import Segment, write_segment

if TYPE_CHECKING:
    from bot.core.embedding import Embedder
    from bot.core.models import Article, Chunk

log = logging.getLogger(__name__)

MERGE_FACTOR = 10  # segments of one tier merged together, as Lucene's default
DEAD_FRACTION = 0.3  # a segment with this share of its chunks tombstoned is rewritten


def live_chunks(segment: Segment, gone: frozenset[str]) -> int:
    return len(segment.chunks) - sum(e - s for a, (s, e) in segment.chunk_ranges.items() if a in gone)


def merge_groups(
    segments: Sequence[Segment], deleted: Mapping[str, frozenset[str]], merge_all: bool
) -> list[list[Segment]]:
    """Which segments to merge: all of them (compact), or each tier that holds MERGE_FACTOR segments of about
    one size (by live chunks, tiers a factor MERGE_FACTOR apart), and any that is mostly tombstones."""
    if merge_all:
        needs = len(segments) > 1 or any(deleted[s.id] for s in segments)
        return [list(segments)] if needs and segments else []
    tiers: dict[int, list[Segment]] = {}
    for segment in segments:
        live = live_chunks(segment, deleted[segment.id])
        if len(segment.chunks) and (len(segment.chunks) - live) >= DEAD_FRACTION * len(segment.chunks):
            tiers.setdefault(-1, []).append(segment)  # purged on its own tier
            continue
        tiers.setdefault(int(math.log(max(live, 1), MERGE_FACTOR)), []).append(segment)
    groups = [group for tier, group in sorted(tiers.items()) if tier >= 0 and len(group) >= MERGE_FACTOR]
    groups += [[segment] for segment in tiers.get(-1, [])]
    return groups


def merge_segments(
    group: Sequence[Segment],
    deleted: Mapping[str, frozenset[str]],
    new_folder: Callable[[], Path],
    fact_state: Mapping[str, Any] | None,
    chosen_words: set[str],
    embedder: Embedder,
) -> Segment:
    """One segment holding the live articles of `group`, copied (vectors, units, parts), never re-embedded."""
    import numpy as np

    live: list[tuple[str, Segment]] = sorted((a.id, s) for s in group for a in s.articles if a.id not in deleted[s.id])
    articles: list[Article] = []
    chunks: list[Chunk] = []
    units: list[tuple[int, str]] = []
    lexicon_parts: dict[str, Any] = {}
    fact_parts: dict[str, Any] = {}
    chunk_vectors, unit_vectors, signatures = [], [], []
    by_id = {a.id: a for s in group for a in s.articles}
    position = {(s.id, a.id): n for s in group for n, a in enumerate(s.articles)}
    for article_id, segment in live:
        start, end = segment.chunk_ranges[article_id]
        articles.append(by_id[article_id])
        first = len(chunks)
        chunks.extend(segment.chunks[start:end])
        u_start, u_end = int(segment.unit_starts[start]), int(segment.unit_starts[end])
        units.extend(
            (first + int(local) - start, text)
            for local, text in zip(segment.unit_chunk[u_start:u_end], segment.unit_texts[u_start:u_end], strict=True)
        )
        chunk_vectors.append(segment.vectors[start:end])
        unit_vectors.append(segment.unit_vectors[u_start:u_end])
        signatures.append(segment.signatures[position[(segment.id, article_id)]])
        lexicon_parts[article_id] = segment.lexicon_parts()[article_id]
        if fact_state is not None and article_id in fact_state.get("articles", {}):
            fact_parts[article_id] = fact_state["articles"][article_id]
    words: dict[str, Any] = {}
    for segment in group:
        for word, vector in zip(segment.words, segment.word_vectors, strict=True):
            if word in chosen_words:
                words.setdefault(word, vector)
    dim = embedder.dim
    segment, _ = write_segment(
        new_folder(),
        articles=articles,
        hashes={a.id: s.hashes[a.id] for a, (_aid, s) in zip(articles, live, strict=True)},
        chunks=chunks,
        units=units,
        vectors=np.concatenate(chunk_vectors) if chunk_vectors else np.zeros((0, dim), np.float32),
        unit_vectors=np.concatenate(unit_vectors) if unit_vectors else np.zeros((0, dim), np.float32),
        lexicon_parts=lexicon_parts,
        fact_parts=fact_parts,
        words=list(words),
        word_vectors=np.stack(list(words.values())).astype(np.float32) if words else np.zeros((0, dim), np.float32),
        model_id=embedder.model_id,
        signatures=np.stack(signatures) if signatures else None,
    )
    log.info("Merged %d segments into %s (%d articles, %d chunks)", len(group), segment.id, len(articles),
             len(chunks))  # fmt: skip
    return segment
