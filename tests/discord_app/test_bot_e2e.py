"""The real discord.py client, driven over sockets by the loopback Discord emulator, with a fake service."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import replace

import discord
import pytest

from bot.config import BotConfig
from bot.core.errors import MusebotError
from bot.discord_app.client import MuseBot, serve
from bot.discord_app.errors import GENERIC_FAILURE
from tests.discord_app.fakes import FakeMuseService
from tests.discord_emulator import CommandUnavailableError, DiscordEmulator, Member
from tests.discord_emulator.payloads import MEMBER_PERMISSIONS, PERM_MANAGE_GUILD
from tests.discord_emulator.server import EPHEMERAL, MESSAGE_CONTENT_INTENT

HEALTHBENCH = "How did Muse Spark do on HealthBench Hard?"
NO_PINGS = {"parse": []}


def options_of(command: dict) -> dict[str, dict]:
    return {option["name"]: option for option in command.get("options", [])}


# Start-up -------------------------------------------------------------------------------------------------


async def test_startup_identifies_without_message_content_and_syncs_exactly_our_commands(
    bot: MuseBot, emulator: DiscordEmulator
) -> None:
    intents = emulator.identifies[0]["intents"]
    assert intents == discord.Intents.default().value & ~MESSAGE_CONTENT_INTENT
    assert emulator.gateway_queries[0]["encoding"] == "json"
    assert emulator.find_requests("GET", "^/users/@me$")[0].authorized

    assert emulator.commands[None] == [], "with guild ids configured, the global set is emptied"
    commands = {command["name"]: command for command in emulator.commands[emulator.guild_id]}
    assert set(commands) == {"ask", "benchmark", "model", "compare", "sources", "about", "reindex", "report"}
    for command in commands.values():
        assert 1 <= len(command["description"]) <= 100
        assert all(1 <= len(option["description"]) <= 100 for option in command.get("options", []))

    ask = options_of(commands["ask"])
    assert list(ask) == ["question", "public"]
    assert ask["question"] | {"description": ""} == {
        "name": "question",
        "description": "",
        "type": 3,
        "required": True,
        "min_length": 3,
        "max_length": 500,
    }
    assert ask["public"]["type"] == 5
    assert not ask["public"].get("required")
    assert options_of(commands["benchmark"])["name"]["autocomplete"] is True
    assert options_of(commands["model"])["name"]["autocomplete"] is True
    assert all(options_of(commands["compare"])[name]["autocomplete"] for name in ("a", "b"))
    assert options_of(commands["compare"])["chart"]["type"] == 5
    assert options_of(commands["benchmark"])["chart"]["type"] == 5
    assert not commands["sources"].get("options")
    assert not commands["about"].get("options")

    reindex = commands["reindex"]
    assert reindex["default_member_permissions"] == str(discord.Permissions(manage_guild=True).value)
    assert reindex["contexts"] == [0]  # guild only
    types = {name: option["type"] for name, option in options_of(reindex).items()}
    assert types == {"file": 11, "file2": 11, "file3": 11, "url": 3, "remove": 3, "force": 5}
    assert options_of(reindex)["remove"]["autocomplete"] is True


async def test_syncs_globally_without_guild_ids(emulator: DiscordEmulator, settings: BotConfig) -> None:
    from tests.discord_app.conftest import start_bot, stop_bot

    bot, running = await start_bot(emulator, replace(settings, guild_ids=[]), FakeMuseService())
    try:
        assert set(emulator.commands) == {None}
        assert len(emulator.commands[None]) == 8
    finally:
        await stop_bot(bot, running)


# /ask -----------------------------------------------------------------------------------------------------


async def test_ask_defers_then_answers_with_markers_and_sources(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member, service: FakeMuseService
) -> None:
    handle = await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)
    ack = await handle.acknowledged()
    assert ack.json["type"] == 5  # deferred: the answer may take longer than 3 s
    reply = await handle.reply()
    assert not reply.is_ephemeral
    assert reply.allowed_mentions == NO_PINGS
    (embed,) = reply.embeds
    assert embed["title"] == HEALTHBENCH
    assert "42.8" in embed["description"]
    assert "[1]" in embed["description"]
    assert embed["fields"][0]["name"] == "[1] Meta unveils Muse Spark"
    assert service.calls == [("ask", (HEALTHBENCH,))]


async def test_ask_privately(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    handle = await emulator.run_slash("ask", user=alice, question=HEALTHBENCH, public=False)
    assert (await handle.acknowledged()).json["data"]["flags"] == EPHEMERAL
    assert (await handle.reply()).is_ephemeral


async def test_slow_answers_are_acknowledged_in_time(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member, service: FakeMuseService
) -> None:
    emulator.ack_deadline = 0.3  # Discord allows 3 s; the bot defers before doing any work
    service.ask_seconds = 0.6
    emulator.delay_next("POST", r"^/webhooks/", 0.3)  # and Discord itself is slow to take the answer
    handle = await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)
    assert (await handle.acknowledged()).status == 200
    assert "42.8" in (await handle.reply()).embeds[0]["description"]


async def test_abstention_renders_calmly(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    reply = await (await emulator.run_slash("ask", user=alice, question="What's the weather in Paris?")).reply()
    assert reply.embeds[0]["title"] == "Not covered by the articles"


async def test_ask_cooldown_is_per_user_and_friendly(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member, service: FakeMuseService
) -> None:
    for _ in range(3):
        await (await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)).reply()
    refused = await (await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)).reply()
    assert refused.is_ephemeral
    assert refused.content.startswith("You're asking quickly — try again in ")
    assert refused.request.json["type"] == 4  # refused before deferring
    bob = emulator.add_member("bob")
    assert not (await (await emulator.run_slash("ask", user=bob, question=HEALTHBENCH)).reply()).is_ephemeral
    assert len(service.calls) == 4


# Lookups ----------------------------------------------------------------------------------------------


async def test_benchmark_autocomplete_suggests_known_names(bot: MuseBot, emulator: DiscordEmulator, alice: Member):
    handle = await emulator.run_autocomplete("benchmark", "name", user=alice, name="gdp")
    assert await handle.choices() == [{"name": "GDPval-AA", "value": "GDPval-AA"}]
    handle = await emulator.run_autocomplete("compare", "b", user=alice, a="Muse Spark", b="gpt")
    assert [choice["value"] for choice in await handle.choices()] == ["GPT-5.4"]


async def test_benchmark_shows_both_conflicting_values(bot: MuseBot, emulator: DiscordEmulator, alice: Member):
    reply = await (await emulator.run_slash("benchmark", user=alice, name="GDPval-AA")).reply()
    (embed,) = reply.embeds
    assert "⚠ sources disagree: 1,444 Elo [1] vs 1,427 Elo [2]" in embed["description"]
    assert "[1] [Meta unveils Muse Spark]" in embed["fields"][0]["value"]
    assert reply.allowed_mentions == NO_PINGS


async def test_unknown_name_is_a_calm_private_sentence(bot: MuseBot, emulator: DiscordEmulator, alice: Member):
    handle = await emulator.run_slash("model", user=alice, name="Muse Sparkle")
    reply = await handle.reply()
    assert reply.is_ephemeral
    assert reply.content == "I don't know a model called Muse Sparkle. Did you mean: Muse Spark, GPT-5.4?"
    # The public "thinking…" placeholder was removed so the sentence stays private.
    assert emulator.find_requests("DELETE", f"{handle.token}/messages/@original")


async def test_compare_and_model(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    compare = await (await emulator.run_slash("compare", user=alice, a="Muse Spark", b="GPT-5.4")).reply()
    assert compare.embeds[0]["title"] == "Muse Spark vs GPT-5.4"
    model = await (await emulator.run_slash("model", user=alice, name="muse spark")).reply()
    assert "**HealthBench Hard** — 42.8 [1]" in model.embeds[0]["description"]


# /sources and /about --------------------------------------------------------------------------------------


async def test_sources_pages_turn_with_buttons_for_their_owner_only(
    emulator: DiscordEmulator, settings: BotConfig, alice: Member
) -> None:
    from tests.discord_app.conftest import start_bot, stop_bot

    bot, running = await start_bot(emulator, settings, FakeMuseService(sources=25))
    try:
        reply = await (await emulator.run_slash("sources", user=alice)).reply()
        assert reply.is_ephemeral
        assert reply.embeds[0]["footer"]["text"] == "Page 1 of 3 · 25 articles"
        buttons = reply.components[0]["components"]
        assert [button["label"] for button in buttons] == ["Previous", "Next"]
        assert buttons[0]["disabled"] is True

        turned = await (await emulator.click(reply.message, buttons[1]["custom_id"], user=alice)).reply()
        assert turned.request.json["type"] == 7  # the same message, updated
        assert turned.embeds[0]["footer"]["text"] == "Page 2 of 3 · 25 articles"

        bob = emulator.add_member("bob")
        refused = await (await emulator.click(reply.message, buttons[1]["custom_id"], user=bob)).reply()
        assert refused.is_ephemeral
        assert "Only the person who asked" in refused.content
    finally:
        await stop_bot(bot, running)


async def test_about_shows_index_stats(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    reply = await (await emulator.run_slash("about", user=alice)).reply()
    fields = {field["name"]: field["value"] for field in reply.embeds[0]["fields"]}
    assert fields["Articles"] == "12"
    assert fields["Passages"] == "340"
    assert reply.embeds[0]["footer"]["text"].startswith("musebot ")


# Mentions and DMs ----------------------------------------------------------------------------------------


async def test_mention_is_answered_with_a_reply(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member, service: FakeMuseService
) -> None:
    message = await emulator.post_message(f"<@{emulator.application_id}> {HEALTHBENCH}", author=alice, mention_bot=True)
    sent = await emulator.wait_for_request(lambda r: r.method == "POST" and r.path.endswith("/messages"))
    assert sent.path == f"/channels/{emulator.channel_id}/messages"
    assert str(sent.json["message_reference"]["message_id"]) == message["id"]
    assert sent.json["allowed_mentions"] == NO_PINGS
    assert "42.8" in sent.json["embeds"][0]["description"]
    assert service.calls == [("ask", (HEALTHBENCH,))]  # the mention was stripped


async def test_dm_is_answered(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    await emulator.post_message(HEALTHBENCH, author=alice, dm=True)
    sent = await emulator.wait_for_request(lambda r: r.method == "POST" and r.path.endswith("/messages"))
    assert sent.path == f"/channels/{emulator.dm_channels[alice.id]}/messages"
    assert "42.8" in sent.json["embeds"][0]["description"]


async def test_messages_not_addressed_to_the_bot_are_ignored(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member, service: FakeMuseService
) -> None:
    await emulator.post_message(HEALTHBENCH, author=alice)
    await emulator.post_message(f"<@{emulator.application_id}>", author=alice, mention_bot=True)  # nothing asked
    hint = await emulator.wait_for_request(lambda r: r.method == "POST" and r.path.endswith("/messages"))
    assert "Ask me a question" in hint.json["content"]
    await asyncio.sleep(0.2)
    assert len(emulator.find_requests("POST", "/messages$")) == 1
    assert service.calls == []


async def test_mass_mentions_in_questions_ping_nobody(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member, service: FakeMuseService
) -> None:
    question = "@everyone <@&123> how did Muse Spark do on HealthBench Hard?"
    await emulator.post_message(
        f"<@{emulator.application_id}> {question}", author=alice, mention_bot=True, mention_everyone=True,
        mention_roles=[123],
    )  # fmt: skip
    sent = await emulator.wait_for_request(lambda r: r.method == "POST" and r.path.endswith("/messages"))
    assert sent.json["allowed_mentions"] == NO_PINGS
    reply = await (await emulator.run_slash("ask", user=alice, question=question)).reply()
    assert reply.allowed_mentions == NO_PINGS
    for text in (sent.json["embeds"][0]["title"], reply.embeds[0]["title"]):
        assert "@everyone" not in text
        assert "<@&123>" not in text


async def test_mention_cooldown(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    for _ in range(4):
        await emulator.post_message(f"<@{emulator.application_id}> {HEALTHBENCH}", author=alice, mention_bot=True)
    await emulator.wait_until(lambda: len(emulator.find_requests("POST", "/messages$")) == 4)
    refusals = [r for r in emulator.find_requests("POST", "/messages$") if not r.json.get("embeds")]
    assert len(refusals) == 1
    assert refusals[0].json["content"].startswith("You're asking quickly — try again in ")


# /reindex -------------------------------------------------------------------------------------------------


async def test_reindex_is_refused_to_non_maintainers(
    bot: MuseBot,
    emulator: DiscordEmulator,
    alice: Member,
    service: FakeMuseService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    attachment = emulator.add_attachment("new.md", b"# New\n\nText.", "text/markdown; charset=utf-8")
    with pytest.raises(CommandUnavailableError):  # without Manage Server the Discord client does not offer it
        await emulator.run_slash("reindex", user=alice, file=attachment)
    moderator = emulator.add_member("mod", permissions=MEMBER_PERMISSIONS | PERM_MANAGE_GUILD)
    with caplog.at_level(logging.INFO):
        reply = await (await emulator.run_slash("reindex", user=moderator, file=attachment)).reply()
    assert reply.is_ephemeral
    assert reply.content == "Only maintainers can re-index the articles."
    assert service.calls == []
    assert not emulator.find_requests("GET", "^/attachments/")
    assert any(
        str(moderator.id) in record.getMessage() and record.levelno == logging.WARNING for record in caplog.records
    )


async def test_reindex_by_maintainer_downloads_and_reports(
    bot: MuseBot, emulator: DiscordEmulator, maintainer: Member, service: FakeMuseService
) -> None:
    attachment = emulator.add_attachment("new-article.md", b"# New\n\nMuse Spark text.", "text/markdown")
    handle = await emulator.run_slash("reindex", user=maintainer, file=attachment, force=True)
    assert (await handle.acknowledged()).json == {"type": 5, "data": {"flags": EPHEMERAL}}
    reply = await handle.reply()
    assert reply.is_ephemeral
    assert reply.embeds[0]["title"] == "Index updated: new-article.md"
    assert service.calls == [("add_article_bytes", (b"# New\n\nMuse Spark text.", "new-article.md", True))]
    assert emulator.find_requests("GET", "^/attachments/")


async def test_reindex_remove_and_validation(
    bot: MuseBot, emulator: DiscordEmulator, maintainer: Member, service: FakeMuseService
) -> None:
    removed = await (await emulator.run_slash("reindex", user=maintainer, remove="article-1")).reply()
    assert removed.embeds[0]["title"] == "Index updated: remove article-1"

    choices = await (await emulator.run_autocomplete("reindex", "remove", user=maintainer, remove="1")).choices()
    assert choices == [{"name": "article-1", "value": "article-1"}]

    exe = emulator.add_attachment("tool.exe", b"MZ", "application/octet-stream")
    refused = await (await emulator.run_slash("reindex", user=maintainer, file=exe)).reply()
    assert refused.content == "tool.exe is not an article file; attach .md, .txt or .html files."
    big = emulator.add_attachment("big.md", b"x" * 20_000, "text/markdown")
    too_big = await (await emulator.run_slash("reindex", user=maintainer, file=big)).reply()
    assert "the limit is 10,000 bytes" in too_big.content
    url = await (await emulator.run_slash("reindex", user=maintainer, url="https://example.com/a")).reply()
    assert url.content.startswith("URL fetching is not enabled")
    nothing = await (await emulator.run_slash("reindex", user=maintainer)).reply()
    assert nothing.content.startswith("Attach an article file")
    assert [name for name, _ in service.calls] == ["remove_articles"]


async def test_reindex_reports_each_step_even_when_one_fails(
    bot: MuseBot, emulator: DiscordEmulator, maintainer: Member, service: FakeMuseService
) -> None:
    good = emulator.add_attachment("good.txt", b"Muse Spark text.", "text/plain; charset=utf-8")
    blank = emulator.add_attachment("blank.md", b"   \n", "text/markdown")
    reply = await (
        await emulator.run_slash("reindex", user=maintainer, file=good, file2=blank, remove="article-0, article-1")
    ).reply()
    titles = [embed["title"] for embed in reply.embeds]
    assert titles == ["Index updated: remove article-0, article-1", "Index updated: good.txt", "Not done: blank.md"]
    assert reply.embeds[2]["description"] == "blank.md has no text."
    assert service.calls[0] == ("remove_articles", (("article-0", "article-1"),))


async def test_reindex_fetches_urls_through_the_injected_fetcher(
    emulator: DiscordEmulator, settings: BotConfig, maintainer: Member
) -> None:
    from tests.discord_app.conftest import start_bot, stop_bot

    fetched: list[str] = []

    async def fetch(url: str) -> tuple[bytes, str]:
        fetched.append(url)
        if "missing" in url:
            raise MusebotError("That page could not be fetched (HTTP 404).")
        return b"<html><body><h1>Muse</h1><p>Text</p></body></html>", "fetched.html"

    service = FakeMuseService()
    bot, running = await start_bot(emulator, settings, service, fetch_article_url=fetch)
    try:
        ok = await (await emulator.run_slash("reindex", user=maintainer, url="https://news.example/a")).reply()
        assert ok.embeds[0]["title"] == "Index updated: https://news.example/a"
        assert service.calls[0][1][1] == "fetched.html"
        missing = await (
            await emulator.run_slash("reindex", user=maintainer, url="https://news.example/missing")
        ).reply()
        assert missing.embeds[0]["description"] == "That page could not be fetched (HTTP 404)."
        assert fetched == ["https://news.example/a", "https://news.example/missing"]
    finally:
        await stop_bot(bot, running)


async def test_reindex_requests_are_serialised(
    bot: MuseBot, emulator: DiscordEmulator, maintainer: Member, service: FakeMuseService
) -> None:
    service.work_seconds = 0.3
    handles = [
        await emulator.run_slash("reindex", user=maintainer, file=emulator.add_attachment(f"a{i}.md", b"text", None))
        for i in range(3)
    ]
    replies = await asyncio.gather(*(handle.reply(seconds=5) for handle in handles))
    assert [reply.embeds[0]["title"] for reply in replies] == [f"Index updated: a{i}.md" for i in range(3)]
    assert service.max_active == 1


# Resilience -----------------------------------------------------------------------------------------------


async def test_reconnects_with_resume_after_the_websocket_drops(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member
) -> None:
    (session_id,) = emulator.session_ids
    await emulator.drop_gateway()
    reply = await (await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)).reply(seconds=10)
    assert "42.8" in reply.embeds[0]["description"]
    assert len(emulator.identifies) == 1
    assert [resume["session_id"] for resume in emulator.resumes] == [session_id]


async def test_reconnects_after_a_close_frame(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    await emulator.drop_gateway(abrupt=False, code=4000)
    reply = await (await emulator.run_slash("about", user=alice)).reply(seconds=10)
    assert reply.embeds[0]["title"] == "About musebot"
    assert len(emulator.resumes) == 1


async def test_identifies_again_when_the_session_cannot_be_resumed(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member
) -> None:
    await emulator.drop_gateway(forget_session=True)
    # discord.py waits 5 s before identifying again, as Discord asks.
    await emulator.wait_until(lambda: len(emulator.identifies) == 2 and emulator.is_connected, seconds=15)
    assert len(emulator.resumes) == 1
    reply = await (await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)).reply()
    assert "42.8" in reply.embeds[0]["description"]


@pytest.mark.parametrize("how", ["slash", "mention"])
async def test_a_429_is_waited_out_and_the_reply_still_arrives(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member, how: str
) -> None:
    if how == "slash":
        emulator.fail_next("POST", r"^/webhooks/", status=429, retry_after=0.3)
        await (await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)).reply()
        path = r"^/webhooks/"
    else:
        emulator.fail_next("POST", r"^/channels/\d+/messages$", status=429, retry_after=0.3)
        await emulator.post_message(f"<@{emulator.application_id}> {HEALTHBENCH}", author=alice, mention_bot=True)
        path = r"^/channels/\d+/messages$"
        await emulator.wait_for_request(lambda r: r.path.endswith("/messages") and r.status == 200)
    attempts = emulator.find_requests("POST", path)
    assert [attempt.status for attempt in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.25


async def test_a_burst_of_50_interactions_is_fully_acknowledged(bot: MuseBot, emulator: DiscordEmulator) -> None:
    users = [emulator.add_member(f"user{i}") for i in range(50)]
    handles = []
    for index, user in enumerate(users):
        if index % 3 == 0:
            handles.append(await emulator.run_slash("ask", user=user, question=HEALTHBENCH))
        elif index % 3 == 1:
            handles.append(await emulator.run_slash("benchmark", user=user, name="GDPval-AA"))
        else:
            handles.append(await emulator.run_autocomplete("model", "name", user=user, name="m"))
    acks = await asyncio.gather(*(handle.acknowledged(seconds=10) for handle in handles))
    assert all(ack.status == 200 for ack in acks)
    replies = await asyncio.gather(*(handle.reply(seconds=10) for handle in handles if handle.payload["type"] == 2))
    assert len(replies) == 34
    assert all(reply.embeds for reply in replies)


async def test_an_unexpected_error_is_logged_not_shown(
    bot: MuseBot,
    emulator: DiscordEmulator,
    alice: Member,
    service: FakeMuseService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service.ask_error = RuntimeError("index exploded at /secret/path")
    with caplog.at_level(logging.ERROR):
        handle = await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)
        reply = await handle.reply()
        await emulator.post_message(f"<@{emulator.application_id}> {HEALTHBENCH}", author=alice, mention_bot=True)
        sent = await emulator.wait_for_request(lambda r: r.method == "POST" and r.path.endswith("/messages"))
    assert reply.is_ephemeral
    assert reply.content == GENERIC_FAILURE
    assert sent.json["content"] == GENERIC_FAILURE
    assert "exploded" not in reply.text
    assert "Traceback" not in reply.text
    records = [record for record in caplog.records if record.exc_info and "exploded" in str(record.exc_info[1])]
    assert len(records) == 2
    assert f"Command ask failed (user {alice.id}, guild {emulator.guild_id}, interaction {handle.id})" in (
        records[0].getMessage()
    )
    assert "RuntimeError: index exploded" in caplog.text  # the traceback is in the log


async def test_the_bot_polls_for_new_index_builds(bot: MuseBot, service: FakeMuseService) -> None:
    await asyncio.sleep(0.35)
    assert service.refreshes >= 2


# Entry point -------------------------------------------------------------------------------------------


async def test_serve_refuses_a_missing_token(settings: BotConfig) -> None:
    with pytest.raises(MusebotError, match=r"^DISCORD_TOKEN is not set; put it in \.env \(see \.env\.example\)$"):
        await serve(replace(settings, discord_token=None), FakeMuseService())


async def test_serve_explains_a_rejected_token_without_logging_it(
    emulator: DiscordEmulator, settings: BotConfig, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.config import Secret

    wrong = "MTIz.wrong-token-value.xyz"
    with caplog.at_level(logging.DEBUG), pytest.raises(MusebotError, match="Discord rejected DISCORD_TOKEN"):
        await serve(replace(settings, discord_token=Secret(wrong)), FakeMuseService())
    assert wrong not in caplog.text


async def test_serve_runs_until_sigterm_and_never_logs_the_token(
    emulator: DiscordEmulator, settings: BotConfig, caplog: pytest.LogCaptureFixture, alice: Member
) -> None:
    service = FakeMuseService()
    with caplog.at_level(logging.DEBUG):
        running = asyncio.create_task(serve(settings, service, guild_ready_timeout=0.05))
        await emulator.wait_until(lambda: emulator.is_connected and bool(emulator.commands), seconds=10)
        reply = await (await emulator.run_slash("about", user=alice)).reply()
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "serve() must handle SIGTERM itself"
        signal.raise_signal(signal.SIGTERM)
        await asyncio.wait_for(running, 10)
    assert reply.embeds
    assert service.warmed
    assert "Received SIGTERM; disconnecting" in caplog.text
    assert emulator.token not in caplog.text
