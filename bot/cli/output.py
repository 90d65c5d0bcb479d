"""What the commands print: answers, score tables, comparisons, changes, eval figures and error lines.

Plain writes for `musebot ask` (its cold start); rich, imported on use, for the tables.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console

    from bot.core.evaluation import EvalReport
    from bot.core.models import Answer, BenchmarkTable, ChangeReport, Comparison, ModelTable


def make_console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output gets room for tables instead of rich's 80-column default.
    width = None if stream.isatty() else 140
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def to_json(value: object) -> str:
    def default(obj: object) -> object:
        if hasattr(obj, "__dataclass_fields__"):
            return asdict(obj)  # type: ignore[call-overload]
        if isinstance(obj, Path):
            return str(obj)
        raise TypeError(f"not JSON serialisable: {type(obj).__name__}")

    return json.dumps(value, default=default, ensure_ascii=False, indent=2)


_ANSI = {"bold": "\x1b[1m", "dim": "\x1b[2m"}


def print_answer(stream: TextIO, answer: Answer) -> None:
    """The answer, then its sources with their quotes; bold and dim on a terminal (unless NO_COLOR is set).

    Plain writes rather than rich: this is all `musebot ask` prints, and rich costs ~0.07 s of a cold
    start to import and ~2 ms per answer to render (benchmarks/perf.py).
    """
    from bot.core.text import remove_control_characters  # never let text drive the terminal or its direction

    styled = stream.isatty() and not os.environ.get("NO_COLOR")

    def style(text: str, name: str) -> str:
        return f"{_ANSI[name]}{text}\x1b[0m" if styled else text

    lines = [answer.text]
    if answer.citations:
        lines += ["", style("Sources", "bold")]
    for citation in answer.citations:
        where = f" — {citation.outlet}" if citation.outlet else ""
        link = f" <{citation.url}>" if citation.url else ""
        lines.append(f"{style(f'[{citation.marker}]', 'bold')} {citation.title}{where}{link}  ({citation.chunk_id})")
        quote = " ".join(citation.quote.split())
        lines.append("    " + style(f"“{quote}”", "dim"))
    if answer.nearest:
        if answer.missing and not all(f"“{word}”" in answer.text for word in answer.missing):
            lines.append("Not in them: " + ", ".join(f"“{word}”" for word in answer.missing) + ".")
        lines += ["", style("What they do state nearby (a different thing, not the answer)", "bold")]
        for citation, sentence in zip(answer.nearest, answer.nearest_text, strict=False):
            where = f" — {citation.outlet}" if citation.outlet else ""
            lines.append(f"  {style(f'[{citation.marker}]', 'bold')} {' '.join(sentence.split())}")
            lines.append("      " + style(f"{citation.title}{where}  ({citation.chunk_id})", "dim"))
    stream.write(remove_control_characters("\n".join(lines)) + "\n")


def _fact_cell(facts: Sequence[Any], markers: dict[str, int]) -> str:
    """'1,444 [1] vs 1,427 [2]' where sources differ; '52 [1][2]' where they agree."""
    by_value: dict[str, list[int]] = {}
    for fact in facts:
        cited = by_value.setdefault(fact.value_text, [])
        if markers[fact.article_id] not in cited:
            cited.append(markers[fact.article_id])
    return " vs ".join(f"{value} {''.join(f'[{m}]' for m in cited)}" for value, cited in by_value.items())


def _difference(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:+,.0f}" if abs(value) >= 10_000 else f"{value:+.4g}"


def _source_markers(sources: Sequence[Any]) -> dict[str, int]:
    return {source.article_id: n for n, source in enumerate(sources, start=1)}


def _print_sources(console: Console, sources: Sequence[Any]) -> None:
    from rich.markup import escape

    for n, source in enumerate(sources, start=1):
        link = f" <{escape(source.url)}>" if source.url else ""
        outlet = f" — {escape(source.outlet)}" if source.outlet else ""
        console.print(f"[{n}] {escape(source.title)}{outlet}{link}")


def _print_score_rows(console: Console, title: str, label: str, rows: Sequence[Any], sources: Sequence[Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    markers = _source_markers(sources)
    grid = Table(title=escape(title), title_justify="left")
    grid.add_column(label)
    grid.add_column("score", justify="right")
    grid.add_column("")
    for row in rows:
        grid.add_row(escape(row.label), _fact_cell(row.facts, markers), "⚠ sources disagree" if row.is_conflict else "")
    console.print(grid)
    _print_sources(console, sources)
    for row in rows:
        for fact in row.facts:
            console.print(f"  [dim][{markers[fact.article_id]}] {escape(row.label)}: “{escape(fact.quote)}”[/dim]")


def print_benchmark_table(console: Console, table: BenchmarkTable) -> None:
    if table.note:
        console.print(table.note, markup=False, highlight=False)
    _print_score_rows(console, table.benchmark, "model", table.rows, table.sources)


def print_model_table(console: Console, table: ModelTable) -> None:
    _print_score_rows(console, table.model, "benchmark", table.rows, table.sources)


def print_comparison(console: Console, comparison: Comparison) -> None:
    from rich.markup import escape
    from rich.table import Table

    markers = _source_markers(comparison.sources)
    grid = Table(title=f"{escape(comparison.model_a)} vs {escape(comparison.model_b)}", title_justify="left")
    grid.add_column("benchmark")
    grid.add_column(escape(comparison.model_a), justify="right")
    grid.add_column(escape(comparison.model_b), justify="right")
    grid.add_column("difference", justify="right")
    for row in comparison.shared:
        grid.add_row(
            escape(row.benchmark), _fact_cell(row.a, markers), _fact_cell(row.b, markers), _difference(row.difference)
        )
    console.print(grid)
    for label, rows in ((comparison.model_a, comparison.only_a), (comparison.model_b, comparison.only_b)):
        if rows:
            cells = ", ".join(f"{escape(r.label)} {_fact_cell(r.facts, markers)}" for r in rows)
            console.print(f"Only {escape(label)}: {cells}")
    _print_sources(console, comparison.sources)


def print_change(console: Console, report: ChangeReport) -> None:
    from bot.core.reporting import describe_change_lines

    for line in describe_change_lines(report):
        console.print(line, markup=False)


def print_eval(console: Console, report: EvalReport, *, totals_only: bool = False) -> None:
    from rich.table import Table

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    grid = Table(title=f"musebot eval (k={report.k})", title_justify="left")
    columns = (
        "kind", "n", f"source hit@{report.k}", "facts present", "facts in text", "cited support", "answered",
        "abstained", "false answers", "mean ms",
    )  # fmt: skip
    for column in columns:
        grid.add_column(column, justify="right" if column != "kind" else "left")
    rows = [*report.by_kind.items(), ("overall", report.overall)]
    for kind, s in rows:
        grid.add_row(
            kind, str(s.count), pct(s.source_hit_at_k), pct(s.facts_present), pct(s.facts_in_text),
            pct(s.source_precision), pct(s.answered), s.unanswerable_abstained, pct(s.false_answer_rate),
            f"{s.mean_latency_ms:.1f}",
        )  # fmt: skip
    console.print(grid)
    if totals_only:
        return
    for outcome in report.outcomes:
        wrong_abstention = outcome.question.answerable == outcome.abstained
        if outcome.missing_facts or not outcome.source_hit or outcome.false_answer or wrong_abstention:
            console.print(
                f"  miss {outcome.question.id}: {outcome.question.question!r} missing={list(outcome.missing_facts)}"
                f" sources={list(outcome.cited_sources)} abstained={outcome.abstained}",
                markup=False,
            )


def print_error(message: str) -> None:
    """One line on stderr; the message may hold user text, so rich must not read it as markup."""
    from rich.markup import escape

    from bot.core.text import remove_control_characters

    make_console(stderr=True).print(f"[red]error:[/red] {escape(remove_control_characters(message))}", highlight=False)


def write_chart(path: Path, png: bytes) -> None:
    """Write a chart where --chart says (the folder must exist), atomically."""
    from bot.core.errors import MusebotError
    from bot.core.files import replace_atomically

    if not path.parent.is_dir():
        raise MusebotError(f"No folder {path.parent} for the chart; create it or pick another --chart path")
    replace_atomically(path, png)
