"""Shared text helpers: search tokens, numbers, sentences and answer units."""

from __future__ import annotations

from bot.core.text import numbers_in, split_answer_units, split_sentences, tokenize


def test_model_names_tokenize_the_same_however_they_are_typed() -> None:
    assert tokenize("GPT-5.4") == tokenize("gpt5.4") == tokenize("GPT 5.4") == ["gpt", "5.4"]
    assert tokenize("HealthBench") == ["healthbench", "health", "bench"]
    assert tokenize("1,444 points") == ["1444", "point"]


def test_stems_meet_across_inflections_and_irregular_verbs() -> None:
    assert tokenize("codenamed") == tokenize("codename")
    assert tokenize("built") == tokenize("build")
    assert tokenize("training") == tokenize("trained")


def test_numbers_are_found_as_written() -> None:
    assert numbers_in("Muse Spark’s 1,444 ELO trails GPT-5.4 (1,674); 80.5% on MMMU-Pro, $14.3 billion") == [
        "1,444",
        "5.4",
        "1,674",
        "80.5",
        "14.3",
    ]


def test_answer_units_read_on_their_own() -> None:
    text = (
        "Muse Spark is available now through two channels:\n\n"
        "  • Meta AI app and meta.ai website — free\n"
        "  • Private API preview — select partners only\n\n"
        "The model was codenamed Avocado. It was built over nine months.\n\n"
        "| Model | Input | Output |\n|---|---|---|\n| Muse Spark | $1.00 | $4.00 |\n| Claude Opus 4.6 | — | $25.00 |"
    )

    assert split_answer_units(text) == [
        "Muse Spark is available now through two channels: Meta AI app and meta.ai website — free; "
        "Private API preview — select partners only",
        "Meta AI app and meta.ai website — free",
        "Private API preview — select partners only",
        "The model was codenamed Avocado.",
        "The model was codenamed Avocado. It was built over nine months.",
        "Muse Spark — Input: $1.00; Output: $4.00",
        "Claude Opus 4.6 — Output: $25.00",
    ]


def test_a_hard_wrapped_paragraph_is_read_as_whole_sentences() -> None:
    paragraph = (
        "Nova Labs financed the campus through a joint venture with Harbor Fund, and the\n"
        "utility is building four turbines. Nova Labs also ran Orbit 2.5 on\n"
        "CodeArena, a set of coding tasks. Given a sandbox to run its code\n"
        "in, it solved 47.5% of them.\n"
    )

    assert split_sentences(paragraph) == [
        "Nova Labs financed the campus through a joint venture with Harbor Fund, and the utility is building four "
        "turbines.",
        "Nova Labs also ran Orbit 2.5 on CodeArena, a set of coding tasks.",
        "Given a sandbox to run its code in, it solved 47.5% of them.",
    ]
    assert split_answer_units(paragraph)[-1] == "Given a sandbox to run its code in, it solved 47.5% of them."


def test_lines_that_are_not_wrapped_prose_stay_apart() -> None:
    # A finished sentence, a short label, a heading, list items and table rows are lines of their own.
    text = (
        "The model shipped in April to users in the United States.\n"
        "Key facts\n"
        "Muse Spark is closed and runs in the Meta AI app for everyone\n"
        "- a list item that goes on for quite a long way before it\n"
        "- stops at a second item\n"
        "| Model | Score |\n"
        "| Muse Spark | 52 |\n"
        "## What Comes Next For The Muse Family Of Models Anyway\n"
        "More is promised.\n"
    )

    assert split_sentences(text) == [
        "The model shipped in April to users in the United States.",
        "Key facts",
        "Muse Spark is closed and runs in the Meta AI app for everyone",
        "- a list item that goes on for quite a long way before it",
        "- stops at a second item",
        "| Model | Score |",
        "| Muse Spark | 52 |",
        "## What Comes Next For The Muse Family Of Models Anyway",
        "More is promised.",
    ]


def test_a_huge_hard_wrapped_paragraph_is_joined_whole() -> None:
    line = "Nova Labs financed the campus through a joint venture with Harbor Fund and the"
    assert split_sentences("\n".join([line] * 5000)) == [" ".join([line] * 5000)]
