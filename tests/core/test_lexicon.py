"""The corpus's own words: acronyms, names, names written with a version, typo corrections."""

from __future__ import annotations

from bot.core.index._lexicon import learn_part, state_of
from bot.core.lexicon import Lexicon, count_words, decide_names, learn_acronyms
from bot.core.models import Article, Chunk
from bot.core.text import tokenize


def test_acronyms_defined_in_parentheses_either_way_round() -> None:
    found = learn_acronyms(
        [
            "Its first model built on a Mixture of Experts (MoE) design.",
            "Trained with reinforcement learning from human feedback (RLHF).",
            "An API (Application Programming Interface) for partners.",
        ]
    )
    assert found["moe"] == ("mixtur", "expert")
    assert found["rlhf"] == ("reinforcement", "learn", "human", "feedback")
    assert found["api"] == ("application", "programm", "interfac")


def test_a_hyphenated_word_spells_an_initial_per_part() -> None:
    found = learn_acronyms(["Scout and Maverick were its first mixture-of-experts (MoE) models."])
    assert found["moe"] == ("mixtur", "expert")


def test_an_acronym_used_beside_its_words_is_learnt_without_a_definition() -> None:
    found = learn_acronyms(["Meta Superintelligence Labs built it. MSL has 3,000 people on Humanity's Last Exam work."])
    assert found["msl"] == ("meta", "superintelligens", "lab")
    assert "hle" not in found  # "HLE" is never written, so nothing is learnt for it


def test_two_capitals_are_too_easily_a_coincidence() -> None:
    assert "ms" not in learn_acronyms(["Muse Spark is here. Ask MS about it."])


def test_names_are_what_the_articles_capitalise_mid_sentence() -> None:
    _surfaces, capital, lower, versioned, start = count_words(
        ["The model Llama 4 Maverick runs on Prometheus, and Instant mode is fast; instant answers too, Instant."]
    )
    proper, models, _capitalised = decide_names(capital, lower, versioned, start)
    assert {"prometheus", "maverick", "llama"} <= proper
    assert "model" not in proper
    assert {"llama", "maverick"} <= models  # written next to a version number
    assert "prometheus" not in models


def test_a_word_never_written_small_is_a_name_even_where_sentences_start() -> None:
    _surfaces, capital, lower, versioned, start = count_words(
        ["Hyperion is the giant. | Hyperion | 5 GW |", "However, it is late. The model is big. However it runs."]
    )
    proper, _models, _capitalised = decide_names(capital, lower, versioned, start)
    assert "hyperion" in proper  # twice at a start, never in lower case
    assert "model" not in proper  # "The model": "the" opens the sentence, "model" is written small
    _surfaces, capital, lower, versioned, start = count_words(["Scale grew fast. Scale matters. At scale, it works."])
    assert "scale" not in decide_names(capital, lower, versioned, start)[0]  # written small once: an ordinary word


def test_corrections_forgive_typing_errors_but_never_a_digit() -> None:
    tokens = tuple(
        sorted({t for w in ["healthbench", "terminal", "bench", "gemini", "opus", "3.1"] for t in tokenize(w)})
    )
    lexicon = Lexicon(words=tokens, tokens=tokens, proper=frozenset(), acronyms={})
    assert lexicon.corrections("healthbnch") == ("healthbench",)
    assert lexicon.corrections("gpus") == ()  # short words keep their first letter: not "opus"
    assert lexicon.corrections("3.2") == ()
    assert lexicon.splits("terminalbench") == ("terminal", "bench")


def test_a_four_letter_word_is_forgiven_two_letters_swapped_and_nothing_else() -> None:
    tokens = tuple(sorted(set(tokenize("acres campus from opus form"))))
    lexicon = Lexicon(words=tokens, tokens=tokens, proper=frozenset(), acronyms={})

    assert lexicon.corrections(tokenize("acers")[0]) == tuple(tokenize("acres"))
    assert lexicon.corrections("ofrm") == ()  # never the first letter
    assert lexicon.corrections("acra") == ()  # one letter changed is another word too easily
    assert lexicon.corrections("opsu") == ("opus",)


def test_an_acronym_is_learnt_across_articles() -> None:
    from bot.core.index._lexicon import lexicon_of, state_of

    words = Article("words", "Exam", "A", "Scores on Humanity's Last Exam rose this year.")
    capitals = Article("capitals", "Scores", "B", "On HLE the model leads.")
    parts = [(a.id, learn_part(a, [Chunk(f"{a.id}#0", a.id, 0, "", a.body, a.body)])) for a in (words, capitals)]

    lexicon, _missing = lexicon_of(state_of(parts), lambda _word: None, None)
    assert lexicon.acronyms["hle"] == tuple(tokenize("Humanity's Last Exam"))
    lexicon, _missing = lexicon_of(state_of(parts[:1]), lambda _word: None, None)
    assert "hle" not in lexicon.acronyms  # the words alone teach nothing

    state = state_of(parts)
    state.apply("capitals", parts[1][1], -1)  # the article writing "HLE" is removed
    assert "hle" not in lexicon_of(state, lambda _word: None, None)[0].acronyms


def test_neighbours_kept_from_an_earlier_question_are_what_a_fresh_scan_finds(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from bot.core import lexicon as lexicon_module

    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    words = tuple(f"word{n}" for n in range(300))

    def make() -> Lexicon:
        return Lexicon(words=words, tokens=words, proper=frozenset(), acronyms={}, vectors=vectors)

    monkeypatch.setattr(lexicon_module, "LEXICON_MEMO_LIMIT", 5)  # so the memo fills and empties below
    kept = make()
    asks = [(vectors[row] * 0.9 + vectors[row + 1] * 0.1, threshold, limit)
            for row in (3, 40, 41) for threshold, limit in ((0.3, 8), (0.5, 1), (0.3, 2))]  # fmt: skip
    for _round in range(3):
        for vector, threshold, limit in asks:
            expected = make().neighbours(vector, threshold, limit)
            assert kept.neighbours(vector, threshold, limit) == expected
            assert expected  # a near word is always found: the test reads real answers
    assert len(kept._neighbour_memo) <= 5


def test_corrections_kept_from_an_earlier_question_are_what_a_fresh_lexicon_finds(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.core import lexicon as lexicon_module

    words = ("healthbench", "terminal", "benchmark", "contemplating", "superintelligence", "gemini", "germany")
    tokens = tuple(t for w in words for t in tokenize(w))

    def make() -> Lexicon:
        return Lexicon(words=tokens, tokens=tokens, proper=frozenset(), acronyms={})

    monkeypatch.setattr(lexicon_module, "LEXICON_MEMO_LIMIT", 3)  # so the memo fills and empties below
    kept = make()
    # one error away (by deletions), two away (the scan of words with the same first letter), none
    typed = ("healthbnch", "helthbnch", "superintelligense", "termnial", "germnay", "xylophone", "benchmrak")
    for _round in range(3):
        for token in typed:
            assert kept.corrections(token) == make().corrections(token)
    assert kept.corrections("helthbnch") == ("healthbench",)  # two errors: found by the scan
    assert kept.corrections("xylophone") == ()
    assert len(kept._corrections_memo) <= 3


def test_initials_of_a_name_no_article_abbreviates_are_kept_apart_from_acronyms() -> None:
    from bot.core.index._lexicon import lexicon_of, state_of

    article = Article("msl", "Labs", "A", "Staff at Meta Superintelligence Labs shipped the model.")
    parts = [(article.id, learn_part(article, [Chunk("msl#0", "msl", 0, "", article.body, article.body)]))]

    lexicon, _missing = lexicon_of(state_of(parts), lambda _word: None, None)
    assert "msl" not in lexicon.acronyms  # no article writes "MSL": it is no acronym of the corpus
    assert lexicon.initials["msl"] == tuple(tokenize("Meta Superintelligence Labs"))


def test_an_articles_outlet_and_author_are_words_of_the_lexicon() -> None:
    article = Article("note", "A note", "Quayside Weekly", "The campus opens in 2027.", author="Ines Barros")
    part = learn_part(article, [Chunk("note#0", "note", 0, "", article.body, article.body)])

    assert set(tokenize("Quayside Weekly Ines Barros")) <= set(part["surfaces"])
    assert "quaysid" in part["capital"]  # written as a name


def test_one_word_abbreviated_by_its_letters_is_learnt() -> None:
    found = learn_acronyms(["Kestrel will bring two gigawatts (GW) online.", "It draws 900 megawatts (MW)."])

    assert found["gw"] == tuple(tokenize("gigawatts"))
    assert found["mw"] == tuple(tokenize("megawatts"))
    assert "gi" not in learn_acronyms(["The gigantic (GI) campus."])  # its first letters are no abbreviation
    tokens = tuple(sorted(set(tokenize("gigawatts gw campus"))))
    lexicon = Lexicon(words=tokens, tokens=tokens, proper=frozenset(), acronyms=found)
    assert lexicon.abbreviation_of(tokenize("gigawatts")[0]) == "gw"
    assert lexicon.abbreviation_of("campus") is None


def test_a_unit_beside_its_number_is_no_name_with_a_version() -> None:
    from bot.core.index._lexicon import lexicon_of

    body = (
        "Limits are counted in requests per minute (RPM). Our client hit the 60 RPM wall. Standard tier, RPM: 60. "
        "Llama 4 Maverick is bigger than Llama 4 Scout."
    )
    article = Article("limits", "Limits", "A", body)
    part = learn_part(article, [Chunk("limits#0", "limits", 0, "", body, body)])

    lexicon, _missing = lexicon_of(state_of([("limits", part)]), lambda _word: None, None)
    assert "rpm" in lexicon.acronyms
    assert "rpm" not in lexicon.versioned  # an acronym of ordinary words is a unit
    assert tokenize("Maverick")[0] in lexicon.versioned
