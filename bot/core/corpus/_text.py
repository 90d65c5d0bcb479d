"""Plain-text articles (a title line, optional ``Key: value`` header lines, then the body), and the
Markdown body lines shared with ``.md`` files: section headings are found and marked with ``##``."""

from __future__ import annotations

import logging
import re

from bot.core.corpus._validate import _HEADING_LINE_RE, ArticleError, _build_article
from bot.core.models import Article
from bot.core.text import MONTH_NAMES

log = logging.getLogger(__package__)  # one logger for the whole corpus reader, as before the split

# Plain-text header lines between the title and the body.
_TXT_HEADER_RE = re.compile(
    r"^(source|outlet|publication|site|author|by|published|date|url|link|title)\s*:\s*(.*)$", re.IGNORECASE
)
_TXT_HEADER_FIELDS = {
    "source": "outlet", "outlet": "outlet", "publication": "outlet", "site": "outlet",
    "author": "author", "by": "author", "published": "published", "date": "published",
    "url": "url", "link": "url", "title": "title",
}  # fmt: skip
_BYLINE_RE = re.compile(
    r"^[Bb][Yy]\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4})(?:\s*[,|–—]\s*([A-Z][^,|]{1,60}))?$"
)  # "By Renata Quiroga", "By Walter Brisco, Heartland Infrastructure Report"
_MONTHS = "|".join(MONTH_NAMES)
_DATE_LINE_RE = re.compile(
    rf"^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    rf"(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|\d{{4}}-\d\d-\d\d)$",
    re.IGNORECASE,
)  # a line that is only a date: "April 30, 2026", "30 April 2026", "2026-04-30"

# A place and a date at the start of the body: "Riga, May 2, 2026.", "LONDON, 2 May 2026 —".
_DATELINE_RE = re.compile(
    rf"^[A-Z][\w.'’ -]{{1,40}},\s+((?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}})"
    r"\s*(?:[.:]|[—–-])",
    re.IGNORECASE,
)
_LIST_MARKER_RE = re.compile(r"^\s*(?:[-*+•◦▪·]|\d{1,3}[.)])\s+")
_SENTENCE_END_CHARS = ".!?:;,"
_CLOSING_QUOTES = "\"'”’)]"
_MINOR_WORDS = frozenset(
    {
        "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on", "onto", "or",
        "per", "so", "than", "the", "to", "up", "via", "vs", "vs.", "with",
    }
)  # fmt: skip


def _markdown_body(body: str) -> str:
    """Setext headings (Title / ====) to ATX (# Title); everything else as written."""
    lines = body.split("\n")
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip() and re.fullmatch(r"\s*(=+|-+)\s*", line) and len(line.strip()) >= 3:
            previous = out[-1].strip()
            if not previous.startswith(("#", "|", "-", "*")) and not _LIST_MARKER_RE.match(previous):
                out[-1] = ("# " if line.strip()[0] == "=" else "## ") + previous
                continue
        out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- plain text


def _dated_header(line: str) -> dict[str, str] | None:
    """The fields of a one-line header of parts split by "|" with a date among them ("Open Weights Review |
    April 6, 2026", "By Ana Ruiz | The Desk | May 7, 2026"), or None when the line is not one."""
    parts = [part.strip() for part in line.split("|")]
    if not 2 <= len(parts) <= 4 or len(line) > 200 or not any(_DATE_LINE_RE.match(part) for part in parts):
        return None
    fields: dict[str, str] = {}
    for part in parts:
        byline = _BYLINE_RE.match(part)
        person = _PERSON_WITH_ROLE_RE.match(part)
        if _DATE_LINE_RE.match(part):
            fields.setdefault("published", part)
        elif byline:
            fields.setdefault("author", byline.group(1))
        elif person and "outlet" in fields and "author" not in fields:
            fields["author"] = person.group(1)  # "Mireille Abernathy, head of technology underwriting"
            fields["note"] = " · ".join(parts)  # who the author is stays in the text, as a page's byline does
        elif re.fullmatch(r"[A-Z][\w&.'’, -]{1,80}", part) and "outlet" not in fields:
            fields["outlet"] = part  # "Calderbank Specialty, Technology Desk"
        else:
            return None
    return fields


# A person's name and their role after a comma, in a header line with no "By": "Mireille Abernathy, head of
# technology underwriting".
_PERSON_WITH_ROLE_RE = re.compile(r"^([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}),\s+[a-z][\w ,&'’-]{2,80}$")


def _parse_txt(text: str, name: str, source_path: str, *, markdown: bool = False) -> Article:
    lines = [line.rstrip() for line in text.split("\n")]
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index == len(lines):
        raise ArticleError(name, "the file is empty", "add the article's text and try again")
    first = lines[index].strip()
    heading = _HEADING_LINE_RE.match(first)
    title = heading.group(2) if heading else first
    fields: dict[str, str] = {}
    header = _TXT_HEADER_RE.match(title)
    if header and header.group(1).lower() == "title":
        title = header.group(2)
    index += 1
    # Optional "Key: value" header lines (blank lines allowed between them), before the body starts.
    cursor = index
    while cursor < len(lines):
        line = lines[cursor].strip()
        if not line:
            cursor += 1
            continue
        match = _TXT_HEADER_RE.match(line)
        byline = _BYLINE_RE.match(line)
        if match and len(line) <= 300:
            field = _TXT_HEADER_FIELDS[match.group(1).lower()]
            fields.setdefault(field, match.group(2).strip())
        elif byline and "author" not in fields:
            fields["author"] = byline.group(1)
            if byline.group(2):
                fields.setdefault("outlet", byline.group(2).strip())
        elif _DATE_LINE_RE.match(line) and "published" not in fields:
            fields["published"] = line
        elif (parts := _dated_header(line)) is not None:
            for field, value in parts.items():
                fields.setdefault(field, value)
        else:
            break
        cursor += 1
        index = cursor
    body_lines = lines[index:]
    if "note" in fields:
        body_lines = [fields.pop("note"), "", *body_lines]
    if "published" not in fields:
        # A dateline opens the body: "Riga, May 2, 2026. Published by the Board's press office."
        opening = next((line.strip() for line in body_lines if line.strip()), "")
        dateline = _DATELINE_RE.match(opening)
        if dateline:
            fields["published"] = dateline.group(1)
    body = _markdown_body("\n".join(body_lines)) if markdown else _plain_text_body(body_lines)
    return _build_article(
        name=name,
        source_path=source_path,
        title=fields.get("title") or title,
        body=body,
        outlet=fields.get("outlet", ""),
        author=fields.get("author", ""),
        url=fields.get("url", ""),
        published=fields.get("published", ""),
    )


def _plain_text_body(lines: list[str]) -> str:
    """Mark section headings with ``##``, one blank line between paragraphs, other lines verbatim."""
    lines = _without_repeated_lines(lines)
    headings = _heading_flags(lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        if not line.strip():
            if out and out[-1]:
                out.append("")
            continue
        if headings[i]:
            if out and out[-1]:
                out.append("")
            out.extend([f"## {line.strip()}", ""])
            continue
        previous = out[-1] if out else ""
        if previous and _is_paragraph_line(previous) and not previous.startswith("## "):
            out.append("")  # one paragraph per line (no blank line between them in the source)
        out.append(line)
    return "\n".join(out)


def _without_repeated_lines(lines: list[str]) -> list[str]:
    """Drop a line that repeats the previous non-blank line (site templates often repeat headings)."""
    out: list[str] = []
    previous = ""
    for line in lines:
        stripped = line.strip()
        if stripped and stripped == previous and "|" not in stripped:
            log.debug("dropping repeated line %r", stripped[:60])
            continue
        if stripped:
            previous = stripped
        out.append(line)
    return out


def _is_paragraph_line(line: str) -> bool:
    """A line that is a whole prose paragraph: long, and ends a sentence."""
    stripped = line.strip().rstrip(_CLOSING_QUOTES)
    return len(line.strip()) >= 80 and stripped.endswith((".", "!", "?")) and not _LIST_MARKER_RE.match(line)


def _looks_like_heading(line: str) -> bool:
    """Short, no final punctuation (a question mark is fine), in title case or a question."""
    stripped = line.strip()
    words = stripped.split()
    if not words or len(words) > 14 or len(stripped) > 100:
        return False
    if "|" in stripped or "\t" in line or _LIST_MARKER_RE.match(line) or stripped.startswith("#"):
        return False
    core = stripped.rstrip(_CLOSING_QUOTES)
    if core.endswith(tuple(_SENTENCE_END_CHARS.replace("?", ""))):
        return False
    if re.search(r"\d[\d.,%]*$", core) and not _is_upper_case(core):
        return False  # "Muse Spark 52": a table row, not a heading ("APRIL 16: CLAUDE OPUS 4.7" is one)
    if core.endswith("?"):
        return words[0][:1].isupper()
    return _is_title_case(words)


def _is_upper_case(text: str) -> bool:
    """Capitals only, in two words or more of letters: a heading's style, not a row's."""
    return text.upper() == text and len(re.findall(r"[A-Z]{2,}", text)) >= 2


def _is_title_case(words: list[str]) -> bool:
    significant = 0
    capitalised = 0
    for position, word in enumerate(words):
        core = word.strip("\"'“”‘’()[]:,-—–")
        if not core:
            continue
        if position > 0 and core.lower() in _MINOR_WORDS:
            continue
        significant += 1
        if core[0].isupper() or core[0].isdigit():
            capitalised += 1
    return significant > 0 and capitalised / significant >= 0.8


def _is_sentence_like(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 60 or (len(stripped.split()) >= 3 and stripped.rstrip(_CLOSING_QUOTES)[-1:] in ".!?:")


def _heading_flags(lines: list[str]) -> list[bool]:
    """Which lines are section headings: a heading-like line that starts a block (after a blank line or a
    finished sentence) and is followed by a paragraph, possibly through further headings."""
    flags = [False] * len(lines)
    next_is_heading = False  # whether the next non-blank line below is a heading
    next_line = ""
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if not line.strip():
            continue
        previous = lines[i - 1] if i > 0 else ""
        starts_block = i == 0 or not previous.strip() or _is_paragraph_line(previous) or _ends_sentence(previous)
        followed = next_line and (next_is_heading or _is_sentence_like(next_line))
        flags[i] = bool(starts_block and followed and _looks_like_heading(line))
        next_is_heading = flags[i]
        next_line = line
    return flags


def _ends_sentence(line: str) -> bool:
    stripped = line.strip().rstrip(_CLOSING_QUOTES)
    return len(stripped.split()) >= 4 and stripped.endswith((".", "!", "?"))
