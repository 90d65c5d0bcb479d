"""musebot's command line: the parser, the dispatch, logging, and the one place errors become exit codes.

Thin on purpose: every command reads settings once, builds one MuseService and calls it. Heavy modules
(torch, FAISS, discord.py, rich) are imported only by the commands that need them, so `musebot benchmark`
answers from a cold start without loading the model.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli import ask, context, evaluate, index, lookups, loop, output, run
from bot.core.errors import MusebotError

NOISY_LOGGERS = ("httpx", "urllib3", "sentence_transformers", "transformers", "trafilatura", "bm25s", "faiss",
                 "discord.gateway", "htmldate", "courlan")  # fmt: skip


def _is_quiet_enough(record: logging.LogRecord) -> bool:
    """Third-party chatter stays below WARNING even if a library turns its own logger up on import."""
    return record.levelno >= logging.WARNING or not record.name.startswith(NOISY_LOGGERS)


def configure_logging(level: str) -> None:
    """The one place logging is configured (stderr; musebot's own modules at `level`)."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(_is_quiet_enough)


def build_parser() -> argparse.ArgumentParser:
    from bot import __version__

    parser = argparse.ArgumentParser(prog="musebot", description="Cited answers about Meta's Muse Spark launch.")
    parser.add_argument("--version", action="version", version=f"musebot {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ask.add_ask_command(sub)
    lookups.add_commands(sub)
    index.add_commands(sub)
    evaluate.add_commands(sub)
    ask.add_chat_command(sub)
    loop.add_commands(sub)
    run.add_commands(sub)
    return parser


def _log_level(args: argparse.Namespace) -> str:
    """The bot logs at the configured level; one-shot commands only say what went wrong."""
    if args.verbose:
        return "DEBUG"
    if args.command != "run":
        return "WARNING"
    from bot.config import load_settings

    try:
        return load_settings().logging.log_level
    except MusebotError:
        return "INFO"  # the command itself reports the bad setting


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(_log_level(args))
    try:
        return int(args.func(args) or context.EXIT_OK)
    except MusebotError as error:  # the one error root: anything else is a bug, and shows as one
        output.print_error(str(error))
        return context.EXIT_ERROR
    except KeyboardInterrupt:
        return 130
