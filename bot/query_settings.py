"""The settings a one-shot query (`musebot ask | benchmark | model | compare`) reads, without pydantic.

Importing pydantic-settings takes ~0.2 s, a fifth of a cold `musebot ask`. These settings are read
with the same variable names, defaults, precedence (flags > environment > .env > defaults), .env parser
(python-dotenv) and bounds as `bot.settings.Settings`, which every other command and the Discord bot
use; tests/test_query_settings.py checks that the two agree.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import MusebotError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = ".env"


@dataclass(frozen=True, slots=True)
class QuerySettings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    model_path: str = ""
    embed_backend: str = "onnx"
    top_k: int = 5
    abstain_threshold: float = 0.75
    data_dir: Path = PROJECT_ROOT / "data"
    record: bool = True
    record_days: int = 90


def _parse_top_k(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("Input should be a valid integer") from None
    if not 1 <= value <= 20:
        raise ValueError("Input should be between 1 and 20")
    return value


def _parse_threshold(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError("Input should be a valid number") from None
    if not math.isfinite(value):
        raise ValueError("Input should be a finite number")
    if not 0.0 <= value <= 1.0:
        raise ValueError("Input should be between 0 and 1")
    return value


_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise ValueError("Input should be a valid boolean, unable to interpret input")


def _parse_days(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("Input should be a valid integer") from None
    if not 1 <= value <= 3650:
        raise ValueError("Input should be between 1 and 3650")
    return value


def _parse_backend(raw: str) -> str:
    if raw not in {"onnx", "torch"}:
        raise ValueError("MUSEBOT_EMBED_BACKEND must be 'onnx' or 'torch'")
    return raw


# field: (variable, parse); a parse raises ValueError saying what is wrong, as pydantic would.
_FIELDS = {
    "corpus_dir": ("MUSEBOT_CORPUS_DIR", Path),
    "index_dir": ("MUSEBOT_INDEX_DIR", Path),
    "model_path": ("MUSEBOT_MODEL_PATH", str),
    "embed_backend": ("MUSEBOT_EMBED_BACKEND", _parse_backend),
    "top_k": ("MUSEBOT_TOP_K", _parse_top_k),
    "abstain_threshold": ("MUSEBOT_ABSTAIN_THRESHOLD", _parse_threshold),
    "data_dir": ("MUSEBOT_DATA_DIR", Path),
    "record": ("MUSEBOT_RECORD", _parse_bool),
    "record_days": ("MUSEBOT_RECORD_DAYS", _parse_days),
}


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {key.lower(): value for key, value in dotenv_values(path, encoding="utf-8").items() if value is not None}


def load_query_settings(**overrides: object) -> QuerySettings:
    """Read the settings once; explicit overrides (from CLI flags, None = not given) win over the environment."""
    environment = {key.lower(): value for key, value in os.environ.items()}
    env_file = _read_env_file(Path(ENV_FILE))
    values: dict[str, object] = {}
    problems: list[str] = []
    for name, (variable, parse) in _FIELDS.items():
        override = overrides.get(name)
        raw = environment.get(variable.lower(), env_file.get(variable.lower()))
        try:
            if override is not None:
                values[name] = parse(str(override)) if name == "top_k" else override
            elif raw is not None:
                values[name] = parse(raw)
        except ValueError as error:
            problems.append(f"{variable}: {error}")
    if problems:
        raise MusebotError(
            f"Invalid settings ({'; '.join(problems)}); check your environment and .env (see .env.example)"
        )
    return QuerySettings(**values)  # type: ignore[arg-type]
