"""Cold `musebot ask` and `musebot benchmark` of two source trees, side by side in one run.

    .venv/bin/python benchmarks/cold_compare.py BEFORE_TREE AFTER_TREE \
        --corpus-dir C --index-dir I --data-dir D [--runs 15]

Each run is a fresh `python -m bot …` process started in the tree (so that tree's `bot/` is imported), timed
to its first line on stdout. Runs are interleaved so that noise on a shared machine hits both trees alike.
Both trees read the same index, which must already be built and up to date with the corpus.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = {
    "ask": ["ask", "How did Muse Spark do on HealthBench Hard?"],
    "benchmark": ["benchmark", "HealthBench Hard"],
}


def _first_output(tree: Path, argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *argv], cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    process.stdout.readline()
    first = time.perf_counter() - started
    _out, err = process.communicate(timeout=120)
    if process.returncode != 0:
        raise RuntimeError(f"{tree}: {argv} failed: {err.decode(errors='replace')[-2000:]}")
    return first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--corpus-dir", type=Path, required=True)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True, help="where both record their questions")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {
        **os.environ,
        "MUSEBOT_CORPUS_DIR": str(args.corpus_dir.resolve()),
        "MUSEBOT_INDEX_DIR": str(args.index_dir.resolve()),
        "MUSEBOT_DATA_DIR": str(args.data_dir.resolve()),
        "NO_COLOR": "1",
    }
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for tree in trees.values():  # bytecode caches and the page cache, for both alike
        for argv in COMMANDS.values():
            _first_output(tree, argv, env)
    samples: dict[tuple[str, str], list[float]] = {(t, c): [] for t in trees for c in COMMANDS}
    for _ in range(args.runs):
        for command, argv in COMMANDS.items():
            for name, tree in trees.items():
                samples[(name, command)].append(_first_output(tree, argv, env))
    print(f"| command | before median | after median | after / before | ({args.runs} interleaved runs each)")
    print("| --- | --- | --- | --- |")
    for command in COMMANDS:
        before = statistics.median(samples[("before", command)])
        after = statistics.median(samples[("after", command)])
        print(f"| `musebot {command}` | {before:.3f} s | {after:.3f} s | {after / before:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
