"""Immutable index builds on disk: chunk store, vectors, FAISS, BM25, facts, manifest; atomic swap; staleness.

Layout (docs/ARCHITECTURE.md is the contract)::

    index/CURRENT                       the build id in use, replaced atomically
    index/builds/<build-id>/            manifest.json articles.json chunks.jsonl vectors.npy dense.faiss
                                        bm25/ facts.json
    index/builds/<build-id>.partial/    a build being written; removed by the next build if left behind
    index/.lock                         fcntl.flock held while a build is written

One function, `build_index`, makes every build: a first build, an add, an update and a removal all
chunk the whole corpus and reuse the vectors of `previous` for chunks whose id and embed text are
unchanged, so only new or edited passages reach the embedder.

numpy, faiss and bm25s are imported inside the functions that need them, so `read_current_build_id`
and `load_facts_only` answer from a cold start with the standard library only.
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
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from bot.core.errors import MusebotError
from bot.core.models import Article, BenchmarkFact, Chunk, IndexStats, SourceRef
from bot.core.text import TOKENIZER_VERSION, split_answer_units, tokenize

if TYPE_CHECKING:
    import numpy as np

    from bot.core.embedding import Embedder

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: answer units (sentences) with their own vectors
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
    _dense: Any = field(repr=False)
    _bm25: Any = field(repr=False)  # None when no chunk has a single search token
    _rows: Mapping[str, int] = field(repr=False)
    _units_by_chunk: Mapping[int, tuple[int, ...]] = field(repr=False, default_factory=dict)
    _unit_dense: Any = field(repr=False, default=None)

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
        return _search_faiss(self._dense, query_vec, k)

    def search_units(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k answer units nearest to an L2-normalised query vector: (unit row, cosine), best first."""
        return _search_faiss(self._unit_dense, query_vec, k)

    def search_bm25(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]:
        """The k best BM25 matches for tokens from `text.tokenize`: (chunk row, score > 0), best first."""
        import numpy as np

        if self._bm25 is None or k <= 0:
            return []
        token_ids = self._bm25.get_tokens_ids([token for token in query_tokens if token])
        if not token_ids:
            return []
        scores = self._bm25.get_scores_from_ids(token_ids)
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


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _write_file(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _write_json(path: Path, value: object) -> None:
    _write_file(path, (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


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
    _write_file(temp, f"{build_id}\n".encode("ascii"))
    os.replace(temp, index_dir / CURRENT_FILE)
    _fsync_dir(index_dir)


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
        _fsync_dir(builds)
    return doomed


# ---------------------------------------------------------------------------------------------
# Building


def choose_faiss_type(n: int) -> str:
    """The FAISS index for n vectors: exact IndexFlatIP ("flat") up to FLAT_INDEX_LIMIT, else IndexHNSWFlat ("hnsw")."""
    return "flat" if n <= FLAT_INDEX_LIMIT else "hnsw"


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


def _make_bm25(token_lists: list[list[str]]) -> Any:
    """A bm25s index over pre-tokenised chunks, or None when there is no token at all (bm25s needs one)."""
    if not any(token_lists):
        return None
    import bm25s

    retriever = bm25s.BM25(**_BM25_PARAMS)
    retriever.index(token_lists, show_progress=False)
    return retriever


def _collect_chunks(
    articles: Sequence[Article], chunker: Callable[[Article], tuple[Chunk, ...]]
) -> tuple[list[Article], list[Chunk]]:
    ordered = sorted(articles, key=lambda article: article.id)
    for first, second in itertools.pairwise(ordered):
        if first.id == second.id:
            raise IndexBuildError(f"Two articles share the id {first.id!r}; rename one of the files and try again.")
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for article in ordered:
        for chunk in chunker(article):
            if chunk.article_id != article.id:
                raise IndexBuildError(f"Chunk {chunk.id!r} claims article {chunk.article_id!r}, not {article.id!r}")
            if chunk.id in seen:
                raise IndexBuildError(f"Two chunks share the id {chunk.id!r}")
            seen.add(chunk.id)
            chunks.append(chunk)
    return ordered, chunks


def _reusable_rows(previous: LoadedIndex | None, embedder: Embedder) -> dict[tuple[str, str], int]:
    if previous is None:
        return {}
    if previous.model_id != embedder.model_id or previous.vectors.shape[1] != embedder.dim:
        log.info("Previous build used %s; embedding every chunk with %s", previous.model_id, embedder.model_id)
        return {}
    return {(chunk.id, chunk.embed_text): row for row, chunk in enumerate(previous.chunks)}


def _reusable_units(previous: LoadedIndex | None, embedder: Embedder) -> dict[str, np.ndarray]:
    if previous is None or previous.model_id != embedder.model_id or previous.vectors.shape[1] != embedder.dim:
        return {}
    return {text: previous.unit_vectors[row] for row, (_chunk_row, text) in enumerate(previous.units)}


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
    for row, chunk in enumerate(chunks):
        old_row = reusable.get((chunk.id, chunk.embed_text))
        if old_row is None:
            todo.append(row)
            texts.append(chunk.embed_text)
        else:
            vectors[row] = previous.vectors[old_row]  # type: ignore[union-attr]
    chunks_embedded = len(todo)
    for offset, (_chunk_row, text) in enumerate(units):
        old = reusable_units.get(text)
        if old is None:
            todo.append(len(chunks) + offset)
            texts.append(text)
        else:
            vectors[len(chunks) + offset] = old
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
    extract_facts: Callable[[Sequence[Article], Sequence[Chunk]], tuple[BenchmarkFact, ...]],
    previous: LoadedIndex | None,
    progress: Callable[[int, int], None] | None,
) -> LoadedIndex:
    """Write every file of a build into `partial` (fsynced); returns it as it will be once renamed to `final`."""
    import faiss
    import numpy as np

    build_id = final.name
    ordered, chunks = _collect_chunks(articles, chunker)
    _write_json(partial / "articles.json", {article.id: asdict(article) for article in ordered})
    lines = "".join(json.dumps(asdict(chunk), ensure_ascii=False) + "\n" for chunk in chunks)
    _write_file(partial / "chunks.jsonl", lines.encode("utf-8"))

    units = [(row, unit) for row, chunk in enumerate(chunks) for unit in split_answer_units(chunk.text)]
    unit_lines = "".join(json.dumps({"chunk": row, "text": text}, ensure_ascii=False) + "\n" for row, text in units)
    _write_file(partial / "units.jsonl", unit_lines.encode("utf-8"))
    vectors, unit_vectors, embedded = _embed_missing(chunks, units, embedder, previous, progress)
    for name, matrix in (("vectors.npy", vectors), ("unit_vectors.npy", unit_vectors)):
        with (partial / name).open("wb") as handle:
            np.save(handle, matrix, allow_pickle=False)
            handle.flush()
            os.fsync(handle.fileno())

    faiss_type = choose_faiss_type(len(chunks))
    dense = _make_dense_index(vectors, faiss_type)
    faiss.write_index(dense, str(partial / "dense.faiss"))
    _fsync_file(partial / "dense.faiss")
    unit_dense = _make_dense_index(unit_vectors, choose_faiss_type(len(units)))
    faiss.write_index(unit_dense, str(partial / "units.faiss"))
    _fsync_file(partial / "units.faiss")

    # BM25 reads heading and passage, not the title: a title repeated in every chunk only adds noise.
    bm25 = _make_bm25([tokenize(f"{chunk.heading}\n{chunk.text}") for chunk in chunks])
    (partial / "bm25").mkdir()
    if bm25 is not None:
        bm25.save(str(partial / "bm25"), allow_pickle=False)
        for file in (partial / "bm25").iterdir():
            _fsync_file(file)
    _fsync_dir(partial / "bm25")

    facts = tuple(extract_facts(ordered, chunks))
    _write_json(partial / "facts.json", [asdict(fact) for fact in facts])

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
        "faiss_type": faiss_type,
        "bm25": {
            **_BM25_PARAMS,
            "indexed": bm25 is not None,
            "tokenizer": "bot.core.text.tokenize",
            "tokenizer_version": TOKENIZER_VERSION,
        },
    }
    _write_json(partial / "manifest.json", manifest)
    _fsync_dir(partial)

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
        _bm25=bm25,
        _rows=MappingProxyType({chunk.id: row for row, chunk in enumerate(chunks)}),
        _units_by_chunk=_group_units(units),
        _unit_dense=unit_dense,
    )


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
    extract_facts: Callable[[Sequence[Article], Sequence[Chunk]], tuple[BenchmarkFact, ...]],
    previous: LoadedIndex | None = None,
    progress: Callable[[int, int], None] | None = None,
    timeout: float | None = None,
) -> tuple[LoadedIndex, BuildStats]:
    """Write a new build of `articles` and make it CURRENT; returns it loaded, with what it cost.

    Vectors of `previous` are reused for chunks whose (id, embed_text) did not change.
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
            loaded = _write_build(partial, final, articles, chunker, embedder, extract_facts, previous, progress)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        os.replace(partial, final)
        _fsync_dir(builds)
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


def _load_build(index_dir: Path, build_id: str, path: Path, expected_model_id: str | None) -> LoadedIndex:
    import faiss
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
        dense = faiss.read_index(str(path / "dense.faiss"))
        unit_dense = faiss.read_index(str(path / "units.faiss"))
    except RuntimeError as exc:
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
    if unit_dense.ntotal != len(units) or unit_dense.d != dim:
        problems.append(f"units.faiss holds {unit_dense.ntotal} vectors of {unit_dense.d} dimensions")
    if dense.ntotal != len(chunks) or dense.d != dim:
        problems.append(f"dense.faiss holds {dense.ntotal} vectors of {dense.d} dimensions")
    if any(chunk.article_id not in articles for chunk in chunks):
        problems.append("chunks.jsonl names articles that articles.json lacks")
    if manifest["bm25"].get("tokenizer_version") != TOKENIZER_VERSION:
        problems.append("its BM25 index was made by another version of the tokenizer")
    bm25 = None
    if manifest["bm25"].get("indexed"):
        import bm25s

        try:
            bm25 = bm25s.BM25.load(str(path / "bm25"), mmap=False, allow_pickle=False)
        except (OSError, ValueError, KeyError) as exc:
            raise _damaged(index_dir, build_id, f"cannot read bm25/ ({exc.__class__.__name__})") from exc
        if int(bm25.scores["num_docs"]) != len(chunks):
            problems.append(f"bm25/ covers {bm25.scores['num_docs']} chunks, not {len(chunks)}")
    if problems:
        raise _damaged(index_dir, build_id, "; ".join(problems))

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
    _read_manifest(index_dir, build_id, path)
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
