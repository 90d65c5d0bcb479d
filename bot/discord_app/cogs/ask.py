"""/ask, and questions asked by @mentioning the bot or by DM: the same answer, rendered by render.py.

A reply to one of the bot's answers, or a message in the thread an answer started, is a follow-up: it is read
with that conversation's last turns (bot/core/conversation.py). "thanks!" gets a 👍 reaction, not an answer.
Every answer is recorded and carries 👍 / 👎 buttons (feedback.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.conversation import Conversations, Turn, is_chatter
from bot.core.records import Asked, Origin
from bot.core.service import MAX_QUESTION_CHARS
from bot.discord_app.errors import reply_to, report_message_error
from bot.discord_app.feedback import render_vote_view
from bot.discord_app.render import NO_MENTIONS, render_answer, render_cooldown, render_notice

if TYPE_CHECKING:
    from bot.core.records import QuestionLoop
    from bot.discord_app.cooldowns import UserCooldown

log = logging.getLogger(__name__)

QUESTION_MIN, QUESTION_MAX = 3, MAX_QUESTION_CHARS  # the service's limit, declared to Discord
EXAMPLE = "How did Muse Spark do on HealthBench Hard?"


def question_from_message(content: str, bot_id: int) -> str:
    """The question in a message: the bot's mention(s) removed, whitespace collapsed."""
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", content).split())


CHATTER_REACTION = "👍"


def origin_of(user: discord.abc.User, guild_id: int | None, channel_id: int | None) -> Origin:
    return Origin("discord", guild_id=guild_id, channel_id=channel_id, user_id=user.id)


def turn_of(asked: Asked) -> Turn:
    return Turn(asked.answer.question, "" if asked.answer.abstained else asked.answer.text)


class AskCog(commands.Cog):
    def __init__(
        self,
        bot: commands.Bot | commands.AutoShardedBot,
        question_loop: QuestionLoop,
        cooldown: UserCooldown,
        conversations: Conversations,
    ) -> None:
        self.bot = bot
        self.question_loop = question_loop
        self.cooldown = cooldown
        self.conversations = conversations  # keyed by the bot's answer message id, and by the answer's thread id

    def _remember(self, keys: Sequence[Hashable], asked: Asked, history: Sequence[Turn]) -> None:
        now = time.monotonic()
        for key in keys:
            self.conversations.add(key, turn_of(asked), now, history=history)

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
        origin = origin_of(interaction.user, interaction.guild_id, interaction.channel_id)
        asked = await asyncio.to_thread(self.question_loop.ask, question, origin)
        send: dict[str, object] = {"embed": render_answer(asked.answer), "allowed_mentions": NO_MENTIONS}
        if (view := render_vote_view(asked.record_id)) is not None:
            send["view"] = view
        sent = await interaction.followup.send(wait=True, **send)  # type: ignore[call-overload]
        if public:
            self._remember([sent.id], asked, ())

    def _is_from_a_person(self, message: discord.Message) -> bool:
        if self.bot.user is None or message.author.bot or message.webhook_id is not None:
            return False
        return message.type in (discord.MessageType.default, discord.MessageType.reply)  # not joins, pins…

    def _is_addressed(self, message: discord.Message) -> bool:
        """A person's message that mentions the bot, or any person's DM to it."""
        me = self.bot.user
        if me is None or not self._is_from_a_person(message):
            return False
        return message.guild is None or any(user.id == me.id for user in message.mentions)

    def _conversation_of(self, message: discord.Message) -> tuple[Hashable, tuple[Turn, ...]] | None:
        """(key, earlier turns) when the message continues a conversation: a reply to one of our answers, or a
        message in the thread one of our answers started (a thread's id is its starter message's id)."""
        if not self._is_from_a_person(message):
            return None
        now = time.monotonic()
        reference = message.reference
        if reference is not None and reference.message_id is not None:
            history = self.conversations.history(reference.message_id, now)
            if history:
                return reference.message_id, history
        if isinstance(message.channel, discord.Thread):
            history = self.conversations.history(message.channel.id, now)
            if history:
                return message.channel.id, history
        return None

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A mention or a DM is a question (Discord sends us the text of just these without message_content)."""
        conversation = self._conversation_of(message)
        if conversation is None and not self._is_addressed(message):
            return
        try:
            await self._answer_message(message, conversation)
        except Exception as error:  # noqa: BLE001 - the one error policy decides what to say and logs bugs
            await report_message_error(message, error)

    async def _answer_message(
        self, message: discord.Message, conversation: tuple[Hashable, tuple[Turn, ...]] | None
    ) -> None:
        """Every reply goes through here, the hint and the cooldown too, so one error policy covers them all."""
        assert self.bot.user is not None
        question = question_from_message(message.content, self.bot.user.id)
        log.debug("Question by message from user %s: %r", message.author.id, question)
        if conversation is not None and not question:
            return  # a follow-up we may not read (no mention, no message content intent): stay quiet
        if question and is_chatter(question):
            with contextlib.suppress(discord.HTTPException):  # best effort: no reaction is fine too
                await message.add_reaction(CHATTER_REACTION)
            return
        if not QUESTION_MIN <= len(question) <= QUESTION_MAX:
            note = f"Ask me a question of {QUESTION_MIN}–{QUESTION_MAX} characters, e.g. “{EXAMPLE}”"
            await reply_to(message, content=render_notice(note))
            return
        if (wait := self.cooldown.retry_after(message.author.id)) is not None:
            await reply_to(message, content=render_cooldown(wait))
            return
        with contextlib.suppress(discord.HTTPException):
            await message.channel.typing()  # best effort: shows "musebot is typing…" for ~10 s
        history = conversation[1] if conversation is not None else ()
        origin = origin_of(message.author, message.guild.id if message.guild else None, message.channel.id)
        asked = await asyncio.to_thread(self.question_loop.ask, question, origin, history=history)
        view = render_vote_view(asked.record_id)
        sent = await reply_to(message, embed=render_answer(asked.answer), **({"view": view} if view else {}))
        keys: list[Hashable] = [sent.id]
        if isinstance(message.channel, discord.Thread):
            keys.append(message.channel.id)  # the thread goes on as one conversation
        self._remember(keys, asked, history)
