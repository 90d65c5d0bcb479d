"""Who sees and may run which command: sync scopes, default permissions, contexts and the run-time checks."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bot.config import BotConfig
from bot.discord_app.client import COMMAND_GUILDS_FILE
from tests.discord_app.conftest import start_bot, stop_bot
from tests.discord_app.fakes import FakeMuseService
from tests.discord_emulator import CommandUnavailableError, DiscordEmulator, Member
from tests.discord_emulator.payloads import MEMBER_PERMISSIONS, PERM_ADMINISTRATOR, PERM_MANAGE_GUILD, new_snowflake

OUR_COMMANDS = {"ask", "benchmark", "model", "compare", "sources", "about", "reindex", "report"}


async def run_once(emulator: DiscordEmulator, settings: BotConfig) -> None:
    bot, running = await start_bot(emulator, settings, FakeMuseService())
    await stop_bot(bot, running)


def names(emulator: DiscordEmulator, scope: int | None) -> set[str]:
    return {command["name"] for command in emulator.commands.get(scope, [])}


# Item 11: one scope at a time ------------------------------------------------------------------------------


async def test_switching_from_guild_to_global_sync_empties_the_guild(
    emulator: DiscordEmulator, settings: BotConfig
) -> None:
    await run_once(emulator, settings)
    assert names(emulator, emulator.guild_id) == OUR_COMMANDS
    await run_once(emulator, replace(settings, guild_ids=[]))
    assert names(emulator, None) == OUR_COMMANDS
    assert names(emulator, emulator.guild_id) == set(), "every command would show twice"
    assert (settings.index_dir / COMMAND_GUILDS_FILE).read_text() == "[]"


async def test_switching_from_global_to_guild_sync_empties_the_global_set(
    emulator: DiscordEmulator, settings: BotConfig
) -> None:
    await run_once(emulator, replace(settings, guild_ids=[]))
    assert names(emulator, None) == OUR_COMMANDS
    await run_once(emulator, settings)
    assert names(emulator, emulator.guild_id) == OUR_COMMANDS
    assert names(emulator, None) == set()


async def test_a_guild_dropped_from_the_list_is_emptied(emulator: DiscordEmulator, settings: BotConfig) -> None:
    other = new_snowflake()
    await run_once(emulator, replace(settings, guild_ids=[emulator.guild_id, other]))
    assert names(emulator, other) == OUR_COMMANDS
    await run_once(emulator, settings)
    assert names(emulator, other) == set()
    assert names(emulator, emulator.guild_id) == OUR_COMMANDS


# Item 12: permissions ----------------------------------------------------------------------------------


async def test_a_maintainer_without_manage_server_is_refused_at_run_time(
    bot: object, emulator: DiscordEmulator, maintainer_role: int, caplog: pytest.LogCaptureFixture
) -> None:
    listed = emulator.add_member("lee", role_ids=[maintainer_role])  # a maintainer, but no Manage Server
    with pytest.raises(CommandUnavailableError):
        await emulator.run_slash("reindex", user=listed, remove="article-1")
    emulator.allow_command("reindex", listed)  # the server granted the command anyway (Integrations)
    with caplog.at_level(logging.INFO):
        reply = await (await emulator.run_slash("reindex", user=listed, remove="article-1")).reply()
    assert reply.is_ephemeral
    assert reply.content == "You need the Manage Server permission to use this command."
    assert not [r for r in emulator.requests if r.path.startswith("/webhooks/")], "refused before deferring"
    choices = await (await emulator.run_autocomplete("reindex", "remove", user=listed, remove="")).choices()
    assert choices == []


async def test_a_listed_user_id_without_manage_server_is_refused(
    emulator: DiscordEmulator, settings: BotConfig
) -> None:
    listed = emulator.add_member("lou")
    emulator.allow_command("reindex", listed)
    service = FakeMuseService()
    bot, running = await start_bot(emulator, replace(settings, maintainer_user_ids=[listed.id]), service)
    try:
        reply = await (await emulator.run_slash("reindex", user=listed, remove="article-1")).reply()
    finally:
        await stop_bot(bot, running)
    assert reply.content == "You need the Manage Server permission to use this command."
    assert service.calls == []


async def test_an_administrator_maintainer_may_reindex(
    bot: object, emulator: DiscordEmulator, maintainer_role: int, service: FakeMuseService
) -> None:
    admin = emulator.add_member("ada", role_ids=[maintainer_role], permissions=MEMBER_PERMISSIONS | PERM_ADMINISTRATOR)
    reply = await (await emulator.run_slash("reindex", user=admin, remove="article-1")).reply()
    assert reply.embeds[0]["title"] == "Index updated: remove article-1"
    assert service.calls == [("remove_articles", (("article-1",),))]


async def test_remove_autocomplete_lists_ids_to_maintainers_only(
    bot: object, emulator: DiscordEmulator, maintainer: Member
) -> None:
    moderator = emulator.add_member("mod", permissions=MEMBER_PERMISSIONS | PERM_MANAGE_GUILD)
    refused = await (await emulator.run_autocomplete("reindex", "remove", user=moderator, remove="")).choices()
    assert refused == []
    allowed = await (await emulator.run_autocomplete("reindex", "remove", user=maintainer, remove="")).choices()
    assert [choice["value"] for choice in allowed] == ["article-0", "article-1"]


async def test_contexts_keep_reindex_out_of_dms(
    emulator: DiscordEmulator, settings: BotConfig, maintainer: Member
) -> None:
    # Global commands: guild ones never show in DMs at all.
    bot, running = await start_bot(emulator, replace(settings, guild_ids=[]), FakeMuseService())
    try:
        with pytest.raises(CommandUnavailableError):
            await emulator.run_slash("reindex", user=maintainer, guild=False, remove="article-1")
        reply = await (await emulator.run_slash("about", user=maintainer, guild=False)).reply()  # allowed anywhere
    finally:
        await stop_bot(bot, running)
    assert reply.embeds[0]["title"] == "About musebot"


# Low: user-provided values cannot forge log lines ------------------------------------------------------


async def test_a_newline_in_a_removed_id_cannot_forge_a_log_line(
    bot: object, emulator: DiscordEmulator, maintainer: Member, caplog: pytest.LogCaptureFixture
) -> None:
    forged = "article-1\nCRITICAL bot.core: index deleted by admin\u202e"
    with caplog.at_level(logging.INFO):
        await (await emulator.run_slash("reindex", user=maintainer, remove=forged)).reply()
    (started,) = [record.getMessage() for record in caplog.records if "started /reindex" in record.getMessage()]
    assert "\n" not in started
    assert "\u202e" not in started
    assert "article-1\\nCRITICAL" in started
