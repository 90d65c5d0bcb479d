"""Benchmark and model score tables, and two models compared, with numbered sources and conflicts marked."""

from __future__ import annotations

import math
from collections.abc import Sequence

import discord

from bot.core.models import (
    BenchmarkFact,
    BenchmarkTable,
    Comparison,
    ModelTable,
    ScoreRow,
    SourceRef,
)
from bot.discord_app.render._limits import (
    FIELD_VALUE_LIMIT,
    TABLE_COLOUR,
    WARNING,
    _EmbedBudget,
    _link,
    _one_line,
    clean_text,
    clean_title,
    shorten,
)


def _format_value(fact: BenchmarkFact) -> str:
    text = clean_text(fact.value_text)
    unit = fact.unit.strip()
    if unit and unit != "%" and unit.lower() not in fact.value_text.lower():
        text += f" {clean_text(unit)}"
    if fact.qualifier:
        text += f" ({clean_text(_one_line(fact.qualifier))})"
    return text


class _SourceNumbers:
    """[n] numbers for articles, in the order the core listed its sources."""

    def __init__(self, sources: Sequence[SourceRef]):
        self.sources: list[SourceRef] = list(sources)
        self._numbers = {source.article_id: index + 1 for index, source in enumerate(self.sources)}

    def number(self, article_id: str) -> int:
        if article_id not in self._numbers:
            self.sources.append(SourceRef(article_id=article_id, title=article_id, outlet=""))
            self._numbers[article_id] = len(self.sources)
        return self._numbers[article_id]

    def lines(self) -> list[str]:
        lines = []
        for index, source in enumerate(self.sources, start=1):
            title = clean_text(_one_line(source.title)) or clean_text(source.article_id)
            outlet = shorten(clean_text(_one_line(source.outlet)), 100)
            lines.append(f"[{index}] {_link(shorten(title, 200), source.url)}" + (f" — {outlet}" if outlet else ""))
        return lines


def _facts_text(facts: Sequence[BenchmarkFact], numbers: _SourceNumbers, *, conflict: bool, joiner: str = "; ") -> str:
    """Values with their sources; equal values share one entry ("42.8 [1][2]")."""
    groups: dict[tuple[float, str, str], tuple[str, list[int]]] = {}
    for fact in facts:
        key = (fact.value, fact.unit, fact.qualifier)
        _, markers = groups.setdefault(key, (_format_value(fact), []))
        marker = numbers.number(fact.article_id)
        if marker not in markers:
            markers.append(marker)
    parts = [shown + " " + "".join(f"[{marker}]" for marker in markers) for shown, markers in groups.values()]
    if conflict and len(parts) > 1:
        return f"{WARNING} sources disagree: " + " vs ".join(parts)
    return joiner.join(parts) if parts else "—"


def _row_line(row: ScoreRow, numbers: _SourceNumbers) -> str:
    label = shorten(clean_text(_one_line(row.label)), 200)
    return f"**{label}** — {_facts_text(row.facts, numbers, conflict=row.is_conflict)}"


def _render_rows(
    title: str, rows: Sequence[ScoreRow], sources: Sequence[SourceRef], empty: str, *, note: str = ""
) -> discord.Embed:
    numbers = _SourceNumbers(sources)
    lines = [_row_line(row, numbers) for row in rows] or [empty]
    if note:
        lines = [clean_text(note), *lines]
    budget = _EmbedBudget(title=title, colour=TABLE_COLOUR, footer="Values as the articles state them")
    source_lines = numbers.lines()
    budget.describe_lines(lines, reserve=min(sum(len(line) + 1 for line in source_lines) + 20, 2000), noun="more rows")
    _add_source_fields(budget, source_lines)
    return budget.embed


def _add_source_fields(budget: _EmbedBudget, lines: Sequence[str]) -> None:
    """The numbered sources, over as many fields as they need (each within 1024 characters)."""
    pending = list(lines)
    name = "Sources"
    while pending and budget.can_add_field():
        room = min(FIELD_VALUE_LIMIT, budget.remaining - len(name) - 1)
        take = 0
        used = 0
        while take < len(pending) and used + len(pending[take]) + 1 <= room:
            used += len(pending[take]) + 1
            take += 1
        if take == 0 or (take < len(pending) and budget.remaining - used < 60):
            budget.add_lines_field(name, pending, noun="more sources")
            return
        budget.add_field(name, "\n".join(pending[:take]))
        pending = pending[take:]
        name = "Sources (continued)"


def render_benchmark_table(table: BenchmarkTable) -> discord.Embed:
    """Every model's score on one benchmark, best first, with numbered sources and conflicts marked."""
    title = f"{clean_title(_one_line(table.benchmark))} — scores in the articles"
    return _render_rows(
        title, table.rows, table.sources, "The articles give no scores for this benchmark.", note=table.note
    )


def render_model_table(table: ModelTable) -> discord.Embed:
    """Every benchmark score the articles give for one model, with numbered sources."""
    title = f"{clean_title(_one_line(table.model))} — benchmark scores in the articles"
    return _render_rows(title, table.rows, table.sources, "The articles give no benchmark scores for this model.")


def _format_difference(difference: float) -> str:
    """+2.7, -33.6, +17, -62M: at most two decimals, millions and billions shortened."""
    if not math.isfinite(difference):
        return ""
    suffix = ""
    for size, letter in ((1e9, "B"), (1e6, "M")):
        if abs(difference) >= size:
            difference, suffix = difference / size, letter
            break
    text = f"{difference:+,.2f}".rstrip("0").rstrip(".")
    return "±0" if text in ("+0", "-0") else text + suffix


def render_comparison(comparison: Comparison) -> discord.Embed:
    """Two models side by side on the benchmarks the articles give for both, then what only one has."""
    numbers = _SourceNumbers(comparison.sources)
    lines = []
    for row in comparison.shared:
        a = _facts_text(row.a, numbers, conflict=False, joiner=" / ")
        b = _facts_text(row.b, numbers, conflict=False, joiner=" / ")
        disagree = f" {WARNING}" if len({f.value for f in row.a}) > 1 or len({f.value for f in row.b}) > 1 else ""
        shown = _format_difference(row.difference) if row.difference is not None else ""
        difference = f" (difference {shown})" if shown else ""
        benchmark = shorten(clean_text(_one_line(row.benchmark)), 200)
        lines.append(f"**{benchmark}**{disagree} — {a} vs {b}{difference}")
    only_a = [_row_line(row, numbers) for row in comparison.only_a]
    only_b = [_row_line(row, numbers) for row in comparison.only_b]
    source_lines = numbers.lines()
    budget = _EmbedBudget(
        title=f"{clean_title(_one_line(comparison.model_a))} vs {clean_title(_one_line(comparison.model_b))}",
        colour=TABLE_COLOUR,
        footer=f"Left: {_one_line(comparison.model_a)} · right: {_one_line(comparison.model_b)} · "
        f"{WARNING} sources disagree",
    )
    if not lines:
        lines = ["The articles give no benchmark where both models have a score."]
    reserve = min(sum(len(line) + 1 for line in [*source_lines, *only_a, *only_b]) + 60, 3000)
    budget.describe_lines(lines, reserve=reserve, noun="more benchmarks")
    only_a_name = f"Only {clean_title(_one_line(comparison.model_a))}"
    only_b_name = f"Only {clean_title(_one_line(comparison.model_b))}"
    budget.add_lines_field(only_a_name, only_a, room=min(budget.remaining // 3, FIELD_VALUE_LIMIT + 300))
    budget.add_lines_field(only_b_name, only_b, room=min(budget.remaining // 2, FIELD_VALUE_LIMIT + 300))
    _add_source_fields(budget, source_lines)
    return budget.embed
