"""Bar charts of benchmark scores as PNG bytes: one bar per model (and benchmark), values as the articles state them.

matplotlib is imported here only, when a chart is asked for (Agg, no display), so the cold lookup path does not
pay for it. Sources that disagree get one bar each, hatched and marked "⚠"; the sources are the caption.
Sized for a phone: 1200 px wide, large type.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.errors import MusebotError
from bot.core.models import BenchmarkFact, BenchmarkTable, Comparison, SourceRef

log = logging.getLogger(__name__)

WIDTH_INCHES = 12.0
DPI = 100  # 1200 px wide
BAR_INCHES = 0.55
FONT_SIZE = 16
MAX_BARS = 30  # a taller chart is unreadable on a phone; the table has the rest
COLOURS = ("#4c6ef5", "#12b886")
CONFLICT_COLOUR = "#f08c00"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str  # the value as written, with its unit
    source: int  # 1-based number of the source in the caption
    conflict: bool
    colour: str


def _value_text(fact: BenchmarkFact) -> str:
    unit = fact.unit if fact.unit in ("%",) else (f" {fact.unit}" if fact.unit else "")
    return fact.value_text if fact.value_text.endswith(unit.strip() or "\0") else f"{fact.value_text}{unit}"


def _bars_for(
    label: str, facts: Sequence[BenchmarkFact], conflict: bool, numbers: dict[str, int], colour: str
) -> list[Bar]:
    """One bar per distinct value; when sources disagree each carries its source number."""
    by_value: dict[str, BenchmarkFact] = {}
    for fact in facts:
        by_value.setdefault(fact.value_text, fact)
    bars = []
    for fact in by_value.values():
        source = numbers.get(fact.article_id, 0)
        shown = f"{label} [{source}]" if conflict else label
        bars.append(
            Bar(shown, fact.value, _value_text(fact), source, conflict, CONFLICT_COLOUR if conflict else colour)
        )
    return bars


def _caption(sources: Sequence[SourceRef]) -> str:
    lines = [f"[{n}] {s.title}" + (f" — {s.outlet}" if s.outlet else "") for n, s in enumerate(sources, start=1)]
    return "Sources: " + "\n".join(lines) if lines else ""


def _draw(title: str, panels: Sequence[tuple[str, Sequence[Bar]]], sources: Sequence[SourceRef]) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt

    panels = [(name, list(bars)[:MAX_BARS]) for name, bars in panels if bars]
    if not panels:
        raise MusebotError("There are no scores to draw for that; try the table without --chart")
    total_bars = sum(len(bars) for _, bars in panels)
    caption = _caption(sources)
    caption_inches = 0.35 * (caption.count("\n") + 1) if caption else 0
    height = 1.2 + BAR_INCHES * total_bars + 0.7 * len(panels) + caption_inches
    with plt.rc_context({"font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 2, "axes.spines.top": False,
                         "axes.spines.right": False}):  # fmt: skip
        figure, axes = plt.subplots(
            len(panels), 1, figsize=(WIDTH_INCHES, height), dpi=DPI, squeeze=False,
            gridspec_kw={"height_ratios": [len(bars) + 0.8 for _, bars in panels]},
        )  # fmt: skip
        for axis, (name, bars) in zip(axes[:, 0], panels, strict=True):
            positions = range(len(bars))
            drawn = axis.barh(list(positions), [bar.value for bar in bars], color=[bar.colour for bar in bars],
                              hatch=None, height=0.7)  # fmt: skip
            for patch, bar in zip(drawn, bars, strict=True):
                if bar.conflict:
                    patch.set_hatch("//")
                    patch.set_edgecolor("#7a4500")
            axis.set_yticks(list(positions), [bar.label for bar in bars])
            axis.invert_yaxis()
            axis.set_xticks([])
            axis.spines["bottom"].set_visible(False)
            top = max((bar.value for bar in bars), default=0) or 1
            axis.set_xlim(0, top * 1.25)
            for position, bar in zip(positions, bars, strict=True):
                mark = " ⚠ sources disagree" if bar.conflict else ""
                axis.text(bar.value + top * 0.01, position, f"{bar.text}{mark}", va="center")
            if len(panels) > 1 or name != title:
                axis.set_title(name, loc="left", fontweight="bold")
        figure.suptitle(title, x=0.01, ha="left", fontsize=FONT_SIZE + 6, fontweight="bold")
        if caption:
            figure.text(0.01, 0.01, caption, ha="left", va="bottom", fontsize=FONT_SIZE - 3, color="#444444", wrap=True)
        figure.tight_layout(rect=(0, caption_inches / height + 0.01, 1, 1 - 0.7 / height))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        plt.close(figure)
    return buffer.getvalue()


def _numbers(sources: Sequence[SourceRef]) -> dict[str, int]:
    return {source.article_id: n for n, source in enumerate(sources, start=1)}


def render_benchmark_chart(table: BenchmarkTable) -> bytes:
    """Every model's score on one benchmark, best first (the order of the table)."""
    numbers = _numbers(table.sources)
    bars = [bar for row in table.rows for bar in _bars_for(row.label, row.facts, row.is_conflict, numbers, COLOURS[0])]
    return _draw(table.benchmark, [(table.benchmark, bars)], table.sources)


def render_comparison_chart(comparison: Comparison) -> bytes:
    """One panel per shared benchmark (each on its own scale), a bar per model."""
    numbers = _numbers(comparison.sources)
    panels = []
    for row in comparison.shared:
        bars = []
        for label, facts, colour in ((comparison.model_a, row.a, COLOURS[0]), (comparison.model_b, row.b, COLOURS[1])):
            conflict = len({fact.value_text for fact in facts}) > 1
            bars += _bars_for(label, facts, conflict, numbers, colour)
        panels.append((row.benchmark, bars))
    return _draw(f"{comparison.model_a} vs {comparison.model_b}", panels, comparison.sources)
