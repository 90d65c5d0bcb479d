"""Core values → Discord embeds and messages, within every Discord limit. Pure: no I/O, no client.

Text that comes from articles (answers, quotes, titles, names, values) is escaped for Markdown by our own
`markdown.escape_markdown` (links, spoilers, code, headings, lists, tags and URLs included) and its mentions
are neutralised before it is measured, so what we count is what Discord receives. Control and
direction-changing characters are dropped from everything we emit, footers and autocomplete choices too.
Text is shortened at a sentence, line or word boundary, never inside an [n] marker, a number or a link,
and never leaving a lone escaping backslash.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

import discord
from discord import app_commands

from bot.core.models import (
    Answer,
    BenchmarkFact,
    BenchmarkTable,
    ChangeReport,
    Citation,
    Comparison,
    Conflict,
    FactChange,
    IndexStats,
    ModelTable,
    ScoreRow,
    SourceRef,
)
from bot.discord_app.markdown import URL_RE, defuse_links, escape_markdown, strip_unsafe_characters

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000  # per message, summed over all its embeds
EMBEDS_PER_MESSAGE = 10
CHOICE_LIMIT = 25
CHOICE_TEXT_LIMIT = 100

NO_MENTIONS = discord.AllowedMentions.none()  # every send; also the client default
ELLIPSIS = "…"
WARNING = "⚠"
ANSWER_COLOUR = discord.Colour.blurple()
QUIET_COLOUR = discord.Colour.light_grey()
TABLE_COLOUR = discord.Colour.teal()
REINDEX_COLOUR = discord.Colour.green()
SOURCES_PER_PAGE = 10

# Spans a cut must never fall inside: [n] / [1, 2] markers, numbers (1,444 · 80.5% · $14.3), links and URLs.
_PROTECTED_RE = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]|\$?\d[\d,.]*%?|\[[^\]\n]*\]\([^)\s]*\)|<?https?://[^\s>]+>?")
# A sentence ends at . ! ? (then any [n] markers) before whitespace, or at a line break.
_SENTENCE_END_RE = re.compile(r"[.!?](?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s)|\n")
_EVERYONE_RE = re.compile(r"@(everyone|here)", re.IGNORECASE)
_MENTION_RE = re.compile(r"<(@[!&]?|#)(\d+)>")
_SAFE_URL_RE = re.compile(r"^https?://[^\s<>()\[\]`\"']+$")
_MAX_LINK_URL = 512


# Text safety ---------------------------------------------------------------------------------------------


def neutralise_mentions(text: str) -> str:
    """Break @everyone/@here and <@id>/<@&id>/<#id> with a zero-width space so they never ping or resolve."""
    text = _EVERYONE_RE.sub("@\u200b\\1", text)
    return _MENTION_RE.sub(lambda match: f"<{match.group(1)}\u200b{match.group(2)}>", text)


def clean_text(text: str) -> str:
    """Article text made inert: control characters dropped, Markdown escaped, mentions neutralised."""
    return neutralise_mentions(escape_markdown(strip_unsafe_characters(text)))


def clean_title(text: str) -> str:
    """As `clean_text`, for embed titles and field names: Discord makes no links there, so URLs stay text."""
    return neutralise_mentions(escape_markdown(strip_unsafe_characters(text), link_urls=False))


def plain_text(text: str) -> str:
    """For footers and autocomplete choices, which Discord shows without Markdown: only unsafe characters go."""
    return strip_unsafe_characters(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link(label: str, url: str) -> str:
    """A masked link when the URL is a plain http(s) URL; otherwise just the (already escaped) label."""
    if not url or len(url) > _MAX_LINK_URL or not _SAFE_URL_RE.match(url):
        return label
    if URL_RE.search(label):
        # A label that is itself an address must not mask another one: show both for what they are.
        return f"{label} (<{url}>)"
    label = label.replace("[", "(").replace("]", ")")
    return f"[{label}]({url})"


# Shortening ------------------------------------------------------------------------------------------


def _move_out_of_protected(text: str, cut: int) -> int:
    """`cut`, or the start of the marker, number or link it would split."""
    window = 2 * _MAX_LINK_URL + 1024  # longer than any span worth protecting
    for match in _PROTECTED_RE.finditer(text, max(0, cut - window), min(len(text), cut + window)):
        if match.start() < cut < match.end():
            return match.start()
    return cut


def _drop_dangling_escape(text: str) -> str:
    trailing = len(text) - len(text.rstrip("\\"))
    return text[:-1] if trailing % 2 else text


def find_cut(text: str, budget: int, *, sentences: bool = False) -> int:
    """Where to cut `text` to keep at most `budget` characters, at the best boundary available."""
    if len(text) <= budget:
        return len(text)
    if budget <= 0:
        return 0
    floor = budget // 2  # don't throw away more than half for a nicer boundary
    if sentences:
        ends = [m.end() for m in _SENTENCE_END_RE.finditer(text, 0, budget + 1) if floor <= m.end() <= budget]
        ends = [end for end in ends if _move_out_of_protected(text, end) == end]
        if ends:
            return ends[-1]
    cut = _move_out_of_protected(text, budget)
    space = max(text.rfind(" ", 0, cut + 1), text.rfind("\n", 0, cut + 1))
    if space >= floor:
        cut = _move_out_of_protected(text, space)
    return cut


def shorten(text: str, limit: int, *, sentences: bool = False, ellipsis: str = ELLIPSIS) -> str:
    """`text` within `limit` characters; when cut, it ends with an ellipsis at a safe boundary."""
    if len(text) <= limit:
        return text
    if limit < len(ellipsis):
        return ""
    kept = _drop_dangling_escape(text[: find_cut(text, limit - len(ellipsis), sentences=sentences)].rstrip())
    return kept + ellipsis


def _lines_within(lines: Sequence[str], limit: int, *, noun: str = "more") -> str:
    """Whole lines joined by newlines while they fit, then "…and N more", all within `limit`."""

    def tail(count: int) -> str:
        return f"{ELLIPSIS}and {count} {noun}" if count else ""

    kept: list[str] = []
    used = 0
    for line in lines:
        cost = len(line) + (1 if kept else 0)
        rest = tail(len(lines) - len(kept) - 1)
        if used + cost + (len(rest) + 1 if rest else 0) > limit:
            break
        kept.append(line)
        used += cost
    else:
        return "\n".join(kept)
    left = len(lines) - len(kept)
    if not kept:
        # The first line alone is too long: keep a shortened piece of it rather than nothing.
        rest = tail(left - 1)
        first = shorten(lines[0], limit - (len(rest) + 1 if rest else 0))
        if first:
            kept.append(first)
            left -= 1
    result = "\n".join([*kept, tail(left)] if left else kept)
    return result if len(result) <= limit else ""


# Embed assembly -------------------------------------------------------------------------------------------


class _EmbedBudget:
    """Builds one embed while keeping the running total within EMBED_TOTAL_LIMIT."""

    def __init__(self, *, title: str, colour: discord.Colour, footer: str = "", total: int = EMBED_TOTAL_LIMIT):
        self.embed = discord.Embed(title=shorten(title, TITLE_LIMIT) or None, colour=colour)
        if footer:
            self.embed.set_footer(text=shorten(plain_text(footer), FOOTER_LIMIT))
        self.total = total

    @property
    def remaining(self) -> int:
        return self.total - len(self.embed)

    def describe(self, text: str, *, reserve: int = 0, sentences: bool = False) -> None:
        room = min(DESCRIPTION_LIMIT, max(0, self.remaining - reserve))
        self.embed.description = shorten(text, room, sentences=sentences) or None

    def describe_lines(self, lines: Sequence[str], *, reserve: int = 0, noun: str = "more") -> None:
        room = min(DESCRIPTION_LIMIT, max(0, self.remaining - reserve))
        self.embed.description = _lines_within(lines, room, noun=noun) or None

    def can_add_field(self) -> bool:
        return len(self.embed.fields) < FIELD_COUNT_LIMIT and self.remaining >= 2

    def add_field(self, name: str, value: str, *, inline: bool = False, room: int | None = None) -> bool:
        """Add a field shortened to fit (name first); False when there is no room left for it."""
        room = min(self.remaining, room if room is not None else self.remaining)
        if not self.can_add_field() or room < 2:
            return False
        name = shorten(name, min(FIELD_NAME_LIMIT, max(1, room // 3))) or name[:1]
        value = shorten(value, min(FIELD_VALUE_LIMIT, room - len(name))) or ELLIPSIS
        if len(name) + len(value) > room:
            return False
        self.embed.add_field(name=name, value=value, inline=inline)
        return True

    def add_lines_field(self, name: str, lines: Sequence[str], *, room: int | None = None, noun: str = "more") -> bool:
        if not lines:
            return False
        room = min(self.remaining, room if room is not None else self.remaining)
        name = shorten(name, FIELD_NAME_LIMIT)
        value = _lines_within(lines, min(FIELD_VALUE_LIMIT, room - len(name)), noun=noun)
        return bool(value) and self.add_field(name, value, room=room)


def fit_message(embeds: Sequence[discord.Embed]) -> list[discord.Embed]:
    """At most 10 embeds whose lengths sum to at most 6000: later embeds give way to earlier ones."""
    kept: list[discord.Embed] = []
    used = 0
    for embed in embeds[:EMBEDS_PER_MESSAGE]:
        room = EMBED_TOTAL_LIMIT - used
        if len(embed) > room:
            shrunk = _shrink(embed, room)
            if shrunk is None:
                break
            embed = shrunk
        kept.append(embed)
        used += len(embed)
    return kept


def _shrink(embed: discord.Embed, room: int) -> discord.Embed | None:
    """A copy of `embed` within `room` characters, dropping fields from the end, then shortening."""
    data = embed.to_dict()
    fields = list(data.get("fields", []))
    shrunk = discord.Embed.from_dict({**data, "fields": []})
    if len(shrunk) > room:
        fixed = len(shrunk) - len(shrunk.description or "")
        if fixed >= room:
            return None
        shrunk.description = shorten(shrunk.description or "", room - fixed) or None
        return shrunk
    for item in fields:
        left = room - len(shrunk)
        if len(item["name"]) + len(item["value"]) <= left:
            shrunk.add_field(name=item["name"], value=item["value"], inline=item.get("inline", False))
        elif left > len(item["name"]) + 40:
            shrunk.add_field(name=item["name"], value=shorten(item["value"], left - len(item["name"])))
            break
        else:
            break
    return shrunk


# Answers -----------------------------------------------------------------------------------------------


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


# Benchmark tables -------------------------------------------------------------------------------------


def _format_value(fact: BenchmarkFact) -> str:
    text = clean_text(fact.value_text)
    unit = fact.unit.strip()
    if unit and unit != "%" and unit.lower() not in fact.value_text.lower():
        text += f" {clean_text(unit)}"
    if fact.qualifier:
        text += f" ({clean_text(_one_line(fact.qualifier))})"
    return text


class _SourceNumbers:
    """[n] numbers for articles, in the order the core listed its sources."""

    def __init__(self, sources: Sequence[SourceRef]):
        self.sources: list[SourceRef] = list(sources)
        self._numbers = {source.article_id: index + 1 for index, source in enumerate(self.sources)}

    def number(self, article_id: str) -> int:
        if article_id not in self._numbers:
            self.sources.append(SourceRef(article_id=article_id, title=article_id, outlet=""))
            self._numbers[article_id] = len(self.sources)
        return self._numbers[article_id]

    def lines(self) -> list[str]:
        lines = []
        for index, source in enumerate(self.sources, start=1):
            title = clean_text(_one_line(source.title)) or clean_text(source.article_id)
            outlet = shorten(clean_text(_one_line(source.outlet)), 100)
            lines.append(f"[{index}] {_link(shorten(title, 200), source.url)}" + (f" — {outlet}" if outlet else ""))
        return lines


def _facts_text(facts: Sequence[BenchmarkFact], numbers: _SourceNumbers, *, conflict: bool, joiner: str = "; ") -> str:
    """Values with their sources; equal values share one entry ("42.8 [1][2]")."""
    groups: dict[tuple[float, str, str], tuple[str, list[int]]] = {}
    for fact in facts:
        key = (fact.value, fact.unit, fact.qualifier)
        _, markers = groups.setdefault(key, (_format_value(fact), []))
        marker = numbers.number(fact.article_id)
        if marker not in markers:
            markers.append(marker)
    parts = [shown + " " + "".join(f"[{marker}]" for marker in markers) for shown, markers in groups.values()]
    if conflict and len(parts) > 1:
        return f"{WARNING} sources disagree: " + " vs ".join(parts)
    return joiner.join(parts) if parts else "—"


def _row_line(row: ScoreRow, numbers: _SourceNumbers) -> str:
    label = shorten(clean_text(_one_line(row.label)), 200)
    return f"**{label}** — {_facts_text(row.facts, numbers, conflict=row.is_conflict)}"


def _render_rows(title: str, rows: Sequence[ScoreRow], sources: Sequence[SourceRef], empty: str) -> discord.Embed:
    numbers = _SourceNumbers(sources)
    lines = [_row_line(row, numbers) for row in rows] or [empty]
    budget = _EmbedBudget(title=title, colour=TABLE_COLOUR, footer="Values as the articles state them")
    source_lines = numbers.lines()
    budget.describe_lines(lines, reserve=min(sum(len(line) + 1 for line in source_lines) + 20, 2000), noun="more rows")
    _add_source_fields(budget, source_lines)
    return budget.embed


def _add_source_fields(budget: _EmbedBudget, lines: Sequence[str]) -> None:
    """The numbered sources, over as many fields as they need (each within 1024 characters)."""
    pending = list(lines)
    name = "Sources"
    while pending and budget.can_add_field():
        room = min(FIELD_VALUE_LIMIT, budget.remaining - len(name) - 1)
        take = 0
        used = 0
        while take < len(pending) and used + len(pending[take]) + 1 <= room:
            used += len(pending[take]) + 1
            take += 1
        if take == 0 or (take < len(pending) and budget.remaining - used < 60):
            budget.add_lines_field(name, pending, noun="more sources")
            return
        budget.add_field(name, "\n".join(pending[:take]))
        pending = pending[take:]
        name = "Sources (continued)"


def render_benchmark_table(table: BenchmarkTable) -> discord.Embed:
    """Every model's score on one benchmark, best first, with numbered sources and conflicts marked."""
    title = f"{clean_title(_one_line(table.benchmark))} — scores in the articles"
    return _render_rows(title, table.rows, table.sources, "The articles give no scores for this benchmark.")


def render_model_table(table: ModelTable) -> discord.Embed:
    """Every benchmark score the articles give for one model, with numbered sources."""
    title = f"{clean_title(_one_line(table.model))} — benchmark scores in the articles"
    return _render_rows(title, table.rows, table.sources, "The articles give no benchmark scores for this model.")


def _format_difference(difference: float) -> str:
    """+2.7, -33.6, +17, -62M: at most two decimals, millions and billions shortened."""
    if not math.isfinite(difference):
        return ""
    suffix = ""
    for size, letter in ((1e9, "B"), (1e6, "M")):
        if abs(difference) >= size:
            difference, suffix = difference / size, letter
            break
    text = f"{difference:+,.2f}".rstrip("0").rstrip(".")
    return "±0" if text in ("+0", "-0") else text + suffix


def render_comparison(comparison: Comparison) -> discord.Embed:
    """Two models side by side on the benchmarks the articles give for both, then what only one has."""
    numbers = _SourceNumbers(comparison.sources)
    lines = []
    for row in comparison.shared:
        a = _facts_text(row.a, numbers, conflict=False, joiner=" / ")
        b = _facts_text(row.b, numbers, conflict=False, joiner=" / ")
        disagree = f" {WARNING}" if len({f.value for f in row.a}) > 1 or len({f.value for f in row.b}) > 1 else ""
        shown = _format_difference(row.difference) if row.difference is not None else ""
        difference = f" (difference {shown})" if shown else ""
        benchmark = shorten(clean_text(_one_line(row.benchmark)), 200)
        lines.append(f"**{benchmark}**{disagree} — {a} vs {b}{difference}")
    only_a = [_row_line(row, numbers) for row in comparison.only_a]
    only_b = [_row_line(row, numbers) for row in comparison.only_b]
    source_lines = numbers.lines()
    budget = _EmbedBudget(
        title=f"{clean_title(_one_line(comparison.model_a))} vs {clean_title(_one_line(comparison.model_b))}",
        colour=TABLE_COLOUR,
        footer=f"Left: {_one_line(comparison.model_a)} · right: {_one_line(comparison.model_b)} · "
        f"{WARNING} sources disagree",
    )
    if not lines:
        lines = ["The articles give no benchmark where both models have a score."]
    reserve = min(sum(len(line) + 1 for line in [*source_lines, *only_a, *only_b]) + 60, 3000)
    budget.describe_lines(lines, reserve=reserve, noun="more benchmarks")
    only_a_name = f"Only {clean_title(_one_line(comparison.model_a))}"
    only_b_name = f"Only {clean_title(_one_line(comparison.model_b))}"
    budget.add_lines_field(only_a_name, only_a, room=min(budget.remaining // 3, FIELD_VALUE_LIMIT + 300))
    budget.add_lines_field(only_b_name, only_b, room=min(budget.remaining // 2, FIELD_VALUE_LIMIT + 300))
    _add_source_fields(budget, source_lines)
    return budget.embed


# Sources, about, re-index ------------------------------------------------------------------------------


def render_source_pages(sources: Sequence[SourceRef], *, per_page: int = SOURCES_PER_PAGE) -> list[discord.Embed]:
    """The indexed articles as pages of embeds: number, linked title, outlet, date and article id."""
    lines = []
    for index, source in enumerate(sources, start=1):
        title = shorten(clean_text(_one_line(source.title)) or clean_text(source.article_id), 200)
        published = clean_text(source.published[:10])
        details = ", ".join(part for part in (clean_text(_one_line(source.outlet)), published) if part)
        article_id = shorten(plain_text(_one_line(source.article_id)).replace("`", "'"), 100)
        line = f"**{index}.** {_link(title, source.url)}" + (f" — {details}" if details else "")
        lines.append(shorten(line + f" · `{article_id}`", 600) if article_id else shorten(line, 600))
    pages: list[list[str]] = []
    for line in lines:
        if not pages or len(pages[-1]) >= per_page or sum(len(x) + 1 for x in pages[-1]) + len(line) > 3900:
            pages.append([])
        pages[-1].append(line)
    if not pages:
        return [discord.Embed(title="Articles in the index", description="No articles are indexed yet.")]
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(title="Articles in the index", description="\n".join(page), colour=TABLE_COLOUR)
        embed.set_footer(text=f"Page {number} of {len(pages)} · {len(sources)} articles")
        embeds.append(embed)
    return embeds


def _format_built_at(built_at: str) -> str:
    try:
        moment = datetime.fromisoformat(built_at.replace("Z", "+00:00"))
    except ValueError:
        return clean_text(built_at) or "unknown"
    if moment.tzinfo is None:
        return clean_text(built_at)
    return f"{discord.utils.format_dt(moment, 'f')} ({discord.utils.format_dt(moment, 'R')})"


def render_about(stats: IndexStats, version: str) -> discord.Embed:
    """What the bot is and what its index holds."""
    description = (
        "I answer questions about Meta's Muse Spark launch using only the news articles in my index, "
        "and I quote the passages I rely on with numbered sources. Use `/ask`, mention me, or DM me; "
        "`/benchmark`, `/model` and `/compare` show the scores the articles report."
    )
    if stats.stale:
        description += f"\n{WARNING} The index is older than the articles; a maintainer should run `/reindex`."
    embed = discord.Embed(title="About musebot", description=description, colour=ANSWER_COLOUR)
    for name, value in (
        ("Articles", f"{stats.articles:,}"),
        ("Passages", f"{stats.chunks:,}"),
        ("Benchmark facts", f"{stats.facts:,}"),
        ("Built", _format_built_at(stats.built_at)),
        ("Build", f"`{shorten(plain_text(stats.build_id).replace('`', ''), 200)}`"),
        ("Embedding model", shorten(clean_text(stats.model_id), 300) or "unknown"),
    ):
        embed.add_field(name=name, value=value, inline=True)
    embed.set_footer(text=f"musebot {version}")
    return embed


def _fact_change_line(change: FactChange) -> str:
    what = f"{clean_text(change.benchmark)} · {clean_text(change.model)}"
    before = clean_text(change.before) or "new"
    after = clean_text(change.after) or "removed"
    article_id = plain_text(change.article_id).replace("`", "")
    return shorten(f"{what}: {before} → {after} (`{article_id}`)", 300)


def _ids(ids: Iterable[str]) -> list[str]:
    return [shorten(f"`{plain_text(article_id).replace('`', '')}`", 200) for article_id in ids]


def _quoted(questions: Iterable[str]) -> list[str]:
    return [shorten(f"“{clean_text(_one_line(question))}”", 300) for question in questions]


def render_change_report(report: ChangeReport, *, action: str = "") -> discord.Embed:
    """What a re-index changed: articles, passages, benchmark values and conflicts."""
    state = "No changes" if report.is_noop else "Index updated"
    title = f"{state}: {clean_title(_one_line(action))}" if action else state
    summary = (
        f"Added {len(report.added)} · updated {len(report.updated)} · removed {len(report.removed)} articles\n"
        f"Passages: +{report.chunks_added} / −{report.chunks_removed} ({report.chunks_embedded} embedded)"
    )
    footer = f"Build {report.build_id}" if report.build_id else ""
    budget = _EmbedBudget(title=title, colour=REINDEX_COLOUR, footer=footer)
    budget.describe(summary)
    skipped = [shorten(f"{clean_text(name)} — {clean_text(reason)}", 300) for name, reason in report.skipped]
    sections = [
        ("Added", _ids(report.added)),
        ("Updated", _ids(report.updated)),
        ("Removed", _ids(report.removed)),
        ("Skipped", skipped),
        ("Benchmark values changed", [_fact_change_line(change) for change in report.fact_changes]),
        (f"{WARNING} New conflicts", [shorten(clean_text(line), 300) for line in report.conflicts_introduced]),
        ("Conflicts resolved", [shorten(clean_text(line), 300) for line in report.conflicts_resolved]),
        ("Cleaned up", [shorten(clean_text(line), 300) for line in report.recovered]),
        (f"Now answered: {len(report.now_answered)} earlier questions", _quoted(report.now_answered)),
    ]
    for name, lines in sections:
        budget.add_lines_field(name, lines)
    return budget.embed


def render_reindex_failure(action: str, reason: str) -> discord.Embed:
    """One re-index step that was not done, and why."""
    budget = _EmbedBudget(title=f"Not done: {clean_title(_one_line(action))}", colour=QUIET_COLOUR)
    budget.describe(render_notice(reason))
    return budget.embed


# What one /reindex step did: (the step, e.g. a file name, and its report or why it was not done).
ReindexOutcome = tuple[str, ChangeReport | str]


def render_reindex_outcomes(outcomes: Sequence[ReindexOutcome]) -> list[discord.Embed]:
    """One embed per step of a /reindex, all within one message's limits."""
    return fit_message(
        [
            render_reindex_failure(action, result)
            if isinstance(result, str)
            else render_change_report(result, action=action)
            for action, result in outcomes
        ]
    )


# Plain messages and autocomplete --------------------------------------------------------------------------


def render_notice(text: str) -> str:
    """A one-line message for content: mentions, links and tags defused, within 2000 characters.

    Our sentences keep their own Markdown (`/sources`), but may quote what a user typed or a file's name.
    """
    return shorten(neutralise_mentions(defuse_links(strip_unsafe_characters(text))).strip(), CONTENT_LIMIT) or "…"


def render_cooldown(retry_after: float) -> str:
    seconds = max(1, math.ceil(retry_after))
    return f"You're asking quickly — try again in {seconds} s."


def render_choices(names: Iterable[str]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices: at most 25, each name and value within 100 characters, no duplicates."""
    choices: list[app_commands.Choice[str]] = []
    seen: set[str] = set()
    for name in names:
        value = plain_text(name).strip()[:CHOICE_TEXT_LIMIT]
        if not value or value in seen:
            continue
        seen.add(value)
        choices.append(app_commands.Choice(name=value, value=value))
        if len(choices) == CHOICE_LIMIT:
            break
    return choices
