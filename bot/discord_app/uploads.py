"""Checks on files maintainers upload to /reindex, before anything is downloaded or parsed."""

from __future__ import annotations

from pathlib import PurePosixPath

from bot.core.errors import MusebotError

ALLOWED_EXTENSIONS = (".md", ".txt", ".html", ".htm")
# Discord sets content_type from the extension; anything outside text/* is not an article.
ALLOWED_CONTENT_TYPES = ("text/markdown", "text/plain", "text/html", "text/x-markdown", "application/xhtml+xml")


class UploadError(MusebotError):
    """An attachment that /reindex will not take; the message says why and what to send instead."""


def check_upload(filename: str, size: int, content_type: str | None, *, max_bytes: int) -> None:
    """Raise UploadError unless the attachment looks like an article within the size cap."""
    name = PurePosixPath(filename).name
    if PurePosixPath(name).suffix.lower() not in ALLOWED_EXTENSIONS:
        raise UploadError(f"{name} is not an article file; attach .md, .txt or .html files.")
    if size > max_bytes:
        raise UploadError(f"{name} is {size:,} bytes; the limit is {max_bytes:,} bytes.")
    if size == 0:
        raise UploadError(f"{name} is empty.")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type and media_type not in ALLOWED_CONTENT_TYPES:
        raise UploadError(f"{name} was sent as {media_type}, not as text; attach a .md, .txt or .html file.")
