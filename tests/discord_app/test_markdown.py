"""Hostile article text reaches Discord inert: no live Markdown, links, tags or mentions, no direction tricks.

`read_as_discord` is a small model of how Discord reads message text: a backslash before punctuation shows
that character as is, `<https://…>` is a link without a preview, and anything else that starts Markdown is
live. Escaped text must read back as exactly the article's text, with nothing live in it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import discord
import pytest

from bot.core.models import Answer, BenchmarkTable, ChangeReport, Comparison, ModelTable, ScoreRow, SourceRef
from bot.discord_app import render
from bot.discord_app.markdown import UNSAFE_CHARACTERS_RE, escape_markdown, strip_unsafe_characters
from tests.discord_app import samples

_LINE_MARKUP_RE = re.compile(r"[ \t]*(#|-#|>|[-+*]\s|\d+[.)]\s)")
_ANGLE_LINK_RE = re.compile(r"<(https?://[^\s>]+)>")
_BARE_URL_RE = re.compile(r"https?://")

HOSTILE_ARTICLE_TEXT = [
    "[https://good.example](http://evil.example)",
    "[a](https://x.example) the gap **bold** ||spoiler|| `code` [b](https://y.example)",
    "see [1](https://evil.example) and [docs](<https://evil.example/quiet>)",
    "```py\nprint('hi')\n```",
    "# Heading\n## Second\n### Third\n-# subtext\n> quote\n>>> block quote",
    "- item\n+ item\n* item\n1. first\n  2) second",
    "@everyone @here <@123456789012345678> <@!1> <#456> <@&789> </ask:1>",
    "<:musespark:1234> <a:dance:5678> <t:1712577600:R> <id:customize>",
    "__underline__ ~~strike~~ *italic* _italic_ \\*not escaped twice\\*",
    "prices https://example.com/a_b_c?x=1&y=*2* and (https://example.com/paren). end",
    "mid-line # not a heading, 3 - 2 = 1, a > b, 1.5 points",
]


def read_as_discord(text: str) -> tuple[str, list[str]]:
    """(what a reader sees, the Markdown Discord would act on) for message or embed description text."""
    live: list[str] = []
    for number, line in enumerate(text.split("\n")):
        if _LINE_MARKUP_RE.match(line):
            live.append(f"line {number} starts with markup: {line[:20]!r}")
    seen: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and not text[index + 1].isalnum() and not text[index + 1].isspace():
            seen.append(text[index + 1])
            index += 2
            continue
        if char == "<" and (link := _ANGLE_LINK_RE.match(text, index)):
            seen.append(link.group(1))
            index = link.end()
            continue
        if char in "*_~|`<":
            live.append(f"{char!r} at {index}: {text[max(0, index - 10) : index + 10]!r}")
        elif char == "(" and index and text[index - 1] == "]":
            live.append(f"masked link at {index}: {text[max(0, index - 20) : index + 20]!r}")
        elif _BARE_URL_RE.match(text, index):
            live.append(f"bare URL at {index} (it would unfurl): {text[index : index + 30]!r}")
        seen.append(char)
        index += 1
    return "".join(seen).replace("\u200b", ""), live


@pytest.mark.parametrize("text", HOSTILE_ARTICLE_TEXT)
def test_escaped_article_text_reads_back_as_written_with_nothing_live(text: str) -> None:
    escaped = render.clean_text(text)
    shown, live = read_as_discord(escaped)
    assert live == [], escaped
    assert shown == text


def test_the_masked_link_shows_both_addresses_for_what_they_are() -> None:
    escaped = escape_markdown("[https://good.example](http://evil.example)")
    assert escaped == "[<https://good.example>]\\(<http://evil.example>)"


def test_urls_are_kept_whole_and_unescaped_inside() -> None:
    escaped = escape_markdown("read https://example.com/a_b*c~d. Then")
    assert "<https://example.com/a_b*c~d>" in escaped
    assert escaped.endswith(". Then")


def test_the_reader_catches_what_discord_py_leaves_live() -> None:
    # The gap that motivated our own escaping: text between two links on one line stays live.
    text = HOSTILE_ARTICLE_TEXT[1]
    assert read_as_discord(discord.utils.escape_markdown(text))[1]


def test_titles_and_field_names_escape_urls_as_text() -> None:
    title = render.clean_title("**Muse** [x](https://evil.example) ||s||")
    assert "<https://" not in title
    assert "\\*\\*Muse\\*\\*" in title
    assert "]\\(" in title


def test_answer_embed_keeps_hostile_quotes_and_text_inert() -> None:
    hostile = " ".join(text.replace("\n", " ") for text in HOSTILE_ARTICLE_TEXT)
    cited = samples.citation(1, samples.VERGE, hostile)
    answer = Answer(question="Q?", text=f"{hostile} [1].", citations=(cited,), build_id="b")
    embed = render.render_answer(answer).to_dict()
    assert read_as_discord(embed["description"])[1] == []
    link, quote = embed["fields"][0]["value"].split("\n> ", 1)
    assert link == "[The Verge](https://example.com/verge)"  # our own masked link to the article
    assert read_as_discord(quote.removesuffix(render.ELLIPSIS))[1] == []


def test_a_title_that_is_an_address_never_masks_another() -> None:
    source = SourceRef("a", "https://good.example", "Outlet", "https://evil.example/x", "2026-04-08")
    (page,) = render.render_source_pages([source])
    line = page.description or ""
    assert "[https://good.example](" not in line
    assert "<https://evil.example/x>" in line  # the true address is shown


# Direction-control and other unsafe characters ------------------------------------------------------------

BIDI = "\u202e\u2066\u200f\u061c\x85"


def _every_text(value: Any) -> str:
    if isinstance(value, discord.Embed):
        return json.dumps(value.to_dict(), ensure_ascii=False)
    if isinstance(value, list):
        return "".join(_every_text(item) for item in value)
    if isinstance(value, discord.app_commands.Choice):
        return value.name + str(value.value)
    return str(value)


def test_direction_controls_never_reach_discord_output() -> None:
    def spiked(text: str) -> str:
        return f"{BIDI}{text}{BIDI}"

    source = SourceRef(spiked("src"), spiked("Title"), spiked("Outlet"), "https://example.com/a", spiked("2026-04-08"))
    cited = samples.citation(1, source, spiked("a quote"))
    fact = samples.fact(spiked("Bench"), spiked("Model"), "42.8", source, unit=spiked("pts"), qualifier=spiked("q"))
    row = ScoreRow(label=spiked("Model"), facts=(fact,), is_conflict=False)
    outputs = [
        render.render_answer(Answer(spiked("Q?"), spiked("Text [1]."), (cited,), build_id=spiked("b"))),
        render.render_abstention(Answer(spiked("Q?"), "", (), abstained=True, closest_topic=spiked("t"))),
        render.render_benchmark_table(BenchmarkTable(spiked("Bench"), (row,), (source,))),
        render.render_model_table(ModelTable(spiked("Model"), (row,), (source,))),
        render.render_comparison(Comparison(spiked("A"), spiked("B"), (), (row,), (row,), (source,))),
        render.render_source_pages([source]),
        render.render_about(dataclasses.replace(samples.STATS, build_id=spiked("b"), model_id=spiked("m")), "1"),
        render.render_reindex_outcomes(
            [
                (spiked("file.md"), ChangeReport(build_id=spiked("b"), added=(spiked("id"),))),
                (spiked("x"), spiked("why")),
            ]
        ),
        render.render_notice(spiked("notice")),
        render.render_choices([spiked("GDPval-AA")]),
    ]
    for output in outputs:
        text = _every_text(output)
        assert not UNSAFE_CHARACTERS_RE.search(text), text


def test_strip_unsafe_characters_keeps_ordinary_text() -> None:
    assert strip_unsafe_characters("Muse\u202e Spark\tscored\n42.8 — über") == "Muse Spark\tscored\n42.8 — über"
