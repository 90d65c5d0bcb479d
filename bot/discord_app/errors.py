"""The one place where an exception becomes what the user reads (a calm sentence) and what the log keeps.

`CommandTree.on_error` (client.py), the paginator's `View.on_error` and the mention listener all come here.
Errors the user can act on (a `MusebotError`, a failed check, a cooldown) get their own sentence,
ephemerally; anything else is a bug: the user gets `GENERIC_FAILURE` and the log gets the traceback with
the command, user, guild and interaction ids. A traceback never reaches Discord.

Some Discord errors are conditions of the service, not bugs (`EXPECTED_DISCORD_CODES`): the interaction was
acknowledged too late or twice, the bot may not post in the channel, or the token's 15 minutes are over.
Nothing more can be sent for them, so they get one WARNING with the ids and no second, doomed send.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands

from bot.core.errors import MusebotError
from bot.discord_app.render import NO_MENTIONS, render_cooldown, render_notice

log = logging.getLogger(__name__)

GENERIC_FAILURE = "Something went wrong on my side; it has been logged."

EXPECTED_DISCORD_CODES = {
    10015: "unknown webhook",
    10062: "unknown interaction: not acknowledged within 3 seconds of the user's action",
    40060: "interaction already acknowledged",
    50013: "missing permissions in this channel",
    50027: "interaction token expired (they last 15 minutes)",
}


class NotMaintainer(app_commands.CheckFailure):
    """The user may not re-index: shown to them as is."""


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__:
        error = error.__cause__
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    return error


def expected_discord_error(error: BaseException) -> discord.HTTPException | None:
    """The Discord error behind `error` when it is an expected condition (see EXPECTED_DISCORD_CODES), else None."""
    error = _unwrap(error)
    if isinstance(error, discord.HTTPException) and error.code in EXPECTED_DISCORD_CODES:
        return error
    return None


def _describe_discord_error(error: discord.HTTPException) -> str:
    return f"{EXPECTED_DISCORD_CODES[error.code]} (Discord error {error.code}, HTTP {error.status})"


def _musebot_message(error: MusebotError) -> str:
    text = str(error).strip() or GENERIC_FAILURE
    suggestions = [str(name) for name in getattr(error, "suggestions", ()) or ()]
    if suggestions and not all(name in text for name in suggestions[:5]):
        text += " Did you mean: " + ", ".join(suggestions[:5]) + "?"
    return text


def describe_error(error: BaseException) -> str | None:
    """The sentence for an error the user can act on, or None when it is a bug (to log and apologise for)."""
    error = _unwrap(error)
    if isinstance(error, MusebotError):
        return _musebot_message(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return render_cooldown(error.retry_after)
    if isinstance(error, NotMaintainer):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions):
        return "You need the Manage Server permission to use this command."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server, not in direct messages."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    if isinstance(error, app_commands.TransformerError):
        return "I couldn't use one of the values you gave; please check it and try again."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "That command was just updated; please try again in a minute."
    return None


def _command_name(interaction: discord.Interaction) -> str:
    if interaction.command is not None:
        return interaction.command.qualified_name
    data: Mapping[str, object] = interaction.data or {}
    return str(data.get("name") or data.get("custom_id") or interaction.type.name)


async def send_calm(interaction: discord.Interaction, text: str) -> None:
    """One ephemeral sentence, whether or not the interaction was already deferred or answered."""
    content = render_notice(text)
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(content, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        if interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            # A public "thinking…" placeholder would turn the sentence public: remove it first.
            with contextlib.suppress(discord.HTTPException):
                await interaction.delete_original_response()
        await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("Could not send an error reply to interaction %s: %s", interaction.id, exc)


async def report_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user what happened in one calm sentence; log bugs with their traceback and ids."""
    original = _unwrap(error)
    command = _command_name(interaction)
    if (discord_error := expected_discord_error(original)) is not None:
        log.warning(
            "Command %s could not be answered (user %s, guild %s, channel %s, interaction %s): %s",
            command,
            interaction.user.id,
            interaction.guild_id,
            interaction.channel_id,
            interaction.id,
            _describe_discord_error(discord_error),
        )
        return
    message = describe_error(original)
    if message is None:
        log.error(
            "Command %s failed (user %s, guild %s, interaction %s)",
            command,
            interaction.user.id,
            interaction.guild_id,
            interaction.id,
            exc_info=(type(original), original, original.__traceback__),
        )
        message = GENERIC_FAILURE
    else:
        log.info("Command %s refused for user %s: %s", command, interaction.user.id, type(original).__name__)
    if interaction.type is discord.InteractionType.autocomplete:
        return  # nothing can be said to the user while they type
    await send_calm(interaction, message)


async def report_message_error(message: discord.Message, error: BaseException) -> None:
    """The same policy for a question asked by mention or DM: a reply with one sentence."""
    if (discord_error := expected_discord_error(error)) is not None:
        log.warning(
            "Could not reply to message %s (user %s, guild %s, channel %s): %s",
            message.id,
            message.author.id,
            message.guild.id if message.guild else None,
            message.channel.id,
            _describe_discord_error(discord_error),
        )
        return
    text = describe_error(error)
    if text is None:
        log.error(
            "Answering a message failed (user %s, guild %s, message %s)",
            message.author.id,
            message.guild.id if message.guild else None,
            message.id,
            exc_info=(type(error), error, error.__traceback__),
        )
        text = GENERIC_FAILURE
    try:
        await reply_to(message, content=render_notice(text))
    except discord.HTTPException as exc:
        log.warning("Could not send an error reply to message %s: %s", message.id, exc)


async def reply_to(message: discord.Message, **send: Any) -> discord.Message:
    """Reply without pinging anyone (not even the asker); still sent if their message was deleted meanwhile."""
    reference = message.to_reference(fail_if_not_exists=False)
    return await message.channel.send(reference=reference, allowed_mentions=NO_MENTIONS, **send)
