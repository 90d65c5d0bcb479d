"""The service's change plumbing: what a new build changed, and storage failures told as one StorageError."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.files import StorageError, describe_storage_error
from bot.core.models import ChangeReport

if TYPE_CHECKING:  # types only: the modules themselves are imported where they are used, for a fast cold start
    from bot.core.facts import FactTable
    from bot.core.index import BuildStats, LoadedIndex


def describe_change(
    previous: LoadedIndex | None,
    index: LoadedIndex,
    build_stats: BuildStats,
    old_facts: FactTable | None = None,
    new_facts: FactTable | None = None,
) -> ChangeReport:
    """What a new build changed relative to the previous one: articles, chunks, facts, conflicts. With both builds'
    facts tables, the facts are compared article by article (``diff_tables``); the report is the same."""
    from bot.core.facts import diff_facts, diff_tables

    old_articles = previous.manifest.get("articles", {}) if previous is not None else {}
    new_articles = index.manifest.get("articles", {})
    chunks_added, chunks_removed = _chunk_changes(previous, index)
    if old_facts is not None and new_facts is not None:
        fact_changes, introduced, resolved = diff_tables(old_facts, new_facts)
    else:
        fact_changes, introduced, resolved = diff_facts(previous.facts if previous is not None else (), index.facts)
    return ChangeReport(
        build_id=index.build_id,
        added=tuple(sorted(set(new_articles) - set(old_articles))),
        updated=tuple(sorted(a for a in new_articles if a in old_articles and new_articles[a] != old_articles[a])),
        removed=tuple(sorted(set(old_articles) - set(new_articles))),
        chunks_added=chunks_added,
        chunks_removed=chunks_removed,
        chunks_embedded=build_stats.chunks_embedded,
        fact_changes=fact_changes,
        conflicts_introduced=introduced,
        conflicts_resolved=resolved,
        recovered=tuple(f"removed half-made build {path}" for path in build_stats.recovered),
    )


def _chunk_changes(previous: LoadedIndex | None, index: LoadedIndex) -> tuple[int, int]:
    """(chunks added or changed, chunks removed or changed), by chunk id and embedded text. When each build's chunk
    ids are distinct, only the articles whose chunks are not the very same in both builds are read: an id of theirs
    cannot be an unchanged article's, which both builds hold."""
    old_chunks = previous.chunks if previous is not None else ()
    new_chunks = index.chunks
    if previous is not None and len(previous._rows) == len(old_chunks) and len(index._rows) == len(new_chunks):
        moved = [
            a
            for a in previous.articles.keys() | index.articles.keys()
            if old_chunks[_span(previous.article_rows(a))] != new_chunks[_span(index.article_rows(a))]
        ]
        old_chunks = tuple(c for a in moved for c in old_chunks[_span(previous.article_rows(a))])
        new_chunks = tuple(c for a in moved for c in new_chunks[_span(index.article_rows(a))])
    old_texts = {c.id: c.embed_text for c in old_chunks}
    new_texts = {c.id: c.embed_text for c in new_chunks}
    added = sum(1 for cid, text in new_texts.items() if old_texts.get(cid) != text)
    removed = sum(1 for cid, text in old_texts.items() if new_texts.get(cid) != text)
    return added, removed


def _span(rows: range) -> slice:
    return slice(rows.start, rows.stop)


@contextlib.contextmanager
def storage_errors(corpus_dir: Path, index_dir: Path) -> Iterator[None]:
    """A full disk, a read-only or forbidden folder, a file where a folder should be: one StorageError that
    says what to do and which build still serves. Any other OSError is a bug and stays one."""
    from bot.core.index_store import read_current_build_id

    def serving_build() -> str | None:
        with contextlib.suppress(OSError):
            return read_current_build_id(index_dir)
        return None

    before = serving_build()
    try:
        yield
    except OSError as error:
        failed = Path(os.fsdecode(error.filename)) if error.filename else index_dir
        if failed.absolute().is_relative_to(corpus_dir.absolute()):
            folder, elsewhere = corpus_dir, "another articles folder (--corpus-dir, MUSEBOT_CORPUS_DIR)"
        else:
            folder, elsewhere = index_dir, "another index folder (--index-dir, MUSEBOT_INDEX_DIR)"
        problem = describe_storage_error(error, folder, elsewhere)
        if problem is None:
            raise
        if before is not None and serving_build() == before:
            problem += f" Nothing was changed: build {before} still serves."
        raise StorageError(problem) from error
