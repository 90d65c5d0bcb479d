"""Grounding rules read on their own, without a corpus: words said together, years and months, bylines."""

from __future__ import annotations

from bot.core._serving import byline_names, byline_tokens, with_bylines
from bot.core.answer.focus import FocusTerm, find_clippings
from bot.core.answer.grounding import _said_together, holds
from bot.core.answer.shape import holds_kind, read_counted_thing
from bot.core.models import SourceRef
from bot.core.text import tokenize


def _benchmark(name: str) -> FocusTerm:
    return FocusTerm(name, "benchmark", 3.0, (frozenset(tokenize(name)),), True)


def test_a_benchmarks_words_must_be_said_together() -> None:
    term = _benchmark("SWE-Bench Pro")

    assert _said_together(term, ("Claude Opus 4.6 reaches 55.4 on SWE-Bench Pro.", ""))
    assert not _said_together(term, ("On SWE-Bench Verified, Gemini 3.1 Pro fixes 80.6% of issues.", ""))
    assert _said_together(term, ("Claude Opus 4.6: 55.4", "SWE-Bench Pro results"))  # the heading says it


def test_which_year_is_grounded_by_a_year_and_which_month_by_a_month() -> None:
    year = FocusTerm("year", "qualifier", 1.0, (frozenset({"year"}),), True)
    month = FocusTerm("month", "qualifier", 1.0, (frozenset({"month"}),), True)

    assert holds(year, set(tokenize("It could deliver power as early as 2032.")))
    assert not holds(year, set(tokenize("It could deliver 690 MW of power.")))
    assert holds(month, set(tokenize("The plant opens in December.")))
    assert not holds(month, set(tokenize("The plant opens soon.")))


def test_how_many_times_counts_the_verb_not_times() -> None:
    assert read_counted_thing("how many times has the app been downloaded") == ()
    assert read_counted_thing("how many output tokens did it use") == tuple(tokenize("output tokens"))


def test_an_age_written_between_commas_is_an_age() -> None:
    assert holds_kind("We spoke with Dr. Lena Okafor, 41, an associate professor.", "age")
    assert not holds_kind("Dr. Lena Okafor has taught for 11 years.", "age")


def test_a_byline_word_the_text_never_uses_names_its_article() -> None:
    sources = {
        "a": SourceRef("a", "Hands on", "PocketLab Reviews", author="Jonah Pierce"),
        "b": SourceRef("b", "A note", "Unknown outlet"),
    }
    per_article = {"a": 2, "b": 2}  # passages of each article, every one saying "The reviews were mixed."
    doc_freq = {"review": 4, "mix": 4}

    named = byline_names(doc_freq, sources, per_article)
    assert named[tokenize("PocketLab")[0]] == ("a",)
    assert tokenize("reviews")[0] not in named  # every passage says it: it names no one article
    assert "unknown" not in named  # a missing outlet is no name
    assert "outlet" not in named

    counts = with_bylines(doc_freq, sources, per_article)
    assert counts[tokenize("PocketLab")[0]] == 2  # a word of each of its article's passages


def test_a_bylines_tokens_are_read_once_per_outlet_and_author() -> None:
    source = SourceRef("a", "Hands on", "PocketLab Reviews", author="Jonah Pierce")
    same_byline = SourceRef("b", "Another", "PocketLab Reviews", author="Jonah Pierce")

    assert byline_tokens(source) == tuple(dict.fromkeys(tokenize(source.byline)))
    assert byline_tokens(same_byline) is byline_tokens(source)
    assert byline_tokens(SourceRef("c", "A note", "Unknown outlet")) == ()


def test_a_plural_clipping_reads_as_its_singular() -> None:
    texts = ["A design with 400 billion parameters in all."]

    assert find_clippings("params", texts) == (frozenset({"parameter"}),)
    assert find_clippings("param", texts) == (frozenset({"parameter"}),)
