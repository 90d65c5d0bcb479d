"""What a number counts, who a "who" answer names, a setting said the other way, and a timeline's dates.

Pure rules first, then the same rules through a tiny inline corpus with the real model: each question has a
sentence that resembles its answer but states something else, and the answer must abstain, or it has one
whose wording differs from the question's, and the answer must give it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.answer.focus import Focus, FocusTerm, sides_not_neighbours
from bot.core.answer.grounding import ground
from bot.core.answer.shape import (
    counts_only_other,
    dated_heading,
    holds_kind,
    names_new_version,
    read_question_shape,
)
from bot.core.service import MuseService
from bot.core.text import tokenize


def _counted(words: str) -> frozenset[str]:
    return frozenset(tokenize(words))


@pytest.mark.parametrize(
    "sentence",
    [
        "Nearly two months after launch, the API is still limited to a small group of early partners.",
        "Partner sign-ups rose about 3% in May.",
        "Each partner pays $2.99 a month.",
        "A 1,000-prompt subset was graded by partners.",
    ],
)
def test_a_number_of_time_share_money_or_another_noun_counts_no_partners(sentence: str) -> None:
    assert counts_only_other(sentence, _counted("partners"))


@pytest.mark.parametrize(
    "sentence",
    [
        "About 40 partners were admitted.",
        "The panel had nine members.",  # a plain number may count them in other words
        "Partners filed 33% fewer complaints than in April.",  # a share of a count of them
        "The launch had no number at all.",  # no number: nothing to decide
    ],
)
def test_a_plain_number_may_count_what_is_asked(sentence: str) -> None:
    assert not counts_only_other(sentence, _counted("partners"))


def test_a_number_before_the_counted_noun_in_a_compound_counts_it() -> None:
    assert not counts_only_other("A six-person team ran the test.", _counted("people"))  # person is people
    assert counts_only_other("A six-person team ran the test.", _counted("laptops"))


def test_a_share_may_be_said_in_words() -> None:
    assert holds_kind("A one-in-ten hit rate for planted instructions is high.", "percent")
    assert holds_kind("Two out of three testers preferred it.", "percent")
    assert not holds_kind("One tester preferred it.", "percent")


def test_how_many_payers_is_a_count_and_how_much_is_a_thing_a_price() -> None:
    assert read_question_shape("how many paying subscribers does she expect by 2027").kind == "number"
    assert read_question_shape("how much is the vela frame").kind == "money"
    assert read_question_shape("how much is the compute saving").kind != "money"


def test_a_timeline_heading_opens_on_a_date() -> None:
    assert dated_heading("JULY 25, 2025: A NEW LAB")
    assert dated_heading("April 8 — launch day")
    assert not dated_heading("What happened on April 8")
    assert not dated_heading("The 2025 plan")


def test_a_name_with_a_version_the_question_lacks_is_a_new_name() -> None:
    assert names_new_version("The faster Kestrel 3 Flash is now the default.", "which kestrel model is the default")
    assert not names_new_version("Kestrel 3 is the default.", "is kestrel 3 the default")


def _term(word: str, role: str, loose: tuple[str, ...] = ()) -> FocusTerm:
    return FocusTerm(
        word, role, 2.0, (frozenset(tokenize(word)),), True, loose=tuple(frozenset(tokenize(w)) for w in loose)
    )


def test_two_settings_compared_are_the_entities_not_the_model_they_share() -> None:
    model = _term("kestrel spark", "model")
    instant = _term("instant", "name")  # the catalog names a model by it: "Kestrel Spark Instant"
    thinking = _term("thinking", "word")
    focus = Focus(
        terms=(model, instant, thinking),
        models=("Kestrel Spark",),
        benchmarks=(),
        model_tokens={"Kestrel Spark": frozenset(tokenize("kestrel spark")),
                      "Kestrel Spark Instant": frozenset(tokenize("kestrel spark instant"))},
        compared=frozenset({"instant", "thinking"}),
    )  # fmt: skip

    assert [t.word for t in focus.entities] == ["instant", "thinking"]


def test_one_side_of_a_comparison_is_no_neighbour_of_the_other() -> None:
    thinking = _term("thinking", "word", loose=("contemplating", "reasoning"))
    contemplating = _term("contemplating", "name")

    pruned = sides_not_neighbours([thinking, contemplating], {"thinking", "contemplating"})
    assert pruned[0].loose == (frozenset(tokenize("reasoning")),)
    kept = sides_not_neighbours([thinking, contemplating], {"thinking"})  # no "vs" between them: kept
    assert kept[0].loose == thinking.loose


ARTICLES = {
    "harrow-red-team.md": """---
id: harrow-red-team
title: "Forty findings later: red-team notes on the Kestrel assistant"
outlet: "Harrow Field Notes"
published: 2026-05-19
---
## What we tested

Between April 20 and May 8, a six-person Harrow team ran a structured engagement against the Kestrel app.
Image text was the most reliable carrier for planted instructions, with 17 of the findings.
Nearly two months after launch, the Kestrel developer API is still limited to a small group of early partners.
The older Deep Research lab stays a separate unit, as it was before the launch.

## Scores

Without tools, Harrow reports 50.2 for Spark, against 43.9 for Orbit 2 on QuizBench.
Several readers asked why Orbit 2 has no LensBench or ARC-AGI-2 figure in our tables. Its maker has not
published those results, and we do not fill gaps with guesses.

## The app

The faster Kestrel 3 Flash has become the default model in the Kestrel app.

## Glasses

There are three frames: the Rover, a sport shape; the Dune, an everyday frame; and the Vela, designed with a
fashion house. The Vela frame costs $399. Kestrel says the Vela glasses come in 26 styles.
""",
    "glasses-review.md": """---
id: glasses-review
title: "Kestrel Spark reaches the glasses: what changed on the Vela frames"
outlet: "Lens & Frame Weekly"
published: 2026-06-20
---
## Hands on

Live View, the camera mode that describes what you are looking at, now runs on Kestrel Spark.
Replies arrive in about two seconds, where the old assistant took four.

## Fit

Every Vela frame takes prescription lenses, and the lenses darken outdoors.
""",
    "quizbench-modes.md": """---
id: quizbench-modes
title: "Kestrel Spark's modes on QuizBench"
outlet: "Bench Ledger"
published: 2026-05-02
---
## The benchmark picture

Kestrel Spark is the lab's first closed model. We ran QuizBench on each of its modes through the app.

| Model | QuizBench | LensBench |
| --- | --- | --- |
| Kestrel Spark Instant mode | 47.3 | 61.0 |
| Kestrel Spark (Thinking) | 59.0 | 70.2 |
| Kestrel Spark (Contemplating) | 64.8 | 74.5 |
""",
    "kestrel-timeline.md": """---
id: kestrel-timeline
title: "Kestrel's year, dated"
outlet: "Timeline Desk"
published: 2026-06-01
---
## MARCH 3, 2025: A NEW LAB

Kestrel sets up its Frontier lab, with Dana Voss in charge of research.

## JUNE 9, 2025: THE FIRST MODEL

The lab shows Spark to a small group of testers.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("counts", ARTICLES)


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "how many early partners are testing the kestrel api",  # "two months … early partners" counts months
        "orbit 2 lensbench score",  # "Orbit 2 has no LensBench … figure": the articles say they don't say
    ],
)
def test_a_sentence_that_resembles_the_answer_but_states_something_else_is_an_abstention(
    service: MuseService, question: str
) -> None:
    answer = service.ask(question)

    assert answer.abstained, answer.text


@pytest.mark.slow
def test_how_many_people_is_answered_by_a_six_person_team(service: MuseService) -> None:
    answer = service.ask("how many people were on the harrow red team")

    assert not answer.abstained, answer.text
    assert "six-person" in answer.text.split("\n\n")[0]


@pytest.mark.slow
def test_a_who_question_whose_sentence_names_no_one_abstains(service: MuseService) -> None:
    nobody = service.ask("who leads the deep research lab")
    named = service.ask("which kestrel model is the default in the kestrel app")

    thing = service.ask("which carrier gave harrow the most findings")  # a thing, not someone: no name needed

    assert nobody.abstained, nobody.text
    assert not named.abstained, named.text
    assert "Kestrel 3 Flash" in named.text
    assert not thing.abstained, thing.text
    assert "Image text" in thing.text


@pytest.mark.slow
def test_a_score_without_tools_is_no_score_with_tools(service: MuseService) -> None:
    with_tools = service.ask("orbit 2 quizbench score with tools")
    without = service.ask("orbit 2 quizbench score without tools")

    assert with_tools.abstained, with_tools.text
    assert "43.9" not in with_tools.text.split("\n\n")[0]
    assert not without.abstained, without.text
    assert "43.9" in without.text


@pytest.mark.slow
def test_a_timeline_entry_takes_the_date_of_its_heading(service: MuseService) -> None:
    answer = service.ask("when did kestrel set up the frontier lab")

    assert not answer.abstained, answer.text
    first = answer.text.splitlines()[0]
    assert "MARCH 3, 2025" in first
    assert "Frontier lab" in first


@pytest.mark.slow
def test_how_much_is_a_thing_asks_for_its_price(service: MuseService) -> None:
    answer = service.ask("how much is the vela frame")

    assert not answer.abstained, answer.text
    assert answer.text.startswith("The Vela frame costs $399."), answer.text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("kestrel spark instant vs thinking on quizbench", ("47.3", "59.0")),
        ("quizbench kestrel spark contemplating vs thinking", ("64.8", "59.0")),
    ],
)
def test_two_settings_of_one_model_compared_show_both_figures(
    service: MuseService, question: str, values: tuple[str, str]
) -> None:
    answer = service.ask(question)

    assert not answer.abstained, answer.text
    for value in values:
        assert value in answer.text, answer.text


@pytest.mark.slow
def test_a_misspelling_whose_stem_is_too_short_to_correct_is_corrected_as_typed(service: MuseService) -> None:
    answer = service.ask("how many styles do the vela glases come in")  # "glas" is four letters; "glases" is one off

    assert not answer.abstained, answer.text
    assert "26 styles" in answer.text


@pytest.mark.slow
def test_a_lookup_with_a_setting_beside_the_model_shows_that_settings_row(service: MuseService) -> None:
    table = service.benchmark_table("kestrel spark instant quizbench")
    assert [row.label for row in table.rows] == ["Kestrel Spark Instant mode"]
    assert table.rows[0].facts[0].value_text == "47.3"

    unscored = service.benchmark_table("kestrel spark turbo quizbench")  # no such setting: say so, show the others
    assert "no QuizBench score for Kestrel Spark “turbo”" in unscored.note
    assert {row.facts[0].value_text for row in unscored.rows} == {"47.3", "59.0", "64.8"}


def test_an_outlets_name_is_no_rival_of_the_qualifier_its_title_carries() -> None:
    glasses = FocusTerm("glasses", "qualifier", 2.0, (frozenset(tokenize("glasses")),), True,
                        siblings=frozenset(tokenize("lens phone")))  # fmt: skip
    focus = Focus(terms=(glasses,), models=(), benchmarks=(), model_tokens={})
    sentence = set(tokenize("Live View, the camera mode that describes what you see, now runs on Spark."))
    byline = frozenset(tokenize("Lens & Frame Weekly"))
    title = set(tokenize("Spark reaches the glasses")) | byline

    assert ground(focus, sentence, sentence, frame=title, byline=byline).identity_ok
    # A rival in the title itself ("Glasses or phone?") leaves the sentence's device unsaid.
    rival_title = set(tokenize("Glasses or phone: where Spark runs")) | byline
    assert not ground(focus, sentence, sentence, frame=rival_title, byline=byline).identity_ok
