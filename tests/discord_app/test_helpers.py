"""The small pure pieces of the adapter: mention stripping, upload checks, cooldowns, the error policy."""

from __future__ import annotations

import pytest
from discord import app_commands

from bot.core.errors import MusebotError
from bot.core.facts import UnknownNameError
from bot.discord_app.cogs.ask import question_from_message
from bot.discord_app.cooldowns import UserCooldown
from bot.discord_app.errors import NotMaintainer, describe_error
from bot.discord_app.uploads import UploadError, check_upload


def test_question_from_message_strips_every_form_of_the_bots_mention() -> None:
    assert question_from_message("<@42> how did  Muse Spark\ndo? <@!42>", 42) == "how did Muse Spark do?"
    assert question_from_message("<@7> hi <@42>", 42) == "<@7> hi"


@pytest.mark.parametrize(
    ("filename", "size", "content_type", "message"),
    [
        ("a.pdf", 10, "application/pdf", "a.pdf is not an article file; attach .md, .txt or .html files."),
        ("a.md", 101, "text/markdown", "a.md is 101 bytes; the limit is 100 bytes."),
        ("a.md", 0, "text/markdown", "a.md is empty."),
        ("a.html", 10, "image/png", "a.html was sent as image/png, not as text; attach a .md, .txt or .html file."),
    ],
)
def test_check_upload_refuses(filename: str, size: int, content_type: str, message: str) -> None:
    with pytest.raises(UploadError) as caught:
        check_upload(filename, size, content_type, max_bytes=100)
    assert str(caught.value) == message


@pytest.mark.parametrize("content_type", [None, "text/plain", "text/markdown; charset=utf-8", "text/html"])
def test_check_upload_accepts_articles(content_type: str | None) -> None:
    check_upload("Article.HTM", 100, content_type, max_bytes=100)


def test_cooldown_allows_rate_then_counts_down() -> None:
    cooldown = UserCooldown(rate=2, per=30)
    assert cooldown.retry_after(1) is None
    assert cooldown.retry_after(1) is None
    wait = cooldown.retry_after(1)
    assert wait is not None
    assert 29 < wait <= 30
    assert cooldown.retry_after(2) is None  # per user
    with pytest.raises(app_commands.CommandOnCooldown):
        cooldown.check(1)


def test_cooldown_zero_seconds_is_off() -> None:
    cooldown = UserCooldown(rate=1, per=0)
    assert all(cooldown.retry_after(1) is None for _ in range(10))


class _SuggestingError(MusebotError):
    suggestions = ("GDPval-AA", "GPQA Diamond")


def test_describe_error_policy() -> None:
    assert describe_error(MusebotError("Try again later.")) == "Try again later."
    assert describe_error(_SuggestingError("No benchmark called 'gdp'.")) == (
        "No benchmark called 'gdp'. Did you mean: GDPval-AA, GPQA Diamond?"
    )
    real = UnknownNameError("gdp", "benchmark", suggestions=("GDPval-AA",))
    assert describe_error(app_commands.CommandInvokeError(_command(), real)) == str(real)
    assert str(real).count("GDPval-AA") == 1
    assert describe_error(NotMaintainer("Only maintainers can re-index the articles.")).startswith("Only maintainers")
    assert describe_error(app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 4.2)) == (
        "You're asking quickly — try again in 5 s."
    )
    assert describe_error(app_commands.CheckFailure()) == "You can't use this command here."
    assert describe_error(RuntimeError("boom")) is None
    assert describe_error(KeyError("x")) is None


def _command() -> app_commands.Command:
    @app_commands.command()
    async def probe(interaction) -> None:  # type: ignore[no-untyped-def]
        """Probe."""

    return probe
