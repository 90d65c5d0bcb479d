"""Two processes, one shard each, sharing one index dir: each gets its own guilds' events, only one syncs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.config import BotConfig, load_settings
from bot.core.errors import MusebotError
from tests.discord_app.conftest import start_bot, stop_bot
from tests.discord_app.fakes import FakeMuseService
from tests.discord_emulator import DiscordEmulator, Member, patch_discord_py

HEALTHBENCH = "How did Muse Spark do on HealthBench Hard?"


@pytest.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    # The guild lives on shard 1 of 2; DMs always go to shard 0.
    async with DiscordEmulator(heartbeat_interval=0.5, guild_shard=(1, 2)) as emulator:
        with patch_discord_py(emulator):
            yield emulator
    assert not emulator.schema_violations, "\n".join(emulator.schema_violations)


async def test_two_processes_split_the_shards(emulator: DiscordEmulator, settings: BotConfig, alice: Member) -> None:
    first, second = FakeMuseService(), FakeMuseService()
    shard = {"shard_count": 2}
    bot_0, running_0 = await start_bot(emulator, replace(settings, **shard, shard_ids=[0]), first)
    bot_1, running_1 = await start_bot(emulator, replace(settings, **shard, shard_ids=[1]), second)
    try:
        assert sorted(tuple(identify["shard"]) for identify in emulator.identifies) == [(0, 2), (1, 2)]
        assert bot_0.get_guild(emulator.guild_id) is None
        assert bot_1.get_guild(emulator.guild_id) is not None
        puts = emulator.find_requests("PUT", "/commands$")
        assert len(puts) == 2  # the guild's set and the emptied global set, once: by the process with shard 0

        reply = await (await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)).reply()
        assert "42.8" in reply.embeds[0]["description"]
        assert [name for name, _ in second.calls] == ["ask"]  # the guild's shard answered
        await emulator.post_message(HEALTHBENCH, author=alice, dm=True)
        await emulator.wait_for_request(lambda r: r.path == f"/channels/{emulator.dm_channels[alice.id]}/messages")
        assert [name for name, _ in first.calls] == ["ask"]  # the DM went to shard 0
        assert len(second.calls) == 1
    finally:
        await stop_bot(bot_1, running_1)
        await stop_bot(bot_0, running_0)


def test_shard_settings_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSEBOT_SHARD_COUNT", "4")
    monkeypatch.setenv("MUSEBOT_SHARD_IDS", "2,3")
    settings = load_settings(env_file=None).bot_config()
    assert (settings.shard_count, settings.shard_ids) == (4, [2, 3])
    monkeypatch.setenv("MUSEBOT_SHARD_IDS", "4")
    with pytest.raises(MusebotError, match="from 0 to MUSEBOT_SHARD_COUNT - 1"):
        load_settings(env_file=None).bot_config()
    monkeypatch.delenv("MUSEBOT_SHARD_COUNT")
    monkeypatch.setenv("MUSEBOT_SHARD_IDS", "0")
    with pytest.raises(MusebotError, match="MUSEBOT_SHARD_IDS needs MUSEBOT_SHARD_COUNT"):
        load_settings(env_file=None).bot_config()
