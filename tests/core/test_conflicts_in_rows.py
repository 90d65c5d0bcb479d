"""Two articles that give one model's score on one benchmark differently are shown side by side, even when one says
it in a table row beside other benchmarks' scores, or in prose with several scores in a row, or in a sentence
that leaves the names to the sentences before it. Another model's row, or "it" after another name, is no rival."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.service import MuseService

ARTICLES = {
    "board.md": """---
title: "The agent scoreboard"
date: 2026-04-21
---

| Model | Quarry-Bench | Lathe-Bench | Spindle-Bench |
| --- | --- | --- | --- |
| Corvid 2 (low effort) | 74.9 | 47.1 | 55.8 |
| Corvid 2 (max effort) | 80.8 | 53.4 | 65.4 |
| Heron 5 | 76.2 | 51.9 | 66.4 |
""",
    "corrections.md": """---
title: "Corrections to our scoreboard"
date: 2026-04-28
---

Our scoreboard gave 47.1 for Corvid 2 at low effort on Lathe-Bench. That figure came from a different run
setting in the source we used. The score reported for low effort is 44.9. The max-effort figure was right.
""",
    "cards.md": """---
title: "What the model cards say"
date: 2026-04-25
---

Heron's own model card gave Heron 5 a 77.4 on Quarry-Bench, 52.3 on Lathe-Bench and 67.0 on Spindle-Bench.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("conflicts-in-rows", ARTICLES)


@pytest.mark.slow
def test_a_correction_that_leaves_the_names_to_the_sentence_before_is_a_rival(service: MuseService) -> None:
    answer = service.ask("corvid 2 low effort lathe-bench")

    differ = next((line for line in answer.text.splitlines() if line.startswith("The articles differ")), "")
    assert "47.1" in differ, answer.text
    assert "44.9" in differ


@pytest.mark.slow
def test_a_row_and_a_run_of_prose_scores_are_compared_on_the_asked_benchmark(service: MuseService) -> None:
    answer = service.ask("heron 5 lathe-bench")

    differ = next((line for line in answer.text.splitlines() if line.startswith("The articles differ")), "")
    assert "51.9" in differ, answer.text
    assert "52.3" in differ
    assert "77.4" not in differ  # Quarry-Bench's score is no value of Lathe-Bench


@pytest.mark.slow
def test_another_models_row_is_no_rival(service: MuseService) -> None:
    answer = service.ask("corvid 2 max effort lathe-bench")

    assert "The articles differ" not in answer.text, answer.text
    assert "53.4" in answer.text
