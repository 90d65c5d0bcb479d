"""Buttons to turn the pages of a multi-page reply (used by /sources)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import discord

from bot.discord_app.errors import report_interaction_error, send_calm
from bot.discord_app.render import NO_MENTIONS


class PageView(discord.ui.View):
    """◀ / ▶ over pre-rendered embeds; only the person who asked can turn the pages."""

    def __init__(self, pages: Sequence[discord.Embed], *, owner_id: int, timeout: float = 600.0) -> None:
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        self.message: discord.Message | None = None
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

    @discord.ui.button(label="Previous", emoji="◀", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction, button: discord.ui.Button[PageView]) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="Next", emoji="▶", style=discord.ButtonStyle.secondary)
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button[PageView]) -> None:
        await self._show(interaction, self.index + 1)

    async def on_timeout(self) -> None:
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=None)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[PageView]
    ) -> None:
        await report_interaction_error(interaction, error)
