"""A small stand-in for MuseService with canned answers, for tests that are about Discord, not retrieval.

It implements the MuseApi Protocol (bot/core/service.py); tests/discord_app/test_fakes.py checks its public
methods against the real service's, signature by signature.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence

import numpy as np

from bot.core.embedding import HashingEmbedder
from bot.core.errors import MusebotError
from bot.core.models import (
    Answer,
    BenchmarkTable,
    ChangeReport,
    Comparison,
    IndexStats,
    ModelTable,
    SourceRef,
)
from tests.discord_app import samples


class UnknownNameError(MusebotError, LookupError):
    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.suggestions = tuple(suggestions)


class FakeMuseService:
    BENCHMARKS = ("GDPval-AA", "GPQA Diamond", "HealthBench Hard")
    MODELS = ("Muse Spark", "GPT-5.4", "Gemini 3 Pro")

    def __init__(self, *, sources: int = 2) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.ask_error: BaseException | None = None
        self.ask_seconds = 0.0  # how long a question takes
        self.work_seconds = 0.0  # how long add/remove take
        self.refreshes = 0
        self.warmed = False
        self.sources = tuple(
            SourceRef(f"article-{i}", f"Article number {i}", "Outlet", f"https://example.com/{i}", "2026-04-08")
            for i in range(sources)
        )
        self._active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def ask(self, question: str, *, top_k: int | None = None) -> Answer:
        self.calls.append(("ask", (question,)))
        time.sleep(self.ask_seconds)
        if self.ask_error is not None:
            raise self.ask_error
        if "weather" in question.lower():
            return samples.ABSTENTION
        return Answer(
            question=question,
            text=samples.HEALTHBENCH_ANSWER.text,
            citations=samples.HEALTHBENCH_ANSWER.citations,
            build_id=samples.HEALTHBENCH_ANSWER.build_id,
        )

    def _find(self, name: str, names: Sequence[str], kind: str) -> str:
        for known in names:
            if known.lower() == name.strip().lower():
                return known
        raise UnknownNameError(f"I don't know a {kind} called {name}.", suggestions=names[:2])

    def benchmark_table(self, name: str) -> BenchmarkTable:
        self.calls.append(("benchmark_table", (name,)))
        self._find(name, self.BENCHMARKS, "benchmark")
        return samples.GDPVAL_TABLE

    def model_table(self, name: str) -> ModelTable:
        self.calls.append(("model_table", (name,)))
        self._find(name, self.MODELS, "model")
        return samples.MUSE_TABLE

    def compare_models(self, a: str, b: str) -> Comparison:
        self.calls.append(("compare_models", (a, b)))
        self._find(a, self.MODELS, "model")
        self._find(b, self.MODELS, "model")
        return samples.COMPARISON

    def complete_names(self, partial: str, kind: str, limit: int = 25) -> list[str]:
        names = self.BENCHMARKS if kind == "benchmark" else self.MODELS
        return [name for name in names if partial.lower() in name.lower()][:limit]

    def name_mentions(self, text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        lowered = text.lower()
        found = [
            (lowered.find(name.lower()), kind, name)
            for kind, names in (("benchmark", self.BENCHMARKS), ("model", self.MODELS))
            for name in names
            if name.lower() in lowered
        ]
        return tuple(
            (kind, name, tuple(re.findall(r"[a-z]+|\d+(?:\.\d+)?", name.lower()))) for _, kind, name in sorted(found)
        )

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        return HashingEmbedder(dim=64).embed(list(texts))

    def list_sources(self) -> tuple[SourceRef, ...]:
        return self.sources

    def index_stats(self) -> IndexStats:
        return samples.STATS

    def _work(self, name: str, args: tuple[object, ...]) -> None:
        with self._lock:
            self.calls.append((name, args))
            self._active += 1
            self.max_active = max(self.max_active, self._active)
        time.sleep(self.work_seconds)
        with self._lock:
            self._active -= 1

    def add_article_bytes(self, data: bytes, filename: str, *, force: bool = False) -> ChangeReport:
        self._work("add_article_bytes", (data, filename, force))
        if not data.strip():
            raise MusebotError(f"{filename} has no text.")
        return ChangeReport(build_id="build-2", added=(filename.rsplit(".", 1)[0],), chunks_added=3, chunks_embedded=3)

    def remove_articles(self, ids: Sequence[str]) -> ChangeReport:
        self._work("remove_articles", (tuple(ids),))
        return ChangeReport(build_id="build-3", removed=tuple(ids), chunks_removed=4)

    def refresh_if_changed(self) -> bool:
        self.refreshes += 1
        return False

    def warm_up(self) -> None:
        self.warmed = True
