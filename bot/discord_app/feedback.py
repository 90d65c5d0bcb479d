"""👍 / 👎 under every answer: persistent buttons whose custom ids carry the record id, and the 👎 comment modal.

The buttons are `DynamicItem`s: discord.py matches a click's custom id against the template, whenever the
message was sent, so they work after a restart with nothing kept in memory. Votes go to the question log
through the QuestionLoop (one per user per answer; a new vote replaces the old).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app.errors import report_interaction_error
from bot.discord_app.render import NO_MENTIONS

if TYPE_CHECKING:
    from bot.core.records import QuestionLoop

log = logging.getLogger(__name__)

VOTE_PREFIX = "musebot:vote"
VOTE_TEMPLATE = re.compile(rf"^{VOTE_PREFIX}:(?P<vote>up|down):(?P<record>[0-9]{{1,19}})$")
FEEDBACK_PREFIX = "musebot:feedback"
COMMENT_MAX = 200
SAVE_WAIT_SECONDS = 2.0  # an interaction must be answered within 3 s; the log gets 2 of them

THANKS_UP = "Thanks, noted 👍"
THANKS_DOWN = "Thanks, noted 👎. Maintainers see it in /report."
NOT_LOGGED = "That answer isn't in the question log (recording is off, or it has expired), so the vote wasn't kept."
NOT_SAVED = "I couldn't save your vote just now; please try again later."


def vote_custom_id(vote: str, record_id: int) -> str:
    return f"{VOTE_PREFIX}:{vote}:{record_id}"


def _question_loop(interaction: discord.Interaction) -> QuestionLoop:
    return interaction.client.question_loop  # type: ignore[attr-defined]


async def save_vote(loop: QuestionLoop, record_id: int, user_id: int, vote: int, comment: str = "") -> str:
    """Store the vote off the event loop; the sentence to show the voter."""
    future = loop.save_vote(record_id, user_id, vote, comment)
    try:
        stored = await asyncio.wait_for(asyncio.wrap_future(future), SAVE_WAIT_SECONDS)
    except TimeoutError:
        log.warning("Saving a vote on record %s took longer than %.0f s", record_id, SAVE_WAIT_SECONDS)
        return NOT_SAVED
    if stored is None:
        return NOT_SAVED
    if not stored:
        return NOT_LOGGED
    return THANKS_UP if vote > 0 else THANKS_DOWN


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=VOTE_TEMPLATE):
    def __init__(self, vote: str, record_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                emoji="👍" if vote == "up" else "👎",
                custom_id=vote_custom_id(vote, record_id),
            )
        )
        self.vote = vote
        self.record_id = record_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(match["vote"], int(match["record"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            loop = _question_loop(interaction)
            if self.vote == "down":
                # The 👎 counts even if the comment box is dismissed; a comment replaces it with the same vote.
                loop.save_vote(self.record_id, interaction.user.id, -1)
                await interaction.response.send_modal(FeedbackModal(self.record_id))
                return
            text = await save_vote(loop, self.record_id, interaction.user.id, 1)
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except Exception as error:  # noqa: BLE001 - the one error policy decides what to say and logs bugs
            await report_interaction_error(interaction, error)


class FeedbackModal(discord.ui.Modal):
    """What was wrong, in one optional line."""

    def __init__(self, record_id: int) -> None:
        super().__init__(title="What was wrong with this answer?", custom_id=f"{FEEDBACK_PREFIX}:{record_id}",
                         timeout=15 * 60)  # fmt: skip
        self.record_id = record_id
        self.comment: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            style=discord.TextStyle.short,
            custom_id="comment",
            required=False,
            max_length=COMMENT_MAX,
            placeholder="Optional, e.g. the number is from the wrong article",
        )
        self.add_item(discord.ui.Label(text="Comment (optional)", component=self.comment))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        comment = " ".join((self.comment.value or "").split())
        text = await save_vote(_question_loop(interaction), self.record_id, interaction.user.id, -1, comment)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    # discord.py's Modal.on_error drops BaseView.on_error's `item` the same way (its stubs ignore it too).
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_interaction_error(interaction, error)


def render_vote_view(record_id: int | None) -> discord.ui.View | None:
    """The 👍 / 👎 row for a recorded answer; None when it was not recorded (nothing to vote on)."""
    if record_id is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton("up", record_id))
    view.add_item(VoteButton("down", record_id))
    return view
