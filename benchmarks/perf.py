"""musebot's speed harness: every figure of the README's "Speed" section, measured in one run.

    .venv/bin/python benchmarks/perf.py [--quick] [--keep DIR]

Prints one Markdown table to stdout (progress goes to stderr). Each figure is set against a floor
measured in the same run (the bare model, the bare interpreter), because this machine is shared and
noisy: compare ratios and medians, not absolute times from different runs. Not part of the test suite.

What it measures, all on copies in a temporary folder (the repository's corpus/ and index/ are only read):
- query embedding with the model (onnx, as served; torch for reference) against warm /ask end to end
  (question -> answer -> Discord embed via bot.discord_app.render and the CLI printer);
- warm benchmark lookups (`benchmark_table`, `compare_models`);
- cold starts of `musebot ask` / `musebot benchmark` in fresh processes against `python -c "import torch"`
  and the model-load floor (bytecode caches written first, as in any normal install);
- index build throughput (chunks/s and texts/s: a build also embeds each chunk's answer units and its
  lexicon's words) against the model's raw batch throughput on the same texts;
- adding one article to indexes of 100 and 1,000 synthetic articles (benchmarks/synthetic.py) with the
  real onnx embedder, against embedding that article's own texts; the big indexes are pre-built once with
  real token counts and stand-in vectors, which only the timing of FAISS, not of the add, depends on;
- warm /ask at 10k and 100k chunks (stand-in vectors clustered around real embeddings), the FAISS types
  the build picks at each size, recall@10 of the answer units' search (an IVF above 20k per segment) against
  an exact scan, and of HNSW against exact search of the passages at 100k;
- peak memory (ru_maxrss) of a process that loads the shipped index and answers 20 questions.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from synthetic import write_corpus  # noqa: E402

QUESTIONS = (
    "How did Muse Spark do on HealthBench Hard?",
    "Is Muse Spark open weights?",
    "What is Contemplating mode?",
    "How much is Meta spending on AI infrastructure?",
    "Where can people use Muse Spark?",
    "How does Muse Spark compare with GPT-5.4 on ARC-AGI-2?",
    "What score did Muse Spark get on the Artificial Analysis Intelligence Index?",
    "Who leads Meta Superintelligence Labs?",
    "What are Muse Spark's weaknesses?",
    "How much compute did Muse Spark need compared with Llama 4 Maverick?",
    "What did Muse Spark score on MMMU-Pro?",
    "Is there an API for Muse Spark?",
    "What is the weather in Paris tomorrow?",
    "How many users does Meta AI have?",
    "What did analysts say about the launch?",
    "Does Muse Spark beat Claude Opus 4.6 at coding?",
    "What is Muse Spark's score on Humanity's Last Exam?",
    "Why did Meta move away from open source?",
    "How fast is Muse Spark?",
    "What does native multimodal reasoning mean for Muse Spark?",
)
ASK_COLD = "How did Muse Spark do on HealthBench Hard?"


def log(message: str) -> None:
    print(f"[perf {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Timing:
    median: float  # seconds
    p95: float
    n: int


def time_calls(fn: Callable[[int], object], n: int, *, warmup: int = 3) -> Timing:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - started)
    return summarize(samples)


def summarize(samples: Sequence[float]) -> Timing:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return Timing(statistics.median(ordered), p95, len(ordered))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


@dataclass
class Row:
    section: str
    measure: str
    value: str
    reference: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""


ROWS: list[Row] = []


def row(
    section: str,
    measure: str,
    value: str,
    reference: str = "",
    ratio: str = "",
    target: str = "",
    met: bool | None = None,
) -> None:
    verdict = "" if met is None else ("yes" if met else "**no**")
    ROWS.append(Row(section, measure, value, reference, ratio, target, verdict))


# ---------------------------------------------------------------------------------------------- setup


def _quiet_logging() -> None:
    from bot.cli.main import configure_logging

    configure_logging("ERROR")  # the CLI's filter also holds back bm25s's and transformers' chatter


def _env() -> dict[str, str]:
    """For child processes: bytecode caches on (a normal install has them; this sandbox sets them off)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    return env


def _musebot() -> str:
    found = shutil.which("musebot", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("musebot is not installed in this interpreter's environment; run ./scripts/bootstrap.sh")
    return found


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


# Where the ONNX export every index of a run links to: the repository's, or (a fresh clone has none) the one the
# run's first build makes.
ONNX_SOURCE = ROOT / "index" / "onnx"


def _has_export(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _link_onnx_export(index_dir: Path) -> None:
    """Reuse the run's ONNX export (exporting takes ~10-20 s and torch); a missing one is made by the build."""
    index_dir.mkdir(parents=True, exist_ok=True)
    source = ONNX_SOURCE
    if _has_export(source):
        (index_dir / "onnx").symlink_to(source, target_is_directory=True)


class StandInVectors:
    """The real model's id and word-piece counts (so chunking is real), with stand-in vectors that relate the
    way real ones do (see `stand_in_vectors`). For pre-building big indexes whose vectors only FAISS timing and
    recall depend on."""

    def __init__(self, real: object, centers: np.ndarray, noise: float = 0.055) -> None:
        self.real = real
        self.model_id = real.model_id  # type: ignore[attr-defined]
        self.dim = real.dim  # type: ignore[attr-defined]
        self.centers = centers
        self.noise = noise

    def count_tokens(self, text: str) -> int:
        return self.real.count_tokens(text)  # type: ignore[attr-defined]

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: object = None) -> np.ndarray:
        return stand_in_vectors(texts, self.centers, self.noise)


_NOISE_ROWS = 4096
PREFIX_WEIGHT = 0.5  # a passage's title line weighs half a sentence
SECOND_CENTER = 0.4  # a sentence is a real embedding plus this much of another one (and noise)
UNIT_WEIGHT_SPREAD = 1.0  # a sentence weighs 1 ± this (uniform, by its hash) in its passage's vector


def _sentence_vectors(texts: Sequence[str], centers: np.ndarray, noise: float) -> np.ndarray:
    """One vector per text, a function of the text alone: a real embedding chosen by the text's hash, plus
    noise (cosine ~0.75 to it) made of two rows of a fixed random table, also chosen by the hash."""
    seeds = np.array(
        [int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little") for t in texts],
        dtype=np.uint64,
    ).reshape(-1)
    table = np.random.default_rng(13).standard_normal((_NOISE_ROWS, centers.shape[1])).astype(np.float32)
    n = np.uint64(len(centers))
    first, second = (seeds % n).astype(np.int64), ((seeds >> np.uint64(10)) % n).astype(np.int64)
    a = ((seeds >> np.uint64(24)) % np.uint64(_NOISE_ROWS)).astype(np.int64)
    b = ((seeds >> np.uint64(44)) % np.uint64(_NOISE_ROWS)).astype(np.int64)
    out = centers[first] + SECOND_CENTER * centers[second] + noise * (table[a] + table[b]) / np.float32(np.sqrt(2))
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)


def stand_in_vectors(texts: Sequence[str], centers: np.ndarray, noise: float = 0.055) -> np.ndarray:
    """Stand-in embeddings that relate like real ones. A sentence's vector is `_sentence_vectors`' (the same
    sentence always gets the same one); a passage's (an embed text: title line, newline, passage) is the
    normalised sum of its title line's and its answer units' vectors, as a mean-pooled embedding roughly is.
    So an answer unit lies near its own passage (cosine median ~0.6, as measured on real embeddings of the
    shipped and tune corpora: `calibrate_stand_ins`), and copies of a passage near each other."""
    from bot.core.text import split_answer_units

    pieces: list[list[str]] = []
    for text in texts:
        prefix, newline, body = text.partition("\n")
        units = split_answer_units(body) if newline else []
        pieces.append([prefix, *units] if units else [text])
    flat = sorted({p for parts in pieces for p in parts})
    where = {p: i for i, p in enumerate(flat)}
    vectors = _sentence_vectors(flat, centers, noise) if flat else np.zeros((0, centers.shape[1]), np.float32)
    # How much each sentence weighs in a passage's vector, by its hash: some sentences carry a passage, some
    # barely touch it, which gives the spread of the real cosines.
    hashes = [
        int.from_bytes(hashlib.blake2b(p.encode("utf-8"), digest_size=8, salt=b"w").digest(), "little") for p in flat
    ]
    weights = (1 + UNIT_WEIGHT_SPREAD * (np.array(hashes, dtype=np.float64) / 2.0**64 * 2 - 1)).astype(np.float32)
    out = np.zeros((len(texts), centers.shape[1]), dtype=np.float32)
    for row, parts in enumerate(pieces):
        if len(parts) == 1:
            out[row] = vectors[where[parts[0]]]
        else:
            rows = [where[p] for p in parts[1:]]
            out[row] = PREFIX_WEIGHT * vectors[where[parts[0]]] + weights[rows] @ vectors[rows]
    out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
    return out


REAL_UNIT_COSINES = np.zeros(1)  # of the shipped index's real embeddings, set by main()


def unit_passage_cosines(index: object) -> np.ndarray:
    """Cosine of each answer unit's vector with its own passage's, of a loaded index."""
    parents = np.array([row for row, _text in index.units], dtype=np.int64)  # type: ignore[attr-defined]
    return np.einsum("ij,ij->i", index.unit_vectors, index.vectors[parents])  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------- sections


def measure_query_embedding(service: object, model_path: Path, quick: bool) -> Timing:
    from bot.core.embedding import SentenceTransformerEmbedder

    embedder = service._get_embedder()  # type: ignore[attr-defined]
    n = 60 if quick else 200
    onnx = time_calls(lambda i: embedder.embed([QUESTIONS[i % len(QUESTIONS)]]), n)
    row("query", "embed one question, onnx (the floor of an /ask)", ms(onnx.median), f"p95 {ms(onnx.p95)}")
    log("loading the torch model for reference")
    started = time.perf_counter()
    torch_embedder = SentenceTransformerEmbedder(model_path)
    torch_load = time.perf_counter() - started
    torch_t = time_calls(lambda i: torch_embedder.embed([QUESTIONS[i % len(QUESTIONS)]]), n // 2)
    row(
        "query",
        "embed one question, torch (reference)",
        ms(torch_t.median),
        f"p95 {ms(torch_t.p95)}; load {secs(torch_load)}",
        f"{torch_t.median / onnx.median:.2f}x onnx",
    )
    return onnx


ASK_BLOCK = 10  # asks, then as many bare embeddings, in turn


def measure_warm_ask(service: object, onnx: Timing, quick: bool, *, section: str = "query", label: str = "") -> Timing:
    """Warm asks against the bare embedding of the same questions, in alternating blocks of ASK_BLOCK: the
    machine's load drifts between sections (the ratio is to this interleaved floor; `onnx` is the section's),
    and within a block each runs back to back as it would alone (one embedding right after another, an ask
    right after an ask), so neither gets the other's warm caches or threads."""
    from bot.cli.output import print_answer
    from bot.discord_app.render import render_answer

    embedder = service._get_embedder()  # type: ignore[attr-defined]

    def ask(i: int) -> None:
        answer = service.ask(QUESTIONS[i % len(QUESTIONS)])  # type: ignore[attr-defined]
        render_answer(answer)
        print_answer(io.StringIO(), answer)

    for i in range(3):
        ask(i)
    asks: list[float] = []
    embeds: list[float] = []
    n = 60 if quick else 200
    for start in range(0, n, ASK_BLOCK):
        block = range(start, min(n, start + ASK_BLOCK))
        for i in block:
            started = time.perf_counter()
            ask(i)
            asks.append(time.perf_counter() - started)
        for i in block:
            started = time.perf_counter()
            embedder.embed([QUESTIONS[i % len(QUESTIONS)]])
            embeds.append(time.perf_counter() - started)
    timing, floor = summarize(asks), summarize(embeds)
    ratio = timing.median / floor.median
    row(
        section,
        label or "warm /ask end to end (answer, Discord embed, CLI text)",
        ms(timing.median),
        f"p95 {ms(timing.p95)}; embed {ms(floor.median)} (in alternating blocks; {ms(onnx.median)} at the start)",
        f"{ratio:.2f}x embed",
        "≤ 1.5x embed",
        ratio <= 1.5,
    )
    return timing


def measure_lookups(service: object, quick: bool) -> None:
    n = 300 if quick else 1000
    bench = time_calls(lambda _i: service.benchmark_table("HealthBench Hard"), n)  # type: ignore[attr-defined]
    comp = time_calls(lambda _i: service.compare_models("Muse Spark", "GPT-5.4"), n)  # type: ignore[attr-defined]
    row(
        "lookup",
        "warm benchmark_table('HealthBench Hard')",
        ms(bench.median),
        f"p95 {ms(bench.p95)}",
        target="≤ 1 ms",
        met=bench.median <= 0.001,
    )
    row(
        "lookup",
        "warm compare_models('Muse Spark', 'GPT-5.4')",
        ms(comp.median),
        f"p95 {ms(comp.p95)}",
        target="≤ 1 ms",
        met=comp.median <= 0.001,
    )


def _first_output(command: Sequence[str], cwd: Path) -> float:
    """Seconds from starting a process to its first line on stdout (then waits for it to exit cleanly)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()
    first = time.perf_counter() - started
    _out, err = process.communicate(timeout=120)
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed: {err.decode(errors='replace')[-2000:]}")
    return first


def measure_cold_starts(work: Path, onnx_dir: Path, quick: bool) -> None:
    runs = 3 if quick else 7
    where = ["--corpus-dir", str(work / "corpus"), "--index-dir", str(work / "index")]
    musebot = _musebot()
    commands = {
        "ask": [musebot, "ask", ASK_COLD, *where],
        "benchmark": [musebot, "benchmark", "HealthBench Hard", *where],
        "python": [sys.executable, "-c", "print('ok')"],
        "torch": [sys.executable, "-c", "import torch; print('ok')"],
        "model": [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from bot.core.embedding import "
            f"OnnxEmbedder; OnnxEmbedder(Path({str(onnx_dir)!r})).embed(['x']); print('ok')",
        ],
    }
    for command in commands.values():  # write bytecode caches, warm the page cache
        _first_output(command, work)
    results: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so that noise hits every command alike
        for name, command in commands.items():
            results[name].append(_first_output(command, work))
    t = {name: summarize(samples) for name, samples in results.items()}
    row("cold start", "`python -c pass` (interpreter floor)", secs(t["python"].median), f"p95 {secs(t['python'].p95)}")
    row("cold start", '`python -c "import torch"`', secs(t["torch"].median), f"p95 {secs(t['torch'].p95)}")
    row(
        "cold start",
        "model-load floor (onnxruntime session + tokenizer + one embed)",
        secs(t["model"].median),
        f"p95 {secs(t['model'].p95)}",
    )
    row(
        "cold start",
        f"`musebot ask` to first printed answer ({runs} runs)",
        secs(t["ask"].median),
        f"p95 {secs(t['ask'].p95)}; model floor {secs(t['model'].median)}",
        f"{t['ask'].median / t['torch'].median:.2f}x import torch",
        "≤ 1 s",
        t["ask"].median <= 1.0,
    )
    row(
        "cold start",
        f"`musebot benchmark` to first printed line ({runs} runs)",
        secs(t["benchmark"].median),
        f"p95 {secs(t['benchmark'].p95)}; python {secs(t['python'].median)}",
        "",
        "≤ 0.5 s",
        t["benchmark"].median <= 0.5,
    )


def _build_texts(index: object) -> list[str]:
    return [c.embed_text for c in index.chunks] + [text for _row, text in index.units]  # type: ignore[attr-defined]


def measure_build(work: Path, embedder: object, quick: bool) -> None:
    """A fresh build against the bare model on what that build embeds: its chunks and answer units, and its
    lexicon's words (the model's vector of each word the corpus uses: a build embeds them too, and an add its
    new ones, which the add rows count the same way)."""
    from bot.core.index import EMBED_BATCH_SIZE
    from bot.core.index._build import WORD_BATCH_SIZE
    from bot.core.service import MuseService, ServiceConfig

    runs = 2 if quick else 3
    seconds, raw, raw_texts, texts, words, index = [], [], [], [], [], None
    for n in range(runs):  # a build, then the bare model on its texts, in turn: noise hits both alike
        index_dir = work / f"build-{n}"
        _link_onnx_export(index_dir)
        service = MuseService(
            ServiceConfig(corpus_dir=work / "corpus", index_dir=index_dir), embedder_factory=lambda: embedder
        )
        started = time.perf_counter()
        service.build_index()
        seconds.append(time.perf_counter() - started)
        index = service.ensure_ready(auto_build=False).index  # type: ignore[attr-defined]
        texts = _build_texts(index)
        words = list(index.lexicon.words) if index.lexicon is not None else []  # type: ignore[attr-defined]
        started = time.perf_counter()
        embedder.embed(texts, batch_size=EMBED_BATCH_SIZE)  # type: ignore[attr-defined]
        raw_texts.append(time.perf_counter() - started)
        if words:
            embedder.embed(words, batch_size=WORD_BATCH_SIZE)  # type: ignore[attr-defined]
        raw.append(time.perf_counter() - started)
    build_s, raw_s, texts_s = statistics.median(seconds), statistics.median(raw), statistics.median(raw_texts)
    chunks = len(index.chunks)  # type: ignore[union-attr]
    ratio = raw_s / build_s
    row(
        "build",
        f"index build of corpus/ ({chunks} chunks + {len(texts) - chunks} answer units + {len(words)} lexicon "
        f"words; median of {runs})",
        f"{chunks / build_s:.1f} chunks/s, {(len(texts) + len(words)) / build_s:.0f} texts/s",
        f"{secs(build_s)} per build",
    )
    row(
        "build",
        "raw model batch throughput on the same texts (chunks and units, then words)",
        f"{(len(texts) + len(words)) / raw_s:.0f} texts/s",
        f"{secs(raw_s)}; chunks and units alone {secs(texts_s)} ({texts_s / build_s:.0%} of a build)",
        f"build at {ratio:.0%}",
        "≥ 85 %",
        ratio >= 0.85,
    )


def _prebuild(root: Path, count: int, real: object, centers: np.ndarray) -> None:
    from bot.core.service import MuseService, ServiceConfig

    write_corpus(root / "corpus", count)
    _link_onnx_export(root / "index")
    stand_in = StandInVectors(real, centers)
    MuseService(
        ServiceConfig(corpus_dir=root / "corpus", index_dir=root / "index"), embedder_factory=lambda: stand_in
    ).build_index()


def measure_incremental_add(work: Path, real: object, centers: np.ndarray, quick: bool) -> Path:
    from bot.core.chunking import split_into_chunks
    from bot.core.corpus import load_article
    from bot.core.index import EMBED_BATCH_SIZE
    from bot.core.index._build import WORD_BATCH_SIZE
    from bot.core.service import MuseService, ServiceConfig
    from bot.core.text import split_answer_units

    big = work / "c1000"
    for count in (100, 1000) if quick else (100, 1000, 10_000):
        root = work / f"c{count}"
        log(f"pre-building {count} synthetic articles (real token counts, stand-in vectors)")
        _prebuild(root, count, real, centers)
        inbox = root / "inbox"
        new_paths = write_corpus(inbox, 3, start=50_000)
        service = MuseService(
            ServiceConfig(corpus_dir=root / "corpus", index_dir=root / "index"), embedder_factory=lambda: real
        )
        service.warm_up()
        adds, own_chunks, own_all, sizes = [], [], [], []

        def embed(texts: list[str], words: list[str]) -> None:
            real.embed(texts, batch_size=EMBED_BATCH_SIZE)  # type: ignore[attr-defined]
            if words:
                real.embed(words, batch_size=WORD_BATCH_SIZE)  # type: ignore[attr-defined]

        for path in new_paths[:1] if quick else new_paths:
            before = set(service.ensure_ready().index.lexicon.words)  # type: ignore[attr-defined]
            started = time.perf_counter()
            report = service.add_articles([path])
            adds.append(time.perf_counter() - started)
            chunks = split_into_chunks(load_article(path), real.count_tokens)  # type: ignore[attr-defined]
            texts = [c.embed_text for c in chunks]
            units = [u for c in chunks for u in split_answer_units(c.text)]
            words = sorted(set(service.ensure_ready().index.lexicon.words) - before)  # type: ignore[attr-defined]
            assert report.chunks_embedded == len(texts), report
            sizes.append(f"{len(texts)}+{len(units)}+{len(words)}")
            for texts_to_embed, new_words, into in ((texts, [], own_chunks), (texts + units, words, own_all)):
                into.append(time_calls(lambda _i, t=texts_to_embed, w=new_words: embed(t, w), 3, warmup=1).median)
        add_s = statistics.median(adds)
        ratio = statistics.median(a / c for a, c in zip(adds, own_chunks, strict=True))
        ratio_all = statistics.median(a / c for a, c in zip(adds, own_all, strict=True))
        segments = len(service.ensure_ready().index.views)  # type: ignore[attr-defined]
        target = ("≤ 1.5x embedding its new texts", ratio_all <= 1.5) if count >= 1000 else ("", None)
        row(
            "add",
            f"add 1 article (chunks+units+new words: {', '.join(sizes)}) to {count:,} articles, warm service, median",
            secs(add_s),
            f"its chunks alone {secs(statistics.median(own_chunks))}; "
            f"all its new texts {secs(statistics.median(own_all))}; {segments} segments after",
            f"{ratio:.1f}x chunks, {ratio_all:.2f}x new texts",
            target[0],
            target[1],
        )

        # the same through the CLI: a fresh process that loads the index and the model first
        third = write_corpus(inbox, 1, start=60_000)[0]
        where = ["--corpus-dir", str(root / "corpus"), "--index-dir", str(root / "index")]
        started = time.perf_counter()
        subprocess.run(
            [_musebot(), "index", "add", str(third), *where], env=_env(), check=True, capture_output=True, timeout=600
        )
        row(
            "add",
            f"`musebot index add` of 1 article to {count:,} articles (cold process)",
            secs(time.perf_counter() - started),
        )

    return big


def _scale_index(work: Path, source: object, target_chunks: int, real: object, centers: np.ndarray) -> Path:
    """An index of ~target_chunks chunks built through build_index: the 1,000-article corpus's articles and
    chunks repeated under new ids (each copy's text made distinct), with stand-in vectors."""
    from bot.core.index import build_index
    from bot.core.models import Chunk

    per_article: dict[str, list[Chunk]] = {}
    for chunk in source.chunks:  # type: ignore[attr-defined]
        per_article.setdefault(chunk.article_id, []).append(chunk)
    base = list(source.articles.values())  # type: ignore[attr-defined]
    articles, chunks_of = [], {}
    copy = 0
    total = 0
    while total < target_chunks:
        for article in base:
            if total >= target_chunks:
                break
            new_id = f"s{copy:03d}-{article.id}"
            tag = f" (edition {copy})"
            articles.append(
                replace(article, id=new_id, title=article.title + tag, body=article.body + tag, content_hash="")
            )
            chunks_of[new_id] = tuple(
                replace(
                    c, id=f"{new_id}#{c.ordinal}", article_id=new_id, text=c.text + tag, embed_text=c.embed_text + tag
                )
                for c in per_article.get(article.id, [])
            )
            total += len(chunks_of[new_id])
        copy += 1
    root = work / f"scale-{target_chunks}"
    _link_onnx_export(root / "index")
    (root / "corpus").mkdir(parents=True)
    stand_in = StandInVectors(real, centers)
    build_index(articles, lambda a: chunks_of[a.id], stand_in, root / "index", extract_facts=lambda _a, _c: ())
    return root


def measure_scale(work: Path, big: Path, real: object, centers: np.ndarray, onnx: Timing, quick: bool) -> None:
    from bot.core.index import choose_faiss_type
    from bot.core.service import MuseService, ServiceConfig

    source = (
        MuseService(ServiceConfig(corpus_dir=big / "corpus", index_dir=big / "index"))
        .ensure_ready(auto_build=False)
        .index
    )  # type: ignore[attr-defined]
    sizes = (10_000,) if quick else (10_000, 100_000)
    for size in sizes:
        log(f"building a {size:,}-chunk index (stand-in vectors)")
        started = time.perf_counter()
        root = _scale_index(work, source, size, real, centers)
        build_s = time.perf_counter() - started
        service = MuseService(
            ServiceConfig(corpus_dir=root / "corpus", index_dir=root / "index"), embedder_factory=lambda: real
        )
        started = time.perf_counter()
        index = service.ensure_ready(auto_build=False).index  # type: ignore[attr-defined]
        load_s = time.perf_counter() - started
        manifest = index.manifest
        units = len(index.units)
        picked = f"chunks: {manifest['faiss_type']}, units ({units:,}): {manifest['unit_faiss_type']}"
        assert manifest["faiss_type"] == choose_faiss_type(len(index.chunks))
        measure_warm_ask(
            service, onnx, quick, section="scale", label=f"warm /ask at {len(index.chunks):,} chunks ({picked})"
        )
        ROWS[-1].reference += f"; build {build_s:.0f} s, load {load_s:.1f} s"
        if size != 10_000:  # ≤ 1.5x up to 10k chunks, ≤ 2x at 100k
            ratio = float(ROWS[-1].ratio.split("x")[0])
            ROWS[-1].target, ROWS[-1].met = "≤ 2x embed", "yes" if ratio <= 2.0 else "**no**"
        _recall(index, real)
        stand_in = unit_passage_cosines(index)
        row("scale", f"stand-in calibration: cosine of an answer unit with its own passage, {size:,}-chunk index",
            f"mean {stand_in.mean():.2f}, sd {stand_in.std():.2f}",
            f"real embeddings, shipped corpus: mean {REAL_UNIT_COSINES.mean():.2f}, sd {REAL_UNIT_COSINES.std():.2f} "
            f"({len(REAL_UNIT_COSINES)} units); 5/50/95th pct stand-in "
            + "/".join(f"{v:.2f}" for v in np.percentile(stand_in, [5, 50, 95]))
            + " vs real " + "/".join(f"{v:.2f}" for v in np.percentile(REAL_UNIT_COSINES, [5, 50, 95])))  # fmt: skip
        del service, index


def _recall(index: object, real: object) -> None:
    """recall@10 against exact search, for real questions and perturbed passages and sentences: of the chunk
    index when it is HNSW, and of the answer units the query path finds (`search.search_passages` calls
    `search_units`: exact in a segment of up to UNIT_FLAT_LIMIT units, its inverted file above)."""
    from bot.core.index import UNIT_FLAT_LIMIT
    from bot.core.index._dense import ivf_lists, ivf_probes

    rng = np.random.default_rng(1)
    texts = list(QUESTIONS)
    queries = list(real.embed(texts))  # type: ignore[attr-defined]
    vectors, unit_vectors = index.vectors, index.unit_vectors  # type: ignore[attr-defined]
    for matrix in (vectors, unit_vectors):
        picks = rng.integers(0, len(matrix), 80)
        noisy = matrix[picks] + 0.03 * rng.standard_normal((80, matrix.shape[1])).astype(np.float32)
        queries += list(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
        texts += [""] * 80
    if index.manifest["faiss_type"] == "hnsw":  # type: ignore[attr-defined]
        hits = [
            len(set(np.argsort(-(vectors @ q))[:10].tolist()) & {r for r, _ in index.search_dense(q, 10)}) / 10  # type: ignore[attr-defined]
            for q in queries
        ]
        row("scale", f"recall@10, HNSW vs exact, {len(vectors):,} chunks ({len(queries)} queries)",
            f"{float(np.mean(hits)):.3f}", "efSearch 64, M 32, efConstruction 80")  # fmt: skip
    hits = []
    for query in queries:
        # A found unit counts when it scores at least the exact 10th: the synthetic corpus repeats sentences
        # (templates, and copies of articles), and identical sentences tie.
        exact_scores = unit_vectors @ query
        tenth = np.partition(exact_scores, len(exact_scores) - 10)[len(exact_scores) - 10]
        found = {r for r, _ in index.search_units(query, 10)}  # type: ignore[attr-defined]
        hits.append(sum(1 for r in found if exact_scores[r] >= tenth) / 10)
    recall = float(np.mean(hits))
    by_kind = ", ".join(
        f"{kind} {float(np.mean(part)):.2f}"
        for kind, part in (("questions", hits[:20]), ("near passages", hits[20:100]), ("near units", hits[100:]))
    )
    segments = [v.segment for v in index.views]  # type: ignore[attr-defined]
    ivf = [len(s.unit_texts) for s in segments if len(s.unit_texts) > UNIT_FLAT_LIMIT]
    how = (
        "IVF " + ", ".join(f"{n:,} units: {ivf_probes(ivf_lists(n))} of {ivf_lists(n)} lists" for n in ivf)
        if ivf
        else "exact scan"
    )
    row(
        "scale",
        f"unit recall@10 of the query path vs exact, {len(unit_vectors):,} answer units ({len(queries)} queries)",
        f"{recall:.3f}",
        f"{how}; ties count; {by_kind}",
        target="≥ 0.95",
        met=recall >= 0.95,
    )


def measure_serving_memory(work: Path) -> None:
    """ru_maxrss of a fresh process; run while this one is still small, since a child's ru_maxrss starts from
    its parent's size at fork (VmHWM, reset at exec, is printed beside it as a check)."""
    code = (
        "import resource, sys, io; from pathlib import Path\n"
        "from bot.core.service import MuseService, ServiceConfig\n"
        "from bot.cli.output import print_answer\n"
        "from bot.discord_app.render import render_answer\n"
        f"s = MuseService(ServiceConfig(corpus_dir=Path({str(work / 'corpus')!r}), "
        f"index_dir=Path({str(work / 'index')!r})))\n"
        "s.warm_up()\n"
        f"for q in {list(QUESTIONS)!r}:\n"
        "    a = s.ask(q); render_answer(a); print_answer(io.StringIO(), a)\n"
        "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, hwm)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(), capture_output=True, text=True, check=True, timeout=300
    )
    maxrss, hwm = (int(value) / 1024 for value in out.stdout.strip().splitlines()[-1].split())
    row(
        "memory",
        "peak RSS (ru_maxrss) of a serving process: shipped index, model, 20 questions, Discord render",
        f"{maxrss:.0f} MB",
        f"VmHWM {hwm:.0f} MB",
        target="≤ 300 MB",
        met=maxrss <= 300,
    )


# ---------------------------------------------------------------------------------------------- main


def print_table(started: float) -> None:
    print(f"musebot speed, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}")
    print(f"{_machine()}; `.venv/bin/python benchmarks/perf.py` took {time.perf_counter() - started:.0f} s\n")
    print("| area | measure | median (or value) | floor / detail | ratio | target | met |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    order = ("query", "lookup", "cold start", "build", "add", "scale", "memory")
    for r in sorted(ROWS, key=lambda r: order.index(r.section)):
        print(f"| {r.section} | {r.measure} | {r.value} | {r.reference} | {r.ratio} | {r.target} | {r.met} |")


def main(argv: Sequence[str] | None = None) -> int:
    global ONNX_SOURCE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 100k-chunk index (a smoke run)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp folder)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    _quiet_logging()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    from bot.core.embedding import resolve_model_path
    from bot.core.service import MuseService, ServiceConfig

    work = args.keep or Path(tempfile.mkdtemp(prefix="musebot-perf-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(ROOT / "corpus", work / "corpus")
        _link_onnx_export(work / "index")
        exports = not _has_export(ONNX_SOURCE)
        log("building the shipped corpus's index (`musebot index build`, a fresh process)")
        where = ["--corpus-dir", str(work / "corpus"), "--index-dir", str(work / "index")]
        started = time.perf_counter()
        subprocess.run([_musebot(), "index", "build", *where], env=_env(), check=True, capture_output=True)
        row(
            "build",
            "`musebot index build` of corpus/, cold process (one run)",
            secs(time.perf_counter() - started),
            "with the one-time ONNX export (none in index/ yet)" if exports else "the ONNX export reused",
        )
        if exports:  # every later index of this run links to the export this build made
            ONNX_SOURCE = work / "index" / "onnx"
        log("serving memory")
        measure_serving_memory(work)
        service = MuseService(ServiceConfig(corpus_dir=work / "corpus", index_dir=work / "index"))
        service.warm_up()
        real = service._get_embedder()
        onnx_dir = Path(real.onnx_dir)  # type: ignore[attr-defined]
        index = service.ensure_ready(auto_build=False).index
        centers = np.vstack([index.vectors, index.unit_vectors])  # real embeddings to cluster stand-ins around
        global REAL_UNIT_COSINES
        REAL_UNIT_COSINES = unit_passage_cosines(index)

        log("query embedding and warm /ask")
        onnx = measure_query_embedding(service, resolve_model_path(""), args.quick)
        measure_warm_ask(service, onnx, args.quick)
        measure_lookups(service, args.quick)
        log("cold starts")
        measure_cold_starts(work, onnx_dir, args.quick)
        log("index build throughput")
        measure_build(work, real, args.quick)
        log("incremental add")
        big = measure_incremental_add(work, real, centers, args.quick)
        log("retrieval at scale")
        measure_scale(work, big, real, centers, onnx, args.quick)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print_table(started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
