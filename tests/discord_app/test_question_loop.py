"""The question loop in Discord: 👍/👎 (stored in a real SQLite file, across a restart), the 👎 modal, /report,
follow-ups by reply and in threads, and chart attachments. The real discord.py client over the emulator."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import BotConfig
from bot.core.records import QuestionLog, QuestionLoop
from bot.discord_app.client import MuseBot
from tests.discord_app.conftest import start_bot, stop_bot
from tests.discord_app.fakes import FakeMuseService
from tests.discord_emulator import CommandUnavailableError, DiscordEmulator, Member
from tests.discord_emulator.server import EPHEMERAL, Reply

HEALTHBENCH = "How did Muse Spark do on HealthBench Hard?"


def make_loop(service: FakeMuseService, data: Path) -> QuestionLoop:
    return QuestionLoop(service, QuestionLog(data), data_dir=data)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def loop_bot(
    emulator: DiscordEmulator, settings: BotConfig, service: FakeMuseService, data_dir: Path
) -> AsyncIterator[MuseBot]:
    question_loop = make_loop(service, data_dir)
    bot, running = await start_bot(emulator, settings, service, question_loop=question_loop)
    yield bot
    await stop_bot(bot, running)
    question_loop.close()


def votes(data: Path) -> list[tuple[int, str, int, str]]:
    """The votes table as it is on disk now (empty while the writer has not made the file yet)."""
    if not (data / "questions.sqlite3").exists():
        return []
    with sqlite3.connect(f"file:{data / 'questions.sqlite3'}?mode=ro", uri=True) as connection:
        try:
            query = "SELECT record_id, user_hash, vote, comment FROM votes ORDER BY voted_at"
            return connection.execute(query).fetchall()
        except sqlite3.OperationalError:  # the writer has not made its tables yet
            return []


def buttons_of(reply: Reply) -> list[dict]:
    return [button for row in reply.components for button in row["components"]]


async def ask(emulator: DiscordEmulator, user: Member, question: str = HEALTHBENCH) -> Reply:
    return await (await emulator.run_slash("ask", user=user, question=question)).reply()


async def test_votes_are_stored_one_per_user_replaced_and_the_buttons_work_after_a_restart(
    emulator: DiscordEmulator, settings: BotConfig, service: FakeMuseService, data_dir: Path, alice: Member
) -> None:
    bob = emulator.add_member("bob")
    first_loop = make_loop(service, data_dir)
    first, running = await start_bot(emulator, settings, service, question_loop=first_loop)
    reply = await ask(emulator, alice)
    up, down = buttons_of(reply)
    assert (up["emoji"]["name"], down["emoji"]["name"]) == ("👍", "👎")
    record_id = int(up["custom_id"].rsplit(":", 1)[1])
    assert up["custom_id"] == f"musebot:vote:up:{record_id}"
    assert down["custom_id"] == f"musebot:vote:down:{record_id}"
    assert len(up["custom_id"]) <= 100

    thanks = await (await emulator.click(reply.message, up["custom_id"], user=alice)).reply()
    assert thanks.is_ephemeral
    assert "noted 👍" in thanks.content
    await (await emulator.click(reply.message, up["custom_id"], user=bob)).reply()
    await (await emulator.click(reply.message, up["custom_id"], user=alice)).reply()  # again: still one vote
    stored = votes(data_dir)
    assert [(r, v) for r, _, v, _ in stored] == [(record_id, 1), (record_id, 1)]
    assert len({user for _, user, _, _ in stored}) == 2
    assert all(str(member.id) not in user for _, user, _, _ in stored for member in (alice, bob))

    # A restart: a new process knows nothing of the old message, but its buttons still work.
    await stop_bot(first, running)
    first_loop.close()
    question_loop = make_loop(service, data_dir)
    restarted, running = await start_bot(emulator, settings, service, question_loop=question_loop)
    try:
        clicked = await emulator.click(reply.message, down["custom_id"], user=alice)
        await clicked.acknowledged()
        modal = emulator.opened_modal(clicked)
        assert modal["custom_id"] == f"musebot:feedback:{record_id}"
        assert len(modal["title"]) <= 45
        (field,) = modal["components"]
        assert field["type"] == 18
        assert field["component"]["required"] is False
        submitted = await emulator.submit_modal(clicked, {"comment": "  the score is from the wrong article "},
                                                user=alice)  # fmt: skip
        noted = await submitted.reply()
        assert noted.is_ephemeral
        assert "noted 👎" in noted.content
    finally:
        await stop_bot(restarted, running)
        question_loop.close()
    by_vote = {vote: comment for _, _, vote, comment in votes(data_dir)}
    assert len(votes(data_dir)) == 2, "alice's 👎 replaced her 👍"
    assert by_vote == {1: "", -1: "the score is from the wrong article"}


async def test_a_dismissed_modal_still_counts_the_thumbs_down(
    emulator: DiscordEmulator, loop_bot: MuseBot, data_dir: Path, alice: Member
) -> None:
    reply = await ask(emulator, alice)
    _, down = buttons_of(reply)
    clicked = await emulator.click(reply.message, down["custom_id"], user=alice)
    await clicked.acknowledged()
    assert emulator.opened_modal(clicked)["title"]
    assert loop_bot.question_loop.question_log.flush()  # the 👎 was queued before the modal was sent
    assert [(vote, comment) for _, _, vote, comment in votes(data_dir)] == [(-1, "")]


async def test_answers_without_a_record_have_no_buttons(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    reply = await ask(emulator, alice)  # the `bot` fixture records nothing
    assert reply.components == []


async def test_report_is_for_maintainers_only_and_ephemeral(
    emulator: DiscordEmulator, loop_bot: MuseBot, data_dir: Path, alice: Member, maintainer: Member
) -> None:
    for question in ("What's the weather in Paris?", "what's the weather in paris", HEALTHBENCH):
        await ask(emulator, alice, question)
    answered = await ask(emulator, maintainer)  # alice has used her 3 questions per 30 s
    _, down = buttons_of(answered)
    clicked = await emulator.click(answered.message, down["custom_id"], user=alice)
    await clicked.acknowledged()
    await (await emulator.submit_modal(clicked, {"comment": "missing the GPQA score"}, user=alice)).reply()

    report = await (await emulator.run_slash("report", user=maintainer)).reply()
    assert report.is_ephemeral
    (embed,) = report.embeds
    assert "**4** questions" in embed["description"]
    assert "**50%** answered" in embed["description"]
    fields = {item["name"]: item["value"] for item in embed["fields"]}
    assert fields["Not answered"].startswith("**2×** “")
    assert "weather" in fields["Not answered"].lower()
    downvotes = next(value for name, value in fields.items() if name.startswith("👎 1"))
    assert "missing the GPQA score" in downvotes

    with pytest.raises(CommandUnavailableError):
        await emulator.run_slash("report", user=alice)  # no Manage Server: the client does not offer it
    emulator.allow_command("report", alice)  # a server may grant it in Integrations: still refused at run time
    refused = await (await emulator.run_slash("report", user=alice)).reply()
    assert refused.is_ephemeral
    assert "Only maintainers" in refused.content
    assert refused.embeds == []


async def test_a_reply_to_an_answer_is_a_follow_up_and_thanks_gets_a_reaction(
    emulator: DiscordEmulator, loop_bot: MuseBot, service: FakeMuseService, alice: Member
) -> None:
    answer = await ask(emulator, alice)
    await emulator.post_message("and GPT-5.4?", author=alice, reply_to=answer.message)
    sent = await emulator.wait_for_request(lambda r: r.method == "POST" and r.path.endswith("/messages"))
    assert sent.json["embeds"][0]["title"] == "How did GPT-5.4 do on HealthBench Hard?"
    assert service.calls[-1] == ("ask", ("How did GPT-5.4 do on HealthBench Hard?",))
    assert sent.json["allowed_mentions"] == {"parse": []}
    assert sent.json["components"], "a follow-up's answer has its buttons too"

    follow_up = sent.response_message
    assert follow_up is not None
    thanks = await emulator.post_message("thanks!", author=alice, reply_to=follow_up)
    await emulator.wait_until(lambda: bool(emulator.reactions))
    assert emulator.reactions == [(emulator.channel_id, int(thanks["id"]), "👍")]

    # A reply with its ping turned off carries no content for us: the bot stays quiet (and asks nothing).
    calls = len(service.calls)
    await emulator.post_message("and Gemini 3 Pro?", author=alice, reply_to=answer.message, ping=False)
    await emulator.post_message(f"<@{emulator.application_id}> {HEALTHBENCH}", author=alice, mention_bot=True)
    await emulator.wait_until(lambda: len(service.calls) == calls + 1)
    await emulator.wait_until(lambda: len(emulator.find_requests("POST", "/messages$")) == 2)
    assert service.calls[-1] == ("ask", (HEALTHBENCH,))


async def test_a_message_in_the_answers_thread_is_a_follow_up(
    emulator: DiscordEmulator, settings: BotConfig, service: FakeMuseService, data_dir: Path, alice: Member
) -> None:
    question_loop = make_loop(service, data_dir)
    bot, running = await start_bot(
        emulator, replace(settings, message_content=True), service, question_loop=question_loop
    )
    try:
        await emulator.post_message(f"<@{emulator.application_id}> {HEALTHBENCH}", author=alice, mention_bot=True)
        first = await emulator.wait_for_request(lambda r: r.method == "POST" and r.path.endswith("/messages"))
        assert first.response_message is not None
        thread = await emulator.create_thread(first.response_message, "HealthBench", owner=alice)
        assert thread["id"] == first.response_message["id"]
        await emulator.post_message("and GPT-5.4?", author=alice, thread=thread)  # no mention: the intent is on
        in_thread = await emulator.wait_for_request(lambda r: r.path == f"/channels/{thread['id']}/messages")
        assert in_thread.json["embeds"][0]["title"] == "How did GPT-5.4 do on HealthBench Hard?"
        await emulator.post_message("what about Gemini 3 Pro?", author=alice, thread=thread)
        in_thread_path = f"/channels/{thread['id']}/messages"
        await emulator.wait_until(lambda: len(emulator.find_requests("POST", in_thread_path)) == 2)
        assert service.calls[-1] == ("ask", ("How did Gemini 3 Pro do on HealthBench Hard?",))
        await emulator.post_message("thanks, that's helpful", author=alice, thread=thread)
        await emulator.wait_until(lambda: bool(emulator.reactions))
        assert len(emulator.find_requests("POST", f"/channels/{thread['id']}/messages")) == 2, "no abstention"
    finally:
        await stop_bot(bot, running)
        question_loop.close()
    assert emulator.identifies[0]["intents"] & (1 << 15), "MUSEBOT_MESSAGE_CONTENT asks for the intent"


@pytest.mark.parametrize("command", ["benchmark", "compare"])
async def test_chart_true_attaches_a_png_within_discords_limits(
    emulator: DiscordEmulator, loop_bot: MuseBot, alice: Member, command: str
) -> None:
    values = {"name": "GDPval-AA"} if command == "benchmark" else {"a": "Muse Spark", "b": "GPT-5.4"}
    handle = await emulator.run_slash(command, user=alice, chart=True, **values)
    reply = await handle.reply(seconds=20)
    (attachment,) = reply.message["attachments"]
    assert attachment["filename"] == "chart.png"
    assert 0 < attachment["size"] <= handle.payload["attachment_size_limit"]
    assert reply.embeds[0]["image"]["url"] == "attachment://chart.png"
    (upload,) = reply.request.files
    assert upload[1][:8] == b"\x89PNG\r\n\x1a\n"
    assert not reply.is_ephemeral
    assert int(reply.message.get("flags") or 0) & EPHEMERAL == 0


async def test_a_chart_over_the_upload_limit_is_left_out_with_a_note(
    emulator: DiscordEmulator, loop_bot: MuseBot, alice: Member
) -> None:
    emulator.attachment_size_limit = 2000  # what this interaction says the bot may upload
    reply = await (await emulator.run_slash("benchmark", user=alice, name="GDPval-AA", chart=True)).reply(seconds=20)
    assert reply.message["attachments"] == []
    assert "image" not in reply.embeds[0]
    assert "too large to attach" in reply.embeds[0]["footer"]["text"]
