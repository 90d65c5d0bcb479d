"""Answers and abstentions: the answer with its [n] markers, then the numbered sources and their quotes."""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot.core.models import (
    Answer,
    Citation,
    Conflict,
)
from bot.discord_app.render._limits import (
    ANSWER_COLOUR,
    EMBED_TOTAL_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    QUIET_COLOUR,
    WARNING,
    _EmbedBudget,
    _link,
    _one_line,
    clean_text,
    clean_title,
    plain_text,
    shorten,
)
from bot.discord_app.render.tables import _format_value


def _footer(build_id: str) -> str:
    build = shorten(_one_line(plain_text(build_id)), 100)
    return f"Index build {build} · passages are quoted from the articles" if build else "musebot"


def _citation_field(citation: Citation) -> tuple[str, str, str]:
    """(name, first line, quote) for one numbered source."""
    title = clean_title(_one_line(citation.title)) or plain_text(citation.article_id)
    name = f"[{citation.marker}] {title}"
    outlet = shorten(clean_text(_one_line(citation.outlet)), 100) or "Source"
    return name, _link(outlet, citation.url), clean_text(_one_line(citation.quote))


def _marker_lookup(citations: Iterable[Citation]) -> dict[str, int]:
    lookup: dict[str, int] = {}
    for citation in citations:
        lookup.setdefault(citation.chunk_id, citation.marker)
        lookup.setdefault(citation.article_id, citation.marker)
    return lookup


def _conflict_line(conflict: Conflict, markers: dict[str, int]) -> str:
    values = []
    for fact in conflict.facts:
        marker = markers.get(fact.chunk_id) or markers.get(fact.article_id)
        values.append(f"{_format_value(fact)}" + (f" [{marker}]" if marker else ""))
    what = f"{clean_text(_one_line(conflict.benchmark))} · {clean_text(_one_line(conflict.model))}"
    return f"{WARNING} {what}: sources disagree: " + " vs ".join(values)


def render_answer(answer: Answer) -> discord.Embed:
    """The answer with its [n] markers, then the numbered sources with their quoted passages."""
    if answer.abstained:
        return render_abstention(answer)
    question = clean_title(_one_line(answer.question))
    budget = _EmbedBudget(title=question or "Answer", colour=ANSWER_COLOUR, footer=_footer(answer.build_id))
    citations = sorted(answer.citations, key=lambda c: c.marker)[: FIELD_COUNT_LIMIT - 1]
    markers = _marker_lookup(citations)
    conflict_lines = [_conflict_line(conflict, markers) for conflict in answer.conflicts]
    # Keep room for every source to show at least its title, link and a short quote.
    reserve = min(len(citations) * 180, EMBED_TOTAL_LIMIT // 2) + (300 if conflict_lines else 0)
    budget.describe(clean_text(answer.text), reserve=reserve, sentences=True)
    if conflict_lines:
        budget.add_lines_field(f"{WARNING} Sources disagree", conflict_lines, room=min(budget.remaining, 600))
    for index, citation in enumerate(citations):
        share = budget.remaining // (len(citations) - index)
        name, link, quote = _citation_field(citation)
        name = shorten(name, min(FIELD_NAME_LIMIT, max(8, share // 3)))
        value_room = min(FIELD_VALUE_LIMIT, share - len(name))
        quote_room = value_room - len(link) - 3  # "\n> "
        if quote and quote_room >= 20:
            value = f"{link}\n> {shorten(quote, quote_room)}"
        else:
            value = shorten(link, value_room) if len(link) > value_room else link
        if not budget.add_field(name, value, room=share):
            break
    return budget.embed


def render_abstention(answer: Answer) -> discord.Embed:
    """A calm note that the articles don't cover the question. When they state something close (a
    neighbouring figure, another model's score), it is shown under its own heading as a different
    thing, cited, never as the answer; otherwise the closest topic they do cover."""
    lines = ["The news articles I have don't cover that, so I won't guess."]
    if answer.missing:
        said = ", ".join(f"“{clean_text(_one_line(word))}”" for word in answer.missing[:4])
        lines.append(f"Nothing they state is about {said}.")
    if answer.closest_topic and not answer.nearest:
        lines.append(f"The closest thing they do cover: **{clean_text(_one_line(answer.closest_topic))}**.")
    lines.append("Try rephrasing, or see what the articles cover with `/sources`.")
    budget = _EmbedBudget(title="Not covered by the articles", colour=QUIET_COLOUR, footer=_footer(answer.build_id))
    budget.describe_lines(lines, reserve=600 if answer.nearest else 0)
    if answer.nearest:
        near = [
            f"[{citation.marker}] {clean_text(_one_line(sentence))}"
            for citation, sentence in zip(answer.nearest, answer.nearest_text, strict=False)
        ]
        budget.add_lines_field("Nearby, but not the answer", near, room=min(budget.remaining, FIELD_VALUE_LIMIT))
        for citation in answer.nearest:
            if not budget.can_add_field():
                break
            name, link, _quote = _citation_field(citation)
            budget.add_field(shorten(name, FIELD_NAME_LIMIT), link, room=budget.remaining)
    return budget.embed
