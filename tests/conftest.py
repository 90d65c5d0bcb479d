"""Shared fixtures: the real embedding model (exported to ONNX once per session) and its fast fake."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The model ships inside a package; nothing may reach for a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bot.core.embedding import Embedder, HashingEmbedder, load_embedder, resolve_model_path


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
