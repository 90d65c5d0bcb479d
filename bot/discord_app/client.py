"""The Discord client: dependencies in through the constructor, cogs and command sync in setup_hook.

Start it with `run_bot(settings, service)` (blocking; what `musebot run` calls) or `await serve(...)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import MusebotError
from bot.discord_app.cogs.ask import AskCog
from bot.discord_app.cogs.info import InfoCog
from bot.discord_app.cogs.lookups import LookupsCog
from bot.discord_app.cogs.reindex import ArticleFetcher, ReindexCog
from bot.discord_app.cooldowns import UserCooldown
from bot.discord_app.errors import report_interaction_error
from bot.discord_app.render import NO_MENTIONS

if TYPE_CHECKING:
    from bot.core.service import MuseService
    from bot.settings import Settings

log = logging.getLogger(__name__)

REFRESH_SECONDS = 5.0


class MuseCommandTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_interaction_error(interaction, error)


def build_intents() -> discord.Intents:
    """The default intents without message_content.

    message_content is privileged (it needs approval once a bot is in 100+ servers). We don't need it:
    Discord still sends the content of messages that mention the bot and of DMs, and those are the only
    messages we read.
    """
    intents = discord.Intents.default()
    intents.message_content = False
    return intents


class MuseBot(commands.Bot):
    def __init__(
        self,
        *,
        service: MuseService,
        settings: Settings,
        fetch_article_url: ArticleFetcher | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no prefix commands; mentions are questions (ask cog)
            help_command=None,
            intents=build_intents(),
            tree_cls=MuseCommandTree,
            allowed_mentions=NO_MENTIONS,
            activity=discord.CustomActivity(name="Ask me about Muse Spark · /ask"),
            **options,
        )
        self.service = service
        self.settings = settings
        self.fetch_article_url = fetch_article_url
        self.refresh_seconds = refresh_seconds
        self._refresh_task: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        cooldown = UserCooldown(self.settings.ask_cooldown_rate, self.settings.ask_cooldown_seconds)
        await self.add_cog(AskCog(self, self.service, cooldown))
        await self.add_cog(LookupsCog(self.service))
        await self.add_cog(InfoCog(self.service))
        await self.add_cog(ReindexCog(self.service, self.settings, self.fetch_article_url))
        await self.sync_commands()
        self._refresh_task = asyncio.create_task(self._follow_index_builds(), name="musebot-index-refresh")

    async def sync_commands(self) -> None:
        """Register the slash commands: in each configured guild (instant), else globally."""
        try:
            if not self.settings.guild_ids:
                synced = await self.tree.sync()
                log.info("Synced %d commands globally", len(synced))
            for guild_id in self.settings.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("Synced %d commands to guild %s", len(synced), guild_id)
        except discord.Forbidden as exc:
            raise MusebotError(
                "Discord refused to register the slash commands; invite the bot with the applications.commands "
                "scope, or check MUSEBOT_GUILD_IDS"
            ) from exc

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


def read_token(settings: Settings) -> str:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise MusebotError("DISCORD_TOKEN is not set; put it in .env (see .env.example)")
    return token


async def serve(
    settings: Settings,
    service: MuseService,
    *,
    fetch_article_url: ArticleFetcher | None = None,
    **bot_options: Any,
) -> None:
    """Run the bot until it is closed or the process gets SIGINT/SIGTERM."""
    token = read_token(settings)
    log.info("Loading the index and the embedding model")
    await asyncio.to_thread(service.warm_up)
    bot = MuseBot(service=service, settings=settings, fetch_article_url=fetch_article_url, **bot_options)
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows / not the main thread
            loop.add_signal_handler(signum, lambda signum=signum: _shut_down(bot, signum))
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


def run_bot(settings: Settings, service: MuseService, *, fetch_article_url: ArticleFetcher | None = None) -> None:
    """Entry point for `musebot run`: blocks until SIGINT/SIGTERM, then disconnects cleanly."""
    asyncio.run(serve(settings, service, fetch_article_url=fetch_article_url))
