"""The prose grammar on tiny inline texts: scores written only in sentences, their labelled variants, and the traps
beside them. Benchmark and model names here are made up on purpose: the grammar learns them from their shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.chunking import approximate_token_counter, split_into_chunks
from bot.core.corpus import load_corpus
from bot.core.facts import FactTable, extract_facts
from bot.core.models import Article, BenchmarkFact

ROOT = Path(__file__).resolve().parents[2]
TUNE = ROOT / "tests" / "data" / "tune"


def _extract(body: str, title: str = "Industry notes") -> tuple[BenchmarkFact, ...]:
    article = Article(id="notes", title=title, outlet="Test", body=body)
    return extract_facts([article], split_into_chunks(article, approximate_token_counter))


def _rows(facts: tuple[BenchmarkFact, ...]) -> set[tuple[str, str, str, str]]:
    return {(f.benchmark, f.model, f.value_text, f.qualifier) for f in facts}


# ---------------------------------------------------------------------------------------------- which benchmark


def test_a_capitalised_on_phrase_names_the_benchmark_despite_a_second_name_in_an_apposition() -> None:
    facts = _extract(
        "On GlyphBench Hard, the difficult subset of Acme's GlyphBench, GPT-5.4 scores 42.8, ahead of "
        "Claude Opus 4.6 at 14.8."
    )

    assert _rows(facts) == {
        ("GlyphBench Hard", "GPT-5.4", "42.8", ""),
        ("GlyphBench Hard", "Claude Opus 4.6", "14.8", ""),
    }


def test_an_acronym_defined_after_a_benchmark_is_the_same_benchmark_for_the_sentences_after() -> None:
    facts = _extract(
        "Orbital Reasoning Exam (ORE), a test written by astronomers, is hard. "
        "GPT-5.4 scores 31.5% on it, and Claude Opus 4.6 posts 29.0%."
    )

    assert {(f.benchmark, f.model, f.value_text) for f in facts} == {
        ("Orbital Reasoning Exam", "GPT-5.4", "31.5%"),
        ("Orbital Reasoning Exam", "Claude Opus 4.6", "29.0%"),
    }
    assert all(f.quote.startswith("Orbital Reasoning Exam (ORE)") for f in facts)  # the sentence that names it


def test_an_acronym_defining_a_lower_case_term_is_no_second_benchmark() -> None:
    facts = _extract(
        "PixelHunt measures whether an agent can drive a graphical user interface (GUI). "
        "Without tools, GPT-5.4 scores 72.2 and Claude Opus 4.6 scores 57.7."
    )

    assert _rows(facts) == {
        ("PixelHunt", "GPT-5.4", "72.2", "without tools"),
        ("PixelHunt", "Claude Opus 4.6", "57.7", "without tools"),
    }


def test_an_acronym_that_spells_no_words_before_it_stays_a_name() -> None:
    # "(XQZ)" does not spell "Reasoning Suite": two benchmarks, no tie, nothing is guessed
    assert _extract("Reasoning Suite (XQZ) and GlyphBench both matter; GPT-5.4 posts 57.") == ()


# ---------------------------------------------------------------------------------------------- which model


def test_a_list_that_states_its_verb_once_gives_each_model_its_value() -> None:
    facts = _extract("On PixelHunt, GPT-5.4 reaches 85.4, Gemini 3.1 Pro 84.4, Grok 4.2 84.1 and Claude Opus 4.6 83.1.")

    assert {(f.model, f.value_text) for f in facts} == {
        ("GPT-5.4", "85.4"),
        ("Gemini 3.1 Pro", "84.4"),
        ("Grok 4.2", "84.1"),
        ("Claude Opus 4.6", "83.1"),
    }


@pytest.mark.parametrize(
    "sentence",
    [
        # a list item that follows no score: money and counts between break the list
        "GPT-5.4 scores 57.7 on PixelHunt, and Acme spent 14 billion, Scale AI 49 and Llama 4 Maverick 400.",
        # another unit is another list
        "GPT-5.4 scores 57.7% on PixelHunt, Llama 4 Maverick 400 and more.",
    ],
)
def test_a_model_beside_a_number_outside_a_score_list_is_no_score(sentence: str) -> None:
    assert {(f.model, f.value_text) for f in _extract(sentence)} == {("GPT-5.4", "57.7" + ("%" in sentence) * "%")}


def test_a_mode_named_alone_stands_for_its_model_in_that_mode() -> None:
    facts = _extract(
        "Grok 5 in Pondering mode runs many agents at once.\n\nOn StarMap Research, a newer test, Pondering scores 38%."
    )

    assert _rows(facts) == {("StarMap Research", "Grok 5", "38%", "Pondering mode")}


def test_a_capitalised_word_is_no_mode_unless_the_article_names_that_mode() -> None:
    assert _extract("On StarMap Research, a newer test, Pondering scores 38%.", title="Grok 5 notes") == ()


def test_it_in_a_later_clause_is_the_model_the_article_is_about() -> None:
    facts = _extract(
        "On CaptureGrid, a set of capture-the-flag tasks, it solves 65.4% at pass@1.", title="What Grok 5 can do"
    )

    assert _rows(facts) == {("CaptureGrid", "Grok 5", "65.4%", "pass@1")}


def test_its_score_climbing_to_a_value_is_the_subject_of_the_sentence_before() -> None:
    facts = _extract(
        "In Thinking mode without tools GPT-5.4 answers 39.9% correctly on the Orbital Reasoning Exam (ORE). "
        "With search and code tools switched on, its ORE score climbs to 50.4%."
    )

    assert {(f.model, f.value_text, f.qualifier) for f in facts} == {
        ("GPT-5.4", "39.9%", "without tools"),
        ("GPT-5.4", "50.4%", "with search and code tools"),
    }
    assert all(f.benchmark == "Orbital Reasoning Exam" for f in facts)


def test_a_makers_reported_figure_is_the_model_the_paragraph_is_about() -> None:
    facts = _extract("Grok 5 is at its best on images. Xylo reports 72.2 on PixelHunt, a screenshot test.")

    assert _rows(facts) == {("PixelHunt", "Grok 5", "72.2", "")}


def test_a_reported_figure_with_no_model_before_it_is_no_score() -> None:
    assert _extract("Images are the strong suit. Xylo reports 72.2 on PixelHunt, a screenshot test.") == ()


def test_it_after_a_named_subject_in_the_same_sentence_is_that_subject() -> None:
    facts = _extract("With tools, GPT-5.4 scores 50.4% on PixelHunt, while without tools it scores 39.9%.")

    assert _rows(facts) == {
        ("PixelHunt", "GPT-5.4", "50.4%", "with tools"),
        ("PixelHunt", "GPT-5.4", "39.9%", "without tools"),
    }


@pytest.mark.parametrize(
    "sentence",
    [
        "On PixelHunt, its score climbs by 8 points to reach 50.",  # a change, and no subject
        "On PixelHunt, GPT-5.4 answers 3 questions a minute and Grok 4.2 answers 12 of 20 tasks.",  # counts
        "On PixelHunt, it solves 65.4% at pass@1.",  # "it" in an article about no one model
    ],
)
def test_changes_counts_and_unknown_subjects_are_not_scores(sentence: str) -> None:
    assert _extract(sentence) == ()


# ---------------------------------------------------------------------------------------------- which variant


def test_qualifiers_that_open_a_sentence_label_every_value_but_a_mode_only_its_subjects() -> None:
    facts = _extract(
        "In Instant mode, GPT-5.4 scores 61.0 on PixelHunt, ahead of Grok 4.2 at 58.0.\n\n"
        "On the Orbital Reasoning Exam without tools, GPT-5.4's 39.9% puts it ahead of Grok 4.2 (36.4%)."
    )

    assert {(f.benchmark, f.model, f.qualifier) for f in facts} == {
        ("PixelHunt", "GPT-5.4", "Instant mode"),
        ("PixelHunt", "Grok 4.2", ""),
        ("Orbital Reasoning Exam", "GPT-5.4", "without tools"),
        ("Orbital Reasoning Exam", "Grok 4.2", "without tools"),
    }


def test_tool_settings_joined_by_and_are_one_label_but_two_settings_are_two() -> None:
    facts = _extract("With web search and code tools, GPT-5.4 scores 50.4% on PixelHunt.")
    assert _rows(facts) == {("PixelHunt", "GPT-5.4", "50.4%", "with web search and code tools")}

    facts = _extract("On PixelHunt, GPT-5.4 scored 31.2% without tools and 47.5% with search.")
    assert {(f.value_text, f.qualifier) for f in facts} == {("31.2%", "without tools"), ("47.5%", "with search")}


def test_one_models_scores_each_followed_by_its_benchmark_are_each_a_fact() -> None:
    facts = _extract(
        "In Deep mode GPT-5.4 reaches 58% on the Orbital Reasoning Exam and 38% on PixelHunt Research, "
        "which puts it near the top.\n\n"
        "Grok 4.2 scores 61.0 on GlyphBench, 12 points more than a year ago."
    )

    assert _rows(facts) == {
        ("Orbital Reasoning Exam", "GPT-5.4", "58%", "Deep mode"),
        ("PixelHunt Research", "GPT-5.4", "38%", "Deep mode"),
        ("GlyphBench", "Grok 4.2", "61.0", ""),
    }


def test_it_is_the_model_the_paragraph_released_not_the_one_it_is_measured_against() -> None:
    facts = _extract(
        "Orbitron released Claude Opus 4.7 on April 16. On GlyphBench Pro it reached 64.3%, ahead of GPT-5.5, "
        "while on PixelHunt 2.0 it managed 69.4%.\n\n"
        "GPT-5.5 shipped on April 23. It is the first retrained model since GPT-4.5, and it posted 82.7% on "
        "PixelHunt 2.0 and 58.6% on GlyphBench Pro."
    )

    assert _rows(facts) == {
        ("GlyphBench Pro", "Claude Opus 4.7", "64.3%", ""),
        ("PixelHunt 2.0", "Claude Opus 4.7", "69.4%", ""),
        ("PixelHunt 2.0", "GPT-5.5", "82.7%", ""),
        ("GlyphBench Pro", "GPT-5.5", "58.6%", ""),
    }


def test_a_lookup_with_a_setting_and_a_typing_error_shows_that_settings_row() -> None:
    facts = _extract(
        "| Model | PixelHunt | GlyphBench |\n| --- | --- | --- |\n"
        "| Claude Opus 4.6 (max effort) | 91.3 | 60.0 |\n| Claude Opus 4.6 (low effort) | 84.0 | 51.0 |\n"
        "| GPT-5.4 | 88.0 | 55.0 |"
    )
    table = FactTable(facts)

    def rows(lookup: str) -> dict[str, list[str]]:
        return {row.label: [f.value_text for f in row.facts] for row in table.benchmark_table(lookup).rows}

    assert rows("pixelhnut claude opus 4.6 low effort") == {"Claude Opus 4.6 (low effort)": ["84.0"]}
    assert rows("pixelhunt claude opus 4.6 low effort") == {"Claude Opus 4.6 (low effort)": ["84.0"]}
    assert rows("pixelhunt claude opus 4.6") == {
        "Claude Opus 4.6 (max effort)": ["91.3"],
        "Claude Opus 4.6 (low effort)": ["84.0"],
    }
    with pytest.raises(LookupError):
        table.benchmark_table("pixelhnut claude opus 4.6 high effort")  # no such setting: no other row instead


def test_variant_rows_are_labelled_in_a_benchmark_lookup() -> None:
    facts = _extract(
        "Without tools, GPT-5.4 scores 72.2 on PixelHunt, far ahead of Claude Opus 4.6 at 57.7. "
        "With tools, GPT-5.4 reaches 85.4 and Claude Opus 4.6 83.1."
    )

    rows = {row.label: [f.value_text for f in row.facts] for row in FactTable(facts).benchmark_table("pixelhunt").rows}
    assert rows == {
        "GPT-5.4 (with tools)": ["85.4"],
        "Claude Opus 4.6 (with tools)": ["83.1"],
        "GPT-5.4 (without tools)": ["72.2"],
        "Claude Opus 4.6 (without tools)": ["57.7"],
    }


# ---------------------------------------------------------------------------------------------- the tuning set


def _tune_lookups() -> list[dict]:
    lines = (TUNE / "qa.jsonl").read_text(encoding="utf-8").splitlines()
    return [q for q in map(json.loads, filter(None, lines)) if q["kind"] == "benchmark_lookup"]


@pytest.fixture(scope="module")
def tune_table() -> FactTable:
    loaded = load_corpus(TUNE / "corpus")
    assert not loaded.errors
    chunks = tuple(c for a in loaded.articles for c in split_into_chunks(a, approximate_token_counter))
    return FactTable(extract_facts(loaded.articles, chunks))


def _number(text: str) -> float:
    return float(text.rstrip("%").replace(",", ""))


@pytest.mark.parametrize("question", _tune_lookups(), ids=lambda q: q["id"])
def test_each_tuning_set_lookup_shows_every_value_the_articles_give(tune_table: FactTable, question: dict) -> None:
    table = tune_table.benchmark_table(question["question"])
    shown = [f for row in table.rows for f in row.facts]

    missing = [v for v in question["expected_facts"] if not any(abs(f.value - _number(v)) < 1e-9 for f in shown)]
    assert missing == []
    assert {f.article_id for f in shown} & set(question["expected_sources"])
