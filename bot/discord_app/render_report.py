"""The maintainer report as one embed, within Discord's limits (a pure function, like render.py)."""

from __future__ import annotations

import discord

from bot.core.records import LoopReport
from bot.discord_app.render import (
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    REINDEX_COLOUR,
    clean_text,
    shorten,
)

MAX_LINES = 12


def _lines(lines: list[str], empty: str) -> str:
    if not lines:
        return empty
    text = ""
    for shown, line in enumerate(lines):
        more = f"\n… and {len(lines) - shown} more"
        if len(text) + len(line) + 1 + len(more) > FIELD_VALUE_LIMIT:
            return text + more
        text = f"{text}\n{line}" if text else line
    return text


def _quote(text: str, limit: int = 150) -> str:
    return shorten(clean_text(" ".join(text.split())), limit)


def render_loop_report(report: LoopReport) -> discord.Embed:
    """Unanswered questions (grouped, counted), 👎 with comments, and the volume, for /report."""
    share = f"{report.share_answered:.0%}" if report.share_answered is not None else "—"
    summary = [f"**{report.asked}** questions in the last {report.since_days} days · **{share}** answered"]
    if report.now_answered:
        summary.append(f"{report.now_answered} answered later by a new build")
    if not report.recording:
        summary.append("Recording is off (`MUSEBOT_RECORD=false`).")
    if report.per_day:
        days = " · ".join(f"{d.day[5:]}: {d.asked}" for d in report.per_day[-7:])
        summary.append(f"Per day: {days}")
    embed = discord.Embed(
        title="Question report", description=shorten("\n".join(summary), DESCRIPTION_LIMIT), colour=REINDEX_COLOUR
    )
    unanswered = [
        f"**{g.count}×** “{_quote(g.question)}”" + (f" ({g.near_misses} near-miss)" if g.near_misses else "")
        for g in report.unanswered[:MAX_LINES]
    ]
    embed.add_field(name="Not answered", value=_lines(unanswered, "None: every question was answered."), inline=False)
    downvotes = [
        f"👎 “{_quote(v.question, 100)}”" + (f" — {_quote(v.comment, 120)}" if v.comment else "")
        for v in report.downvotes[:MAX_LINES]
    ]
    embed.add_field(
        name=f"👎 {len(report.downvotes)} · 👍 {report.upvotes}", value=_lines(downvotes, "No 👎."), inline=False
    )
    if report.top_articles:
        cited = [f"`{_quote(article, 80)}` ({n})" for article, n in report.top_articles]
        embed.add_field(name="Most cited", value=_lines(cited, "—"), inline=False)
    embed.set_footer(text="musebot report · full list: musebot report --since DAYS")
    return embed
