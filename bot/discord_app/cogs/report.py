"""/report: the question loop for maintainers (ephemeral): unanswered questions grouped, 👎 with comments, volume."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.cogs.reindex import has_manage_server, is_maintainer
from bot.discord_app.errors import NotMaintainer
from bot.discord_app.render import NO_MENTIONS
from bot.discord_app.render_report import render_loop_report

if TYPE_CHECKING:
    from bot.config import BotConfig
    from bot.core.records import QuestionLoop

log = logging.getLogger(__name__)


class ReportCog(commands.Cog):
    def __init__(self, question_loop: QuestionLoop, settings: BotConfig) -> None:
        self.question_loop = question_loop
        self.settings = settings

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """The same rule as /reindex: a maintainer (role or user id) who also holds Manage Server here."""
        if not is_maintainer(interaction.user, self.settings.maintainer_role_ids, self.settings.maintainer_user_ids):
            log.warning("Refused /report for user %s in guild %s", interaction.user.id, interaction.guild_id)
            raise NotMaintainer("Only maintainers can see the question report.")
        if not has_manage_server(interaction):
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    @app_commands.command(name="report")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(days="How many days to look back (default 7)")
    async def report(self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] = 7) -> None:
        """What the bot could not answer, answers marked 👎, and how much it is asked (maintainers only)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await asyncio.to_thread(self.question_loop.report, days)
        await interaction.followup.send(embed=render_loop_report(report), ephemeral=True, allowed_mentions=NO_MENTIONS)
