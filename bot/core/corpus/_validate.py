"""What every article format shares: the errors, ids and content hashes, decoding the bytes, and the
checks and clean-up that turn the parsed fields into an ``Article``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.core.errors import MusebotError
from bot.core.models import Article
from bot.core.text import normalize_text, remove_control_characters

log = logging.getLogger(__package__)  # one logger for the whole corpus reader, as before the split

SUPPORTED_EXTENSIONS = (".md", ".markdown", ".txt", ".html", ".htm")
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
MAX_ID_LENGTH = 64
MAX_TITLE_LENGTH = 300
UNKNOWN_OUTLET = "Unknown outlet"

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
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
_DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%b. %d, %Y")

_HEADING_LINE_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


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
