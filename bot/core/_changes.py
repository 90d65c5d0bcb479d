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
    from bot.core.index import BuildStats, LoadedIndex


def describe_change(previous: LoadedIndex | None, index: LoadedIndex, build_stats: BuildStats) -> ChangeReport:
    """What a new build changed relative to the previous one: articles, chunks, facts, conflicts."""
    from bot.core.facts import diff_facts

    old_articles = previous.manifest.get("articles", {}) if previous is not None else {}
    new_articles = index.manifest.get("articles", {})
    old_chunks = {c.id: c.embed_text for c in previous.chunks} if previous is not None else {}
    new_chunks = {c.id: c.embed_text for c in index.chunks}
    fact_changes, introduced, resolved = diff_facts(
        previous.facts if previous is not None else (),
        index.facts,
    )
    return ChangeReport(
        build_id=index.build_id,
        added=tuple(sorted(set(new_articles) - set(old_articles))),
        updated=tuple(sorted(a for a in new_articles if a in old_articles and new_articles[a] != old_articles[a])),
        removed=tuple(sorted(set(old_articles) - set(new_articles))),
        chunks_added=sum(1 for cid, text in new_chunks.items() if old_chunks.get(cid) != text),
        chunks_removed=sum(1 for cid, text in old_chunks.items() if new_chunks.get(cid) != text),
        chunks_embedded=build_stats.chunks_embedded,
        fact_changes=fact_changes,
        conflicts_introduced=introduced,
        conflicts_resolved=resolved,
        recovered=tuple(f"removed half-made build {path}" for path in build_stats.recovered),
    )


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
