"""Core values for Discord tests: realistic ones, and hostile ones that push every Discord limit."""

from __future__ import annotations

from bot.core.models import (
    Answer,
    BenchmarkFact,
    BenchmarkTable,
    ChangeReport,
    Citation,
    Comparison,
    ComparisonRow,
    Conflict,
    FactChange,
    IndexStats,
    ModelTable,
    ScoreRow,
    SourceRef,
)

VERGE = SourceRef("verge-muse-spark", "Meta unveils Muse Spark", "The Verge", "https://example.com/verge", "2026-04-08")
WIRED = SourceRef("wired-muse-spark", "Inside Muse Spark", "Wired", "https://example.com/wired", "2026-04-09")


def fact(
    benchmark: str, model: str, value_text: str, source: SourceRef, *, unit: str = "", qualifier: str = ""
) -> BenchmarkFact:
    value = float(value_text.replace(",", "").rstrip("%"))
    return BenchmarkFact(
        benchmark=benchmark,
        model=model,
        value_text=value_text,
        value=value,
        unit=unit,
        article_id=source.article_id,
        chunk_id=f"{source.article_id}#3",
        quote=f"{model} scored {value_text} on {benchmark}.",
        qualifier=qualifier,
    )


def citation(marker: int, source: SourceRef, quote: str) -> Citation:
    return Citation(
        marker=marker,
        article_id=source.article_id,
        chunk_id=f"{source.article_id}#{marker}",
        title=source.title,
        outlet=source.outlet,
        url=source.url,
        quote=quote,
        score=0.8,
    )


HEALTHBENCH_ANSWER = Answer(
    question="How did Muse Spark do on HealthBench Hard?",
    text="Muse Spark scored 42.8 on HealthBench Hard [1]. That put it ahead of GPT-5.4 on the benchmark [2].",
    citations=(
        citation(1, VERGE, "On HealthBench Hard, Muse Spark scored 42.8, the highest of any model Meta tested."),
        citation(2, WIRED, "Meta says the model beat GPT-5.4 on HealthBench Hard."),
    ),
    build_id="20260410T120000Z-abc123",
)

ABSTENTION = Answer(
    question="What is the weather in Paris?",
    text="",
    citations=(),
    abstained=True,
    closest_topic="Muse Spark's availability in Europe",
    build_id="20260410T120000Z-abc123",
)

NEAR_MISS = Answer(
    question="Muse Spark OSWorld score?",
    text="The indexed articles don't say: none of them mentions “osworld”.",
    citations=(),
    abstained=True,
    build_id="20260410T120000Z-abc123",
    nearest=(citation(1, VERGE, "Muse Spark scores 42.8 on HealthBench Hard."),),
    nearest_text=("Muse Spark scores 42.8 on HealthBench Hard.",),
    missing=("osworld",),
)

GDPVAL_FACTS = (
    fact("GDPval-AA", "Muse Spark", "1,444", VERGE, unit="Elo"),
    fact("GDPval-AA", "Muse Spark", "1,427", WIRED, unit="Elo"),
)

GDPVAL_TABLE = BenchmarkTable(
    benchmark="GDPval-AA",
    rows=(
        ScoreRow(label="Muse Spark", facts=GDPVAL_FACTS, is_conflict=True),
        ScoreRow(label="GPT-5.4", facts=(fact("GDPval-AA", "GPT-5.4", "1,390", VERGE, unit="Elo"),)),
    ),
    sources=(VERGE, WIRED),
)

MUSE_TABLE = ModelTable(
    model="Muse Spark",
    rows=(
        ScoreRow(label="HealthBench Hard", facts=(fact("HealthBench Hard", "Muse Spark", "42.8", VERGE),)),
        ScoreRow(label="GDPval-AA", facts=GDPVAL_FACTS, is_conflict=True),
    ),
    sources=(VERGE, WIRED),
)

COMPARISON = Comparison(
    model_a="Muse Spark",
    model_b="GPT-5.4",
    shared=(
        ComparisonRow(
            benchmark="HealthBench Hard",
            a=(fact("HealthBench Hard", "Muse Spark", "42.8", VERGE),),
            b=(fact("HealthBench Hard", "GPT-5.4", "40.1", VERGE),),
            difference=2.7,
        ),
    ),
    only_a=(ScoreRow(label="GDPval-AA", facts=GDPVAL_FACTS, is_conflict=True),),
    only_b=(),
    sources=(VERGE, WIRED),
)

STATS = IndexStats(
    build_id="20260410T120000Z-abc123",
    built_at="2026-04-10T12:00:00+00:00",
    articles=12,
    chunks=340,
    facts=57,
    model_id="all-MiniLM-L6-v2@onnx",
)

CHANGE = ChangeReport(
    build_id="20260411T090000Z-def456",
    added=("new-article",),
    chunks_added=14,
    chunks_embedded=14,
    fact_changes=(FactChange("HealthBench Hard", "Muse Spark", "new-article", "", "42.8"),),
    conflicts_introduced=("HealthBench Hard · Muse Spark: 42.8 [new-article] vs 41.0 [verge-muse-spark]",),
)

CONFLICT = Conflict(benchmark="GDPval-AA", model="Muse Spark", facts=GDPVAL_FACTS)

# Hostile text: Markdown, mentions, control characters, long unbroken numbers and markers, odd URLs.
HOSTILE = (
    "@everyone @here <@123456789012345678> <@&123> <#42> **bold** __u__ ~~s~~ ||spoiler|| `code` ```block``` "
    "> quote\n# heading\n- item [link](https://evil.example/x) \\ \x00\x07 1,444,000.25 [12] "
)
