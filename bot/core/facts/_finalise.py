"""Raw facts settled across the corpus: canonical names, duplicates and family restatements dropped, one unit per
benchmark, and each fact's quote placed in the chunk that holds it."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from bot.core.facts._raw import RawFact
from bot.core.models import Article, BenchmarkFact, Chunk
from bot.core.names import BENCHMARK, MODEL, canonicalize_names, key_tokens

log = logging.getLogger(__name__)


def finalize_facts(
    raw: list[RawFact],
    articles: Sequence[Article],
    chunks: Sequence[Chunk],
    alias_map: Mapping[str, Mapping[str, Sequence[str]]],
) -> tuple[BenchmarkFact, ...]:
    model_names = canonicalize_names([f.model for f in raw], MODEL, alias_map)
    bench_names = canonicalize_names([f.benchmark for f in raw], BENCHMARK, alias_map)
    order = {article.id: i for i, article in enumerate(articles)}
    raw.sort(key=lambda f: (order.get(f.article_id, len(order)), f.position))

    kept: list[RawFact] = []
    seen: set[tuple[str, str, str, str, float]] = set()
    for fact in raw:
        fact.model = model_names.get(fact.model, fact.model)
        fact.benchmark = bench_names.get(fact.benchmark, fact.benchmark)
        key = (fact.article_id, fact.benchmark, fact.model, fact.qualifier, round(fact.value, 6))
        if key in seen:
            continue
        seen.add(key)
        kept.append(fact)
    kept = _drop_family_restatements(kept)
    _harmonize_units(kept)

    by_article: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        by_article[chunk.article_id].append(chunk)
    for article_chunks in by_article.values():
        article_chunks.sort(key=lambda c: c.ordinal)

    facts: list[BenchmarkFact] = []
    for fact in kept:
        placed = _place_quote(fact, by_article.get(fact.article_id, []))
        if placed is None:
            log.warning("fact %s / %s = %s: quote not found in any chunk of %s; dropped",
                        fact.benchmark, fact.model, fact.value_text, fact.article_id)  # fmt: skip
            continue
        chunk_id, quote = placed
        facts.append(
            BenchmarkFact(
                benchmark=fact.benchmark,
                model=fact.model,
                value_text=fact.value_text,
                value=fact.value,
                unit=fact.unit,
                article_id=fact.article_id,
                chunk_id=chunk_id,
                quote=quote,
                qualifier=fact.qualifier,
            )
        )
    log.info("extracted %d benchmark facts from %d articles", len(facts), len(articles))
    return tuple(facts)


def _harmonize_units(facts: list[RawFact]) -> None:
    """One unit per benchmark where the articles agree on it: "1,427 points" on an Elo benchmark is Elo, and a
    bare "57" in a table of a "points" index is points."""
    units: dict[str, set[str]] = defaultdict(set)
    for fact in facts:
        if fact.unit:
            units[fact.benchmark].add(fact.unit)
    for fact in facts:
        found = units.get(fact.benchmark, set())
        if len(found) == 2 and "points" in found:
            found = found - {"points"}
        if len(found) == 1 and fact.unit in ("", "points"):
            fact.unit = next(iter(found))


def _drop_family_restatements(facts: list[RawFact]) -> list[RawFact]:
    """Within one article, "Gemini 3.1 Pro (57)" in a later summary restates the table's "Gemini 3.1 Pro Preview
    57": the same fact under the family name. Only a sentence is read so; a table row, or a sentence naming both
    variants, states two facts (two variants may tie)."""
    groups: dict[tuple[str, str, str, float], list[RawFact]] = defaultdict(list)
    for fact in facts:
        groups[(fact.article_id, fact.benchmark, fact.qualifier, round(fact.value, 6))].append(fact)
    dropped: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        for fact in group:
            tokens = key_tokens(fact.model)
            if not fact.from_table and any(
                other is not fact
                and other.parts != fact.parts
                and len(key_tokens(other.model)) > len(tokens)
                and key_tokens(other.model)[: len(tokens)] == tokens
                for other in group
            ):
                dropped.add(id(fact))
    return [f for f in facts if id(f) not in dropped]


def _place_quote(fact: RawFact, chunks: list[Chunk]) -> tuple[str, str] | None:
    """(chunk id, quote): the first chunk whose text holds the quote (or its shorter fallback)."""
    if not chunks:
        return "", "\n".join(fact.parts)
    for parts in (fact.parts, fact.fallback):
        for chunk in chunks:
            if all(part in chunk.text for part in parts):
                return chunk.id, "\n".join(parts)
    squeeze = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    target = squeeze(fact.fallback[-1])
    for chunk in chunks:
        if target in squeeze(chunk.text):
            return chunk.id, target
    return None
