"""What a re-index changed, or why a step of it was not done."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import discord

from bot.core.models import (
    ChangeReport,
    FactChange,
)
from bot.discord_app.render._limits import (
    QUIET_COLOUR,
    REINDEX_COLOUR,
    WARNING,
    _EmbedBudget,
    _one_line,
    clean_text,
    clean_title,
    fit_message,
    plain_text,
    shorten,
)
from bot.discord_app.render.misc import render_notice


def _fact_change_line(change: FactChange) -> str:
    what = f"{clean_text(change.benchmark)} · {clean_text(change.model)}"
    before = clean_text(change.before) or "new"
    after = clean_text(change.after) or "removed"
    article_id = plain_text(change.article_id).replace("`", "")
    return shorten(f"{what}: {before} → {after} (`{article_id}`)", 300)


def _ids(ids: Iterable[str]) -> list[str]:
    return [shorten(f"`{plain_text(article_id).replace('`', '')}`", 200) for article_id in ids]


def _quoted(questions: Iterable[str]) -> list[str]:
    return [shorten(f"“{clean_text(_one_line(question))}”", 300) for question in questions]


def render_change_report(report: ChangeReport, *, action: str = "") -> discord.Embed:
    """What a re-index changed: articles, passages, benchmark values and conflicts."""
    state = "No changes" if report.is_noop else "Index updated"
    title = f"{state}: {clean_title(_one_line(action))}" if action else state
    summary = (
        f"Added {len(report.added)} · updated {len(report.updated)} · removed {len(report.removed)} articles\n"
        f"Passages: +{report.chunks_added} / −{report.chunks_removed} ({report.chunks_embedded} embedded)"
    )
    footer = f"Build {report.build_id}" if report.build_id else ""
    budget = _EmbedBudget(title=title, colour=REINDEX_COLOUR, footer=footer)
    budget.describe(summary)
    skipped = [shorten(f"{clean_text(name)} — {clean_text(reason)}", 300) for name, reason in report.skipped]
    sections = [
        ("Added", _ids(report.added)),
        ("Updated", _ids(report.updated)),
        ("Removed", _ids(report.removed)),
        ("Skipped", skipped),
        ("Benchmark values changed", [_fact_change_line(change) for change in report.fact_changes]),
        (f"{WARNING} New conflicts", [shorten(clean_text(line), 300) for line in report.conflicts_introduced]),
        ("Conflicts resolved", [shorten(clean_text(line), 300) for line in report.conflicts_resolved]),
        ("Cleaned up", [shorten(clean_text(line), 300) for line in report.recovered]),
        (f"Now answered: {len(report.now_answered)} earlier questions", _quoted(report.now_answered)),
    ]
    for name, lines in sections:
        budget.add_lines_field(name, lines)
    return budget.embed


def render_reindex_failure(action: str, reason: str) -> discord.Embed:
    """One re-index step that was not done, and why."""
    budget = _EmbedBudget(title=f"Not done: {clean_title(_one_line(action))}", colour=QUIET_COLOUR)
    budget.describe(render_notice(reason))
    return budget.embed


# What one /reindex step did: (the step, e.g. a file name, and its report or why it was not done).
ReindexOutcome = tuple[str, ChangeReport | str]


def render_reindex_outcomes(outcomes: Sequence[ReindexOutcome]) -> list[discord.Embed]:
    """One embed per step of a /reindex, all within one message's limits."""
    return fit_message(
        [
            render_reindex_failure(action, result)
            if isinstance(result, str)
            else render_change_report(result, action=action)
            for action, result in outcomes
        ]
    )
