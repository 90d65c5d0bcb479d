"""The request-body checks of the emulator: valid bodies pass, each kind of violation is named."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.discord_app import render
from tests.discord_app import samples
from tests.discord_emulator.schema import check_request

CALLBACK = "/interactions/{interaction_id}/{token}/callback"
FOLLOWUP = "/webhooks/{app_id}/{token}"
EDIT = "/webhooks/{app_id}/{token}/messages/{message_id}"
MESSAGE = "/channels/{channel_id}/messages"
COMMANDS = "/applications/{app_id}/guilds/{guild_id}/commands"
NO_PINGS = {"parse": []}


def test_what_the_renderer_makes_is_valid_everywhere() -> None:
    embeds = [render.render_answer(samples.HEALTHBENCH_ANSWER).to_dict()]
    assert check_request("POST", FOLLOWUP, {"embeds": embeds, "allowed_mentions": NO_PINGS}) == []
    assert check_request("POST", CALLBACK, {"type": 4, "data": {"embeds": embeds, "flags": 64}}) == []
    assert check_request("POST", CALLBACK, {"type": 5, "data": {"flags": 64}}) == []
    assert check_request("PATCH", EDIT, {"components": [], "tts": False}) == []
    reply = {"embeds": embeds, "message_reference": {"message_id": 123, "fail_if_not_exists": False}}
    assert check_request("POST", MESSAGE, reply) == []
    choices = [{"name": "GDPval-AA", "value": "GDPval-AA"}]
    assert check_request("POST", CALLBACK, {"type": 8, "data": {"choices": choices}}) == []


@pytest.mark.parametrize(
    ("method", "route", "body", "problem"),
    [
        ("POST", FOLLOWUP, {"content": "x" * 2001}, "body.content: 2001 characters, more than 2000"),
        ("POST", FOLLOWUP, {"embeds": [{"title": "t" * 257}]}, "body.embeds[0].title: 257 characters"),
        ("POST", FOLLOWUP, {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]},
         "body.embeds: 6001 characters in all, more than 6000"),
        ("POST", FOLLOWUP, {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]},
         "body.embeds[0].fields: 26 items, more than 25"),
        ("POST", FOLLOWUP, {"embeds": [{"fields": [{"name": "", "value": "v"}]}]},
         "body.embeds[0].fields[0].name: shorter than 1 characters"),
        ("POST", FOLLOWUP, {"embeds": [{}] * 11}, "body.embeds: 11 items, more than 10"),
        ("POST", FOLLOWUP, {"allowed_mentions": {"parse": ["everyone", "channels"]}}, "is not one of"),
        ("POST", FOLLOWUP, {"contnet": "typo"}, "body.contnet: not a field of this object"),
        ("POST", CALLBACK, {"type": 3}, "body.type: 3 is not one of"),
        ("POST", CALLBACK, {"type": 8, "data": {"choices": [{"name": "x" * 101, "value": "x"}] * 26}},
         "body.data.choices: 26 items, more than 25"),
        ("POST", CALLBACK, {"type": 7, "data": {"tts": True}}, "body.data.tts: only false is accepted"),
        ("POST", MESSAGE, {"message_reference": {"message_id": "12a"}}, "is not a snowflake"),
        ("POST", MESSAGE, {"message_reference": {}}, "body.message_reference.message_id: required"),
        ("POST", MESSAGE, {"components": [{"type": 1, "components": []}]}, "fewer than 1 items"),
        ("PUT", COMMANDS, [{"name": "x" * 33}], "body[0].name: 33 characters, more than 32"),
        ("PUT", COMMANDS, [{"name": "ask", "options": [{"type": 3, "name": "q", "description": ""}]}],
         "body[0].options[0].description: shorter than 1 characters"),
        ("PUT", COMMANDS, [{"name": "ask", "contexts": []}], "body[0].contexts: fewer than 1 items"),
        ("POST", "/channels/{channel_id}/typing", {"x": 1}, "takes no body"),
    ],
)  # fmt: skip
def test_violations_are_named(method: str, route: str, body: Any, problem: str) -> None:
    problems = check_request(method, route, body)
    assert any(problem in found for found in problems), problems


def test_discord_py_command_payloads_are_valid() -> None:
    @discord.app_commands.command(name="probe")
    @discord.app_commands.guild_only()
    @discord.app_commands.default_permissions(manage_guild=True)
    async def probe(interaction: discord.Interaction, text: str, flag: bool = False) -> None:
        """Probe."""

    tree = discord.app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    tree.add_command(probe)
    assert check_request("PUT", COMMANDS, [command.to_dict(tree) for command in tree.get_commands()]) == []


def test_our_vote_buttons_and_feedback_modal_are_valid() -> None:
    from bot.discord_app.feedback import FeedbackModal, render_vote_view

    view = render_vote_view(123456789012345678)
    assert view is not None
    assert check_request("POST", MESSAGE, {"embeds": [], "components": view.to_components(), "content": "x"}) == []
    modal = FeedbackModal(123456789012345678).to_dict()
    assert check_request("POST", CALLBACK, {"type": 9, "data": modal}) == []


BUTTON = {"type": 2, "style": 2, "emoji": {"name": "👍"}, "custom_id": "a"}


@pytest.mark.parametrize(
    ("components", "problem"),
    [
        ([{"type": 1, "components": [BUTTON | {"custom_id": "x" * 101}]}], "101 characters, more than 100"),
        ([{"type": 1, "components": [BUTTON, BUTTON]}], "custom_id 'a' is used twice"),
        ([{"type": 1, "components": [{"type": 2, "style": 2, "emoji": {"name": "👍"}}]}], "needs a custom_id"),
        ([{"type": 1, "components": [BUTTON | {"style": 5}]}], "a link button has a url and no custom_id"),
        ([{"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "b"}]}], "needs a label or an emoji"),
        ([{"type": 1, "components": [BUTTON] * 6}], "6 items, more than 5"),
    ],
)
def test_button_rules(components: list[dict[str, Any]], problem: str) -> None:
    problems = check_request("POST", MESSAGE, {"content": "x", "components": components})
    assert any(problem in p for p in problems), problems


TEXT_INPUT = {"type": 4, "custom_id": "comment", "style": 1, "required": False}


@pytest.mark.parametrize(
    ("modal", "problem"),
    [
        ({"custom_id": "m", "title": "t" * 46, "components": [{"type": 18, "label": "L", "component": TEXT_INPUT}]},
         "46 characters, more than 45"),
        ({"custom_id": "m", "title": "t", "components": []}, "fewer than 1 items"),
        ({"custom_id": "m", "title": "t", "components": [{"type": 18, "label": "L", "component": TEXT_INPUT}] * 6},
         "6 items, more than 5"),
        ({"custom_id": "m", "title": "t", "components": [{"type": 1, "components": [TEXT_INPUT]}]},
         "label: required"),
        ({"custom_id": "m" * 101, "title": "t", "components": [{"type": 18, "label": "L", "component": TEXT_INPUT}]},
         "101 characters, more than 100"),
        ({"custom_id": "m", "title": "t",
          "components": [{"type": 18, "label": "L", "component": TEXT_INPUT | {"min_length": 9, "max_length": 3}}]},
         "min_length 9 is above max_length 3"),
    ],
)  # fmt: skip
def test_modal_rules(modal: dict[str, Any], problem: str) -> None:
    problems = check_request("POST", CALLBACK, {"type": 9, "data": modal})
    assert any(problem in p for p in problems), problems
