"""Split an article into passages for retrieval: sections and paragraphs kept whole where they fit.

A chunk never spans two sections. Paragraphs of one section are packed together up to
``TARGET_TOKENS``; a paragraph longer than the model's limit is split at sentence boundaries, and a
sentence longer than that at word boundaries. A table stays in one chunk with the paragraph that
introduces it; a table too big for one chunk is split by rows, each piece repeating the header row.

Token counts are always taken on ``embed_text`` (title, heading and text, special tokens included),
with the counter the caller passes: the model's own tokenizer in production (``load_token_counter``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.core.errors import MusebotError
from bot.core.models import Article, Chunk
from bot.core.text import HEADING_RE as _HEADING_RE
from bot.core.text import split_sentences

# Re-exported: the counters have their own module (its source is part of the chunker's version).
from bot.core.token_counting import ModelTokenCounter as ModelTokenCounter
from bot.core.token_counting import approximate_token_counter as approximate_token_counter
from bot.core.token_counting import load_token_counter as load_token_counter

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

TokenCounter = Callable[[str], int]


@runtime_checkable
class WordPieceCounter(Protocol):
    """A token counter that also gives the character span of each word piece (special tokens left out).

    Its word pieces never span white space, so the count of two texts joined by white space is the sum
    of their counts (less one set of special tokens): long texts are cut after a single pass.
    """

    def __call__(self, text: str) -> int: ...

    def token_offsets(self, text: str) -> list[tuple[int, int]]: ...


class ChunkingError(MusebotError):
    """An article that could not be split within the work allowed for its size (a bug guard)."""


# Paragraphs are packed up to this many word pieces of embed_text, which leaves room below the
# 256-piece hard limit for a single long paragraph to stay whole. ~190 pieces is ~140 words of text
# after the title/heading prefix: one or two paragraphs, the size at which MiniLM-class embedders
# (trained on passages of up to 128-256 pieces) retrieve best, and a quote that fits a Discord field.
TARGET_TOKENS = 192
DEFAULT_MAX_TOKENS = 256
# The title and heading read by the model are shortened when they would take more than this share
# of the budget (only with absurdly long titles); the chunk's own fields keep them whole.
_MAX_PREFIX_SHARE = 0.4
# No passage's text is longer than this many characters per word piece of the limit. English runs at
# ~4.5 characters a piece; the cap only binds on pathological text (a "word" of 100+ letters is one
# [UNK] piece), and it lets an over-long text be refused without tokenising it.
MAX_CHARS_PER_TOKEN = 8
# Characters the chunker may tokenise per character of body (plus a constant): the split is linear, so
# this is only reached by a bug, which then fails one article with a clear error instead of holding the lock.
_WORK_PER_BODY_CHAR = 400
_WORK_CONSTANT = 4_000_000

_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_PIPE_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LIST_MARKER_RE = re.compile(r"^\s*(?:[-*+•◦▪·]|\d{1,3}[.)])\s+")
_TABLE_HEADER_WORDS = frozenset({"model", "models", "benchmark", "benchmarks", "name", "rank", "system", "lab", "task"})


@dataclass(frozen=True, slots=True)
class _Block:
    """A paragraph, list or table of one section, as written in the body."""

    text: str
    is_table: bool = False
    header: tuple[str, ...] = ()  # table header lines, repeated when the table is split
    rows: tuple[str, ...] = ()  # table data lines


@dataclass(frozen=True, slots=True)
class _Section:
    heading: str
    blocks: tuple[_Block, ...]


# ---------------------------------------------------------------------------------------------- chunking


def split_into_chunks(
    article: Article, count_tokens: TokenCounter, max_tokens: int = DEFAULT_MAX_TOKENS
) -> tuple[Chunk, ...]:
    """The article's passages in document order, ids ``<article-id>#<n>``; each embed_text fits max_tokens.

    The work is linear in the length of the body (a ``WordPieceCounter`` tokenises an over-long text
    once), and bounded: past the allowance the article fails with ``ChunkingError``.
    """
    if max_tokens < 16:
        raise ValueError(f"max_tokens={max_tokens} is too small to hold a passage; use the model's limit (256)")
    target = min(TARGET_TOKENS, max_tokens)
    counter = _CountingCounter(count_tokens, article.id, _WORK_PER_BODY_CHAR * len(article.body) + _WORK_CONSTANT)
    chunks: list[Chunk] = []
    for section in _sections_of(article.body):
        prefix = _embed_prefix(article.title, section.heading, counter, max_tokens)
        packer = _Packer(prefix, counter, target, max_tokens)
        for text in packer.pack(section.blocks):
            chunks.append(
                Chunk(
                    id=f"{article.id}#{len(chunks)}",
                    article_id=article.id,
                    ordinal=len(chunks),
                    heading=section.heading,
                    text=text,
                    embed_text=prefix + text,
                )
            )
    log.debug("article %s: %d chunks (%d characters tokenised)", article.id, len(chunks), counter.work)
    return tuple(chunks)


def build_embed_text(title: str, heading: str, text: str) -> str:
    """What the model reads for a passage: title, " — " heading (when there is one), newline, text."""
    return f"{title} — {heading}\n{text}" if heading else f"{title}\n{text}"


class _CountingCounter:
    """The caller's counter, charging every character it tokenises to the article's allowance."""

    def __init__(self, count_tokens: TokenCounter, article_id: str, allowance: int) -> None:
        self._count = count_tokens
        self._offsets = count_tokens.token_offsets if isinstance(count_tokens, WordPieceCounter) else None
        self.article_id = article_id
        self.allowance = allowance
        self.work = 0

    @property
    def is_additive(self) -> bool:
        return self._offsets is not None

    def _charge(self, characters: int) -> None:
        self.work += characters
        if self.work > self.allowance:
            raise ChunkingError(
                f"Article {self.article_id}: splitting it into passages took far more work than its length "
                "allows (a bug in musebot's chunker); take the file out of corpus/ and report it."
            )

    def __call__(self, text: str) -> int:
        self._charge(len(text))
        return self._count(text)

    def token_offsets(self, text: str) -> list[tuple[int, int]] | None:
        if self._offsets is None:
            return None
        self._charge(len(text))
        return self._offsets(text)


def _embed_prefix(title: str, heading: str, count_tokens: TokenCounter, max_tokens: int) -> str:
    budget = int(max_tokens * _MAX_PREFIX_SHARE)
    max_chars = budget * MAX_CHARS_PER_TOKEN
    prefix = build_embed_text(title, heading, "")
    if len(prefix) <= max_chars and count_tokens(prefix) <= budget:
        return prefix
    # Every word is at least one piece: no more than `budget` words of either can be left.
    title_words, heading_words = title.split()[: budget + 1], heading.split()[: budget + 1]
    while (len(prefix) > max_chars or count_tokens(prefix) > budget) and (
        len(title_words) > 4 or len(heading_words) > 4
    ):
        if len(title_words) >= len(heading_words):
            title_words = title_words[:-1]
        else:
            heading_words = heading_words[:-1]
        prefix = build_embed_text(" ".join(title_words) + " …", " ".join(heading_words), "")
    if len(prefix) > max_chars or count_tokens(prefix) > budget:  # a few enormous "words": cut by characters
        prefix = build_embed_text(title[:60] + " …", heading[:40], "")
    return prefix


class _Packer:
    """Greedy packing of one section's blocks into chunk texts that fit the budget."""

    def __init__(self, prefix: str, counter: _CountingCounter, target: int, max_tokens: int) -> None:
        self.prefix = prefix
        self.counter = counter
        self.target = target
        self.max_tokens = max_tokens
        self.prefix_tokens = counter(prefix)

    def max_chars(self, limit: int) -> int:
        """The longest text (after the prefix) that may hold `limit` pieces."""
        return limit * MAX_CHARS_PER_TOKEN - len(self.prefix)

    def count(self, text: str, limit: int) -> int | None:
        """Pieces of prefix + text; None, without tokenising, when the text is too long for `limit` anyway."""
        if len(text) > self.max_chars(limit):
            return None
        return self.counter(self.prefix + text)

    def fits(self, text: str, limit: int) -> bool:
        pieces = self.count(text, limit)
        return pieces is not None and pieces <= limit

    def pack(self, blocks: tuple[_Block, ...]) -> list[str]:
        out: list[str] = []
        current, current_pieces = "", 0
        for unit in _units_of(blocks):
            text = _unit_text(unit)
            text_pieces: int | None = None  # pieces of prefix + text, once counted
            if not current:
                joined, joined_pieces = text, self.count(text, self.target)
                text_pieces = joined_pieces
            elif self.counter.is_additive:  # count the new unit alone, not the chunk so far again
                joined = f"{current}\n\n{text}"
                text_pieces = self.count(text, self.max_tokens)
                joined_pieces = (
                    None
                    if text_pieces is None or len(joined) > self.max_chars(self.target)
                    else current_pieces + text_pieces - self.prefix_tokens
                )
            else:
                joined = f"{current}\n\n{text}"
                joined_pieces = self.count(joined, self.target)
            if joined_pieces is not None and joined_pieces <= self.target:
                current, current_pieces = joined, joined_pieces
                continue
            if current:
                out.append(current)
                current = ""
            if text_pieces is None:
                text_pieces = self.count(text, self.max_tokens)
            if text_pieces is not None and text_pieces <= self.max_tokens:
                current, current_pieces = text, text_pieces
                continue
            pieces = self.split_unit(unit)
            out.extend(pieces[:-1])
            current = pieces[-1]
            if self.counter.is_additive:
                current_pieces = self.count(current, self.max_tokens) or self.max_tokens + 1
        if current:
            out.append(current)
        return out

    def split_unit(self, unit: tuple[_Block, ...]) -> list[str]:
        """Pieces of a unit too big for one chunk: a paragraph, a table, or an intro + its table."""
        if len(unit) == 1:
            block = unit[0]
            return self.split_table(block, "") if block.is_table else self.split_text(block.text)
        intro, table = unit
        spans = _sentence_spans(intro.text)
        lead_in = intro.text[spans[-1][0] :] if spans else intro.text
        before = intro.text[: spans[-1][0]].rstrip() if spans else ""
        pieces = self.split_text(before) if before else []
        if self.fits(f"{lead_in}\n\n{table.text}", self.max_tokens):
            return [*pieces, f"{lead_in}\n\n{table.text}"]
        if self.fits(table.text, self.max_tokens):  # the table stays whole; its introduction goes before it
            return [*self.split_text(intro.text), table.text]
        if not self.fits(lead_in, self.max_tokens):
            return [*pieces, *self.split_text(lead_in), *self.split_table(table, "")]
        return [*pieces, *self.split_table(table, lead_in)]

    def split_text(self, text: str) -> list[str]:
        """Sentences packed up to the target; a sentence over the limit split between words."""
        if self.fits(text, self.max_tokens):
            return [text]
        spans = _sentence_spans(text)
        pieces: list[str] = []
        start = end = None
        piece_pieces = 0  # pieces of prefix + text[start:end], kept up to date when the counter is additive
        for s_start, s_end in spans:
            if start is not None and end is not None and self._extends(text, start, end, s_end, piece_pieces):
                if self.counter.is_additive:
                    piece_pieces += (self.count(text[end:s_end], self.target) or 0) - self.prefix_tokens
                end = s_end
                continue
            if start is not None:
                pieces.append(text[start:end])
            start, end = s_start, s_end
            piece_pieces = self.count(text[s_start:s_end], self.max_tokens) or self.max_tokens + 1
            if piece_pieces > self.max_tokens:
                words = self.split_words(text[s_start:s_end])
                pieces.extend(words[:-1])
                last = words[-1]
                start = s_end - len(last)
                piece_pieces = self.count(last, self.max_tokens) or self.max_tokens + 1
        if start is not None:
            pieces.append(text[start:end])
        return pieces

    def _extends(self, text: str, start: int, end: int, s_end: int, piece_pieces: int) -> bool:
        """Whether text[start:s_end] (the piece so far and the next sentence) fits the target.

        An additive counter counts only what is added: the gap between sentences is white space or
        closing punctuation, where word pieces always break.
        """
        if not self.counter.is_additive:
            return self.fits(text[start:s_end], self.target)
        if s_end - start > self.max_chars(self.target):
            return False
        added = self.count(text[end:s_end], self.target)
        return added is not None and piece_pieces + added - self.prefix_tokens <= self.target

    def split_words(self, text: str) -> list[str]:
        """Last resort: the longest run of whole words that fits, again and again.

        Linear: each word's pieces are known from one pass (``span_pieces``), so the cut is found by
        adding them up; each cut is then checked on a text no longer than one chunk.
        """
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        pieces: list[str] = []
        for first, last in self._runs(text, words, self.span_pieces(text, words)):
            if last < first:  # one word over the limit (a pasted URL or hash)
                pieces.extend(self.split_word(text[words[first][0] : words[first][1]]))
            else:
                pieces.append(text[words[first][0] : words[last][1]])
        return pieces

    def split_word(self, word: str) -> list[str]:
        """A single 'word' over the limit: cut between its word pieces where the counter gives them."""
        offsets = self.counter.token_offsets(word)
        if not offsets:
            return self.split_characters(word)
        spans = [(a, b) for a, b in offsets if b > a]
        # Every character belongs to a span, so the pieces join back into the word exactly.
        spans = [(spans[n - 1][1] if n else 0, b) for n, (_a, b) in enumerate(spans)]
        spans[-1] = (spans[-1][0], len(word))
        pieces: list[str] = []
        for first, last in self._runs(word, spans, [1] * len(spans)):
            if last < first:
                pieces.extend(self.split_characters(word[spans[first][0] : spans[first][1]]))
            else:
                pieces.append(word[spans[first][0] : spans[last][1]])
        return pieces

    def _runs(self, text: str, spans: list[tuple[int, int]], costs: list[int]) -> list[tuple[int, int]]:
        """Consecutive runs (first, last) of spans that fit, longest first; (i, i - 1) for a span that cannot."""
        room = self.max_tokens - self.prefix_tokens
        max_chars = self.max_chars(self.max_tokens)
        runs: list[tuple[int, int]] = []
        i = 0
        while i < len(spans):
            start = spans[i][0]
            guess, used = i - 1, 0  # the last span that the pieces say fits
            while guess + 1 < len(spans) and spans[guess + 1][1] - start <= max_chars:
                if used + costs[guess + 1] > room:
                    break
                guess += 1
                used += costs[guess]
            window = max(guess, i - 1)  # the last span within the character cap
            while window + 1 < len(spans) and spans[window + 1][1] - start <= max_chars:
                window += 1
            last = self._last_fitting(text, spans, i, guess, window)
            runs.append((i, last))
            i = max(last, i) + 1
        return runs

    def span_pieces(self, text: str, spans: list[tuple[int, int]]) -> list[int]:
        """How many pieces each span is: from one tokenisation of the text, or each distinct span counted once."""
        offsets = self.counter.token_offsets(text)
        if offsets is not None:
            costs = [0] * len(spans)
            w = 0
            for token_start, _token_end in offsets:
                while w + 1 < len(spans) and token_start >= spans[w][1]:
                    w += 1
                costs[w] += 1
            return costs
        specials = self.counter("")
        known: dict[str, int] = {}
        for a, b in spans:
            word = text[a:b]
            if word not in known:
                known[word] = max(1, self.counter(word) - specials)
        return [known[text[a:b]] for a, b in spans]

    def _last_fitting(self, text: str, spans: list[tuple[int, int]], i: int, guess: int, window: int) -> int:
        """The last span j in i..window such that spans i..j fit (i - 1 when none does), starting from a guess."""

        def fits_to(j: int) -> bool:
            return self.fits(text[spans[i][0] : spans[j][1]], self.max_tokens)

        if window < i:
            return i - 1
        if guess >= i and fits_to(guess):
            if guess == window or not fits_to(guess + 1):
                return guess  # what the pieces said: the usual case, two checks
            low, high = guess + 1, window
        else:
            low, high = i - 1, (guess - 1 if guess >= i else window)
        while low < high:
            middle = (low + high + 1) // 2
            if fits_to(middle):
                low = middle
            else:
                high = middle - 1
        return low

    def split_characters(self, word: str) -> list[str]:
        """For a single 'word' over the limit (a pasted URL or hash): cut it into pieces that fit."""
        pieces: list[str] = []
        start = 0
        max_chars = max(1, self.max_chars(self.max_tokens))
        while start < len(word):
            low, high = start + 1, min(len(word), start + max_chars)
            if self.fits(word[start:high], self.max_tokens):  # e.g. a run of letters the model reads as one [UNK]
                low = high
            while low < high:
                middle = (low + high + 1) // 2
                if self.fits(word[start:middle], self.max_tokens):
                    low = middle
                else:
                    high = middle - 1
            pieces.append(word[start:low])
            start = low
        return pieces

    def split_table(self, table: _Block, lead_in: str) -> list[str]:
        """Rows packed up to the limit, each piece starting with the header; the lead-in joins the first."""
        header = "\n".join(table.header)
        pieces: list[str] = []
        rows: list[str] = []

        def render(candidate: list[str], with_lead_in: bool) -> str:
            body = "\n".join([header, *candidate] if header else candidate)
            return f"{lead_in}\n\n{body}" if with_lead_in and lead_in else body

        for row in table.rows:
            first = not pieces
            if rows and not self.fits(render([*rows, row], first), self.max_tokens):
                pieces.append(render(rows, first))
                rows = []
            if not rows and not self.fits(render([row], not pieces), self.max_tokens):
                if not pieces and lead_in:  # the lead-in and one row do not fit: the lead-in goes alone
                    pieces.append(lead_in)
                    lead_in = ""
                if not self.fits(render([row], False), self.max_tokens):
                    pieces.extend(self.split_words(row))  # a single enormous row
                    continue
            rows.append(row)
        if rows:
            pieces.append(render(rows, not pieces))
        elif not pieces and lead_in:
            pieces.append(lead_in)
        return pieces


def _unit_text(unit: tuple[_Block, ...]) -> str:
    return "\n\n".join(block.text for block in unit)


def _units_of(blocks: tuple[_Block, ...]) -> list[tuple[_Block, ...]]:
    """Blocks to pack: each on its own, except that a paragraph right before a table goes with it."""
    units: list[tuple[_Block, ...]] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if not block.is_table and following is not None and following.is_table:
            units.append((block, following))
            i += 2
            continue
        units.append((block,))
        i += 1
    return units


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, so that pieces are quoted exactly as written."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start < 0:  # not expected; fall back to the rest of the text as one sentence
            log.debug("sentence not found in its paragraph: %r", sentence[:60])
            break
        spans.append((start, start + len(sentence)))
        cursor = start + len(sentence)
    rest = text[cursor:].strip()
    if rest:
        start = text.find(rest, cursor)
        spans.append((start, start + len(rest)))
    return spans


# ---------------------------------------------------------------------------------------------- body structure


def _sections_of(body: str) -> list[_Section]:
    """The body as sections (heading, blocks); text before the first heading has heading ""."""
    sections: list[_Section] = []
    heading = ""
    blocks: list[_Block] = []
    lines: list[str] = []
    in_fence = False

    def flush_lines() -> None:
        if lines:
            blocks.extend(_blocks_of(lines))
            lines.clear()

    for line in body.split("\n"):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            lines.append(line)
            continue
        match = None if in_fence else _HEADING_RE.match(line)
        if match:
            flush_lines()
            if blocks:
                sections.append(_Section(heading, tuple(blocks)))
                blocks = []
            heading = match.group(2)
            continue
        if not line.strip() and not in_fence:
            flush_lines()
            continue
        lines.append(line)
    flush_lines()
    if blocks:
        sections.append(_Section(heading, tuple(blocks)))
    return sections


def _blocks_of(lines: list[str]) -> list[_Block]:
    """One paragraph's lines as blocks: pipe tables are cut out of any text around them, and a plain-text
    table keeps its introducing line (e.g. "Scores:") as a paragraph of its own."""
    blocks: list[_Block] = []
    run: list[str] = []
    for i, line in enumerate(lines):
        run.append(line)
        is_pipe = line.lstrip().startswith("|")
        if i + 1 == len(lines) or lines[i + 1].lstrip().startswith("|") != is_pipe:
            blocks.extend(_pipe_table_blocks(run) if is_pipe else _text_blocks(run))
            run = []
    return blocks


def _pipe_table_blocks(lines: list[str]) -> list[_Block]:
    text = "\n".join(lines)
    if len(lines) >= 2 and _PIPE_SEPARATOR_RE.match(lines[1].strip()):
        return [_Block(text, is_table=True, header=tuple(lines[:2]), rows=tuple(lines[2:]))]
    return [_Block(text, is_table=True, rows=tuple(lines))]


def _text_blocks(lines: list[str]) -> list[_Block]:
    if is_plain_table(lines):
        return [_plain_table_block(lines)]
    if len(lines) >= 4 and is_plain_table(lines[1:]):
        return [_Block(lines[0]), _plain_table_block(lines[1:])]
    return [_Block("\n".join(lines))]


def _plain_table_block(lines: list[str]) -> _Block:
    first_word = lines[0].split()[0].lower() if lines[0].split() else ""
    is_header = not _ends_with_value(lines[0]) or first_word in _TABLE_HEADER_WORDS  # "Model Terminal-Bench 2.0"
    header = (lines[0],) if is_header else ()
    return _Block("\n".join(lines), is_table=True, header=header, rows=tuple(lines[len(header) :]))


def is_plain_table(lines: list[str]) -> bool:
    """A block of short lines that are rows of values, like "Model Score" / "GPT-5.4 57" / ...

    At least two rows end with a number, no line ends a sentence or is a list item, none is long.
    """
    if len(lines) < 3:
        return False
    for line in lines:
        stripped = line.strip()
        if not stripped or len(stripped) > 100 or _LIST_MARKER_RE.match(line):
            return False
        if stripped.endswith((".", "!", "?", ":", ";", ",")) and not _ends_with_value(stripped):
            return False
    return sum(1 for line in lines if _ends_with_value(line)) >= max(2, len(lines) - 1)


def _ends_with_value(line: str) -> bool:
    last = line.split()[-1] if line.split() else ""
    return bool(re.fullmatch(r"[$€£]?\d+(?:[.,]\d+)*[%xXMBKk]?|[-–—]|n/?a|N/?A", last)) or "\t" in line.strip()
