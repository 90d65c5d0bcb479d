"""A build whose facts another version of the fact reader wrote (an upgrade of musebot) or that other alias files
named is read again on the next start: the scores follow the code and the aliases, the vectors are kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.embedding import HashingEmbedder
from bot.core.facts import _version
from bot.core.index._layout import read_current_build_id
from bot.core.service import MuseService, ServiceConfig

ARTICLE = """---
title: "Quill scores"
published: 2026-04-14
---

| Model | GlyphBench |
| --- | --- |
| Quill | 71.3 |
| Orca 2.1 | 69.8 |
"""


def _service(corpus: Path, index: Path) -> MuseService:
    config = ServiceConfig(corpus_dir=corpus, index_dir=index)
    return MuseService(config, embedder_factory=lambda: HashingEmbedder(dim=64))


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, str]:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "scores.md").write_text(ARTICLE, encoding="utf-8")
    _service(corpus, index).ensure_ready()
    build = read_current_build_id(index)
    assert build is not None
    return corpus, index, build


def test_the_same_reader_and_aliases_reuse_the_build(built: tuple[Path, Path, str]) -> None:
    corpus, index, build = built

    _service(corpus, index).ensure_ready()

    assert read_current_build_id(index) == build


def test_another_reader_version_reads_the_scores_again(
    built: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, index, build = built
    monkeypatch.setattr(_version, "extraction_version", lambda aliases=None: "from-an-older-musebot")

    serving = _service(corpus, index).ensure_ready()

    assert read_current_build_id(index) != build
    assert {f.value_text for f in serving.facts.facts_for("GlyphBench", ())[0]} == {"71.3", "69.8"}


def test_new_corpus_aliases_are_read_into_the_facts(built: tuple[Path, Path, str]) -> None:
    corpus, index, build = built
    (corpus / "aliases.yaml").write_text("benchmarks:\n  GlyphBench:\n    - glyph arena\n", encoding="utf-8")

    service = _service(corpus, index)
    service.ensure_ready()

    assert read_current_build_id(index) != build
    assert service.benchmark_table("glyph arena").benchmark == "GlyphBench"
