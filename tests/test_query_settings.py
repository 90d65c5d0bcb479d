"""The pydantic-free settings of the query commands agree with bot.settings.Settings, field by field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import MusebotError
from bot.query_settings import QuerySettings, load_query_settings
from bot.settings import load_settings

FIELDS = tuple(QuerySettings.__dataclass_fields__)
VARIABLES = ("MUSEBOT_CORPUS_DIR", "MUSEBOT_INDEX_DIR", "MUSEBOT_MODEL_PATH", "MUSEBOT_EMBED_BACKEND",
             "MUSEBOT_TOP_K", "MUSEBOT_ABSTAIN_THRESHOLD", "MUSEBOT_DATA_DIR", "MUSEBOT_RECORD",
             "MUSEBOT_RECORD_DAYS")  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)  # where .env is looked for


def _both(**overrides: object) -> tuple[dict[str, object], dict[str, object]]:
    full = load_settings(**overrides)
    return {name: getattr(full, name) for name in FIELDS}, {
        name: getattr(load_query_settings(**overrides), name) for name in FIELDS
    }


def test_defaults_agree() -> None:
    full, light = _both()
    assert full == light


def test_environment_then_env_file_then_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# comment\nMUSEBOT_TOP_K=7\nMUSEBOT_ABSTAIN_THRESHOLD=0.6\nMUSEBOT_MODEL_PATH=\n"
        "musebot_corpus_dir=from-env-file\nMUSEBOT_EMBED_BACKEND='torch'\nDISCORD_TOKEN=secret\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MUSEBOT_TOP_K", "9")  # the environment wins over .env
    full, light = _both()
    assert full == light
    assert (light["top_k"], light["abstain_threshold"], light["embed_backend"]) == (9, 0.6, "torch")
    assert light["corpus_dir"] == Path("from-env-file")

    full, light = _both(top_k=3, index_dir=tmp_path / "idx")  # flags win over both
    assert full == light
    assert (light["top_k"], light["index_dir"]) == (3, tmp_path / "idx")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("MUSEBOT_TOP_K", "zero"), ("MUSEBOT_TOP_K", "21"), ("MUSEBOT_TOP_K", "0"), ("MUSEBOT_EMBED_BACKEND", "tf"),
     ("MUSEBOT_ABSTAIN_THRESHOLD", "high"), ("MUSEBOT_RECORD", "maybe"), ("MUSEBOT_RECORD_DAYS", "0")],
)  # fmt: skip
def test_both_refuse_the_same_bad_values(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(MusebotError, match="Invalid settings") as full:
        load_settings()
    with pytest.raises(MusebotError, match=f"Invalid settings \\({variable}: .*see .env.example") as light:
        load_query_settings()
    assert variable.lower() in str(full.value).lower()
    assert "check your environment and .env" in str(light.value)
