"""The question loop as a maintainer runs it: real subprocesses, the real model, a real SQLite file in --data-dir."""

from __future__ import annotations

import json
import os
import sqlite3
import struct
from pathlib import Path

import pytest

from tests.test_cli import musebot

pytestmark = pytest.mark.slow

TINY_ARTICLE = """---
id: muse-spark-basics
title: "Muse Spark arrives"
outlet: Example Wire
url: https://example.com/muse-spark-basics
published: 2026-04-08
---

# Muse Spark arrives

Meta released Muse Spark, the first model from Meta Superintelligence Labs. It is available in the Meta AI app.
Muse Spark scores 42.8 on HealthBench Hard, ahead of GPT-5.4 at 40.1.
"""

ANSWERING_ARTICLE = """---
id: muse-spark-internals
title: "Inside Muse Spark: parameters and training hardware"
outlet: Example Labs Journal
url: https://example.com/muse-spark-internals
published: 2026-04-12
---

# Inside Muse Spark

Meta says Muse Spark has 1.2 trillion parameters, a parameter count it had not disclosed at launch.

## Training hardware

Muse Spark was trained on 100,000 Nvidia H100 GPUs in Meta's Hyperion cluster.
"""

UNANSWERABLE = ("What is the parameter count of Muse Spark?", "How many GPUs trained Muse Spark?")


@pytest.fixture
def tiny(tmp_path: Path, onnx_cache_dir: Path) -> dict[str, str]:
    """A one-article corpus with its index (built on first use), and a fresh data dir."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    index.mkdir()
    (index / "onnx").symlink_to(onnx_cache_dir)  # the session's one ONNX export
    (corpus / "muse-spark-basics.md").write_text(TINY_ARTICLE, encoding="utf-8")
    return {
        **os.environ,
        "MUSEBOT_CORPUS_DIR": str(corpus),
        "MUSEBOT_INDEX_DIR": str(index),
        "MUSEBOT_DATA_DIR": str(tmp_path / "data"),
        "NO_COLOR": "1",
    }


def test_unanswered_questions_are_reported_then_answered_by_the_article_that_covers_them(
    tiny: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    for question in UNANSWERABLE:
        asked = musebot(tiny, "ask", question, "--json", "--data-dir", str(data))
        assert asked.returncode == 0, asked.stderr
        assert json.loads(asked.stdout)["abstained"] is True
        assert json.loads(asked.stdout)["record_id"] > 0

    report = musebot(tiny, "report", "--json", "--data-dir", str(data))
    assert report.returncode == 0, report.stderr
    before = json.loads(report.stdout)
    assert before["asked"] == 2
    assert before["answered"] == 0
    assert {group["question"] for group in before["unanswered"]} == set(UNANSWERABLE), "two different questions"
    assert all(group["count"] == 1 for group in before["unanswered"])

    article = tmp_path / "muse-spark-internals.md"
    article.write_text(ANSWERING_ARTICLE, encoding="utf-8")
    added = musebot(tiny, "index", "add", str(article), "--data-dir", str(data))
    assert added.returncode == 0, added.stderr
    assert "now answered: 2 earlier questions" in added.stdout
    for question in UNANSWERABLE:
        assert question in added.stdout

    again = musebot(tiny, "ask", UNANSWERABLE[0], "--json", "--data-dir", str(data))
    answer = json.loads(again.stdout)
    assert answer["abstained"] is False
    assert "1.2 trillion" in answer["text"]
    assert {c["article_id"] for c in answer["citations"]} == {"muse-spark-internals"}

    after = json.loads(musebot(tiny, "report", "--json", "--data-dir", str(data)).stdout)
    assert after["unanswered"] == []
    assert after["now_answered"] == 2
    assert after["asked"] == 3
    assert after["top_articles"] == [["muse-spark-internals", 1]]

    with sqlite3.connect(data / "questions.sqlite3") as connection:
        rows = connection.execute("SELECT question, outcome, answered_build, front_end FROM questions").fetchall()
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"
    build = added.stdout.split("build ", 1)[1].split()[0]
    marked = {question: answered for question, outcome, answered, _ in rows if outcome != "answered"}
    assert marked == dict.fromkeys(UNANSWERABLE, build)
    assert {row[3] for row in rows} == {"cli"}

    plain = musebot(tiny, "report", "--data-dir", str(data))
    assert "3 questions, 33% answered" in plain.stdout
    assert "now answered by a later build: 2" in plain.stdout


def test_record_false_keeps_nothing(tiny: dict[str, str], tmp_path: Path) -> None:
    result = musebot({**tiny, "MUSEBOT_RECORD": "false"}, "ask", UNANSWERABLE[0], "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["record_id"] is None
    assert not (tmp_path / "data" / "questions.sqlite3").exists()


def test_a_corrupt_log_warns_once_and_the_answer_still_goes_out(tiny: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "questions.sqlite3").write_bytes(b"this is not a database" * 100)
    result = musebot(tiny, "ask", "How did Muse Spark do on HealthBench Hard?")
    assert result.returncode == 0, result.stderr
    assert "42.8" in result.stdout
    assert result.stderr.count("question log") == 1, result.stderr
    assert "cannot be written" in result.stderr


def test_chat_json_reads_follow_ups_against_the_previous_turn(shipped_index: tuple[Path, Path]) -> None:
    import subprocess
    import sys

    corpus, index = shipped_index
    env = {**os.environ, "MUSEBOT_CORPUS_DIR": str(corpus), "MUSEBOT_INDEX_DIR": str(index)}
    lines = [
        "How did Muse Spark do on HealthBench Hard?",
        "and GPT-5.4?",
        "thanks!",
        "Who leads Meta Superintelligence Labs?",
        "When did he join Meta?",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--json"], input="\n".join(lines) + "\n", env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == lines, "one JSON answer per input line"
    first, follow_up, thanks, who, when = answers
    assert first["understood"] == ""
    assert follow_up["understood"] == "How did GPT-5.4 do on HealthBench Hard?"
    assert "40.1" in follow_up["text"]
    assert set(follow_up) >= set(first), "the same shape as ask --json"
    assert thanks["chatter"] is True
    assert thanks["record_id"] is None
    assert "Alexandr Wang" in when["understood"]
    assert "June 2025" in when["text"]
    assert who["abstained"] is False


def test_benchmark_and_compare_write_png_charts(shipped_index: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, index = shipped_index
    env = {**os.environ, "MUSEBOT_CORPUS_DIR": str(corpus), "MUSEBOT_INDEX_DIR": str(index), "NO_COLOR": "1"}
    chart = tmp_path / "hb.png"
    result = musebot(env, "benchmark", "HealthBench Hard", "--chart", str(chart))
    assert result.returncode == 0, result.stderr
    assert "42.8" in result.stdout, "the table is still printed"
    compared = tmp_path / "compare.png"
    assert musebot(env, "compare", "Muse Spark", "GPT-5.4", "--chart", str(compared)).returncode == 0
    for path in (chart, compared):
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width >= 800
        assert height > 200
    missing = musebot(env, "benchmark", "HealthBench Hard", "--chart", str(tmp_path / "no" / "such" / "x.png"))
    assert missing.returncode == 1
    assert "create it or pick another --chart path" in missing.stderr
