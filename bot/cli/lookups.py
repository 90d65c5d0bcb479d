"""`musebot benchmark | model | compare`: score lookups from facts.json alone (no FAISS, no model)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import context, output

if TYPE_CHECKING:
    from bot.core.service import MuseService


def add_commands(sub: Any) -> None:
    for name, help_text, func in (
        ("benchmark", "every model's score on one benchmark, with sources", cmd_benchmark),
        ("model", "every benchmark score the articles give for one model", cmd_model),
    ):
        lookup = sub.add_parser(name, help=help_text)
        lookup.add_argument("name")
        lookup.add_argument("--json", action="store_true")
        if name == "benchmark":
            lookup.add_argument("--chart", type=Path, metavar="FILE.png", help="also draw the scores as a PNG chart")
        context.add_location_options(lookup)
        lookup.set_defaults(func=func)

    compare = sub.add_parser("compare", help="two models side by side on the benchmarks they share")
    compare.add_argument("a")
    compare.add_argument("b")
    compare.add_argument("--json", action="store_true")
    compare.add_argument("--chart", type=Path, metavar="FILE.png", help="also draw the comparison as a PNG chart")
    context.add_location_options(compare)
    compare.set_defaults(func=cmd_compare)


def _service(args: argparse.Namespace) -> MuseService:
    return context.make_service(context.load_query_settings(args).service_config())


def cmd_benchmark(args: argparse.Namespace) -> int:
    table = _service(args).benchmark_table(args.name)
    if args.chart:
        from bot.core.charts import render_benchmark_chart

        output.write_chart(args.chart, render_benchmark_chart(table))
    return _emit(args, table, output.print_benchmark_table)


def _emit(args: argparse.Namespace, value: Any, printer: Callable[[Any, Any], None]) -> int:
    """JSON with --json, else the table on the console: one way out for every lookup."""
    if args.json:
        sys.stdout.write(output.to_json(value) + "\n")
    else:
        printer(output.make_console(), value)
    return context.EXIT_OK


def cmd_model(args: argparse.Namespace) -> int:
    return _emit(args, _service(args).model_table(args.name), output.print_model_table)


def cmd_compare(args: argparse.Namespace) -> int:
    comparison = _service(args).compare_models(args.a, args.b)
    if args.chart:
        from bot.core.charts import render_comparison_chart

        output.write_chart(args.chart, render_comparison_chart(comparison))
    return _emit(args, comparison, output.print_comparison)
