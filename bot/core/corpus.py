"""Read news articles (.md with YAML front matter, .txt, .html) into ``Article`` values, and validate them.

Every format ends as the same normalised body: ``#``/``##`` headings on their own lines, paragraphs
separated by one blank line, tables as Markdown pipe tables (HTML, Markdown) or as the plain lines
they were written in (plain text). Anything that cannot be read becomes an ``ArticleError`` that names
the file, says what is wrong and what to do about it.

Encoding: UTF-8 (with or without a BOM), or UTF-16/UTF-32 with a BOM. Text that is not UTF-8 is accepted
as Windows-1252 only when every byte decodes and the result reads as text (letters and typographic punctuation, no C1
controls, no UTF-8 mojibake); anything else is rejected rather than guessed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml

from bot.core.errors import MusebotError
from bot.core.models import Article
from bot.core.text import normalize_text, remove_control_characters

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".md", ".markdown", ".txt", ".html", ".htm")
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
MAX_ID_LENGTH = 64
MAX_TITLE_LENGTH = 300
UNKNOWN_OUTLET = "Unknown outlet"

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_HTML_MIN_WORDS_IN_A_LINE = 5  # a page whose longest line is shorter than this is navigation, not an article
_FRONT_MATTER_KEYS = frozenset({"id", "title", "outlet", "author", "url", "published"})
_SUPPORTED_HINT = "save the article as .md (with YAML front matter), .txt or .html"

_NEWLINES_RE = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or a .docx/.odt document)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}
# Longest first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Characters Windows-1252 text legitimately has above ASCII, besides letters.
_CP1252_PUNCTUATION = frozenset("‘’‚“”„–—…•€£¥¢°©®™§¶·«»×÷±¼½¾¹²³µ¿¡ªº† ‡‰‹›")
_MOJIBAKE_RE = re.compile(r"[ÃÂâÅÆ][\u0080-\u00bf\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")

# Plain-text header lines between the title and the body.
_TXT_HEADER_RE = re.compile(
    r"^(source|outlet|publication|site|author|by|published|date|url|link|title)\s*:\s*(.*)$", re.IGNORECASE
)
_TXT_HEADER_FIELDS = {
    "source": "outlet", "outlet": "outlet", "publication": "outlet", "site": "outlet",
    "author": "author", "by": "author", "published": "published", "date": "published",
    "url": "url", "link": "url", "title": "title",
}  # fmt: skip
_BYLINE_RE = re.compile(r"^[Bb][Yy]\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4})$")
_DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%b. %d, %Y")

_HEADING_LINE_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_MARKER_RE = re.compile(r"^\s*(?:[-*+•◦▪·]|\d{1,3}[.)])\s+")
_SENTENCE_END_CHARS = ".!?:;,"
_CLOSING_QUOTES = "\"'”’)]"
_MINOR_WORDS = frozenset(
    {
        "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on", "onto", "or",
        "per", "so", "than", "the", "to", "up", "via", "vs", "vs.", "with",
    }
)  # fmt: skip


class ArticleError(MusebotError, ValueError):
    """An article file that cannot be used; ``str()`` is "<file name>: <reason>. <what to do>"."""

    def __init__(self, path: str, reason: str, hint: str) -> None:
        self.path = path
        self.reason = reason
        self.hint = hint
        name = Path(path).name or path
        super().__init__(f"{name}: {reason}. {hint[:1].upper()}{hint[1:]}")

    def __reduce__(self) -> tuple[type[ArticleError], tuple[str, str, str]]:
        return (type(self), (self.path, self.reason, self.hint))  # picklable across processes


@dataclass(frozen=True, slots=True)
class CorpusLoad:
    """The articles a corpus folder holds (sorted by id) and the files that could not be used."""

    articles: tuple[Article, ...]
    errors: tuple[ArticleError, ...]


# ---------------------------------------------------------------------------------------------- ids and hashes


def is_safe_slug(s: str) -> bool:
    """True for ids that are safe in file names, URLs and chunk ids: lowercase letters, digits, hyphens."""
    return isinstance(s, str) and _SLUG_RE.fullmatch(s) is not None


def derive_article_id(title: str, url: str = "") -> str:
    """A lowercase slug for an article: from its title, else from its URL, else from a hash of both.

    The id depends on the text only (not on the file name), so the same article uploaded twice under
    different names gets the same id.
    """
    slug = _slugify(title)
    if not slug and url:
        parts = urlsplit(url)
        segments = [segment for segment in parts.path.split("/") if segment]
        slug = _slugify(re.sub(r"\.\w{2,5}$", "", segments[-1])) if segments else ""
        slug = slug or _slugify(parts.hostname or "")
    if not slug:
        digest = hashlib.sha256(f"{title}\n{url}".encode()).hexdigest()
        slug = f"article-{digest[:12]}"
    return slug


def _slugify(text: str) -> str:
    text = normalize_text(text).replace("'", "").replace("&", " and ")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > MAX_ID_LENGTH:
        cut = slug[: MAX_ID_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:MAX_ID_LENGTH]
    return slug.strip("-")


def compute_content_hash(article: Article) -> str:
    """sha256 (hex) of everything the index keeps of an article: title, outlet, author, url, published, body.

    It decides whether an article changed (an update, a stale index, `index verify`), so a new outlet or
    date is an update too. It costs no re-embedding: vectors are reused by their chunk's embed text.
    """
    fields = [article.title, article.outlet, article.author, article.url, article.published, article.body]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------- public loaders


def load_article(path: Path) -> Article:
    """Read one article file; raise ``ArticleError`` naming the file when it cannot be used."""
    path = Path(path)
    name = str(path)
    _check_extension(path.name, name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArticleError(name, f"cannot be read ({exc.strerror or exc})", "check that the file exists") from exc
    _check_size(size, name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(name, f"cannot be read ({exc.strerror or exc})", "check the file's permissions") from exc
    return _parse(data, path.name, name)


def parse_article(data: bytes, filename: str, *, source_path: str = "") -> Article:
    """Read an uploaded article from its bytes; the same validation as ``load_article``.

    ``filename`` is the name the uploader gave: it only chooses the format and must be a bare file
    name (no folders; ``x..md`` is fine, only a ``..`` component would be traversal).
    """
    if not filename or "/" in filename or "\\" in filename or filename in {".", ".."} or "\x00" in filename:
        raise ArticleError(
            filename or "(no name)",
            "the file name must be a plain name without folders or '..'",
            "rename the file (e.g. muse-spark-review.md) and upload it again",
        )
    _check_extension(filename, filename)
    _check_size(len(data), filename)
    return _parse(data, filename, source_path or filename)


# Files in corpus/ that configure or describe it rather than being articles: matched by exact name only,
# so that no article file name (``<id>.md``, ids are lowercase slugs) can ever be mistaken for one.
CORPUS_SETTINGS_FILES = frozenset({"aliases.yaml"})
CORPUS_NOTES_FILES = frozenset({"README.md"})


def is_article_file_name(relative: str | Path) -> bool:
    """True when the corpus loader reads a file at this path (relative to corpus/) as an article.

    False for hidden files and folders, the maintainers' notes (``README.md``), the alias file and
    unsupported extensions. Used by the loader and by ``index add`` before it writes a file.
    """
    parts = Path(relative).parts
    if not parts or any(part.startswith(".") for part in parts):
        return False
    name = parts[-1]
    if name in CORPUS_NOTES_FILES or name in CORPUS_SETTINGS_FILES:
        return False
    return Path(name).suffix.lower() in SUPPORTED_EXTENSIONS


def load_corpus(corpus_dir: Path) -> CorpusLoad:
    """Every article under ``corpus_dir`` (recursively), sorted by id, and the files that were rejected.

    Hidden files, the maintainers' ``README.md`` and the corpus's alias file are skipped (exact names).
    When two files give the same id, the first by path is kept and the other is reported.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise ArticleError(
            str(corpus_dir),
            "the corpus folder does not exist",
            "create it and put the articles (.md, .txt, .html) in it",
        )
    articles: dict[str, Article] = {}
    errors: list[ArticleError] = []
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if path.name in CORPUS_NOTES_FILES or path.name in CORPUS_SETTINGS_FILES:
            log.debug("skipping %s", path)
            continue
        try:
            article = load_article(path)
        except ArticleError as exc:
            log.warning("skipping article: %s", exc)
            errors.append(exc)
            continue
        if article.id in articles:
            other = Path(articles[article.id].source_path).name
            duplicate = ArticleError(
                str(path),
                f"the id '{article.id}' is already used by {other}",
                "give one of them a different `id:` in its front matter",
            )
            log.warning("skipping article: %s", duplicate)
            errors.append(duplicate)
            continue
        articles[article.id] = article
    log.info("loaded %d articles from %s (%d rejected)", len(articles), corpus_dir, len(errors))
    return CorpusLoad(
        articles=tuple(articles[key] for key in sorted(articles)),
        errors=tuple(sorted(errors, key=lambda error: error.path)),
    )


# ---------------------------------------------------------------------------------------------- validation


def _check_extension(filename: str, name: str) -> None:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        shown = f"'{suffix}'" if suffix else "no extension"
        raise ArticleError(name, f"unsupported file type ({shown})", _SUPPORTED_HINT)


def _check_size(size: int, name: str) -> None:
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(
            name,
            f"the file is {size / 1024 / 1024:.1f} MB, over the {MAX_ARTICLE_BYTES // 1024 // 1024} MB limit",
            "keep only the article text (no embedded images or scripts)",
        )


def _decode_text(data: bytes, name: str) -> str:
    if not data.strip():
        raise ArticleError(name, "the file is empty", "add the article's text and try again")
    for bom, encoding in _UNICODE_BOMS:  # UTF-16/32 text is full of NUL bytes: tell it by its BOM first
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise ArticleError(
                    name,
                    f"the text is not valid {encoding.upper()} (bad bytes at position {exc.start + len(bom)})",
                    "save the file as UTF-8 and try again",
                ) from exc
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ArticleError(name, f"the file is {what}, not text", _SUPPORTED_HINT)
    sample = data[:65536]
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f")
    if b"\x00" in data or controls > len(sample) * 0.05:
        raise ArticleError(name, "the file is binary, not text", _SUPPORTED_HINT)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        position = exc.start
    text = _decode_cp1252(data)
    if text is None:
        raise ArticleError(
            name,
            f"the text is not valid UTF-8 (bad byte at position {position})",
            "save the file as UTF-8 and try again",
        )
    log.warning("%s is not UTF-8; read it as Windows-1252", name)
    return text


def _decode_cp1252(data: bytes) -> str | None:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if _MOJIBAKE_RE.search(text) or re.search(r"[ÃÂ]|[\u00c0-\u00ff]{2}", text):
        return None  # UTF-8 read as cp1252, or runs of accented letters: garbage
    for ch in text:
        if ord(ch) < 128:
            continue
        if ch in _CP1252_PUNCTUATION or (unicodedata.category(ch).startswith("L") and ord(ch) <= 0x17F):
            continue
        return None
    return text


def _clean_text(text: str) -> str:
    text = _NEWLINES_RE.sub("\n", text)
    return remove_control_characters(text)


def _clean_field(value: str) -> str:
    return re.sub(r"\s+", " ", _clean_text(value)).strip()


def _normalize_body(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, no blank lines at the ends."""
    lines = [line.rstrip() for line in text.split("\n")]
    body = "\n".join(lines)
    body = re.sub(r"\n{3,}", "\n\n", body)
    return body.strip("\n")


def _checked_url(value: str, name: str) -> str:
    value = _clean_field(value)
    if value and not re.match(r"^https?://[^\s/]+", value, re.IGNORECASE):
        raise ArticleError(name, f"the url '{value[:80]}' is not a web address", "use a full https:// address")
    return value


def _normalized_date(value: str) -> str:
    """ISO date when the text is a common date format; otherwise the date as written."""
    value = _clean_field(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return value


def _build_article(
    *,
    name: str,
    source_path: str,
    title: str,
    body: str,
    outlet: str = "",
    author: str = "",
    url: str = "",
    published: str = "",
    article_id: str = "",
) -> Article:
    title = _clean_field(title)
    if not title:
        raise ArticleError(name, "the article has no title", "put the title on the first line or in `title:`")
    if len(title) > MAX_TITLE_LENGTH:
        raise ArticleError(
            name, f"the title is {len(title)} characters long", f"shorten it to at most {MAX_TITLE_LENGTH}"
        )
    body = _normalize_body(_clean_text(body))
    body = _without_leading_title(body, title)
    if not re.search(r"\w", body):
        raise ArticleError(name, "the article has no body text", "add the article's text below its title")
    url = _checked_url(url, name)
    if article_id:
        if not is_safe_slug(article_id):
            raise ArticleError(
                name,
                f"the id '{article_id[:80]}' is not a safe id",
                "use lowercase letters, digits and hyphens only (e.g. muse-spark-review), or leave `id:` out",
            )
    else:
        article_id = derive_article_id(title, url)
    article = Article(
        id=article_id,
        title=title,
        outlet=_clean_field(outlet) or UNKNOWN_OUTLET,
        body=body,
        author=_clean_field(author),
        url=url,
        published=_normalized_date(published),
        source_path=source_path,
    )
    return dataclasses.replace(article, content_hash=compute_content_hash(article))


def _without_leading_title(body: str, title: str) -> str:
    first, _, rest = body.partition("\n")
    match = _HEADING_LINE_RE.match(first)
    if match and _same_text(match.group(2), title):
        return rest.strip("\n")
    return body


def _same_text(a: str, b: str) -> bool:
    return normalize_text(a).casefold().strip() == normalize_text(b).casefold().strip()


def _parse(data: bytes, filename: str, source_path: str) -> Article:
    name = source_path or filename
    text = _decode_text(data, name)
    suffix = Path(filename).suffix.lower()
    if suffix in (".html", ".htm"):
        return _parse_html(text, name, source_path)
    if suffix in (".md", ".markdown"):
        return _parse_markdown(_clean_text(text), name, source_path)
    return _parse_txt(_clean_text(text), name, source_path)


# ---------------------------------------------------------------------------------------------- Markdown


def _parse_markdown(text: str, name: str, source_path: str) -> Article:
    meta, body = _split_front_matter(text, name)
    if not meta:
        return _parse_txt(body, name, source_path, markdown=True)
    unknown = sorted(set(meta) - _FRONT_MATTER_KEYS)
    if unknown:
        log.debug("%s: ignoring front matter keys %s", name, unknown)
    fields = {key: _front_matter_text(meta, key, name) for key in _FRONT_MATTER_KEYS}
    body = _markdown_body(body)
    title = fields["title"]
    if not title:
        first, _, rest = body.lstrip("\n").partition("\n")
        match = _HEADING_LINE_RE.match(first)
        if match and len(match.group(1)) == 1:
            title, body = match.group(2), rest
    return _build_article(
        name=name,
        source_path=source_path,
        title=title,
        body=body,
        outlet=fields["outlet"],
        author=fields["author"],
        url=fields["url"],
        published=fields["published"],
        article_id=fields["id"],
    )


def _split_front_matter(text: str, name: str) -> tuple[dict, str]:
    stripped = text.lstrip("\n")
    if not re.match(r"^---[ \t]*\n", stripped):
        return {}, text
    match = re.match(r"^---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)", stripped, re.DOTALL)
    if not match:
        raise ArticleError(name, "the front matter is not closed", "add a line with --- after the front matter")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        raise ArticleError(
            name, f"the front matter is not valid YAML{line}", "fix the YAML between the --- lines"
        ) from exc
    except (ValueError, OverflowError) as exc:  # a value YAML reads as a type it cannot build, e.g. 2026-13-45
        raise ArticleError(
            name,
            f"the front matter has a value that is not valid ({exc})",
            "fix it between the --- lines (dates are written 2026-04-08)",
        ) from exc
    except RecursionError as exc:
        raise ArticleError(
            name, "the front matter is nested too deeply", "write it as `key: value` lines between the --- lines"
        ) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ArticleError(
            name,
            "the front matter is not a mapping",
            "write it as `key: value` lines (title:, outlet:, author:, url:, published:)",
        )
    return meta, stripped[match.end() :]


def _front_matter_text(meta: dict, key: str, name: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ArticleError(name, f"the front matter `{key}` is not text", f"write `{key}:` as a single line of text")
    return str(value).strip()


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
        else:
            break
        cursor += 1
        index = cursor
    body_lines = lines[index:]
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
    if re.search(r"\d[\d.,%]*$", core):  # "Muse Spark 52": a table row, not a heading
        return False
    if core.endswith("?"):
        return words[0][:1].isupper()
    return _is_title_case(words)


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
