"""Index builds on disk: round trip, search, incremental re-use, damage reports, locking and crash safety."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.core import index_store
from bot.core.embedding import HashingEmbedder
from bot.core.index import _dense, _layout
from bot.core.index_store import (
    IndexBuildError,
    IndexDamagedError,
    IndexLockedError,
    IndexMissingError,
    IndexModelMismatchError,
    IndexStoreError,
    LoadedIndex,
    build_index,
    choose_faiss_type,
    is_stale,
    load_facts_only,
    load_index,
    read_current_build_id,
    recover_partial_builds,
)
from bot.core.models import Article, BenchmarkFact, Chunk
from bot.core.text import tokenize

ROOT = Path(__file__).resolve().parents[2]
RUN_BUILD = "run: musebot index build"

ARTICLES = (
    Article(
        id="launch",
        title="Meta launches Muse Spark",
        outlet="Tech Daily",
        body="# Launch\n\nMeta launched Muse Spark on April 8 from Meta Superintelligence Labs.\n\n"
        "The assistant reaches WhatsApp and Instagram later this spring.",
        url="https://example.com/launch",
    ),
    Article(
        id="health",
        title="Muse Spark on health questions",
        outlet="Health Wire",
        body="# Benchmarks\n\nMuse Spark scored 42.8% on HealthBench Hard, ahead of GPT-5.4.\n\n"
        "Doctors reviewed a sample of its answers.",
    ),
    Article(
        id="weights",
        title="Closed weights",
        outlet="Open Source Weekly",
        body="Unlike Llama, Muse Spark is closed: Meta is not releasing the weights.\n\n"
        "Developers get a private API preview instead.",
    ),
    Article(
        id="coding",
        title="Coding results",
        outlet="Dev Journal",
        body="On SWE-Bench Verified, Muse Spark scored 61.5% and trails Claude Opus.\n\n"
        "Contemplating mode runs several agents in parallel.",
    ),
)


def chunk_paragraphs(article: Article) -> tuple[Chunk, ...]:
    """One chunk per paragraph; `#` lines become the heading of what follows."""
    heading, chunks = "", []
    for paragraph in (part.strip() for part in article.body.split("\n\n")):
        if paragraph.startswith("#"):
            heading = paragraph.lstrip("#").strip()
            continue
        n = len(chunks)
        embed_text = "\n".join(part for part in (article.title, heading, paragraph) if part)
        chunks.append(Chunk(f"{article.id}#{n}", article.id, n, heading, paragraph, embed_text))
    return tuple(chunks)


_SCORE_RE = re.compile(
    r"scored (\d+(?:\.\d+)?)% on ([A-Z][\w-]+(?: [A-Z][\w-]+)?)|On ([\w -]+), \w[\w ]+ scored (\d+(?:\.\d+)?)%"
)


def find_facts(articles: Sequence[Article], chunks: Sequence[Chunk]) -> tuple[BenchmarkFact, ...]:
    """A stand-in for benchmarks.extract_facts: 'scored N% on X' and 'On X, … scored N%'."""
    facts = []
    for chunk in chunks:
        for match in _SCORE_RE.finditer(chunk.text):
            value, benchmark = (match[1], match[2]) if match[1] else (match[4], match[3])
            facts.append(
                BenchmarkFact(
                    benchmark, "Muse Spark", f"{value}%", float(value), "%", chunk.article_id, chunk.id, chunk.text
                )
            )
    return tuple(facts)


class CountingEmbedder(HashingEmbedder):
    """The fake, remembering every text it was asked to embed."""

    def __init__(self, dim: int = 64) -> None:
        super().__init__(dim)
        self.seen: list[str] = []

    def embed(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        self.seen.extend(texts)
        return super().embed(texts, batch_size=batch_size, progress=progress)


def _build(
    index_dir: Path, articles: Sequence[Article] = ARTICLES, embedder: HashingEmbedder | None = None, **kwargs: object
) -> tuple[LoadedIndex, index_store.BuildStats]:
    return build_index(
        articles, chunk_paragraphs, embedder or HashingEmbedder(), index_dir, extract_facts=find_facts, **kwargs
    )


def _replace(article_id: str, **changes: str) -> tuple[Article, ...]:
    return tuple(dataclasses.replace(a, **changes) if a.id == article_id else a for a in ARTICLES)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, LoadedIndex]:
    index_dir = tmp_path / "index"
    index, _ = _build(index_dir)
    return index_dir, index


# ----- round trip and search -------------------------------------------------------------------


def test_a_build_loads_back_exactly(built: tuple[Path, LoadedIndex]) -> None:
    index_dir, made = built
    loaded = load_index(index_dir, expected_model_id="hashing-fake")

    assert loaded.build_id == made.build_id == read_current_build_id(index_dir)
    assert [c.id for c in loaded.chunks] == [
        "coding#0", "coding#1", "health#0", "health#1", "launch#0", "launch#1", "weights#0", "weights#1",
    ]  # fmt: skip
    assert loaded.chunks == made.chunks
    assert dict(loaded.articles) == {a.id: a for a in ARTICLES}
    assert list(loaded.articles) == ["coding", "health", "launch", "weights"]
    assert loaded.chunks[2].heading == "Benchmarks"
    np.testing.assert_array_equal(loaded.vectors, made.vectors)
    assert loaded.vectors.dtype == np.float32
    assert not loaded.vectors.flags.writeable
    assert [(f.benchmark, f.value_text, f.chunk_id) for f in loaded.facts] == [
        ("SWE-Bench Verified", "61.5%", "coding#0"),
        ("HealthBench Hard", "42.8%", "health#0"),
    ]
    assert loaded.chunk_row("health#1") == 3
    assert loaded.chunk_row("health#9") is None


def _segment_of(index: LoadedIndex) -> Path:
    (segment,) = index.segments
    return segment.path


def test_the_build_folder_holds_plain_files_only(built: tuple[Path, LoadedIndex]) -> None:
    index_dir, index = built
    segment = _segment_of(index)
    files = sorted(str(p.relative_to(segment)) for p in segment.rglob("*") if p.is_file())

    assert files[:6] == [
        "articles.json",
        "bm25/doc_len.npy",
        "bm25/indices.npy",
        "bm25/indptr.npy",
        "bm25/tf.npy",
        "bm25/vocab.json",
    ]
    assert {
        "chunks.jsonl", "dense.faiss", "segment.json", "vectors.npy", "units.jsonl", "unit_vectors.npy", "units.faiss",
        "facts_state.json", "lexicon_parts.json", "lexicon_words.json", "lexicon_vectors.npy",
    } <= set(files)  # fmt: skip
    build_files = sorted(str(p.relative_to(index.path)) for p in index.path.rglob("*") if p.is_file())
    assert build_files == ["facts.json", "lexicon.json", "manifest.json", "term_stats.json"]
    assert not [name for name in files + build_files if name.endswith((".pkl", ".pickle"))]
    manifest = json.loads((index.path / "manifest.json").read_text())
    assert manifest["schema_version"] == index_store.SCHEMA_VERSION
    assert manifest["model_id"] == "hashing-fake"
    assert manifest["faiss_type"] == "flat"
    assert manifest["counts"] == {"articles": 4, "chunks": 8, "units": len(index.units), "facts": 2, "embedded": 8,
                                  "reused": 0}  # fmt: skip
    assert manifest["segments"] == [
        {
            "id": segment.name,
            "deleted": [],
            "checksum": hashlib.sha256((segment / "segment.json").read_bytes()).hexdigest(),
        }
    ]
    assert len(index.units) >= 8
    assert index.unit_vectors.shape == (len(index.units), 64)
    assert set(manifest["articles"]) == {"launch", "health", "weights", "coding"}
    assert (index_dir / "CURRENT").read_text() == f"{index.build_id}\n"


def test_stats_describe_the_build(built: tuple[Path, LoadedIndex]) -> None:
    _, index = built
    stats = index.stats()

    assert (stats.build_id, stats.articles, stats.chunks, stats.facts, stats.model_id) == (
        index.build_id, 4, 8, 2, "hashing-fake",
    )  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stats.built_at)


def test_dense_search_finds_the_matching_chunk_first(built: tuple[Path, LoadedIndex]) -> None:
    index_dir, _ = built
    index = load_index(index_dir, expected_model_id=None)
    query = HashingEmbedder().embed(["Closed weights Unlike Llama Muse Spark closed Meta releasing weights"])[0]

    results = index.search_dense(query, 3)

    assert index.chunks[results[0][0]].id == "weights#0"
    assert len(results) == 3
    assert results[0][1] == pytest.approx(max(float(index.vectors[row] @ query) for row in range(8)), abs=1e-5)
    assert [score for _, score in results] == sorted((score for _, score in results), reverse=True)
    assert len(index.search_dense(query, 100)) == 8


def test_bm25_finds_the_matching_chunk_first(built: tuple[Path, LoadedIndex]) -> None:
    index_dir, _ = built
    index = load_index(index_dir, expected_model_id=None)

    results = index.search_bm25(tokenize("What did it score on HealthBench Hard?"), 5)

    assert index.chunks[results[0][0]].id == "health#0"
    assert all(score > 0 for _, score in results)
    assert index.search_bm25(tokenize("SWE-Bench"), 5)[0][0] == index.chunk_row("coding#0")
    assert index.search_bm25([], 5) == []
    assert index.search_bm25(["zzzunknown"], 5) == []
    assert index.search_bm25(tokenize("HealthBench"), 0) == []


def test_hnsw_is_used_above_the_threshold_and_still_finds_the_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert choose_faiss_type(50_000) == "flat"
    assert choose_faiss_type(50_001) == "hnsw"
    monkeypatch.setattr(_dense, "FLAT_INDEX_LIMIT", 2)
    _build(tmp_path)
    index = load_index(tmp_path, expected_model_id="hashing-fake")

    query = HashingEmbedder().embed([index.chunks[5].embed_text])[0]

    assert index.manifest["faiss_type"] == "hnsw"
    assert index.search_dense(query, 3)[0] == (5, pytest.approx(1.0, abs=1e-5))


def test_a_corpus_without_search_tokens_still_builds(tmp_path: Path) -> None:
    index, _ = _build(tmp_path, [Article(id="empty", title="It", outlet="", body="and of the")])
    loaded = load_index(tmp_path, expected_model_id=None)

    assert len(loaded.chunks) == 1
    assert loaded.search_bm25(["muse"], 5) == []
    assert loaded.search_dense(index.vectors[0], 5)[0][0] == 0


def test_an_empty_corpus_builds_an_empty_index(tmp_path: Path) -> None:
    _build(tmp_path, [])
    index = load_index(tmp_path, expected_model_id=None)

    assert index.chunks == ()
    assert index.vectors.shape == (0, 64)
    assert index.search_dense(np.ones(64, dtype=np.float32) / 8, 5) == []
    assert index.search_bm25(["muse"], 5) == []


# ----- incremental builds --------------------------------------------------------------------


def test_rebuilds_embed_only_what_changed(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    first, stats = _build(tmp_path, ARTICLES, embedder)
    assert (stats.chunks_total, stats.chunks_embedded, stats.chunks_reused) == (8, 8, 0)

    embedder.seen.clear()
    same, stats = _build(tmp_path, ARTICLES, embedder, previous=first)
    assert (stats.chunks_embedded, stats.chunks_reused, embedder.seen) == (0, 8, [])
    np.testing.assert_array_equal(same.vectors, first.vectors)
    assert same.build_id > first.build_id

    edited = _replace("health", body=ARTICLES[1].body.replace("a sample of", "every one of"))
    updated, stats = _build(tmp_path, edited, embedder, previous=same)
    assert (stats.chunks_embedded, stats.chunks_reused) == (1, 7)
    # The changed chunk, then its one new answer unit (the sentence itself), then the two words the corpus did
    # not use before (for the lexicon); nothing else is embedded.
    assert embedder.seen == [
        "Muse Spark on health questions\nBenchmarks\nDoctors reviewed every one of its answers.",
        "Doctors reviewed every one of its answers.",
        "every",
        "one",
    ]

    embedder.seen.clear()
    pricing = Article(id="pricing", title="Price", outlet="Biz", body="Muse Spark is free in the Meta AI app.")
    added, stats = _build(tmp_path, (*edited, pricing), embedder, previous=updated)
    assert (stats.chunks_embedded, stats.chunks_total) == (1, 9)
    assert embedder.seen[1] == "Muse Spark is free in the Meta AI app."
    assert set(embedder.seen[2:]) == set(added.lexicon.words) - set(updated.lexicon.words)  # new words only
    assert added.chunk_row("pricing#0") is not None
    np.testing.assert_array_equal(added.vectors[added.chunk_row("pricing#0")], embedder.embed([embedder.seen[0]])[0])

    embedder.seen.clear()
    without_health = tuple(a for a in (*edited, pricing) if a.id != "health")
    removed, stats = _build(tmp_path, without_health, embedder, previous=added)
    assert (stats.chunks_embedded, stats.chunks_total) == (0, 7)
    assert "health" not in removed.articles
    assert not [c for c in removed.chunks if c.article_id == "health"]
    assert [f.article_id for f in removed.facts] == ["coding"]
    reloaded = load_index(tmp_path, expected_model_id="hashing-fake")
    assert [f.benchmark for f in reloaded.facts] == ["SWE-Bench Verified"]
    for row, chunk in enumerate(reloaded.chunks):  # each reused vector still belongs to its chunk
        np.testing.assert_allclose(reloaded.vectors[row], embedder.embed([chunk.embed_text])[0], atol=1e-6)


def test_vectors_of_another_model_are_not_reused(built: tuple[Path, LoadedIndex], tmp_path: Path) -> None:
    _, first = built

    class OtherModel(CountingEmbedder):
        model_id = "other-fake"

    _, stats = _build(tmp_path / "other", ARTICLES, OtherModel(), previous=first)

    assert stats.chunks_embedded == 8


def test_progress_follows_the_chunks_being_embedded(built: tuple[Path, LoadedIndex], tmp_path: Path) -> None:
    _, first = built
    calls: list[tuple[int, int]] = []
    edited = _replace("launch", title="Meta launches Muse Spark today")

    _build(tmp_path / "p", edited, previous=first, progress=lambda done, total: calls.append((done, total)))

    assert calls[-1] == (2, 2)


def test_unchanged_articles_keep_their_chunks_when_the_chunker_version_matches(tmp_path: Path) -> None:
    chunked: list[str] = []

    def counting_chunker(article: Article) -> tuple[Chunk, ...]:
        chunked.append(article.id)
        return chunk_paragraphs(article)

    def build(articles: Sequence[Article], previous: LoadedIndex | None, version: str) -> LoadedIndex:
        return build_index(articles, counting_chunker, HashingEmbedder(), tmp_path, extract_facts=find_facts,
                           previous=previous, chunker_version=version)[0]  # fmt: skip

    first = build(ARTICLES, None, "v1")
    assert sorted(chunked) == ["coding", "health", "launch", "weights"]
    assert first.manifest["chunker_version"] == "v1"

    chunked.clear()
    edited = _replace("health", body=ARTICLES[1].body.replace("a sample of", "every one of"))
    second = build(edited, first, "v1")
    assert chunked == ["health"]  # the others' chunks and answer units come from the previous build
    fresh = build_index(edited, chunk_paragraphs, HashingEmbedder(), tmp_path / "fresh", extract_facts=find_facts)[0]
    assert second.chunks == fresh.chunks
    assert second.units == fresh.units
    np.testing.assert_allclose(second.unit_vectors, fresh.unit_vectors, atol=1e-6)

    chunked.clear()
    build(edited, second, "v2")  # another chunker: everything is chunked again
    assert sorted(chunked) == ["coding", "health", "launch", "weights"]
    chunked.clear()
    build(edited, None, "")  # no version given: nothing can be vouched for
    assert len(chunked) == 4


class StatefulFacts:
    """A ReusingFactExtractor over find_facts that records which articles it had to read."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def __call__(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> tuple[BenchmarkFact, ...]:
        return find_facts(articles, chunks)

    def extract_reusing(self, articles, chunks, saved):  # type: ignore[no-untyped-def]
        known = (saved or {}).get("articles", {})
        state = {"articles": {}}
        facts = []
        for article in articles:
            mine = [c for c in chunks if c.article_id == article.id]
            if known.get(article.id, {}).get("body") == article.body:
                found = [BenchmarkFact(**f) for f in known[article.id]["facts"]]
            else:
                self.read.append(article.id)
                found = list(find_facts([article], mine))
            facts += found
            state["articles"][article.id] = {"body": article.body, "facts": [dataclasses.asdict(f) for f in found]}
        return tuple(facts), state


def test_a_reusing_fact_extractor_gets_back_what_it_saved(tmp_path: Path) -> None:
    extractor = StatefulFacts()
    first, _ = build_index(ARTICLES, chunk_paragraphs, HashingEmbedder(), tmp_path, extract_facts=extractor)
    assert sorted(extractor.read) == ["coding", "health", "launch", "weights"]
    assert (first.path / index_store.FACTS_STATE_FILE).is_file()

    extractor.read.clear()
    edited = _replace("coding", body=ARTICLES[3].body.replace("61.5%", "62.5%"))
    second, _ = build_index(edited, chunk_paragraphs, HashingEmbedder(), tmp_path, extract_facts=extractor,
                            previous=first)  # fmt: skip
    assert extractor.read == ["coding"]
    assert second.facts == find_facts(edited, second.chunks)
    assert load_index(tmp_path, expected_model_id=None).facts == second.facts


def test_bm25_read_with_numpy_scores_like_bm25s_on_heading_and_text(built: tuple[Path, LoadedIndex]) -> None:
    import bm25s

    index_dir, index = built
    loaded = load_index(index_dir, expected_model_id=None)
    reference = bm25s.BM25(**index_store.BM25_PARAMS)
    reference.index([tokenize(f"{c.heading}\n{c.text}") for c in index.chunks], show_progress=False)
    for query in ("What did it score on HealthBench Hard?", "benchmarks weights", "muse muse spark", "zzz"):
        tokens = tokenize(query)
        ids = reference.get_tokens_ids(tokens)
        expected = reference.get_scores_from_ids(ids) if ids else None
        for candidate in (index, loaded):
            got = candidate._bm25.scores_of(tokens)
            if expected is None:
                assert got is None
            else:
                np.testing.assert_array_equal(got, expected)


def test_the_term_statistics_are_saved_with_the_build(built: tuple[Path, LoadedIndex]) -> None:
    from bot.core.search import build_term_stats, term_stats_from_doc_freq

    index_dir, index = built
    loaded = load_index(index_dir, expected_model_id=None)

    assert loaded.doc_freq == index.doc_freq
    assert term_stats_from_doc_freq(loaded.doc_freq, len(loaded.chunks)) == build_term_stats(loaded.chunks)


def test_loading_a_flat_build_imports_neither_faiss_nor_bm25s(built: tuple[Path, LoadedIndex]) -> None:
    index_dir, index = built
    code = (
        "import sys; from pathlib import Path; import numpy as np; "
        "from bot.core.index_store import load_index; "
        f"i = load_index(Path({str(index_dir)!r}), expected_model_id=None); "
        "q = i.vectors[2]; print(i.search_dense(q, 3)[0][0], i.search_units(i.unit_vectors[0], 1)[0][0], "
        "i.search_bm25(['healthbench'], 1)[0][0]); "
        "print(sorted({'faiss', 'bm25s', 'scipy'} & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)

    dense, unit, lexical = map(int, out.stdout.splitlines()[0].split())
    assert (dense, unit, lexical) == (2, 0, index.chunk_row("health#0"))
    assert out.stdout.splitlines()[1] == "[]"


def test_staleness_compares_content_hashes(built: tuple[Path, LoadedIndex]) -> None:
    _, index = built
    new = Article(id="new", title="New", outlet="X", body="More news.")
    articles = (*_replace("coding", body="Rewritten."), new)
    articles = tuple(a for a in articles if a.id != "weights")

    report = is_stale(index, articles)

    assert (report.added, report.changed, report.removed) == (("new",), ("coding",), ("weights",))
    assert report.is_stale
    assert not is_stale(index, ARTICLES).is_stale


def test_staleness_trusts_the_loader_content_hash(tmp_path: Path) -> None:
    hashed = tuple(dataclasses.replace(a, content_hash=f"sha256:{a.id}") for a in ARTICLES)
    index, _ = _build(tmp_path, hashed)

    assert index.manifest["articles"]["launch"] == "sha256:launch"
    edited = tuple(dataclasses.replace(a, content_hash="sha256:other") if a.id == "launch" else a for a in hashed)
    assert is_stale(index, edited).changed == ("launch",)
    assert not is_stale(index, hashed).is_stale


def test_duplicate_article_ids_are_refused_and_leave_nothing(tmp_path: Path) -> None:
    with pytest.raises(IndexBuildError, match="launch"):
        _build(tmp_path, (*ARTICLES, ARTICLES[0]))

    assert read_current_build_id(tmp_path) is None
    assert list((tmp_path / "builds").iterdir()) == []


# ----- what goes wrong, said plainly ---------------------------------------------------------


def test_no_index_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError) as caught:
        load_index(tmp_path / "index", expected_model_id=None)

    assert str(caught.value) == f"No index in {tmp_path / 'index'}; {RUN_BUILD}"
    assert isinstance(caught.value, ValueError)
    with pytest.raises(IndexMissingError):
        load_facts_only(tmp_path)


def test_another_model_says_what_to_run(built: tuple[Path, LoadedIndex]) -> None:
    index_dir, _ = built

    with pytest.raises(IndexModelMismatchError) as caught:
        load_index(index_dir, expected_model_id="all-MiniLM-L6-v2@53aa51172d14")

    assert str(caught.value) == (
        f"{index_dir}/ was built with a different model (hashing-fake, settings say "
        f"all-MiniLM-L6-v2@53aa51172d14); {RUN_BUILD}"
    )


def _damage(index_dir: Path, how: Callable[[Path, Path], object]) -> str:
    build = index_dir / "builds" / read_current_build_id(index_dir)  # type: ignore[operator]
    (entry,) = json.loads((build / "manifest.json").read_text())["segments"]
    how(build, index_dir / "segments" / entry["id"])
    with pytest.raises(IndexDamagedError) as caught:
        load_index(index_dir, expected_model_id="hashing-fake")
    assert str(caught.value).endswith(RUN_BUILD)
    return str(caught.value)


def _set_manifest(build: Path, **changes: object) -> None:
    manifest = json.loads((build / "manifest.json").read_text())
    (build / "manifest.json").write_text(json.dumps({**manifest, **changes}))


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (lambda _b, seg: (seg / "vectors.npy").unlink(), "vectors.npy"),
        (lambda _b, seg: np.save(seg / "vectors.npy", np.zeros((3, 64), np.float32)), "vectors.npy is float32 (3, 64)"),
        (lambda _b, seg: (seg / "dense.faiss").write_bytes(b"not faiss"), "dense.faiss"),
        (lambda _b, seg: (seg / "chunks.jsonl").write_text('{"id": "x"}\n'), "chunks.jsonl"),
        (lambda build, _s: (build / "facts.json").write_text("[{"), "facts.json"),
        (lambda build, _s: (build / "manifest.json").write_text("{"), "manifest.json"),
        (lambda build, _s: _set_manifest(build, schema_version=99), "schema version 99"),
        (lambda build, _s: _set_manifest(build, counts={"articles": 4, "chunks": 9, "facts": 2}), "9"),
        (lambda _b, seg: (seg / "bm25" / "vocab.json").unlink(), "bm25/"),
        (lambda _b, seg: shutil.rmtree(seg), "is missing"),
        (lambda _b, seg: (seg / "units.jsonl").write_text(""), "unit_vectors.npy"),
    ],
    ids=[
        "vectors-missing", "vectors-short", "faiss-corrupt", "chunks-bad", "facts-truncated", "manifest-truncated",
        "schema-newer", "counts-disagree", "bm25-missing", "segment-missing", "units-emptied",
    ],
)  # fmt: skip
def test_a_damaged_build_says_what_to_run(
    built: tuple[Path, LoadedIndex], how: Callable[[Path, Path], object], expected: str
) -> None:
    index_dir, _ = built

    assert expected in _damage(index_dir, how)


def test_current_naming_a_missing_build_is_damage(built: tuple[Path, LoadedIndex]) -> None:
    index_dir, _ = built
    (index_dir / "CURRENT").write_text("20260101T000000.000000Z-abcdef\n")

    with pytest.raises(IndexDamagedError, match=r"builds/20260101T000000\.000000Z-abcdef is missing"):
        load_index(index_dir, expected_model_id=None)
    (index_dir / "CURRENT").write_text("../../etc\n")
    with pytest.raises(IndexDamagedError, match="does not hold a build id"):
        load_index(index_dir, expected_model_id=None)


def test_every_index_error_is_one_family() -> None:
    for error in (IndexMissingError, IndexModelMismatchError, IndexDamagedError, IndexLockedError, IndexBuildError):
        assert issubclass(error, IndexStoreError)
        assert issubclass(error, ValueError)
        assert not issubclass(error, IndexError)


# ----- facts without the heavy parts ---------------------------------------------------------


def test_facts_load_without_numpy_faiss_bm25_or_torch(built: tuple[Path, LoadedIndex]) -> None:
    index_dir, _ = built
    code = (
        "import sys; from pathlib import Path; "
        "from bot.core.index_store import load_facts_only, read_current_build_id; "
        f"index_dir = Path({str(index_dir)!r}); "
        "facts, sources = load_facts_only(index_dir); "
        "assert read_current_build_id(index_dir); "
        "print(len(facts), [s.article_id for s in sources]); "
        "heavy = {'numpy', 'faiss', 'bm25s', 'torch', 'scipy'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60, capture_output=True, text=True)

    assert out.stdout.strip() == "2 ['coding', 'health', 'launch', 'weights']"
    facts, sources = load_facts_only(index_dir)
    assert facts == load_index(index_dir, expected_model_id=None).facts
    assert sources[2].title == "Meta launches Muse Spark"
    assert sources[2].url == "https://example.com/launch"


# ----- atomic swaps, pruning, locking, crashes -----------------------------------------------


def test_old_builds_are_pruned_but_current_is_kept(tmp_path: Path) -> None:
    ids = []
    for _ in range(5):
        index, stats = _build(tmp_path)
        ids.append(index.build_id)
        assert (tmp_path / "builds" / read_current_build_id(tmp_path) / "manifest.json").is_file()  # type: ignore[operator]

    assert ids == sorted(ids)
    assert sorted(p.name for p in (tmp_path / "builds").iterdir()) == ids[-3:]
    assert stats.pruned == (ids[1],)
    # A CURRENT left on an old build (say, by hand) is never deleted.
    (tmp_path / "CURRENT").write_text(f"{ids[2]}\n")
    assert _layout.prune_builds(tmp_path, 1) == [ids[3]]
    assert sorted(p.name for p in (tmp_path / "builds").iterdir()) == [ids[2], ids[4]]


def _hold_lock(index_dir: Path) -> int:
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_second_builder_waits_or_times_out(tmp_path: Path) -> None:
    fd = _hold_lock(tmp_path)
    try:
        with pytest.raises(IndexLockedError, match="Another index build"):
            _build(tmp_path, timeout=0.2)
        threading.Timer(0.3, os.close, args=(fd,)).start()
        started = time.monotonic()
        index, _ = _build(tmp_path, timeout=10)
    finally:
        with contextlib.suppress(OSError):  # the timer closed it already
            os.close(fd)

    assert time.monotonic() - started >= 0.25
    assert read_current_build_id(tmp_path) == index.build_id


def test_recovery_leaves_a_live_build_alone(built: tuple[Path, LoadedIndex]) -> None:
    index_dir, _ = built
    live = index_dir / "builds" / "20990101T000000.000000Z-abcdef.partial"
    live.mkdir()
    fd = _hold_lock(index_dir)
    try:
        assert recover_partial_builds(index_dir) == []
        assert live.is_dir()
    finally:
        os.close(fd)

    (index_dir / "CURRENT.tmp-1-abc").write_text("x")
    assert recover_partial_builds(index_dir) == ["builds/20990101T000000.000000Z-abcdef.partial", "CURRENT.tmp-1-abc"]
    assert not live.exists()
    assert recover_partial_builds(tmp_missing := index_dir / "nope") == []
    assert not tmp_missing.exists()


CRASHING_BUILD = """
import sys, time
from pathlib import Path
from bot.core.embedding import HashingEmbedder
from bot.core.index_store import build_index
from tests.core.test_index_store import ARTICLES, Article, chunk_paragraphs, find_facts

index_dir, signal_file = Path(sys.argv[1]), Path(sys.argv[2])

class StallingEmbedder(HashingEmbedder):
    def embed(self, texts, *, batch_size=32, progress=None):
        def stall(done):
            signal_file.write_text(str(done))
            time.sleep(120)
        return super().embed(texts, batch_size=2, progress=stall)

extra = Article(id="extra", title="Extra", outlet="X", body="A fifth article.")
build_index((*ARTICLES, extra), chunk_paragraphs, StallingEmbedder(), index_dir, extract_facts=find_facts)
"""


@pytest.mark.slow
def test_a_build_killed_halfway_leaves_the_previous_one_serving(
    built: tuple[Path, LoadedIndex], tmp_path: Path
) -> None:
    index_dir, before = built
    script, signal_file = tmp_path / "crash_build.py", tmp_path / "embedding-started"
    script.write_text(CRASHING_BUILD)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    process = subprocess.Popen([sys.executable, str(script), str(index_dir), str(signal_file)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while not signal_file.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert signal_file.exists(), "the build never started embedding"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    partials = [p.name for p in (index_dir / "builds").iterdir() if p.name.endswith(".partial")]
    assert len(partials) == 1
    assert not (index_dir / "builds" / partials[0] / "manifest.json").exists()
    assert read_current_build_id(index_dir) == before.build_id
    still = load_index(index_dir, expected_model_id="hashing-fake")
    assert still.build_id == before.build_id
    assert "extra" not in still.articles

    after, stats = _build(index_dir, previous=still)

    assert stats.recovered == (f"builds/{partials[0]}",)
    assert not (index_dir / "builds" / partials[0]).exists()
    assert read_current_build_id(index_dir) == after.build_id
    assert stats.chunks_reused == 8
