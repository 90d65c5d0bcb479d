"""Raw facts settled across the corpus: canonical names, duplicates and family restatements dropped, one unit per
benchmark, and each fact's quote placed in the chunk that holds it."""

from __future__ import annotations

import itertools
import logging
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.core.facts._raw import RawFact
from bot.core.models import Article, BenchmarkFact, Chunk
from bot.core.names import BENCHMARK, MODEL, canonicalize_spellings, key_tokens

log = logging.getLogger(__name__)

_MODEL_OF = operator.itemgetter("model")
_BENCHMARK_OF = operator.itemgetter("benchmark")
_ARTICLE_OF = operator.attrgetter("article_id")


@dataclass(frozen=True, slots=True)
class SettledArticle:
    """One article's facts as settled: valid while its raw facts (``signature``), the canonical names they take
    and its chunks stay the same. Units are as read; one unit per benchmark is settled over the corpus after."""

    signature: str
    names: tuple[tuple[str, ...], tuple[str, ...]]  # the canonical model and benchmark name of each raw fact
    chunks: tuple[Chunk, ...]
    units: tuple[tuple[str, str], ...]  # (benchmark, unit) of every fact kept, placed in a chunk or not
    facts: tuple[BenchmarkFact, ...]
    raw_names: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # each raw fact's model and benchmark, as written
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


@dataclass(frozen=True, slots=True)
class _Tally:
    """What one settling counted over the whole corpus, so that the next one can count only what changed: how often
    each raw name is written, which units each benchmark's facts give, and each article's facts in those units."""

    models: Counter[str]
    benchmarks: Counter[str]
    model_names: dict[str, str]
    bench_names: dict[str, str]
    units: dict[str, Counter[str]]  # benchmark -> how many kept facts give each unit ("" not counted)
    final: dict[str, tuple[BenchmarkFact, ...]]  # article id -> its facts in the corpus's units, in that order


class SettledFacts(dict[str, "SettledArticle"]):
    """Each article's settled facts by id, kept between builds, with the corpus-wide counts of the last settling:
    with them an add settles, counts and re-units only the articles it changed (a dict of ``SettledArticle``
    alone still spares the settling of each article, but counts names and units over every fact).

    After a load, ``restore`` takes the counts a build saved and that build's facts instead of settling every
    article again: an article the next add does not change is settled only if a count asks for it (``entry``).
    """

    __slots__ = ("_saved", "tally")

    def __init__(self) -> None:
        super().__init__()
        self.tally: _Tally | None = None
        self._saved: dict[str, _SavedArticle] = {}  # restored, not settled yet; never also a key of the dict

    def clear(self) -> None:
        super().clear()
        self.tally = None
        self._saved = {}

    def has_article(self, article_id: str) -> bool:
        return article_id in self or article_id in self._saved

    def signature_and_chunks(self, article_id: str) -> tuple[str, tuple[Chunk, ...]] | None:
        """What an article was settled from (its signature and chunks), settled or only restored; None if neither."""
        entry = self.get(article_id)
        if entry is not None:
            return entry.signature, entry.chunks
        saved = self._saved.get(article_id)
        return (saved.signature, saved.chunks) if saved is not None else None

    def entry(self, article_id: str) -> SettledArticle:
        """An article's settled facts, settling a restored one now under the tally's names (the names it was
        settled with: a settling that would rename a kept spelling starts afresh instead)."""
        entry = self.get(article_id)
        if entry is not None:
            return entry
        saved = self._saved.pop(article_id)
        tally = self.tally
        if tally is None:  # a bug: restored articles live only beside a tally
            raise RuntimeError("restored facts without their counts")
        items = saved.raw
        raw_names = (tuple(map(_MODEL_OF, items)), tuple(map(_BENCHMARK_OF, items)))
        entry = _settled(items, raw_names, tally.model_names, tally.bench_names, saved.chunks, saved.signature, None)
        self[article_id] = entry
        return entry

    def forget(self, article_id: str) -> None:
        self.pop(article_id, None)
        self._saved.pop(article_id, None)

    def saved_tally(self) -> dict[str, Any] | None:
        """The counts of the last settling as JSON (what ``restore`` reads back), or None before any."""
        tally = self.tally
        if tally is None:
            return None
        return {
            "models": dict(tally.models),
            "benchmarks": dict(tally.benchmarks),
            "model_names": tally.model_names,
            "bench_names": tally.bench_names,
            "units": {benchmark: dict(counts) for benchmark, counts in tally.units.items()},
        }

    def restore(
        self,
        saved_tally: Mapping[str, Any],
        raw: Mapping[str, Sequence[Mapping[str, Any]]],
        signatures: Mapping[str, str],
        chunks: Sequence[Chunk],
        facts: Sequence[BenchmarkFact],
    ) -> bool:
        """Take up a saved build's settling: its counts (``saved_tally``), each article's raw facts and signature
        as that build read them, its chunks and its facts (in article order). Nothing is settled now. False, and
        nothing taken, when they do not fit together (then the next settling counts afresh)."""
        own_chunks = _chunks_by_article(chunks)
        if own_chunks is None or not own_chunks.keys() <= raw.keys() or raw.keys() != signatures.keys():
            return False
        final: dict[str, tuple[BenchmarkFact, ...]] = dict.fromkeys(raw, ())
        for article_id, run in itertools.groupby(facts, key=_ARTICLE_OF):
            if article_id not in final or final[article_id]:
                return False
            final[article_id] = tuple(run)
        try:
            tally = _Tally(
                Counter(saved_tally["models"]),
                Counter(saved_tally["benchmarks"]),
                dict(saved_tally["model_names"]),
                dict(saved_tally["bench_names"]),
                {benchmark: Counter(counts) for benchmark, counts in saved_tally["units"].items()},
                final,
            )
        except (KeyError, TypeError, AttributeError):
            return False
        self.clear()
        self._saved = {
            article_id: _SavedArticle(signatures[article_id], own_chunks.get(article_id, ()), items)
            for article_id, items in raw.items()
        }
        self.tally = tally
        return True


@dataclass(frozen=True, slots=True)
class _SavedArticle:
    """An article as a saved build settled it, not settled again in this process yet."""

    signature: str
    chunks: tuple[Chunk, ...]
    raw: Sequence[Mapping[str, Any]]


# Past this share of changed articles, counting afresh costs no more than adjusting the counts.
INCREMENTAL_SHARE = 0.25


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
    unchanged; ``settled`` is then refilled with this corpus's articles. A ``SettledFacts`` also keeps the
    corpus-wide counts, so that only the changed articles' names and units are counted again. The facts are the
    same either way.
    """
    if isinstance(settled, SettledFacts) and settled.tally is not None and signatures is not None:
        facts = _settle_changes(raw, articles, chunks, alias_map, signatures, settled, settled.tally)
        if facts is not None:
            return facts
    # Each article's raw names, read once (a corpus-wide settling reads every fact's, 90k at 10,000 articles).
    raw_models = [tuple(map(_MODEL_OF, raw.get(a.id, ()))) for a in articles]
    raw_benchmarks = [tuple(map(_BENCHMARK_OF, raw.get(a.id, ()))) for a in articles]
    model_counts = Counter(itertools.chain.from_iterable(raw_models))
    bench_counts = Counter(itertools.chain.from_iterable(raw_benchmarks))
    model_names = canonicalize_spellings(model_counts, MODEL, alias_map)
    bench_names = canonicalize_spellings(bench_counts, BENCHMARK, alias_map)
    by_article: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        by_article[chunk.article_id].append(chunk)

    done: dict[str, SettledArticle] = {}
    for article, models, benchmarks in zip(articles, raw_models, raw_benchmarks, strict=True):
        own_chunks = tuple(sorted(by_article.get(article.id, ()), key=lambda c: c.ordinal))
        signature = signatures.get(article.id, "") if signatures is not None else ""
        before = settled.get(article.id) if settled is not None and signature else None
        done[article.id] = _settled(
            raw.get(article.id, ()), (models, benchmarks), model_names, bench_names, own_chunks, signature, before
        )
    units: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in done.values():
        for benchmark, unit in entry.units:
            if unit:
                units[benchmark][unit] += 1
    unit_sets = {benchmark: set(counts) for benchmark, counts in units.items()}
    final = {article_id: tuple(entry.facts_in_units(unit_sets)) for article_id, entry in done.items()}
    if settled is not None:
        if isinstance(settled, SettledFacts):
            settled.tally = None
        settled.clear()
        settled.update(done)
        if isinstance(settled, SettledFacts):
            settled.tally = _Tally(model_counts, bench_counts, model_names, bench_names, dict(units), final)
    facts = tuple(itertools.chain.from_iterable(final.values()))
    log.info("extracted %d benchmark facts from %d articles", len(facts), len(articles))
    return facts


def _settled(
    items: Sequence[Mapping[str, Any]],
    raw_names: tuple[tuple[str, ...], tuple[str, ...]],
    model_names: Mapping[str, str],
    bench_names: Mapping[str, str],
    chunks: tuple[Chunk, ...],
    signature: str,
    before: SettledArticle | None,
) -> SettledArticle:
    """One article settled under the corpus's names: ``before`` when it still holds, else settled afresh."""
    models, benchmarks = raw_names
    # A name without a key stays as written: get(name, name).
    names = (tuple(map(model_names.get, models, models)), tuple(map(bench_names.get, benchmarks, benchmarks)))
    if before is not None and before.signature == signature and before.names == names and before.chunks == chunks:
        return before
    return _settle_article(items, names, chunks, signature, raw_names)


def _settle_changes(
    raw: Mapping[str, Sequence[Mapping[str, Any]]],
    articles: Sequence[Article],
    chunks: Sequence[Chunk],
    alias_map: Mapping[str, Mapping[str, Sequence[str]]],
    signatures: Mapping[str, str],
    settled: SettledFacts,
    tally: _Tally,
) -> tuple[BenchmarkFact, ...] | None:
    """``finalize_facts`` from the last settling's counts, adjusted by the articles that changed since (new, gone,
    another signature or other chunks); None when counting afresh is needed (a name that now settles to another
    canonical name, many changes, chunks not grouped by article, an id twice)."""
    ids = [article.id for article in articles]
    own_chunks = _chunks_by_article(chunks)
    if own_chunks is None or len(set(ids)) != len(ids):
        return None
    changed = []
    for article_id in ids:
        before = settled.signature_and_chunks(article_id)
        signature = signatures.get(article_id, "")
        if before is None or not signature or before[0] != signature or before[1] != own_chunks.get(article_id, ()):
            changed.append(article_id)
    gone = tally.final.keys() - set(ids)
    if len(changed) + len(gone) > INCREMENTAL_SHARE * max(len(ids), 1):
        return None
    models, benchmarks = tally.models.copy(), tally.benchmarks.copy()
    new_names: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for article_id in (*changed, *gone):
        if article_id in tally.final:  # counted by the last settling
            old_models, old_benchmarks = settled.entry(article_id).raw_names
            models.subtract(old_models)
            benchmarks.subtract(old_benchmarks)
    for article_id in changed:
        items = raw.get(article_id, ())
        new_names[article_id] = (tuple(map(_MODEL_OF, items)), tuple(map(_BENCHMARK_OF, items)))
        models.update(new_names[article_id][0])
        benchmarks.update(new_names[article_id][1])
    models, benchmarks = +models, +benchmarks  # only the spellings still written
    model_names = canonicalize_spellings(models, MODEL, alias_map)
    bench_names = canonicalize_spellings(benchmarks, BENCHMARK, alias_map)
    for old, new in ((tally.model_names, model_names), (tally.bench_names, bench_names)):
        if any(new.get(spelling, name) != name for spelling, name in old.items()):
            return None  # a kept article's facts may now take another name: every article is looked at again

    entries: dict[str, SettledArticle] = {}
    for article_id in changed:
        entries[article_id] = _settled(
            raw.get(article_id, ()), new_names[article_id], model_names, bench_names,
            own_chunks.get(article_id, ()), signatures.get(article_id, ""), settled.get(article_id),
        )  # fmt: skip
    units = {benchmark: counts.copy() for benchmark, counts in tally.units.items()}
    touched: set[str] = set()
    for article_id in (*changed, *gone):
        if article_id in tally.final:
            for benchmark, unit in settled.entry(article_id).units:
                if unit:
                    units[benchmark][unit] -= 1
                    touched.add(benchmark)
    for entry in entries.values():
        for benchmark, unit in entry.units:
            if unit:
                units.setdefault(benchmark, Counter())[unit] += 1
                touched.add(benchmark)
    for benchmark in touched:
        units[benchmark] = +units[benchmark]
        if not units[benchmark]:
            del units[benchmark]
    unit_sets = {benchmark: set(counts) for benchmark, counts in units.items()}
    moved = {b for b in touched if unit_sets.get(b, set()) != set(tally.units.get(b, ()))}

    final = tally.final.copy()
    for article_id in gone:
        del final[article_id]
    for article_id, entry in entries.items():
        final[article_id] = tuple(entry.facts_in_units(unit_sets))
    if moved:  # a benchmark's unit is settled otherwise now: its kept articles' facts take it
        for article_id in ids:
            if article_id in entries:
                continue
            kept = settled.get(article_id)
            # A restored article is settled only if one of its facts is on such a benchmark: a unit counted from
            # a fact whose quote was not found changes none of its facts.
            if (kept is not None and any(b in moved for b, _unit in kept.units)) or (
                kept is None and any(f.benchmark in moved for f in final[article_id])
            ):
                final[article_id] = tuple(settled.entry(article_id).facts_in_units(unit_sets))
    settled.tally = None
    for article_id in gone:
        settled.forget(article_id)
    for article_id, entry in entries.items():
        settled.forget(article_id)
        settled[article_id] = entry
    settled.tally = _Tally(models, benchmarks, model_names, bench_names, units, final)
    facts = tuple(itertools.chain.from_iterable(map(final.__getitem__, ids)))
    log.info("extracted %d benchmark facts from %d articles (%d settled again)", len(facts), len(ids), len(changed))
    return facts


def _chunks_by_article(chunks: Sequence[Chunk]) -> dict[str, tuple[Chunk, ...]] | None:
    """Each article's chunks in ordinal order, when each article's chunks come together (a build's global rows do);
    None otherwise."""
    out: dict[str, tuple[Chunk, ...]] = {}
    for article_id, run in itertools.groupby(chunks, key=_ARTICLE_OF):
        if article_id in out:
            return None
        group = tuple(run)
        if any(a.ordinal > b.ordinal for a, b in itertools.pairwise(group)):
            group = tuple(sorted(group, key=lambda c: c.ordinal))
        out[article_id] = group
    return out


def _settle_article(
    items: Sequence[Mapping[str, Any]],
    names: tuple[tuple[str, ...], tuple[str, ...]],
    chunks: tuple[Chunk, ...],
    signature: str,
    raw_names: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
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
        raw_names=raw_names,
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
