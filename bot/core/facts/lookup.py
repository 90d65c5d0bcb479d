"""Lookups over the facts of one build: a benchmark's table, a model's page, a comparison, conflicts, and what a
re-index changed. Works on the facts alone: no numpy, faiss or torch, so the ``benchmark`` command starts fast."""

from __future__ import annotations

import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from bot.core.errors import MusebotError
from bot.core.facts._conflicts import (
    _conflict_in,
    _conflict_key,
    find_conflicts,
)
from bot.core.facts._regroup import article_ranges, changed_articles, regrouped
from bot.core.models import (
    BenchmarkFact,
    BenchmarkTable,
    Comparison,
    ComparisonRow,
    Conflict,
    ModelTable,
    ScoreRow,
    SourceRef,
)
from bot.core.names import BENCHMARK, MODEL, NameCatalog, key_tokens, name_key
from bot.core.text import DIGIT_WORDS


def _changes_a_version(typed: Sequence[str], gram: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """Whether a number typed right beside the words that named a benchmark takes the place of the name's own
    number: "arc agi 3" for ARC-AGI-2, "tau3 bench" for τ²-bench; not "gemini 3 arc-agi-2"."""
    at_name = next((c for c in range(len(name)) if name[c : c + len(gram)] == gram), None)
    if at_name is None:
        return False
    for i in (i for i in range(len(typed)) if tuple(typed[i : i + len(gram)]) == gram):
        for typed_at, name_at in ((i - 1, at_name - 1), (i + len(gram), at_name + len(gram))):
            if 0 <= typed_at < len(typed) and 0 <= name_at < len(name):
                mine, theirs = typed[typed_at], name[name_at]
                if mine != theirs and mine[:1].isdigit() and theirs[:1].isdigit():
                    return True
    return False


_SPOKEN_DIGITS = {"zero": "0", **DIGIT_WORDS}
_SPOKEN_RE = re.compile(r"\b(" + "|".join(_SPOKEN_DIGITS) + r")\b", re.IGNORECASE)
_SPOKEN_POINT_RE = re.compile(r"\b(\d+) point (\d+)\b", re.IGNORECASE)


def spoken_numbers(text: str) -> str:
    """ "arc agi two" -> "arc agi 2", "terminal bench two point zero" -> "terminal bench 2.0": a version said in
    words is the same version, and a different one ("arc agi three") is a different benchmark."""
    text = _SPOKEN_RE.sub(lambda m: _SPOKEN_DIGITS[m.group(1).lower()], text)
    return _SPOKEN_POINT_RE.sub(r"\1.\2", text)


# Words typed around a lookup's names: "what did … score on …", "… results pls".
LOOKUP_FILLER = frozenset(
    """score scores scored scoring result results what whats did does do get got gets on in at of the a an for is
    are was were benchmark benchmarks how much well number numbers value values rating ratings performance
    perform performed show me give tell please pls plz its it s with and results figure figures""".split()
)


class UnknownNameError(MusebotError, LookupError):
    """A benchmark or model name that the articles do not give scores for; carries suggestions."""

    def __init__(
        self, name: str, kind: str, suggestions: Sequence[str] = (), known: Sequence[str] = (), *, model: str = ""
    ) -> None:
        self.name = name
        self.kind = kind
        self.suggestions = tuple(suggestions)
        self.model = model  # the model a benchmark lookup names instead of a benchmark ("muse spark")
        shown = name.strip() or "(nothing)"
        if model:
            message = (
                f"'{shown}' names a model, not a benchmark: look {model} up as a model (`musebot model`, or /model"
                " in Discord) for every score the articles give for it."
            )
        elif self.suggestions:
            message = f"No {kind} called '{shown}' in the articles. Did you mean: {', '.join(self.suggestions)}?"
        elif known:
            listed = ", ".join(known[:10]) + (", …" if len(known) > 10 else "")
            message = f"No {kind} called '{shown}' in the articles. The articles give scores for: {listed}."
        else:
            message = f"No {kind} called '{shown}' in the articles; they give no benchmark scores yet."
        super().__init__(message)


def is_lower_better(benchmark: str, unit: str = "") -> bool:
    """Token counts, costs and times: less is better."""
    return unit == "tokens" or bool(re.search(r"\b(?:tokens?|cost|price|latency|time|seconds)\b", benchmark, re.I))


def _decimals(value_text: str) -> int:
    match = re.search(r"\.(\d+)", value_text)
    return len(match.group(1)) if match else 0


_BENCHMARK_OF = operator.attrgetter("benchmark")
_MODEL_OF = operator.attrgetter("model")
_CHUNK_OF = operator.attrgetter("chunk_id")


def _names_of(facts: Sequence[BenchmarkFact]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The models and the benchmarks of some facts, in order of first appearance (as a catalog reads them)."""
    return (
        tuple(n for n in dict.fromkeys(map(_MODEL_OF, facts)) if n),
        tuple(n for n in dict.fromkeys(map(_BENCHMARK_OF, facts)) if n),
    )


SourceLookup = Mapping[str, SourceRef] | Callable[[str], SourceRef | None]


class FactTable:
    """Benchmark lookups over the facts of one index build: tables, model pages, comparisons, conflicts.

    ``articles`` maps an article id to its SourceRef (or is a function doing so). Building is cheap
    (one pass over the facts); lookups are dictionary reads.
    """

    def __init__(
        self,
        facts: Iterable[BenchmarkFact],
        articles: SourceLookup | None = None,
        catalog: NameCatalog | None = None,
    ) -> None:
        self.facts = tuple(facts)
        self._articles = articles if articles is not None else {}
        self.catalog = catalog if catalog is not None else NameCatalog.from_facts(self.facts)
        self._by_benchmark: dict[str, list[BenchmarkFact]] = defaultdict(list)
        self._by_model: dict[str, list[BenchmarkFact]] = defaultdict(list)
        self._groups: dict[tuple[str, str, str], list[BenchmarkFact]] = defaultdict(list)
        self._by_chunk: dict[str, list[BenchmarkFact]] = defaultdict(list)
        for fact in self.facts:
            self._by_benchmark[fact.benchmark].append(fact)
            self._by_model[fact.model].append(fact)
            self._groups[_conflict_key(fact)].append(fact)
            self._by_chunk[fact.chunk_id].append(fact)
        self._article_order = {aid: i for i, aid in enumerate(dict.fromkeys(f.article_id for f in self.facts))}
        self._conflict_of = {k: c for k, group in self._groups.items() if (c := _conflict_in(group)) is not None}
        self._conflicts = tuple(self._conflict_of.values())
        self._ranges = article_ranges(self.facts)

    @classmethod
    def updated(
        cls,
        previous: FactTable,
        facts: Sequence[BenchmarkFact],
        articles: SourceLookup | None,
        catalog_for: Callable[[tuple[str, ...], tuple[str, ...]], NameCatalog],
    ) -> FactTable:
        """``FactTable(facts, articles, catalog_for(models, benchmarks))``, made from ``previous`` by moving only the
        facts of the articles whose facts differ (an add to 10,000 articles regrouped all 90k facts). Each article's
        facts must come together, as a build's do; otherwise, or past a quarter of the articles, it is built anew.
        ``catalog_for`` gets the names in order of first appearance, as ``NameCatalog.from_facts`` reads them."""
        table = cls.__new__(cls)
        table.facts = tuple(facts)
        table._articles = articles if articles is not None else {}
        table._ranges = ranges = article_ranges(table.facts)
        changed = changed_articles(previous.facts, previous._ranges, table.facts, ranges)
        if changed is None or ranges is None or previous._ranges is None:
            return cls(table.facts, articles, catalog=catalog_for(*_names_of(table.facts)))
        old_ranges = previous._ranges
        old_facts = [(a, previous.facts[slice(*old_ranges[a])]) for a in changed if a in old_ranges]
        new_facts = [(a, table.facts[slice(*ranges[a])]) for a in changed if a in ranges]

        def position(fact: BenchmarkFact) -> int:
            start, end = ranges[fact.article_id]
            return table.facts.index(fact, start, end)

        def regroup(
            groups: Mapping[Any, list[BenchmarkFact]], key_of: Callable[[BenchmarkFact], Any], ordered: bool = True
        ) -> Any:
            return regrouped(groups, key_of, old_facts, new_facts, old_ranges, ranges, position if ordered else None)

        table._by_benchmark = regroup(previous._by_benchmark, _BENCHMARK_OF)
        table._by_model = regroup(previous._by_model, _MODEL_OF)
        table._groups = regroup(previous._groups, _conflict_key)
        table._by_chunk = regroup(previous._by_chunk, _CHUNK_OF, ordered=False)  # read by chunk id alone
        table._article_order = {aid: i for i, aid in enumerate(ranges)}
        conflict_of = dict(previous._conflict_of)
        for _article_id, own in (*old_facts, *new_facts):
            for key in {_conflict_key(f) for f in own}:
                conflict_of.pop(key, None)
                group = table._groups.get(key)
                if group and (conflict := _conflict_in(group)) is not None:
                    conflict_of[key] = conflict
        table._conflict_of = {k: conflict_of[k] for k in table._groups if k in conflict_of}
        table._conflicts = tuple(table._conflict_of.values())
        table.catalog = catalog_for(tuple(n for n in table._by_model if n), tuple(n for n in table._by_benchmark if n))
        return table

    def facts_in_chunk(self, chunk_id: str) -> Sequence[BenchmarkFact]:
        """The scores read out of one passage, each bound to its model and benchmark."""
        return self._by_chunk.get(chunk_id, ())

    # ----- names ---------------------------------------------------------------------------------

    def known_benchmarks(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_benchmark, key=str.casefold))

    def known_models(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_model, key=str.casefold))

    def _names(self, kind: str) -> tuple[str, ...]:
        return self.known_benchmarks() if kind == BENCHMARK else self.known_models()

    def _unknown(self, name: str, kind: str) -> UnknownNameError:
        return UnknownNameError(name, kind, self.catalog.suggest(name, kind), self._names(kind))

    def resolve_benchmark(self, name: str) -> str:
        resolved = self.catalog.resolve_benchmark(name)
        if resolved is None or resolved not in self._by_benchmark:
            raise self._unknown(name, BENCHMARK)
        return resolved

    def resolve_model(self, name: str) -> str:
        resolved = self.catalog.resolve_forgiving(name, MODEL)
        if resolved is None or resolved not in self._by_model:
            raise self._unknown(name, MODEL)
        return resolved

    def _benchmarks_named(self, name: str) -> tuple[str, ...]:
        """The benchmark ``name`` stands for; else the benchmarks it is the first words of ("τ²-bench" before
        "… Telecom" and "… Retail"); else none."""
        resolved = self.catalog.resolve_benchmark(name)
        if resolved is not None:
            return (resolved,) if resolved in self._by_benchmark else ()
        family = tuple(b for b in self.catalog.family(name, BENCHMARK) if b in self._by_benchmark)
        if family:
            return family
        forgiven = self.catalog.resolve_forgiving(name, BENCHMARK)
        return (forgiven,) if forgiven in self._by_benchmark else ()

    def complete(self, partial: str, kind: str, limit: int = 25) -> list[str]:
        """Names for autocomplete: prefix matches, then substring and word-prefix matches, then fuzzy ones."""
        names = self._names(kind)
        key = name_key(partial)
        if not key:
            return list(names[:limit])
        compact = key.replace(" ", "")
        query_tokens = key.split()
        ranked: list[tuple[int, str]] = []
        for name in names:
            name_tokens = key_tokens(name)
            spaced = " ".join(name_tokens)
            joined = spaced.replace(" ", "")
            if spaced.startswith(key) or joined.startswith(compact):
                rank = 0
            elif any(spaced[i:].startswith(key) for i in range(len(spaced)) if i == 0 or spaced[i - 1] == " "):
                rank = 1
            elif key in spaced or compact in joined:
                rank = 2
            elif all(any(t.startswith(q) for t in name_tokens) for q in query_tokens):
                rank = 3
            else:
                continue
            ranked.append((rank, name))
        resolved = self.catalog.resolve(partial, kind)
        out = ([resolved] if resolved in names else []) + [
            n for _, n in sorted(ranked, key=lambda r: (r[0], r[1].casefold()))
        ]
        if len(compact) >= 3:
            out += self.catalog.suggest(partial, kind, limit=limit)
        return list(dict.fromkeys(n for n in out if n in names))[:limit]

    def detect_lookup(self, question: str) -> tuple[str | None, tuple[str, ...]]:
        """(benchmark, models) a free-text question names, for answering a lookup in disguise."""
        benchmarks, models = self.catalog.find_mentions(question)
        benchmark = next((b for b in benchmarks if b in self._by_benchmark), None)
        return benchmark, tuple(m for m in models if m in self._by_model)

    # ----- lookups -------------------------------------------------------------------------------

    def _source(self, article_id: str) -> SourceRef:
        ref = self._articles(article_id) if callable(self._articles) else self._articles.get(article_id)
        return ref or SourceRef(article_id=article_id, title=article_id, outlet="")

    def _sources(self, facts: Iterable[BenchmarkFact]) -> tuple[SourceRef, ...]:
        ids = sorted({f.article_id for f in facts}, key=lambda a: (self._article_order.get(a, 0), a))
        return tuple(self._source(a) for a in ids)

    def _row(self, label: str, facts: Sequence[BenchmarkFact], lower_better: bool) -> ScoreRow:
        ordered = sorted(
            facts, key=lambda f: (f.value if lower_better else -f.value, self._article_order.get(f.article_id, 0))
        )
        return ScoreRow(label=label, facts=tuple(ordered), is_conflict=len({round(f.value, 6) for f in facts}) > 1)

    def benchmark_table(self, name: str) -> BenchmarkTable:
        """Every model's score on one benchmark, best first; rows whose sources disagree are conflicts.

        A name that starts several benchmarks ("τ²-bench" before "… Telecom" and "… Retail") shows each of
        them in turn, its rows labelled with the benchmark.
        """
        typed, name = name, spoken_numbers(name)
        benchmarks = self._benchmarks_named(name)
        models: tuple[str, ...] = ()
        unread = ""
        setting: frozenset[str] = frozenset()
        if not benchmarks:
            benchmarks, models, unread, setting = self._lookup_in_words(name)
        if not benchmarks:
            mentioned = tuple(b for b in self.catalog.find_mentions(name)[0] if b in self._by_benchmark)
            if mentioned:  # "muse spark arc agi 3": the benchmark it nearly names is the suggestion
                raise UnknownNameError(typed, BENCHMARK, mentioned, self._names(BENCHMARK))
            named_model = self._only_a_model(name)
            if named_model:  # "muse spark scores": the model lookup is what was meant
                raise UnknownNameError(typed, BENCHMARK, (), self._names(BENCHMARK), model=named_model)
            raise UnknownNameError(typed, BENCHMARK, self.catalog.suggest(name, BENCHMARK), self._names(BENCHMARK))
        label_benchmark = len(benchmarks) > 1
        rows: list[ScoreRow] = []
        for benchmark in benchmarks:
            facts = self._by_benchmark[benchmark]
            lower_better = is_lower_better(benchmark, facts[0].unit if facts else "")
            groups: dict[tuple[str, str], list[BenchmarkFact]] = defaultdict(list)
            for fact in facts:
                groups[(fact.model, fact.qualifier)].append(fact)
            group_rows = [
                self._row(
                    (f"{model} ({qualifier})" if qualifier else model) + (f" — {benchmark}" if label_benchmark else ""),
                    group,
                    lower_better,
                )
                for (model, qualifier), group in groups.items()
            ]
            group_rows.sort(key=lambda r: (r.facts[0].value if lower_better else -r.facts[0].value, r.label.casefold()))
            rows.extend(group_rows)
        all_facts = [f for benchmark in benchmarks for f in self._by_benchmark[benchmark]]
        shown = typed.strip() if label_benchmark else benchmarks[0]
        note = ""
        if models:
            # "muse spark gpqa diamond score": that model's rows (every variant), if the articles give any.
            family = {m for model in models for m in (*self.catalog.family(model), model)}
            kept = [r for r in rows if r.facts[0].model in family]
            in_setting = [r for r in kept if setting <= set(key_tokens(f"{r.facts[0].model} {r.facts[0].qualifier}"))]
            if ((setting and not in_setting) or unread) and kept:
                words = " ".join(sorted(setting)) if setting else unread
                named = " or ".join(models)
                note = f"The articles give no {shown} score for {named} “{words}”; these are the ones they give."
            kept = in_setting if setting and in_setting else kept
            if kept:
                rows = kept
                all_facts = [f for r in kept for f in r.facts]
                shown = f"{shown} — {', '.join(models)}"
            else:
                note = f"The articles give no {shown} score for {' or '.join(models)}; these are the ones they give."
        elif unread:
            # "gemini 3 arc-agi-2" when only Gemini 3.1 Pro has a score: a near name is a different model.
            note = f"No model in these rows is “{unread}”; these are the scores the articles give for {shown}."
        return BenchmarkTable(benchmark=shown, rows=tuple(rows), sources=self._sources(all_facts), note=note)

    def _only_a_model(self, text: str) -> str:
        """The model a lookup names when it names nothing else ("gpt 5.4 results"), or ""."""
        models = [m for m in dict.fromkeys(self.catalog.find_mentions(text)[1]) if m in self._by_model]
        used = {t for kind, _name, gram in self.catalog.mention_grams(text) if kind == MODEL for t in gram}
        rest = [t for t in key_tokens(text) if t not in used and t not in LOOKUP_FILLER]
        return models[0] if len(models) == 1 and not rest else ""

    def _setting_words(self, models: Sequence[str]) -> frozenset[str]:
        """The words of the settings the articles score these models (and their families) in: "low", "effort"."""
        family = {m for model in models for m in (*self.catalog.family(model), model)}
        own = {t for model in models for t in key_tokens(model)}
        # A setting the articles write into a row's name counts too: "instant" of "Muse Spark Instant mode".
        in_names = {t for m in family for t in key_tokens(m) if t not in own and not t[0].isdigit()}
        return frozenset(
            t for m in family for f in self._by_model.get(m, ()) for t in key_tokens(f.qualifier) if not t[0].isdigit()
        ) | frozenset(in_names)

    def _lookup_in_words(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...], str, frozenset[str]]:
        """(benchmarks, models, the words read as neither, the words read as a setting of those models) of a
        lookup typed as words around the names: "muse spark gpqa diamond score", "what did gpt-5.4 get on
        helthbench hrd", "gpqa diamnod claude opus 4.6 low effort". A benchmark is named outright, or is what
        the words left over from the model names spell (typing errors forgiven, never a digit), once the
        words of a setting the articles score those models in are set aside."""
        found_benchmarks, found_models = self.catalog.find_mentions(text)
        models = tuple(m for m in dict.fromkeys(found_models) if m in self._by_model)
        benchmarks = tuple(b for b in dict.fromkeys(found_benchmarks) if b in self._by_benchmark)
        grams = self.catalog.mention_grams(text)
        if benchmarks:
            tokens = key_tokens(text)
            for kind, found, gram in grams:
                if kind == BENCHMARK and _changes_a_version(tokens, tuple(gram), tuple(key_tokens(found))):
                    return (
                        (),
                        (),
                        "",
                        frozenset(),
                    )  # "arc agi 3", "tau3 bench": the version typed is not the one the articles give
            used = {t for _kind, _name, gram in grams for t in gram}
            unread = " ".join(t for t in tokens if t not in used and t not in LOOKUP_FILLER)
            family = tuple(m for m in self.catalog.family(unread) if m in self._by_model) if unread else ()
            if not models and family:
                return benchmarks, family, "", frozenset()  # "gemini gpqa diamond": every Gemini the articles score
            setting = frozenset(unread.split())
            if models and setting and setting <= self._setting_words(models):
                return benchmarks, models, "", setting  # "… claude opus 4.6 low effort": that setting's row
            return benchmarks, models, unread, frozenset()
        used = {t for kind, _name, gram in grams if kind == MODEL for t in gram}
        rest_tokens = [t for t in key_tokens(text) if t not in used and t not in LOOKUP_FILLER]
        rest = " ".join(rest_tokens)
        if not rest or rest == name_key(text):
            return (*self._split_family(text), frozenset())
        named = self._benchmarks_named(rest)
        if not named and models:
            setting_words = self._setting_words(models)
            setting = frozenset(t for t in rest_tokens if t in setting_words)
            remaining = " ".join(t for t in rest_tokens if t not in setting)
            if setting and remaining:
                named = self._benchmarks_named(remaining)
                if named:
                    return named, models, "", setting
        if not named and models and len(rest_tokens) > 1:
            # "muse spark instant charxiv": one word beside the model's name is its setting, even one the articles
            # write as part of a row's name ("Muse Spark Instant mode"), and the rest names the benchmark.
            for at, word in enumerate(rest_tokens):
                named = self._benchmarks_named(" ".join(rest_tokens[:at] + rest_tokens[at + 1 :]))
                if named:
                    return named, models, "", frozenset({word})
        return named, models, "", frozenset()

    def _split_family(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
        """ "simpelvqa grok": a benchmark typed with errors beside a model family's first word ("grok" for
        Grok 4.2), which no mention finds because neither name is typed whole."""
        words = [t for t in key_tokens(text) if t not in LOOKUP_FILLER]
        for size in (1, 2):
            for model_words, rest in ((words[:size], words[size:]), (words[-size:], words[:-size])):
                if not rest or len(model_words) < size:
                    continue
                family = tuple(m for m in self.catalog.family(" ".join(model_words)) if m in self._by_model)
                benchmarks = self._benchmarks_named(" ".join(rest)) if family else ()
                if benchmarks:
                    return benchmarks, family, ""
        return (), (), ""

    def model_table(self, name: str) -> ModelTable:
        """Every benchmark the articles give for a model; a family name ("Gemini 3.1 Pro") shows its variants."""
        family = tuple(m for m in self.catalog.family(name) if m in self._by_model)
        if not family and (forgiven := self.catalog.resolve_forgiving(name, MODEL)) in self._by_model:
            family = tuple(m for m in self.catalog.family(forgiven) if m in self._by_model) or (forgiven,)
        if not family:
            raise self._unknown(name, MODEL)
        resolved = self.catalog.resolve_model(name)
        label_model = len(family) > 1
        groups: dict[tuple[str, str, str], list[BenchmarkFact]] = defaultdict(list)
        for model in family:
            for fact in self._by_model[model]:
                groups[(fact.benchmark, fact.qualifier, model)].append(fact)
        rank = {m: i for i, m in enumerate(family)}
        rows = []
        for (benchmark, qualifier, model), group in sorted(
            groups.items(), key=lambda item: (item[0][0].casefold(), rank[item[0][2]], item[0][1])
        ):
            label = benchmark + (f" ({qualifier})" if qualifier else "") + (f" — {model}" if label_model else "")
            rows.append(self._row(label, group, is_lower_better(benchmark, group[0].unit)))
        all_facts = [f for model in family for f in self._by_model[model]]
        shown = resolved if resolved in self._by_model else (family[0] if len(family) == 1 else name.strip())
        return ModelTable(model=shown, rows=tuple(rows), sources=self._sources(all_facts))

    def compare(self, a: str, b: str) -> Comparison:
        """Two models on the benchmarks they share (difference a − b), then what only one of them has."""
        model_a, model_b = self.resolve_model(a), self.resolve_model(b)
        by_a = self._by_measure(model_a)
        by_b = self._by_measure(model_b)
        shared = []
        for key in sorted(set(by_a) & set(by_b), key=lambda k: (k[0].casefold(), k[1])):
            facts_a, facts_b = by_a[key], by_b[key]
            lower_better = is_lower_better(key[0], facts_a[0].unit)
            row_a, row_b = self._row("", facts_a, lower_better), self._row("", facts_b, lower_better)
            shared.append(
                ComparisonRow(
                    benchmark=f"{key[0]} ({key[1]})" if key[1] else key[0],
                    a=row_a.facts,
                    b=row_b.facts,
                    difference=_difference(facts_a, facts_b),
                )
            )

        def only(mine: dict[tuple[str, str], list[BenchmarkFact]], other: dict) -> tuple[ScoreRow, ...]:
            return tuple(
                self._row(f"{k[0]} ({k[1]})" if k[1] else k[0], v, is_lower_better(k[0], v[0].unit))
                for k, v in sorted(mine.items(), key=lambda kv: (kv[0][0].casefold(), kv[0][1]))
                if k not in other
            )

        facts = [*self._by_model[model_a], *self._by_model[model_b]]
        return Comparison(
            model_a=model_a,
            model_b=model_b,
            shared=tuple(shared),
            only_a=only(by_a, by_b),
            only_b=only(by_b, by_a),
            sources=self._sources(facts),
        )

    def _by_measure(self, model: str) -> dict[tuple[str, str], list[BenchmarkFact]]:
        out: dict[tuple[str, str], list[BenchmarkFact]] = defaultdict(list)
        for fact in self._by_model[model]:
            out[(fact.benchmark, fact.qualifier)].append(fact)
        return out

    def conflicts(self) -> tuple[Conflict, ...]:
        return self._conflicts

    def facts_for(
        self, benchmark: str, models: Sequence[str] = ()
    ) -> tuple[tuple[BenchmarkFact, ...], tuple[Conflict, ...]]:
        """Facts on one benchmark, best first, with conflicts (a name that starts several: each in turn).

        When ``models`` are named, only their facts (and their variants'): none when the articles give no score
        for them, rather than other models' scores that would read as the answer.
        """
        benchmarks = self._benchmarks_named(benchmark)
        facts = [f for name in benchmarks for f in self._by_benchmark[name]]
        if models:
            wanted = {m for name in models for m in self.catalog.family(name)}
            facts = [f for f in facts if f.model in wanted]
        if not facts:
            return (), ()
        lower_better = {name: is_lower_better(name, self._by_benchmark[name][0].unit) for name in benchmarks}
        rank = {name: i for i, name in enumerate(benchmarks)}
        ordered = tuple(
            sorted(facts, key=lambda f: (rank[f.benchmark], f.value if lower_better[f.benchmark] else -f.value))
        )
        return ordered, find_conflicts(ordered)


def _difference(a: Sequence[BenchmarkFact], b: Sequence[BenchmarkFact]) -> float | None:
    values_a = {round(f.value, 6) for f in a}
    values_b = {round(f.value, 6) for f in b}
    units = {f.unit for f in (*a, *b) if f.unit}
    if len(values_a) != 1 or len(values_b) != 1 or len(units) > 1:
        return None
    digits = max(_decimals(f.value_text) for f in (*a, *b))
    return round(next(iter(values_a)) - next(iter(values_b)), digits)
