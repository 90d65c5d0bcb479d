#!/usr/bin/env bash
# The README's test command (and so .ci/run): install, then lint, type-check and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
.venv/bin/ruff check bot tests benchmarks scripts
.venv/bin/ruff format --check bot tests benchmarks scripts
.venv/bin/mypy bot
.venv/bin/python -m pytest -q "$@"
