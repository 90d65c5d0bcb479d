"""An article body as paragraphs (each with its heading) and tables, with offsets; sentences of a paragraph; a
text normalised character by character and mapped back to the original."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.text import ABBREVIATIONS as _ABBREVIATIONS
from bot.core.text import HEADING_RE as _HEADING_RE
from bot.core.text import SCORE_SENTENCE_END_RE as _SENTENCE_END_RE
from bot.core.text import normalize_text

_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+•◦▪·]|\d{1,3}[.)])\s+")


@dataclass(slots=True)
class Paragraph:
    text: str
    position: int  # offset in the body
    heading: str


@dataclass(slots=True)
class Table:
    lines: tuple[str, ...]
    position: int
    heading: str
    intro: str  # the paragraph just before the table, "" when none
    is_pipe: bool


@dataclass(slots=True)
class Layout:
    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def read_layout(body: str) -> Layout:
    """Paragraphs (with their heading) and tables of a body, in order, with their offsets."""
    layout = Layout()
    heading = ""
    lines = body.split("\n")
    offsets = []
    position = 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    block: list[int] = []
    previous_paragraph = ""

    def flush() -> None:
        nonlocal previous_paragraph
        if not block:
            return
        block_lines = [lines[i] for i in block]
        start = offsets[block[0]]
        for kind, first, last in _split_block(block_lines):
            text = "\n".join(block_lines[first : last + 1])
            pos = start + sum(len(line) + 1 for line in block_lines[:first])
            if kind == "table" or kind == "pipe":
                layout.tables.append(
                    Table(tuple(block_lines[first : last + 1]), pos, heading, previous_paragraph, kind == "pipe")
                )
            else:
                layout.paragraphs.append(Paragraph(text, pos, heading))
                previous_paragraph = text
        block.clear()

    for i, line in enumerate(lines):
        match = _HEADING_RE.match(line)
        if match:
            flush()
            heading = match.group(2).strip()
            previous_paragraph = ""
            continue
        if not line.strip():
            flush()
            continue
        block.append(i)
    flush()
    return layout


def _split_block(lines: list[str]) -> list[tuple[str, int, int]]:
    """A block's pieces: ("pipe" | "table" | "text", first line, last line); list items one by one."""
    from bot.core.chunking import is_plain_table

    pieces: list[tuple[str, int, int]] = []
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|"):
            j = i
            while j + 1 < len(lines) and lines[j + 1].lstrip().startswith("|"):
                j += 1
            pieces.append(("pipe", i, j))
            i = j + 1
            continue
        j = i
        while j + 1 < len(lines) and not lines[j + 1].lstrip().startswith("|"):
            j += 1
        run = lines[i : j + 1]
        if is_plain_table(run):
            pieces.append(("table", i, j))
        elif len(run) >= 4 and is_plain_table(run[1:]):
            pieces.append(("text", i, i))
            pieces.append(("table", i + 1, j))
        else:
            start = i
            for k in range(i, j + 1):
                if k > start and (_LIST_ITEM_RE.match(lines[k]) or _LIST_ITEM_RE.match(lines[k - 1])):
                    pieces.append(("text", start, k - 1))
                    start = k
            pieces.append(("text", start, j))
        i = j + 1
    return pieces


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(paragraph):
        candidate = paragraph[start : match.start()].rstrip()
        if candidate.endswith(_ABBREVIATIONS) or re.search(r"\b[A-Z]\.$", candidate):
            continue
        if candidate.strip():
            spans.append((start, start + len(candidate)))
        start = match.end()
    rest = paragraph[start:].rstrip()
    if rest.strip():
        spans.append((start, start + len(rest)))
    return spans


class Normalized:
    """A text normalised character by character (NFKC, ASCII quotes and dashes), mapped back to the original."""

    def __init__(self, original: str) -> None:
        self.original = original
        chars: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(original):
            norm = normalize_text(ch) if ord(ch) > 127 else ch
            for c in norm:
                chars.append(c)
                index.append(i)
        index.append(len(original))
        self.text = "".join(chars)
        self._index = index

    def original_span(self, start: int, end: int) -> str:
        return self.original[self._index[start] : self._index[end - 1] + 1 if end > start else self._index[start]]
