"""Shared fixtures: the real embedding model (exported to ONNX once per session) and its fast fake."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

# The model ships inside a package; nothing may reach for a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bot.core.embedding import Embedder, HashingEmbedder, load_embedder, resolve_model_path
from bot.core.service import MuseService, ServiceConfig

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Questions asked by the tests (and by the CLI they start) are logged here, never in the checkout's data/."""
    path = tmp_path_factory.mktemp("data")
    os.environ["MUSEBOT_DATA_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The bundled all-MiniLM-L6-v2 folder."""
    return resolve_model_path("")


@pytest.fixture(scope="session")
def onnx_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this session's one ONNX export lives (like index/onnx/ in production)."""
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="session")
def real_embedder(model_path: Path, onnx_cache_dir: Path) -> Embedder:
    """The real model as the bot serves it: onnxruntime, exported once per test session (~10 s)."""
    return load_embedder(model_path, "onnx", onnx_cache_dir)


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    """A deterministic 64-dimension stand-in for tests that need vectors but not meaning."""
    return HashingEmbedder(dim=64)


@pytest.fixture(scope="session")
def shipped_index(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder, onnx_cache_dir: Path
) -> tuple[Path, Path]:
    """(corpus, index): a copy of the shipped corpus and its index, built once with the real model."""
    import shutil

    base = tmp_path_factory.mktemp("shipped")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    index.mkdir()
    (index / "onnx").symlink_to(onnx_cache_dir)  # the session's one export, where the CLI looks for it
    MuseService(ServiceConfig(corpus_dir=corpus, index_dir=index), embedder_factory=lambda: real_embedder).build_index()
    return corpus, index


@pytest.fixture(scope="session")
def shipped_service(shipped_index: tuple[Path, Path], real_embedder: Embedder) -> MuseService:
    """The service as `musebot ask` runs it, over the shipped corpus, with the real model."""
    corpus, index = shipped_index
    return MuseService(ServiceConfig(corpus_dir=corpus, index_dir=index), embedder_factory=lambda: real_embedder)


@pytest.fixture(scope="session")
def inline_service(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder, onnx_cache_dir: Path
) -> Callable[[str, Mapping[str, str]], MuseService]:
    """Builds a service over a tiny inline corpus (file name -> text) with the real model, its index built."""

    def build(name: str, articles: Mapping[str, str]) -> MuseService:
        base = tmp_path_factory.mktemp(name)
        corpus, index = base / "corpus", base / "index"
        corpus.mkdir()
        index.mkdir()
        (index / "onnx").symlink_to(onnx_cache_dir)  # the session's one export
        for file_name, text in articles.items():
            (corpus / file_name).write_text(text, encoding="utf-8")
        service = MuseService(ServiceConfig(corpus_dir=corpus, index_dir=index), embedder_factory=lambda: real_embedder)
        service.build_index()
        return service

    return build
