"""Segmented builds: an add writes one segment, a change tombstones, merges copy, and answers never depend on it.

Real builds in tmp folders (real FAISS and .npy files); the fake embedder stands in for the model.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from bot.core.index import MERGE_FACTOR, LoadedIndex, build_index, load_facts_only, load_index
from bot.core.models import Article
from bot.core.search import search_passages
from bot.core.text import tokenize
from tests.core.test_index_store import ARTICLES, CountingEmbedder, StatefulFacts, chunk_paragraphs

QUERIES = ("What did Muse Spark score on HealthBench Hard?", "Is Muse Spark open weights?", "free Meta AI app")


def extra(n: int) -> Article:
    return Article(id=f"extra-{n:02d}", title=f"Note {n}", outlet="Wire", body=f"Muse Spark note number {n} is brief.")


def build(index_dir: Path, articles, previous=None, embedder=None, **kwargs):  # type: ignore[no-untyped-def]
    return build_index(
        articles, chunk_paragraphs, embedder or CountingEmbedder(), index_dir, extract_facts=StatefulFacts(),
        previous=previous, chunker_version="v1", **kwargs,
    )  # fmt: skip


def segments_of(index: LoadedIndex) -> list[dict]:
    return json.loads((index.path / "manifest.json").read_text())["segments"]


def same_answers(a: LoadedIndex, b: LoadedIndex) -> None:
    """Two builds of the same articles: same rows, units, vectors, statistics and rankings."""
    assert a.chunks == b.chunks
    assert a.units == b.units
    assert dict(a.articles) == dict(b.articles)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    np.testing.assert_array_equal(a.unit_vectors, b.unit_vectors)
    assert dict(a.doc_freq or {}) == dict(b.doc_freq or {})
    assert a.lexicon is not None
    assert b.lexicon is not None
    assert (a.lexicon.tokens, a.lexicon.words, a.lexicon.proper) == (
        b.lexicon.tokens,
        b.lexicon.words,
        b.lexicon.proper,
    )
    np.testing.assert_allclose(a.lexicon.vectors, b.lexicon.vectors, atol=1e-6)
    assert a.facts == b.facts
    assert {aid: a.article_rows(aid) for aid in a.articles} == {aid: b.article_rows(aid) for aid in b.articles}
    embedder = CountingEmbedder()
    for query in QUERIES:
        vector = embedder.embed([query])[0]
        assert a.search_dense(vector, 5) == b.search_dense(vector, 5)
        assert a.search_units(vector, 5) == b.search_units(vector, 5)
        assert a.search_bm25(tokenize(query), 5) == b.search_bm25(tokenize(query), 5)  # exactly: same statistics
        assert search_passages(a, vector, query, top_k=3) == search_passages(b, vector, query, top_k=3)


def test_an_add_writes_one_segment_and_embeds_only_the_new_article(tmp_path: Path) -> None:
    first, _ = build(tmp_path / "index", ARTICLES)
    embedder = CountingEmbedder()
    pricing = Article(id="pricing", title="Price", outlet="Biz", body="Muse Spark is free in the Meta AI app.")

    added, stats = build(tmp_path / "index", (*ARTICLES, pricing), previous=first, embedder=embedder)

    assert segments_of(added)[0]["id"] == segments_of(first)[0]["id"]  # the old one is shared
    assert len(segments_of(added)) == 2
    assert stats.segments == 2
    new_segment = tmp_path / "index" / "segments" / segments_of(added)[1]["id"]
    assert json.loads((new_segment / "segment.json").read_text())["articles"] == {
        "pricing": added.manifest["articles"]["pricing"]
    }
    assert embedder.seen[:2] == [
        "Price\nMuse Spark is free in the Meta AI app.",
        "Muse Spark is free in the Meta AI app.",
    ]
    assert stats.chunks_embedded == 1
    assert stats.texts_embedded == len(embedder.seen)
    fresh, _ = build(tmp_path / "fresh", (*ARTICLES, pricing))
    same_answers(added, fresh)
    same_answers(load_index(tmp_path / "index", expected_model_id=None), fresh)


def test_an_update_or_removal_is_a_tombstone(tmp_path: Path) -> None:
    first, _ = build(tmp_path / "index", ARTICLES)
    edited = tuple(
        dataclasses.replace(a, body=a.body.replace("42.8%", "43.0%")) if a.id == "health" else a for a in ARTICLES
    )
    updated, stats = build(tmp_path / "index", edited, previous=first)
    assert segments_of(updated)[0]["deleted"] == ["health"]
    assert stats.chunks_embedded == 1
    assert [f.value_text for f in updated.facts if f.benchmark == "HealthBench Hard"] == ["43.0%"]

    removed, stats = build(tmp_path / "index", [a for a in edited if a.id != "launch"], previous=updated)
    assert stats.texts_embedded == 0
    # Half of the first segment is now tombstones, so it was rewritten without them (copied, not embedded).
    assert stats.merged == 1
    assert all(s["deleted"] == [] for s in segments_of(removed))
    assert segments_of(first)[0]["id"] not in {s["id"] for s in segments_of(removed)}
    assert "launch" not in removed.articles
    assert not [r for r, _ in removed.search_dense(CountingEmbedder().embed(["WhatsApp Instagram"])[0], 10)
                if removed.chunks[r].article_id == "launch"]  # fmt: skip
    facts, sources = load_facts_only(tmp_path / "index")
    assert [s.article_id for s in sources] == ["coding", "health", "weights"]
    assert facts == removed.facts
    fresh, _ = build(tmp_path / "fresh", [a for a in edited if a.id != "launch"])
    same_answers(removed, fresh)
    same_answers(load_index(tmp_path / "index", expected_model_id=None), fresh)


def test_article_rows_are_the_rows_a_scan_finds_across_segments_and_tombstones(tmp_path: Path) -> None:
    first = [*ARTICLES, *(extra(n) for n in range(3, 9))]
    index, _ = build(tmp_path / "index", first)
    articles = [*first, extra(2), extra(1)]
    index, _ = build(tmp_path / "index", articles, previous=index)
    edited = [dataclasses.replace(a, body=a.body + " Updated.") if a.id == "health" else a for a in articles]
    index, _ = build(tmp_path / "index", [a for a in edited if a.id != "coding"], previous=index)
    assert len(segments_of(index)) == 3
    assert any(s["deleted"] for s in segments_of(index))  # rows come from segments with tombstones

    for article_id in index.articles:
        scanned = [row for row, chunk in enumerate(index.chunks) if chunk.article_id == article_id]
        assert list(index.article_rows(article_id)) == scanned
        assert scanned
    assert not index.article_rows("coding")
    assert not index.article_rows("no-such-article")


def test_a_tier_of_small_segments_is_merged_without_embedding(tmp_path: Path) -> None:
    articles = list(ARTICLES)
    index, _ = build(tmp_path / "index", articles)
    merged_seen = 0
    for n in range(MERGE_FACTOR):
        articles.append(extra(n))
        embedder = CountingEmbedder()
        index, stats = build(tmp_path / "index", articles, previous=index, embedder=embedder)
        assert stats.chunks_embedded == 1  # only the new article, merge or not
        merged_seen += stats.merged
    assert merged_seen >= MERGE_FACTOR
    assert len(segments_of(index)) < MERGE_FACTOR
    fresh, _ = build(tmp_path / "fresh", articles)
    same_answers(index, fresh)
    same_answers(load_index(tmp_path / "index", expected_model_id=None), fresh)
    in_use = {s["id"] for s in segments_of(index)}
    on_disk = {p.name for p in (tmp_path / "index" / "segments").iterdir()}
    assert in_use <= on_disk  # older builds' segments may stay until pruned with their builds


def test_compaction_merges_everything_into_one_segment(tmp_path: Path) -> None:
    index, _ = build(tmp_path / "index", ARTICLES)
    index, _ = build(tmp_path / "index", [*ARTICLES, extra(1)], previous=index)
    index, _ = build(tmp_path / "index", [a for a in [*ARTICLES, extra(1)] if a.id != "coding"], previous=index)
    assert len(segments_of(index)) == 2

    embedder = CountingEmbedder()
    compacted, stats = build(tmp_path / "index", list(index.articles.values()), previous=index, embedder=embedder,
                             merge_all=True)  # fmt: skip

    assert embedder.seen == []
    assert stats.texts_embedded == 0
    assert segments_of(compacted) == [
        {"id": segments_of(compacted)[0]["id"], "deleted": [], "checksum": segments_of(compacted)[0]["checksum"]}
    ]
    same_answers(compacted, index)
    same_answers(load_index(tmp_path / "index", expected_model_id=None), index)


def test_pruning_keeps_the_segments_of_kept_builds(tmp_path: Path) -> None:
    index, _ = build(tmp_path / "index", ARTICLES)
    first_segment = segments_of(index)[0]["id"]
    for n in range(5):
        index, _ = build(tmp_path / "index", [*ARTICLES, extra(n)], previous=index)
    on_disk = {p.name for p in (tmp_path / "index" / "segments").iterdir()}
    listed = set()
    for build_dir in (tmp_path / "index" / "builds").iterdir():
        listed |= {s["id"] for s in json.loads((build_dir / "manifest.json").read_text())["segments"]}
    assert on_disk == listed  # nothing orphaned, nothing a kept build needs is gone
    assert first_segment in on_disk  # still shared by every build
    assert len(list((tmp_path / "index" / "builds").iterdir())) == 3
