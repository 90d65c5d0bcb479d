"""Benchmark facts from the shipped corpus (the seed table, exactly), from unseen articles, and the lookups on them."""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.core.chunking import approximate_token_counter, split_into_chunks
from bot.core.corpus import load_corpus
from bot.core.embedding import HashingEmbedder
from bot.core.errors import MusebotError
from bot.core.facts import FactExtractor, FactTable, UnknownNameError, diff_facts, extract_facts
from bot.core.index_store import build_index, load_facts_only, read_current_build_id
from bot.core.models import Article, BenchmarkFact, Chunk, SourceRef

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SEED = "ai-rising-trends-muse-spark"
OVERVIEW = "muse-spark-launch-overview"


def _facts_of(corpus_dir: Path) -> tuple[tuple[Article, ...], tuple[Chunk, ...], tuple[BenchmarkFact, ...]]:
    loaded = load_corpus(corpus_dir)
    assert not loaded.errors
    chunks = tuple(c for a in loaded.articles for c in split_into_chunks(a, approximate_token_counter))
    return loaded.articles, chunks, extract_facts(loaded.articles, chunks)


@pytest.fixture(scope="module")
def corpus() -> tuple[tuple[Article, ...], tuple[Chunk, ...], tuple[BenchmarkFact, ...]]:
    return _facts_of(ROOT / "corpus")


@pytest.fixture(scope="module")
def table(corpus: tuple) -> FactTable:
    articles, _chunks, facts = corpus
    return FactTable(facts, {a.id: SourceRef(a.id, a.title, a.outlet) for a in articles})


def _number(score: str) -> tuple[float, str]:
    """'58M' -> (58e6, 'tokens'), '80.5%' -> (80.5, '%'), '1444' -> (1444.0, '')."""
    if score.endswith("M"):
        return float(score[:-1]) * 1e6, "tokens"
    if score.endswith("%"):
        return float(score[:-1]), "%"
    return float(score.replace(",", "")), ""


# ---------------------------------------------------------------------------------------------- the shipped corpus


def test_shipped_corpus_gives_exactly_the_seed_table(corpus: tuple) -> None:
    _articles, _chunks, facts = corpus
    with (DATA / "seed_benchmarks.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = Counter((r["benchmark"], r["model"], r["source"], _number(r["score"])[0]) for r in rows)
    got = Counter((f.benchmark, f.model, f.article_id, f.value) for f in facts)

    assert got == expected  # no more, no fewer
    units = {(r["benchmark"], r["model"], r["source"]): _number(r["score"])[1] for r in rows}
    for fact in facts:
        if units[(fact.benchmark, fact.model, fact.article_id)]:
            assert fact.unit == units[(fact.benchmark, fact.model, fact.article_id)], fact


def test_every_fact_quotes_its_chunk_and_value_as_written(corpus: tuple) -> None:
    _articles, chunks, facts = corpus
    by_id = {c.id: c for c in chunks}
    for fact in facts:
        chunk = by_id[fact.chunk_id]
        assert chunk.article_id == fact.article_id
        assert fact.value_text in fact.quote
        assert all(line in chunk.text for line in fact.quote.split("\n")), fact


def test_values_are_kept_as_written_with_units(corpus: tuple) -> None:
    _articles, _chunks, facts = corpus
    shown = {(f.benchmark, f.model, f.article_id): (f.value_text, f.unit) for f in facts}

    assert shown[("GDPval-AA", "Muse Spark", SEED)] == ("1,444", "Elo")
    assert shown[("GDPval-AA", "Muse Spark", OVERVIEW)] == ("1,427", "Elo")  # "points" on an Elo benchmark
    assert shown[("MMMU-Pro", "Gemini 3.1 Pro Preview", SEED)] == ("82.4%", "%")
    assert shown[("Intelligence Index output tokens", "Muse Spark", SEED)] == ("58 million", "tokens")
    assert shown[("Intelligence Index output tokens", "Claude Opus 4.6", SEED)] == ("157M", "tokens")
    assert shown[("Terminal-Bench 2.0", "Muse Spark", SEED)] == ("59.0", "")


def test_context_from_the_previous_sentence_is_quoted(corpus: tuple) -> None:
    _articles, _chunks, facts = corpus
    sonnet = next(f for f in facts if f.model == "Claude Sonnet 4.6")

    assert sonnet.quote.startswith("For instance, on the GDPval-AA work task benchmark")
    assert sonnet.quote.endswith("GPT-5.4’s 1,676 points.")


def test_the_two_articles_disagree_on_gdpval(table: FactTable) -> None:
    conflicts = {(c.benchmark, c.model): sorted(f.value_text for f in c.facts) for c in table.conflicts()}

    assert conflicts == {
        ("GDPval-AA", "Muse Spark"): ["1,427", "1,444"],
        ("GDPval-AA", "GPT-5.4"): ["1,674", "1,676"],
    }


def test_benchmark_table_best_first_with_conflicts(table: FactTable) -> None:
    gdpval = table.benchmark_table("gdpval-aa")

    assert gdpval.benchmark == "GDPval-AA"
    assert [(r.label, [f.value_text for f in r.facts], r.is_conflict) for r in gdpval.rows] == [
        ("GPT-5.4", ["1,676", "1,674"], True),
        ("Claude Sonnet 4.6", ["1,648"], False),
        ("Claude Opus 4.6", ["1,607"], False),
        ("Muse Spark", ["1,444", "1,427"], True),
    ]
    assert [s.article_id for s in gdpval.sources] == [SEED, OVERVIEW]


@pytest.mark.parametrize(
    ("typed", "benchmark", "values"),
    [
        ("HealthBench Hard", "HealthBench Hard", ["42.8", "40.1", "20.6"]),
        ("hb hard", "HealthBench Hard", ["42.8", "40.1", "20.6"]),
        ("Terminal-Bench 2.0", "Terminal-Bench 2.0", ["75.1", "68.5", "59.0"]),
        ("terminal bench", "Terminal-Bench 2.0", ["75.1", "68.5", "59.0"]),
        ("Intelligence Index", "Artificial Analysis Intelligence Index v4.0", ["57", "57", "53", "52"]),
        ("mmmu pro", "MMMU-Pro", ["82.4%", "80.5%"]),
        # fewer tokens is better
        ("output tokens", "Intelligence Index output tokens", ["57M", "58 million", "120M", "157M"]),
    ],
)
def test_lookups_of_the_dev_questions(table: FactTable, typed: str, benchmark: str, values: list[str]) -> None:
    result = table.benchmark_table(typed)

    assert result.benchmark == benchmark
    assert [r.facts[0].value_text for r in result.rows] == values


def test_model_table_of_a_family_shows_its_variants_labelled(table: FactTable) -> None:
    gemini = table.model_table("gemini 3.1 pro")

    assert gemini.model == "Gemini 3.1 Pro"
    assert [(r.label, r.facts[0].value_text) for r in gemini.rows] == [
        ("ARC-AGI-2 — Gemini 3.1 Pro", "76.5"),
        ("Artificial Analysis Intelligence Index v4.0 — Gemini 3.1 Pro Preview", "57"),
        ("HealthBench Hard — Gemini 3.1 Pro", "20.6"),
        ("Intelligence Index output tokens — Gemini 3.1 Pro", "57M"),
        ("MMMU-Pro — Gemini 3.1 Pro Preview", "82.4%"),
        ("Terminal-Bench 2.0 — Gemini 3.1 Pro", "68.5"),
    ]
    preview = table.model_table("Gemini 3.1 Pro Preview")
    assert [r.label for r in preview.rows] == ["Artificial Analysis Intelligence Index v4.0", "MMMU-Pro"]


def test_model_table_of_muse_spark_shows_both_articles(table: FactTable) -> None:
    muse = table.model_table("muse spark")
    rows = {r.label: r for r in muse.rows}

    assert len(rows) == 7
    assert rows["GDPval-AA"].is_conflict
    assert [f.article_id for f in rows["Artificial Analysis Intelligence Index v4.0"].facts] == [SEED, OVERVIEW]
    assert not rows["Artificial Analysis Intelligence Index v4.0"].is_conflict  # same value twice is no conflict


def test_compare_puts_shared_benchmarks_side_by_side(table: FactTable) -> None:
    comparison = table.compare("Muse Spark", "gpt5.4")
    shared = {r.benchmark: r for r in comparison.shared}

    assert (comparison.model_a, comparison.model_b) == ("Muse Spark", "GPT-5.4")
    assert shared["HealthBench Hard"].difference == 2.7
    assert shared["ARC-AGI-2"].difference == -33.6
    assert shared["Terminal-Bench 2.0"].difference == -16.1
    assert shared["GDPval-AA"].difference is None  # each side has two values
    assert [f.value_text for f in shared["GDPval-AA"].b] == ["1,676", "1,674"]
    assert [r.label for r in comparison.only_a] == ["MMMU-Pro"]
    assert comparison.only_b == ()
    assert {s.article_id for s in comparison.sources} == {SEED, OVERVIEW}


def test_unknown_names_get_suggestions_never_an_empty_reply(table: FactTable) -> None:
    with pytest.raises(UnknownNameError) as caught:
        table.benchmark_table("terminal bench 3")  # a changed digit is another benchmark, never a typo
    assert str(caught.value) == (
        "No benchmark called 'terminal bench 3' in the articles. Did you mean: Terminal-Bench 2.0?"
    )
    assert caught.value.kind == "benchmark"
    assert caught.value.name == "terminal bench 3"
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value, MusebotError)

    with pytest.raises(UnknownNameError, match=r"No model called 'llama 4 maverick'.* Muse Spark"):
        table.model_table("llama 4 maverick")  # named in the articles, but without a score
    with pytest.raises(UnknownNameError, match=r"Did you mean: Claude Opus 4\.6"):
        table.compare("muse spark", "claude opus 4.7")


@pytest.mark.parametrize(
    ("typed", "benchmark"),
    [
        ("healthbenh hrd", "HealthBench Hard"),
        ("healthbnch hrd", "HealthBench Hard"),
        ("mmmu pr", "MMMU-Pro"),
        ("terminl bench", "Terminal-Bench 2.0"),
        ("terminalbench", "Terminal-Bench 2.0"),
        ("gdpvalaa", "GDPval-AA"),
    ],
)
def test_lookups_forgive_typing_errors_and_run_together_words(table: FactTable, typed: str, benchmark: str) -> None:
    assert table.benchmark_table(typed).benchmark == benchmark


def test_lookups_never_forgive_a_changed_digit(table: FactTable) -> None:
    for typed in ("arc agi 3", "terminal bench 3.0", "gpt 5.5"):
        with pytest.raises(UnknownNameError):
            table.benchmark_table(typed)
    with pytest.raises(UnknownNameError):
        table.model_table("gemini 3 pro")  # Gemini 3.1 Pro is another model
    assert table.model_table("gemini 3.1 pro").model == "Gemini 3.1 Pro"
    assert table.compare("muse spark", "clade opus 4.6").model_b == "Claude Opus 4.6"


def test_a_benchmark_lookup_that_names_only_a_model_points_to_the_model_lookup(table: FactTable) -> None:
    for typed in ("muse spark", "gpt 5.4 results"):
        with pytest.raises(UnknownNameError) as raised:
            table.benchmark_table(typed)
        assert raised.value.model in {"Muse Spark", "GPT-5.4"}
        assert "names a model" in str(raised.value)
    with pytest.raises(UnknownNameError) as raised:
        table.benchmark_table("muse spark osworld")  # a benchmark the articles never give: no model hint
    assert raised.value.model == ""


def test_a_version_said_in_words_is_the_same_version(table: FactTable) -> None:
    assert table.benchmark_table("arc agi two").benchmark == "ARC-AGI-2"
    assert table.benchmark_table("arc agi two").note == ""
    assert table.benchmark_table("terminal bench two point zero").benchmark == "Terminal-Bench 2.0"
    for typed in ("arc agi three", "terminal bench three"):
        with pytest.raises(UnknownNameError) as raised:
            table.benchmark_table(typed)
        assert typed in str(raised.value)  # the message quotes the lookup as typed
        assert raised.value.suggestions


@pytest.mark.parametrize(
    ("typed", "benchmark", "models"),
    [
        ("muse spark healthbench hard score", "HealthBench Hard", {"Muse Spark"}),
        ("what did gpt 5.4 get on arc agi 2", "ARC-AGI-2", {"GPT-5.4"}),
        ("gpt-5.4 healthbnch hrd", "HealthBench Hard", {"GPT-5.4"}),
        ("healthbnch hrd score pls", "HealthBench Hard", {"Muse Spark", "GPT-5.4", "Gemini 3.1 Pro"}),
        ("gemini healthbench hard", "HealthBench Hard", {"Gemini 3.1 Pro"}),  # a family's first word
        ("healthbnch hrd gemini", "HealthBench Hard", {"Gemini 3.1 Pro"}),  # the same, beside a typing error
    ],
)
def test_lookups_read_the_names_out_of_a_typed_phrase(
    table: FactTable, typed: str, benchmark: str, models: set[str]
) -> None:
    shown = table.benchmark_table(typed)
    assert shown.benchmark.startswith(benchmark)
    assert {row.facts[0].model for row in shown.rows} == models
    assert shown.note == ""


def test_a_lookup_for_a_near_model_says_the_rows_are_other_models(table: FactTable) -> None:
    shown = table.benchmark_table("gemini 3 arc-agi-2")  # only Gemini 3.1 Pro has a score: a different model
    assert "gemini 3" in shown.note
    assert "Gemini 3.1 Pro" in {row.facts[0].model for row in shown.rows}
    assert shown.benchmark == "ARC-AGI-2"  # not labelled as Gemini 3's
    with pytest.raises(UnknownNameError):
        table.benchmark_table("muse spark arc agi 3")  # a changed digit is still no benchmark


def test_complete_offers_prefix_matches_first(table: FactTable) -> None:
    assert table.complete("gem", "model") == ["Gemini 3.1 Pro", "Gemini 3.1 Pro Preview"]
    assert table.complete("hb", "benchmark") == ["HealthBench Hard"]
    assert table.complete("index", "benchmark") == [
        "Artificial Analysis Intelligence Index v4.0",
        "Intelligence Index output tokens",
    ]
    assert table.complete("", "benchmark", limit=3) == ["ARC-AGI-2", "Artificial Analysis Intelligence Index v4.0",
                                                        "GDPval-AA"]  # fmt: skip
    assert table.complete("opus", "model") == ["Claude Opus 4.6"]
    assert table.complete("zzzz", "model") == []


@pytest.mark.parametrize(
    ("question", "benchmark", "models"),
    [
        ("healthbench hard score for muse spark vs gpt 5.4", "HealthBench Hard", ("Muse Spark", "GPT-5.4")),
        ("gdpval-aa elo for muse spark", "GDPval-AA", ("Muse Spark",)),
        ("What did GPT-5.4 score on GDPval-AA?", "GDPval-AA", ("GPT-5.4",)),
        ("Is Muse Spark good at coding? terminal bench numbers pls", "Terminal-Bench 2.0", ("Muse Spark",)),
        ("how many output tokens did muse spark use for the intelligence index run",
         "Intelligence Index output tokens", ("Muse Spark",)),
        ("who leads meta superintelligence labs", None, ()),
        ("how much less compute than llama 4 maverick", None, ()),  # a model without scores is no lookup
    ],
)  # fmt: skip
def test_detect_lookup_in_questions(
    table: FactTable, question: str, benchmark: str | None, models: tuple[str, ...]
) -> None:
    assert table.detect_lookup(question) == (benchmark, models)


def test_facts_for_a_lookup_in_disguise(table: FactTable) -> None:
    facts, conflicts = table.facts_for("GDPval-AA", ["Muse Spark"])

    assert [f.value_text for f in facts] == ["1,444", "1,427"]
    assert [(c.benchmark, c.model) for c in conflicts] == [("GDPval-AA", "Muse Spark")]
    assert table.facts_for("nothing like it", []) == ((), ())
    all_facts, _ = table.facts_for("healthbench hard")
    assert [f.value_text for f in all_facts] == ["42.8", "40.1", "20.6"]


def test_a_warm_lookup_answers_as_the_first_one_did(table: FactTable) -> None:
    # How fast warm lookups are is measured by benchmarks/perf.py, not asserted here: the machines are shared.
    first = (
        table.benchmark_table("hb hard"),
        table.model_table("gemini 3.1 pro"),
        table.compare("muse spark", "gpt 5.4"),
    )
    for _ in range(3):
        again = (
            table.benchmark_table("hb hard"),
            table.model_table("gemini 3.1 pro"),
            table.compare("muse spark", "gpt 5.4"),
        )
        assert again == first
    assert first[0].rows


def test_benchmarks_module_imports_no_heavy_libraries() -> None:
    code = (
        "import sys, bot.core.facts, bot.core.names\n"
        "heavy = sorted({'numpy', 'faiss', 'torch', 'sentence_transformers', 'bm25s'} & set(sys.modules))\n"
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_lookups_do_not_import_the_extractor_until_it_is_used() -> None:
    code = (
        "import sys\n"
        "from bot.core.facts import FactTable\n"
        "lookups = {'bot.core.facts.' + m for m in ('lookup', '_conflicts', '_regroup')}\n"
        "print(sorted(m for m in sys.modules if m.startswith('bot.core.facts.') and m not in lookups))\n"
        "from bot.core.facts import FactExtractor, extract_facts\n"
        "print('bot.core.facts.extract' in sys.modules, FactExtractor.__module__, extract_facts.__module__)\n"
        "import bot.core.facts as facts\n"
        "print(hasattr(facts, 'no_such_name'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.splitlines() == [
        "[]",
        "True bot.core.facts.extract bot.core.facts.extract",
        "False",
    ]


# ---------------------------------------------------------------------------------------------- persistence, diffs


def test_facts_written_by_a_build_load_back_equal(tmp_path: Path, corpus: tuple) -> None:
    articles, _chunks, facts = corpus
    index_dir = tmp_path / "index"
    build_index(
        articles,
        lambda article: split_into_chunks(article, approximate_token_counter),
        HashingEmbedder(32),
        index_dir,
        extract_facts=FactExtractor(),
    )

    loaded, _sources = load_facts_only(index_dir)
    build = index_dir / "builds" / str(read_current_build_id(index_dir))
    assert loaded == facts
    assert json.loads((build / "facts.json").read_text(encoding="utf-8")) == [dataclasses.asdict(f) for f in facts]
    assert [p.name for p in build.parent.iterdir()] == [build.name]  # no partial build left behind


def test_facts_json_is_the_same_bytes_when_a_build_reuses_the_facts_serialised_before(
    tmp_path: Path, corpus: tuple
) -> None:
    articles, _chunks, facts = corpus
    signed = [*facts, dataclasses.replace(facts[0], value=0.0), dataclasses.replace(facts[0], value=-0.0)]

    def write(index_dir: Path, which: list[BenchmarkFact]) -> bytes:
        build_index(
            articles,
            lambda article: split_into_chunks(article, approximate_token_counter),
            HashingEmbedder(32),
            index_dir,
            extract_facts=lambda _a, _c: tuple(which),
        )
        return (index_dir / "builds" / str(read_current_build_id(index_dir)) / "facts.json").read_bytes()

    first = write(tmp_path / "one", signed)
    again = write(tmp_path / "two", signed[::-1])  # every fact was serialised by the first build

    assert first == (json.dumps([dataclasses.asdict(f) for f in signed], ensure_ascii=False) + "\n").encode()
    assert again == (json.dumps([dataclasses.asdict(f) for f in signed[::-1]], ensure_ascii=False) + "\n").encode()
    assert b'"value": -0.0' in again


def test_diff_facts_reports_changes_and_conflicts(corpus: tuple) -> None:
    _articles, _chunks, facts = corpus
    without_overview = tuple(f for f in facts if f.article_id != OVERVIEW)

    changes, introduced, resolved = diff_facts(facts, without_overview)

    assert {(c.benchmark, c.model, c.before, c.after) for c in changes} == {
        ("Artificial Analysis Intelligence Index v4.0", "Muse Spark", "52", ""),
        ("GDPval-AA", "Muse Spark", "1,427", ""),
        ("GDPval-AA", "Claude Sonnet 4.6", "1,648", ""),
        ("GDPval-AA", "GPT-5.4", "1,676", ""),
    }
    assert introduced == ()
    assert sorted(resolved) == [
        f"GDPval-AA · GPT-5.4: 1,674 ({SEED}) vs 1,676 ({OVERVIEW})",
        f"GDPval-AA · Muse Spark: 1,444 ({SEED}) vs 1,427 ({OVERVIEW})",
    ]
    assert diff_facts(facts, facts) == ((), (), ())
    _changes, introduced, _resolved = diff_facts(without_overview, facts)
    assert len(introduced) == 2


# ---------------------------------------------------------------------------------------------- precision traps


def _extract(body: str, title: str = "Industry notes") -> tuple[BenchmarkFact, ...]:
    article = Article(id="notes", title=title, outlet="Test", body=body)
    return extract_facts([article], split_into_chunks(article, approximate_token_counter))


@pytest.mark.parametrize(
    "sentence",
    [
        "Muse Spark's 1,444 ELO trails GPT-5.4 by 230 points and Claude Opus 4.6 by 163 points.",
        "On ARC-AGI-2, GPT-5.4 and Gemini 3.1 Pro score nearly double what Muse Spark manages.",
        "Meta acquired a 49% nonvoting stake in Scale AI for $14.3 billion in June 2025.",
        "Meta claims Muse Spark matches Llama 4 Maverick using more than 10x less compute.",
        "Muse Spark brings 3 billion monthly active users to the HealthBench Hard fight.",
        "Muse Spark ranks fourth on the Intelligence Index and sits in the top five of tested models.",
        "GPT-5.4 scored 12 points higher than Muse Spark on HealthBench Hard.",
        "Claude Opus 4.6 has a 200K context window while GPT-5.4 supports 1 million tokens of context.",
        "Muse Spark is 3x cheaper than GPT-5.4 on MMMU-Pro runs.",
        "Llama 4 Maverick has 400B parameters and Gemma 4 ships with Apache 2.0 licensing.",
        "Healthcare AI is a massive market, estimated at $45 billion by 2027, says Muse Spark's maker.",
        "GPT-5.4 costs $2.50 per million tokens on the Intelligence Index evaluation.",
        "The previous record on HealthBench Hard, a score of 32.0, was set last year.",
        "Gemini 3.1 Pro is the fourth model to pass 80% on MMMU-Pro.",
        "GPT-5.4 and Muse Spark both answered 2,500 questions from Humanity's Last Exam.",
    ],
)
def test_differences_counts_money_and_years_are_not_scores(sentence: str) -> None:
    assert _extract(sentence) == ()


def test_a_trap_beside_a_real_score_leaves_only_the_score() -> None:
    facts = _extract(
        "Muse Spark scores 42.8 on HealthBench Hard, 2.7 points ahead of GPT-5.4, after Meta spent $14.3 billion."
    )

    assert [(f.benchmark, f.model, f.value_text) for f in facts] == [("HealthBench Hard", "Muse Spark", "42.8")]


def test_a_score_sentence_with_two_benchmarks_and_no_tie_is_skipped() -> None:
    assert _extract("GPT-5.4 posts 57 while the Intelligence Index and HealthBench Hard disagree.") == ()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # long form: one row per (model, benchmark)
            "| Model | Benchmark | Score |\n| --- | --- | --- |\n| GPT-5.5 | SWE-bench Verified | 82.1% |\n"
            "| GPT-5.5 | HLE (no tools) | 31.0% |",
            {("SWE-bench Verified", "GPT-5.5", "82.1%", "%", ""), ("Humanity's Last Exam", "GPT-5.5", "31.0%", "%",
                                                                    "no tools")},
        ),
        (  # one generic score column: the benchmark comes from the sentence introducing the table
            "## Arena standings\n\nThe latest LMArena text leaderboard, by Elo:\n\n| Rank | Model | Elo |\n"
            "| --- | --- | --- |\n| 1 | Gemini 3.5 Pro | 1,521 |\n| 2 | GPT-5.5 (high) | 1,488 |",
            {("LMArena", "Gemini 3.5 Pro", "1,521", "Elo", ""), ("LMArena", "GPT-5.5", "1,488", "Elo", "high")},
        ),
        (  # plain text with tabs; a column of sizes is no score
            "Results:\n\nModel\tGPQA Diamond\tParams\nGPT-5.5\t89.4%\t2T\nKimi K3\t85.0%\t1T\nGrok 5\t87.2%\t3T",
            {("GPQA Diamond", "GPT-5.5", "89.4%", "%", ""), ("GPQA Diamond", "Kimi K3", "85.0%", "%", ""),
             ("GPQA Diamond", "Grok 5", "87.2%", "%", "")},
        ),
        (  # a table of prices and context windows has no scores
            "| Model | Price ($/M tokens) | Context window |\n|---|---|---|\n| GPT-5.5 | 1.25 | 400K |\n"
            "| Grok 5 | 3.00 | 2M |",
            set(),
        ),
    ],
)  # fmt: skip
def test_table_shapes(body: str, expected: set[tuple[str, str, str, str, str]]) -> None:
    facts = _extract(body, title="Leaderboards")

    assert {(f.benchmark, f.model, f.value_text, f.unit, f.qualifier) for f in facts} == expected


def test_a_family_name_restating_a_variant_is_one_fact_but_tied_variants_are_two() -> None:
    body = (
        "Scores on the Intelligence Index:\n\n| Model | Intelligence Index |\n| --- | --- |\n"
        "| Gemini 3.1 Pro Preview | 57 |\n| GPT-5.4 | 57 |\n| GPT-5.4 Pro | 57 |\n\n"
        "In short, Muse Spark trails Gemini 3.1 Pro (57) on the Intelligence Index."
    )
    facts = _extract(body)

    assert sorted(f.model for f in facts) == ["GPT-5.4", "GPT-5.4 Pro", "Gemini 3.1 Pro Preview"]


# ---------------------------------------------------------------------------------------------- unseen articles


@pytest.fixture(scope="module")
def unseen() -> tuple[tuple[Article, ...], tuple[Chunk, ...], tuple[BenchmarkFact, ...]]:
    return _facts_of(DATA / "benchmark_articles")


def test_unseen_articles_give_exactly_their_scores(unseen: tuple) -> None:
    articles, chunks, facts = unseen
    ids = {a.title.split(":")[0].split(" ")[0]: a.id for a in articles}
    scorecard, roundup, grok = ids["GPT-5.5,"], ids["Open-weight"], ids["Grok"]

    expected = {
        # Markdown, models × benchmarks, one column "with tools", a "Release" column that holds no scores
        (scorecard, "SWE-bench Verified", "GPT-5.5", "82.1%", "%", ""),
        (scorecard, "SWE-bench Verified", "Claude Opus 4.7", "84.3%", "%", ""),
        (scorecard, "SWE-bench Verified", "Gemini 3.5 Pro", "79.8%", "%", ""),
        (scorecard, "SWE-bench Verified", "DeepSeek-V4", "73.0%", "%", ""),
        (scorecard, "GPQA Diamond", "GPT-5.5", "89.4%", "%", ""),
        (scorecard, "GPQA Diamond", "Claude Opus 4.7", "87.0%", "%", ""),
        (scorecard, "GPQA Diamond", "Gemini 3.5 Pro", "91.1%", "%", ""),
        (scorecard, "GPQA Diamond", "DeepSeek-V4", "82.6%", "%", ""),
        (scorecard, "Humanity's Last Exam", "GPT-5.5", "44.9%", "%", "with tools"),
        (scorecard, "Humanity's Last Exam", "Claude Opus 4.7", "41.2%", "%", "with tools"),
        (scorecard, "Humanity's Last Exam", "Gemini 3.5 Pro", "46.3%", "%", "with tools"),
        (scorecard, "LiveCodeBench", "GPT-5.5", "81.2", "", ""),
        (scorecard, "LiveCodeBench", "Gemini 3.5 Pro", "83.5", "", ""),
        (scorecard, "LiveCodeBench", "DeepSeek-V4", "78.9", "", ""),
        # HTML, benchmark rows × model columns (through the corpus loader), plus prose after it
        (roundup, "MMLU-Pro", "Qwen 3.5 Max", "86.1", "", ""),
        (roundup, "MMLU-Pro", "Llama 5 Behemoth", "84.7", "", ""),
        (roundup, "MMLU-Pro", "Kimi K3", "83.9", "", ""),
        (roundup, "AIME 2025", "Qwen 3.5 Max", "92.3%", "%", ""),
        (roundup, "AIME 2025", "Llama 5 Behemoth", "88.0%", "%", ""),
        (roundup, "AIME 2025", "Kimi K3", "94.5%", "%", ""),
        (roundup, "τ²-bench", "Qwen 3.5 Max", "78.2", "%", "retail"),
        (roundup, "τ²-bench", "Kimi K3", "80.6", "%", "retail"),
        (roundup, "LiveCodeBench", "Kimi K3", "76.4", "", ""),
        (roundup, "LiveCodeBench", "Llama 5 Behemoth", "71.9", "", ""),
        # prose with modes, tool settings, context across sentences and traps
        (grok, "GPQA Diamond", "Grok 5", "88.9%", "%", "Thinking mode"),
        (grok, "GPQA Diamond", "Grok 4", "84.6%", "%", ""),
        (grok, "Humanity's Last Exam", "Grok 5 Heavy", "38.2%", "%", "without tools"),
        (grok, "Humanity's Last Exam", "Grok 5 Heavy", "50.7%", "%", "with tools"),
        (grok, "Humanity's Last Exam", "Kimi K3", "44.1%", "%", "with tools"),
        (grok, "GPQA Diamond", "Gemini 3.5 Pro", "90.8%", "%", ""),
        (grok, "τ²-bench", "Grok 5", "81.4%", "%", ""),
        (grok, "τ²-bench", "Kimi K3", "74.0%", "%", ""),
        (grok, "LMArena", "Grok 5", "1,502", "Elo", ""),
    }
    got = [(f.article_id, f.benchmark, f.model, f.value_text, f.unit, f.qualifier) for f in facts]
    assert len(got) == len(set(got))
    assert set(got) == expected
    by_id = {c.id: c for c in chunks}
    for fact in facts:
        assert fact.value_text in fact.quote
        assert all(line in by_id[fact.chunk_id].text for line in fact.quote.split("\n"))


def test_unseen_articles_lookups(unseen: tuple) -> None:
    _articles, _chunks, facts = unseen
    table = FactTable(facts)

    gpqa = table.benchmark_table("gpqa diamond")
    assert [r.label for r in gpqa.rows] == ["Gemini 3.5 Pro", "GPT-5.5", "Grok 5 (Thinking mode)", "Claude Opus 4.7",
                                            "Grok 4", "DeepSeek-V4"]  # fmt: skip
    assert gpqa.rows[0].is_conflict  # 91.1% in the scorecard, 90.8% in the Grok article
    assert [(c.benchmark, c.model) for c in table.conflicts()] == [("GPQA Diamond", "Gemini 3.5 Pro")]

    hle = table.benchmark_table("HLE")
    assert [r.label for r in hle.rows] == ["Grok 5 Heavy (with tools)", "Gemini 3.5 Pro (with tools)",
                                           "GPT-5.5 (with tools)", "Kimi K3 (with tools)",
                                           "Claude Opus 4.7 (with tools)", "Grok 5 Heavy (without tools)"]  # fmt: skip

    grok = table.model_table("grok 5")
    assert [r.label for r in grok.rows] == [
        "GPQA Diamond (Thinking mode) — Grok 5",
        "Humanity's Last Exam (with tools) — Grok 5 Heavy",
        "Humanity's Last Exam (without tools) — Grok 5 Heavy",
        "LMArena — Grok 5",
        "τ²-bench — Grok 5",
    ]
    assert table.catalog.resolve_benchmark("tau2 bench") == "τ²-bench"
    assert table.detect_lookup("swe bench verified for deepseek v4?") == ("SWE-bench Verified", ("DeepSeek-V4",))


def test_corpus_aliases_rename_what_articles_write() -> None:
    body = "Avocado scores 42.8 on HealthBench Hard, beating GPT-5.4 (40.1)."
    article = Article(id="a", title="Notes", outlet="Test", body=body)
    chunks = split_into_chunks(article, approximate_token_counter)
    aliases = {"models": {"Muse Spark": ["Avocado"]}, "benchmarks": {}}

    facts = extract_facts([article], chunks, aliases=aliases)

    assert [(f.model, f.value_text) for f in facts] == [("Muse Spark", "42.8"), ("GPT-5.4", "40.1")]


# ---------------------------------------------------------------------------------------------- re-using saved work


def test_saved_work_gives_the_same_facts_and_only_changed_articles_are_read(
    corpus: tuple, unseen: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core.facts import extract

    articles = (*corpus[0], *unseen[0])
    chunks = (*corpus[1], *unseen[1])
    read: list[str] = []
    real_prose = extract.facts_from_prose
    monkeypatch.setattr(
        extract,
        "facts_from_prose",
        lambda article_id, *args: read.append(article_id) or real_prose(article_id, *args),
    )

    first, state = extract.extract_facts_reusing(articles[:-1], chunks, None)
    assert len(read) == len(articles) - 1
    assert first == extract_facts(articles[:-1], chunks)

    read.clear()
    saved = json.loads(json.dumps(state))  # what a build writes and the next one reads back
    again, new_state = extract.extract_facts_reusing(articles, chunks, saved)
    names_changed = new_state["names_key"] != state["names_key"]
    assert read == ([a.id for a in articles] if names_changed else [articles[-1].id])
    assert again == extract_facts(articles, chunks)


def test_a_new_table_model_name_makes_every_article_read_again(corpus: tuple) -> None:
    from bot.core.facts import extract

    articles, chunks, facts = corpus
    _, state = extract.extract_facts_reusing(articles, chunks, None)
    table = Article(
        id="zeta", title="Zeta results", outlet="Lab", body="## Scores\n\n| Model | HealthBench Hard |\n|---|---|\n"
        "| Zeta Ultra 9 | 44.0 |\n| Muse Spark | 42.8 |\n\nZeta Ultra 9 scores 44.0 on HealthBench Hard.",
    )  # fmt: skip
    more = (*articles, table)
    more_chunks = (*chunks, *split_into_chunks(table, approximate_token_counter))
    reused, new_state = extract.extract_facts_reusing(more, more_chunks, state)

    assert new_state["names_key"] != state["names_key"]  # "Zeta Ultra 9" is learned from the table
    assert reused == extract_facts(more, more_chunks)
    assert {f.model for f in reused if f.article_id == "zeta"} >= {"Zeta Ultra 9"}
    unchanged, _ = extract.extract_facts_reusing(articles, chunks, {**state, "version": "older code"})
    assert unchanged == facts


def test_the_extraction_version_covers_every_module_of_the_facts_package() -> None:
    from bot.core import chunking, names, text
    from bot.core.facts import extract

    package = ROOT / "bot" / "core" / "facts"
    sources = {path.resolve() for path in extract.extraction_sources()}

    assert {path.resolve() for path in package.glob("*.py")} <= sources
    assert {Path(str(m.__file__)).resolve() for m in (chunking, names, text)} <= sources
    assert len({p for p in sources if p.parent == package.resolve()}) >= 8  # the stages, not only __init__


def test_no_facts_module_is_over_600_lines() -> None:
    package = ROOT / "bot" / "core" / "facts"
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in package.glob("*.py")}

    assert sizes
    assert {name: n for name, n in sizes.items() if n > 600} == {}


def test_a_misspelt_name_keeps_the_first_letter_of_a_word_of_it(table: FactTable) -> None:
    from bot.core.answer import correct_question
    from bot.core.lexicon import EMPTY_LEXICON

    def nothing_is_common(word: str) -> bool:
        return False

    # "clade opus 4.6" is Claude Opus 4.6 mistyped; "gpus" is one edit from "opus" but another word.
    assert correct_question("clade opus 4.6 price", EMPTY_LEXICON, nothing_is_common, table.catalog) == (
        "Claude Opus 4.6 price"
    )
    assert correct_question("how many gpus were used", EMPTY_LEXICON, nothing_is_common, table.catalog) == (
        "how many gpus were used"
    )
