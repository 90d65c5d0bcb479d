"""What a question asks for may hang on one small word: a weight ("how heavy") is no price, a price "per year" is
not one "a month" (nor is a year in the sentence a rate), "Series B" is not the "Series C" round, and "how many
tasks" in a benchmark is not its scores. When the articles state only the neighbour, the answer abstains and
shows it as a different thing."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.answer.compose import _only_counts
from bot.core.answer.focus import read_focus
from bot.core.answer.shape import holds_kind, read_question_shape, values_as_written
from bot.core.service import MuseService


def test_a_weight_question_asks_for_a_weight() -> None:
    for question in ("how heavy are the glasses", "how much does the band weigh", "what's the weight of the case"):
        assert read_question_shape(question).kind == "weight", question
    assert read_question_shape("does meta publish the model weights").kind == "text"
    assert holds_kind("Our pair weighed 66 grams on the kitchen scale.", "weight")
    assert not holds_kind("The frames sell for $399.", "weight")
    assert values_as_written("It is 66g, or 66 grams", "weight", set()) == {"66g": "66g"}


def test_a_letter_after_a_word_is_part_of_the_name_and_a_rate_keeps_its_unit() -> None:
    focus = read_focus("how much did loopwise raise in its series b", idf=lambda _t: 3.0, lexicon=None)
    assert any(t.word == "series b" and t.phrase == "series b" for t in focus.terms)
    focus = read_focus("what's the p/e of loopwise", idf=lambda _t: 3.0, lexicon=None)
    assert not any(t.phrase for t in focus.terms)  # "p/e" is a ratio, not a "p" of a series
    focus = read_focus("how much is loopwise plus per year", idf=lambda _t: 3.0, lexicon=None)
    assert any(t.word == "per year" for t in focus.terms)
    focus = read_focus("how did the loss compare to a year earlier", idf=lambda _t: 3.0, lexicon=None)
    assert not any(t.word == "a year" for t in focus.terms)


ARTICLES = {
    "loopwise.md": """---
title: "Loopwise bets on an agent"
date: 2026-05-06
---

Loopwise, a trip-planning app based in Tucson, employs 410 people. The company raised $62 million in a Series C
round in 2024 and has not said whether it is profitable. Its paid tier, Loopwise Plus, costs $6.49 a month.

## The glasses

We wore the Tarnwick glasses for two weeks. Our pair weighed 52 grams on the kitchen scale.
For comparison, Meta's other frames start lower: the Halden Lite sells for $349 and the Halden Sport for $379.
""",
    "forum.md": """---
title: "Tarnwick owners thread"
date: 2026-05-21
---

For anyone asking about the hardware, my Tarnwick glasses are 55 grams on a postal scale, so the update changed
nothing physical. The battery still lasts about seven hours.
""",
    "bench.md": """---
title: "Agent scores, checked"
date: 2026-04-21
---

| Model | Quarry-Bench |
| --- | --- |
| Muse Spark | 61.2 |
| GPT-5.4 | 64.8 |

On Quarry-Bench, Muse Spark scores 61.2 and GPT-5.4 scores 64.8, by the lab's own runs.
""",
    "notes.md": """---
title: "Notes on the agent tests"
date: 2026-04-23
---

Muse Spark was put through Quarry-Bench again this month. Quarry-Bench holds only 240 repositories.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("rates-weights-and-series", ARTICLES)


@pytest.mark.slow
def test_a_weight_is_answered_and_two_articles_weights_both_shown(service: MuseService) -> None:
    answer = service.ask("how heavy are the tarnwick glasses")

    assert not answer.abstained, answer.text
    assert "52 grams" in answer.text
    assert "55 grams" in answer.text
    assert "differ" in answer.text


@pytest.mark.slow
def test_a_price_is_no_weight(service: MuseService) -> None:
    answer = service.ask("how much does the halden sport weigh")

    assert answer.abstained, answer.text
    assert "$379" not in answer.text.split("\n")[0]


@pytest.mark.slow
def test_a_monthly_price_is_no_yearly_one(service: MuseService) -> None:
    answer = service.ask("how much is loopwise plus per year")

    assert answer.abstained, answer.text
    assert "per year" in answer.text.split("\n")[0]
    monthly = service.ask("how much is loopwise plus a month")
    assert not monthly.abstained, monthly.text
    assert "$6.49" in monthly.text


@pytest.mark.slow
def test_another_round_of_a_series_is_no_answer(service: MuseService) -> None:
    answer = service.ask("how much did loopwise raise in its series b")

    assert answer.abstained, answer.text
    said = service.ask("how much did loopwise raise in its series c")
    assert not said.abstained, said.text
    assert "$62 million" in said.text


@pytest.mark.slow
def test_a_count_of_a_benchmarks_tasks_is_not_its_scores(service: MuseService) -> None:
    answer = service.ask("how many tasks are in quarry-bench")

    assert answer.abstained, answer.text
    assert "61.2" not in answer.text.split("\n")[0]
    scores = service.ask("muse spark quarry-bench")
    assert "61.2" in scores.text, scores.text


def test_gen_and_its_number_are_the_generation_written_out() -> None:
    focus = read_focus("how much is the halden gen 2", idf=lambda _t: 3.0, lexicon=None)
    generation = next(t for t in focus.terms if t.word == "gen 2")
    assert frozenset({"second", "generation"}) in generation.alternatives
    assert frozenset({"first", "generation"}) not in generation.alternatives


@pytest.mark.slow
def test_a_count_of_what_a_benchmark_holds_is_no_score_of_it(service: MuseService) -> None:
    answer = service.ask("muse spark quarry-bench")

    assert "61.2" in answer.text, answer.text
    assert "240" not in answer.text.split("\n\nSources")[0]


def test_a_number_that_counts_a_noun_is_no_score() -> None:
    assert _only_counts("GPQA Diamond has only 198 questions.")
    assert _only_counts("The test holds 2,500 expert-written questions.")
    assert not _only_counts("Muse Spark scored 89.5 on GPQA Diamond.")
    assert not _only_counts("It scored 42 points.")
    assert not _only_counts("With 2,500 questions, the margin is about 1.9 points.")
