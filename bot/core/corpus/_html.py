"""HTML articles: trafilatura extracts the article as Markdown; pages nested too deeply are flattened first."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

from bot.core.corpus._text import _without_repeated_lines
from bot.core.corpus._validate import _HEADING_LINE_RE, ArticleError, _build_article, _clean_text
from bot.core.models import Article
from bot.core.text import DATE_IN_TEXT_RE

log = logging.getLogger(__package__)  # one logger for the whole corpus reader, as before the split

_HTML_MIN_WORDS_IN_A_LINE = 5  # a page whose longest line is shorter than this is navigation, not an article

# ---------------------------------------------------------------------------------------------- HTML


# libxml2 drops what lies deeper than 256 elements; a page nested deeper is flattened to this depth first.
_MAX_HTML_DEPTH = 100
_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class _HtmlFlattener(HTMLParser):
    """Re-writes HTML with no element deeper than ``max_depth``: deeper start and end tags are dropped,
    their text is kept. Streaming and without recursion, so any depth costs linear time."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(convert_charrefs=False)
        self.max_depth = max_depth
        self.out: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, written)
        self.open_counts: dict[str, int] = {}
        self.written = 0
        self.deepest = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_ELEMENTS:
            self.out.append(self.get_starttag_text() or "")
            return
        write = self.written < self.max_depth
        self.open.append((tag, write))
        self.open_counts[tag] = self.open_counts.get(tag, 0) + 1
        self.deepest = max(self.deepest, len(self.open))
        if write:
            self.written += 1
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if not self.open_counts.get(tag):
            return  # closes nothing that is open
        while self.open:
            open_tag, written = self.open.pop()
            self.open_counts[open_tag] -= 1
            if written:
                self.written -= 1
                self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                return

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")


def _flattened_html(text: str) -> str | None:
    """The page with its nesting cut to ``_MAX_HTML_DEPTH``; None when it was not nested that deep."""
    flattener = _HtmlFlattener(_MAX_HTML_DEPTH)
    flattener.feed(text)
    flattener.close()
    if flattener.deepest <= _MAX_HTML_DEPTH:
        return None
    return "".join(flattener.out) + "".join(f"</{tag}>" for tag, written in reversed(flattener.open) if written)


def _parse_html(text: str, name: str, source_path: str) -> Article:
    try:
        return _parse_html_tree(text, name, source_path)
    except (ArticleError, RecursionError) as exc:
        flat = _flattened_html(text)
        if flat is None:
            if isinstance(exc, RecursionError):
                raise ArticleError(
                    name, "the HTML is nested too deeply", "save the page again from the browser"
                ) from exc
            raise
        log.info("%s is nested deeper than %d elements; reading it flattened", name, _MAX_HTML_DEPTH)
        return _parse_html_tree(flat, name, source_path)


def _parse_html_tree(text: str, name: str, source_path: str) -> Article:
    import trafilatura  # slow to import (lxml, htmldate); only HTML needs it

    try:
        tree = trafilatura.load_html(text)
    except Exception as exc:  # lxml raises many types on broken markup
        raise ArticleError(name, "the HTML cannot be parsed", "save the page again from the browser") from exc
    if tree is None:
        raise ArticleError(name, "the HTML cannot be parsed", "save the page again from the browser")
    _move_captions_above_tables(tree)
    extracted = trafilatura.extract(
        tree,  # trafilatura works on a copy, so the metadata below still reads the whole page
        output_format="markdown",
        include_tables=True,
        include_formatting=True,  # keeps headings as #/##; bold and italics are removed below
        include_comments=False,
        include_links=False,
        include_images=False,
        deduplicate=False,
    )
    body = _html_body(extracted or "")
    if not any(len(line.split()) >= _HTML_MIN_WORDS_IN_A_LINE for line in body.split("\n")):
        raise ArticleError(
            name,
            "the page has no article text (only navigation or boilerplate)",
            "save the article page itself, or copy its text into a .txt file",
        )
    metadata = trafilatura.extract_metadata(tree, extensive=False)
    note = _byline_note(tree, body, (metadata.author or "") if metadata else "")
    if note:  # after the page's title heading, where the byline stood
        top, _, rest = body.partition("\n")
        body = f"{top}\n\n{note}\n{rest}" if _HEADING_LINE_RE.match(top) else f"{note}\n\n{body}"
    meta_url = (metadata.url or "") if metadata else ""
    title = (metadata.title or "") if metadata else ""
    if not title:
        first = _HEADING_LINE_RE.match(body.split("\n", 1)[0])
        title = first.group(2) if first else ""
    outlet = ""
    if metadata:
        outlet = metadata.sitename or (metadata.hostname or "").removeprefix("www.")
    return _build_article(
        name=name,
        source_path=source_path,
        title=title,
        body=body,
        outlet=outlet,
        author=(metadata.author or "") if metadata else "",
        url=_canonical_url(tree, meta_url),
        published=(metadata.date or "") if metadata else "",
    )


_BYLINE_CLASS_XPATH = "//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]"


def _byline_note(tree: object, body: str, author: str) -> str:
    """The page's byline when it says more than who wrote it and when: "By Ana Ruiz, lead developer at Paper Kite
    Games, Montreal · April 26, 2026" tells who the author is and where they work, which the article's
    sentences then take for granted ("our Montreal studio"). trafilatura drops bylines from the text, so the
    line is kept as the body's first paragraph. "" for a plain byline, or one the body already holds."""
    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return ""
    for element in xpath(_BYLINE_CLASS_XPATH)[:1]:
        text = " ".join(element.text_content().split())
        if not text or len(text) > 300 or text in body:
            return ""
        rest = DATE_IN_TEXT_RE.sub(" ", text)
        rest = re.sub(r"^\s*by\b", " ", rest, flags=re.IGNORECASE)
        for name in filter(None, (author, *author.split(","))):
            rest = rest.replace(name.strip(), " ")
        words = re.findall(r"[^\W\d_]{2,}", rest)
        return text if len(words) >= 2 else ""
    return ""


def _move_captions_above_tables(tree: object) -> None:
    """Each table's ``<caption>`` becomes a paragraph just above the table.

    trafilatura turns a caption into the table's header row and pushes the real header row down among
    the data rows; as a line above the table the caption (which often names the benchmark) stays readable
    and the header row stays the header.
    """
    from lxml import html  # trafilatura's parser; only HTML needs it

    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return
    for caption in xpath("//table/caption"):
        table = caption.getparent()
        text = " ".join(caption.text_content().split())
        caption.drop_tree()  # keeps any text that follows the caption inside the table
        if text:
            paragraph = html.Element("p")
            paragraph.text = text
            table.addprevious(paragraph)


def _html_body(markdown: str) -> str:
    text = _clean_text(markdown)
    text = re.sub(r"(?<!\\)\*\*(?=\S)(.+?)(?<=\S)\*\*", r"\1", text)
    text = re.sub(r"(?<![\\\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!>~])", r"\1", text)
    return "\n".join(_without_repeated_lines([line.rstrip() for line in text.split("\n")]))


def _canonical_url(tree: object, fallback: str) -> str:
    """<link rel="canonical">, else og:url, else what trafilatura found; http(s) addresses only."""
    xpath = getattr(tree, "xpath", None)
    candidates: list[str] = []
    if xpath is not None:
        candidates += xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href")
        candidates += xpath("//meta[@property='og:url' or @name='og:url']/@content")
    candidates.append(fallback)
    absolute = next((c.strip() for c in candidates if re.match(r"^https?://", c.strip(), re.I)), "")
    for candidate in candidates:
        candidate = candidate.strip()
        if re.match(r"^https?://[^\s/]+", candidate, re.IGNORECASE):
            return candidate
        if candidate.startswith("/") and absolute:
            return urljoin(absolute, candidate)
    return ""
