"""/ask, and questions asked by @mentioning the bot or by DM: the same answer, rendered by render.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.errors import reply_to, report_message_error
from bot.discord_app.render import NO_MENTIONS, render_answer, render_cooldown, render_notice

if TYPE_CHECKING:
    from bot.core.service import MuseService
    from bot.discord_app.cooldowns import UserCooldown

log = logging.getLogger(__name__)

QUESTION_MIN, QUESTION_MAX = 3, 500
EXAMPLE = "How did Muse Spark do on HealthBench Hard?"


def question_from_message(content: str, bot_id: int) -> str:
    """The question in a message: the bot's mention(s) removed, whitespace collapsed."""
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", content).split())


class AskCog(commands.Cog):
    def __init__(self, bot: commands.Bot, service: MuseService, cooldown: UserCooldown) -> None:
        self.bot = bot
        self.service = service
        self.cooldown = cooldown

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        self.cooldown.check(interaction.user.id)  # raises CommandOnCooldown for the error tree
        return True

    @app_commands.command(name="ask")
    @app_commands.describe(
        question=f"Your question, e.g. {EXAMPLE}",
        public="Show the answer to the channel (default) or only to you",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, QUESTION_MIN, QUESTION_MAX],
        public: bool = True,
    ) -> None:
        """Ask about Meta's Muse Spark launch; the answer quotes and cites the news articles."""
        await interaction.response.defer(ephemeral=not public, thinking=True)
        answer = await asyncio.to_thread(self.service.ask, question)
        await interaction.followup.send(embed=render_answer(answer), allowed_mentions=NO_MENTIONS)

    def _is_addressed(self, message: discord.Message) -> bool:
        """A person's message that mentions the bot, or any person's DM to it."""
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return False
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return False  # joins, pins, thread starts…
        return message.guild is None or any(user.id == me.id for user in message.mentions)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A mention or a DM is a question (Discord sends us the text of just these without message_content)."""
        if not self._is_addressed(message):
            return
        try:
            await self._answer_message(message)
        except Exception as error:  # noqa: BLE001 - the one error policy decides what to say and logs bugs
            await report_message_error(message, error)

    async def _answer_message(self, message: discord.Message) -> None:
        """Every reply goes through here, the hint and the cooldown too, so one error policy covers them all."""
        assert self.bot.user is not None
        question = question_from_message(message.content, self.bot.user.id)
        log.debug("Question by message from user %s: %r", message.author.id, question)
        if not QUESTION_MIN <= len(question) <= QUESTION_MAX:
            note = f"Ask me a question of {QUESTION_MIN}–{QUESTION_MAX} characters, e.g. “{EXAMPLE}”"
            await reply_to(message, content=render_notice(note))
            return
        if (wait := self.cooldown.retry_after(message.author.id)) is not None:
            await reply_to(message, content=render_cooldown(wait))
            return
        with contextlib.suppress(discord.HTTPException):
            await message.channel.typing()  # best effort: shows "musebot is typing…" for ~10 s
        answer = await asyncio.to_thread(self.service.ask, question)
        await reply_to(message, embed=render_answer(answer))
