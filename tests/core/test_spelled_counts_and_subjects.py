"""Counts said in words are values that can disagree ("nine months" against "eleven months"). An age said beside a
name ("Wang, who is 28") answers "how old". "That setting" points back to the mode the sentence before names. The
name an article opens with is what its later sentences are about ("The team drew 1,850 contracts")."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.answer.compose import _as_written, _value_classes
from bot.core.answer.shape import holds_kind, read_counted_thing, read_question_shape
from bot.core.service import MuseService

ARTICLES = {
    "history.md": """---
title: "How the Orrin model was made"
outlet: Foundry Notes
date: 2026-04-19
---

The lab says the team behind Orrin rebuilt its pretraining stack from scratch over roughly eleven months, and
that the model was tuned heavily for charts and tool use.

Orrin has three settings: Brisk, Steady and Deep. Deep mode helped on the hardest puzzles. The lab says that
setting puts 12 agents to work on a problem in parallel, and in my runs it rescued six puzzles that Steady mode
had missed.

Piet Varga, who is 28, now runs the lab as its chief scientist.
""",
    "buyers.md": """---
title: "A buyer's guide to Orrin"
outlet: Procurement Weekly
date: 2026-04-22
---

The lab says a small team rebuilt its training stack and produced the model in nine months.

Deep mode sets 16 agents loose on a problem at once and merges their work, which makes it slow.
""",
    "trial.md": """---
title: "Inside a two-week contract review trial"
outlet: Legal Operations Review
date: 2026-04-29
---

Kestrel & Vane, a 300-lawyer firm based in Leeds, spent two weeks this month testing whether Orrin could take
some of the drudgery out of reviewing supplier contracts. The results were more encouraging than its partners
expected.

## How the test worked

The team drew 1,850 supplier contracts from a closed archive and asked the model to check each one against a
list of 14 clause types. Associates then reviewed the same contracts by hand.

Each of those contracts took about three minutes to process in Deep mode.

## What comes next

The partners will compare notes with Birch Legal, a rival firm, in June.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("spelled-counts-and-subjects", ARTICLES)


def _differ_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.startswith("The articles differ")), "")


def test_a_length_of_time_in_words_is_a_value_shown_as_written() -> None:
    sentence = "The lab says a small team produced the model in nine months."
    values = _value_classes(sentence, "duration", set())
    assert values["number"] == {"9"}
    assert _as_written(values["number"], sentence) == ["nine months"]
    # "six puzzles" is no length of time, and no count of agents either.
    assert _value_classes("It rescued six puzzles.", "duration", set())["number"] == frozenset()
    assert _value_classes("It rescued six puzzles.", "number", set(), frozenset({"agent"}))["number"] == frozenset()


def test_an_age_beside_a_name_is_an_age() -> None:
    assert holds_kind("Piet Varga, who is 28, now runs the lab.", "age")
    assert holds_kind("According to operations director Ramon Dizon-Ocampo, 44, the wait fell.", "age")
    # A list of scores beside names is no list of ages.
    assert not holds_kind("The board put Orrin Pro, 52, Heron Max, 57, on top.", "age")


def test_the_number_of_things_is_a_count_of_them() -> None:
    assert read_counted_thing("number of agents deep mode uses")[0] == "agent"
    assert read_counted_thing("the number of agents") == read_counted_thing("how many agents")


def test_a_noun_that_changes_the_verbs_vowel_is_of_its_family() -> None:
    from bot.core.lexicon import derivation_root

    assert derivation_root("abstention") == derivation_root("abstain") == "abstain"
    assert derivation_root("retention") == "retain"
    assert derivation_root("content") == "content"  # no suffix: not "contain"


def test_the_value_of_a_deal_is_an_amount_of_money() -> None:
    assert read_question_shape("value of the kestrel ai deal?").kind == "money"
    assert read_question_shape("what was the size of the seed round").kind == "money"
    assert read_question_shape("deal value for the takeover").kind == "money"
    assert read_question_shape("what is the size of the context window").kind != "money"


@pytest.mark.slow
def test_two_lengths_in_words_that_differ_are_both_shown(service: MuseService) -> None:
    answer = service.ask("how long did it take to build orrin")

    differ = _differ_line(answer.text)
    assert "eleven months" in differ, answer.text
    assert "nine months" in differ


@pytest.mark.slow
def test_that_setting_is_the_mode_just_named(service: MuseService) -> None:
    answer = service.ask("how many agents does deep mode run in parallel")

    differ = _differ_line(answer.text)
    assert "12" in differ, answer.text
    assert "16" in differ


@pytest.mark.slow
def test_an_age_said_beside_the_name_answers_how_old(service: MuseService) -> None:
    answer = service.ask("how old is piet varga")

    assert not answer.abstained, answer.text
    assert "28" in answer.text.splitlines()[0]


@pytest.mark.slow
def test_the_name_an_article_opens_with_carries_into_its_later_sections(service: MuseService) -> None:
    answer = service.ask("per contract, how long did deep mode take at kestrel & vane")

    assert not answer.abstained, answer.text
    assert "three minutes" in answer.text.splitlines()[0]


@pytest.mark.slow
def test_a_name_the_article_only_mentions_is_not_carried(service: MuseService) -> None:
    # Birch Legal is named once, in passing: the trial's minutes are Kestrel & Vane's, not its.
    answer = service.ask("per contract, how long did deep mode take at birch legal")

    assert answer.abstained, answer.text
