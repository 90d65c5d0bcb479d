"""The musebot command as a user runs it: real subprocesses, the real model, a real index on disk."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shipped(shipped_index: tuple[Path, Path]) -> dict[str, str]:
    """Environment for subprocesses that read the shipped corpus and its real index."""
    corpus, index = shipped_index
    return {**os.environ, "MUSEBOT_CORPUS_DIR": str(corpus), "MUSEBOT_INDEX_DIR": str(index), "NO_COLOR": "1"}


def musebot(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_ask_prints_a_cited_answer(shipped: dict[str, str]) -> None:
    result = musebot(shipped, "ask", "How did Muse Spark do on HealthBench Hard?")

    assert result.returncode == 0, result.stderr
    answer, _, sources = result.stdout.partition("Sources")
    assert "42.8" in answer
    assert re.search(r"\[1\]", answer)
    assert "[1] Meta Muse Spark: What the $14 Billion Bet" in sources
    assert "AI Rising Trends" in sources
    assert "42.8 on HealthBench Hard" in sources


def test_ask_json_numbers_come_from_cited_passages(shipped: dict[str, str]) -> None:
    result = musebot(shipped, "ask", "gdpval-aa elo for muse spark", "--json", "--top-k", "5")

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["abstained"] is False
    assert {"1,444", "1,427"} <= set(re.findall(r"\d[\d,.]*\d", answer["text"]))
    cited = {c["article_id"] for c in answer["citations"]}
    assert cited == {"ai-rising-trends-muse-spark", "muse-spark-launch-overview"}
    for citation in answer["citations"]:
        assert set(citation) >= {"marker", "article_id", "chunk_id", "url", "quote", "title", "outlet"}
        assert citation["chunk_id"].startswith(citation["article_id"] + "#")
    quotes = " ".join(c["quote"] for c in answer["citations"])
    for number in re.findall(r"\d+(?:[.,]\d+)*", re.sub(r"\[\d+\]", "", answer["text"])):
        assert number in quotes
    assert answer["conflicts"][0]["benchmark"] == "GDPval-AA"


def test_ask_abstains_plainly_with_exit_code_zero(shipped: dict[str, str]) -> None:
    result = musebot(shipped, "ask", "What is the parameter count of Muse Spark?", "--json")

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["abstained"] is True
    assert answer["citations"] == []
    assert "don't say" in answer["text"]
    assert not re.search(r"\d", answer["text"])


def test_benchmark_lookup_json_shows_conflicts_with_provenance(shipped: dict[str, str]) -> None:
    result = musebot(shipped, "benchmark", "gdpval aa", "--json")

    assert result.returncode == 0, result.stderr
    table = json.loads(result.stdout)
    assert table["benchmark"] == "GDPval-AA"
    rows = {row["label"]: row for row in table["rows"]}
    assert rows["Muse Spark"]["is_conflict"] is True
    assert sorted(f["value_text"] for f in rows["Muse Spark"]["facts"]) == ["1,427", "1,444"]
    assert {f["article_id"] for f in rows["GPT-5.4"]["facts"]} == {
        "ai-rising-trends-muse-spark",
        "muse-spark-launch-overview",
    }
    assert all(f["value_text"] in f["quote"] for row in table["rows"] for f in row["facts"])


def test_benchmark_lookup_never_loads_the_model(shipped: dict[str, str]) -> None:
    result = musebot(shipped, "-v", "benchmark", "HealthBench Hard", timeout=60)
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "benchmark", "hb hard"],
        env=shipped,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "42.8" in result.stdout
    assert "40.1" in result.stdout
    imported = {line.split("|")[-1].strip() for line in probe.stderr.splitlines() if line.startswith("import time:")}
    assert "42.8" in probe.stdout
    assert not {"torch", "sentence_transformers", "faiss", "onnxruntime"} & imported


def test_unknown_benchmark_suggests_known_names(shipped: dict[str, str]) -> None:
    result = musebot(shipped, "benchmark", "terminal bench 3")  # a changed digit: another benchmark

    assert result.returncode == 1
    assert "Terminal-Bench 2.0" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_misspelt_benchmark_is_looked_up(shipped: dict[str, str]) -> None:
    result = musebot(shipped, "benchmark", "helthbench hrd")

    assert result.returncode == 0, result.stderr
    assert "HealthBench Hard" in result.stdout
    assert "42.8" in result.stdout


def test_a_lookup_typed_as_a_phrase_shows_that_models_rows(shipped: dict[str, str]) -> None:
    result = musebot(shipped, "benchmark", "what did gpt 5.4 get on arc agi 2", "--json")
    near = musebot(shipped, "benchmark", "gemini 3 arc-agi-2")
    changed = musebot(shipped, "benchmark", "muse spark arc agi 3")

    assert result.returncode == 0, result.stderr
    table = json.loads(result.stdout)
    assert [row["label"] for row in table["rows"]] == ["GPT-5.4"]
    assert table["rows"][0]["facts"][0]["value_text"] == "76.1"
    assert near.returncode == 0, near.stderr
    assert near.stdout.startswith("No model in these rows is “gemini 3”")
    assert changed.returncode == 1  # a changed version is another benchmark
    assert "Did you mean: ARC-AGI-2" in changed.stderr


def test_model_and_compare(shipped: dict[str, str]) -> None:
    model = musebot(shipped, "model", "muse spark", "--json")
    compare = musebot(shipped, "compare", "muse spark", "gpt5.4", "--json")

    assert model.returncode == 0, model.stderr
    assert compare.returncode == 0, compare.stderr
    benchmarks = {row["label"] for row in json.loads(model.stdout)["rows"]}
    assert {"HealthBench Hard", "ARC-AGI-2", "GDPval-AA", "MMMU-Pro", "Terminal-Bench 2.0"} <= benchmarks
    shared = {row["benchmark"]: row for row in json.loads(compare.stdout)["shared"]}
    assert shared["HealthBench Hard"]["difference"] == pytest.approx(42.8 - 40.1)
    assert shared["ARC-AGI-2"]["difference"] == pytest.approx(42.5 - 76.1)


def test_index_status_reports_the_build_and_staleness(shipped: dict[str, str], tmp_path: Path) -> None:
    status = musebot(shipped, "index", "status")
    assert status.returncode == 0, status.stderr
    assert "2 articles" in status.stdout
    assert "up to date" in status.stdout

    corpus = tmp_path / "corpus"
    shutil.copytree(shipped["MUSEBOT_CORPUS_DIR"], corpus)
    (corpus / "muse-spark-launch-overview.md").unlink()
    stale = musebot({**shipped, "MUSEBOT_CORPUS_DIR": str(corpus)}, "index", "status")
    assert "stale" in stale.stdout
    assert "muse-spark-launch-overview" in stale.stdout


def test_errors_are_one_line_and_non_zero(shipped: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = musebot(
        {**shipped, "MUSEBOT_CORPUS_DIR": str(empty), "MUSEBOT_INDEX_DIR": str(tmp_path / "ix")}, "ask", "hi?"
    )
    bad_setting = musebot({**shipped, "MUSEBOT_TOP_K": "zero"}, "ask", "hi?")
    empty_question = musebot(shipped, "ask", "   ")
    damaged = tmp_path / "damaged"
    shutil.copytree(shipped["MUSEBOT_INDEX_DIR"], damaged, symlinks=True)
    (damaged / "CURRENT").write_text("no-such-build\n")
    unusable = musebot({**shipped, "MUSEBOT_INDEX_DIR": str(damaged)}, "index", "status")

    assert result.returncode == 1
    assert "No readable articles" in result.stderr
    assert "musebot index add" in result.stderr
    assert bad_setting.returncode == 1
    assert "MUSEBOT_TOP_K" in bad_setting.stderr
    assert empty_question.returncode == 1
    assert "Ask a question" in empty_question.stderr
    assert unusable.returncode == 1
    assert "musebot index build" in unusable.stdout
    for output in (result.stderr, bad_setting.stderr, empty_question.stderr, unusable.stderr):
        assert "Traceback" not in output
        assert "terminate called" not in output
