"""Discord's limits, and the text safety, shortening and embed-budget helpers every renderer shares."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import discord

from bot.discord_app.markdown import URL_RE, escape_markdown, strip_unsafe_characters

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


# Both kept: pure, and every answer renders the titles and quotes of the same few passages again.
@functools.lru_cache(maxsize=1 << 12)
def clean_text(text: str) -> str:
    """Article text made inert: control characters dropped, Markdown escaped, mentions neutralised."""
    return neutralise_mentions(escape_markdown(strip_unsafe_characters(text)))


@functools.lru_cache(maxsize=1 << 12)
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
