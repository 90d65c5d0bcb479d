"""Builders for the JSON objects Discord sends, shaped as the v10 API documents them."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_counter = itertools.count(1)

# Permission bits used by the tests (https://discord.com/developers/docs/topics/permissions).
PERM_VIEW_CHANNEL = 1 << 10
PERM_SEND_MESSAGES = 1 << 11
PERM_EMBED_LINKS = 1 << 14
PERM_READ_HISTORY = 1 << 16
PERM_ADD_REACTIONS = 1 << 6
PERM_SEND_IN_THREADS = 1 << 38
PERM_USE_APP_COMMANDS = 1 << 31
PERM_MANAGE_GUILD = 1 << 5
PERM_ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = (1 << 54) - 1  # what Discord resolves an Administrator to
MEMBER_PERMISSIONS = (
    PERM_VIEW_CHANNEL | PERM_SEND_MESSAGES | PERM_EMBED_LINKS | PERM_READ_HISTORY | PERM_USE_APP_COMMANDS
)

# Channel and interaction types.
GUILD_TEXT = 0
DM = 1
PUBLIC_THREAD = 11
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5


def new_snowflake(at: float | None = None) -> int:
    """A snowflake for `at` (Unix seconds; default now): milliseconds since the Discord epoch, then a counter."""
    millis = int((time.time() if at is None else at) * 1000) - DISCORD_EPOCH_MS
    return (millis << 22) | (next(_counter) & 0x3FFFFF)


def snowflake_time(snowflake: int) -> float:
    """When a snowflake was made, in Unix seconds: Discord's creation time of the object."""
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


def snowflake_on_shard(shard_id: int, shard_count: int) -> int:
    """A guild id that Discord routes to `shard_id` of `shard_count` ((id >> 22) % count)."""
    millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
    millis -= millis % shard_count - shard_id
    return (millis << 22) | (next(_counter) & 0x3FFFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


def user_payload(user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": username,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def role_payload(role_id: int, name: str, *, position: int = 1, permissions: int = 0) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": True,
        "flags": 0,
    }


def member_payload(
    user: dict[str, Any], role_ids: list[int], *, permissions: int | None = None, with_user: bool = True
) -> dict[str, Any]:
    """A guild member; in MESSAGE_CREATE the member comes without its user (that is the author)."""
    data: dict[str, Any] = {
        "nick": None,
        "avatar": None,
        "roles": [str(role_id) for role_id in role_ids],
        "joined_at": iso_now(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
    }
    if with_user:
        data["user"] = user
    if permissions is not None:  # only interaction payloads carry the member's resolved permissions
        data["permissions"] = str(permissions)
    return data


def text_channel_payload(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    position: int = 0,
    overwrites: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": GUILD_TEXT,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": list(overwrites or []),
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
    }


def thread_payload(thread_id: int, parent_id: int, guild_id: int, name: str, owner_id: int) -> dict[str, Any]:
    """A public thread started from a message: it has that message's id."""
    return {
        "id": str(thread_id),
        "type": PUBLIC_THREAD,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": iso_now(),
            "locked": False,
            "invitable": True,
            "create_timestamp": iso_now(),
        },
    }


def dm_channel_payload(channel_id: int, recipient: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(channel_id), "type": DM, "last_message_id": None, "recipients": [recipient], "flags": 0}


def attachment_payload(
    attachment_id: int, filename: str, size: int, url: str, content_type: str | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
    }
    if content_type is not None:
        data["content_type"] = content_type
    return data


def message_payload(
    *,
    message_id: int,
    channel_id: int,
    author: dict[str, Any],
    content: str = "",
    guild_id: int | None = None,
    member: dict[str, Any] | None = None,
    mentions: list[dict[str, Any]] | None = None,
    mention_roles: list[int] | None = None,
    mention_everyone: bool = False,
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    flags: int = 0,
    message_reference: dict[str, Any] | None = None,
    referenced_message: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    webhook_id: int | None = None,
    application_id: int | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "type": 19 if message_reference else 0,
        "content": content,
        "author": author,
        "attachments": attachments or [],
        "embeds": embeds or [],
        "components": components or [],
        "mentions": mentions or [],
        "mention_roles": [str(role_id) for role_id in mention_roles or []],
        "mention_everyone": mention_everyone,
        "pinned": False,
        "tts": False,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if member is not None:
        data["member"] = member
    if message_reference is not None:
        data["message_reference"] = message_reference
    if referenced_message is not None:
        data["referenced_message"] = referenced_message
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    if application_id is not None:
        data["application_id"] = str(application_id)
    return data


def application_payload(app_id: int, owner: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "id": str(app_id),
        "name": name,
        "icon": None,
        "description": "",
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": owner,
        "verify_key": "0" * 64,
        "team": None,
        "flags": 0,
        "summary": "",
        "interactions_endpoint_url": None,
        "rpc_origins": [],
    }
