"""What recording a question costs a warm /ask: the same questions through the QuestionLoop with the log on and off.

Run: .venv/bin/python benchmarks/recording.py [--n 400]. The shipped corpus is copied and indexed in a temporary
folder (the real model), then three arms are interleaved question by question, their order rotated: off, on,
and off again (an A/A control: how far two identical arms differ is the harness's noise floor).
Recording only builds a row and queues it; the SQLite write happens on the log's own thread.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = (
    "How did Muse Spark do on HealthBench Hard?",
    "Who leads Meta Superintelligence Labs?",
    "What is the parameter count of Muse Spark?",
    "gdpval-aa elo for muse spark",
    "Is Muse Spark open source?",
)
TARGET_MS = 0.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="asks per side (default 400)")
    args = parser.parse_args()

    from bot.core.records import Origin, QuestionLog, QuestionLoop
    from bot.core.service import MuseService, ServiceConfig

    with tempfile.TemporaryDirectory(prefix="musebot-recording-") as folder:
        work = Path(folder)
        shutil.copytree(ROOT / "corpus", work / "corpus")
        (work / "index").mkdir()
        if (ROOT / "index" / "onnx").is_dir():
            (work / "index" / "onnx").symlink_to(ROOT / "index" / "onnx", target_is_directory=True)
        service = MuseService(ServiceConfig(corpus_dir=work / "corpus", index_dir=work / "index"))
        service.warm_up()
        question_log = QuestionLog(work / "data")
        arms = ("off", "on", "off again")
        loops = {"off": QuestionLoop(service, None), "on": QuestionLoop(service, question_log),
                 "off again": QuestionLoop(service, None)}  # fmt: skip
        origin = Origin("discord", guild_id=1, channel_id=2, user_id=3)
        samples: dict[str, list[float]] = {arm: [] for arm in arms}
        for i in range(args.n + 20):
            question = QUESTIONS[(i // 3) % len(QUESTIONS)]
            for side in arms[i % 3 :] + arms[: i % 3]:
                started = time.perf_counter()
                loops[side].ask(question, origin)
                if i >= 20:  # the first 20 warm caches
                    samples[side].append(time.perf_counter() - started)
        started = time.perf_counter()
        question_log.close()
        drain = time.perf_counter() - started
        record_only = []
        lone = QuestionLoop(service, QuestionLog(work / "data-lone"))
        answer = service.ask(QUESTIONS[0])
        for _ in range(2000):
            started = time.perf_counter()
            lone._record(answer, QUESTIONS[0], "", origin)  # the part that recording adds to an answer
            record_only.append(time.perf_counter() - started)
        lone.close()
    medians = {arm: statistics.median(values) * 1000 for arm, values in samples.items()}
    off = (medians["off"] + medians["off again"]) / 2
    cost, noise = medians["on"] - off, abs(medians["off again"] - medians["off"])
    record_ms = statistics.median(record_only) * 1000
    for arm in arms:
        print(f"warm ask, recording {arm}: median {medians[arm]:.2f} ms  (n={len(samples[arm])})")
    print(f"cost per ask: {cost:+.3f} ms (A/A noise floor {noise:.3f} ms); recording alone (row + queue, what the "
          f"answer waits for) median {record_ms:.4f} ms; target ≤ {TARGET_MS} ms")  # fmt: skip
    print(f"writing the queued rows at close: {drain * 1000:.1f} ms (on the log's thread, after the answers)")
    return 0 if cost <= TARGET_MS + noise and record_ms <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
