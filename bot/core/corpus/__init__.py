"""Read news articles (.md with YAML front matter, .txt, .html) into ``Article`` values, and validate them.

Every format ends as the same normalised body: ``#``/``##`` headings on their own lines, paragraphs
separated by one blank line, tables as Markdown pipe tables (HTML, Markdown) or as the plain lines
they were written in (plain text). Anything that cannot be read becomes an ``ArticleError`` that names
the file, says what is wrong and what to do about it.

Encoding: UTF-8 (with or without a BOM), or UTF-16/UTF-32 with a BOM. Text that is not UTF-8 is accepted
as Windows-1252 only when every byte decodes and the result reads as text (letters and typographic punctuation, no C1
controls, no UTF-8 mojibake); anything else is rejected rather than guessed.
"""

from bot.core.corpus._validate import (
    MAX_ARTICLE_BYTES,
    MAX_ID_LENGTH,
    MAX_TITLE_LENGTH,
    SUPPORTED_EXTENSIONS,
    UNKNOWN_OUTLET,
    ArticleError,
    CorpusLoad,
    compute_content_hash,
    derive_article_id,
    is_safe_slug,
)
from bot.core.corpus.load import (
    CORPUS_NOTES_FILES,
    CORPUS_SETTINGS_FILES,
    is_article_file_name,
    load_article,
    load_corpus,
    parse_article,
)

__all__ = [
    "CORPUS_NOTES_FILES",
    "CORPUS_SETTINGS_FILES",
    "MAX_ARTICLE_BYTES",
    "MAX_ID_LENGTH",
    "MAX_TITLE_LENGTH",
    "SUPPORTED_EXTENSIONS",
    "UNKNOWN_OUTLET",
    "ArticleError",
    "CorpusLoad",
    "compute_content_hash",
    "derive_article_id",
    "is_article_file_name",
    "is_safe_slug",
    "load_article",
    "load_corpus",
    "parse_article",
]
