"""`musebot run`: the Discord bot, with the service, the URL fetcher and the question loop handed in."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli import context


def add_commands(sub: Any) -> None:
    run = sub.add_parser("run", help="start the Discord bot (needs DISCORD_TOKEN)")
    context.add_location_options(run)
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.core.fetching import make_url_fetcher
    from bot.discord_app.client import run_bot

    settings = context.load_settings(args)
    service = context.make_service(settings.service_config())
    fetcher = make_url_fetcher(
        timeout=settings.fetching.fetch_timeout_seconds,
        max_bytes=settings.fetching.max_upload_bytes,
        allow_private=settings.fetching.allow_private_urls,
    )
    loop = context.make_question_loop(service, settings.records)
    try:
        run_bot(settings.bot_config(), service, fetch_article_url=fetcher, question_loop=loop)
    finally:
        loop.close()
    return context.EXIT_OK
