"""Conflicts between sources, and what a re-index changed in the facts: of every fact, or (``diff_tables``) read
from two facts tables article by article. Standard library only, as ``lookup``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from bot.core.facts._regroup import changed_articles
from bot.core.models import BenchmarkFact, Conflict, FactChange

if TYPE_CHECKING:
    from bot.core.facts.lookup import FactTable


def _conflict_key(fact: BenchmarkFact) -> tuple[str, str, str]:
    return fact.benchmark, fact.model, fact.qualifier


def find_conflicts(facts: Iterable[BenchmarkFact]) -> tuple[Conflict, ...]:
    """(benchmark, model, qualifier) pairs that the facts give different values for."""
    groups: dict[tuple[str, str, str], list[BenchmarkFact]] = defaultdict(list)
    for fact in facts:
        groups[_conflict_key(fact)].append(fact)
    return tuple(c for group in groups.values() if (c := _conflict_in(group)) is not None)


def _conflict_in(group: Sequence[BenchmarkFact]) -> Conflict | None:
    """The conflict of one (benchmark, model, qualifier)'s facts, in order, or None when they agree."""
    values = {f.value for f in group}  # rounding only the distinct values: an add re-reads every group
    if len(values) > 1 and len({round(v, 6) for v in values}) > 1:
        return Conflict(benchmark=group[0].benchmark, model=group[0].model, facts=tuple(group))
    return None


def describe_conflict(conflict: Conflict) -> str:
    """One readable line: "GDPval-AA · Muse Spark: 1,444 (a) vs 1,427 (b)"."""
    shown = " vs ".join(f"{f.value_text} ({f.article_id})" for f in conflict.facts)
    qualifier = next((f.qualifier for f in conflict.facts if f.qualifier), "")
    label = f"{conflict.benchmark} ({qualifier})" if qualifier else conflict.benchmark
    return f"{label} · {conflict.model}: {shown}"


def diff_facts(
    old: Iterable[BenchmarkFact], new: Iterable[BenchmarkFact]
) -> tuple[tuple[FactChange, ...], tuple[str, ...], tuple[str, ...]]:
    """What a re-index changed: (fact changes, conflicts introduced, conflicts resolved) as readable lines."""
    old, new = _facts_that_differ(tuple(old), tuple(new))
    changes = _fact_changes(old, new)
    old_conflicts = {_conflict_key(c.facts[0]): describe_conflict(c) for c in find_conflicts(old)}
    new_conflicts = {_conflict_key(c.facts[0]): describe_conflict(c) for c in find_conflicts(new)}
    introduced = tuple(line for key, line in new_conflicts.items() if old_conflicts.get(key) != line)
    resolved = tuple(line for key, line in old_conflicts.items() if key not in new_conflicts)
    return changes, introduced, resolved


def diff_tables(old: FactTable, new: FactTable) -> tuple[tuple[FactChange, ...], tuple[str, ...], tuple[str, ...]]:
    """``diff_facts(old.facts, new.facts)``, read from the articles whose facts differ between the two tables: a
    change is keyed by its article, and a conflict's line is its (benchmark, model, qualifier)'s group, which each
    table keeps."""
    changed = changed_articles(old.facts, old._ranges, new.facts, new._ranges)
    if changed is None or old._ranges is None or new._ranges is None:
        return diff_facts(old.facts, new.facts)
    old_part = tuple(f for a in changed for f in old.facts[slice(*old._ranges.get(a, (0, 0)))])
    new_part = tuple(f for a in changed for f in new.facts[slice(*new._ranges.get(a, (0, 0)))])
    touched = {_conflict_key(f) for f in (*old_part, *new_part)}
    old_lines = {k: describe_conflict(old._conflict_of[k]) for k in touched if k in old._conflict_of}
    new_lines = {k: describe_conflict(new._conflict_of[k]) for k in touched if k in new._conflict_of}
    # In each table's order of conflicts, as a diff of every fact lists them.
    introduced = tuple(
        new_lines[k]
        for c in new._conflicts
        if (k := _conflict_key(c.facts[0])) in new_lines and old_lines.get(k) != new_lines[k]
    )
    resolved = tuple(
        old_lines[k] for c in old._conflicts if (k := _conflict_key(c.facts[0])) in old_lines and k not in new_lines
    )
    return _fact_changes(old_part, new_part), introduced, resolved


def _fact_changes(old: Sequence[BenchmarkFact], new: Sequence[BenchmarkFact]) -> tuple[FactChange, ...]:
    """Each (benchmark, model, qualifier, article) whose values differ, in key order."""

    def by_key(facts: Sequence[BenchmarkFact]) -> dict[tuple[str, str, str, str], str]:
        grouped: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
        for f in facts:
            grouped[(f.benchmark, f.model, f.qualifier, f.article_id)].append(f.value_text)
        return {k: " / ".join(v) for k, v in grouped.items()}

    before, after = by_key(old), by_key(new)
    changes = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            benchmark, model, qualifier, article_id = key
            label = f"{benchmark} ({qualifier})" if qualifier else benchmark
            changes.append(FactChange(label, model, article_id, before.get(key, ""), after.get(key, "")))
    return tuple(changes)


def _facts_that_differ(
    old: tuple[BenchmarkFact, ...], new: tuple[BenchmarkFact, ...]
) -> tuple[tuple[BenchmarkFact, ...], tuple[BenchmarkFact, ...]]:
    """Both sides cut to the facts that can make a difference to ``diff_facts``: those of a (benchmark, model,
    qualifier) with a fact on one side only. A build keeps the very fact objects of the articles it did not touch
    (facts are settled per article), so they are told apart by identity; a key whose facts are all the same
    objects, in the same order, on both sides has no change and no conflict come or gone (changes are keyed
    finer, by article too). Facts read afresh (a build loaded from disk) share no identity, and then nothing is
    cut."""
    old_ids = set(map(id, old))
    new_ids = set(map(id, new))
    if old_ids.isdisjoint(new_ids):
        return old, new
    touched = {_conflict_key(f) for f in old if id(f) not in new_ids}
    touched.update(_conflict_key(f) for f in new if id(f) not in old_ids)
    benchmarks = {key[0] for key in touched}  # a cheap first test: most facts are of another benchmark
    old_cut = tuple(f for f in old if f.benchmark in benchmarks and _conflict_key(f) in touched)
    new_cut = tuple(f for f in new if f.benchmark in benchmarks and _conflict_key(f) in touched)
    cut_ids = set(map(id, old_cut)) | set(map(id, new_cut))
    # The same objects on both sides (a list compares each pair by identity first; two facts equal in value
    # are interchangeable): otherwise the same facts in another order, compared in full.
    if [f for f in old if id(f) not in cut_ids] != [f for f in new if id(f) not in cut_ids]:
        return old, new
    return old_cut, new_cut
