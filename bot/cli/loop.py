"""`musebot report`: what the bot could not answer, 👎 with comments, volume and sources (bot/core/records)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import Any

from bot.cli import context, output


def add_commands(sub: Any) -> None:
    report = sub.add_parser("report", help="what the bot could not answer, 👎 with comments, volume and sources")
    report.add_argument("--json", action="store_true")
    report.add_argument("--since", type=int, default=7, metavar="DAYS", help="look back this many days (default 7)")
    context.add_location_options(report)
    report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from bot.core.errors import MusebotError
    from bot.core.records import describe_report_lines

    if not 1 <= args.since <= 3650:
        raise MusebotError("--since takes a number of days from 1 to 3650")
    settings = context.load_settings(args)
    loop = context.make_question_loop(context.make_service(settings.service_config()), settings.records)
    try:
        report = loop.report(args.since)
    finally:
        loop.close()
    if args.json:
        payload = asdict(report)
        payload["share_answered"] = report.share_answered
        sys.stdout.write(output.to_json(payload) + "\n")
        return context.EXIT_OK
    console = output.make_console()
    for line in describe_report_lines(report):
        console.print(line, markup=False)
    return context.EXIT_OK
