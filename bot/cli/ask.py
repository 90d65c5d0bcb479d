"""`musebot ask` and `musebot chat`: a cited answer, and a conversation whose follow-ups read in context.

Both go through the question loop (bot/core/records), which records each question; follow-ups are read with
bot/core/conversation.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from bot.cli import context, output

if TYPE_CHECKING:
    from bot.core.records import Asked

CHAT_KEY = "chat"
PROMPT = "you› "


def add_ask_command(sub: Any) -> None:
    ask = sub.add_parser("ask", help="answer a question with cited passages")
    ask.add_argument("question")
    context.add_top_k_option(ask)
    ask.add_argument("--json", action="store_true", help="print the structured answer")
    context.add_location_options(ask)
    ask.set_defaults(func=cmd_ask)


def add_chat_command(sub: Any) -> None:
    chat = sub.add_parser(
        "chat",
        help="a conversation: one question per line; follow-ups read in context",
        description="Reads questions from standard input, one per line; a follow-up such as 'and GPT-5.4?' is "
        "read with the previous turns.",
    )
    chat.add_argument("--json", action="store_true", help="print one JSON answer per line (as ask --json)")
    context.add_top_k_option(chat)
    context.add_location_options(chat)
    chat.set_defaults(func=cmd_chat)


def answer_payload(asked: Asked) -> dict[str, Any]:
    """`ask --json` and `chat --json`: the Answer, with the question as typed, as understood, and its record id."""
    payload = asdict(asked.answer)
    payload["question"] = asked.typed.strip()
    payload["understood"] = asked.understood
    payload["record_id"] = asked.record_id
    return payload


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.core.service import check_question

    question = check_question(args.question)  # before any work starts; undecodable bytes read as U+FFFD
    settings = context.load_query_settings(args)
    service = context.make_service(settings.service_config())
    service.load_embedder_in_background()  # overlaps the imports below and loading the index
    from bot.core.records import Origin

    service.ensure_ready(notify=lambda message: output.make_console(stderr=True).print(f"[yellow]{message}[/yellow]"))
    loop = context.make_question_loop(service, settings.records)
    try:
        asked = loop.ask(question, Origin("cli"), top_k=args.top_k)
    finally:
        loop.close()  # the record is written after the answer is made, before the process exits
    if args.json:
        sys.stdout.write(output.to_json(answer_payload(asked)) + "\n")
    else:
        output.print_answer(sys.stdout, asked.answer)
    return context.EXIT_OK


def _chatter_payload(line: str) -> dict[str, Any]:
    return {"question": line, "text": "", "citations": [], "abstained": False, "understood": "", "record_id": None,
            "chatter": True}  # fmt: skip


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
    from bot.core.conversation import ConversationPolicy, Conversations, Turn, is_chatter
    from bot.core.errors import MusebotError
    from bot.core.records import Origin
    from bot.core.service import check_question

    settings = context.load_settings(args)
    service = context.make_service(settings.service_config())
    loop = context.make_question_loop(service, settings.records)
    interactive = sys.stdin.isatty() and not args.json
    service.load_embedder_in_background()
    service.ensure_ready(notify=lambda message: output.make_console(stderr=True).print(message, markup=False))
    conversations = Conversations(ConversationPolicy(expire_seconds=settings.records.conversation_minutes * 60))
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
                output.print_answer(sys.stdout, answer)
                sys.stdout.write("\n")
            sys.stdout.flush()
    finally:
        loop.close()
    return context.EXIT_OK


def _write(as_json: bool, payload: dict[str, Any], text: str) -> None:
    sys.stdout.write((json.dumps(payload, ensure_ascii=False) if as_json else text) + "\n")
    sys.stdout.flush()
