"""Name normalisation, learned and written aliases, mentions in free text: on small inline catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.facts import FactTable
from bot.core.models import BenchmarkFact
from bot.core.names import (
    NameCatalog,
    canonicalize_names,
    default_alias_path,
    learned_aliases,
    load_alias_file,
    load_corpus_aliases,
    name_key,
)

MODELS = ["Muse Spark", "GPT-5.4", "GPT-5.4 Pro", "Claude Opus 4.6", "Claude Sonnet 4.6", "Gemini 3.1 Pro",
          "Gemini 3.1 Pro Preview"]  # fmt: skip
BENCHMARKS = [
    "HealthBench Hard",
    "Terminal-Bench 2.0",
    "Artificial Analysis Intelligence Index v4.0",
    "Intelligence Index output tokens",
    "ARC-AGI-2",
    "MMMU-Pro",
    "GDPval-AA",
    "Humanity's Last Exam",
]


@pytest.fixture
def catalog() -> NameCatalog:
    return NameCatalog(MODELS, BENCHMARKS, aliases={})


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["GPT-5.4", "gpt5.4", "GPT 5.4", "gpt_5.4", " GPT‑5.4 "], "gpt 5.4"),
        (["HealthBench Hard", "healthbench-hard", "HEALTHBENCH_HARD"], "healthbench hard"),
        (["Terminal-Bench 2.0", "terminal bench 2", "Terminal Bench v2.0"[:-5] + " 2.0"], "terminal bench 2"),
        (["τ²-bench", "tau2-bench", "TAU 2 bench", "tau2 bench", "τ2 bench", "τ₂-bench", "Τ²-Bench"], "tau 2 bench"),
        (["π-Bench", "pi bench", "Π bench", "PI-BENCH"], "pi bench"),
        (["µ-Eval", "μ-eval", "mu eval"], "mu eval"),  # the micro sign (U+00B5) is NFKC's Greek mu
        (["αβ-test", "alpha beta test", "ΑΒ test"], "alpha beta test"),
        (["Humanity's Last Exam", "Humanity’s Last Exam", "humanitys last exam"], "humanitys last exam"),
        (["meta.ai", "Meta AI"], "meta ai"),
    ],
)
def test_spellings_share_one_key(spellings: list[str], key: str) -> None:
    assert {name_key(s) for s in spellings} == {key}


@pytest.mark.parametrize(
    ("typed", "model"),
    [
        ("gpt5.4", "GPT-5.4"),
        ("GPT 5.4", "GPT-5.4"),
        ("gpt-5.4 pro", "GPT-5.4 Pro"),
        ("Opus 4.6", "Claude Opus 4.6"),  # family name dropped
        ("sonnet 4.6", "Claude Sonnet 4.6"),
        ("Claude 4.6 Opus", "Claude Opus 4.6"),  # the older word order
        ("Anthropic Claude Opus 4.6", "Claude Opus 4.6"),  # vendor added
        ("meta muse spark", "Muse Spark"),
        ("gemini 3.1 pro", "Gemini 3.1 Pro"),  # a variant is its own name, not "… Preview"
        ("Gemini 3.1 Pro Preview", "Gemini 3.1 Pro Preview"),
    ],
)
def test_models_resolve_from_what_people_type(catalog: NameCatalog, typed: str, model: str) -> None:
    assert catalog.resolve_model(typed) == model


@pytest.mark.parametrize(
    ("typed", "benchmark"),
    [
        ("hb hard", "HealthBench Hard"),  # CamelCase acronym + the rest
        ("hbh", "HealthBench Hard"),
        ("HealthBench-Hard", "HealthBench Hard"),
        ("health bench hard", "HealthBench Hard"),  # compact key
        ("terminal bench", "Terminal-Bench 2.0"),  # version dropped
        ("Terminal-Bench 2", "Terminal-Bench 2.0"),
        ("intelligence index", "Artificial Analysis Intelligence Index v4.0"),  # last words of a long name
        ("AA Intelligence Index", "Artificial Analysis Intelligence Index v4.0"),
        ("aaii", "Artificial Analysis Intelligence Index v4.0"),
        ("Artificial Analysis Intelligence Index", "Artificial Analysis Intelligence Index v4.0"),
        ("arc agi", "ARC-AGI-2"),
        ("gdpval", "GDPval-AA"),
        ("mmmu pro", "MMMU-Pro"),
        ("HLE", "Humanity's Last Exam"),
    ],
)
def test_benchmarks_resolve_from_what_people_type(catalog: NameCatalog, typed: str, benchmark: str) -> None:
    assert catalog.resolve_benchmark(typed) == benchmark


def test_unknown_names_resolve_to_none(catalog: NameCatalog) -> None:
    assert catalog.resolve_model("llama 4 maverick") is None
    assert catalog.resolve_benchmark("swe-bench verified") is None
    assert catalog.resolve_benchmark("") is None
    assert catalog.resolve_model("HealthBench Hard") is None  # kinds do not mix


def test_an_alias_shared_by_two_names_resolves_to_neither() -> None:
    catalog = NameCatalog(["Claude Opus 4.6"], ["Terminal-Bench 2.0", "Terminal-Bench 1.0"], aliases={})

    assert catalog.resolve_benchmark("terminal bench") is None
    assert set(catalog.suggest("terminal bench", "benchmark")) == {"Terminal-Bench 2.0", "Terminal-Bench 1.0"}


def test_family_groups_variants_but_keeps_them_distinct(catalog: NameCatalog) -> None:
    assert catalog.family("Gemini 3.1 Pro") == ("Gemini 3.1 Pro", "Gemini 3.1 Pro Preview")
    assert catalog.family("gpt5.4") == ("GPT-5.4", "GPT-5.4 Pro")
    assert catalog.family("GPT-5.4 Pro") == ("GPT-5.4 Pro",)
    assert catalog.family("claude") == ("Claude Opus 4.6", "Claude Sonnet 4.6")  # a prefix that is no model
    assert catalog.family("llama") == ()


def test_first_words_of_one_benchmark_resolve_to_it() -> None:
    catalog = NameCatalog(["Muse Spark", "GPT-5.4 Pro"], ["τ²-bench Telecom", "HealthBench Hard"], aliases={})

    for typed in ("τ²-bench", "tau2 bench", "tau2-bench", "τ2 bench", "TAU 2 BENCH", "τ²-bench Telecom"):
        assert catalog.resolve_benchmark(typed) == "τ²-bench Telecom"
    assert catalog.resolve_benchmark("health bench") == "HealthBench Hard"  # first words with or without spaces
    assert catalog.resolve_benchmark("health") is None  # not a whole word of the name
    assert catalog.resolve_benchmark("tau telecom") is None  # words of the name, but not its first ones
    assert catalog.resolve_model("gpt 5.4") is None  # a model that starts a longer one is another model
    assert catalog.family("gpt 5.4") == ("GPT-5.4 Pro",)
    assert catalog.family("tau2 bench", "benchmark") == ("τ²-bench Telecom",)


def test_first_words_of_several_benchmarks_are_a_family() -> None:
    benchmarks = ["τ²-bench Telecom", "τ²-bench Retail", "τ²-bench Airline Extended", "HealthBench Hard"]
    catalog = NameCatalog(["Muse Spark"], benchmarks, aliases={})

    assert catalog.resolve_benchmark("tau2 bench") is None
    assert catalog.family("tau2 bench", "benchmark") == ("τ²-bench Retail", "τ²-bench Telecom",
                                                         "τ²-bench Airline Extended")  # fmt: skip
    assert catalog.family("τ² bench airline", "benchmark") == ("τ²-bench Airline Extended",)
    assert catalog.family("swe bench", "benchmark") == ()
    assert "τ²-bench Telecom" in catalog.suggest("tau3 bench telecom", "benchmark")  # unknown: still suggested
    assert catalog.find_mentions("muse spark on tau2 bench?") == ([], ["Muse Spark"])  # which one is unclear


def test_first_words_name_a_benchmark_in_free_text_only_when_they_are_most_of_it(catalog: NameCatalog) -> None:
    catalog = NameCatalog(MODELS, [*BENCHMARKS, "τ²-bench Telecom"], aliases={})

    assert catalog.find_mentions("muse spark on tau2 bench?") == (["τ²-bench Telecom"], ["Muse Spark"])
    assert catalog.find_mentions("what does artificial analysis say about muse spark") == ([], ["Muse Spark"])
    assert catalog.find_mentions("run it in the terminal") == ([], [])


def _fact(benchmark: str, model: str, value: float, unit: str = "%", article: str = "a") -> BenchmarkFact:
    text = f"{value:g}{unit}"
    return BenchmarkFact(benchmark, model, text, value, unit, article, f"{article}#0", f"{model} {text}")


def test_lookups_take_the_first_words_of_benchmarks() -> None:
    facts = [
        _fact("τ²-bench Telecom", "Muse Spark", 91.2),
        _fact("τ²-bench Telecom", "GPT-5.4", 98.9),
        _fact("τ²-bench Retail", "Muse Spark", 80.1),
        _fact("HealthBench Hard", "Muse Spark", 42.8, ""),
    ]
    table = FactTable(facts)

    telecom = table.benchmark_table("tau2 bench telecom")
    assert (telecom.benchmark, [r.label for r in telecom.rows]) == ("τ²-bench Telecom", ["GPT-5.4", "Muse Spark"])
    family = table.benchmark_table("τ2 bench")
    assert family.benchmark == "τ2 bench"
    assert [r.label for r in family.rows] == ["Muse Spark — τ²-bench Retail", "GPT-5.4 — τ²-bench Telecom",
                                              "Muse Spark — τ²-bench Telecom"]  # fmt: skip
    assert [f.value_text for f in table.facts_for("tau2 bench", ["Muse Spark"])[0]] == ["80.1%", "91.2%"]
    assert table.benchmark_table("health bench").benchmark == "HealthBench Hard"
    assert table.benchmark_table("healthbench hrd").benchmark == "HealthBench Hard"  # one typing error
    with pytest.raises(LookupError, match="Did you mean: τ²-bench Telecom"):
        table.benchmark_table("tau3 bench telecom")  # a changed digit is another benchmark


def test_facts_for_named_models_are_only_theirs() -> None:
    facts = [
        _fact("HealthBench Hard", "Muse Spark", 42.8, ""),
        _fact("HealthBench Hard", "GPT-5.4", 40.1, ""),
        _fact("HealthBench Hard", "Gemini 3.1 Pro Preview", 20.6, ""),
        _fact("GPQA Diamond", "Claude Opus 4.6", 91.3),
    ]
    table = FactTable(facts)

    assert table.facts_for("HealthBench Hard", ["Claude Opus 4.6"]) == ((), ())  # no score given: none shown
    mine, _conflicts = table.facts_for("HealthBench Hard", ["GPT-5.4", "Claude Opus 4.6"])
    assert [f.model for f in mine] == ["GPT-5.4"]
    family, _conflicts = table.facts_for("hb hard", ["Gemini 3.1 Pro Preview"])
    assert [f.model for f in family] == ["Gemini 3.1 Pro Preview"]
    everyone, _conflicts = table.facts_for("HealthBench Hard")
    assert [f.model for f in everyone] == ["Muse Spark", "GPT-5.4", "Gemini 3.1 Pro Preview"]  # best first


def test_suggest_offers_close_names_best_first(catalog: NameCatalog) -> None:
    assert catalog.suggest("healthbenh hrd", "benchmark")[0] == "HealthBench Hard"
    assert catalog.suggest("gemini", "model")[:2] == ["Gemini 3.1 Pro", "Gemini 3.1 Pro Preview"]
    assert catalog.suggest("clade opus", "model")[0] == "Claude Opus 4.6"
    assert catalog.suggest("weather in paris", "benchmark") == []
    assert len(catalog.suggest("g", "model", limit=2)) <= 2


@pytest.mark.parametrize(
    ("question", "benchmarks", "models"),
    [
        ("healthbench hard score for muse spark vs gpt 5.4", ["HealthBench Hard"], ["Muse Spark", "GPT-5.4"]),
        ("hb hard scores?", ["HealthBench Hard"], []),
        ("terminal bench numbers pls", ["Terminal-Bench 2.0"], []),
        ("gpt 5.4 pro vs gpt5.4 on arc-agi-2", ["ARC-AGI-2"], ["GPT-5.4 Pro", "GPT-5.4"]),  # longest match first
        ("How did Gemini 3.1 Pro do on HealthBench Hard?", ["HealthBench Hard"], ["Gemini 3.1 Pro"]),
        ("what does opus 4.6 get on the intelligence index", ["Artificial Analysis Intelligence Index v4.0"],
         ["Claude Opus 4.6"]),
        # every word of the longer measure is in the question: the token count, not the index
        ("how many output tokens did muse spark use for the intelligence index run",
         ["Intelligence Index output tokens"], ["Muse Spark"]),
        ("what's the weather in paris tomorrow", [], []),
        ("is it open source? pro tip: index funds", [], []),  # lone common words are not names
    ],
)  # fmt: skip
def test_find_mentions_in_free_text(
    catalog: NameCatalog, question: str, benchmarks: list[str], models: list[str]
) -> None:
    assert catalog.find_mentions(question) == (benchmarks, models)


def test_rewrite_query_appends_canonical_names(catalog: NameCatalog) -> None:
    assert catalog.rewrite_query("gpt5.4 hb hard") == "gpt5.4 hb hard HealthBench Hard"  # gpt5.4 = GPT-5.4 already
    assert catalog.rewrite_query("opus 4.6 on hb hard") == "opus 4.6 on hb hard HealthBench Hard Claude Opus 4.6"
    assert catalog.rewrite_query("muse spark on arc agi 2") == "muse spark on arc agi 2"  # no word said twice
    assert catalog.rewrite_query("who leads meta superintelligence labs") == "who leads meta superintelligence labs"
    assert catalog.rewrite_query("GPT-5.4 on MMMU-Pro") == "GPT-5.4 on MMMU-Pro"  # already spelled canonically


def test_a_token_count_is_looked_up_by_its_measure_words_but_no_question_names_it() -> None:
    catalog = NameCatalog(["Muse Spark"], ["Intelligence Index output tokens", "GPQA Diamond"], aliases={})

    assert catalog.resolve("output tokens", "benchmark") == "Intelligence Index output tokens"
    assert catalog.find_mentions("max output tokens per reply for muse spark") == ([], ["Muse Spark"])
    assert catalog.find_mentions("muse spark intelligence index output tokens")[0] == [
        "Intelligence Index output tokens"
    ]


def test_learned_aliases_strong_and_weak() -> None:
    strong, weak = learned_aliases("Artificial Analysis Intelligence Index v4.0", "benchmark")
    assert "artificial analysis intelligence index" in strong  # an explicit version: safe to merge
    assert {"intelligence index", "aaii", "aa intelligence index"} <= weak

    strong, weak = learned_aliases("ARC-AGI-2", "benchmark")
    assert "arc agi" in weak
    assert "arc agi" not in strong  # "-2" may name another benchmark than ARC-AGI

    strong, _weak = learned_aliases("Claude Opus 4.6", "model")
    assert {"opus 4.6", "anthropic claude opus 4.6"} <= strong
    assert learned_aliases("GPT-5.4", "model")[0] == {"openai gpt 5.4"}  # never "5.4" alone


def test_canonicalize_names_merges_spellings_and_strong_aliases() -> None:
    mapping = canonicalize_names(
        ["Claude Opus 4.6", "Opus 4.6", "GPT-5.4", "gpt 5.4", "GPT-5.4", "Gemini 3.1 Pro", "Gemini 3.1 Pro Preview"],
        "model",
        aliases={},
    )
    assert mapping["Opus 4.6"] == "Claude Opus 4.6"
    assert mapping["gpt 5.4"] == "GPT-5.4"  # the most frequent spelling is shown
    assert mapping["Gemini 3.1 Pro"] == "Gemini 3.1 Pro"  # a variant is not merged into another

    mapping = canonicalize_names(
        ["Artificial Analysis Intelligence Index", "Artificial Analysis Intelligence Index v4.0", "ARC-AGI",
         "ARC-AGI-2", "Terminal-Bench", "Terminal-Bench 2.0"],
        "benchmark",
        aliases={},
    )  # fmt: skip
    assert mapping["Artificial Analysis Intelligence Index"] == "Artificial Analysis Intelligence Index v4.0"
    assert mapping["Terminal-Bench"] == "Terminal-Bench 2.0"
    assert mapping["ARC-AGI"] == "ARC-AGI"  # ARC-AGI-1 and ARC-AGI-2 are different benchmarks


def test_maintainer_aliases_name_and_rename(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("models:\n  Muse Spark: [Avocado, MS]\nbenchmarks:\n  HealthBench Hard: HBH-X\n", encoding="utf-8")
    aliases = load_alias_file(path)
    assert aliases == {"models": {"Muse Spark": ["Avocado", "MS"]}, "benchmarks": {"HealthBench Hard": ["HBH-X"]}}

    catalog = NameCatalog(["Muse Spark"], ["HealthBench Hard"], aliases={}, extra_aliases=aliases)
    assert catalog.resolve_model("avocado") == "Muse Spark"
    assert catalog.resolve_benchmark("hbh x") == "HealthBench Hard"
    assert catalog.find_mentions("how did avocado do") == ([], ["Muse Spark"])
    # an article that writes the alias gets the maintainers' name
    assert canonicalize_names(["Avocado"], "model", aliases=aliases) == {"Avocado": "Muse Spark"}


def test_alias_of_a_name_that_is_not_in_the_facts_is_ignored() -> None:
    catalog = NameCatalog(["Muse Spark"], [], aliases={"models": {"GPT-5.5": ["Spud"]}, "benchmarks": {}})

    assert catalog.resolve_model("spud") is None


def test_shipped_alias_file_is_small_and_valid() -> None:
    aliases = load_alias_file(default_alias_path())

    assert set(aliases) == {"models", "benchmarks"}
    assert sum(len(v) for section in aliases.values() for v in section.values()) < 20
    assert NameCatalog(["Muse Spark"], []).resolve_model("Avocado") == "Muse Spark"  # default file is used


def test_corpus_alias_file_is_optional_and_checked(tmp_path: Path) -> None:
    assert load_corpus_aliases(tmp_path) is None
    (tmp_path / "aliases.yaml").write_text("models: [not, a, mapping]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"aliases\.yaml"):
        load_corpus_aliases(tmp_path)
    (tmp_path / "aliases.yaml").write_text("models: {a: [b}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_corpus_aliases(tmp_path)


def test_kind_is_checked(catalog: NameCatalog) -> None:
    with pytest.raises(ValueError, match="kind"):
        catalog.resolve("gpt", "person")


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("smplveqa", "SimpleVQA"),  # two errors in a name of nine letters
        ("intelligenc inde outpu token", "Intelligence Index output tokens"),  # every word clipped
        ("health hard", "HealthBench Hard"),
        ("terminal bench 3", None),  # a digit is never forgiven
        ("intel tokens", None),  # clipped words must be the whole name's, word for word
    ],
)
def test_forgiving_lookups_take_two_errors_in_long_names_and_clipped_words(typed: str, name: str | None) -> None:
    catalog = NameCatalog(
        ["Muse Spark"],
        ["SimpleVQA", "Intelligence Index output tokens", "HealthBench Hard", "Terminal-Bench 2.0", "GDPval-AA",
         "Artificial Analysis Intelligence Index v4.0"],
        aliases={},
    )  # fmt: skip

    assert catalog.resolve_forgiving(typed, "benchmark") == name
