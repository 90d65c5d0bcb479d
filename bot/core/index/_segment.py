"""One immutable segment: some articles with their chunks, answer units, vectors, postings and parts.

    segments/<id>/segment.json         what it holds (article ids and hashes, counts, FAISS types) + checksums
                  articles.json chunks.jsonl units.jsonl ({"chunk": local row, "text": ...})
                  vectors.npy unit_vectors.npy dense.faiss units.faiss
                  bm25/                postings (vocab.json, indptr/indices/tf/doc_len .npy)
                  facts_state.json     the fact extractor's per-article state for these articles
                  lexicon_parts.json   per-article lexicon counts; lexicon_words.json + lexicon_vectors.npy

Articles are in id order and their chunks (and units) follow in that order, so an article is one range
of rows. A segment never changes once written: a removal is a tombstone in a build's manifest.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.files import fsync_dir, write_durably
from bot.core.index._bm25 import POSTINGS_DIR, Postings
from bot.core.index._checksums import SEGMENT_FILE, build_file_checksums, check_files
from bot.core.index._dense import choose_faiss_type, choose_unit_faiss_type, read_dense_index, write_dense_index
from bot.core.index._errors import damaged
from bot.core.index._layout import PARTIAL_SUFFIX, read_optional_json, write_json
from bot.core.index._lexicon import PARTS_FILE, WORD_VECTORS_FILE, WORDS_FILE
from bot.core.models import Article, Chunk
from bot.core.text import TOKENIZER_VERSION, tokenize

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

SEGMENT_VERSION = 1
FACT_PARTS_FILE = "facts_state.json"
SIGNATURES_FILE = "signatures.npy"


def fields_of(value: Any) -> dict[str, Any]:
    """A flat dataclass as a dict (dataclasses.asdict deep-copies every field: 3x slower on a big corpus)."""
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


@dataclass(frozen=True, slots=True, eq=False)
class Segment:
    id: str
    path: Path
    meta: Mapping[str, Any]
    articles: tuple[Article, ...]  # by id
    chunks: tuple[Chunk, ...]  # article by article, in the order of `articles`
    chunk_ranges: Mapping[str, tuple[int, int]]  # article id -> its local chunk rows [start, end)
    unit_chunk: np.ndarray  # local chunk row of each unit (int64)
    unit_texts: tuple[str, ...]
    unit_starts: np.ndarray  # len(chunks) + 1: units of chunk r are unit_starts[r]:unit_starts[r + 1]
    vectors: np.ndarray
    unit_vectors: np.ndarray
    dense: Any  # HNSW index, or None for a flat one (scanned with numpy)
    unit_dense: Any
    postings: Postings
    words: tuple[str, ...]  # lexicon words whose vectors this segment holds
    word_vectors: np.ndarray
    signatures: np.ndarray  # (len(articles), SIGNATURE_SIZE) uint64 MinHash of each body, for near-duplicates
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    # What searches derive from the vectors once (the float16 copies of `_dense.search_rows`): a segment never
    # changes, so neither does this; a build shares it with every build that lists the segment.
    search_cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def hashes(self) -> Mapping[str, str]:
        return self.meta["articles"]

    def lexicon_parts(self) -> Mapping[str, Any]:
        """Per-article lexicon counts (read on first use: only a removal or a merge needs them)."""
        if "lexicon" not in self._cache:
            self._cache["lexicon"] = json.loads((self.path / PARTS_FILE).read_text(encoding="utf-8"))
        return self._cache["lexicon"]

    def fact_parts(self) -> Mapping[str, Any]:
        if "facts" not in self._cache:
            self._cache["facts"] = read_optional_json(self.path / FACT_PARTS_FILE) or {}
        return self._cache["facts"]


def unit_starts_of(unit_chunk: Sequence[int] | np.ndarray, chunk_count: int) -> np.ndarray:
    import numpy as np

    counts = np.bincount(np.asarray(unit_chunk, dtype=np.int64), minlength=chunk_count) if len(unit_chunk) else (
        np.zeros(chunk_count, dtype=np.int64))  # fmt: skip
    starts = np.zeros(chunk_count + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts


def _save_npy(path: Path, matrix: np.ndarray) -> None:
    import numpy as np

    with path.open("wb") as handle:
        np.save(handle, matrix, allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def write_segment(
    partial: Path,
    *,
    articles: Sequence[Article],
    hashes: Mapping[str, str],
    chunks: Sequence[Chunk],
    units: Sequence[tuple[int, str]],
    vectors: np.ndarray,
    unit_vectors: np.ndarray,
    lexicon_parts: Mapping[str, Any],
    fact_parts: Mapping[str, Any],
    words: Sequence[str],
    word_vectors: np.ndarray,
    model_id: str,
    text_tokens: Sequence[list[str]] | None = None,
    signatures: np.ndarray | None = None,
) -> tuple[Segment, list[list[str]]]:
    """Write a segment into `partial` (an existing empty folder), then rename it to its final name.

    Returns the segment as loaded from there, and each chunk's text tokens (for the build's term statistics).
    """
    import numpy as np

    final = partial.with_name(partial.name.removesuffix(PARTIAL_SUFFIX))
    write_json(partial / "articles.json", {a.id: fields_of(a) for a in articles})
    lines = "".join(json.dumps(fields_of(chunk), ensure_ascii=False) + "\n" for chunk in chunks)
    write_durably(partial / "chunks.jsonl", lines.encode("utf-8"))
    quote = json.JSONEncoder(ensure_ascii=False).encode
    unit_lines = "".join(f'{{"chunk": {row}, "text": {quote(text)}}}\n' for row, text in units)
    write_durably(partial / "units.jsonl", unit_lines.encode("utf-8"))
    _save_npy(partial / "vectors.npy", vectors)
    _save_npy(partial / "unit_vectors.npy", unit_vectors)
    faiss_type, unit_faiss_type = choose_faiss_type(len(chunks)), choose_unit_faiss_type(len(units))
    dense = write_dense_index(partial / "dense.faiss", vectors, faiss_type)
    unit_dense = write_dense_index(partial / "units.faiss", unit_vectors, unit_faiss_type)
    # BM25 reads heading and passage, not the title: a title repeated in every chunk only adds noise.
    # Tokens never span a line break, so a passage is tokenised once for BM25 and for the term statistics.
    text_tokens = [tokenize(c.text) for c in chunks] if text_tokens is None else list(text_tokens)
    heading_tokens = {heading: tokenize(heading) for heading in {c.heading for c in chunks}}
    postings = Postings.of_token_lists(
        [heading_tokens[c.heading] + tokens for c, tokens in zip(chunks, text_tokens, strict=True)]
    )
    postings.save(partial / POSTINGS_DIR)
    write_json(partial / FACT_PARTS_FILE, dict(fact_parts))
    write_json(partial / PARTS_FILE, dict(lexicon_parts))
    write_json(partial / WORDS_FILE, list(words))
    _save_npy(partial / WORD_VECTORS_FILE, word_vectors)
    if signatures is None:
        from bot.core.maintenance import SIGNATURE_SIZE, shingle_signature

        signatures = np.array([shingle_signature(a.body) for a in articles], dtype=np.uint64).reshape(
            -1, SIGNATURE_SIZE
        )
    _save_npy(partial / SIGNATURES_FILE, signatures)
    meta = {
        "version": SEGMENT_VERSION,
        "id": final.name,
        "model_id": model_id,
        "dim": int(vectors.shape[1]),
        "articles": {a.id: hashes[a.id] for a in articles},
        "counts": {"articles": len(articles), "chunks": len(chunks), "units": len(units), "words": len(words)},
        "faiss_type": faiss_type,
        "unit_faiss_type": unit_faiss_type,
        "tokenizer_version": TOKENIZER_VERSION,
        "files": build_file_checksums(partial),
    }
    write_json(partial / SEGMENT_FILE, meta, indent=1)
    fsync_dir(partial)
    os.replace(partial, final)
    fsync_dir(final.parent)
    for matrix in (vectors, unit_vectors, word_vectors):
        matrix.setflags(write=False)
    unit_chunk = np.fromiter((row for row, _ in units), dtype=np.int64, count=len(units))
    segment = Segment(
        id=final.name,
        path=final,
        meta=meta,
        articles=tuple(articles),
        chunks=tuple(chunks),
        chunk_ranges=_ranges(articles, chunks),
        unit_chunk=unit_chunk,
        unit_texts=tuple(text for _, text in units),
        unit_starts=unit_starts_of(unit_chunk, len(chunks)),
        vectors=vectors,
        unit_vectors=unit_vectors,
        dense=dense,
        unit_dense=unit_dense,
        postings=postings,
        words=tuple(words),
        word_vectors=word_vectors,
        signatures=signatures,
        _cache={"lexicon": dict(lexicon_parts), "facts": dict(fact_parts)},
    )
    return segment, text_tokens


def _ranges(articles: Sequence[Article], chunks: Sequence[Chunk]) -> dict[str, tuple[int, int]]:
    ranges: dict[str, tuple[int, int]] = {a.id: (0, 0) for a in articles}
    start = 0
    for row in range(len(chunks) + 1):
        if row == len(chunks) or (row > start and chunks[row].article_id != chunks[start].article_id):
            if row > start:
                ranges[chunks[start].article_id] = (start, row)
            start = row
    return ranges


def read_segment(index_dir: Path, build_id: str, path: Path, dim: int, model_id: str) -> Segment:
    """A segment from disk, every file checked against its checksum; IndexDamagedError naming what is wrong."""
    import numpy as np

    where = f"segments/{path.name}/"

    def fail(detail: str) -> Exception:
        return damaged(index_dir, build_id, f"{where}{detail}")

    meta = read_optional_json(path / SEGMENT_FILE)
    if meta is None or meta.get("version") != SEGMENT_VERSION or not isinstance(meta.get("articles"), dict):
        raise fail(f"{SEGMENT_FILE} is missing or unreadable")
    try:
        raw_articles = json.loads((path / "articles.json").read_text(encoding="utf-8"))
        articles = tuple(Article(**fields) for _id, fields in sorted(raw_articles.items()))
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise fail(f"articles.json cannot be read ({exc.__class__.__name__})") from exc
    try:
        lines = (path / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
        chunks = tuple(Chunk(**json.loads(line)) for line in lines if line.strip())
    except (OSError, ValueError, TypeError) as exc:
        raise fail(f"chunks.jsonl cannot be read ({exc.__class__.__name__})") from exc
    try:
        vectors = np.load(path / "vectors.npy", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise fail(f"vectors.npy cannot be read ({exc.__class__.__name__})") from exc
    try:
        unit_lines = (path / "units.jsonl").read_text(encoding="utf-8").splitlines()
        raw_units = [json.loads(line) for line in unit_lines if line.strip()]
        unit_chunk = np.fromiter((int(u["chunk"]) for u in raw_units), dtype=np.int64, count=len(raw_units))
        unit_texts = tuple(str(u["text"]) for u in raw_units)
        unit_vectors = np.load(path / "unit_vectors.npy", allow_pickle=False)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise fail(f"the answer units cannot be read ({exc.__class__.__name__})") from exc
    try:
        dense, dense_dim, dense_total = read_dense_index(path / "dense.faiss")
        unit_dense, unit_dim, unit_total = read_dense_index(path / "units.faiss")
    except (OSError, RuntimeError) as exc:
        raise fail("dense.faiss or units.faiss cannot be read") from exc
    try:
        postings = Postings.load(path / POSTINGS_DIR)
    except (OSError, ValueError, KeyError) as exc:
        raise fail(f"bm25/ cannot be read ({exc.__class__.__name__})") from exc
    try:
        words = tuple(json.loads((path / WORDS_FILE).read_text(encoding="utf-8")))
        word_vectors = np.load(path / WORD_VECTORS_FILE, allow_pickle=False)
        signatures = np.load(path / SIGNATURES_FILE, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise fail(f"the lexicon's vectors cannot be read ({exc.__class__.__name__})") from exc

    counts = meta.get("counts", {})
    problems = []
    if meta.get("model_id") != model_id:
        problems.append(f"it was embedded with {meta.get('model_id')}, not {model_id}")
    if {a.id for a in articles} != set(meta["articles"]):
        problems.append("articles.json does not match segment.json")
    if len(chunks) != counts.get("chunks"):
        problems.append(f"{len(chunks)} chunks, segment.json says {counts.get('chunks')}")
    if vectors.dtype != np.float32 or vectors.shape != (len(chunks), dim):
        problems.append(f"vectors.npy is {vectors.dtype} {vectors.shape}, expected float32 ({len(chunks)}, {dim})")
    if unit_vectors.dtype != np.float32 or unit_vectors.shape != (len(unit_texts), dim):
        problems.append(f"unit_vectors.npy is {unit_vectors.shape}, expected ({len(unit_texts)}, {dim})")
    if len(unit_chunk) and (unit_chunk.min() < 0 or unit_chunk.max() >= len(chunks) or (np.diff(unit_chunk) < 0).any()):
        problems.append("units.jsonl names chunks that chunks.jsonl lacks, or out of order")
    if unit_total != len(unit_texts) or unit_dim != dim:
        problems.append(f"units.faiss holds {unit_total} vectors of {unit_dim} dimensions")
    if dense_total != len(chunks) or dense_dim != dim:
        problems.append(f"dense.faiss holds {dense_total} vectors of {dense_dim} dimensions")
    if any(chunk.article_id not in meta["articles"] for chunk in chunks):
        problems.append("chunks.jsonl names articles that articles.json lacks")
    if len(postings.doc_len) != len(chunks):
        problems.append(f"bm25/ covers {len(postings.doc_len)} chunks, not {len(chunks)}")
    if meta.get("tokenizer_version") != TOKENIZER_VERSION:
        problems.append("its BM25 postings were made by another version of the tokenizer")
    if word_vectors.shape != (len(words), dim):
        problems.append(f"lexicon_vectors.npy is {word_vectors.shape}, expected ({len(words)}, {dim})")
    if signatures.dtype != np.uint64 or len(signatures) != len(articles):
        problems.append(f"signatures.npy is {signatures.dtype} {signatures.shape}, expected one row per article")
    if problems:
        raise fail("; ".join(problems))
    check_files(index_dir, build_id, path, meta.get("files"), prefix=where)  # after the checks above, which say more
    for matrix in (vectors, unit_vectors, word_vectors):
        matrix.setflags(write=False)
    ranges = _ranges(articles, chunks)
    return Segment(
        id=path.name,
        path=path,
        meta=meta,
        articles=articles,
        chunks=chunks,
        chunk_ranges=ranges,
        unit_chunk=unit_chunk,
        unit_texts=unit_texts,
        unit_starts=unit_starts_of(unit_chunk, len(chunks)),
        vectors=vectors,
        unit_vectors=unit_vectors,
        dense=dense,
        unit_dense=unit_dense,
        postings=postings,
        words=words,
        word_vectors=word_vectors,
        signatures=signatures,
    )
