"""Vectors a build need not embed again: the previous build lends those of unchanged chunks, sentences and words.

`_build` asks for them while it writes a new segment: `_donors` finds the old versions' rows, `_embed_missing`
copies their vectors and embeds only the rest, `_known_word_vectors` gives the lexicon's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.index._errors import IndexBuildError
from bot.core.index._loaded import LoadedIndex
from bot.core.models import Chunk

if TYPE_CHECKING:
    import numpy as np

    from bot.core.embedding import Embedder

EMBED_BATCH_SIZE = 16  # on 2 cores, 8-16 paragraph-sized chunks per batch beat 32 (less padding)


@dataclass(frozen=True, slots=True)
class _Donors:
    """Vectors the previous build already has for the old versions of the articles being written."""

    chunk_rows: Mapping[tuple[str, str], int]  # (chunk id, embed text) -> global row in base
    unit_rows: Mapping[str, int]  # sentence -> global unit row in base
    sentences: Mapping[str, list[str]]  # chunk text -> its answer units, as split before
    base: LoadedIndex | None


def _donors(base: LoadedIndex | None, base_rows: Mapping[str, tuple[int, int]], article_ids: set[str]) -> _Donors:
    chunk_rows: dict[tuple[str, str], int] = {}
    unit_rows: dict[str, int] = {}
    sentences: dict[str, list[str]] = {}
    if base is not None:
        for article_id in sorted(article_ids & base_rows.keys()):
            start, end = base_rows[article_id]
            for row in range(start, end):
                chunk = base.chunks[row]
                chunk_rows[(chunk.id, chunk.embed_text)] = row
                mine = base.units_of(row)
                sentences[chunk.text] = [base.units[u][1] for u in mine]
                for u in mine:
                    unit_rows.setdefault(base.units[u][1], u)
    return _Donors(chunk_rows, unit_rows, sentences, base)


def _embed_missing(
    chunks: Sequence[Chunk],
    units: Sequence[tuple[int, str]],
    embedder: Embedder,
    donors: _Donors,
    progress: Callable[[int, int], None] | None,
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(chunk vectors, unit vectors, chunks embedded, texts embedded); the donors' vectors are reused."""
    import numpy as np

    vectors = np.zeros((len(chunks) + len(units), embedder.dim), dtype=np.float32)
    texts: list[str] = []
    todo: list[int] = []
    kept_chunks: tuple[list[int], list[int]] = ([], [])
    kept_units: tuple[list[int], list[int]] = ([], [])
    for row, chunk in enumerate(chunks):
        old = donors.chunk_rows.get((chunk.id, chunk.embed_text))
        if old is None:
            todo.append(row)
            texts.append(chunk.embed_text)
        else:
            kept_chunks[0].append(row)
            kept_chunks[1].append(old)
    chunks_embedded = len(todo)
    for offset, (_row, text) in enumerate(units):
        old = donors.unit_rows.get(text)
        if old is None:
            todo.append(len(chunks) + offset)
            texts.append(text)
        else:
            kept_units[0].append(len(chunks) + offset)
            kept_units[1].append(old)
    base = donors.base
    if base is not None and kept_chunks[0]:
        places = base._chunk_place[kept_chunks[1]]
        for target, (number, local) in zip(kept_chunks[0], places, strict=True):
            vectors[target] = base.views[number].segment.vectors[local]
    if base is not None and kept_units[0]:
        vectors[kept_units[0]] = base.unit_vectors_of(kept_units[1])
    if todo:
        total = len(todo)
        report = (lambda done: progress(done, total)) if progress is not None else None
        fresh = np.asarray(embedder.embed(texts, batch_size=EMBED_BATCH_SIZE, progress=report), dtype=np.float32)
        if fresh.shape != (total, embedder.dim) or not np.isfinite(fresh).all():
            raise IndexBuildError(
                f"The embedder returned vectors of shape {fresh.shape} for {total} chunks; expected ({total}, "
                f"{embedder.dim}) finite values"
            )
        norms = np.linalg.norm(fresh, axis=1, keepdims=True)
        vectors[todo] = fresh / np.clip(norms, 1e-12, None)
    return vectors[: len(chunks)].copy(), vectors[len(chunks) :].copy(), chunks_embedded, len(todo)


def _known_word_vectors(base: LoadedIndex | None) -> dict[str, Any]:
    lexicon = base.lexicon if base is not None else None
    if lexicon is None or lexicon.vectors is None:
        return {}
    return dict(zip(lexicon.words, lexicon.vectors, strict=True))
