"""A running musebot (the real discord.py client) connected to the loopback Discord emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import BotConfig, load_settings
from bot.discord_app.client import MuseBot
from tests.discord_app.fakes import FakeMuseService
from tests.discord_emulator import DiscordEmulator, Member, patch_discord_py
from tests.discord_emulator.payloads import MEMBER_PERMISSIONS, PERM_MANAGE_GUILD


@pytest.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(heartbeat_interval=0.5) as emulator:
        with patch_discord_py(emulator):
            yield emulator
    # Every body the bot sent must have the shape and limits of Discord's published API spec.
    assert not emulator.schema_violations, "\n".join(emulator.schema_violations)


@pytest.fixture
def maintainer_role(emulator: DiscordEmulator) -> int:
    return emulator.add_role("Maintainers")


@pytest.fixture
def settings(emulator: DiscordEmulator, maintainer_role: int, tmp_path: Path) -> BotConfig:
    return load_settings(
        env_file=None,
        index_dir=tmp_path / "bot-index",  # the bot keeps which guilds hold its commands here
        discord_token=emulator.token,
        guild_ids=[emulator.guild_id],
        maintainer_role_ids=[maintainer_role],
        ask_cooldown_rate=3,
        ask_cooldown_seconds=30,
        max_upload_bytes=10_000,
    ).bot_config()


@pytest.fixture
def service() -> FakeMuseService:
    return FakeMuseService()


async def start_bot(
    emulator: DiscordEmulator, settings: BotConfig, service: object, **options: object
) -> tuple[MuseBot, asyncio.Task[None]]:
    """Start the bot like `serve` does (minus signals and warm-up) and wait until it is READY."""
    bot = MuseBot(service=service, settings=settings, refresh_seconds=0.1, guild_ready_timeout=0.05, **options)
    running = asyncio.create_task(bot.start(emulator.token))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({running, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        await bot.close()
        raise AssertionError(f"the bot did not become ready: {running}")
    return bot, running


async def stop_bot(bot: MuseBot, running: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(running, 10)


@pytest.fixture
async def bot(emulator: DiscordEmulator, settings: BotConfig, service: FakeMuseService) -> AsyncIterator[MuseBot]:
    bot, running = await start_bot(emulator, settings, service)
    yield bot
    await stop_bot(bot, running)


@pytest.fixture
def alice(emulator: DiscordEmulator) -> Member:
    return emulator.add_member("alice")


@pytest.fixture
def maintainer(emulator: DiscordEmulator, maintainer_role: int) -> Member:
    """A maintainer by role, with Manage Server: /reindex needs both."""
    return emulator.add_member("maya", role_ids=[maintainer_role], permissions=MEMBER_PERMISSIONS | PERM_MANAGE_GUILD)
