"""Listing what is indexed, and verifying corpus/ against index/."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.core.corpus import (
    load_corpus,
)
from bot.core.maintenance._journal import (
    _describe,
    load_journal,
)
from bot.core.maintenance._values import (
    ArticleListing,
    VerifyReport,
)

# ---------------------------------------------------------------------------------------------
# Listing and verifying


def list_indexed_articles(index: Any) -> tuple[ArticleListing, ...]:
    """One row per article of a LoadedIndex, newest first, with how many chunks and facts it gave."""
    chunks: dict[str, int] = {}
    facts: dict[str, int] = {}
    for chunk in index.chunks:
        chunks[chunk.article_id] = chunks.get(chunk.article_id, 0) + 1
    for fact in index.facts:
        facts[fact.article_id] = facts.get(fact.article_id, 0) + 1
    rows = [
        ArticleListing(
            id=a.id,
            title=a.title,
            outlet=a.outlet,
            published=a.published,
            url=a.url,
            chunks=chunks.get(a.id, 0),
            facts=facts.get(a.id, 0),
        )
        for a in index.articles.values()
    ]
    return tuple(sorted(rows, key=lambda r: (r.published, r.id), reverse=True))


def verify_index(corpus_dir: Path, index_dir: Path) -> VerifyReport:
    """Is every corpus/ article indexed with its current text, and vice versa, and is the build intact?

    Read-only: it reports, and the message of each problem says what to run.
    """
    import numpy as np

    from bot.core.index_store import IndexStoreError, article_content_hash, load_index

    problems: list[str] = []
    journal = load_journal(index_dir)
    if journal is not None:
        problems.append(
            f"an interrupted {_describe(journal)} is pending; run any musebot index add/remove to settle it"
        )
    corpus = load_corpus(corpus_dir) if Path(corpus_dir).is_dir() else None
    if corpus is None:
        problems.append(f"{corpus_dir} does not exist; create it or set MUSEBOT_CORPUS_DIR")
    else:
        problems += [f"corpus file unusable: {error}" for error in corpus.errors]
    try:
        index = load_index(index_dir, expected_model_id=None)
    except IndexStoreError as error:
        problems.append(str(error))
        index = None
    build_id = index.build_id if index is not None else None
    indexed: Mapping[str, str] = index.manifest["articles"] if index is not None else {}
    if index is not None:
        for article_id, article in index.articles.items():
            if article_content_hash(article) != indexed.get(article_id):
                problems.append(f"articles.json and the manifest disagree on {article_id}; run: musebot index build")
        if "files" not in index.manifest:
            problems.append("the build has no file checksums (it predates them); run: musebot index build")
        norms = np.linalg.norm(index.vectors, axis=1) if len(index.vectors) else np.ones(0)
        if not np.all(np.abs(norms - 1.0) < 1e-3):
            problems.append("vectors.npy has rows that are not unit length; run: musebot index build")
    if corpus is not None and index is not None:
        in_corpus = {a.id: a for a in corpus.articles}
        for article_id in sorted(in_corpus.keys() - indexed.keys()):
            name = Path(in_corpus[article_id].source_path).name
            problems.append(f"{name} ({article_id}) is in corpus/ but not in the index; run: musebot index build")
        for article_id in sorted(indexed.keys() - in_corpus.keys()):
            problems.append(
                f"{article_id} is indexed but has no file in corpus/; run: musebot index remove {article_id}"
            )
        for article_id in sorted(in_corpus.keys() & indexed.keys()):
            if article_content_hash(in_corpus[article_id]) != indexed[article_id]:
                name = Path(in_corpus[article_id].source_path).name
                problems.append(
                    f"{name} ({article_id}) changed since it was indexed; run: musebot index add {name} "
                    "(or musebot index build)"
                )
    return VerifyReport(
        build_id=build_id,
        corpus_articles=len(corpus.articles) if corpus is not None else 0,
        indexed_articles=len(indexed),
        problems=tuple(problems),
    )
