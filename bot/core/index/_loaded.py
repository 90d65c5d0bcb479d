"""LoadedIndex: the live rows of a build's segments, seen as one index with global row numbers.

Global rows follow article ids, then chunk order, whatever segment an article is in: an incremental build
numbers (and so ranks, ties included) exactly like a fresh build of the same articles. Each segment keeps
its own vectors and postings; a search runs per segment, maps local rows to global ones (-1 for a
tombstoned row) and merges, as Lucene does. Nothing the size of the corpus is copied to compose a build.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from bot.core.index._bm25 import Bm25Scores
from bot.core.index._dense import best_positive_rows, search_rows
from bot.core.models import Article, BenchmarkFact, Chunk, IndexStats

if TYPE_CHECKING:
    import numpy as np

    from bot.core.index._lexicon import LexiconState
    from bot.core.index._segment import Segment
    from bot.core.lexicon import Lexicon


@dataclass(frozen=True, slots=True, eq=False)
class SegmentView:
    """One segment within a build: its global row for each local chunk and unit (-1 when tombstoned)."""

    segment: Segment
    deleted: frozenset[str]  # article ids tombstoned in this build
    rows: np.ndarray  # int64, local chunk -> global row
    unit_rows: np.ndarray  # int64, local unit -> global unit row
    dead: np.ndarray | None  # bool mask of tombstoned chunks, None when there are none
    unit_dead: np.ndarray | None
    n_dead: int
    n_unit_dead: int


@dataclass(frozen=True, eq=False)
class LoadedIndex:
    """One build, in memory. Row i of the search results is `chunks[i]`; unit row j is `units[j]`.

    `articles` is a read-only mapping from article id to Article, in id order. The object is safe to
    share between threads: searches only read it.
    """

    build_id: str
    path: Path
    manifest: Mapping[str, Any]
    articles: Mapping[str, Article]
    chunks: tuple[Chunk, ...]
    facts: tuple[BenchmarkFact, ...]
    units: tuple[tuple[int, str], ...]  # (chunk row, sentence): what an answer can quote
    views: tuple[SegmentView, ...] = field(repr=False)
    _unit_start: np.ndarray = field(repr=False)  # len(chunks) + 1
    # int64, unit row -> its chunk's row (`units[j][0]` as one array: a search's hits are mapped in one gather,
    # not by reading a tuple of the build per hit, which misses the cache at 50k units)
    unit_chunks: np.ndarray = field(repr=False)
    _unit_place: np.ndarray = field(repr=False)  # (len(units), 2): segment number, local unit row
    _chunk_place: np.ndarray = field(repr=False)  # (len(chunks), 2): segment number, local chunk row
    _rows: Mapping[str, int] = field(repr=False)
    _article_rows: Mapping[str, tuple[int, int]] = field(repr=False)  # article id -> its chunks' rows [start, end)
    _bm25: Bm25Scores | None = field(repr=False)
    # How many chunks hold each search token of their text: the answer's IDF, kept by the build.
    doc_freq: Mapping[str, int] | None = field(repr=False, default=None)
    lexicon: Lexicon | None = field(repr=False, default=None)
    lexicon_state: LexiconState | None = field(repr=False, default=None)
    fact_state: Mapping[str, Any] | None = field(repr=False, default=None)  # what the fact extractor saved, merged
    dim: int = 0

    @property
    def model_id(self) -> str:
        return str(self.manifest["model_id"])

    @property
    def built_at(self) -> str:
        return str(self.manifest["built_at"])

    @property
    def faiss_type(self) -> str:
        return str(self.manifest["faiss_type"])

    @property
    def segments(self) -> tuple[Segment, ...]:
        return tuple(view.segment for view in self.views)

    @functools.cached_property
    def vectors(self) -> np.ndarray:
        """Chunk vectors in global row order (gathered on first use; searches do not need it)."""
        return self._gather(self._chunk_place, lambda s: s.vectors)

    @functools.cached_property
    def unit_vectors(self) -> np.ndarray:
        """Answer-unit vectors in global unit order (gathered on first use; see `unit_vectors_of`)."""
        return self._gather(self._unit_place, lambda s: s.unit_vectors)

    def _gather(self, place: np.ndarray, matrix_of: Any) -> np.ndarray:
        import numpy as np

        if len(self.views) == 1 and not self.views[0].n_dead:
            return matrix_of(self.views[0].segment)
        out = np.zeros((len(place), self.dim), dtype=np.float32)
        for number, view in enumerate(self.views):
            mine = place[:, 0] == number
            out[mine] = matrix_of(view.segment)[place[mine, 1]]
        out.setflags(write=False)
        return out

    def unit_vectors_of(self, unit_rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """The vectors of some answer units (global unit rows), in that order."""
        import numpy as np

        rows = np.asarray(unit_rows, dtype=np.int64)
        if len(self.views) == 1:
            return self.views[0].segment.unit_vectors[self._unit_place[rows, 1]]
        place = self._unit_place[rows]
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        for number in np.unique(place[:, 0]).tolist():
            mine = place[:, 0] == number
            out[mine] = self.views[number].segment.unit_vectors[place[mine, 1]]
        return out

    def chunk_row(self, chunk_id: str) -> int | None:
        """The row of a chunk id, or None when this build has no such chunk."""
        return self._rows.get(chunk_id)

    def article_rows(self, article_id: str) -> range:
        """The rows of one article's chunks, in order (an article's chunks are consecutive); empty when absent."""
        return range(*self._article_rows.get(article_id, (0, 0)))

    def section_before(self, chunk: Chunk) -> str:
        """The text of the passage before ``chunk`` when it is the same article's, under the same heading ("" when
        ``chunk`` opens its section or is not this index's)."""
        row = self.chunk_row(chunk.id)
        if not row:
            return ""
        before = self.chunks[row - 1]
        if before.article_id != chunk.article_id or before.heading != chunk.heading:
            return ""
        return before.text

    def units_of(self, chunk_row: int) -> tuple[int, ...]:
        """Rows in `units` of one chunk's answer units, in reading order."""
        if not 0 <= chunk_row < len(self.chunks):
            return ()
        return tuple(range(int(self._unit_start[chunk_row]), int(self._unit_start[chunk_row + 1])))

    def _query(self, query_vec: np.ndarray) -> np.ndarray:
        import numpy as np

        query = np.asarray(query_vec, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.dim:
            raise ValueError(f"Query vector has {query.shape[0]} dimensions; this index has {self.dim}")
        return query

    def search_dense(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest chunks to an L2-normalised query vector: (chunk row, cosine), best first."""
        return self._search(query_vec, k, units=False)

    def search_units(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k answer units nearest to an L2-normalised query vector: (unit row, cosine), best first."""
        return self._search(query_vec, k, units=True)

    def _search(self, query_vec: np.ndarray, k: int, *, units: bool) -> list[tuple[int, float]]:
        """Every segment's live nearest rows (chunks, or answer units), merged into one ranking."""
        query = self._query(query_vec)
        hits = []
        for view in self.views:
            seg = view.segment
            if units:
                rows, scores = search_rows(
                    seg.unit_dense,
                    seg.unit_vectors,
                    query,
                    k,
                    view.unit_dead,
                    view.n_unit_dead,
                    seg.search_cache,
                    "units16",
                )
                hits.append((view.unit_rows[rows], scores))
            else:
                rows, scores = search_rows(
                    seg.dense, seg.vectors, query, k, view.dead, view.n_dead, seg.search_cache, "chunks16"
                )
                hits.append((view.rows[rows], scores))
        return _merge(hits, k)

    def search_bm25(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]:
        """The k best BM25 matches for tokens from `text.tokenize`: (chunk row, score > 0), best first."""
        if self._bm25 is None or k <= 0:
            return []
        scores = self._bm25.scores_of(query_tokens)
        if scores is None:
            return []
        top = best_positive_rows(scores, k)  # best first, ties by row for stable results
        return [(int(row), float(score)) for row, score in zip(top.tolist(), scores[top].tolist(), strict=True)]

    def similar_articles(self, body: str, threshold: float) -> set[str]:
        """Live articles whose MinHash estimates a word 5-gram Jaccard similarity to `body` of at least `threshold`."""
        import numpy as np

        from bot.core.maintenance import shingle_signature

        signature = np.array(shingle_signature(body), dtype=np.uint64)
        found: set[str] = set()
        for view in self.views:
            seg = view.segment
            if not len(seg.articles):
                continue
            estimates = (seg.signatures == signature).mean(axis=1)
            for row in np.flatnonzero(estimates >= threshold):
                if seg.articles[row].id not in view.deleted:
                    found.add(seg.articles[row].id)
        return found

    def stats(self) -> IndexStats:
        return IndexStats(
            build_id=self.build_id,
            built_at=self.built_at,
            articles=len(self.articles),
            chunks=len(self.chunks),
            facts=len(self.facts),
            model_id=self.model_id,
        )


def _merge(hits: Sequence[tuple[np.ndarray, np.ndarray]], k: int) -> list[tuple[int, float]]:
    import numpy as np

    if len(hits) == 1:
        rows, scores = hits[0]
    else:
        rows = np.concatenate([r for r, _ in hits]) if hits else np.zeros(0, dtype=np.int64)
        scores = np.concatenate([s for _, s in hits]) if hits else np.zeros(0, dtype=np.float32)
    if len(rows) > 1:
        order = np.lexsort((rows, -scores))[:k]
        rows, scores = rows[order], scores[order]
    return [(int(row), float(score)) for row, score in zip(rows[:k].tolist(), scores[:k].tolist(), strict=True)]


def compose_index(
    *,
    build_id: str,
    path: Path,
    manifest: Mapping[str, Any],
    segments: Sequence[Segment],
    deleted: Mapping[str, frozenset[str]],
    facts: tuple[BenchmarkFact, ...],
    doc_freq: Mapping[str, int] | None,
    lexicon: Lexicon | None,
    lexicon_state: LexiconState | None,
    fact_state: Mapping[str, Any] | None,
    dim: int,
) -> LoadedIndex:
    """Number the live rows of `segments` (minus the `deleted` article ids of each) and wrap them."""
    import numpy as np

    owner: dict[str, int] = {}
    for number, seg in enumerate(segments):
        gone = deleted.get(seg.id, frozenset())
        for article in seg.articles:
            if article.id not in gone:
                owner[article.id] = number
    rows = [np.full(len(s.chunks), -1, dtype=np.int64) for s in segments]
    unit_rows = [np.full(len(s.unit_texts), -1, dtype=np.int64) for s in segments]
    chunks: list[Chunk] = []
    units: list[tuple[int, str]] = []
    starts: list[np.ndarray] = []
    unit_chunks: list[np.ndarray] = []
    chunk_place: list[np.ndarray] = []
    unit_place: list[np.ndarray] = []
    articles: dict[str, Article] = {}
    article_rows: dict[str, tuple[int, int]] = {}
    by_id = [{a.id: a for a in s.articles} for s in segments]
    # Runs of consecutive articles from one segment are numbered in one go.
    run: list[int] = []  # [segment, local chunk start, local chunk end]

    def flush() -> None:
        if not run:
            return
        number, start, end = run
        seg = segments[number]
        first = len(chunks)
        rows[number][start:end] = np.arange(first, first + end - start)
        chunks.extend(seg.chunks[start:end])
        u_start, u_end = int(seg.unit_starts[start]), int(seg.unit_starts[end])
        first_unit = len(units)
        unit_rows[number][u_start:u_end] = np.arange(first_unit, first_unit + u_end - u_start)
        unit_chunks.append(rows[number][seg.unit_chunk[u_start:u_end]])
        units.extend(zip(unit_chunks[-1].tolist(), seg.unit_texts[u_start:u_end], strict=True))
        starts.append(seg.unit_starts[start:end] - u_start + first_unit)
        chunk_place.append(np.stack([np.full(end - start, number), np.arange(start, end)], axis=1))
        unit_place.append(np.stack([np.full(u_end - u_start, number), np.arange(u_start, u_end)], axis=1))
        run.clear()

    for article_id in sorted(owner):
        number = owner[article_id]
        articles[article_id] = by_id[number][article_id]
        start, end = segments[number].chunk_ranges[article_id]
        first = len(chunks) + (run[2] - run[1] if run else 0)  # rows already numbered, and those of the open run
        article_rows[article_id] = (first, first + end - start)
        if run and run[0] == number and run[2] == start:
            run[2] = end
        else:
            flush()
            run.extend((number, start, end))
    flush()
    unit_start = np.concatenate([*starts, np.array([len(units)], dtype=np.int64)]).astype(np.int64)
    views = []
    for number, seg in enumerate(segments):
        dead = rows[number] < 0
        unit_dead = unit_rows[number] < 0
        n_dead, n_unit_dead = int(dead.sum()), int(unit_dead.sum())
        views.append(
            SegmentView(
                segment=seg,
                deleted=deleted.get(seg.id, frozenset()),
                rows=rows[number],
                unit_rows=unit_rows[number],
                dead=dead if n_dead else None,
                unit_dead=unit_dead if n_unit_dead else None,
                n_dead=n_dead,
                n_unit_dead=n_unit_dead,
            )
        )
    has_tokens = any(len(s.postings.vocab) for s in segments)
    bm25 = Bm25Scores([(s.postings, rows[n]) for n, s in enumerate(segments)], len(chunks)) if has_tokens else None
    empty = np.zeros((0, 2), dtype=np.int64)
    return LoadedIndex(
        build_id=build_id,
        path=path,
        manifest=MappingProxyType(dict(manifest)),
        articles=MappingProxyType(articles),
        chunks=tuple(chunks),
        facts=facts,
        units=tuple(units),
        views=tuple(views),
        _unit_start=unit_start,
        unit_chunks=np.concatenate(unit_chunks).astype(np.int64) if unit_chunks else np.zeros(0, dtype=np.int64),
        _unit_place=np.concatenate(unit_place) if unit_place else empty,
        _chunk_place=np.concatenate(chunk_place) if chunk_place else empty,
        _rows=MappingProxyType({chunk.id: row for row, chunk in enumerate(chunks)}),
        _article_rows=MappingProxyType(article_rows),
        _bm25=bm25,
        doc_freq=MappingProxyType(dict(doc_freq)) if doc_freq is not None else None,
        lexicon=lexicon,
        lexicon_state=lexicon_state,
        fact_state=fact_state,
        dim=dim,
    )
