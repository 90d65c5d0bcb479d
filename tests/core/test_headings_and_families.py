"""Scores under a heading that names their benchmark, "it" after a sentence that names one model, a maker's
figures listed with descriptions, and a question word the corpus writes in another form of its family.

Pure rules first, then the same rules through a tiny inline corpus with the real model. The benchmark names are
made up: the grammar learns them from their shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.answer.focus import _derivations
from bot.core.answer.policy import DEFAULT_GROUNDING
from bot.core.chunking import approximate_token_counter, split_into_chunks
from bot.core.embedding import Embedder
from bot.core.facts import extract_facts
from bot.core.lexicon import Lexicon, derivation_root
from bot.core.models import Article
from bot.core.service import MuseService


def _rows(body: str) -> set[tuple[str, str, str]]:
    article = Article(id="notes", title="Field notes on the hard tests", outlet="Test", body=body)
    facts = extract_facts([article], split_into_chunks(article, approximate_token_counter))
    return {(f.benchmark, f.model, f.value_text) for f in facts}


def test_a_heading_that_is_a_benchmarks_name_gives_the_paragraphs_scores_their_benchmark() -> None:
    # The first sentence names a second capitalised phrase (the foundation), so no sentence names the benchmark
    # alone; the heading does.
    rows = _rows(
        "## GLYPH-QUEST-3\n\n"
        "GLYPH-QUEST-3, from the GQ Prize Foundation, is a set of visual puzzles. It is built so that memory does "
        "not help. This is the weakest result of GPT-5.4: it scored 42.5 in its standard mode, far behind Claude "
        "Opus 4.6 at 76.5.\n"
    )

    assert rows == {("GLYPH-QUEST-3", "GPT-5.4", "42.5"), ("GLYPH-QUEST-3", "Claude Opus 4.6", "76.5")}


def test_a_benchmark_said_short_under_its_full_name_is_the_headings_and_it_is_the_one_model_named_before() -> None:
    rows = _rows(
        "## MedRubric Hard\n\n"
        "MedRubric grades answers to medical conversations; the Hard subset keeps the cases where models struggle. "
        "This is where GPT-5.4 leads. In Thinking mode it scored 42.8, ahead of Claude Opus 4.6 at 40.1.\n"
    )

    assert rows == {("MedRubric Hard", "GPT-5.4", "42.8"), ("MedRubric Hard", "Claude Opus 4.6", "40.1")}


def test_it_after_a_sentence_that_names_two_models_stays_unread() -> None:
    rows = _rows(
        "MedRubric grades answers to medical conversations. This is where GPT-5.4 and Claude Opus 4.6 differ. "
        "In Thinking mode it scored 42.8.\n"
    )

    assert ("MedRubric", "GPT-5.4", "42.8") not in rows
    assert ("MedRubric", "Claude Opus 4.6", "42.8") not in rows


def test_the_companys_reported_figures_carry_across_a_description_and_to_it_also_reported() -> None:
    rows = _rows(
        "OpenAI's launch numbers for GPT-5.4 are strongest on images. The company reported 86.4 on ChartQuiz "
        "Reasoning, a test of reading scientific charts, and 80.4 on PixelExam-Pro, a multimodal exam across many "
        "subjects. It also reported 71.3 on TinyVQA, a test of simple visual facts.\n"
    )

    assert rows == {
        ("ChartQuiz Reasoning", "GPT-5.4", "86.4"),
        ("PixelExam-Pro", "GPT-5.4", "80.4"),
        ("TinyVQA", "GPT-5.4", "71.3"),
    }


def test_a_word_family_shares_a_root_that_a_shorter_word_does_not() -> None:
    tokens = ("energisation", "investment", "organ", "energy", "approval")
    lexicon = Lexicon(words=tokens, tokens=tokens, proper=frozenset(), acronyms={})

    assert lexicon.derivations("energis") == ("energisation",)  # "energised" as a search token
    assert lexicon.derivations("invest") == ("investment",)
    assert lexicon.derivations("approv") == ("approval",)
    assert lexicon.derivations("organis") == ("organ",)  # the suffix alone joins them: the model has to say no
    assert lexicon.derivations("energisation") == ()  # the corpus's own word needs no family
    assert derivation_root("energy") == "energy"


ARTICLES = {
    "site.md": """---
id: site
title: "Kestrel's Juniper campus slips"
outlet: "Grid Weekly"
published: 2026-05-03
---
## The schedule

The Juniper campus is Kestrel's second data center in the valley, built on old farmland east of the river.
A tracker that follows utility filings shows energisation was first expected on January 1, 2026 and is now
pencilled in for September 30, 2026, a delay of eight months.
The county expects the site to employ about 300 people once it opens, most of them technicians.

## The money

Kestrel has invested more than $1.5 billion in the campus since breaking ground in 2019.
""",
    "organs.md": """---
id: organs
title: "The church organ that came back"
outlet: "Valley Life"
published: 2026-05-04
---
The old organ in the valley church was restored this spring by two volunteers, who spent 14 months on it.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("families", ARTICLES)


@pytest.mark.slow
def test_a_question_word_is_met_by_its_family_in_the_text(service: MuseService) -> None:
    # "energised" is nowhere in the corpus; one typing error from it is "energy", which no sentence answers with.
    answer = service.ask("when is the juniper site now expected to be energised?")

    assert not answer.abstained, answer.text
    assert "September 30, 2026" in answer.text.split("\n\n")[0]


@pytest.mark.slow
def test_only_the_family_members_the_model_confirms_stand_for_a_word(real_embedder: Embedder) -> None:
    words = ("energisation", "organ", "investment")
    lexicon = Lexicon(words=words, tokens=words, proper=frozenset(), acronyms={}, vectors=real_embedder.embed(words))
    typed = ("energised", "organised", "invested")
    vectors = dict(zip(typed, real_embedder.embed(typed), strict=True))

    assert _derivations("energised", "energis", lexicon, vectors, DEFAULT_GROUNDING) == ("energisation",)
    assert _derivations("invested", "invest", lexicon, vectors, DEFAULT_GROUNDING) == ("investment",)
    # "organised" shares its root with "organ", but the model reads them apart.
    assert _derivations("organised", "organis", lexicon, vectors, DEFAULT_GROUNDING) == ()
