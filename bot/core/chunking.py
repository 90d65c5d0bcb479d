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
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.core.models import Article, Chunk
from bot.core.text import split_sentences

log = logging.getLogger(__name__)

TokenCounter = Callable[[str], int]

# Paragraphs are packed up to this many word pieces of embed_text, which leaves room below the
# 256-piece hard limit for a single long paragraph to stay whole. ~190 pieces is ~140 words of text
# after the title/heading prefix: one or two paragraphs, the size at which MiniLM-class embedders
# (trained on passages of up to 128-256 pieces) retrieve best, and a quote that fits a Discord field.
TARGET_TOKENS = 192
DEFAULT_MAX_TOKENS = 256
# The title and heading read by the model are shortened when they would take more than this share
# of the budget (only with absurdly long titles); the chunk's own fields keep them whole.
_MAX_PREFIX_SHARE = 0.4

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_PIPE_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LIST_MARKER_RE = re.compile(r"^\s*(?:[-*+•◦▪·]|\d{1,3}[.)])\s+")
_APPROX_PIECE_RE = re.compile(r"[^\W\d_]+|\d+|[^\w\s]", re.UNICODE)
_CAMEL_JOIN_RE = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
_TABLE_HEADER_WORDS = frozenset({"model", "models", "benchmark", "benchmarks", "name", "rank", "system", "lab", "task"})
_WIDE_CHAR_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")


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


# ---------------------------------------------------------------------------------------------- token counters


def load_token_counter(model_path: Path) -> TokenCounter:
    """Count word pieces as the model sees them (special tokens included, nothing truncated or padded).

    Reads ``<model_path>/tokenizer.json`` with the ``tokenizers`` library: fast, and no torch import.
    """
    from tokenizers import Tokenizer

    tokenizer_file = Path(model_path) / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise FileNotFoundError(
            f"{tokenizer_file} not found; point the model path at a sentence-transformers model folder"
        )
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_truncation()  # the shipped tokenizer.json truncates and pads to 128
    tokenizer.no_padding()

    def count_tokens(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=True).ids)

    return count_tokens


def approximate_token_counter(text: str) -> int:
    """A cheap, deliberately generous stand-in for the model's tokenizer (for tests).

    Each punctuation mark, digit run and CJK character is a piece; a word is one piece per 7 letters
    plus one per inner capital ("OpenAI", "ChatGPT" are split by the model); the total is times 1.3,
    plus the 2 special tokens. The tests check that it never counts fewer pieces than the real
    tokenizer on the shipped articles (titles, headings, sentences, paragraphs and chunks).
    """
    pieces = len(_WIDE_CHAR_RE.findall(text))
    for piece in _APPROX_PIECE_RE.findall(text):
        if piece[0].isalpha():
            pieces += 1 + (len(piece) - 1) // 7 + len(_CAMEL_JOIN_RE.findall(piece))
        else:
            pieces += 1
    return math.ceil(pieces * 1.3) + 2


# ---------------------------------------------------------------------------------------------- chunking


def split_into_chunks(
    article: Article, count_tokens: TokenCounter, max_tokens: int = DEFAULT_MAX_TOKENS
) -> tuple[Chunk, ...]:
    """The article's passages in document order, ids ``<article-id>#<n>``; each embed_text fits max_tokens."""
    if max_tokens < 16:
        raise ValueError(f"max_tokens={max_tokens} is too small to hold a passage; use the model's limit (256)")
    target = min(TARGET_TOKENS, max_tokens)
    chunks: list[Chunk] = []
    for section in _sections_of(article.body):
        prefix = _embed_prefix(article.title, section.heading, count_tokens, max_tokens)
        packer = _Packer(prefix, count_tokens, target, max_tokens)
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
    log.debug("article %s: %d chunks", article.id, len(chunks))
    return tuple(chunks)


def build_embed_text(title: str, heading: str, text: str) -> str:
    """What the model reads for a passage: title, " — " heading (when there is one), newline, text."""
    return f"{title} — {heading}\n{text}" if heading else f"{title}\n{text}"


def _embed_prefix(title: str, heading: str, count_tokens: TokenCounter, max_tokens: int) -> str:
    budget = int(max_tokens * _MAX_PREFIX_SHARE)
    prefix = build_embed_text(title, heading, "")
    if count_tokens(prefix) <= budget:
        return prefix
    title_words, heading_words = title.split(), heading.split()
    while count_tokens(prefix) > budget and (len(title_words) > 4 or len(heading_words) > 4):
        if len(title_words) >= len(heading_words):
            title_words = title_words[:-1]
        else:
            heading_words = heading_words[:-1]
        prefix = build_embed_text(" ".join(title_words) + " …", " ".join(heading_words), "")
    if count_tokens(prefix) > budget:  # a few enormous "words": cut by characters
        prefix = build_embed_text(title[:60] + " …", heading[:40], "")
    return prefix


class _Packer:
    """Greedy packing of one section's blocks into chunk texts that fit the budget."""

    def __init__(self, prefix: str, count_tokens: TokenCounter, target: int, max_tokens: int) -> None:
        self.prefix = prefix
        self.count_tokens = count_tokens
        self.target = target
        self.max_tokens = max_tokens

    def fits(self, text: str, limit: int) -> bool:
        return self.count_tokens(self.prefix + text) <= limit

    def pack(self, blocks: tuple[_Block, ...]) -> list[str]:
        out: list[str] = []
        current = ""
        for unit in _units_of(blocks):
            joined = f"{current}\n\n{_unit_text(unit)}" if current else _unit_text(unit)
            if self.fits(joined, self.target):
                current = joined
                continue
            if current:
                out.append(current)
                current = ""
            if self.fits(_unit_text(unit), self.max_tokens):
                current = _unit_text(unit)
                continue
            pieces = self.split_unit(unit)
            out.extend(pieces[:-1])
            current = pieces[-1]
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
        for s_start, s_end in spans:
            if start is not None and self.fits(text[start:s_end], self.target):
                end = s_end
                continue
            if start is not None:
                pieces.append(text[start:end])
            start, end = s_start, s_end
            if not self.fits(text[s_start:s_end], self.max_tokens):
                words = self.split_words(text[s_start:s_end])
                pieces.extend(words[:-1])
                last = words[-1]
                start = s_end - len(last)
        if start is not None:
            pieces.append(text[start:end])
        return pieces

    def split_words(self, text: str) -> list[str]:
        """Last resort: the longest run of whole words that fits, again and again."""
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        pieces: list[str] = []
        i = 0
        while i < len(words):
            low, high = i, len(words) - 1  # find the last word j such that words i..j fit
            while low < high:
                middle = (low + high + 1) // 2
                if self.fits(text[words[i][0] : words[middle][1]], self.max_tokens):
                    low = middle
                else:
                    high = middle - 1
            piece = text[words[i][0] : words[low][1]]
            if low == i and not self.fits(piece, self.max_tokens):
                pieces.extend(self.split_characters(piece))
            else:
                pieces.append(piece)
            i = low + 1
        return pieces

    def split_characters(self, word: str) -> list[str]:
        """For a single 'word' over the limit (a pasted URL or hash): cut it into pieces that fit."""
        pieces: list[str] = []
        start = 0
        while start < len(word):
            low, high = start + 1, len(word)
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
