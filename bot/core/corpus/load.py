"""Read article files and corpus folders: the public loaders, which pick the parser by the file's extension."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.core.corpus._html import _parse_html
from bot.core.corpus._markdown import _parse_markdown
from bot.core.corpus._text import _parse_txt
from bot.core.corpus._validate import (
    SUPPORTED_EXTENSIONS,
    ArticleError,
    CorpusLoad,
    _check_extension,
    _check_size,
    _clean_text,
    _decode_text,
)
from bot.core.models import Article

log = logging.getLogger(__package__)  # one logger for the whole corpus reader, as before the split


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


def _parse(data: bytes, filename: str, source_path: str) -> Article:
    name = source_path or filename
    text = _decode_text(data, name)
    suffix = Path(filename).suffix.lower()
    if suffix in (".html", ".htm"):
        return _parse_html(text, name, source_path)
    if suffix in (".md", ".markdown"):
        return _parse_markdown(_clean_text(text), name, source_path)
    return _parse_txt(_clean_text(text), name, source_path)
