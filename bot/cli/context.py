"""What every command is given: its settings (flags over the environment), the service, the question loop.

Commands call `make_service` through this module (`context.make_service(...)`), so that tests can swap in
a service with a fake embedder in one place.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import QuerySettings, RecordSettings, Setting, Settings
    from bot.core.records import QuestionLoop
    from bot.core.service import MuseService, ServiceConfig

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

# The flags that override a setting: (flag, field of the schema). Their help and bounds come from bot/config.py.
LOCATION_FLAGS = (("--corpus-dir", "corpus_dir"), ("--index-dir", "index_dir"), ("--data-dir", "data_dir"))


def load_query_settings(args: argparse.Namespace) -> QuerySettings:
    """The settings a one-shot query reads (no Discord section: a bad Discord setting cannot stop `ask`)."""
    from bot import config

    return config.load_query_settings(
        corpus_dir=getattr(args, "corpus_dir", None),
        index_dir=getattr(args, "index_dir", None),
        data_dir=getattr(args, "data_dir", None),
        top_k=getattr(args, "top_k", None),
    )


def load_settings(args: argparse.Namespace) -> Settings:
    from bot import config

    return config.load_settings(
        corpus_dir=getattr(args, "corpus_dir", None),
        index_dir=getattr(args, "index_dir", None),
        data_dir=getattr(args, "data_dir", None),
        top_k=getattr(args, "top_k", None),
    )


def make_service(config: ServiceConfig) -> MuseService:
    from bot.core.service import MuseService

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub: the model ships in a package
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    return MuseService(config)


def make_question_loop(service: MuseService, records: RecordSettings) -> QuestionLoop:
    """The loop over `service`, recording into the data dir unless MUSEBOT_RECORD=false."""
    from bot.core.records import QuestionLog, QuestionLoop

    question_log = QuestionLog(records.data_dir, retention_days=records.record_days) if records.record else None
    return QuestionLoop(service, question_log, retention_days=records.record_days, data_dir=records.data_dir)


def _setting(field: str) -> tuple[str, str, Setting, str, object]:
    from bot.config import SECTIONS

    for section in SECTIONS.values():
        for found in section.settings():
            if found[0] == field:
                return found
    raise KeyError(field)  # a bug: a flag names a field the schema lacks


def _flag_help(field: str) -> str:
    _name, variable, spec, _kind, default = _setting(field)
    shown = f"{spec.example}/" if isinstance(spec.example, str) else default
    return f"{spec.help.split(' (')[0].rstrip('.').lower()} (env {variable}; default {shown})"


def add_location_options(parser: argparse.ArgumentParser) -> None:
    for flag, field in LOCATION_FLAGS:
        parser.add_argument(flag, type=Path, help=_flag_help(field))


def top_k_flag() -> Callable[[str], int]:
    """--top-k as argparse checks it, with the bounds of MUSEBOT_TOP_K, so that its message names the flag."""
    from bot.config import SettingError, parse_value

    _name, _variable, spec, kind, _default = _setting("top_k")

    def parse(raw: str) -> int:
        try:
            value: int = parse_value(raw, spec, kind)
        except SettingError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return value

    return parse


def add_top_k_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--top-k", type=top_k_flag(), help=_flag_help("top_k"))
