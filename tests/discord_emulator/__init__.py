"""A loopback Discord (REST + gateway on 127.0.0.1) for driving a real discord.py client in tests."""

from tests.discord_emulator.server import (
    CommandUnavailableError,
    DiscordEmulator,
    InteractionHandle,
    Member,
    RecordedRequest,
    Reply,
    patch_discord_py,
)

__all__ = [
    "CommandUnavailableError",
    "DiscordEmulator",
    "InteractionHandle",
    "Member",
    "RecordedRequest",
    "Reply",
    "patch_discord_py",
]
