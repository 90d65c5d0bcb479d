from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.errors import MusebotError
from bot.core.evaluation import is_fact_present, load_questions


@pytest.mark.parametrize(
    ("fact", "text", "expected"),
    [
        ("1,444", "scored 1444 points", True),
        ("1444", "scored 1,444 points", True),
        ("52", "a score of 152", False),
        ("52", "scored 52.", True),
        ("42.8", "42.85", False),
        ("Gemini 3.1 Pro", "behind gemini 3.1 pro preview", True),
        ("58 million|58M", "used 58M tokens", True),
        ("Spud", "codenamed Avocado", False),
    ],
)
def test_fact_matching(fact: str, text: str, expected: bool) -> None:
    assert is_fact_present(fact, text) is expected


def test_load_questions_reports_the_bad_line(tmp_path: Path) -> None:
    good = {
        "id": "x",
        "question": "q?",
        "answerable": True,
        "expected_facts": [],
        "expected_sources": [],
        "kind": "fact",
    }
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps(good) + "\n{not json\n", encoding="utf-8")

    with pytest.raises(MusebotError, match=r"qa.jsonl:2"):
        load_questions(path)
