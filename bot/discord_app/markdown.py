"""Discord Markdown made inert: text from articles is shown as written and never interpreted.

discord.py's `escape_markdown` misses the text between two links on one line (its link pattern is greedy), so
spoilers, code and masked links such as `[https://good.example](http://evil.example)` got through. Here every
character that can start Discord Markdown is escaped with a backslash (Discord shows `\\x` as `x` for any
punctuation `x`):
- anywhere: `\\ * _ ~ | `` (emphasis, underline, strike-through, spoilers, code) and `<` (user, role and
  channel mentions, custom emoji `<:a:1>`, timestamps `<t:1:R>`, command mentions `</ask:1>`);
- a `(` right after `]`, so no `[label](url)` becomes a masked link;
- at the start of a line: `#` (headings), `-#` (subtext), `>` (quotes), `-` and `+` (lists), `1.` (numbered lists).
Plain http(s) URLs are kept whole and wrapped in `<…>`: readable, clickable at their true address, never
unfurled into a preview, and not escaped inside (a backslash would change the address).
Characters that reorder or hide text (bidirectional controls such as U+202E, C0/C1 controls) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.text import CONTROL_CHARACTERS

URL_RE = re.compile(r"https?://[^\s<>\[\]()`\"'|\\]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?*_~"  # sentence punctuation after a URL, not part of it
_INLINE_RE = re.compile(r"[\\*_~|`<]|(?<=\])\(")
_LINE_START_RE = re.compile(r"(?m)^([ \t]*)(-#|#|>|[-+](?=\s)|\d+(?=[.)]\s))")
_DEFUSE_RE = re.compile(r"<|(?<=\])\(")


# Controls and direction marks (the list in bot.core.text); a zero-width space stays: the renderer puts one
# in "@\u200beveryone" to keep a mention from pinging.
UNSAFE_CHARACTERS_RE = re.compile(f"[{CONTROL_CHARACTERS}]")


def strip_unsafe_characters(text: str) -> str:
    """Drop control and direction-changing characters (they can reverse or hide what a reader sees)."""
    return UNSAFE_CHARACTERS_RE.sub("", text)


def _escape_line_start(match: re.Match[str], *, segment_at_line_start: bool) -> str:
    if match.start() == 0 and not segment_at_line_start:
        return match.group()  # the segment continues a line begun before a URL
    indent, marker = match.group(1), match.group(2)
    if marker[0].isdigit():
        return f"{indent}{marker}\\"  # 1. -> 1\.
    return f"{indent}\\{marker}"


def _escape_plain(text: str, at_line_start: bool) -> str:
    text = _INLINE_RE.sub(lambda match: "\\" + match.group(), text)
    return _LINE_START_RE.sub(lambda match: _escape_line_start(match, segment_at_line_start=at_line_start), text)


def _defuse_plain(text: str, at_line_start: bool) -> str:
    return _DEFUSE_RE.sub(lambda match: "\\" + match.group(), text)


def _around_urls(text: str, escape: Callable[[str, bool], str]) -> str:
    """`escape` applied to the text between URLs; each URL kept whole as `<url>` (a link with no preview)."""
    parts: list[str] = []
    position = 0
    for match in URL_RE.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        if "://" not in url or url.endswith("://"):
            continue  # no address to keep whole: escaped as text
        start = match.start()
        parts.append(escape(text[position:start], position == 0 or text[position - 1] == "\n"))
        parts.append(f"<{url}>")
        position = start + len(url)
    parts.append(escape(text[position:], position == 0 or text[position - 1] == "\n"))
    return "".join(parts)


def escape_markdown(text: str, *, link_urls: bool = True) -> str:
    """`text` with every Markdown construct escaped and its http(s) URLs as preview-free `<url>` links.

    With link_urls=False URLs are escaped like the rest: for embed titles and field names, where Discord
    makes no links and would show the angle brackets.
    """
    return _around_urls(text, _escape_plain) if link_urls else _escape_plain(text, True)


def defuse_links(text: str) -> str:
    """For our own sentences that may quote a user or a file: no masked links, tags or previews; Markdown kept."""
    return _around_urls(text, _defuse_plain)
