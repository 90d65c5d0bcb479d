"""Who holds a role, what a section said before a passage, headings in capitals, and a maker's reported scores.

Pure rules first, then the same rules through a tiny inline corpus with the real model. Each question has a
sentence that shares more of its words than the answer does (what the role did, not who holds it), or an
answer whose framing sits in the passage before, or a score a maker reports under a heading that names the
model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from bot.core.answer.select import named_in_role
from bot.core.corpus import load_corpus
from bot.core.facts._mentions import ModelMatcher, model_of_heading
from bot.core.lexicon import Lexicon
from bot.core.service import MuseService
from bot.core.text import split_sentences, tokenize


def _roles(words: str) -> frozenset[str]:
    return frozenset(tokenize(words))


@pytest.mark.parametrize(
    ("sentence", "roles"),
    [
        ("The lone no vote came from Commissioner Davante Lewis, who had doubts.", "commissioner"),
        ("On Route 9, manager Loretta Fields says sales have tripled.", "manages"),  # the verb names the role
        ("Orla Brandt, the treasurer, signed the filing.", "treasurer"),
    ],
)
def test_a_name_given_the_asked_role_is_found(sentence: str, roles: str) -> None:
    assert named_in_role(sentence, _roles(roles), frozenset()) is not None


def test_a_name_without_the_role_or_one_the_question_gives_is_not() -> None:
    sentence = "Commissioner Davante Lewis voted no."

    assert named_in_role(sentence, _roles("treasurer"), frozenset()) is None
    assert named_in_role(sentence, _roles("commissioner"), frozenset(tokenize("davante lewis"))) is None
    assert named_in_role("The commissioner voted no.", _roles("commissioner"), frozenset()) is None


def test_a_two_letter_abbreviation_before_a_number_and_v_end_no_sentence() -> None:
    assert split_sentences("The only stop for miles on La. 80, manager Loretta Fields says sales have tripled.") == [
        "The only stop for miles on La. 80, manager Loretta Fields says sales have tripled."
    ]
    assert len(split_sentences("The fair-use result came in Bartz v. Anthropic, two days earlier than this one.")) == 1
    # A month is a word, not an abbreviation: "in May. 80% …" still ends a sentence.
    assert len(split_sentences("It scored well on the test in May. 80% of the users liked it more.")) == 2


def test_a_heading_in_capitals_may_end_in_a_version_and_names_its_model(tmp_path: Path) -> None:
    (tmp_path / "month.txt").write_text(
        "The month in launches\n\n"
        "A long first paragraph about the month, with enough words to be read as a paragraph of prose here.\n\n"
        "APRIL 16: CLAUDE OPUS 4.7\n\n"
        "Anthropic reports 64.3% on SWE-bench Pro for its new flagship model, at the same price as before.\n",
        encoding="utf-8",
    )
    article = load_corpus(tmp_path).articles[0]

    assert "## APRIL 16: CLAUDE OPUS 4.7" in article.body.splitlines()  # a heading, not a table row
    assert model_of_heading("APRIL 16: CLAUDE OPUS 4.7", ModelMatcher(())) == "Claude Opus 4.7"
    assert model_of_heading("APRIL 16: A NEW MODEL", ModelMatcher(())) is None


def test_a_prefix_the_corpus_hyphenates_splits_a_word_typed_whole() -> None:
    tokens = ("co", "founder", "re", "run", "pair")
    lexicon = Lexicon(words=tokens, tokens=tokens, proper=frozenset(), acronyms={})

    assert lexicon.splits("rerun") == ("re", "run")
    assert lexicon.splits("cofounder") == ("co", "founder")
    assert lexicon.splits("rexyz") == ()


ARTICLES = {
    "parish-report.md": """---
id: parish-report
title: "Next door to the Zephyr data center"
outlet: "Bayou Courier"
published: 2026-05-03
---
## The vote

On August 20, 2025, the Delta Utility Board voted 4-1 to let Tejo Power build three gas plants for the Zephyr site.
The lone no vote came from Commissioner Davante Lewis, who said too many questions were still open.
Each commissioner of the board serves a six-year term.

## The stop

At the Bee Bayou Stop-N-Go, the only fuel stop for miles on La. 80, manager Loretta Fields says sales have tripled.
""",
    "docket.md": """---
id: docket
title: "The docket: Kestrel in court"
outlet: "Docket Weekly"
published: 2026-05-10
---
## The authors' case

The copyright suit that matters most to Kestrel's models is Hale v. Kestrel, brought by thirteen authors who said
Kestrel had fed its Orbit models with copies of their books taken from shadow libraries such as BookVault. The
case was filed in 2023 in a federal court in San Francisco, and it moved slowly through discovery for two years.
The authors asked for damages and for the models to be retrained without their books. Kestrel said that training
on books is transformative and that no model output copies them. Both sides hired economists to say what the
market for licensed books for training might be worth. Thirteen authors brought it, among them Richard Kadrey
and the essayist Mina Osei. Their complaint said that Kestrel had fed Orbit with copies of their books. The
authors' lawyers also said the shadow libraries were pirate sites. Kestrel's lawyers said the books were a small
share of what the model read, and that the authors could show no sale they had lost to it. The trial judge asked
both sides for more briefs on the question of market harm, and the hearing on them took most of a day in March.
On June 25, 2025, Judge Vince Chhabria handed Kestrel summary judgment on the central claim.
""",
    "month.txt": """The April pile-up: a month of launches
Source: Frontier Fortnightly
Published: 2026-04-27

Welcome back. Here is the whole month in order, with the numbers that matter for every launch we covered.

APRIL 16: CLAUDE OPUS 4.7

Anthropic's public flagship got an update at the same price as Opus 4.6, with a new effort level.
Anthropic reports 87.6% on SWE-bench Verified and 64.3% on SWE-bench Pro.

APRIL 23: GPT-5.5

OpenAI shipped GPT-5.5, six weeks after GPT-5.4, in Standard, Thinking and Pro versions.
OpenAI's numbers: 82.7% on Terminal-Bench 2.0, against 69.4% for Opus 4.7, and 85.0% on ARC-AGI-2.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("roles", ARTICLES)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "person"),
    [
        # The sentence before shares more of the question's words (the board, the vote, the plants) but names no
        # one in the role.
        ("which commissioner voted no on tejo's gas plants for zephyr", "Davante Lewis"),
        ("who manages the bee bayou stop-n-go", "Loretta Fields"),  # read across "La. 80"
    ],
)
def test_a_role_question_is_answered_by_the_sentence_naming_who_holds_it(
    service: MuseService, question: str, person: str
) -> None:
    answer = service.ask(question)

    assert not answer.abstained, answer.text
    assert person in answer.text.split("\n\n")[0]


@pytest.mark.slow
def test_the_passage_before_in_the_same_section_frames_a_sentence(service: MuseService) -> None:
    # "Orbit" is said only in the passage before the judge's sentence, under the same heading.
    answer = service.ask("who was the judge in the authors' copyright case against kestrel over orbit")

    assert not answer.abstained, answer.text
    assert "Vince Chhabria" in answer.text.split("\n\n")[0]


@pytest.mark.slow
def test_a_makers_reported_scores_belong_to_the_model_its_capitals_heading_names(service: MuseService) -> None:
    opus = service.benchmark_table("SWE-bench Pro")
    arc = service.benchmark_table("ARC-AGI-2")

    assert [(row.label, row.facts[0].value_text) for row in opus.rows] == [("Claude Opus 4.7", "64.3%")]
    # "OpenAI's numbers: …, against 69.4% for Opus 4.7, and 85.0% on …": the colon's figures are the maker's
    # model's, except one said to be another's.
    assert [(row.label, row.facts[0].value_text) for row in arc.rows] == [("GPT-5.5", "85.0%")]


def test_the_day_of_a_date_is_no_count_two_articles_could_differ_on() -> None:
    from bot.core.answer.compose import _value_classes

    values = _value_classes("On October 17, 2025, the lab announced controls for 40 characters.", "text", set())

    assert values["number"] == frozenset({"40"})


RESTATED = {
    "ticker.md": """---
id: ticker
title: "Ticker tape: the Kestrel launch day"
outlet: "Ticker Tape"
published: 2026-04-10
---
## The app

Kestrel launched its Spark assistant on April 8, and the shares rose on the news.
Sensor Tower estimated about 52,000 US iPhone downloads of the Kestrel app on April 8, which it said was 87% more
than the previous day.
""",
    "podcast.md": """---
id: podcast
title: "Compute Hour, episode 112: the Spark launch"
outlet: "Compute Hour"
published: 2026-04-14
---
## Downloads

Sensor Tower put US iPhone downloads of the Kestrel app on launch day at about 46,000, up 87% from the day before.
Android installs moved much less, by the host's reading of the same data.
""",
    "scores.md": """---
id: scores
title: "Second run: the science scores again"
outlet: "Second Run"
published: 2026-04-20
---
## Science

| Model | GPQA Diamond |
| --- | --- |
| Gemini 3.1 Pro (high) | 94.1 |
| Claude Opus 4.6 (max effort) | 91.0 |
""",
}


@pytest.fixture(scope="module")
def restated(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("restated", RESTATED)


@pytest.mark.slow
def test_another_articles_restatement_with_its_date_in_other_words_shows_the_difference(
    restated: MuseService,
) -> None:
    # "on launch day" leaves the question's "april 8" unsaid, but the sentence restates the answer's and names no
    # other date.
    answer = restated.ask("how many us iphone downloads did the kestrel app get on april 8")

    assert "The articles differ: 52,000" in answer.text, answer.text  # as the sources write it, not "52000"
    assert "46,000" in answer.text
    assert {c.article_id for c in answer.citations} == {"ticker", "podcast"}


def test_a_count_spelt_out_is_a_number() -> None:
    from bot.core.answer.shape import holds_kind

    assert holds_kind("Thirteen authors brought it, among them an essayist.", "number")
    assert holds_kind("Volunteers test tap water from a dozen homes.", "number")


def test_a_month_is_no_other_name() -> None:
    tokens = ("december", "entergy", "hyperion")
    lexicon = Lexicon(words=tokens, tokens=tokens, proper=frozenset(tokens), acronyms={})

    assert lexicon.distinctive_names(lambda _token: 5.0, 1.0) == frozenset({"entergy", "hyperion"})


@pytest.mark.slow
def test_an_effort_typed_after_a_model_is_a_setting_its_row_must_have(restated: MuseService) -> None:
    low = restated.ask("gemini 3.1 pro low gpqa diamond")
    high = restated.ask("gemini 3.1 pro high gpqa diamond")

    assert low.abstained, low.text  # the (high) row is another setting's score
    assert not high.abstained, high.text
    assert "94.1" in high.text
