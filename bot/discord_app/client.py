"""The Discord client: dependencies in through the constructor, cogs and command sync in setup_hook.

Start it with `run_bot(settings, service)` (blocking; what `musebot run` calls) or `await serve(...)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.conversation import ConversationPolicy, Conversations
from bot.core.errors import MusebotError
from bot.core.files import replace_atomically
from bot.core.records import QuestionLoop
from bot.discord_app.cogs.ask import AskCog
from bot.discord_app.cogs.info import InfoCog
from bot.discord_app.cogs.lookups import LookupsCog
from bot.discord_app.cogs.reindex import ArticleFetcher, ReindexCog
from bot.discord_app.cogs.report import ReportCog
from bot.discord_app.cooldowns import UserCooldown
from bot.discord_app.errors import report_interaction_error
from bot.discord_app.feedback import VoteButton
from bot.discord_app.paginator import PAGE_TIMEOUT
from bot.discord_app.render import NO_MENTIONS

if TYPE_CHECKING:
    from bot.config import BotConfig
    from bot.core.service import MuseApi

log = logging.getLogger(__name__)

REFRESH_SECONDS = 5.0
# The guilds that hold our guild-scoped commands, so a switch to global sync can empty them (in the index dir).
COMMAND_GUILDS_FILE = "discord_command_guilds.json"


class MuseCommandTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_interaction_error(interaction, error)


def build_intents(message_content: bool = False) -> discord.Intents:
    """The default intents, without message_content unless MUSEBOT_MESSAGE_CONTENT asks for it.

    message_content is privileged (it needs approval once a bot is in 100+ servers). We don't need it:
    Discord still sends the content of messages that mention the bot (a reply pings its author by default)
    and of DMs. With it, a follow-up in an answer's thread need not mention the bot.
    """
    intents = discord.Intents.default()
    intents.message_content = message_content
    return intents


class MuseBot(commands.AutoShardedBot):
    """One process of the bot: all shards (the default), or the `MUSEBOT_SHARD_IDS` of `MUSEBOT_SHARD_COUNT`."""

    def __init__(
        self,
        *,
        service: MuseApi,
        settings: BotConfig,
        fetch_article_url: ArticleFetcher | None = None,
        question_loop: QuestionLoop | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
        page_timeout: float = PAGE_TIMEOUT,
        **options: Any,
    ) -> None:
        if settings.shard_ids:  # else discord.py runs every shard of shard_count (or Discord's advice)
            options["shard_ids"] = list(settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,  # no prefix commands; mentions are questions (ask cog)
            help_command=None,
            intents=build_intents(settings.message_content),
            tree_cls=MuseCommandTree,
            allowed_mentions=NO_MENTIONS,
            activity=discord.CustomActivity(name="Ask me about Muse Spark · /ask"),
            shard_count=settings.shard_count,
            **options,
        )
        self.service = service
        self.settings = settings
        self.fetch_article_url = fetch_article_url
        # Not recording without one: the entry point (`musebot run`) passes the loop over the data dir.
        self.question_loop = question_loop or QuestionLoop(service, None)
        self.refresh_seconds = refresh_seconds
        self.page_timeout = page_timeout
        self._refresh_task: asyncio.Task[None] | None = None

    @property
    def syncs_commands(self) -> bool:
        """Commands belong to the application, not to a shard: only the process that runs shard 0 syncs them."""
        return self.shard_ids is None or 0 in self.shard_ids

    async def setup_hook(self) -> None:
        cooldown = UserCooldown(self.settings.ask_cooldown_rate, self.settings.ask_cooldown_seconds)
        conversations = Conversations(ConversationPolicy(expire_seconds=self.settings.conversation_minutes * 60))
        await self.add_cog(AskCog(self, self.question_loop, cooldown, conversations))
        await self.add_cog(LookupsCog(self.service))
        await self.add_cog(InfoCog(self.service, page_timeout=self.page_timeout))
        await self.add_cog(ReindexCog(self.service, self.settings, self.fetch_article_url, self.question_loop))
        await self.add_cog(ReportCog(self.question_loop, self.settings))
        self.add_dynamic_items(VoteButton)  # 👍 / 👎 on any answer, sent before a restart too
        if self.syncs_commands:
            await self.sync_commands()
        self._refresh_task = asyncio.create_task(self._follow_index_builds(), name="musebot-index-refresh")

    async def sync_commands(self) -> None:
        """Register the slash commands in one scope and empty the other, so that no command shows twice.

        With MUSEBOT_GUILD_IDS: in each of those guilds (instant), and the global set is emptied. Without: globally,
        and the guilds that held them before (remembered in the index dir) are emptied.
        """
        state = self.settings.index_dir / COMMAND_GUILDS_FILE
        before = load_command_guilds(state)
        guild_ids = list(dict.fromkeys(self.settings.guild_ids))
        try:
            if guild_ids:
                for guild_id in guild_ids:
                    guild = discord.Object(id=guild_id)
                    self.tree.copy_global_to(guild=guild)
                    synced = await self.tree.sync(guild=guild)
                    log.info("Synced %d commands to guild %s", len(synced), guild_id)
                self.tree.clear_commands(guild=None)  # the guild copies stay; the global set goes
                await self.tree.sync()
                log.info("Cleared the global commands (guild sync is on)")
            else:
                synced = await self.tree.sync()
                log.info("Synced %d commands globally", len(synced))
        except discord.Forbidden as exc:
            raise MusebotError(
                "Discord refused to register the slash commands; invite the bot with the applications.commands "
                "scope, or check MUSEBOT_GUILD_IDS"
            ) from exc
        kept = set(guild_ids)
        for guild_id in sorted(before - kept):
            try:
                await self.tree.sync(guild=discord.Object(id=guild_id))  # none in the tree: empties that guild
                log.info("Cleared the commands of guild %s (no longer in MUSEBOT_GUILD_IDS)", guild_id)
            except discord.Forbidden:
                log.warning("Could not clear the commands of guild %s: the bot is no longer in it", guild_id)
        if kept != before:
            save_command_guilds(state, kept)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: questions by mention or DM are handled by the ask cog's listener."""

    async def _follow_index_builds(self) -> None:
        """Pick up a re-index made by the CLI (the CURRENT pointer moved) without a restart."""
        while True:
            await asyncio.sleep(self.refresh_seconds)
            try:
                if await asyncio.to_thread(self.service.refresh_if_changed):
                    log.info("Switched to a newer index build")
            except Exception:
                log.exception("Checking for a newer index build failed")

    async def close(self) -> None:
        if self._refresh_task is not None:
            self._refresh_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresh_task
        await super().close()


def load_command_guilds(path: Path) -> set[int]:
    try:
        return {int(guild_id) for guild_id in json.loads(path.read_text(encoding="utf-8"))}
    except FileNotFoundError:
        return set()
    except (OSError, ValueError, TypeError) as exc:
        log.warning("Ignoring unreadable %s: %s", path, exc)
        return set()


def save_command_guilds(path: Path, guild_ids: set[int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, json.dumps(sorted(guild_ids)).encode())


def read_token(settings: BotConfig) -> str:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise MusebotError("DISCORD_TOKEN is not set; put it in .env (see .env.example)")
    return token


async def serve(
    settings: BotConfig,
    service: MuseApi,
    *,
    fetch_article_url: ArticleFetcher | None = None,
    question_loop: QuestionLoop | None = None,
    **bot_options: Any,
) -> None:
    """Run the bot until it is closed or the process gets SIGINT/SIGTERM."""
    token = read_token(settings)
    log.info("Loading the index and the embedding model")
    await asyncio.to_thread(service.warm_up)
    bot = MuseBot(
        service=service,
        settings=settings,
        fetch_article_url=fetch_article_url,
        question_loop=question_loop,
        **bot_options,
    )
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows / not the main thread
            loop.add_signal_handler(signum, functools.partial(_shut_down, bot, signum))
            installed.append(signum)
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        raise MusebotError(
            "Discord rejected DISCORD_TOKEN; copy the bot token again from the Developer Portal (Bot → Reset Token) "
            "into .env"
        ) from None
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
    log.info("Disconnected from Discord")


def _shut_down(bot: MuseBot, signum: int) -> None:
    log.info("Received %s; disconnecting", signal.Signals(signum).name)
    bot.loop.create_task(bot.close())


def run_bot(
    settings: BotConfig,
    service: MuseApi,
    *,
    fetch_article_url: ArticleFetcher | None = None,
    question_loop: QuestionLoop | None = None,
) -> None:
    """Entry point for `musebot run`: blocks until SIGINT/SIGTERM, then disconnects cleanly."""
    asyncio.run(serve(settings, service, fetch_article_url=fetch_article_url, question_loop=question_loop))
