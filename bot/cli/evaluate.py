"""`musebot eval FILE.jsonl`: score the bot on a question set (bot/core/evaluation.py)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.cli import context, output


def add_commands(sub: Any) -> None:
    evaluate = sub.add_parser("eval", help="score the bot on a question set (JSONL)")
    evaluate.add_argument("file")
    context.add_top_k_option(evaluate)
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument(
        "--totals", action="store_true", help="print only the figures, no question (for a sealed set)"
    )
    context.add_location_options(evaluate)
    evaluate.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.core.evaluation import load_questions, run_evaluation

    service = context.make_service(context.load_settings(args).service_config())
    questions = load_questions(Path(args.file))
    service.ensure_ready(notify=lambda message: output.make_console(stderr=True).print(message, markup=False))
    service.warm_up()
    report = run_evaluation(
        questions,
        lambda q: service.ask(q, top_k=args.top_k),
        service.benchmark_table,
        k=args.top_k or service.config.top_k,
    )
    if args.json:
        payload = {
            "k": report.k,
            "overall": asdict(report.overall),
            "by_kind": {kind: asdict(summary) for kind, summary in report.by_kind.items()},
            "misses": [
                {"id": o.question.id, "missing_facts": o.missing_facts, "source_hit": o.source_hit,
                 "abstained": o.abstained, "false_answer": o.false_answer}
                for o in report.outcomes
                if not args.totals and (
                    not (o.facts_present and o.source_hit) or o.false_answer or o.question.answerable == o.abstained
                )
            ],
        }  # fmt: skip
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return context.EXIT_OK
    output.print_eval(output.make_console(), report, totals_only=args.totals)
    return context.EXIT_OK
