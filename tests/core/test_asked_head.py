"""The thing a question asks about, when it says it as a noun ("what's the die size of …", "… heavy's
hallucination rate"): a sentence about the subject that says nothing of it is no answer, however close.

Pure reading of the question first, then the rule through a tiny inline corpus with the real model (made-up
chip and model names).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.answer.shape import asked_head, read_question_shape
from bot.core.service import MuseService


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("what's the die size of the orca 300", {"die", "size"}),
        ("what was grok 4 heavy's hallucination rate", {"hallucination", "rate"}),
        ("What is Kestrel's annual serving bill for Quill?", {"annual", "serving", "bill"}),
        ("what is the context window in thinking mode", {"context", "window"}),
        ("how long is quill's context window", {"context", "window"}),
        ("how big is the context window of orca 2.5", {"context", "window"}),
        # The kind of value, or a question word that names its thing otherwise: no head.
        ("what was nat friedman's previous job", set()),
        ("what company did nat friedman use to run", set()),
        ("how many employees does orca have", set()),
        ("when did the orca 300 ship", set()),
        ("who leads the orca team", set()),
    ],
)
def test_the_head_of_a_question_is_the_noun_it_asks_about(question: str, head: set[str]) -> None:
    assert asked_head(question) == head


def test_a_share_someone_pays_for_is_a_share_not_an_amount() -> None:
    assert read_question_shape("What minimum share of reserved demand do customers pay for?").kind == "percent"
    assert read_question_shape("What do customers pay for reserved demand?").kind == "money"


def test_how_long_is_a_named_size_asks_for_a_number_not_a_time() -> None:
    assert read_question_shape("how long is quill's context window").kind == "number"
    assert read_question_shape("how long did the orca 300 take to ship").kind == "duration"


ARTICLES = {
    "chips.md": """---
title: "Four chips in two years: the Orca roadmap"
date: 2026-04-14
---

## Orca 300

Kestrel's Orca 300 accelerator is in volume production with 128 GB of memory per chip, and Kestrel says the
Orca 300 accelerator was built for ranking work.

## Orca 400

The Orca 400 doubles the memory bandwidth of the Orca 300 and ships next year.
""",
    "glasses.md": """---
title: "Two weeks with the Halo glasses"
date: 2026-04-22
---

The Halo glasses weigh 69 grams. The battery lasts about six hours of mixed use, and most cells die after two
years of daily charging. The case is about the size of a deck of cards.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("asked-head", ARTICLES)


@pytest.mark.slow
def test_a_sentence_about_the_subject_that_does_not_say_the_asked_thing_is_no_answer(service: MuseService) -> None:
    answer = service.ask("what's the die size of kestrel's orca 300 accelerator")

    assert answer.abstained, answer.text


@pytest.mark.slow
def test_the_sentence_that_says_the_asked_thing_answers(service: MuseService) -> None:
    answer = service.ask("what's the memory bandwidth of the orca 400")

    assert not answer.abstained, answer.text
    assert "doubles the memory bandwidth" in answer.text.split("\n\n")[0]
