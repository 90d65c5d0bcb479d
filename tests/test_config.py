"""The one settings schema (bot/config.py): precedence, bounds, messages, derived configs and .env.example."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    PROJECT_ROOT,
    QUERY_SECTIONS,
    SECTIONS,
    Secret,
    load_query_settings,
    load_settings,
    render_env_example,
)
from bot.core.errors import MusebotError
from bot.core.service import ServiceConfig

VARIABLES = [variable for section in SECTIONS.values() for _name, variable, *_ in section.settings()]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)  # where .env is looked for


def test_each_setting_has_one_name_and_one_variable() -> None:
    names = [name for section in SECTIONS.values() for name, *_ in section.settings()]
    assert len(names) == len(set(names)) == 23
    assert len(VARIABLES) == len(set(VARIABLES))
    assert "DISCORD_TOKEN" in VARIABLES
    assert all(v.startswith("MUSEBOT_") for v in VARIABLES if v != "DISCORD_TOKEN")


def test_defaults() -> None:
    settings = load_settings()
    assert settings.index.corpus_dir == PROJECT_ROOT / "corpus"
    assert settings.index.index_dir == PROJECT_ROOT / "index"
    assert settings.records.data_dir == PROJECT_ROOT / "data"
    assert (settings.index.model_path, settings.index.embed_backend) == ("", "onnx")
    assert (settings.answers.top_k, settings.answers.abstain_threshold) == (5, None)
    assert (settings.records.record, settings.records.record_days) == (True, 90)
    assert settings.discord.discord_token is None
    assert (settings.discord.guild_ids, settings.discord.shard_count) == ([], None)
    query = load_query_settings()
    assert (query.index, query.answers, query.records) == (settings.index, settings.answers, settings.records)


def test_environment_then_env_file_then_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# comment\nMUSEBOT_TOP_K=7\nMUSEBOT_ABSTAIN_THRESHOLD=0.6\nMUSEBOT_MODEL_PATH=\n"
        "musebot_corpus_dir=from-env-file\nMUSEBOT_EMBED_BACKEND='torch'\nDISCORD_TOKEN=secret\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MUSEBOT_TOP_K", "9")  # the environment wins over .env
    settings = load_settings()
    light = load_query_settings()
    assert (light.index, light.answers) == (settings.index, settings.answers)
    assert (light.answers.top_k, light.answers.abstain_threshold, light.index.embed_backend) == (9, 0.6, "torch")
    assert light.index.corpus_dir == Path("from-env-file")
    assert settings.discord.discord_token == Secret("secret")
    assert "secret" not in repr(settings)  # the token never shows in a repr or a log line

    light = load_query_settings(top_k=3, index_dir=tmp_path / "idx")  # flags win over both
    assert (light.answers.top_k, light.index.index_dir) == (3, tmp_path / "idx")
    assert load_settings(env_file=None).answers.top_k == 9  # no .env read: the environment, then defaults


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [("MUSEBOT_TOP_K", "zero", "a whole number from 1 to 20"), ("MUSEBOT_TOP_K", "21", "a whole number from 1 to 20"),
     ("MUSEBOT_TOP_K", "0", "a whole number from 1 to 20"), ("MUSEBOT_EMBED_BACKEND", "tf", "one of onnx, torch"),
     ("MUSEBOT_ABSTAIN_THRESHOLD", "high", "a number from 0 to 1"), ("MUSEBOT_RECORD", "maybe", "true or false"),
     ("MUSEBOT_RECORD_DAYS", "0", "a whole number from 1 to 3650")],
)  # fmt: skip
def test_a_bad_value_names_its_variable_and_what_it_takes(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    for load in (load_settings, load_query_settings):
        with pytest.raises(MusebotError) as refused:
            load()
        message = str(refused.value)
        assert message.startswith(f"Invalid settings ({variable}: expected {expected}, not {value!r})")
        assert message.endswith("check your environment and .env (see .env.example)")


def test_a_query_does_not_read_the_discord_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSEBOT_SHARD_COUNT", "many")
    assert load_query_settings().answers.top_k == 5  # `musebot ask` is not stopped by a bad Discord setting
    with pytest.raises(MusebotError, match="MUSEBOT_SHARD_COUNT: expected a whole number of at least 1"):
        load_settings()


def test_a_bad_override_names_the_flag() -> None:
    with pytest.raises(MusebotError, match=r"Invalid settings \(--top-k: expected a whole number from 1 to 20, not 0"):
        load_query_settings(top_k=0)
    with pytest.raises(MusebotError, match="MUSEBOT_CONVERSATION_MINUTES: expected a number above 0 and at most 1440"):
        load_settings(conversation_minutes=0)  # no flag: the variable is named
    with pytest.raises(TypeError, match="top_kk"):
        load_settings(top_kk=3)  # a misspelt override is a bug, not a setting


def test_derived_configs(tmp_path: Path) -> None:
    settings = load_settings(env_file=None, environ={"MUSEBOT_ABSTAIN_THRESHOLD": "0.4"}, index_dir=tmp_path)
    assert settings.service_config() == ServiceConfig(
        corpus_dir=PROJECT_ROOT / "corpus", index_dir=tmp_path, top_k=5, abstain_threshold=0.4
    )
    bot = load_settings(
        env_file=None, environ={"DISCORD_TOKEN": "t0ken", "MUSEBOT_GUILD_IDS": "1; 2,3"}, conversation_minutes=5
    ).bot_config()
    assert bot.discord_token is not None
    assert bot.discord_token.get_secret_value() == "t0ken"
    assert (bot.guild_ids, bot.conversation_minutes, bot.max_upload_bytes) == ([1, 2, 3], 5.0, 5 * 1024 * 1024)


def test_query_sections_are_a_part_of_all_sections() -> None:
    assert set(QUERY_SECTIONS.items()) <= set(SECTIONS.items())


def test_env_example_is_written_from_the_schema() -> None:
    shipped = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    assert shipped == render_env_example(), "run: .venv/bin/python -m bot.config > .env.example"
    for variable in VARIABLES:
        assert f"{variable}=" in shipped


def test_env_example_loads_as_the_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(render_env_example(), encoding="utf-8")
    assert load_settings() == load_settings(env_file=None)


def test_a_section_names_its_variables_with_its_own_prefix() -> None:
    from dataclasses import dataclass

    from bot.config import Section, setting

    @dataclass(frozen=True, slots=True, kw_only=True)
    class Elsewhere(Section, env_prefix="OTHER_", title="Elsewhere"):
        depth: int = setting(2, low=1, help="How deep.")
        token: str = setting("", env="SOME_TOKEN", help="")

    assert [variable for _name, variable, *_ in Elsewhere.settings()] == ["OTHER_DEPTH", "SOME_TOKEN"]
    assert Elsewhere.title == "Elsewhere"
