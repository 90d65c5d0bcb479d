"""/sources and /about: what the bot knows and where it comes from."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.discord_app.paginator import PAGE_TIMEOUT, PageView
from bot.discord_app.render import NO_MENTIONS, render_about, render_source_pages

if TYPE_CHECKING:
    from bot.core.service import MuseApi


class InfoCog(commands.Cog):
    def __init__(self, service: MuseApi, *, page_timeout: float = PAGE_TIMEOUT) -> None:
        self.service = service
        self.page_timeout = page_timeout

    @app_commands.command(name="sources")
    async def sources(self, interaction: discord.Interaction) -> None:
        """List the news articles the answers come from: title, outlet, date and link."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        pages = render_source_pages(await asyncio.to_thread(self.service.list_sources))
        if len(pages) == 1:
            await interaction.followup.send(embed=pages[0], allowed_mentions=NO_MENTIONS)
            return
        view = PageView(pages, owner_id=interaction.user.id, interaction=interaction, timeout=self.page_timeout)
        await interaction.followup.send(embed=pages[0], view=view, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="about")
    async def about(self, interaction: discord.Interaction) -> None:
        """What this bot is, and what its article index holds right now."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        stats = await asyncio.to_thread(self.service.index_stats)
        await interaction.followup.send(embed=render_about(stats, __version__), allowed_mentions=NO_MENTIONS)
