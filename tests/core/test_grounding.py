"""Grounding on a tiny inline corpus with the real model: the thing asked, or an honest abstention.

A neighbour's fact (another digit, version, qualifier or person) is never the answer; a synonym, a
learned acronym and a typo are grounded; a prose conflict shows both values; quotes are trimmed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pytest

from bot.core.models import Answer
from bot.core.service import MuseService

pytestmark = pytest.mark.slow

ARTICLES = {
    "nova-orbit-launch.md": """---
id: nova-orbit-launch
title: "Nova Labs launches Orbit 2.5"
outlet: "Signal Desk"
published: 2026-03-03
---
## Launch

Nova Labs launched Orbit 2.5 on March 3, its first model built on a Mixture of Experts (MoE) design.
Orbit 2.5 scores 61.2 on ReasonBench, ahead of Orbit 2.1 at 55.0.
Nova Labs also ran Orbit 2.5 on CodeArena, a set of repository-scale coding tasks. Given a sandbox to run its
code in, it solved 47.5% of them.
The context window holds 400,000 tokens, twice the old limit.
Chief executive Dana Kowal joined Nova Labs at 24 and has run it since 2023.
The former chemist holds a 12% stake in the company.

## Business

Nova Labs acquired Pixelworks, a camera-software maker, for $80 million in January.
Nova Labs has 300 employees, most of them in Lisbon.
The MoE layers cut serving costs by half, the company says.
""",
    "orbit-pricing.md": """---
id: orbit-pricing
title: "What Orbit costs"
outlet: "Price Watch"
published: 2026-03-05
---
## Plans

The Orbit Lite plan costs $4 per month and runs only on the iPhone app in the United States.
The full plan is $20 per month for teams.
Developers reach Orbit through the Nova API, where requests cost $2 per million tokens.
Lisbon's tram network carried a record number of riders in March.
The city also opened two new bike lanes near the river.
""",
    "nova-sites.md": """---
id: nova-sites
title: "Where Nova Labs computes"
outlet: "Grid Report"
published: 2026-03-12
---
## Sites

| Site | Location | Capacity |
| --- | --- | --- |
| Vega | Porto, Portugal | 2 GW |
| Altair | Braga, Portugal | 1 GW |

Vega is the larger of the two campuses. Nova Labs financed it through a joint venture with Harbor Fund, and the
utility, Tejo Power, is building four turbines to power it.
Nova Labs plans $900 million in capital expenditures in 2026.

## Markets

Nova Labs shares rose 4% on March 3. They closed at $41. The Dow Jones index gained 1% over the whole week.
Nova Labs shares slipped 2% on March 9, and ended the month at $44 on March 31.
Orbit Basic is free for students.

## Research

Nova Labs runs a research arm, the Deep Orbit Research Unit (DORU), next to its product teams.

| Year | Research spend |
| --- | --- |
| 2025 | $50 million |
| 2024 | $30 million |

On average, Orbit answers a question in 1.8 seconds. Its finance chief, Rui Sousa, was 29 when he took the job.
The Lusitanian Data Office (LDO), the privacy regulator of Portugal, opened a review of Orbit in May.

## Cuts

The reshuffle went on all spring. In May 2026 Nova Labs cut 40 jobs across the unit.

Pixelworks reported its results on June 9. Its revenue came to $12 million, and the shares ended at $31.
Pixelworks has not disclosed how many customers it has.
""",
    "nova-profile.txt": """Inside Nova Labs
Source: The Ledger
Published: 2026-03-09

Nova Labs now has 450 employees, according to people familiar with its payroll.
Its research head, Mark Lee, came from a robotics start-up.
Orbit requests cost developers $3 per million tokens, the company's price sheet shows.
Nova Labs launched Orbit 2.5 on March 4, 2026, after a last-minute delay.
""",
    "vega-power.md": """---
id: vega-power
title: "Powering the Vega campus"
outlet: "Quayside Weekly"
author: "Ines Barros"
published: 2026-03-20
---
## Power

The Atlantic Power Board approved the Vega turbines in April after a year of hearings.
Vega could reach its full load as early as 2029, two years after it opens.
Lena Duarte, 41, an engineer at the campus, runs the turbine tests.

## Demo

From a single prompt, Orbit wrote a working chess engine during the demo.
What DORU stands for inside Nova Labs is a patient bet on research.
On ProofBench with no tools, Orbit 2.5 scores 58.0.

## Scores

| Model | LogicBench |
| --- | --- |
| Orbit 2.5 | 58.5 |
| Orbit 2.1 | 52.0 |

In a March review, LogicBench put Orbit 2.5 at 63.0, above Lumen 3.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("grounding", ARTICLES)


def _numbers(answer: Answer) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)*", re.sub(r"\[\d+\]", "", answer.text))


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("what does orbit 2 score on reasonbench", "orbit 2"),  # a digit: only Orbit 2.5 and 2.1 are scored
        ("how much does orbit lite cost per year", "year"),  # a qualifier: the price is per month
        ("how much does the orbit lite plan cost on android", "android"),  # a platform the articles never give
        ("how old was mark lee when he joined nova labs", ""),  # an entity: the age is Dana Kowal's
        ("what did nova labs shares close at on march 9", ""),  # the price in that sentence is March 31's
    ],
)
def test_a_neighbours_fact_is_never_the_answer(service: MuseService, question: str, missing: str) -> None:
    answer = service.ask(question)

    assert answer.abstained, answer.text
    assert answer.citations == ()
    assert _numbers(answer) == []  # no figure is offered as the answer
    if missing:
        assert missing in " ".join(answer.missing), answer.missing


def test_an_owner_the_articles_never_name_is_an_abstention(service: MuseService) -> None:
    answer = service.ask("what is acme's price for the full plan")  # the $20 plan is Orbit's

    assert answer.abstained, answer.text
    assert "$20" not in answer.text


def test_a_score_the_fact_reader_binds_to_another_model_is_not_the_answer(service: MuseService) -> None:
    answer = service.ask("what did lumen 3 score on logicbench")  # 63.0 is Orbit 2.5's, "above Lumen 3"

    assert answer.abstained, answer.text
    assert "63.0" not in answer.text


def test_a_near_miss_shows_the_neighbour_labelled_as_a_different_thing(service: MuseService) -> None:
    answer = service.ask("what does orbit 2 score on reasonbench")

    assert answer.abstained
    assert answer.nearest, "the nearest fact is shown, cited"
    assert any("61.2" in text for text in answer.nearest_text)
    assert "61.2" not in answer.text


def test_a_term_the_corpus_never_uses_is_an_abstention(service: MuseService) -> None:
    answer = service.ask("orbit 2.5 osworld score")

    assert answer.abstained
    assert "osworld" in answer.missing
    assert "osworld" in answer.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("orbit 2.5 reasonbench score", "61.2"),
        ("what does the orbit lite plan cost per month", "$4"),
        ("how much did nova labs pay to buy pixelworks", "$80 million"),  # pay/buy for "acquired … for"
        ("how old was dana kowal when she joined nova labs", "24"),  # "joined … at 24"
        ("orbit 2.5 reasonbnch score", "61.2"),  # a typing error
        ("how much will nova labs put into capex in 2026", "$900 million"),  # a clipping of "capital expenditures"
        ("how many turbines will power vega", "four"),  # "to power it": the pronoun points back to Vega
        ("where is the altair site", "Braga"),  # a where-question wants the sentence that names a place
        ("how fast does orbit answer on avg", "1.8 seconds"),  # chat shorthand read in full
        ("how old was rui sousa when he started as finance chief", "29"),  # "was 29 when he took the job"
        ("the LDO is the regulator of which country", "Portugal"),  # "which country" asks for a country
        ("how many jobs did nova labs cut at doru", "40"),  # "the unit" refers back to the research unit
        ("what did nova labs shares end the month at", "$44"),  # the same sentence, asked about its own day
        ("how big a stake does dana kowal hold", "12%"),  # "the former chemist": the name said before
        ("orbit 2.5 codearena score with a sandbox", "47.5%"),  # the benchmark is named by the sentence before
        ("how many tokens does the orbit 2.5 context window hold", "400,000"),  # "Orbit 2.5" said before
        ("how early could vega reach full load according to quayside weekly", "2029"),  # the outlet frames it
        ("when did the apb approve the vega turbines", "April"),  # the initials of a name the articles spell out
        ("earliest year vega could reach its full load", "2029"),  # "which year" is answered by a year
        ("what did orbit write from one prompt", "chess engine"),  # "one prompt" is "a single prompt"
        ("how old is lena duarte", "41"),  # "Lena Duarte, 41, an engineer"
        ("orbit 2.5 proofbench without tools", "58.0"),  # "without tools" is "with no tools"
        ("what does doru stand for", "Deep Orbit Research Unit"),  # the sentence spelling the acronym out
    ],
)
def test_answerable_questions_worded_otherwise_are_answered(service: MuseService, question: str, expected: str) -> None:
    answer = service.ask(question)

    assert not answer.abstained, answer.text
    assert expected in answer.text


def test_a_learned_acronym_grounds_its_expansion(service: MuseService) -> None:
    answer = service.ask("what do the mixture of experts layers do for serving")

    assert not answer.abstained, answer.text
    assert "by half" in answer.text
    assert service.ensure_ready().index.lexicon.acronyms["moe"] == ("mixtur", "expert")


@pytest.mark.parametrize(
    ("question", "values", "articles"),
    [
        ("how many employees does nova labs have", ("300", "450"), {"nova-orbit-launch", "inside-nova-labs"}),
        # "API" is a name that is also an ordinary word: the other article's price list need not say it.
        ("orbit api price per million tokens", ("$2", "$3"), {"orbit-pricing", "inside-nova-labs"}),
    ],
)
def test_a_prose_conflict_shows_both_values_with_their_sources(
    service: MuseService, question: str, values: tuple[str, str], articles: set[str]
) -> None:
    answer = service.ask(question)

    assert not answer.abstained, answer.text
    assert all(value in answer.text for value in values), answer.text
    assert "The articles differ" in answer.text
    assert {c.article_id for c in answer.citations} == articles


def test_the_quote_is_trimmed_to_its_supporting_sentences(service: MuseService) -> None:
    answer = service.ask("what does the orbit lite plan cost per month")

    quote = answer.citations[0].quote
    assert "$4 per month" in quote
    assert "tram" not in quote  # the rest of the passage is cut with "…"
    assert quote.endswith("…")


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("vega vs altair capacity", ("2 GW", "1 GW")),  # two names
        ("research spend 2025 vs 2024", ("$50 million", "$30 million")),  # two years
    ],
)
def test_two_things_side_by_side_each_get_their_figure(
    service: MuseService, question: str, figures: tuple[str, str]
) -> None:
    answer = service.ask(question)

    assert not answer.abstained, answer.text
    for figure in figures:
        assert figure in answer.text


def test_a_name_said_after_a_sentence_does_not_carry_into_it(service: MuseService) -> None:
    # "The Dow …" comes after "shares rose 4% on March 3": that figure is Nova Labs', not the Dow's.
    answer = service.ask("how much did the dow rise on march 3")

    assert answer.abstained, answer.text
    assert "4%" not in answer.text


def test_what_is_counted_must_be_named(service: MuseService) -> None:
    answer = service.ask("how many engineers does nova labs have")  # the articles count employees

    assert answer.abstained, answer.text
    assert _numbers(answer) == []


def test_a_date_the_sentence_before_sets_frames_the_next_one(service: MuseService) -> None:
    answer = service.ask("what did pixelworks revenue come to on june 9")

    assert not answer.abstained, answer.text
    assert "$12 million" in answer.text


def test_a_different_date_is_still_not_the_answer(service: MuseService) -> None:
    answer = service.ask("what did pixelworks revenue come to on june 10")

    assert answer.abstained, answer.text
    assert "$12 million" not in answer.text


def test_a_sentence_saying_the_value_was_not_given_is_an_abstention(service: MuseService) -> None:
    answer = service.ask("how many customers does pixelworks have")

    assert answer.abstained, answer.text
    assert "not been made public" in answer.text
    assert any("not disclosed" in text for text in answer.nearest_text)  # shown, labelled, cited


def test_a_prose_date_conflict_shows_both_days(service: MuseService) -> None:
    answer = service.ask("when did nova labs launch orbit 2.5")

    assert not answer.abstained, answer.text
    assert "March 3" in answer.text
    assert "March 4" in answer.text
    assert "The articles differ" in answer.text


def test_free_is_a_price_but_not_a_rate(service: MuseService) -> None:
    assert "free" in service.ask("what does orbit basic cost").text
    rate = service.ask("how much does orbit basic cost per million tokens")
    assert rate.abstained, rate.text  # a free plan states no price per unit


def test_a_closing_price_wants_a_price(service: MuseService) -> None:
    answer = service.ask("what did nova labs shares close at on march 3")
    assert not answer.abstained, answer.text
    assert "$41" in answer.text
    dow = service.ask("what did the dow close at")  # the articles give its weekly change, not a level
    assert dow.abstained, dow.text
