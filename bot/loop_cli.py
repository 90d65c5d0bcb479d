"""`musebot chat | report`, and the question loop every command that asks or re-indexes goes through.

The logic is in bot/core/records (log, report, re-ask) and bot/core/conversation.py (follow-ups).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core.records import Asked, QuestionLoop
    from bot.core.service import MuseService
    from bot.query_settings import QuerySettings
    from bot.settings import Settings

CHAT_KEY = "chat"
PROMPT = "you› "


def make_question_loop(service: MuseService, settings: Settings | QuerySettings) -> QuestionLoop:
    """The loop over `service`, recording into the data dir unless MUSEBOT_RECORD=false."""
    from bot.core.records import QuestionLog, QuestionLoop

    question_log = QuestionLog(settings.data_dir, retention_days=settings.record_days) if settings.record else None
    return QuestionLoop(service, question_log, retention_days=settings.record_days, data_dir=settings.data_dir)


def answer_payload(asked: Asked) -> dict[str, Any]:
    """`ask --json` and `chat --json`: the Answer, with the question as typed, as understood, and its record id."""
    payload = asdict(asked.answer)
    payload["question"] = asked.typed.strip()
    payload["understood"] = asked.understood
    payload["record_id"] = asked.record_id
    return payload


def _chatter_payload(line: str) -> dict[str, Any]:
    return {"question": line, "text": "", "citations": [], "abstained": False, "understood": "", "record_id": None,
            "chatter": True}  # fmt: skip


def add_loop_commands(sub: Any, add_location_options: Callable[[argparse.ArgumentParser], None]) -> None:
    chat = sub.add_parser(
        "chat",
        help="a conversation: one question per line; follow-ups read in context",
        description="Reads questions from standard input, one per line; a follow-up such as 'and GPT-5.4?' is "
        "read with the previous turns.",
    )
    chat.add_argument("--json", action="store_true", help="print one JSON answer per line (as ask --json)")
    chat.add_argument("--top-k", type=int, help="passages to retrieve (env MUSEBOT_TOP_K; default 5)")
    add_location_options(chat)
    chat.set_defaults(func=cmd_chat)

    report = sub.add_parser("report", help="what the bot could not answer, 👎 with comments, volume and sources")
    report.add_argument("--json", action="store_true")
    report.add_argument("--since", type=int, default=7, metavar="DAYS", help="look back this many days (default 7)")
    add_location_options(report)
    report.set_defaults(func=cmd_report)


def _read_lines(interactive: bool) -> Iterator[str]:
    if not interactive:
        yield from sys.stdin
        return
    import contextlib

    with contextlib.suppress(ImportError):
        import readline  # noqa: F401 - line editing and history for input()
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            sys.stderr.write("\n")
            return


def cmd_chat(args: argparse.Namespace) -> int:
    from bot import cli
    from bot.core.conversation import ConversationPolicy, Conversations, Turn, is_chatter
    from bot.core.errors import MusebotError
    from bot.core.records import Origin
    from bot.core.service import check_question

    settings = cli._settings(args)
    service = cli.make_service(settings)
    loop = make_question_loop(service, settings)
    interactive = sys.stdin.isatty() and not args.json
    service.load_embedder_in_background()
    service.ensure_ready(notify=lambda message: cli._console(stderr=True).print(message, markup=False))
    conversations = Conversations(ConversationPolicy(expire_seconds=settings.conversation_minutes * 60))
    if interactive:
        sys.stderr.write(
            "Ask about Meta's Muse Spark launch; follow up with 'and GPT-5.4?' and the like. Ctrl-D ends.\n"
        )
    try:
        for raw in _read_lines(interactive):
            line = " ".join(raw.split())
            if not line:
                continue
            if is_chatter(line):
                _write(args.json, _chatter_payload(line), "🙂")
                continue
            try:
                check_question(line)
            except MusebotError as error:
                _write(args.json, {"question": line, "error": str(error)}, f"error: {error}")
                continue
            now = time.monotonic()
            asked = loop.ask(line, Origin("chat"), history=conversations.history(CHAT_KEY, now), top_k=args.top_k)
            answer = asked.answer
            conversations.add(CHAT_KEY, Turn(answer.question, "" if answer.abstained else answer.text), now)
            if args.json:
                sys.stdout.write(json.dumps(answer_payload(asked), ensure_ascii=False, default=str) + "\n")
            else:
                if asked.understood:
                    sys.stdout.write(f"(read as: {asked.understood})\n")
                cli.print_answer(sys.stdout, answer)
                sys.stdout.write("\n")
            sys.stdout.flush()
    finally:
        loop.close()
    return cli.EXIT_OK


def _write(as_json: bool, payload: dict[str, Any], text: str) -> None:
    sys.stdout.write((json.dumps(payload, ensure_ascii=False) if as_json else text) + "\n")
    sys.stdout.flush()


def cmd_report(args: argparse.Namespace) -> int:
    from bot import cli
    from bot.core.errors import MusebotError
    from bot.core.records import describe_report_lines

    if not 1 <= args.since <= 3650:
        raise MusebotError("--since takes a number of days from 1 to 3650")
    settings = cli._settings(args)
    loop = make_question_loop(cli.make_service(settings), settings)
    try:
        report = loop.report(args.since)
    finally:
        loop.close()
    if args.json:
        payload = asdict(report)
        payload["share_answered"] = report.share_answered
        sys.stdout.write(cli._to_json(payload) + "\n")
        return cli.EXIT_OK
    console = cli._console()
    for line in describe_report_lines(report):
        console.print(line, markup=False)
    return cli.EXIT_OK


def write_chart(path: Path, png: bytes) -> None:
    """Write a chart where --chart says (the folder must exist), atomically."""
    from bot.core.errors import MusebotError
    from bot.core.files import replace_atomically

    if not path.parent.is_dir():
        raise MusebotError(f"No folder {path.parent} for the chart; create it or pick another --chart path")
    replace_atomically(path, png)
