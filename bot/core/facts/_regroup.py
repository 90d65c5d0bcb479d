"""A facts table moved on from the previous build's: only the facts of the articles that changed are taken out and
put in, each group kept in the order of the facts and its keys in order of first appearance, as a fresh table has
them. Standard library only, as ``lookup``."""

from __future__ import annotations

import bisect
import itertools
import operator
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.core.models import BenchmarkFact

_ARTICLE_OF = operator.attrgetter("article_id")
Ranges = dict[str, tuple[int, int]]


def article_ranges(facts: Sequence[BenchmarkFact]) -> dict[str, tuple[int, int]] | None:
    """Each article's facts as one range [start, end) of ``facts``, in order; None when an article's facts do not
    all come together."""
    ranges: dict[str, tuple[int, int]] = {}
    start = 0
    for article_id, run in itertools.groupby(map(_ARTICLE_OF, facts)):
        if article_id in ranges:
            return None
        end = start + len(list(run))
        ranges[article_id] = (start, end)
        start = end
    return ranges


REGROUP_SHARE = 0.25  # past this share of articles changed, a table is built anew (as fast, and simpler)


def changed_articles(
    old_facts: Sequence[BenchmarkFact],
    old_ranges: Ranges | None,
    new_facts: Sequence[BenchmarkFact],
    new_ranges: Ranges | None,
) -> list[str] | None:
    """The articles whose facts differ between two tables' (a tuple compares the same objects first, so the facts a
    build kept cost little), in the new order, then the ones gone; None when the two cannot be compared article by
    article (facts not grouped by article, kept articles in another order, too many changes)."""
    if old_ranges is None or new_ranges is None:
        return None
    changed = [
        a for a, span in new_ranges.items() if old_facts[slice(*old_ranges.get(a, (0, 0)))] != new_facts[slice(*span)]
    ]
    changed += [a for a in old_ranges if a not in new_ranges]
    if len(changed) > REGROUP_SHARE * max(len(new_ranges), 1):
        return None
    moved = set(changed)
    if [a for a in old_ranges if a not in moved] != [a for a in new_ranges if a not in moved]:
        return None
    return changed


def regrouped(
    groups: Mapping[Any, list[BenchmarkFact]],
    key_of: Callable[[BenchmarkFact], Any],
    old_facts: Sequence[tuple[str, Sequence[BenchmarkFact]]],
    new_facts: Sequence[tuple[str, Sequence[BenchmarkFact]]],
    old_ranges: Mapping[str, tuple[int, int]],
    new_ranges: Mapping[str, tuple[int, int]],
    position: Callable[[BenchmarkFact], int] | None,
) -> defaultdict[Any, list[BenchmarkFact]]:
    """A table's groups (facts by ``key_of``, each in the facts' order, keys in order of first appearance) after the
    changed articles' old facts are taken out and their new ones put in, each block where its article now is.
    Without ``position`` (of a fact in the new facts), the keys' order is left as it comes: a group read only by its
    key (the facts of one chunk: tens of thousands of keys to sort for nothing)."""
    out: defaultdict[Any, list[BenchmarkFact]] = defaultdict(list, ((k, v) for k, v in groups.items() if v))
    copied: set[Any] = set()

    def own(key: Any) -> list[BenchmarkFact]:
        if key not in copied:
            copied.add(key)
            out[key] = list(out.get(key, ()))
        return out[key]

    firsts: dict[Any, BenchmarkFact | None] = {}
    old_start = lambda f: old_ranges[f.article_id][0]  # noqa: E731
    new_start = lambda f: new_ranges[f.article_id][0]  # noqa: E731
    for article_id, facts in old_facts:  # every removal first: the lists are in the old order until then
        start = old_ranges[article_id][0]
        for key in dict.fromkeys(map(key_of, facts)):
            group = own(key)
            firsts.setdefault(key, group[0] if group else None)
            del group[
                bisect.bisect_left(group, start, key=old_start) : bisect.bisect_right(group, start, key=old_start)
            ]
    for article_id, facts in new_facts:
        start = new_ranges[article_id][0]
        by_key: dict[Any, list[BenchmarkFact]] = defaultdict(list)
        for fact in facts:
            by_key[key_of(fact)].append(fact)
        for key, block in by_key.items():
            group = own(key)
            firsts.setdefault(key, group[0] if group else None)
            at = bisect.bisect_left(group, start, key=new_start)
            group[at:at] = block
    for key in [k for k in copied if not out[k]]:
        del out[key]
    # A key new, gone, or with another first fact: the keys are put in order of first appearance again.
    if position is not None and any(key not in out or out[key][0] is not first for key, first in firsts.items()):
        out = defaultdict(list, sorted(out.items(), key=lambda item: position(item[1][0])))
    return out
