"""A table cell whose row names a model's mode ("Muse Spark (Thinking)") and whose column names a setting of the
benchmark ("HLE (no tools)") is a score in both: the modes' scores are labelled rows, never one conflict."""

from __future__ import annotations

from pathlib import Path

from bot.core.chunking import approximate_token_counter, split_into_chunks
from bot.core.corpus import load_corpus
from bot.core.facts import FactTable, extract_facts
from bot.core.models import SourceRef

ARTICLE = """---
title: "Reading the reasoning table"
date: 2026-04-12
---

Meta's own table puts its modes side by side.

| Model | GPQA Diamond | HLE (no tools) | HLE (with tools) |
| --- | --- | --- | --- |
| Muse Spark (Thinking) | 89.5 | 42.8 | 47.6 |
| Muse Spark (Contemplating) | — | 50.2 | 58.0 |
| Muse Spark (Instant) | 81.7 | 24.9 | — |
| GPT-5.4 (xhigh) | 92.8 | 39.8 | 52.1 |
"""


def test_a_mode_and_a_setting_label_one_row_each_and_conflict_nowhere(tmp_path: Path) -> None:
    (tmp_path / "table.md").write_text(ARTICLE, encoding="utf-8")
    loaded = load_corpus(tmp_path)
    chunks = tuple(c for a in loaded.articles for c in split_into_chunks(a, approximate_token_counter))
    facts = extract_facts(loaded.articles, chunks)
    table = FactTable(facts, {a.id: SourceRef(a.id, a.title, a.outlet) for a in loaded.articles})

    hle = table.benchmark_table("hle")

    rows = {r.label: [f.value_text for f in r.facts] for r in hle.rows}
    assert rows["Muse Spark (Thinking, no tools)"] == ["42.8"]
    assert rows["Muse Spark (Contemplating, with tools)"] == ["58.0"]
    assert rows["Muse Spark (Instant, no tools)"] == ["24.9"]
    assert rows["GPT-5.4 (xhigh, with tools)"] == ["52.1"]
    assert not any(r.is_conflict for r in hle.rows)
    assert [f.value_text for r in table.benchmark_table("gpqa diamond").rows for f in r.facts] == [
        "92.8", "89.5", "81.7"
    ]  # fmt: skip
