"""/benchmark, /model and /compare: benchmark scores as the articles report them, with autocomplete."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.render import (
    NO_MENTIONS,
    render_benchmark_table,
    render_choices,
    render_comparison,
    render_model_table,
)

if TYPE_CHECKING:
    from bot.core.service import MuseApi

log = logging.getLogger(__name__)

Name = app_commands.Range[str, 1, 100]
CHART_FILE = "chart.png"
CHART_HELP = "Also draw the scores as a bar chart"


async def send_with_chart(
    interaction: discord.Interaction, embed: discord.Embed, draw: Callable[[], bytes] | None
) -> None:
    """The table's embed, with the chart as its image when one was asked for and fits Discord's upload limit."""
    if draw is None:
        await interaction.followup.send(embed=embed, allowed_mentions=NO_MENTIONS)
        return
    png = await asyncio.to_thread(draw)
    if len(png) > interaction.filesize_limit:
        log.warning("A chart of %d bytes is over the upload limit of %d", len(png), interaction.filesize_limit)
        embed.set_footer(text=f"{embed.footer.text or ''} · the chart was too large to attach".strip(" ·"))
        await interaction.followup.send(embed=embed, allowed_mentions=NO_MENTIONS)
        return
    embed.set_image(url=f"attachment://{CHART_FILE}")
    file = discord.File(io.BytesIO(png), filename=CHART_FILE, description="Bar chart of the scores in the table")
    await interaction.followup.send(embed=embed, file=file, allowed_mentions=NO_MENTIONS)


class LookupsCog(commands.Cog):
    def __init__(self, service: MuseApi) -> None:
        self.service = service

    async def _complete(self, current: str, kind: str) -> list[app_commands.Choice[str]]:
        return render_choices(await asyncio.to_thread(self.service.complete_names, current, kind))

    async def benchmark_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._complete(current, "benchmark")

    async def model_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._complete(current, "model")

    @app_commands.command(name="benchmark")
    @app_commands.describe(name="A benchmark named in the articles, e.g. HealthBench Hard", chart=CHART_HELP)
    @app_commands.autocomplete(name=benchmark_names)
    async def benchmark(self, interaction: discord.Interaction, name: Name, chart: bool = False) -> None:
        """Every model's score on one benchmark, as the articles report it, with sources."""
        await interaction.response.defer(thinking=True)
        table = await asyncio.to_thread(self.service.benchmark_table, name)
        from bot.core.charts import render_benchmark_chart

        draw = (lambda: render_benchmark_chart(table)) if chart else None
        await send_with_chart(interaction, render_benchmark_table(table), draw)

    @app_commands.command(name="model")
    @app_commands.describe(name="A model named in the articles, e.g. Muse Spark")
    @app_commands.autocomplete(name=model_names)
    async def model(self, interaction: discord.Interaction, name: Name) -> None:
        """Every benchmark score the articles report for one model, with sources."""
        await interaction.response.defer(thinking=True)
        table = await asyncio.to_thread(self.service.model_table, name)
        await interaction.followup.send(embed=render_model_table(table), allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="compare")
    @app_commands.describe(
        a="The first model, e.g. Muse Spark", b="The model to compare it with, e.g. GPT-5.4", chart=CHART_HELP
    )
    @app_commands.autocomplete(a=model_names, b=model_names)
    async def compare(self, interaction: discord.Interaction, a: Name, b: Name, chart: bool = False) -> None:
        """Two models side by side on the benchmarks the articles report for both."""
        await interaction.response.defer(thinking=True)
        comparison = await asyncio.to_thread(self.service.compare_models, a, b)
        from bot.core.charts import render_comparison_chart

        draw = (lambda: render_comparison_chart(comparison)) if chart else None
        await send_with_chart(interaction, render_comparison(comparison), draw)
