"""render.py: every Discord limit holds for realistic and hostile, huge inputs; nothing is cut mid-token."""

from __future__ import annotations

import dataclasses
import random
import re

import discord
import pytest

from bot.core.models import Answer, BenchmarkTable, ChangeReport, Citation, IndexStats, ScoreRow, SourceRef
from bot.discord_app import render
from tests.discord_app import samples

RAW_MENTION_RE = re.compile(r"@(everyone|here)|<@[!&]?\d+>")
BROKEN_MARKER_RE = re.compile(r"\[\d+(?![\d\]])")


def embed_texts(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    texts = [data.get("title", ""), data.get("description", ""), data.get("footer", {}).get("text", "")]
    for item in data.get("fields", []):
        texts += [item["name"], item["value"]]
    return [text for text in texts if text]


def assert_within_limits(embeds: list[discord.Embed]) -> None:
    assert 1 <= len(embeds) <= render.EMBEDS_PER_MESSAGE
    assert sum(len(embed) for embed in embeds) <= render.EMBED_TOTAL_LIMIT
    for embed in embeds:
        data = embed.to_dict()
        assert len(data.get("title", "")) <= render.TITLE_LIMIT
        assert len(data.get("description", "")) <= render.DESCRIPTION_LIMIT
        assert len(data.get("footer", {}).get("text", "")) <= render.FOOTER_LIMIT
        assert len(data.get("fields", [])) <= render.FIELD_COUNT_LIMIT
        for item in data.get("fields", []):
            assert 1 <= len(item["name"]) <= render.FIELD_NAME_LIMIT, item["name"]
            assert 1 <= len(item["value"]) <= render.FIELD_VALUE_LIMIT, item["value"]
        for text in embed_texts(embed):
            assert not RAW_MENTION_RE.search(text), text
            assert "\x00" not in text


def assert_clean_cut(original: str, shortened: str) -> None:
    """A prefix of the original (plus an ellipsis) that ends outside any number, marker or escape."""
    if shortened == original:
        return
    assert shortened.endswith(render.ELLIPSIS)
    kept = shortened[: -len(render.ELLIPSIS)]
    assert original.startswith(kept)
    cut = len(kept)
    for match in re.finditer(r"\[\d+\]|\d[\d,.]*", original):
        assert not match.start() < cut < match.end(), (original[match.start() : match.end()], kept[-20:])
    assert (len(kept) - len(kept.rstrip("\\"))) % 2 == 0, "a lone escaping backslash was left at the end"


# shorten ------------------------------------------------------------------------------------------------


def test_shorten_leaves_short_text_alone() -> None:
    assert render.shorten("Muse Spark scored 42.8 [1].", 100) == "Muse Spark scored 42.8 [1]."


def test_shorten_prefers_a_sentence_end_after_its_marker() -> None:
    text = "Muse Spark scored 42.8 on HealthBench Hard [1]. It beat GPT-5.4 by 2.7 points on the same test [2]."
    shortened = render.shorten(text, 70, sentences=True)
    assert shortened == "Muse Spark scored 42.8 on HealthBench Hard [1]." + render.ELLIPSIS


def test_shorten_never_splits_a_number_or_a_marker() -> None:
    text = "Scores: 1,444,000.25 [12] and 80.5% [3]"
    for limit in range(1, len(text) + 1):
        shortened = render.shorten(text, limit)
        assert len(shortened) <= limit
        assert_clean_cut(text, shortened)


def test_shorten_does_not_leave_a_dangling_escape() -> None:
    text = render.clean_text("a*b*c*d*e*f*g*h*i*j*k")
    for limit in range(2, len(text)):
        assert_clean_cut(text, render.shorten(text, limit))


def test_shorten_gives_nothing_when_even_the_ellipsis_does_not_fit() -> None:
    assert render.shorten("abc", 0) == ""


@pytest.mark.parametrize("seed", range(25))
def test_shorten_fuzz(seed: int) -> None:
    rng = random.Random(seed)
    tokens = ["Muse", "Spark", "1,444", "42.8", "80.5%", "[1]", "[23]", ".", "\n", "**", "\\*", "9" * 40, " ", " "]
    text = "".join(rng.choice(tokens) + rng.choice(["", " "]) for _ in range(rng.randint(5, 400)))
    for limit in rng.sample(range(1, 2000), 30):
        shortened = render.shorten(text, limit, sentences=rng.random() < 0.5)
        assert len(shortened) <= limit
        assert_clean_cut(text, shortened)


# text safety --------------------------------------------------------------------------------------------


def test_clean_text_escapes_markdown_and_neutralises_mentions() -> None:
    cleaned = render.clean_text(samples.HOSTILE)
    assert not RAW_MENTION_RE.search(cleaned)
    assert "\\*\\*bold\\*\\*" in cleaned
    assert "\x00" not in cleaned
    assert "https://evil.example/x" in cleaned  # links are left readable


def test_render_notice_neutralises_mentions_and_fits_content() -> None:
    notice = render.render_notice("@everyone look <@&123> " + "x" * 5000)
    assert len(notice) <= render.CONTENT_LIMIT
    assert not RAW_MENTION_RE.search(notice)


def test_render_cooldown_rounds_up() -> None:
    assert render.render_cooldown(0.2) == "You're asking quickly — try again in 1 s."
    assert render.render_cooldown(7.01) == "You're asking quickly — try again in 8 s."


def test_render_choices_respects_autocomplete_limits() -> None:
    names = ["GDPval-AA", "GDPval-AA", "", "x" * 300, *[f"Bench {i}" for i in range(40)]]
    choices = render.render_choices(names)
    assert len(choices) == 25
    assert [choice.name for choice in choices[:2]] == ["GDPval-AA", "x" * 100]
    assert all(1 <= len(choice.name) <= 100 and choice.value == choice.name for choice in choices)


# answers --------------------------------------------------------------------------------------------------


def test_answer_embed_shows_markers_sources_and_build() -> None:
    embed = render.render_answer(samples.HEALTHBENCH_ANSWER)
    assert_within_limits([embed])
    assert embed.title == "How did Muse Spark do on HealthBench Hard?"
    assert "42.8" in embed.description
    assert "[1]" in embed.description
    assert "[2]" in embed.description
    names = [field.name for field in embed.fields]
    assert names == ["[1] Meta unveils Muse Spark", "[2] Inside Muse Spark"]
    assert embed.fields[0].value.startswith("[The Verge](https://example.com/verge)\n> On HealthBench Hard")
    assert "20260410T120000Z-abc123" in embed.footer.text


def test_answer_embed_marks_conflicts() -> None:
    answer = dataclasses.replace(samples.HEALTHBENCH_ANSWER, conflicts=(samples.CONFLICT,))
    embed = render.render_answer(answer)
    conflict = next(field for field in embed.fields if "disagree" in field.name)
    assert "1,444 Elo" in conflict.value
    assert "1,427 Elo" in conflict.value


def test_abstention_is_a_calm_plain_embed() -> None:
    embed = render.render_answer(samples.ABSTENTION)
    assert_within_limits([embed])
    assert embed.title == "Not covered by the articles"
    assert "don't cover" in embed.description
    assert "Muse Spark's availability in Europe" in embed.description.replace("\\", "")
    assert not embed.fields


def test_a_near_miss_shows_the_neighbour_as_a_different_thing_never_as_the_answer() -> None:
    embed = render.render_answer(samples.NEAR_MISS)
    assert_within_limits([embed])
    assert embed.title == "Not covered by the articles"
    assert "don't cover" in embed.description
    assert "“osworld”" in embed.description
    assert "42.8" not in embed.description  # the neighbour's figure is never in the answer's own text
    nearby = embed.fields[0]
    assert nearby.name == "Nearby, but not the answer"
    assert "[1] Muse Spark scores 42.8 on HealthBench Hard." in nearby.value.replace("\\", "")
    assert [f.name for f in embed.fields[1:]] == ["[1] " + samples.NEAR_MISS.nearest[0].title]


def hostile_answer(citations: int, text_size: int, quote_size: int, title_size: int) -> Answer:
    rng = random.Random(citations * 7 + text_size)
    words = ["Muse", "Spark", "scored", "1,444", "42.8", "80.5%", "@everyone", "<@&123>", "**x**", "`", "\\", "\n"]
    text = " ".join(rng.choice(words) + f" [{rng.randint(1, max(citations, 1))}]." for _ in range(text_size // 12))
    cites = tuple(
        Citation(
            marker=n,
            article_id=f"a{n}",
            chunk_id=f"a{n}#1",
            title=(samples.HOSTILE * (title_size // len(samples.HOSTILE) + 1))[:title_size],
            outlet="<@&999> Outlet " * 20,
            url=rng.choice(["https://example.com/" + "p" * 2000, "javascript:alert(1)", "https://ok.example/a b", ""]),
            quote=(samples.HOSTILE + " 1,444 [1] ") * (quote_size // 100 + 1),
        )
        for n in range(1, citations + 1)
    )
    return Answer(question=samples.HOSTILE * 20, text=text, citations=cites, build_id="b" * 3000)


@pytest.mark.parametrize(
    ("citations", "text_size", "quote_size", "title_size"),
    [(0, 100_000, 0, 0), (1, 10, 50_000, 10_000), (20, 10_000, 5_000, 500), (40, 100_000, 100_000, 100_000)],
)
def test_answer_embed_survives_hostile_huge_input(citations: int, text_size: int, quote_size: int, title_size: int):
    answer = hostile_answer(citations, text_size, quote_size, title_size)
    embed = render.render_answer(answer)
    assert_within_limits([embed])
    assert not BROKEN_MARKER_RE.search(embed.description or "")
    assert_clean_cut(render.clean_text(answer.text), embed.description or "")
    for item in embed.fields:
        assert "javascript:" not in item.value.split("\n")[0] or "](" not in item.value.split("\n")[0]
    if citations:
        assert embed.fields, "sources must keep some room however long the answer"


# benchmark tables ------------------------------------------------------------------------------------------


def test_benchmark_table_shows_both_conflicting_values_with_sources() -> None:
    embed = render.render_benchmark_table(samples.GDPVAL_TABLE)
    assert_within_limits([embed])
    assert embed.title == "GDPval-AA — scores in the articles"
    assert "**Muse Spark** — ⚠ sources disagree: 1,444 Elo [1] vs 1,427 Elo [2]" in embed.description
    assert "**GPT-5.4** — 1,390 Elo [1]" in embed.description
    sources = embed.fields[0]
    assert sources.name == "Sources"
    assert "[1] [Meta unveils Muse Spark](https://example.com/verge) — The Verge" in sources.value
    assert "[2] [Inside Muse Spark](https://example.com/wired) — Wired" in sources.value


def test_equal_values_from_two_sources_share_one_entry() -> None:
    facts = (samples.fact("X", "M", "42.8", samples.VERGE), samples.fact("X", "M", "42.8", samples.WIRED))
    table = BenchmarkTable("X", rows=(ScoreRow("M", facts),), sources=(samples.VERGE, samples.WIRED))
    assert "**M** — 42.8 [1][2]" in render.render_benchmark_table(table).description


def test_a_lookup_note_comes_first_and_is_escaped() -> None:
    facts = (samples.fact("X", "M", "42.8", samples.VERGE),)
    note = "No model in these rows is “gemini_3 *pro*”; these are the scores the articles give for X."
    embed = render.render_benchmark_table(BenchmarkTable("X", (ScoreRow("M", facts),), (samples.VERGE,), note=note))
    assert_within_limits([embed])
    first, *_rest = embed.description.splitlines()
    assert first == "No model in these rows is “gemini\\_3 \\*pro\\*”; these are the scores the articles give for X."
    assert "**M** — 42.8 [1]" in embed.description


def test_model_table_and_unknown_source_get_numbers() -> None:
    orphan = dataclasses.replace(samples.fact("Y", "Muse Spark", "7", samples.VERGE), article_id="orphan")
    table = dataclasses.replace(samples.MUSE_TABLE, rows=(*samples.MUSE_TABLE.rows, ScoreRow("Y", (orphan,))))
    embed = render.render_model_table(table)
    assert_within_limits([embed])
    assert "**HealthBench Hard** — 42.8 [1]" in embed.description
    assert "**Y** — 7 [3]" in embed.description
    assert "[3] orphan" in embed.fields[0].value


def test_huge_tables_stay_within_limits() -> None:
    sources = tuple(
        SourceRef(f"s{i}", samples.HOSTILE * 5, "Outlet " * 30, "https://example.com/" + "x" * 100) for i in range(60)
    )
    rows = tuple(
        ScoreRow(
            label=f"Model {i} " + "@everyone " * 30,
            facts=tuple(samples.fact("B", f"M{i}", f"{i},{j:03d}", sources[j]) for j in range(8)),
            is_conflict=True,
        )
        for i in range(1, 400)
    )
    embed = render.render_benchmark_table(BenchmarkTable("B" * 1000, rows=rows, sources=sources))
    assert_within_limits([embed])
    assert "more rows" in embed.description


def test_comparison_lists_shared_and_one_sided_benchmarks() -> None:
    embed = render.render_comparison(samples.COMPARISON)
    assert_within_limits([embed])
    assert embed.title == "Muse Spark vs GPT-5.4"
    assert "**HealthBench Hard** — 42.8 [1] vs 40.1 [1] (difference +2.7)" in embed.description
    assert embed.footer.text == "Left: Muse Spark · right: GPT-5.4 · ⚠ sources disagree"
    only = next(field for field in embed.fields if field.name == "Only Muse Spark")
    assert "1,444 Elo [1] vs 1,427 Elo [2]" in only.value


def test_comparison_marks_a_benchmark_whose_sources_disagree() -> None:
    row = dataclasses.replace(samples.COMPARISON.shared[0], a=samples.GDPVAL_FACTS, difference=None)
    embed = render.render_comparison(dataclasses.replace(samples.COMPARISON, shared=(row,)))
    assert "**HealthBench Hard** ⚠ — 1,444 Elo [1] / 1,427 Elo [2] vs 40.1 [1]" in embed.description


def test_difference_formatting() -> None:
    assert render._format_difference(17.0) == "+17"
    assert render._format_difference(-62_000_000.0) == "-62M"
    assert render._format_difference(2.5e9) == "+2.5B"
    assert render._format_difference(-0.004) == "±0"
    assert render._format_difference(float("nan")) == ""


# sources, about, re-index --------------------------------------------------------------------------------


def test_source_pages_paginate_and_fit() -> None:
    sources = [
        SourceRef(f"article-{i}", f"Title {i} " + samples.HOSTILE * 10, "Outlet", f"https://e.com/{i}", "2026-04-08")
        for i in range(35)
    ]
    pages = render.render_source_pages(sources)
    assert len(pages) == 4
    for page in pages:
        assert_within_limits([page])
    assert pages[0].footer.text == "Page 1 of 4 · 35 articles"
    assert "`article-0`" in pages[0].description


def test_source_pages_when_nothing_is_indexed() -> None:
    assert render.render_source_pages([])[0].description == "No articles are indexed yet."


def test_about_shows_index_stats_and_version() -> None:
    embed = render.render_about(samples.STATS, "0.1.0")
    values = {field.name: field.value for field in embed.fields}
    assert values["Articles"] == "12"
    assert values["Passages"] == "340"
    assert values["Built"].startswith("<t:")
    assert embed.footer.text == "musebot 0.1.0"
    stale = render.render_about(IndexStats("b", "not a date", 0, 0, 0, "m", stale=True), "0.1.0")
    assert "⚠" in stale.description
    assert {field.name: field.value for field in stale.fields}["Built"] == "not a date"


def test_change_report_lists_what_changed() -> None:
    embed = render.render_change_report(samples.CHANGE, action="new.md")
    assert_within_limits([embed])
    assert embed.title == "Index updated: new.md"
    values = {field.name: field.value for field in embed.fields}
    assert values["Added"] == "`new-article`"
    assert "HealthBench Hard · Muse Spark: new → 42.8" in values["Benchmark values changed"]
    assert "⚠ New conflicts" in values


def test_noop_and_huge_change_reports() -> None:
    assert render.render_change_report(ChangeReport(build_id="b")).title == "No changes"
    huge = ChangeReport(
        build_id="b" * 5000,
        added=tuple(f"article-{i}" * 5 for i in range(2000)),
        skipped=tuple((samples.HOSTILE, samples.HOSTILE * 10) for _ in range(100)),
        conflicts_introduced=tuple(samples.HOSTILE for _ in range(100)),
    )
    embeds = render.fit_message([render.render_change_report(huge, action="x" * 500) for _ in range(4)])
    assert_within_limits(embeds)
    assert "more" in embeds[0].fields[0].value


def test_fit_message_caps_count_and_total() -> None:
    embeds = [discord.Embed(title=f"t{i}", description="d" * 1500) for i in range(12)]
    fitted = render.fit_message(embeds)
    assert_within_limits(fitted)
    assert [embed.title for embed in fitted] == ["t0", "t1", "t2", "t3"]
    assert len(fitted[3].description) < 1500


def test_lines_within_counts_the_more_line() -> None:
    lines = [f"line {i}" for i in range(100)]
    text = render._lines_within(lines, 60)
    assert len(text) <= 60
    assert text.endswith("more")
    assert render._lines_within(["x" * 500], 50).endswith(render.ELLIPSIS)
    assert render._lines_within(lines, 3) == ""


def test_reindex_outcomes_render_reports_and_failures() -> None:
    embeds = render.render_reindex_outcomes([("new.md", samples.CHANGE), ("bad.md", "bad.md has no text. @everyone")])
    assert_within_limits(embeds)
    assert [embed.title for embed in embeds] == ["Index updated: new.md", "Not done: bad.md"]
    assert embeds[1].description.startswith("bad.md has no text.")
