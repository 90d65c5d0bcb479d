"""Buttons to turn the pages of a multi-page reply (used by /sources)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.discord_app.errors import report_interaction_error, send_calm
from bot.discord_app.render import NO_MENTIONS

log = logging.getLogger(__name__)

# An interaction token works for 15 minutes after the interaction. The clean-up at the timeout edits through
# the latest click's token, so a timeout well inside that keeps the edit valid however long the clicking went on.
TOKEN_LIFETIME = 15 * 60.0
PAGE_TIMEOUT = 10 * 60.0


class PageView(discord.ui.View):
    """◀ / ▶ over pre-rendered embeds; only the person who asked can turn the pages."""

    def __init__(
        self,
        pages: Sequence[discord.Embed],
        *,
        owner_id: int,
        interaction: discord.Interaction,
        timeout: float = PAGE_TIMEOUT,
    ) -> None:
        if not 0 < timeout < TOKEN_LIFETIME - 60:
            raise ValueError("the page timeout must end well within an interaction token's 15 minutes")
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.owner_id = owner_id
        # The interaction whose token edits the message: the command's, then each page turn's (a fresh token).
        self.latest = interaction
        self.index = 0
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.previous_page.disabled = self.index == 0
        self.next_page.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await send_calm(interaction, "Only the person who asked can turn these pages; run the command yourself.")
        return False

    async def _show(self, interaction: discord.Interaction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._update_buttons()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self, allowed_mentions=NO_MENTIONS)
        self.latest = interaction

    @discord.ui.button(label="Previous", emoji="◀", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction, button: discord.ui.Button[PageView]) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="Next", emoji="▶", style=discord.ButtonStyle.secondary)
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button[PageView]) -> None:
        await self._show(interaction, self.index + 1)

    async def on_timeout(self) -> None:
        """Remove the buttons, through the latest interaction's token (younger than `timeout`)."""
        try:
            await self.latest.edit_original_response(view=None)
        except discord.HTTPException as exc:
            log.warning("Could not remove the page buttons (interaction %s): %s", self.latest.id, exc)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[PageView]
    ) -> None:
        await report_interaction_error(interaction, error)
