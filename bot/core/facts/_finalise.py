"""Raw facts settled across the corpus: canonical names, duplicates and family restatements dropped, one unit per
benchmark, and each fact's quote placed in the chunk that holds it."""

from __future__ import annotations

import itertools
import logging
import operator
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from bot.core.facts._raw import RawFact
from bot.core.models import Article, BenchmarkFact, Chunk
from bot.core.names import BENCHMARK, MODEL, canonicalize_names, key_tokens

log = logging.getLogger(__name__)

_MODEL_OF = operator.itemgetter("model")
_BENCHMARK_OF = operator.itemgetter("benchmark")


@dataclass(frozen=True, slots=True)
class SettledArticle:
    """One article's facts as settled: valid while its raw facts (``signature``), the canonical names they take
    and its chunks stay the same. Units are as read; one unit per benchmark is settled over the corpus after."""

    signature: str
    names: tuple[tuple[str, ...], tuple[str, ...]]  # the canonical model and benchmark name of each raw fact
    chunks: tuple[Chunk, ...]
    units: tuple[tuple[str, str], ...]  # (benchmark, unit) of every fact kept, placed in a chunk or not
    facts: tuple[BenchmarkFact, ...]
    # Each fact given the corpus's unit, kept from one settling to the next while that unit stays the same: the
    # very same objects then, which lets a re-index diff, and facts.json's writer, skip what did not change.
    in_corpus_units: dict[int, BenchmarkFact] = field(default_factory=dict, compare=False, repr=False)

    def facts_in_units(self, units: Mapping[str, set[str]]) -> list[BenchmarkFact]:
        out = []
        for number, fact in enumerate(self.facts):
            settled = _with_corpus_unit(fact, units)
            if settled is not fact:
                before = self.in_corpus_units.get(number)
                if before is not None and before.unit == settled.unit:
                    settled = before
                else:
                    self.in_corpus_units[number] = settled
            out.append(settled)
        return out


def finalize_facts(
    raw: Mapping[str, Sequence[Mapping[str, Any]]],
    articles: Sequence[Article],
    chunks: Sequence[Chunk],
    alias_map: Mapping[str, Mapping[str, Sequence[str]]],
    *,
    signatures: Mapping[str, str] | None = None,
    settled: dict[str, SettledArticle] | None = None,
) -> tuple[BenchmarkFact, ...]:
    """The facts of every article from its raw facts (``raw[article id]``, as saved), settled across the corpus.

    Names are canonical over the whole corpus; duplicates, family restatements and quotes are an article's own
    business, so with ``signatures`` (what each article's raw facts are a function of) an article settled by an
    earlier call into ``settled`` is reused when its signature, the names its facts take and its chunks are
    unchanged; ``settled`` is then refilled with this corpus's articles. The facts are the same either way.
    """
    # Each article's raw names, read once (a corpus-wide settling reads every fact's, 90k at 10,000 articles).
    raw_models = [list(map(_MODEL_OF, raw.get(a.id, ()))) for a in articles]
    raw_benchmarks = [list(map(_BENCHMARK_OF, raw.get(a.id, ()))) for a in articles]
    model_names = canonicalize_names(list(itertools.chain.from_iterable(raw_models)), MODEL, alias_map)
    bench_names = canonicalize_names(list(itertools.chain.from_iterable(raw_benchmarks)), BENCHMARK, alias_map)
    by_article: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        by_article[chunk.article_id].append(chunk)

    done: dict[str, SettledArticle] = {}
    for article, models, benchmarks in zip(articles, raw_models, raw_benchmarks, strict=True):
        items = raw.get(article.id, ())
        # A name without a key stays as written: get(name, name).
        names = cast(
            tuple[tuple[str, ...], tuple[str, ...]],
            (tuple(map(model_names.get, models, models)), tuple(map(bench_names.get, benchmarks, benchmarks))),
        )
        own_chunks = tuple(sorted(by_article.get(article.id, ()), key=lambda c: c.ordinal))
        signature = signatures.get(article.id, "") if signatures is not None else ""
        before = settled.get(article.id) if settled is not None and signature else None
        if (
            before is not None
            and before.signature == signature
            and before.names == names
            and before.chunks == own_chunks
        ):
            done[article.id] = before
        else:
            done[article.id] = _settle_article(items, names, own_chunks, signature)
    if settled is not None:
        settled.clear()
        settled.update(done)

    units: dict[str, set[str]] = defaultdict(set)
    for entry in done.values():
        for benchmark, unit in entry.units:
            if unit:
                units[benchmark].add(unit)
    facts = [fact for entry in done.values() for fact in entry.facts_in_units(units)]
    log.info("extracted %d benchmark facts from %d articles", len(facts), len(articles))
    return tuple(facts)


def _settle_article(
    items: Sequence[Mapping[str, Any]],
    names: tuple[tuple[str, ...], tuple[str, ...]],
    chunks: tuple[Chunk, ...],
    signature: str,
) -> SettledArticle:
    """One article's raw facts under their canonical names: duplicates and family restatements dropped, and each
    fact's quote placed in the chunk that holds it."""
    raw = [
        RawFact(**{**item, "model": model, "benchmark": benchmark, "parts": tuple(item["parts"]),
                   "fallback": tuple(item["fallback"])})
        for item, model, benchmark in zip(items, *names, strict=True)
    ]  # fmt: skip
    raw.sort(key=lambda f: f.position)
    kept: list[RawFact] = []
    seen: set[tuple[str, str, str, float]] = set()
    for fact in raw:
        key = (fact.benchmark, fact.model, fact.qualifier, round(fact.value, 6))
        if key in seen:
            continue
        seen.add(key)
        kept.append(fact)
    kept = _drop_family_restatements(kept)

    facts: list[BenchmarkFact] = []
    for fact in kept:
        placed = _place_quote(fact, list(chunks))
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
    return SettledArticle(
        signature=signature,
        names=names,
        chunks=chunks,
        units=tuple((f.benchmark, f.unit) for f in kept),
        facts=tuple(facts),
    )


def _with_corpus_unit(fact: BenchmarkFact, units: Mapping[str, set[str]]) -> BenchmarkFact:
    """One unit per benchmark where the articles agree on it: "1,427 points" on an Elo benchmark is Elo, and a
    bare "57" in a table of a "points" index is points."""
    found = units.get(fact.benchmark, set())
    if len(found) == 2 and "points" in found:
        found = found - {"points"}
    if len(found) == 1 and fact.unit in ("", "points"):
        unit = next(iter(found))
        if unit != fact.unit:
            return replace(fact, unit=unit)
    return fact


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
