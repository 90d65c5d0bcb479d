"""Grounding rules read on their own, without a corpus: words said together, years and months, bylines."""

from __future__ import annotations

from bot.core._serving import byline_names, byline_tokens, with_bylines
from bot.core.answer.focus import Focus, FocusTerm, find_clippings, written_after
from bot.core.answer.grounding import _said_together, grounds_fact, holds
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


def _focus(*terms: FocusTerm) -> Focus:
    return Focus(terms=terms, models=(), benchmarks=(), model_tokens={})


def test_a_name_beside_a_table_frames_its_facts_but_a_setting_must_be_their_own() -> None:
    fact = set(tokenize("Glint Coding Index"))
    beside = frozenset(tokenize("Artificial Rulers ran its own suite. Glint also has a Contemplating mode."))
    rulers = FocusTerm("rulers", "name", 2.0, (frozenset(tokenize("rulers")),), True)
    mode = FocusTerm("contemplating", "name", 2.0, (frozenset(tokenize("contemplating")),), True, setting=True)
    search = FocusTerm("search", "qualifier", 2.0, (frozenset(tokenize("search")),), True)

    assert grounds_fact(_focus(rulers), fact, beside)
    assert not grounds_fact(_focus(rulers), fact)
    assert not grounds_fact(_focus(mode), fact, beside)  # "glint contemplating": a setting of the model
    assert not grounds_fact(_focus(search), fact, beside | frozenset(tokenize("with search")))


def test_a_variant_is_a_word_written_capitalised_right_after_the_name() -> None:
    texts = ["Kestrel weighs Glint 2.5 Deep against Ember (Max) and the deep end of the market."]

    assert written_after("2.5", "deep", texts) == (True, False)  # "deep end" is no capital
    assert written_after("ember", "max", texts) == (True, False)
    assert written_after("4", "maverick", ["Llama 4 Maverick is big.", "Maverick has 128 experts."]) == (True, True)
    assert written_after("2.5", "deep", ["Glint 2.5 DEEP"]) == (False, False)  # capitals are an acronym
    assert written_after("glint", "2", texts) == (False, False)


def test_the_version_in_a_name_is_no_quantity() -> None:
    assert not holds_kind("Kestrel positions those figures against Glint 2.5 Deep and Ember-1.6 Max.", "number")
    assert holds_kind("Lumen 3 has 12 experts.", "number")
    assert holds_kind("Glint 2.5 (74) trails Ember-1.6 (75).", "number")


def test_how_many_people_use_it_counts_its_users() -> None:
    assert read_counted_thing("how many people use whatsapp every month") == tuple(tokenize("people users"))
    assert read_counted_thing("how many people work at the lab") == tuple(tokenize("people workers"))
    assert read_counted_thing("how many agents use the tool") == tuple(tokenize("agents"))


def test_a_token_counts_measure_and_benchmark_are_each_said_together() -> None:
    measure = _benchmark("Orbit Index output tokens")

    assert _said_together(measure, ("Lumen used 58 million output tokens to run the full Orbit Index suite.", ""))
    assert not _said_together(measure, ("The output of the Orbit team: an index of 58 million tokens.", ""))
    # Whichever word comes first: "Index … Orbit" apart is not the name, however the set of its words is ordered.
    assert not _said_together(_benchmark("Orbit Index"), ("Orbit ran fast, the index said.", ""))


def test_which_is_bigger_a_or_b_is_a_comparison_and_first_two_no_name() -> None:
    from bot.core.answer.grounding import is_comparison

    glint = FocusTerm("Glint", "model", 2.0, (frozenset(tokenize("glint")),), True)
    ember = FocusTerm("Ember 2", "model", 2.0, (frozenset(tokenize("ember 2")),), True)
    focus = Focus(terms=(glint, ember), models=("Glint", "Ember 2"), benchmarks=(), model_tokens={})

    assert is_comparison("which is faster, glint or ember 2", focus)
    assert is_comparison("who scored better on quizbench: glint or ember 2?", focus)
    assert not is_comparison("what did glint or ember 2 score on quizbench", focus)
    # "the first two reactors": an order word picks some of a count; it is no name with a version ("gemini 3").
    from bot.core.answer import read_focus

    first_two = read_focus("how big are the first two reactors", idf=lambda t: 2.0, lexicon=None)
    gemini_3 = read_focus("how big is gemini 3", idf=lambda t: 2.0, lexicon=None)
    assert [t.phrase for t in first_two.terms if t.role == "number"] == [""]
    assert [t.phrase for t in gemini_3.terms if t.role == "number"] == ["gemini 3"]


def test_a_name_is_said_by_the_acronym_of_a_longer_name_it_starts() -> None:
    from bot.core.answer import read_focus
    from bot.core.lexicon import Lexicon

    words = tuple(sorted(set(tokenize("epoch capabilities index eci put the model at 154 evaluation published"))))
    acronyms = {"eci": tuple(tokenize("epoch capabilities index"))}
    lexicon = Lexicon(words=words, tokens=words, proper=frozenset(tokenize("epoch")), acronyms=acronyms)
    focus = read_focus("when did epoch publish its evaluation", idf=lambda t: 3.0, lexicon=lexicon)

    epoch = next(t for t in focus.terms if t.word == "epoch")
    assert epoch.role == "name"
    assert holds(epoch, set(tokenize("In an evaluation published on April 17, the ECI put it at 154.")))


def test_a_date_supposed_in_an_if_clause_is_no_date_that_happened() -> None:
    assert not holds_kind("If Orbit 3 launches in April, it could overshadow the rest.", "date")
    assert holds_kind("Orbit 3 launched in April, two weeks after the rest.", "date")
    assert holds_kind("If you pay $20 a month, you get the Pro tier.", "money")  # a price stated under a condition


def test_a_units_framing_is_read_in_one_lookup_as_its_parts_give_it() -> None:
    from bot.core.answer import select
    from bot.core.names import name_key

    text = "Nadia Forsberg leads the lab. She joined at 24, and it grew fast.\n\nA new paragraph starts here."
    heading, title, earlier = "People", "Lab profile Daily Wire", "The lab was founded in 2019."
    sentence = "She joined at 24, and it grew fast."
    tokens, with_heading, with_passage = select._unit_tokens(sentence, heading, text, title)
    context = select._unit_context(sentence, heading, text, text, title, earlier)
    before = select._preceding_tokens(text, sentence)
    assert before is not None
    assert context == (
        tokens, with_heading, with_passage, with_heading | before | frozenset(tokenize(earlier)),
        select._antecedent_tokens(text, sentence), "Nadia Forsberg leads the lab.",
        select._preceding_key(text, heading, sentence), f"{name_key(sentence)} | {name_key(heading)}",
        frozenset(tokenize(heading)),
    )  # fmt: skip
    assert "nadia" in context[3]  # what comes before the sentence carries the name into it
    assert "2019" in context[3]  # and so does the section's passage before
    assert "paragraph" not in context[3]  # what comes after does not


def test_a_focus_works_out_its_weight_and_its_entities_once_as_its_terms_give_them() -> None:
    import dataclasses

    glint = FocusTerm("Glint", "model", 2.0, (frozenset(tokenize("glint")),), True)
    ember = FocusTerm("Ember 2", "model", 1.5, (frozenset(tokenize("ember 2")),), True)
    score = FocusTerm("score", "word", 0.25, (frozenset(tokenize("score")),), False)
    focus = Focus(terms=(glint, score, ember), models=("Glint", "Ember 2"), benchmarks=(), model_tokens={})
    assert focus.total_weight == 3.75
    assert focus.entity_flags == (True, False, True)
    fewer = dataclasses.replace(focus, terms=(score,))  # worked out again for the new terms
    assert (fewer.total_weight, fewer.entity_flags) == (0.25, (False,))
    assert Focus(terms=(), models=(), benchmarks=(), model_tokens={}).total_weight == 1.0


def test_a_focus_reads_the_token_maps_of_its_own_build_s_catalog() -> None:
    from bot.core.answer import read_focus
    from bot.core.names import NameCatalog

    first = NameCatalog(["Muse Spark", "GPT-5.4"], ["HealthBench Hard"], aliases={})
    again = read_focus("how did muse spark do", idf=lambda t: 2.0, lexicon=None, catalog=first)
    focus = read_focus("how did gpt-5.4 do on healthbench hard", idf=lambda t: 2.0, lexicon=None, catalog=first)
    assert focus.model_tokens is again.model_tokens  # made once for the build, read by every question
    assert set(focus.model_tokens) == {"Muse Spark", "GPT-5.4"}
    assert set(focus.benchmark_tokens) == {"HealthBench Hard"}
    assert [t.word for t in focus.entities] == ["GPT-5.4"]
    rebuilt = NameCatalog(["Muse Spark", "Claude Opus 4.6"], ["SWE-Bench Pro"], aliases={})  # the next build's
    later = read_focus("how did claude opus 4.6 do", idf=lambda t: 2.0, lexicon=None, catalog=rebuilt)
    assert set(later.model_tokens) == {"Muse Spark", "Claude Opus 4.6"}
    assert set(later.benchmark_tokens) == {"SWE-Bench Pro"}
    assert [t.word for t in later.entities] == ["Claude Opus 4.6"]
    assert read_focus("muse spark", idf=lambda t: 2.0, lexicon=None, catalog=first).model_tokens == again.model_tokens
