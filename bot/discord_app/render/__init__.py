"""Core values → Discord embeds and messages, within every Discord limit. Pure: no I/O, no client.

Text that comes from articles (answers, quotes, titles, names, values) is escaped for Markdown by our own
`markdown.escape_markdown` (links, spoilers, code, headings, lists, tags and URLs included) and its mentions
are neutralised before it is measured, so what we count is what Discord receives. Control and
direction-changing characters are dropped from everything we emit, footers and autocomplete choices too.
Text is shortened at a sentence, line or word boundary, never inside an [n] marker, a number or a link,
and never leaving a lone escaping backslash.

A package by what it renders: `_limits` (Discord's limits, text safety, shortening, the embed budget),
`answer`, `tables`, `reindex` and `misc`. Import from here; the modules behind it may move.
"""

from __future__ import annotations

from bot.discord_app.render._limits import (
    ANSWER_COLOUR,
    CHOICE_LIMIT,
    CHOICE_TEXT_LIMIT,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    NO_MENTIONS,
    QUIET_COLOUR,
    REINDEX_COLOUR,
    SOURCES_PER_PAGE,
    TABLE_COLOUR,
    TITLE_LIMIT,
    WARNING,
    _lines_within,
    clean_text,
    clean_title,
    find_cut,
    fit_message,
    neutralise_mentions,
    plain_text,
    shorten,
)
from bot.discord_app.render.answer import (
    render_abstention,
    render_answer,
)
from bot.discord_app.render.misc import (
    render_about,
    render_choices,
    render_cooldown,
    render_notice,
    render_source_pages,
)
from bot.discord_app.render.reindex import (
    ReindexOutcome,
    render_change_report,
    render_reindex_failure,
    render_reindex_outcomes,
)
from bot.discord_app.render.tables import (
    _format_difference,
    render_benchmark_table,
    render_comparison,
    render_model_table,
)

__all__ = [
    "ANSWER_COLOUR",
    "CHOICE_LIMIT",
    "CHOICE_TEXT_LIMIT",
    "CONTENT_LIMIT",
    "DESCRIPTION_LIMIT",
    "ELLIPSIS",
    "EMBEDS_PER_MESSAGE",
    "EMBED_TOTAL_LIMIT",
    "FIELD_COUNT_LIMIT",
    "FIELD_NAME_LIMIT",
    "FIELD_VALUE_LIMIT",
    "FOOTER_LIMIT",
    "NO_MENTIONS",
    "QUIET_COLOUR",
    "REINDEX_COLOUR",
    "SOURCES_PER_PAGE",
    "TABLE_COLOUR",
    "TITLE_LIMIT",
    "WARNING",
    "ReindexOutcome",
    "_format_difference",
    "_lines_within",
    "clean_text",
    "clean_title",
    "find_cut",
    "fit_message",
    "neutralise_mentions",
    "plain_text",
    "render_about",
    "render_abstention",
    "render_answer",
    "render_benchmark_table",
    "render_change_report",
    "render_choices",
    "render_comparison",
    "render_cooldown",
    "render_model_table",
    "render_notice",
    "render_reindex_failure",
    "render_reindex_outcomes",
    "render_source_pages",
    "shorten",
]
