"""Discord as it really behaves: deadlines from the user's action, expiring tokens, refusals, gateway faults.

Every test drives the real discord.py client over sockets against the emulator. Discord's clock is the
emulator's (`emulator.clock.advance`), so a 15-minute token expiry takes no time.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from bot.config import BotConfig
from bot.discord_app.client import MuseBot
from tests.discord_app.conftest import start_bot, stop_bot
from tests.discord_app.fakes import FakeMuseService
from tests.discord_emulator import DiscordEmulator, Member
from tests.discord_emulator.payloads import PERM_SEND_MESSAGES

HEALTHBENCH = "How did Muse Spark do on HealthBench Hard?"


def problems_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Records that carry a traceback, or that are errors: an expected condition must produce neither."""
    return [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR]


def warnings_naming(caplog: pytest.LogCaptureFixture, needle: object) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING and str(needle) in r.getMessage()]


async def settle(emulator: DiscordEmulator) -> None:
    """Give the bot a moment to make any further (wrong) request before the log and requests are checked."""
    await asyncio.sleep(0.3)


# Item 9: the 3-second deadline counts from the user's action ------------------------------------------------


async def test_a_command_replayed_after_a_resume_is_late_and_gets_one_warning(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member, caplog: pytest.LogCaptureFixture
) -> None:
    await emulator.drop_gateway()
    handle = await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)  # sent during the outage
    emulator.clock.advance(4)  # the outage outlasts the deadline: the RESUME replays a stale interaction
    with caplog.at_level(logging.INFO):
        callback = await emulator.wait_for_request(lambda r: r.path.endswith(f"{handle.token}/callback"), seconds=10)
        await settle(emulator)
    assert len(emulator.resumes) == 1
    assert callback.status == 404
    assert [request.path for request in handle.requests] == [callback.path], "no second, doomed send"
    (warning,) = warnings_naming(caplog, handle.id)
    assert "10062" in warning.getMessage()
    assert str(alice.id) in warning.getMessage()
    assert problems_logged(caplog) == []


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("POST", r"/callback$", 400, 40060),  # another process already answered it
        ("POST", r"^/webhooks/", 403, 50013),
        ("POST", r"^/webhooks/", 401, 50027),
    ],
)
async def test_expected_discord_errors_on_interactions_are_one_warning_and_no_second_send(
    bot: MuseBot,
    emulator: DiscordEmulator,
    alice: Member,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    status: int,
    code: int,
) -> None:
    emulator.fail_next(method, path, status=status, code=code)
    with caplog.at_level(logging.INFO):
        handle = await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)
        await emulator.wait_for_request(lambda r: handle.token in r.path and r.status == status)
        await settle(emulator)
    failed = [request for request in handle.requests if request.status >= 400]
    assert len(failed) == 1
    assert handle.requests[-1] is failed[0], "nothing is sent after the refusal"
    (warning,) = warnings_naming(caplog, handle.id)
    assert str(code) in warning.getMessage()
    assert problems_logged(caplog) == []


async def test_mention_replies_in_a_channel_the_bot_may_not_post_in(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.deny_in_channel(PERM_SEND_MESSAGES)  # a channel overwrite: the bot may read but not post
    mention = f"<@{emulator.application_id}>"
    with caplog.at_level(logging.INFO):
        await emulator.post_message(mention, author=alice, mention_bot=True)  # the hint
        for _ in range(4):  # three answers, then the cooldown reply
            await emulator.post_message(f"{mention} {HEALTHBENCH}", author=alice, mention_bot=True)
        await emulator.wait_until(lambda: len(emulator.find_requests("POST", "/messages$")) == 5)
        await settle(emulator)
    sends = emulator.find_requests("POST", "/messages$")
    assert [send.status for send in sends] == [403] * 5, "one attempt per message, no second send"
    kinds = sorted(
        "hint" if "Ask me a question" in (send.json.get("content") or "")
        else "cooldown" if (send.json.get("content") or "").startswith("You're asking quickly")
        else "answer" if send.json.get("embeds") else "?"
        for send in sends
    )  # fmt: skip
    assert kinds == ["answer", "answer", "answer", "cooldown", "hint"]
    assert len(warnings_naming(caplog, "50013")) == 5
    assert problems_logged(caplog) == []


# Item 10: interaction tokens live 15 minutes ---------------------------------------------------------------


async def test_the_emulator_expires_tokens_after_15_minutes(
    bot: MuseBot,
    emulator: DiscordEmulator,
    alice: Member,
    service: FakeMuseService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service.ask_seconds = 0.5
    with caplog.at_level(logging.INFO):
        handle = await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)
        assert (await handle.acknowledged()).status == 200
        emulator.clock.advance(15 * 60 + 1)  # the answer comes after the token's life
        followup = await emulator.wait_for_request(lambda r: r.path.startswith("/webhooks/") and handle.token in r.path)
        await settle(emulator)
    assert followup.status == 401
    assert handle.requests[-1] is followup
    assert "50027" in warnings_naming(caplog, handle.id)[0].getMessage()
    assert problems_logged(caplog) == []


async def test_the_pager_clean_up_edits_through_the_latest_clicks_token(
    emulator: DiscordEmulator, settings: BotConfig, alice: Member
) -> None:
    bot, running = await start_bot(emulator, settings, FakeMuseService(sources=25), page_timeout=1.5)
    try:
        first = await emulator.run_slash("sources", user=alice)
        reply = await first.reply()
        emulator.clock.advance(10 * 60)
        next_button = reply.components[0]["components"][1]["custom_id"]
        click = await emulator.click(reply.message, next_button, user=alice)
        assert (await click.reply()).embeds[0]["footer"]["text"].startswith("Page 2 of 3")
        emulator.clock.advance(7 * 60)  # 17 minutes after /sources: its token is dead, the click's is not
        edit = await emulator.wait_for_request(lambda r: r.method == "PATCH" and r.path.endswith("/@original"))
    finally:
        await stop_bot(bot, running)
    assert click.token in edit.path
    assert edit.status == 200
    assert emulator.messages[int(reply.message["id"])]["components"] == []  # the buttons are gone
    assert not [request for request in first.requests if request.status == 401]


# Item 13: gateway faults ------------------------------------------------------------------------------


async def answered(emulator: DiscordEmulator, user: Member) -> None:
    reply = await (await emulator.run_slash("ask", user=user, question=HEALTHBENCH)).reply(seconds=10)
    assert "42.8" in reply.embeds[0]["description"]


async def test_op7_reconnect_is_followed_by_a_resume(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    (session_id,) = emulator.session_ids
    await emulator.send_reconnect()
    await emulator.wait_until(lambda: len(emulator.resumes) == 1 and emulator.is_connected, seconds=10)
    assert emulator.resumes[0]["session_id"] == session_id
    assert len(emulator.identifies) == 1
    await answered(emulator, alice)


async def test_a_resumable_invalid_session_resumes(bot: MuseBot, emulator: DiscordEmulator, alice: Member) -> None:
    await emulator.invalidate_session(resumable=True)
    await emulator.wait_until(lambda: len(emulator.resumes) == 1 and emulator.is_connected, seconds=10)
    assert len(emulator.identifies) == 1
    await answered(emulator, alice)


async def test_a_non_resumable_invalid_session_identifies_again(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member
) -> None:
    await emulator.invalidate_session(resumable=False)
    # discord.py waits 5 s before identifying again, as Discord asks.
    await emulator.wait_until(lambda: len(emulator.identifies) == 2 and emulator.is_connected, seconds=15)
    assert emulator.resumes == []
    await answered(emulator, alice)


async def test_a_zombie_connection_without_heartbeat_acks_is_replaced(
    emulator: DiscordEmulator, settings: BotConfig, alice: Member, caplog: pytest.LogCaptureFixture
) -> None:
    bot, running = await start_bot(emulator, settings, FakeMuseService(), heartbeat_timeout=1.5)
    try:
        zombie = emulator.make_zombie()
        handle = await emulator.run_slash("about", user=alice)  # held back, replayed on the RESUME
        with caplog.at_level(logging.INFO):
            await emulator.wait_until(lambda: len(emulator.resumes) == 1 and emulator.is_connected, seconds=10)
        assert zombie.ws.closed
        assert (await handle.reply(seconds=5)).embeds[0]["title"] == "About musebot"
    finally:
        await stop_bot(bot, running)


async def test_gateway_frames_are_zlib_stream_compressed_and_split(bot: MuseBot, emulator: DiscordEmulator) -> None:
    assert emulator.gateway_queries[0]["compress"] == "zlib-stream"
    (connection,) = emulator.connections
    assert connection.binary_frames == connection.frames > 0
    assert connection.split_payloads >= 1  # READY/GUILD_CREATE span two frames; the client buffered them


async def test_every_response_carries_a_stable_rate_limit_bucket(
    bot: MuseBot, emulator: DiscordEmulator, alice: Member
) -> None:
    emulator.fail_next("POST", r"/callback$", status=429, retry_after=0.3)  # a 429 on the acknowledgement
    handle = await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)
    assert "42.8" in (await handle.reply()).embeds[0]["description"]
    callbacks = [request for request in handle.requests if request.path.endswith("/callback")]
    assert [request.status for request in callbacks] == [429, 200]  # retried within the 3 s
    assert callbacks[0].rate_limit["X-RateLimit-Bucket"] == callbacks[1].rate_limit["X-RateLimit-Bucket"]
    api_calls = [request for request in emulator.requests if not request.path.startswith("/attachments/")]
    assert all("X-RateLimit-Bucket" in request.rate_limit for request in api_calls)
    later = await emulator.run_slash("ask", user=alice, question=HEALTHBENCH)
    await later.reply()
    hashes = {r.rate_limit["X-RateLimit-Bucket"] for r in emulator.requests if r.path.endswith("/callback")}
    assert len(hashes) == 1  # one bucket hash for the route, whatever the interaction


async def test_the_bot_waits_for_an_exhausted_bucket_instead_of_hitting_429(
    emulator: DiscordEmulator, settings: BotConfig
) -> None:
    emulator.rate_limit = (2, 0.5)  # two messages per half second in a channel
    bot, running = await start_bot(emulator, settings, FakeMuseService())
    try:
        users = [emulator.add_member(f"asker{i}") for i in range(4)]
        for user in users:
            await emulator.post_message(f"<@{emulator.application_id}> {HEALTHBENCH}", author=user, mention_bot=True)
        await emulator.wait_until(lambda: len(emulator.find_requests("POST", "/messages$")) == 4, seconds=10)
    finally:
        await stop_bot(bot, running)
    assert [request.status for request in emulator.find_requests("POST", "/messages$")] == [200] * 4


# Item 14: the emulator refuses bodies that Discord's spec does not allow --------------------------------


async def test_a_body_outside_discords_spec_is_refused_and_recorded(emulator: DiscordEmulator) -> None:
    body = {"content": "x" * 4001, "embeds": [{"title": "t", "fields": [{"name": "", "value": "v"}]}], "tts": 1}
    async with aiohttp.ClientSession() as session:
        url = f"{emulator.api_base}/channels/{emulator.channel_id}/messages"
        headers = {"Authorization": f"Bot {emulator.token}"}
        async with session.post(url, json=body, headers=headers) as response:
            status, error = response.status, await response.json()
    assert status == 400
    assert error["code"] == 50035
    assert len(emulator.schema_violations) == 3
    assert any("body.content: 4001 characters" in problem for problem in emulator.schema_violations)
    emulator.schema_violations.clear()  # seen; the fixture checks that nothing else was sent wrongly
