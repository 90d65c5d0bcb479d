"""/reindex with several attachments: a bad one is reported beside the good ones, which still go ahead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import BotConfig
from bot.core.service import MuseService
from bot.discord_app.client import MuseBot
from tests.discord_app.conftest import start_bot, stop_bot
from tests.discord_app.fakes import FakeMuseService
from tests.discord_app.test_real_service import make_service
from tests.discord_emulator import DiscordEmulator, Member

GOOD = b"""---
id: whatsapp
title: Muse Spark reaches WhatsApp
outlet: Chat News
---
Meta said Muse Spark will reach WhatsApp and Instagram users in the coming weeks, starting in the United States.
"""
BAD_DATE = b"---\ntitle: A date typo\npublished: 2026-13-45\n---\nMuse Spark text with a bad date.\n"


async def test_a_refused_attachment_does_not_sink_the_good_one(
    bot: MuseBot, emulator: DiscordEmulator, maintainer: Member, service: FakeMuseService
) -> None:
    good = emulator.add_attachment("good.md", GOOD, "text/markdown")
    exe = emulator.add_attachment("tool.exe", b"MZ", "application/octet-stream")
    reply = await (await emulator.run_slash("reindex", user=maintainer, file=exe, file2=good)).reply()
    assert [embed["title"] for embed in reply.embeds] == ["Not done: tool.exe", "Index updated: good.md"]
    assert reply.embeds[0]["description"] == "tool.exe is not an article file; attach .md, .txt or .html files."
    assert [name for name, _ in service.calls] == ["add_article_bytes"]


@pytest.fixture
async def real_bot(tmp_path: Path, emulator: DiscordEmulator, settings: BotConfig) -> AsyncIterator[MuseService]:
    service = make_service(tmp_path)
    service.warm_up()
    bot, running = await start_bot(emulator, settings, service)
    yield service
    await stop_bot(bot, running)


async def test_a_bad_article_does_not_sink_the_good_one(
    real_bot: MuseService, emulator: DiscordEmulator, maintainer: Member
) -> None:
    bad = emulator.add_attachment("typo.md", BAD_DATE, "text/markdown")
    good = emulator.add_attachment("good.md", GOOD, "text/markdown")
    reply = await (await emulator.run_slash("reindex", user=maintainer, file=bad, file2=good)).reply(seconds=20)
    assert [embed["title"] for embed in reply.embeds] == ["Not done: typo.md", "Index updated: good.md"]
    assert "typo.md: the front matter has a value that is not valid" in reply.embeds[0]["description"]
    assert "whatsapp" in {source.article_id for source in real_bot.list_sources()}
