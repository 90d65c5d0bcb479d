"""A serving build is kept out of the cycle collector's passes (`_serving.keep_out_of_collections`): that is
safe only while a replaced build is freed by reference counting alone, with no reference cycle left behind."""

from __future__ import annotations

import gc
import shutil
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.embedding import HashingEmbedder
from bot.core.service import MuseService, ServiceConfig

ROOT = Path(__file__).resolve().parents[2]

EXTRA = """---
id: extra
title: Zeta Ultra 9 results
outlet: Lab Notes
---
Zeta Ultra 9 scored 44.0% on HealthBench Hard, ahead of Muse Spark at 42.8%.
"""


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_replaced_build_is_freed_without_the_cycle_collector(tmp_path: Path, collector_off: None) -> None:
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    embedder = HashingEmbedder(dim=64)
    service = MuseService(
        ServiceConfig(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index"), embedder_factory=lambda: embedder
    )
    service.build_index()
    service.ask("How did Muse Spark do on HealthBench Hard?")
    service.benchmark_table("HealthBench Hard")
    first = service.ensure_ready().index
    table = service.ensure_ready().facts
    gone = [weakref.ref(first), weakref.ref(table), weakref.ref(table.catalog)]
    del table
    del first
    assert gc.get_freeze_count() > 0  # the build is frozen: only reference counting can free it now

    (tmp_path / "extra.md").write_text(EXTRA, encoding="utf-8")
    service.add_articles([tmp_path / "extra.md"])
    service.ask("What did Zeta Ultra 9 score?")

    assert "extra" in service.ensure_ready().index.articles
    catalog = gone.pop()()  # the names catalog goes on serving while the facts name the same models and benchmarks
    assert catalog is None or catalog is service.ensure_ready().facts.catalog
    del catalog
    assert [ref() for ref in gone] == [None] * len(gone)
