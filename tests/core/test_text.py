"""Shared text helpers: search tokens, numbers, sentences and answer units."""

from __future__ import annotations

from bot.core.text import numbers_in, split_answer_units, tokenize


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
