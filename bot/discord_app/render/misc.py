"""The list of sources, /about, plain notices and autocomplete choices."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime

import discord
from discord import app_commands

from bot.core.models import (
    IndexStats,
    SourceRef,
)
from bot.discord_app.markdown import defuse_links, strip_unsafe_characters
from bot.discord_app.render._limits import (
    ANSWER_COLOUR,
    CHOICE_LIMIT,
    CHOICE_TEXT_LIMIT,
    CONTENT_LIMIT,
    SOURCES_PER_PAGE,
    TABLE_COLOUR,
    WARNING,
    _link,
    _one_line,
    clean_text,
    neutralise_mentions,
    plain_text,
    shorten,
)


def render_source_pages(sources: Sequence[SourceRef], *, per_page: int = SOURCES_PER_PAGE) -> list[discord.Embed]:
    """The indexed articles as pages of embeds: number, linked title, outlet, date and article id."""
    lines = []
    for index, source in enumerate(sources, start=1):
        title = shorten(clean_text(_one_line(source.title)) or clean_text(source.article_id), 200)
        published = clean_text(source.published[:10])
        details = ", ".join(part for part in (clean_text(_one_line(source.outlet)), published) if part)
        article_id = shorten(plain_text(_one_line(source.article_id)).replace("`", "'"), 100)
        line = f"**{index}.** {_link(title, source.url)}" + (f" — {details}" if details else "")
        lines.append(shorten(line + f" · `{article_id}`", 600) if article_id else shorten(line, 600))
    pages: list[list[str]] = []
    for line in lines:
        if not pages or len(pages[-1]) >= per_page or sum(len(x) + 1 for x in pages[-1]) + len(line) > 3900:
            pages.append([])
        pages[-1].append(line)
    if not pages:
        return [discord.Embed(title="Articles in the index", description="No articles are indexed yet.")]
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(title="Articles in the index", description="\n".join(page), colour=TABLE_COLOUR)
        embed.set_footer(text=f"Page {number} of {len(pages)} · {len(sources)} articles")
        embeds.append(embed)
    return embeds


def _format_built_at(built_at: str) -> str:
    try:
        moment = datetime.fromisoformat(built_at.replace("Z", "+00:00"))
    except ValueError:
        return clean_text(built_at) or "unknown"
    if moment.tzinfo is None:
        return clean_text(built_at)
    return f"{discord.utils.format_dt(moment, 'f')} ({discord.utils.format_dt(moment, 'R')})"


def render_about(stats: IndexStats, version: str) -> discord.Embed:
    """What the bot is and what its index holds."""
    description = (
        "I answer questions about Meta's Muse Spark launch using only the news articles in my index, "
        "and I quote the passages I rely on with numbered sources. Use `/ask`, mention me, or DM me; "
        "`/benchmark`, `/model` and `/compare` show the scores the articles report."
    )
    if stats.stale:
        description += f"\n{WARNING} The index is older than the articles; a maintainer should run `/reindex`."
    embed = discord.Embed(title="About musebot", description=description, colour=ANSWER_COLOUR)
    for name, value in (
        ("Articles", f"{stats.articles:,}"),
        ("Passages", f"{stats.chunks:,}"),
        ("Benchmark facts", f"{stats.facts:,}"),
        ("Built", _format_built_at(stats.built_at)),
        ("Build", f"`{shorten(plain_text(stats.build_id).replace('`', ''), 200)}`"),
        ("Embedding model", shorten(clean_text(stats.model_id), 300) or "unknown"),
    ):
        embed.add_field(name=name, value=value, inline=True)
    embed.set_footer(text=f"musebot {version}")
    return embed


# Plain messages and autocomplete --------------------------------------------------------------------------


def render_notice(text: str) -> str:
    """A one-line message for content: mentions, links and tags defused, within 2000 characters.

    Our sentences keep their own Markdown (`/sources`), but may quote what a user typed or a file's name.
    """
    return shorten(neutralise_mentions(defuse_links(strip_unsafe_characters(text))).strip(), CONTENT_LIMIT) or "…"


def render_cooldown(retry_after: float) -> str:
    seconds = max(1, math.ceil(retry_after))
    return f"You're asking quickly — try again in {seconds} s."


def render_choices(names: Iterable[str]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices: at most 25, each name and value within 100 characters, no duplicates."""
    choices: list[app_commands.Choice[str]] = []
    seen: set[str] = set()
    for name in names:
        value = plain_text(name).strip()[:CHOICE_TEXT_LIMIT]
        if not value or value in seen:
            continue
        seen.add(value)
        choices.append(app_commands.Choice(name=value, value=value))
        if len(choices) == CHOICE_LIMIT:
            break
    return choices
