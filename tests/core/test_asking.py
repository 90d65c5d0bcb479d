"""The ask pipeline's memos: a word's vector is embedded once, and a warm service answers as a fresh one does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.core.embedding import Embedder
from bot.core.service import MuseService, ServiceConfig

pytestmark = pytest.mark.slow

# Words the shipped corpus never uses: their vectors are embedded with the question and kept.
QUESTIONS = (
    "What is the weather in Paris tomorrow?",
    "How did Muse Spark do on HealthBench Hard?",
    "What did analysts say about the launch?",
    "Is the weather in Paris good for a launch?",
)


class RecordingEmbedder:
    """The real embedder, recording the texts of each `embed` call."""

    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.model_id = real.model_id
        self.dim = real.dim
        self.calls: list[list[str]] = []

    @property
    def count_tokens(self) -> Callable[[str], int]:
        return self.real.count_tokens

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: object = None) -> np.ndarray:
        self.calls.append(list(texts))
        return self.real.embed(texts, batch_size=batch_size)


def _service(shipped_index: tuple[Path, Path], embedder: Embedder) -> MuseService:
    corpus, index = shipped_index
    return MuseService(ServiceConfig(corpus_dir=corpus, index_dir=index), embedder_factory=lambda: embedder)


def test_a_word_the_corpus_never_uses_is_embedded_once(
    shipped_index: tuple[Path, Path], real_embedder: Embedder
) -> None:
    recording = RecordingEmbedder(real_embedder)
    service = _service(shipped_index, recording)
    first = service.ask(QUESTIONS[0])
    asked = len(recording.calls)
    again = service.ask(QUESTIONS[0])

    assert len(recording.calls[asked - 1]) > 1  # the question, then its words "weather", "paris", "tomorrow"
    assert recording.calls[asked:] == [[recording.calls[asked - 1][0]]]  # the second time, the question alone
    assert again == first


def test_a_warm_service_answers_as_a_fresh_one(shipped_index: tuple[Path, Path], real_embedder: Embedder) -> None:
    warm = _service(shipped_index, real_embedder)
    for question in QUESTIONS:
        warm.ask(question)
    for question in QUESTIONS:
        fresh = _service(shipped_index, real_embedder).ask(question)
        answer = warm.ask(question)
        assert (answer.text, answer.citations, answer.abstained, answer.nearest_text, answer.missing) == (
            fresh.text,
            fresh.citations,
            fresh.abstained,
            fresh.nearest_text,
            fresh.missing,
        )
        assert answer.scores == fresh.scores


def test_a_passage_s_tokens_with_its_frame_are_those_of_the_text_they_make_together() -> None:
    from bot.core._asking import _framed_tokens
    from bot.core.text import token_set

    text, title, byline = "Muse Spark scored 42.8 on HealthBench Hard.", "Meta's new model", "PocketLab Ann Lee"
    assert _framed_tokens(text, title, byline) == token_set(f"{text} {title} {byline}")
    assert {"pocketlab", "healthbench"} <= _framed_tokens(text, title, byline)
    assert _framed_tokens(text) == token_set(text)  # an article the build does not know: the passage alone
