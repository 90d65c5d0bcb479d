"""/reindex: maintainers add or remove articles from Discord; the reply shows what changed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import MusebotError
from bot.discord_app.errors import NotMaintainer
from bot.discord_app.render import NO_MENTIONS, ReindexOutcome, render_choices, render_reindex_outcomes
from bot.discord_app.uploads import UploadError, check_upload

if TYPE_CHECKING:
    from bot.config import BotConfig
    from bot.core.models import ChangeReport
    from bot.core.records import QuestionLoop
    from bot.core.service import MuseApi

log = logging.getLogger(__name__)

# Fetches an article from a URL: returns (bytes, file name). Injected by whoever owns URL fetching.
ArticleFetcher = Callable[[str], Awaitable[tuple[bytes, str]]]


def is_maintainer(user: discord.abc.User, role_ids: Sequence[int], user_ids: Sequence[int]) -> bool:
    if user.id in user_ids:
        return True
    return isinstance(user, discord.Member) and any(user.get_role(role_id) for role_id in role_ids)


def has_manage_server(interaction: discord.Interaction) -> bool:
    """Manage Server in this channel, as Discord resolved it for the interaction (Administrator implies it).

    The command's default permissions only decide who sees it; a server can grant it to anyone in
    Server Settings → Integrations, so it is checked again here.
    """
    permissions = interaction.permissions
    return permissions.administrator or permissions.manage_guild


class ReindexCog(commands.Cog):
    def __init__(
        self,
        service: MuseApi,
        settings: BotConfig,
        fetch_article_url: ArticleFetcher | None,
        question_loop: QuestionLoop | None = None,
    ) -> None:
        from bot.core.records import QuestionLoop

        self.service = service
        self.question_loop = question_loop or QuestionLoop(service, None)
        self.settings = settings
        self.fetch_article_url = fetch_article_url
        self._lock = asyncio.Lock()  # one re-index at a time; the next one waits its turn

    def _is_maintainer(self, interaction: discord.Interaction) -> bool:
        return is_maintainer(interaction.user, self.settings.maintainer_role_ids, self.settings.maintainer_user_ids)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """A maintainer (by role or user id) who also holds Manage Server here, checked at run time."""
        if not self._is_maintainer(interaction):
            log.warning("Refused /reindex for user %s in guild %s", interaction.user.id, interaction.guild_id)
            if not (self.settings.maintainer_role_ids or self.settings.maintainer_user_ids):
                raise NotMaintainer("No maintainers are configured; set MUSEBOT_MAINTAINER_ROLE_IDS to allow /reindex.")
            raise NotMaintainer("Only maintainers can re-index the articles.")
        if not has_manage_server(interaction):
            log.warning(
                "Refused /reindex for maintainer %s in guild %s: no Manage Server", interaction.user.id,
                interaction.guild_id,
            )  # fmt: skip
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    async def article_ids(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        # Autocomplete skips interaction_check: the same rule, or nothing (ids are not for everyone's eyes).
        if not (self._is_maintainer(interaction) and has_manage_server(interaction)):
            return []
        sources = await asyncio.to_thread(self.service.list_sources)
        needle = current.lower()
        return render_choices(
            s.article_id for s in sources if needle in s.article_id.lower() or needle in s.title.lower()
        )

    @app_commands.command(name="reindex")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        file="An article to add or update (.md, .txt or .html)",
        file2="Another article",
        file3="Another article",
        url="A link to an article to fetch and add",
        remove="The id of an article to remove (see /sources)",
        force="Add even if it nearly duplicates an indexed article (identical text is always skipped)",
    )
    @app_commands.autocomplete(remove=article_ids)
    async def reindex(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        file2: discord.Attachment | None = None,
        file3: discord.Attachment | None = None,
        url: app_commands.Range[str, 8, 2000] | None = None,
        remove: app_commands.Range[str, 1, 200] | None = None,
        force: bool = False,
    ) -> None:
        """Add or remove news articles and rebuild the index (maintainers only)."""
        uploads = [attachment for attachment in (file, file2, file3) if attachment is not None]
        refused = self._check_request(uploads, url, remove)
        await interaction.response.defer(ephemeral=True, thinking=True)
        log.info(
            "User %s started /reindex (%d files, url=%s, remove=%r)",
            interaction.user.id,
            len(uploads),
            bool(url),
            remove,
        )
        async with self._lock:
            outcomes = await self._apply(uploads, url, remove, force=force, refused=refused)
        await interaction.followup.send(embeds=render_reindex_outcomes(outcomes), allowed_mentions=NO_MENTIONS)

    def _check_request(self, uploads: list[discord.Attachment], url: str | None, remove: str | None) -> dict[int, str]:
        """Why each refused attachment is refused (by position); raised at once when nothing else is asked."""
        if not (uploads or url or remove):
            raise MusebotError("Attach an article file, give a url, or name an article to remove.")
        if url and self.fetch_article_url is None:
            raise MusebotError("URL fetching is not enabled; download the article and attach it as a file.")
        refused: dict[int, UploadError] = {}
        for position, attachment in enumerate(uploads):
            try:
                check_upload(
                    attachment.filename,
                    attachment.size,
                    attachment.content_type,
                    max_bytes=self.settings.max_upload_bytes,
                )
            except UploadError as error:  # reported beside the good attachments, which still go ahead
                refused[position] = error
        if refused and len(refused) == len(uploads) and not (url or remove):
            raise refused[0]
        return {position: str(error) for position, error in refused.items()}

    async def _apply(
        self,
        uploads: list[discord.Attachment],
        url: str | None,
        remove: str | None,
        *,
        force: bool,
        refused: dict[int, str] | None = None,
    ) -> list[ReindexOutcome]:
        outcomes: list[ReindexOutcome] = []
        if remove:
            ids = [part.strip() for part in remove.split(",") if part.strip()]
            outcomes.append(await self._run(f"remove {', '.join(ids)}", self.service.remove_articles, ids))
        for position, attachment in enumerate(uploads):
            if refused and position in refused:
                outcomes.append((attachment.filename, refused[position]))
                continue
            try:
                data = await attachment.read()
            except discord.HTTPException as exc:
                log.warning("Downloading attachment %r failed: %s", attachment.filename, exc)
                outcomes.append((attachment.filename, "I couldn't download this file from Discord; try again."))
                continue
            if len(data) > self.settings.max_upload_bytes:  # the declared size can lie
                outcomes.append((attachment.filename, "The file is larger than the upload limit."))
                continue
            outcomes.append(await self._run(attachment.filename, self._add, data, attachment.filename, force))
        if url and self.fetch_article_url is not None:
            try:
                data, filename = await self.fetch_article_url(url)
            except MusebotError as error:
                outcomes.append((url, str(error)))
            else:
                outcomes.append(await self._run(url, self._add, data, filename, force))
        return outcomes

    def _add(self, data: bytes, filename: str, force: bool) -> ChangeReport:
        return self.service.add_article_bytes(data, filename, force=force)

    async def _run(self, action: str, work: Callable[..., ChangeReport], *args: object) -> ReindexOutcome:
        """One step off the event loop; a user-facing failure is reported beside the others, bugs propagate."""
        try:
            report = await asyncio.to_thread(work, *args)
        except MusebotError as error:
            return action, str(error)
        return action, await asyncio.to_thread(self.question_loop.after_reindex, report)  # "now answered"
