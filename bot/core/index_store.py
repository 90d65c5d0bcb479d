"""Immutable index builds on disk: chunk store, vectors, FAISS, BM25, facts, manifest; atomic swap; staleness.

Layout (docs/ARCHITECTURE.md is the contract)::

    index/CURRENT                       the build id in use, replaced atomically
    index/builds/<build-id>/            manifest.json articles.json chunks.jsonl vectors.npy dense.faiss
                                        units.jsonl unit_vectors.npy units.faiss bm25/ facts.json
                                        term_stats.json facts_state.json (what a reusing fact extractor saved)
    index/builds/<build-id>.partial/    a build being written; removed by the next build if left behind
    index/.lock                         fcntl.flock held while a build is written

One function, `build_index`, makes every build: a first build, an add, an update and a removal all
go through it. It reuses from `previous` the vectors of chunks whose id and embed text are unchanged
(so only new or edited passages reach the embedder), the chunks and answer units of articles whose
content hash is unchanged (same chunker version and model), and the fact extractor's per-article work.

numpy, faiss and bm25s are imported inside the functions that need them, so `read_current_build_id`
and `load_facts_only` answer from a cold start with the standard library only. Loading a build reads
BM25 with numpy alone (`Bm25Scores`) and imports FAISS only for an HNSW index: a flat one is an exact
numpy scan of vectors.npy.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import itertools
import json
import logging
import os
import re
import secrets
import shutil
import struct
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.core.errors import MusebotError
from bot.core.files import fsync_dir, write_durably
from bot.core.lexicon import Lexicon, build_lexicon, load_lexicon, save_lexicon
from bot.core.models import Article, BenchmarkFact, Chunk, IndexStats, SourceRef
from bot.core.text import TOKENIZER_VERSION, split_answer_units, tokenize

if TYPE_CHECKING:
    import numpy as np

    from bot.core.embedding import Embedder

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # 2: answer units (sentences) with their own vectors; 3: the lexicon
FLAT_INDEX_LIMIT = 50_000  # exact search up to here; HNSW above (a flat scan of 50k x 384 is ~5 ms)
KEEP_BUILDS = 3
EMBED_BATCH_SIZE = 16  # on 2 cores, 8-16 paragraph-sized chunks per batch beat 32 (less padding)

CURRENT_FILE = "CURRENT"
BUILDS_DIR = "builds"
LOCK_FILE = ".lock"
PARTIAL_SUFFIX = ".partial"
DELETING_SUFFIX = ".deleting"
_BUILD_ID_RE = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6}$")
_BM25_PARAMS = {"method": "lucene", "k1": 1.5, "b": 0.75}
_REBUILD_HINT = "run: musebot index build"


# ---------------------------------------------------------------------------------------------
# Errors


class IndexStoreError(MusebotError, ValueError):
    """The index cannot be used as it is; the message says what to run."""


class IndexMissingError(IndexStoreError):
    """No build has been made in this index folder yet."""


class IndexModelMismatchError(IndexStoreError):
    """The build's vectors come from another embedding model than the one configured."""


class IndexDamagedError(IndexStoreError):
    """A file is missing or unreadable, the schema is another version, or the counts disagree."""


class IndexLockedError(IndexStoreError):
    """Another process is writing a build and did not finish within the timeout."""


class IndexBuildError(IndexStoreError):
    """The input to a build is inconsistent (duplicate ids, chunks of an unknown article, bad vectors)."""


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class BuildStats:
    build_id: str
    chunks_total: int
    chunks_embedded: int
    chunks_reused: int
    seconds: float
    recovered: tuple[str, ...] = ()  # half-made builds removed before this one (paths relative to index/)
    pruned: tuple[str, ...] = ()  # old build ids deleted after it


@dataclass(frozen=True, slots=True)
class StaleReport:
    """How the corpus differs from what a build indexed (article ids, sorted)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True, slots=True, eq=False)
class LoadedIndex:
    """One build, fully in memory. Row i of `vectors` and of the search results is `chunks[i]`.

    `articles` is a read-only mapping (MappingProxyType) from article id to Article, in id order.
    `vectors` is read-only. The object is safe to share between threads: searches only read it.
    """

    build_id: str
    path: Path
    manifest: Mapping[str, Any]
    articles: Mapping[str, Article]
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray
    facts: tuple[BenchmarkFact, ...]
    units: tuple[tuple[int, str], ...]  # (chunk row, sentence): what an answer can quote
    unit_vectors: np.ndarray  # row i = units[i], L2-normalised
    _dense: Any = field(repr=False)  # a FAISS index for "hnsw"; None for "flat" (numpy scans `vectors`)
    _bm25: Any = field(repr=False)  # Bm25Scores; None when no chunk has a single search token
    _rows: Mapping[str, int] = field(repr=False)
    _units_by_chunk: Mapping[int, tuple[int, ...]] = field(repr=False, default_factory=dict)
    _unit_dense: Any = field(repr=False, default=None)
    # How many chunks hold each search token of their text (term_stats.json); None for a build made before it.
    doc_freq: Mapping[str, int] | None = field(repr=False, default=None)
    lexicon: Lexicon | None = field(repr=False, default=None)  # the corpus's words (lexicon.json); None before it

    @property
    def model_id(self) -> str:
        return str(self.manifest["model_id"])

    @property
    def built_at(self) -> str:
        return str(self.manifest["built_at"])

    @property
    def faiss_type(self) -> str:
        return str(self.manifest["faiss_type"])

    def chunk_row(self, chunk_id: str) -> int | None:
        """The row of a chunk id, or None when this build has no such chunk."""
        return self._rows.get(chunk_id)

    def search_dense(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest chunks to an L2-normalised query vector: (chunk row, cosine), best first."""
        return _search_vectors(self._dense, self.vectors, query_vec, k)

    def search_units(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k answer units nearest to an L2-normalised query vector: (unit row, cosine), best first."""
        return _search_vectors(self._unit_dense, self.unit_vectors, query_vec, k)

    def search_bm25(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]:
        """The k best BM25 matches for tokens from `text.tokenize`: (chunk row, score > 0), best first."""
        import numpy as np

        if self._bm25 is None or k <= 0:
            return []
        scores = self._bm25.scores_of(query_tokens)
        if scores is None:
            return []
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]  # best first, ties by row for stable results
        return [(int(row), float(scores[row])) for row in top if scores[row] > 0]

    def units_of(self, chunk_row: int) -> tuple[int, ...]:
        """Rows in `units` (and `unit_vectors`) of one chunk's answer units, in reading order."""
        return self._units_by_chunk.get(chunk_row, ())

    def stats(self) -> IndexStats:
        return IndexStats(
            build_id=self.build_id,
            built_at=self.built_at,
            articles=len(self.articles),
            chunks=len(self.chunks),
            facts=len(self.facts),
            model_id=self.model_id,
        )


# ---------------------------------------------------------------------------------------------
# Small file helpers


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _write_json(path: Path, value: object, indent: int | None = 1) -> None:
    write_durably(path, (json.dumps(value, ensure_ascii=False, indent=indent) + "\n").encode("utf-8"))


def _builds_dir(index_dir: Path) -> Path:
    return Path(index_dir) / BUILDS_DIR


def _new_build_id() -> str:
    """A UTC timestamp to the microsecond plus 6 random hex, e.g. 20260408T120301.123456Z-a1b2c3; sorts by time."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(3)}"


def _built_at(build_id: str) -> str:
    """ISO 8601 UTC time of a build, from its id."""
    return datetime.strptime(build_id[:15], "%Y%m%dT%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")


def article_content_hash(article: Article) -> str:
    """The article's own content hash, or one computed over its fields when the loader left it empty."""
    if article.content_hash:
        return article.content_hash
    fields = [article.title, article.outlet, article.author, article.url, article.published, article.body]
    return "sha256:" + hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# The lock and crash recovery


@contextlib.contextmanager
def _exclusive_lock(index_dir: Path, timeout: float | None) -> Iterator[None]:
    """Hold `index/.lock` exclusively; wait for another builder, up to `timeout` seconds when given."""
    lock_path = Path(index_dir) / LOCK_FILE
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
            if deadline is not None and time.monotonic() >= deadline:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                raise IndexLockedError(
                    f"Another index build{f' (pid {holder})' if holder else ''} is running in {index_dir}; "
                    "wait for it to finish, then try again."
                ) from None
            if not announced:
                log.info("Waiting for another index build in %s to finish", index_dir)
                announced = True
            time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _remove_leftovers(index_dir: Path) -> list[str]:
    """Half-made builds, half-deleted builds and CURRENT temp files. Call with the lock held."""
    index_dir = Path(index_dir)
    removed: list[str] = []
    builds = _builds_dir(index_dir)
    if builds.is_dir():
        for entry in sorted(builds.iterdir()):
            if entry.name.endswith((PARTIAL_SUFFIX, DELETING_SUFFIX)):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(f"{BUILDS_DIR}/{entry.name}")
    for entry in sorted(index_dir.glob(f"{CURRENT_FILE}.tmp-*")):
        entry.unlink(missing_ok=True)
        removed.append(entry.name)
    if removed:
        log.warning("Removed what an interrupted index build left behind: %s", ", ".join(removed))
    return removed


def recover_partial_builds(index_dir: Path) -> list[str]:
    """Remove `*.partial` builds and temp files left by a crash; returns them (relative to `index_dir`).

    Does nothing (returns []) while another process holds the lock: its `.partial` is live.
    """
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        return []
    try:
        with _exclusive_lock(index_dir, timeout=0):
            return _remove_leftovers(index_dir)
    except IndexLockedError:
        return []


def _write_current(index_dir: Path, build_id: str) -> None:
    temp = index_dir / f"{CURRENT_FILE}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
    write_durably(temp, f"{build_id}\n".encode("ascii"))
    os.replace(temp, index_dir / CURRENT_FILE)
    fsync_dir(index_dir)


def _prune_builds(index_dir: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` complete builds, never the one CURRENT names."""
    current = read_current_build_id(index_dir)
    builds = _builds_dir(index_dir)
    complete = sorted(entry.name for entry in builds.iterdir() if entry.is_dir() and _BUILD_ID_RE.match(entry.name))
    doomed = [name for name in complete[:-keep] if name != current] if keep > 0 else []
    for name in doomed:
        # Rename first so a crash mid-delete never leaves something that looks like a build.
        target = builds / f"{name}{DELETING_SUFFIX}"
        os.replace(builds / name, target)
        shutil.rmtree(target, ignore_errors=True)
    if doomed:
        fsync_dir(builds)
    return doomed


# ---------------------------------------------------------------------------------------------
# Building

FactExtractor = Callable[[Sequence[Article], Sequence[Chunk]], tuple[BenchmarkFact, ...]]
FACTS_STATE_FILE = "facts_state.json"
TERM_STATS_FILE = "term_stats.json"


@runtime_checkable
class ReusingFactExtractor(Protocol):
    """A fact extractor that can redo only what changed, from the state it left in the previous build.

    `extract_reusing(articles, chunks, saved)` returns (facts, state); the state is kept in the build as
    facts_state.json and given back as `saved` to the next build (None when there is none).
    """

    def __call__(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> tuple[BenchmarkFact, ...]: ...

    def extract_reusing(
        self, articles: Sequence[Article], chunks: Sequence[Chunk], saved: Mapping[str, Any] | None
    ) -> tuple[tuple[BenchmarkFact, ...], dict[str, Any]]: ...


def choose_faiss_type(n: int) -> str:
    """The FAISS index for n vectors: exact IndexFlatIP ("flat") up to FLAT_INDEX_LIMIT, else IndexHNSWFlat ("hnsw")."""
    return "flat" if n <= FLAT_INDEX_LIMIT else "hnsw"


def source_version(*modules: ModuleType) -> str:
    """A version of some code: sha256 of the modules' source files (e.g. the chunker's, for `chunker_version`).

    A module without a readable source file gives a fresh random version, so nothing is reused on its account.
    """
    digest = hashlib.sha256()
    for module in modules:
        try:
            digest.update(Path(str(module.__file__)).read_bytes())
        except (OSError, TypeError):
            digest.update(secrets.token_bytes(16))
    return digest.hexdigest()[:16]


def _make_dense_index(vectors: np.ndarray, faiss_type: str) -> Any:
    import faiss

    dim = vectors.shape[1]
    if faiss_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(vectors)
    return index


def _write_dense_index(path: Path, vectors: np.ndarray) -> Any:
    """Write `vectors` as a FAISS index file; returns what searches use: the HNSW index, or None for a flat one."""
    import faiss

    faiss_type = choose_faiss_type(len(vectors))
    dense = _make_dense_index(vectors, faiss_type)
    faiss.write_index(dense, str(path))
    _fsync_file(path)
    return dense if faiss_type == "hnsw" else None


class Bm25Scores:
    """A bm25s index as bm25s saves it (vocabulary, and per token a CSC column of precomputed scores), read
    with numpy alone: importing bm25s pulls in scipy (~0.3 s of every cold start), and a query only sums a
    few columns. Scores are those of `bm25s.BM25.get_scores` (checked in tests/core/test_index_store.py)."""

    __slots__ = ("data", "indices", "indptr", "num_docs", "vocab")

    def __init__(
        self, vocab: Mapping[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, num_docs: int
    ) -> None:
        self.vocab = vocab
        self.data = data
        self.indices = indices
        self.indptr = indptr
        self.num_docs = num_docs

    @classmethod
    def of_retriever(cls, retriever: Any) -> Bm25Scores:
        scores = retriever.scores
        return cls(retriever.vocab_dict, scores["data"], scores["indices"], scores["indptr"], int(scores["num_docs"]))

    @classmethod
    def load(cls, folder: Path) -> Bm25Scores:
        import numpy as np

        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in {"lucene", "robertson", "atire"}:
            raise ValueError(f"BM25 variant {params.get('method')!r} needs non-occurrence scores")
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        data, indices, indptr = (
            np.load(folder / f"{name}.csc.index.npy", allow_pickle=False) for name in ("data", "indices", "indptr")
        )
        return cls(vocab, data, indices, indptr, int(params["num_docs"]))

    def scores_of(self, tokens: Sequence[str]) -> np.ndarray | None:
        """BM25 score of every chunk for these tokens (repeats count, as in bm25s); None when none is known."""
        import numpy as np

        ids = [self.vocab[token] for token in tokens if token and token in self.vocab]
        if not ids:
            return None
        scores = np.zeros(self.num_docs, dtype=self.data.dtype)
        for token_id in ids:
            start, end = self.indptr[token_id], self.indptr[token_id + 1]
            scores[self.indices[start:end]] += self.data[start:end]  # one entry per chunk within a column
        return scores


def _make_bm25(token_lists: list[list[str]]) -> Any:
    """A bm25s index over pre-tokenised chunks, or None when there is no token at all (bm25s needs one)."""
    if not any(token_lists):
        return None
    import bm25s

    retriever = bm25s.BM25(**_BM25_PARAMS)
    retriever.index(token_lists, show_progress=False)
    return retriever


def _previous_chunks(
    previous: LoadedIndex | None, embedder: Embedder, chunker_version: str
) -> dict[str, tuple[str, list[Chunk]]]:
    """The previous build's chunks by article id, with the content hash they were made from; empty when
    they cannot stand for a new chunking (another chunker version or model, or no version given)."""
    if (
        previous is None
        or not chunker_version
        or previous.manifest.get("chunker_version") != chunker_version
        or previous.model_id != embedder.model_id
    ):
        return {}
    hashes: Mapping[str, str] = previous.manifest["articles"]
    by_article: dict[str, list[Chunk]] = {}
    for chunk in previous.chunks:
        by_article.setdefault(chunk.article_id, []).append(chunk)
    return {aid: (hashes[aid], chunks) for aid, chunks in by_article.items() if aid in hashes}


def _collect_chunks(
    articles: Sequence[Article],
    chunker: Callable[[Article], tuple[Chunk, ...]],
    reusable: Mapping[str, tuple[str, list[Chunk]]],
) -> tuple[list[Article], list[Chunk]]:
    ordered = sorted(articles, key=lambda article: article.id)
    for first, second in itertools.pairwise(ordered):
        if first.id == second.id:
            raise IndexBuildError(f"Two articles share the id {first.id!r}; rename one of the files and try again.")
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for article in ordered:
        kept = reusable.get(article.id)
        article_chunks = kept[1] if kept and kept[0] == article_content_hash(article) else chunker(article)
        for chunk in article_chunks:
            if chunk.article_id != article.id:
                raise IndexBuildError(f"Chunk {chunk.id!r} claims article {chunk.article_id!r}, not {article.id!r}")
            if chunk.id in seen:
                raise IndexBuildError(f"Two chunks share the id {chunk.id!r}")
            seen.add(chunk.id)
            chunks.append(chunk)
    return ordered, chunks


def _answer_units(chunks: Sequence[Chunk], previous: LoadedIndex | None, reuse: bool) -> list[tuple[int, str]]:
    """(chunk row, sentence) for every chunk; split again only for passages the previous build did not have."""
    known: dict[str, list[str]] = {}
    if previous is not None and reuse:
        for row, unit_rows in previous._units_by_chunk.items():
            known[previous.chunks[row].text] = [previous.units[u][1] for u in unit_rows]
    units: list[tuple[int, str]] = []
    for row, chunk in enumerate(chunks):
        texts = known.get(chunk.text)
        units.extend((row, text) for text in (split_answer_units(chunk.text) if texts is None else texts))
    return units


def _reusable_rows(previous: LoadedIndex | None, embedder: Embedder) -> dict[tuple[str, str], int]:
    if previous is None:
        return {}
    if previous.model_id != embedder.model_id or previous.vectors.shape[1] != embedder.dim:
        log.info("Previous build used %s; embedding every chunk with %s", previous.model_id, embedder.model_id)
        return {}
    return {(chunk.id, chunk.embed_text): row for row, chunk in enumerate(previous.chunks)}


def _reusable_units(previous: LoadedIndex | None, embedder: Embedder) -> dict[str, int]:
    if previous is None or previous.model_id != embedder.model_id or previous.vectors.shape[1] != embedder.dim:
        return {}
    return {text: row for row, (_chunk_row, text) in enumerate(previous.units)}


def _embed_missing(
    chunks: list[Chunk],
    units: list[tuple[int, str]],
    embedder: Embedder,
    previous: LoadedIndex | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Vectors for every chunk and answer unit (reused where unchanged); returns (chunk vectors,
    unit vectors, number of chunks embedded)."""
    import numpy as np

    reusable = _reusable_rows(previous, embedder)
    reusable_units = _reusable_units(previous, embedder)
    vectors = np.zeros((len(chunks) + len(units), embedder.dim), dtype=np.float32)
    texts: list[str] = []
    todo: list[int] = []
    kept: tuple[list[int], list[int]] = ([], [])  # (new row, previous row), copied in one go below
    kept_units: tuple[list[int], list[int]] = ([], [])
    for row, chunk in enumerate(chunks):
        old_row = reusable.get((chunk.id, chunk.embed_text))
        if old_row is None:
            todo.append(row)
            texts.append(chunk.embed_text)
        else:
            kept[0].append(row)
            kept[1].append(old_row)
    chunks_embedded = len(todo)
    for offset, (_chunk_row, text) in enumerate(units):
        old_row = reusable_units.get(text)
        if old_row is None:
            todo.append(len(chunks) + offset)
            texts.append(text)
        else:
            kept_units[0].append(len(chunks) + offset)
            kept_units[1].append(old_row)
    if previous is not None and kept[0]:
        vectors[kept[0]] = previous.vectors[kept[1]]
    if previous is not None and kept_units[0]:
        vectors[kept_units[0]] = previous.unit_vectors[kept_units[1]]
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
    return vectors[: len(chunks)].copy(), vectors[len(chunks) :].copy(), chunks_embedded


def _write_build(
    partial: Path,
    final: Path,
    articles: Sequence[Article],
    chunker: Callable[[Article], tuple[Chunk, ...]],
    embedder: Embedder,
    extract_facts: FactExtractor,
    previous: LoadedIndex | None,
    progress: Callable[[int, int], None] | None,
    chunker_version: str,
    *,
    reuse_fact_state: bool = True,
) -> LoadedIndex:
    """Write every file of a build into `partial` (fsynced); returns it as it will be once renamed to `final`."""
    import numpy as np

    build_id = final.name
    reusable = _previous_chunks(previous, embedder, chunker_version)
    ordered, chunks = _collect_chunks(articles, chunker, reusable)
    _write_json(partial / "articles.json", {article.id: _fields(article) for article in ordered}, indent=None)
    lines = "".join(json.dumps(_fields(chunk), ensure_ascii=False) + "\n" for chunk in chunks)
    write_durably(partial / "chunks.jsonl", lines.encode("utf-8"))

    units = _answer_units(chunks, previous, reuse=bool(reusable))
    quote = json.JSONEncoder(ensure_ascii=False).encode
    unit_lines = "".join(f'{{"chunk": {row}, "text": {quote(text)}}}\n' for row, text in units)
    write_durably(partial / "units.jsonl", unit_lines.encode("utf-8"))
    vectors, unit_vectors, embedded = _embed_missing(chunks, units, embedder, previous, progress)
    for name, matrix in (("vectors.npy", vectors), ("unit_vectors.npy", unit_vectors)):
        with (partial / name).open("wb") as handle:
            np.save(handle, matrix, allow_pickle=False)
            handle.flush()
            os.fsync(handle.fileno())

    faiss_type = choose_faiss_type(len(chunks))
    dense = _write_dense_index(partial / "dense.faiss", vectors)
    unit_dense = _write_dense_index(partial / "units.faiss", unit_vectors)

    # BM25 reads heading and passage, not the title: a title repeated in every chunk only adds noise.
    # Tokens never span a line break, so a passage is tokenised once for BM25 and for the term statistics.
    text_tokens = [tokenize(chunk.text) for chunk in chunks]
    heading_tokens = {heading: tokenize(heading) for heading in {chunk.heading for chunk in chunks}}
    retriever = _make_bm25([heading_tokens[c.heading] + tokens for c, tokens in zip(chunks, text_tokens, strict=True)])
    doc_freq = dict(Counter(token for tokens in text_tokens for token in set(tokens)))
    _write_json(partial / TERM_STATS_FILE, {"chunks": len(chunks), "doc_freq": doc_freq}, indent=None)
    (partial / "bm25").mkdir()
    if retriever is not None:
        retriever.save(str(partial / "bm25"), allow_pickle=False)
        for file in (partial / "bm25").iterdir():
            _fsync_file(file)
    fsync_dir(partial / "bm25")

    if isinstance(extract_facts, ReusingFactExtractor):
        saved = (
            _read_saved_state(previous.path / FACTS_STATE_FILE) if previous is not None and reuse_fact_state else None
        )
        facts, state = extract_facts.extract_reusing(ordered, chunks, saved)
        _write_json(partial / FACTS_STATE_FILE, state, indent=None)
    else:
        facts = tuple(extract_facts(ordered, chunks))
    _write_json(partial / "facts.json", [_fields(fact) for fact in facts], indent=None)
    lexicon = build_lexicon(ordered, chunks, embedder, previous.lexicon if previous is not None else None)
    save_lexicon(partial, lexicon)

    manifest = {
        "schema_version": SCHEMA_VERSION,
        "build_id": build_id,
        "built_at": _built_at(build_id),
        "model_id": embedder.model_id,
        "dim": int(embedder.dim),
        "articles": {article.id: article_content_hash(article) for article in ordered},
        "counts": {
            "articles": len(ordered),
            "chunks": len(chunks),
            "units": len(units),
            "facts": len(facts),
            "embedded": embedded,
            "reused": len(chunks) - embedded,
        },
        "files": build_file_checksums(partial),
        "faiss_type": faiss_type,
        "unit_faiss_type": choose_faiss_type(len(units)),
        "chunker_version": chunker_version,
        "bm25": {
            **_BM25_PARAMS,
            "indexed": retriever is not None,
            "tokenizer": "bot.core.text.tokenize",
            "tokenizer_version": TOKENIZER_VERSION,
        },
    }
    _write_json(partial / "manifest.json", manifest)
    fsync_dir(partial)

    vectors.setflags(write=False)
    unit_vectors.setflags(write=False)
    return LoadedIndex(
        build_id=build_id,
        path=final,
        manifest=MappingProxyType(manifest),
        articles=MappingProxyType({article.id: article for article in ordered}),
        chunks=tuple(chunks),
        vectors=vectors,
        facts=facts,
        units=tuple(units),
        unit_vectors=unit_vectors,
        _dense=dense,
        _bm25=Bm25Scores.of_retriever(retriever) if retriever is not None else None,
        _rows=MappingProxyType({chunk.id: row for row, chunk in enumerate(chunks)}),
        _units_by_chunk=_group_units(units),
        _unit_dense=unit_dense,
        doc_freq=MappingProxyType(doc_freq),
        lexicon=lexicon,
    )


def _fields(value: Any) -> dict[str, Any]:
    """A flat dataclass as a dict (dataclasses.asdict deep-copies every field: 3x slower on a big corpus)."""
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


MANIFEST_FILE = "manifest.json"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_file_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 (hex) of every file of a build but its manifest, by path relative to the build (posix)."""
    return {
        path.relative_to(folder).as_posix(): _sha256_of(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST_FILE
    }


def check_build_files(index_dir: Path, build_id: str, path: Path, manifest: Mapping[str, Any]) -> None:
    """IndexDamagedError naming every build file that is missing or differs from the checksum the manifest holds.

    A build written before checksums existed has none to check (`verify` reports that separately).
    """
    expected = manifest.get("files")
    if not isinstance(expected, Mapping):
        return
    bad: list[str] = []
    for name, checksum in sorted(expected.items()):
        try:
            if _sha256_of(path / name) != checksum:
                bad.append(f"{name} was changed")
        except OSError:
            bad.append(f"{name} is missing")
    if bad:
        raise _damaged(index_dir, build_id, f"{', '.join(bad)} since it was built")


def _read_saved_state(path: Path) -> Mapping[str, Any] | None:
    """An optional JSON object of a build (facts_state.json, term_stats.json); None when absent or unreadable."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def _search_vectors(dense: Any, vectors: np.ndarray, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Nearest rows by inner product: through the HNSW index when there is one, else an exact numpy scan
    (what IndexFlatIP does, without importing FAISS on a cold start).

    The scan is einsum, not `vectors @ query`: a matrix-vector product is memory-bound, and OpenBLAS's
    threads, left spinning after it, slow the next query's onnxruntime call; einsum stays on this thread
    (50k x 384 here: 8.5 ms against 12.7 ms, and the embedding next to it is not slowed down)."""
    import numpy as np

    if dense is not None:
        return _search_faiss(dense, query_vec, k)
    query = np.asarray(query_vec, dtype=np.float32).reshape(-1)
    if query.shape[0] != vectors.shape[1]:
        raise ValueError(f"Query vector has {query.shape[0]} dimensions; this index has {vectors.shape[1]}")
    k = min(k, len(vectors))
    if k <= 0:
        return []
    scores = np.einsum("ij,j->i", vectors, query)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((top, -scores[top]))]  # best first, ties by row
    return [(int(row), float(scores[row])) for row in top]


def _search_faiss(dense: Any, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
    import faiss
    import numpy as np

    query = np.ascontiguousarray(np.asarray(query_vec, dtype=np.float32).reshape(1, -1))
    if query.shape[1] != dense.d:
        raise ValueError(f"Query vector has {query.shape[1]} dimensions; this index has {dense.d}")
    k = min(k, dense.ntotal)
    if k <= 0:
        return []
    if isinstance(dense, faiss.IndexHNSWFlat):
        scores, rows = dense.search(query, k, params=faiss.SearchParametersHNSW(efSearch=max(64, 2 * k)))
    else:
        scores, rows = dense.search(query, k)
    return [(int(row), float(score)) for score, row in zip(scores[0], rows[0], strict=True) if row >= 0]


def _group_units(units: Sequence[tuple[int, str]]) -> Mapping[int, tuple[int, ...]]:
    grouped: dict[int, list[int]] = {}
    for unit_row, (chunk_row, _text) in enumerate(units):
        grouped.setdefault(chunk_row, []).append(unit_row)
    return MappingProxyType({row: tuple(rows) for row, rows in grouped.items()})


def build_index(
    articles: Sequence[Article],
    chunker: Callable[[Article], tuple[Chunk, ...]],
    embedder: Embedder,
    index_dir: Path,
    *,
    extract_facts: FactExtractor,
    previous: LoadedIndex | None = None,
    progress: Callable[[int, int], None] | None = None,
    timeout: float | None = None,
    chunker_version: str = "",
    reuse_fact_state: bool = True,
) -> tuple[LoadedIndex, BuildStats]:
    """Write a new build of `articles` and make it CURRENT; returns it loaded, with what it cost.

    Vectors of `previous` are reused for chunks whose (id, embed_text) did not change. When
    `chunker_version` is given and `previous` was chunked by the same version and model, an article
    whose content hash did not change keeps its chunks and answer units without being chunked again.
    A `ReusingFactExtractor` re-reads only changed articles, from the state it saved in `previous`
    (unless `reuse_fact_state` is False: a full build reads the facts of every article again).
    `progress(done, total)` follows the embedding of the chunks that need it. Waits for another
    builder holding `index/.lock`, at most `timeout` seconds when given (then IndexLockedError).
    The build is written to `builds/<id>.partial/`, renamed to `builds/<id>/`, then CURRENT is
    replaced: a crash at any point leaves the previous build serving.
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    builds = _builds_dir(index_dir)
    builds.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(index_dir, timeout):
        recovered = _remove_leftovers(index_dir)
        build_id = _new_build_id()
        partial = builds / f"{build_id}{PARTIAL_SUFFIX}"
        final = builds / build_id
        partial.mkdir()
        try:
            loaded = _write_build(
                partial,
                final,
                articles,
                chunker,
                embedder,
                extract_facts,
                previous,
                progress,
                chunker_version,
                reuse_fact_state=reuse_fact_state,
            )
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        os.replace(partial, final)
        fsync_dir(builds)
        _write_current(index_dir, build_id)
        pruned = _prune_builds(index_dir, KEEP_BUILDS)

    counts = loaded.manifest["counts"]
    stats = BuildStats(
        build_id=build_id,
        chunks_total=counts["chunks"],
        chunks_embedded=counts["embedded"],
        chunks_reused=counts["reused"],
        seconds=time.perf_counter() - started,
        recovered=tuple(recovered),
        pruned=tuple(pruned),
    )
    log.info(
        "Built index %s: %d articles, %d chunks (%d embedded, %d reused), %d facts in %.1f s",
        build_id, counts["articles"], counts["chunks"], counts["embedded"], counts["reused"], counts["facts"],
        stats.seconds,
    )  # fmt: skip
    return loaded, stats


# ---------------------------------------------------------------------------------------------
# Loading


def read_current_build_id(index_dir: Path) -> str | None:
    """The build id CURRENT names, or None when there is no index yet. Cheap enough to poll."""
    try:
        text = (Path(index_dir) / CURRENT_FILE).read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return None
    return text.strip() or None


def _damaged(index_dir: Path, build_id: str, detail: str) -> IndexDamagedError:
    return IndexDamagedError(f"The index in {index_dir} (build {build_id}) is damaged: {detail}; {_REBUILD_HINT}")


def _current_build_dir(index_dir: Path) -> tuple[str, Path]:
    index_dir = Path(index_dir)
    build_id = read_current_build_id(index_dir)
    if build_id is None:
        raise IndexMissingError(f"No index in {index_dir}; {_REBUILD_HINT}")
    if not _BUILD_ID_RE.match(build_id):
        raise _damaged(index_dir, build_id[:40], f"{CURRENT_FILE} does not hold a build id")
    path = _builds_dir(index_dir) / build_id
    if not path.is_dir():
        raise _damaged(index_dir, build_id, f"{BUILDS_DIR}/{build_id} is missing")
    return build_id, path


def _read_json(index_dir: Path, build_id: str, path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _damaged(index_dir, build_id, f"cannot read {path.name} ({exc.__class__.__name__})") from exc


def _read_manifest(index_dir: Path, build_id: str, path: Path) -> dict[str, Any]:
    manifest = _read_json(index_dir, build_id, path / "manifest.json")
    if not isinstance(manifest, dict):
        raise _damaged(index_dir, build_id, "manifest.json is not an object")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise _damaged(
            index_dir, build_id, f"it has schema version {version}, this musebot reads version {SCHEMA_VERSION}"
        )
    missing = {"model_id", "dim", "built_at", "articles", "counts", "faiss_type", "bm25"} - manifest.keys()
    if missing:
        raise _damaged(index_dir, build_id, f"manifest.json lacks {', '.join(sorted(missing))}")
    return manifest


def _read_facts(index_dir: Path, build_id: str, path: Path) -> tuple[BenchmarkFact, ...]:
    raw = _read_json(index_dir, build_id, path / "facts.json")
    try:
        return tuple(BenchmarkFact(**item) for item in raw)
    except TypeError as exc:
        raise _damaged(index_dir, build_id, f"facts.json has an unexpected entry ({exc})") from exc


def _read_articles(index_dir: Path, build_id: str, path: Path) -> dict[str, Article]:
    raw = _read_json(index_dir, build_id, path / "articles.json")
    try:
        return {article_id: Article(**fields) for article_id, fields in raw.items()}
    except (TypeError, AttributeError) as exc:
        raise _damaged(index_dir, build_id, f"articles.json has an unexpected entry ({exc})") from exc


_FLAT_IP_FOURCC = b"IxFI"  # what faiss.write_index puts first for an IndexFlatIP, before d (int32) and ntotal (int64)


def _read_dense_index(path: Path) -> tuple[Any, int, int]:
    """(the index to search, its dimension, its vector count). A flat index is not read: `_search_vectors` scans
    vectors.npy, which holds the same vectors, so a cold start need not import FAISS (~0.1 s)."""
    with path.open("rb") as handle:
        header = handle.read(16)
    if len(header) == 16 and header[:4] == _FLAT_IP_FOURCC:
        dim, ntotal = struct.unpack("<iq", header[4:])
        return None, dim, ntotal
    import faiss

    dense = faiss.read_index(str(path))
    return dense, dense.d, dense.ntotal


def _load_build(index_dir: Path, build_id: str, path: Path, expected_model_id: str | None) -> LoadedIndex:
    import numpy as np

    manifest = _read_manifest(index_dir, build_id, path)
    if expected_model_id is not None and manifest["model_id"] != expected_model_id:
        raise IndexModelMismatchError(
            f"{index_dir}/ was built with a different model ({manifest['model_id']}, settings say "
            f"{expected_model_id}); {_REBUILD_HINT}"
        )
    counts = manifest["counts"]
    articles = _read_articles(index_dir, build_id, path)
    try:
        lines = (path / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
        chunks = tuple(Chunk(**json.loads(line)) for line in lines if line.strip())
    except (OSError, ValueError, TypeError) as exc:
        raise _damaged(index_dir, build_id, f"cannot read chunks.jsonl ({exc.__class__.__name__})") from exc
    facts = _read_facts(index_dir, build_id, path)
    try:
        vectors = np.load(path / "vectors.npy", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise _damaged(index_dir, build_id, f"cannot read vectors.npy ({exc.__class__.__name__})") from exc
    try:
        unit_lines = (path / "units.jsonl").read_text(encoding="utf-8").splitlines()
        units = tuple((int(u["chunk"]), str(u["text"])) for u in map(json.loads, filter(str.strip, unit_lines)))
        unit_vectors = np.load(path / "unit_vectors.npy", allow_pickle=False)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise _damaged(index_dir, build_id, f"cannot read the answer units ({exc.__class__.__name__})") from exc
    try:
        dense, dense_dim, dense_total = _read_dense_index(path / "dense.faiss")
        unit_dense, unit_dim, unit_total = _read_dense_index(path / "units.faiss")
    except (OSError, RuntimeError) as exc:
        raise _damaged(index_dir, build_id, "cannot read dense.faiss or units.faiss") from exc

    dim = int(manifest["dim"])
    problems = []
    if set(articles) != set(manifest["articles"]) or len(articles) != counts.get("articles"):
        problems.append("articles.json does not match the manifest")
    if len(chunks) != counts.get("chunks"):
        problems.append(f"{len(chunks)} chunks, the manifest says {counts.get('chunks')}")
    if len(facts) != counts.get("facts"):
        problems.append(f"{len(facts)} facts, the manifest says {counts.get('facts')}")
    if vectors.dtype != np.float32 or vectors.shape != (len(chunks), dim):
        problems.append(f"vectors.npy is {vectors.dtype} {vectors.shape}, expected float32 ({len(chunks)}, {dim})")
    if unit_vectors.dtype != np.float32 or unit_vectors.shape != (len(units), dim):
        problems.append(f"unit_vectors.npy is {unit_vectors.shape}, expected ({len(units)}, {dim})")
    if any(not 0 <= row < len(chunks) for row, _text in units):
        problems.append("units.jsonl names chunks that chunks.jsonl lacks")
    if unit_total != len(units) or unit_dim != dim:
        problems.append(f"units.faiss holds {unit_total} vectors of {unit_dim} dimensions")
    if dense_total != len(chunks) or dense_dim != dim:
        problems.append(f"dense.faiss holds {dense_total} vectors of {dense_dim} dimensions")
    if any(chunk.article_id not in articles for chunk in chunks):
        problems.append("chunks.jsonl names articles that articles.json lacks")
    if manifest["bm25"].get("tokenizer_version") != TOKENIZER_VERSION:
        problems.append("its BM25 index was made by another version of the tokenizer")
    lexicon = load_lexicon(path)
    if lexicon is None:
        problems.append("its lexicon is missing or was made by another version of musebot")
    bm25 = None
    if manifest["bm25"].get("indexed"):
        try:
            bm25 = Bm25Scores.load(path / "bm25")
        except (OSError, ValueError, KeyError) as exc:
            raise _damaged(index_dir, build_id, f"cannot read bm25/ ({exc.__class__.__name__})") from exc
        if bm25.num_docs != len(chunks):
            problems.append(f"bm25/ covers {bm25.num_docs} chunks, not {len(chunks)}")
    if problems:
        raise _damaged(index_dir, build_id, "; ".join(problems))
    check_build_files(index_dir, build_id, path, manifest)  # after the checks above, which say more
    doc_freq = None
    term_stats = _read_saved_state(path / TERM_STATS_FILE)
    if (
        term_stats is not None
        and term_stats.get("chunks") == len(chunks)
        and isinstance(term_stats.get("doc_freq"), dict)
    ):
        doc_freq = MappingProxyType(term_stats["doc_freq"])

    vectors.setflags(write=False)
    unit_vectors.setflags(write=False)
    return LoadedIndex(
        build_id=build_id,
        path=path,
        manifest=MappingProxyType(manifest),
        articles=MappingProxyType(dict(sorted(articles.items()))),
        chunks=chunks,
        vectors=vectors,
        facts=facts,
        units=units,
        unit_vectors=unit_vectors,
        _dense=dense,
        _bm25=bm25,
        _rows=MappingProxyType({chunk.id: row for row, chunk in enumerate(chunks)}),
        _units_by_chunk=_group_units(units),
        _unit_dense=unit_dense,
        doc_freq=doc_freq,
        lexicon=lexicon,
    )


def load_index(index_dir: Path, *, expected_model_id: str | None) -> LoadedIndex:
    """Load the build CURRENT names. `expected_model_id` None skips the model check.

    Raises IndexMissingError, IndexModelMismatchError or IndexDamagedError, each saying what to run.
    If CURRENT moves while loading (a build finished and pruned), loads the new one instead.
    """
    index_dir = Path(index_dir)
    for _ in range(3):
        build_id, path = _current_build_dir(index_dir)
        try:
            return _load_build(index_dir, build_id, path, expected_model_id)
        except IndexDamagedError:
            if read_current_build_id(index_dir) == build_id:
                raise
            log.info("Index build %s was replaced while loading; loading the new one", build_id)
    build_id, path = _current_build_dir(index_dir)
    return _load_build(index_dir, build_id, path, expected_model_id)


def try_load_index(index_dir: Path, *, expected_model_id: str | None) -> LoadedIndex | None:
    """The current build, or None when there is none usable (the `previous` to give `build_index`)."""
    try:
        return load_index(index_dir, expected_model_id=expected_model_id)
    except IndexMissingError:
        return None
    except IndexStoreError as exc:
        log.warning("Not reusing the existing index: %s", exc)
        return None


def load_facts_only(index_dir: Path) -> tuple[tuple[BenchmarkFact, ...], tuple[SourceRef, ...]]:
    """The current build's benchmark facts and how to name its articles (one SourceRef each, by id).

    Reads manifest.json, facts.json and articles.json with the standard library only: no numpy,
    FAISS, BM25 or torch, so benchmark lookups answer fast from a cold start.
    """
    index_dir = Path(index_dir)
    build_id, path = _current_build_dir(index_dir)
    manifest = _read_manifest(index_dir, build_id, path)
    files = manifest.get("files")
    if isinstance(files, Mapping):  # only the two files read here: a cold lookup stays cheap
        check_build_files(
            index_dir,
            build_id,
            path,
            {"files": {k: v for k, v in files.items() if k in {"facts.json", "articles.json"}}},
        )
    facts = _read_facts(index_dir, build_id, path)
    articles = _read_articles(index_dir, build_id, path)
    sources = tuple(
        SourceRef(article_id=a.id, title=a.title, outlet=a.outlet, url=a.url, published=a.published)
        for _, a in sorted(articles.items())
    )
    return facts, sources


def is_stale(index: LoadedIndex, articles: Sequence[Article]) -> StaleReport:
    """Which articles were added, changed or removed since `index` was built (by content hash)."""
    indexed: Mapping[str, str] = index.manifest["articles"]
    current = {article.id: article_content_hash(article) for article in articles}
    return StaleReport(
        added=tuple(sorted(current.keys() - indexed.keys())),
        changed=tuple(sorted(key for key in current.keys() & indexed.keys() if current[key] != indexed[key])),
        removed=tuple(sorted(indexed.keys() - current.keys())),
    )
