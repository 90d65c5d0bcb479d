"""Answer selection on hand-made passages: citations, the verbatim-number rule, conflicts, abstention."""

from __future__ import annotations

import re

import pytest

from bot.core.answer import AnswerPolicy, build_answer, read_question_shape
from bot.core.models import BenchmarkFact, Chunk, Conflict, Passage, SourceRef
from bot.core.search import build_term_stats

SOURCES = {
    "alpha": SourceRef("alpha", "Alpha launch story", "Alpha Times", "https://alpha.example/story"),
    "beta": SourceRef("beta", "Beta overview", "Beta Weekly", ""),
}


def _chunk(article_id: str, n: int, text: str, heading: str = "") -> Chunk:
    return Chunk(f"{article_id}#{n}", article_id, n, heading, text, f"{article_id} — {heading}\n{text}")


CHUNKS = (
    _chunk("alpha", 0, "Muse Spark is the first model from Meta Superintelligence Labs. It is closed-source."),
    _chunk(
        "alpha",
        1,
        "Muse Spark scores 42.8 on HealthBench Hard, beating GPT-5.4 (40.1). Meta spent years on open models.",
        "Where Muse Spark Leads",
    ),
    _chunk("beta", 0, "On the GDPval-AA work task benchmark, Muse Spark scored 1,427 points in the test run."),
    _chunk("beta", 1, "The model emphasizes efficiency and multimodal perception over raw parameter counts."),
)
STATS = build_term_stats(CHUNKS)


def _passages(*rows: int, dense: float = 0.5) -> list[Passage]:
    return [Passage(CHUNKS[r], 1.0 / (i + 1), dense, 1.0) for i, r in enumerate(rows)]


def test_answer_cites_the_sentence_and_keeps_numbers_verbatim() -> None:
    answer = build_answer("healthbench hard score for muse spark", _passages(1, 0), STATS, SOURCES)

    assert not answer.abstained
    assert answer.text.startswith("Muse Spark scores 42.8 on HealthBench Hard, beating GPT-5.4 (40.1). [1]")
    assert answer.citations[0].chunk_id == "alpha#1"
    assert answer.citations[0].title == "Alpha launch story"
    assert answer.citations[0].url == "https://alpha.example/story"
    quotes = " ".join(c.quote for c in answer.citations)
    for number in re.findall(r"\d+(?:[.,]\d+)*", re.sub(r"\[\d+\]", "", answer.text)):
        assert number in quotes


def test_markers_point_at_their_own_passage() -> None:
    # No unit vectors here (similarity 0), so the bar is the share of terms alone.
    lenient = AnswerPolicy(abstain_threshold=0.5)
    answer = build_answer(
        "who makes muse spark and is it closed source", _passages(1, 0), STATS, SOURCES, policy=lenient
    )

    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {c.marker for c in answer.citations}
    by_marker = {c.marker: c for c in answer.citations}
    for line in answer.text.splitlines():
        match = re.search(r"^(.*) \[(\d+)\]$", line)
        assert match is not None
        assert match.group(1) in by_marker[int(match.group(2))].quote


def test_number_question_without_a_number_in_the_passages_abstains() -> None:
    answer = build_answer("What is the parameter count of Muse Spark?", _passages(3, 0), STATS, SOURCES)

    assert answer.abstained
    assert answer.citations == ()
    assert "don't say" in answer.text
    assert not re.search(r"\d", answer.text)


def test_unrelated_question_abstains() -> None:
    answer = build_answer("what's the weather in paris tomorrow", _passages(0, 1), STATS, SOURCES)

    assert answer.abstained


def test_abstention_threshold_is_a_knob() -> None:
    question = "is muse spark closed source from meta superintelligence labs"
    assert not build_answer(question, _passages(0), STATS, SOURCES).abstained
    strict = build_answer(question, _passages(0), STATS, SOURCES, policy=AnswerPolicy(abstain_threshold=1.01))
    assert strict.abstained


def test_conflicting_facts_show_both_values_with_their_sources() -> None:
    quote_a = "Muse Spark’s 1,444 ELO trails GPT-5.4 (1,674) by 230 points."
    chunk_a = _chunk("alpha", 2, quote_a)
    a = BenchmarkFact("GDPval-AA", "Muse Spark", "1,444", 1444.0, "Elo", "alpha", "alpha#2", quote_a)
    b = BenchmarkFact("GDPval-AA", "Muse Spark", "1,427", 1427.0, "points", "beta", "beta#0", CHUNKS[2].text)
    texts = {"alpha#2": chunk_a.text, "beta#0": CHUNKS[2].text}

    answer = build_answer(
        "gdpval-aa elo for muse spark",
        _passages(2),
        STATS,
        SOURCES,
        facts=(a, b),
        conflicts=(Conflict("GDPval-AA", "Muse Spark", (a, b)),),
        chunk_text=texts.get,
    )

    assert "1,444 [" in answer.text
    assert "1,427 [" in answer.text
    assert "differ" in answer.text
    cited = {c.article_id for c in answer.citations}
    assert cited == {"alpha", "beta"}
    assert len(answer.conflicts) == 1


def test_question_shape() -> None:
    assert read_question_shape("how much did meta pay for its stake").wants_number
    assert read_question_shape("When did Alexandr Wang join?").wants_date
    assert not read_question_shape("What is Contemplating mode?").wants_number


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how much is meta spending on the new site", "money"),
        ("maximum fine for a model provider", "money"),
        ("what did the stock close at on friday", "money"),
        ("how quick does instant mode start answering", "latency"),
        ("can i fine-tune it", "text"),  # "fine-tune" is no fine
    ],
)
def test_question_shapes_read_common_phrasings(question: str, kind: str) -> None:
    assert read_question_shape(question).kind == kind


def test_free_states_a_price_but_not_a_rate() -> None:
    from bot.core.answer.shape import holds_kind

    assert holds_kind("Muse Spark costs nothing in the app.", "money")
    assert not holds_kind("Muse Spark is free in the app.", "money", rate=True)
    assert read_question_shape("how much does the api cost per million tokens").rate


def test_a_second_reading_with_rivals_after_reuses_the_scored_units_and_changes_nothing() -> None:
    from dataclasses import replace

    from bot.core.answer import read_focus
    from bot.core.answer.select import score_sentences

    question = "healthbench hard score for muse spark"
    shape = read_question_shape(question)
    focus = read_focus(question, idf=STATS.weight, lexicon=None)
    first, more = _passages(1, 0), _passages(1, 0, 2)
    memo: dict = {}
    plain = score_sentences(shape, first, STATS, focus=focus)
    assert score_sentences(shape, first, STATS, focus=focus, memo=memo) == plain
    assert {key for key, _ in memo} == {0, 1}  # each passage's units kept under its place and chunk
    again = score_sentences(shape, more, STATS, focus=focus, memo=memo)
    assert again == score_sentences(shape, more, STATS, focus=focus)
    # What is kept is what is read: a kept unit comes back as kept, not scored again.
    (place, chunk_id), kept = next(iter(memo.items()))
    memo[(place, chunk_id)] = [(replace(s, score=-99.0), named) for s, named in kept]
    assert any(s.score == -99.0 for s in score_sentences(shape, first, STATS, focus=focus, memo=memo))
    # The same passages at other places are scored afresh.
    assert all(s.score != -99.0 for s in score_sentences(shape, _passages(0, 1), STATS, focus=focus, memo=memo))
