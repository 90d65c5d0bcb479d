"""Writing a build: one new segment for what is new or changed, tombstones for what went, merges, a manifest.

One function, `build_index`, makes every build: a first build, an add, an update, a removal and a
compaction all go through it. What it costs follows what changed, not the corpus:

- an article whose content hash is unchanged stays in its segment (same chunker version and model);
- a new or changed article is chunked, split into answer units and embedded into one new segment,
  reusing the vectors of its old version's unchanged chunks and sentences;
- a removed or changed article is tombstoned in its old segment by the new manifest;
- the corpus-wide statistics (term doc_freq, the lexicon's counts, the fact extractor's state) are the
  previous build's, plus the new articles' parts, minus the tombstoned ones';
- when a tier holds MERGE_FACTOR segments of about one size, or a segment is mostly tombstones, they
  are merged into one (Lucene's tiered merging): vectors are copied, never embedded again.

Crash safety: segments are written as `segments/<id>.partial/` and renamed, then the build as
`builds/<id>.partial/`, renamed, then CURRENT is replaced. A crash at any point leaves the previous build
serving; the next writer removes partial folders, and pruning removes segments no build lists.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.core.files import digest_of_files, fsync_dir, write_durably
from bot.core.index import _layout
from bot.core.index._bm25 import BM25_PARAMS
from bot.core.index._checksums import SEGMENT_FILE, build_file_checksums, sha256_of
from bot.core.index._errors import IndexBuildError
from bot.core.index._lexicon import LEXICON_STATE_FILE, learn_part, lexicon_of, state_of
from bot.core.index._loaded import LoadedIndex, compose_index
from bot.core.index._merge import merge_groups, merge_segments
from bot.core.index._reuse import _donors, _embed_missing, _known_word_vectors
from bot.core.index._segment import Segment, fields_of, write_segment
from bot.core.models import Article, BenchmarkFact, Chunk
from bot.core.text import TOKENIZER_VERSION, split_answer_units, tokenize

if TYPE_CHECKING:
    from bot.core.embedding import Embedder

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4  # 2: answer units; 3: the lexicon; 4: segments
WORD_BATCH_SIZE = 256  # lexicon words are a few word pieces each
FACTS_STATE_FILE = "facts_state.json"
TERM_STATS_FILE = "term_stats.json"

FactExtractor = Callable[[Sequence[Article], Sequence[Chunk]], tuple[BenchmarkFact, ...]]


@runtime_checkable
class ReusingFactExtractor(Protocol):
    """A fact extractor that can redo only what changed, from the state it left in the previous build.

    `extract_reusing(articles, chunks, saved)` returns (facts, state); state["articles"] is per article and
    is kept with each article's segment, the rest in the build; it comes back as `saved` (None when none).
    """

    def __call__(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> tuple[BenchmarkFact, ...]: ...

    def extract_reusing(
        self, articles: Sequence[Article], chunks: Sequence[Chunk], saved: Mapping[str, Any] | None
    ) -> tuple[tuple[BenchmarkFact, ...], dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class BuildStats:
    build_id: str
    chunks_total: int
    chunks_embedded: int
    chunks_reused: int
    seconds: float
    recovered: tuple[str, ...] = ()  # half-made builds removed before this one (paths relative to index/)
    pruned: tuple[str, ...] = ()  # old build ids deleted after it
    texts_embedded: int = 0  # chunks + answer units + lexicon words sent to the model
    segments: int = 0  # segments the build lists
    merged: int = 0  # segments merged into new ones by this build


def article_content_hash(article: Article) -> str:
    """The article's own content hash, or one computed over its fields when the loader left it empty."""
    if article.content_hash:
        return article.content_hash
    fields = [article.title, article.outlet, article.author, article.url, article.published, article.body]
    return "sha256:" + hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def source_version(*modules: ModuleType) -> str:
    """A version of some code: sha256 of the modules' source files (e.g. the chunker's, for `chunker_version`).

    A module without a readable source file gives a fresh random version, so nothing is reused on its account.
    """
    return digest_of_files(Path(module.__file__) if module.__file__ else None for module in modules)[:16]


class _Writing:
    """The folders one build has made so far, removed again if it fails."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.folders: list[Path] = []

    def new_segment_folder(self) -> Path:
        folder = _layout.segments_dir(self.index_dir) / f"{_layout.new_id()}{_layout.PARTIAL_SUFFIX}"
        folder.mkdir(parents=True)
        self.folders.append(folder)
        return folder

    def discard(self) -> None:
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(folder.with_name(folder.name.removesuffix(_layout.PARTIAL_SUFFIX)), ignore_errors=True)


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
    merge_all: bool = False,
) -> tuple[LoadedIndex, BuildStats]:
    """Write a new build of `articles` and make it CURRENT; returns it loaded, with what it cost.

    With `previous` built by the same model and `chunker_version` (when given), unchanged articles stay in
    their segments and only the others are chunked and embedded. Without a chunker version, or with
    `reuse_fact_state` False (a full `musebot index build`), every article is written into one new segment,
    still reusing the vectors of unchanged chunks and sentences. `merge_all` merges every segment into one
    (`musebot index compact`). `progress(done, total)` follows the embedding of chunks and answer units.
    Waits for another builder holding `index/.lock`, at most `timeout` seconds when given.
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    builds = _layout.builds_dir(index_dir)
    builds.mkdir(parents=True, exist_ok=True)
    with _layout.exclusive_lock(index_dir, timeout):
        recovered = _layout.remove_leftovers(index_dir)
        build_id = _layout.new_id()
        partial = builds / f"{build_id}{_layout.PARTIAL_SUFFIX}"
        final = builds / build_id
        partial.mkdir()
        writing = _Writing(index_dir)
        try:
            loaded, counts = _write_build(
                partial, final, writing, articles, chunker, embedder, extract_facts, previous, progress,
                chunker_version, reuse_fact_state=reuse_fact_state, merge_all=merge_all,
            )  # fmt: skip
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            writing.discard()
            raise
        os.replace(partial, final)
        fsync_dir(builds)
        _layout.write_current(index_dir, build_id)
        pruned = _layout.prune_builds(index_dir, _layout.KEEP_BUILDS)

    manifest_counts = loaded.manifest["counts"]
    stats = BuildStats(
        build_id=build_id,
        chunks_total=manifest_counts["chunks"],
        chunks_embedded=manifest_counts["embedded"],
        chunks_reused=manifest_counts["reused"],
        seconds=time.perf_counter() - started,
        recovered=tuple(recovered),
        pruned=tuple(pruned),
        texts_embedded=counts["texts_embedded"],
        segments=len(loaded.views),
        merged=counts["merged"],
    )
    log.info(
        "Built index %s: %d articles, %d chunks (%d embedded, %d reused), %d facts, %d segments (%d merged) in %.2f s",
        build_id, manifest_counts["articles"], manifest_counts["chunks"], manifest_counts["embedded"],
        manifest_counts["reused"], manifest_counts["facts"], stats.segments, stats.merged, stats.seconds,
    )  # fmt: skip
    return loaded, stats


# ---------------------------------------------------------------------------------------------
# What the previous build can give


def _usable(previous: LoadedIndex | None, embedder: Embedder) -> LoadedIndex | None:
    if previous is None or not isinstance(previous, LoadedIndex):
        return None
    if previous.model_id != embedder.model_id or previous.dim != embedder.dim:
        log.info("Previous build used %s; embedding every chunk with %s", previous.model_id, embedder.model_id)
        return None
    return previous


def _owner_views(index: LoadedIndex) -> dict[str, int]:
    """Which view (segment) of a build each live article is in."""
    owner: dict[str, int] = {}
    for number, view in enumerate(index.views):
        for article in view.segment.articles:
            if article.id not in view.deleted:
                owner[article.id] = number
    return owner


def _merged_fact_state(index: LoadedIndex) -> dict[str, Any] | None:
    """The fact extractor's saved state of a build: the build's part, with each article's entry from its segment."""
    # With the build's facts and chunks (in memory only): what the extractor settled them from, to take that up.
    settled_from = {"_facts": index.facts, "_chunks": index.chunks, "_ids": index.articles.keys()}
    if index.fact_state is not None:
        return {**index.fact_state, **settled_from}
    saved = _layout.read_optional_json(index.path / FACTS_STATE_FILE)
    if saved is None:
        return None
    overrides = saved.get("overrides") or {}
    articles: dict[str, Any] = {}
    for view in index.views:
        parts = view.segment.fact_parts()
        for article in view.segment.articles:
            if article.id in view.deleted:
                continue
            entry = overrides.get(article.id, parts.get(article.id))
            if entry is not None:
                articles[article.id] = entry
    kept = {k: v for k, v in saved.items() if k != "overrides"}
    return {**kept, "articles": articles, "_overrides": set(overrides), **settled_from}


# ---------------------------------------------------------------------------------------------
# The build


def _write_build(
    partial: Path,
    final: Path,
    writing: _Writing,
    articles: Sequence[Article],
    chunker: Callable[[Article], tuple[Chunk, ...]],
    embedder: Embedder,
    extract_facts: FactExtractor,
    previous: LoadedIndex | None,
    progress: Callable[[int, int], None] | None,
    chunker_version: str,
    *,
    reuse_fact_state: bool,
    merge_all: bool,
) -> tuple[LoadedIndex, dict[str, int]]:
    import numpy as np

    ordered = sorted(articles, key=lambda article: article.id)
    for first, second in itertools.pairwise(ordered):
        if first.id == second.id:
            raise IndexBuildError(f"Two articles share the id {first.id!r}; rename one of the files and try again.")
    hashes = {a.id: article_content_hash(a) for a in ordered}
    base = _usable(previous, embedder)
    same_chunker = (
        base is not None and bool(chunker_version) and base.manifest.get("chunker_version") == chunker_version
    )
    keep_segments = same_chunker and reuse_fact_state and base is not None and base.lexicon_state is not None
    indexed: Mapping[str, str] = base.manifest["articles"] if base is not None else {}
    kept = {a.id for a in ordered if keep_segments and indexed.get(a.id) == hashes[a.id]}
    fresh = [a for a in ordered if a.id not in kept]
    base_rows: dict[str, tuple[int, int]] = {}
    if base is not None:
        base_rows = {a: (rows.start, rows.stop) for a in base.articles if (rows := base.article_rows(a))}

    # The new articles' chunks (an unchanged article's are reused when the chunker is the same), units, vectors.
    chunks: list[Chunk] = []
    for article in fresh:
        old = base_rows.get(article.id) if same_chunker and indexed.get(article.id) == hashes[article.id] else None
        article_chunks = base.chunks[old[0] : old[1]] if old is not None and base is not None else chunker(article)
        seen: set[str] = set()
        for chunk in article_chunks:
            if chunk.article_id != article.id:
                raise IndexBuildError(f"Chunk {chunk.id!r} claims article {chunk.article_id!r}, not {article.id!r}")
            if chunk.id in seen:
                raise IndexBuildError(f"Two chunks share the id {chunk.id!r}")
            seen.add(chunk.id)
        chunks.extend(article_chunks)
    donors = _donors(base, base_rows, {a.id for a in fresh})
    units = [
        (row, text)
        for row, chunk in enumerate(chunks)
        for text in donors.sentences.get(chunk.text) or split_answer_units(chunk.text)
    ]
    vectors, unit_vectors, chunks_embedded, texts_embedded = _embed_missing(chunks, units, embedder, donors, progress)

    # Corpus-wide statistics: the previous build's, minus the tombstoned articles', plus the new ones'.
    dead: dict[int, set[str]] = {}
    owner = _owner_views(base) if base is not None and keep_segments else {}
    for article_id, number in owner.items():
        if article_id not in kept:
            dead.setdefault(number, set()).add(article_id)
    text_tokens = [tokenize(c.text) for c in chunks]
    if keep_segments and base is not None and base.doc_freq is not None:
        doc_freq: Counter[str] = Counter(base.doc_freq)
        for number, gone in dead.items():
            for article_id in gone:
                start, end = base_rows[article_id]
                doc_freq.subtract(t for c in base.chunks[start:end] for t in set(tokenize(c.text)))
        doc_freq.update(t for tokens in text_tokens for t in set(tokens))
        doc_freq = Counter({t: n for t, n in doc_freq.items() if n > 0})
    elif kept and base is not None:  # a previous build without term statistics: count them over every chunk
        live = [c for a in ordered if a.id in kept for c in base.chunks[slice(*base_rows[a.id])]]
        doc_freq = Counter(t for c in live for t in set(tokenize(c.text)))
        doc_freq.update(t for tokens in text_tokens for t in set(tokens))
    else:
        doc_freq = Counter(t for tokens in text_tokens for t in set(tokens))
    ranges = _ranges_of(chunks)
    new_parts = {a.id: learn_part(a, chunks[slice(*ranges.get(a.id, (0, 0)))]) for a in fresh}
    if keep_segments and base is not None and base.lexicon_state is not None:
        state = base.lexicon_state.copy()
        for number, gone in dead.items():
            parts = base.views[number].segment.lexicon_parts()
            for article_id in gone:
                state.apply(article_id, parts[article_id], -1)
        for article_id, part in new_parts.items():
            state.apply(article_id, part, 1)
    else:
        state = state_of(new_parts.items())

    # Segments of the new build: the previous ones with their tombstones (fully dead ones dropped), then the new.
    segments: list[Segment] = []
    deleted: dict[str, frozenset[str]] = {}
    if base is not None and keep_segments:
        for number, view in enumerate(base.views):
            tombstoned = frozenset(view.deleted | dead.get(number, set()))
            if any(a.id not in tombstoned for a in view.segment.articles):
                segments.append(view.segment)
                deleted[view.segment.id] = tombstoned

    # Lexicon words: every chosen word must have its vector stored in a segment of this build.
    known = _known_word_vectors(base)
    stored = set().union(*(_stored_words(s) for s in segments)) if segments else set()
    _tokens, chosen = state.words()
    homeless = sorted({w for w in chosen if w not in stored})
    to_embed = [w for w in homeless if w not in known]
    if to_embed:
        fresh_words = np.asarray(embedder.embed(to_embed, batch_size=WORD_BATCH_SIZE), dtype=np.float32)
        norms = np.linalg.norm(fresh_words, axis=1, keepdims=True)
        for word, vector in zip(to_embed, fresh_words / np.clip(norms, 1e-12, None), strict=True):
            known[word] = vector
        texts_embedded += len(to_embed)
    word_vectors = (
        np.stack([known[w] for w in homeless]).astype(np.float32)
        if homeless
        else np.zeros((0, embedder.dim), dtype=np.float32)
    )

    # The facts, over every live article; each article's saved state goes with its segment.
    global_chunks = _global_chunks(ordered, kept, base, base_rows, chunks, ranges)
    fact_parts: dict[str, Any] = {}
    build_fact_state: dict[str, Any] | None = None
    merged_fact_state: dict[str, Any] | None = None
    if isinstance(extract_facts, ReusingFactExtractor):
        saved = _merged_fact_state(base) if base is not None and reuse_fact_state else None
        facts, fact_state = extract_facts.extract_reusing(ordered, global_chunks, saved)
        facts = tuple(facts)
        entries: Mapping[str, Any] = fact_state.get("articles", {})
        old_entries = (saved or {}).get("articles", {})
        old_overrides: set[str] = (saved or {}).get("_overrides", set())
        overrides = {
            aid: entries[aid]
            for aid in kept
            if aid in entries and (aid in old_overrides or entries[aid] != old_entries.get(aid))
        }
        fact_parts = {a.id: entries[a.id] for a in fresh if a.id in entries}
        build_fact_state = {**{k: v for k, v in fact_state.items() if k != "articles"}, "overrides": overrides}
        merged_fact_state = {**build_fact_state, "articles": dict(entries), "_overrides": set(overrides)}
        del merged_fact_state["overrides"]
    else:
        facts = tuple(extract_facts(ordered, global_chunks))

    if fresh or homeless:
        new_segment, _ = write_segment(
            writing.new_segment_folder(),
            articles=fresh,
            hashes=hashes,
            chunks=chunks,
            units=units,
            vectors=vectors,
            unit_vectors=unit_vectors,
            lexicon_parts=new_parts,
            fact_parts=fact_parts,
            words=homeless,
            word_vectors=word_vectors,
            model_id=embedder.model_id,
            text_tokens=text_tokens,
        )
        segments.append(new_segment)
        deleted[new_segment.id] = frozenset()

    # Merges: no embedding, only copying.
    groups = merge_groups(segments, deleted, merge_all)
    merged = 0
    for group in groups:
        chosen_words = set(chosen)
        merged_segment = merge_segments(
            group, deleted, writing.new_segment_folder, merged_fact_state, chosen_words, embedder
        )
        merged += len(group)
        ids = {s.id for s in group}
        segments = [s for s in segments if s.id not in ids] + [merged_segment]
        for segment_id in ids:
            deleted.pop(segment_id, None)
        deleted[merged_segment.id] = frozenset()
        if build_fact_state is not None and merged_fact_state is not None:
            folded = {a.id for a in merged_segment.articles}
            build_fact_state["overrides"] = {k: v for k, v in build_fact_state["overrides"].items() if k not in folded}
            merged_fact_state["_overrides"] = set(build_fact_state["overrides"])

    # The build's own files.
    write_durably(partial / "facts.json", _facts_json(facts))
    if build_fact_state is not None:
        _layout.write_json(partial / FACTS_STATE_FILE, build_fact_state)
    _layout.write_json(partial / TERM_STATS_FILE, {"chunks": len(global_chunks), "doc_freq": dict(doc_freq)})
    _layout.write_json(partial / LEXICON_STATE_FILE, state.to_json())
    all_words = {w: v for s in segments for w, v in zip(s.words, s.word_vectors, strict=True)}
    lexicon, missing = lexicon_of(state, all_words.get, embedder.dim)
    if missing:  # cannot happen: every chosen word was given a home above
        raise IndexBuildError(f"The lexicon lacks vectors for {len(missing)} words, e.g. {missing[:3]}")
    total_units = sum(len(s.unit_texts) for s in segments) - sum(len(_dead_units(s, deleted[s.id])) for s in segments)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "build_id": final.name,
        "built_at": _layout.built_at(final.name),
        "model_id": embedder.model_id,
        "dim": int(embedder.dim),
        "articles": hashes,
        "counts": {
            "articles": len(ordered),
            "chunks": len(global_chunks),
            "units": total_units,
            "facts": len(facts),
            "embedded": chunks_embedded,
            "reused": len(global_chunks) - chunks_embedded,
        },
        "files": build_file_checksums(partial),
        "segments": [
            {"id": s.id, "deleted": sorted(deleted[s.id]), "checksum": sha256_of(s.path / SEGMENT_FILE)}
            for s in segments
        ],
        "faiss_type": "hnsw" if any(s.meta["faiss_type"] == "hnsw" for s in segments) else "flat",
        "unit_faiss_type": next((t for t in ("hnsw", "ivf") if any(s.meta["unit_faiss_type"] == t for s in segments)), "flat"),
        "chunker_version": chunker_version,
        "bm25": {**BM25_PARAMS, "tokenizer": "bot.core.text.tokenize", "tokenizer_version": TOKENIZER_VERSION},
    }
    _layout.write_json(partial / "manifest.json", manifest, indent=1)
    fsync_dir(partial)
    loaded = compose_index(
        build_id=final.name,
        path=final,
        manifest=manifest,
        segments=segments,
        deleted=deleted,
        facts=facts,
        doc_freq=doc_freq,
        lexicon=lexicon,
        lexicon_state=state,
        fact_state=merged_fact_state,
        dim=int(embedder.dim),
    )
    if len(loaded.chunks) != len(global_chunks) or len(loaded.units) != total_units:
        raise IndexBuildError("The segments of this build do not add up; run: musebot index build")
    return loaded, {"texts_embedded": texts_embedded, "merged": merged}


# Each fact's JSON, kept between builds of one process: an add rewrites facts.json with every fact, and all but
# its own article's are the same values as before (serialising 90k facts was ~1 s of an add to 10,000 articles).
# Kept by identity (the fact itself held beside its text, so an id is never reused while kept): the facts of
# the articles an add did not touch are the very same objects (`SettledArticle`), and hashing 90k facts by
# value cost more than writing them.
FACT_JSON_MEMO_LIMIT = 200_000  # ~60 MB of text at most; emptied when past it (facts of old versions pile up)
_fact_json: dict[int, tuple[BenchmarkFact, str]] = {}


def _facts_json(facts: Sequence[BenchmarkFact]) -> bytes:
    """facts.json's bytes, the same as json.dumps of the list of their fields (items joined by ", ")."""
    if len(_fact_json) > FACT_JSON_MEMO_LIMIT:
        _fact_json.clear()
    parts = []
    for fact in facts:
        kept = _fact_json.get(id(fact))
        if kept is None or kept[0] is not fact:
            kept = _fact_json[id(fact)] = (fact, json.dumps(fields_of(fact), ensure_ascii=False))
        parts.append(kept[1])
    return ("[" + ", ".join(parts) + "]\n").encode("utf-8")


def _ranges_of(chunks: Sequence[Chunk]) -> dict[str, tuple[int, int]]:
    ranges: dict[str, tuple[int, int]] = {}
    for article_id, group in itertools.groupby(enumerate(chunks), key=lambda item: item[1].article_id):
        rows = [row for row, _ in group]
        ranges[article_id] = (rows[0], rows[-1] + 1)
    return ranges


def _global_chunks(
    ordered: Sequence[Article],
    kept: set[str],
    base: LoadedIndex | None,
    base_rows: Mapping[str, tuple[int, int]],
    chunks: Sequence[Chunk],
    ranges: Mapping[str, tuple[int, int]],
) -> list[Chunk]:
    """Every live chunk in global row order (article id, then chunk order)."""
    out: list[Chunk] = []
    for article in ordered:
        if article.id in kept and base is not None:
            start, end = base_rows.get(article.id, (0, 0))
            out.extend(base.chunks[start:end])
        else:
            out.extend(chunks[slice(*ranges.get(article.id, (0, 0)))])
    return out


def _stored_words(segment: Segment) -> frozenset[str]:
    cached = segment._cache.get("word_set")
    if cached is None:
        cached = segment._cache["word_set"] = frozenset(segment.words)
    return cached


def _dead_units(segment: Segment, gone: frozenset[str]) -> range | list[int]:
    rows: list[int] = []
    for article_id in gone:
        start, end = segment.chunk_ranges.get(article_id, (0, 0))
        rows.extend(range(int(segment.unit_starts[start]), int(segment.unit_starts[end])))
    return rows
