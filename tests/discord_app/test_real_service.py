"""The bot over the emulator with the real MuseService on a temporary copy of the corpus.

The fast fake embedder stands in for the model everywhere but one test, which uses the real model.
"""

from __future__ import annotations

import asyncio
import inspect
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, BotConfig
from bot.core.embedding import Embedder, HashingEmbedder
from bot.core.service import MuseService, ServiceConfig
from bot.discord_app.client import MuseBot
from tests.discord_app.conftest import start_bot, stop_bot
from tests.discord_app.fakes import FakeMuseService
from tests.discord_emulator import DiscordEmulator, Member

HEALTHBENCH = "How did Muse Spark do on HealthBench Hard?"
NEW_ARTICLE = PROJECT_ROOT / "tests" / "data" / "articles" / "muse-spark-health-vision.md"


def make_service(root: Path, embedder: Embedder | None = None) -> MuseService:
    if not (root / "corpus").exists():
        shutil.copytree(PROJECT_ROOT / "corpus", root / "corpus")
    config = ServiceConfig(corpus_dir=root / "corpus", index_dir=root / "index")
    return MuseService(config, embedder_factory=(lambda: embedder) if embedder else (lambda: HashingEmbedder(dim=64)))


@pytest.fixture
def real_service(tmp_path: Path) -> MuseService:
    service = make_service(tmp_path)
    service.warm_up()
    return service


@pytest.fixture
async def real_bot(emulator: DiscordEmulator, settings: BotConfig, real_service: MuseService) -> AsyncIterator[MuseBot]:
    bot, running = await start_bot(emulator, settings, real_service)
    yield bot
    await stop_bot(bot, running)


def test_the_fake_service_has_the_real_signatures() -> None:
    for name, member in inspect.getmembers(FakeMuseService, inspect.isfunction):
        if not name.startswith("_"):
            assert inspect.signature(member) == inspect.signature(getattr(MuseService, name)), name


async def test_ask_shows_the_healthbench_score_with_sources(
    real_bot: MuseBot, emulator: DiscordEmulator, alice: Member, real_service: MuseService
) -> None:
    reply = await (await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)).reply()
    (embed,) = reply.embeds
    assert "42.8" in embed["description"]
    assert "[1]" in embed["description"]
    assert embed["fields"][0]["name"].startswith("[1] ")
    assert real_service.index_stats().build_id in embed["footer"]["text"]


async def test_benchmark_lookup_autocompletes_and_shows_the_conflict(
    real_bot: MuseBot, emulator: DiscordEmulator, alice: Member
) -> None:
    choices = await (await emulator.run_autocomplete("benchmark", "name", user=alice, name="gdp")).choices()
    assert {"name": "GDPval-AA", "value": "GDPval-AA"} in choices
    reply = await (await emulator.run_slash("benchmark", user=alice, name="GDPval-AA")).reply()
    muse = next(line for line in reply.embeds[0]["description"].splitlines() if line.startswith("**Muse Spark**"))
    assert "sources disagree" in muse
    assert "1,444" in muse
    assert "1,427" in muse
    assert len(reply.embeds[0]["fields"][0]["value"].splitlines()) == 2  # both articles are numbered sources


async def test_unknown_model_gets_the_core_suggestions(real_bot: MuseBot, emulator: DiscordEmulator, alice: Member):
    reply = await (await emulator.run_slash("model", user=alice, name="Muse Spark 2")).reply()
    assert reply.is_ephemeral
    assert "Muse Spark" in reply.content


async def test_reindex_upload_is_served_at_once_and_a_cli_rebuild_is_picked_up(
    real_bot: MuseBot,
    emulator: DiscordEmulator,
    maintainer: Member,
    alice: Member,
    real_service: MuseService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attachment = emulator.add_attachment(NEW_ARTICLE.name, NEW_ARTICLE.read_bytes(), "text/markdown; charset=utf-8")
    reply = await (await emulator.run_slash("reindex", user=maintainer, file=attachment)).reply(seconds=20)
    assert reply.embeds[0]["title"] == f"Index updated: {NEW_ARTICLE.name}"
    assert "`clinical-ai-review-muse-spark-health`" in reply.text
    about = await (await emulator.run_slash("about", user=alice)).reply()
    assert {f["name"]: f["value"] for f in about.embeds[0]["fields"]}["Articles"] == "3"

    # Another process (the CLI) removes it; the bot's poller swaps to that build without a restart.
    swapped = asyncio.Event()
    loop = asyncio.get_running_loop()
    refresh = real_service.refresh_if_changed

    def refresh_and_tell() -> bool:
        changed = refresh()
        if changed:
            loop.call_soon_threadsafe(swapped.set)
        return changed

    monkeypatch.setattr(real_service, "refresh_if_changed", refresh_and_tell)
    removed = make_service(tmp_path).remove_articles(["clinical-ai-review-muse-spark-health"])
    await asyncio.wait_for(swapped.wait(), 10)
    assert real_service.index_stats().build_id == removed.build_id
    sources = await (await emulator.run_slash("sources", user=alice)).reply()
    assert sources.embeds[0]["footer"]["text"].endswith("· 2 articles")


@pytest.mark.slow
async def test_ask_with_the_real_model(
    emulator: DiscordEmulator, settings: BotConfig, alice: Member, tmp_path: Path, real_embedder: Embedder
) -> None:
    service = make_service(tmp_path, real_embedder)
    service.warm_up()
    bot, running = await start_bot(emulator, settings, service)
    try:
        reply = await (await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)).reply(seconds=20)
        assert "42.8" in reply.embeds[0]["description"]
    finally:
        await stop_bot(bot, running)
