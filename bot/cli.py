"""musebot's command line: ask | benchmark | model | compare | index … | eval | run.

Thin on purpose: every command reads settings once, builds one MuseService and calls it.
Heavy modules (torch, FAISS, discord.py) are imported only by the commands that need them,
so `musebot benchmark` answers from a cold start without loading the model.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.core.errors import MusebotError

if TYPE_CHECKING:
    from rich.console import Console

    from bot.core.models import Answer, BenchmarkTable, ChangeReport, Comparison, ModelTable
    from bot.core.service import MuseService
    from bot.query_settings import QuerySettings
    from bot.settings import Settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output gets room for tables instead of rich's 80-column default.
    width = None if stream.isatty() else 140
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


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


def _settings(args: argparse.Namespace) -> Settings:
    from bot.settings import load_settings

    overrides: dict[str, Any] = {
        "corpus_dir": getattr(args, "corpus_dir", None),
        "index_dir": getattr(args, "index_dir", None),
        "top_k": getattr(args, "top_k", None),
        "data_dir": getattr(args, "data_dir", None),
    }
    return load_settings(**overrides)


def _query_settings(args: argparse.Namespace) -> QuerySettings:
    """The few settings a query reads, without importing pydantic (~0.2 s of a cold start)."""
    from bot.query_settings import load_query_settings

    return load_query_settings(
        corpus_dir=getattr(args, "corpus_dir", None),
        index_dir=getattr(args, "index_dir", None),
        top_k=getattr(args, "top_k", None),
        data_dir=getattr(args, "data_dir", None),
    )


def make_service(settings: Settings | QuerySettings) -> MuseService:
    from bot.core.service import MuseService, ServiceConfig

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub: the model ships in a package
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    return MuseService(
        ServiceConfig(
            corpus_dir=settings.corpus_dir,
            index_dir=settings.index_dir,
            model_path=settings.model_path,
            embed_backend=settings.embed_backend,
            top_k=settings.top_k,
            abstain_threshold=settings.abstain_threshold,
        )
    )


def _to_json(value: object) -> str:
    def default(obj: object) -> object:
        if hasattr(obj, "__dataclass_fields__"):
            return asdict(obj)  # type: ignore[call-overload]
        if isinstance(obj, Path):
            return str(obj)
        raise TypeError(f"not JSON serialisable: {type(obj).__name__}")

    return json.dumps(value, default=default, ensure_ascii=False, indent=2)


# ----- printing ------------------------------------------------------------------------------


_ANSI = {"bold": "\x1b[1m", "dim": "\x1b[2m"}


def print_answer(stream: TextIO, answer: Answer) -> None:
    """The answer, then its sources with their quotes; bold and dim on a terminal (unless NO_COLOR is set).

    Plain writes rather than rich: this is all `musebot ask` prints, and rich costs ~0.07 s of a cold
    start to import and ~2 ms per answer to render (benchmarks/perf.py).
    """
    from bot.core.text import remove_control_characters  # never let text drive the terminal or its direction

    styled = stream.isatty() and not os.environ.get("NO_COLOR")

    def style(text: str, name: str) -> str:
        return f"{_ANSI[name]}{text}\x1b[0m" if styled else text

    lines = [answer.text]
    if answer.citations:
        lines += ["", style("Sources", "bold")]
    for citation in answer.citations:
        where = f" — {citation.outlet}" if citation.outlet else ""
        link = f" <{citation.url}>" if citation.url else ""
        lines.append(f"{style(f'[{citation.marker}]', 'bold')} {citation.title}{where}{link}  ({citation.chunk_id})")
        quote = " ".join(citation.quote.split())
        lines.append("    " + style(f"“{quote}”", "dim"))
    if answer.nearest:
        lines += ["", style("What they do state nearby (a different thing, not the answer)", "bold")]
        for citation, sentence in zip(answer.nearest, answer.nearest_text, strict=False):
            where = f" — {citation.outlet}" if citation.outlet else ""
            lines.append(f"  {style(f'[{citation.marker}]', 'bold')} {' '.join(sentence.split())}")
            lines.append("      " + style(f"{citation.title}{where}  ({citation.chunk_id})", "dim"))
    stream.write(remove_control_characters("\n".join(lines)) + "\n")


def _fact_cell(facts: Sequence[Any], markers: dict[str, int]) -> str:
    """'1,444 [1] vs 1,427 [2]' where sources differ; '52 [1][2]' where they agree."""
    by_value: dict[str, list[int]] = {}
    for fact in facts:
        cited = by_value.setdefault(fact.value_text, [])
        if markers[fact.article_id] not in cited:
            cited.append(markers[fact.article_id])
    return " vs ".join(f"{value} {''.join(f'[{m}]' for m in cited)}" for value, cited in by_value.items())


def _difference(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:+,.0f}" if abs(value) >= 10_000 else f"{value:+.4g}"


def _source_markers(sources: Sequence[Any]) -> dict[str, int]:
    return {source.article_id: n for n, source in enumerate(sources, start=1)}


def _print_sources(console: Console, sources: Sequence[Any]) -> None:
    from rich.markup import escape

    for n, source in enumerate(sources, start=1):
        link = f" <{escape(source.url)}>" if source.url else ""
        outlet = f" — {escape(source.outlet)}" if source.outlet else ""
        console.print(f"[{n}] {escape(source.title)}{outlet}{link}")


def _print_score_rows(console: Console, title: str, label: str, rows: Sequence[Any], sources: Sequence[Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    markers = _source_markers(sources)
    grid = Table(title=escape(title), title_justify="left")
    grid.add_column(label)
    grid.add_column("score", justify="right")
    grid.add_column("")
    for row in rows:
        grid.add_row(escape(row.label), _fact_cell(row.facts, markers), "⚠ sources disagree" if row.is_conflict else "")
    console.print(grid)
    _print_sources(console, sources)
    for row in rows:
        for fact in row.facts:
            console.print(f"  [dim][{markers[fact.article_id]}] {escape(row.label)}: “{escape(fact.quote)}”[/dim]")


def print_benchmark_table(console: Console, table: BenchmarkTable) -> None:
    _print_score_rows(console, table.benchmark, "model", table.rows, table.sources)


def print_model_table(console: Console, table: ModelTable) -> None:
    _print_score_rows(console, table.model, "benchmark", table.rows, table.sources)


def print_comparison(console: Console, comparison: Comparison) -> None:
    from rich.markup import escape
    from rich.table import Table

    markers = _source_markers(comparison.sources)
    grid = Table(title=f"{escape(comparison.model_a)} vs {escape(comparison.model_b)}", title_justify="left")
    grid.add_column("benchmark")
    grid.add_column(escape(comparison.model_a), justify="right")
    grid.add_column(escape(comparison.model_b), justify="right")
    grid.add_column("difference", justify="right")
    for row in comparison.shared:
        grid.add_row(
            escape(row.benchmark), _fact_cell(row.a, markers), _fact_cell(row.b, markers), _difference(row.difference)
        )
    console.print(grid)
    for label, rows in ((comparison.model_a, comparison.only_a), (comparison.model_b, comparison.only_b)):
        if rows:
            cells = ", ".join(f"{escape(r.label)} {_fact_cell(r.facts, markers)}" for r in rows)
            console.print(f"Only {escape(label)}: {cells}")
    _print_sources(console, comparison.sources)


def print_change(console: Console, report: ChangeReport) -> None:
    from bot.core.reporting import describe_change_lines

    for line in describe_change_lines(report):
        console.print(line, markup=False)


# ----- commands ------------------------------------------------------------------------------


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.core.service import check_question

    question = check_question(args.question)  # before any work starts; undecodable bytes read as U+FFFD
    from bot.core.records import Origin
    from bot.loop_cli import answer_payload, make_question_loop

    settings = _query_settings(args)
    service = make_service(settings)
    service.load_embedder_in_background()  # overlaps loading the index
    service.ensure_ready(notify=lambda message: _console(stderr=True).print(f"[yellow]{message}[/yellow]"))
    loop = make_question_loop(service, settings)
    try:
        asked = loop.ask(question, Origin("cli"), top_k=args.top_k)
    finally:
        loop.close()  # the record is written after the answer is made, before the process exits
    if args.json:
        sys.stdout.write(_to_json(answer_payload(asked)) + "\n")
    else:
        print_answer(sys.stdout, asked.answer)
    return EXIT_OK


def cmd_benchmark(args: argparse.Namespace) -> int:
    table = make_service(_query_settings(args)).benchmark_table(args.name)
    if args.chart:
        from bot.core.charts import render_benchmark_chart
        from bot.loop_cli import write_chart

        write_chart(args.chart, render_benchmark_chart(table))
    if args.json:
        sys.stdout.write(_to_json(table) + "\n")
    else:
        print_benchmark_table(_console(), table)
    return EXIT_OK


def cmd_model(args: argparse.Namespace) -> int:
    table = make_service(_query_settings(args)).model_table(args.name)
    if args.json:
        sys.stdout.write(_to_json(table) + "\n")
    else:
        print_model_table(_console(), table)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    comparison = make_service(_query_settings(args)).compare_models(args.a, args.b)
    if args.chart:
        from bot.core.charts import render_comparison_chart
        from bot.loop_cli import write_chart

        write_chart(args.chart, render_comparison_chart(comparison))
    if args.json:
        sys.stdout.write(_to_json(comparison) + "\n")
    else:
        print_comparison(_console(), comparison)
    return EXIT_OK


def cmd_index_build(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    service = make_service(_settings(args))
    console = _console()
    with Progress(
        TextColumn("embedding chunks"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=_console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("embed", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = service.build_index(progress=progress, full=True)
    from bot.loop_cli import make_question_loop

    loop = make_question_loop(service, _settings(args))
    try:
        report = loop.after_reindex(report)  # re-ask what earlier builds could not answer
    finally:
        loop.close()
    print_change(console, report)
    return EXIT_OK


def cmd_index_status(args: argparse.Namespace) -> int:
    status = make_service(_settings(args)).index_status()
    console = _console()
    if args.json:
        sys.stdout.write(_to_json(status) + "\n")
        return EXIT_OK
    console.print(f"corpus: {status.corpus_articles} articles", markup=False)
    for error in status.corpus_errors:
        console.print(f"  skipped: {error}", markup=False)
    if status.stats is None:
        console.print(f"index: {status.problem}", markup=False)
        return EXIT_ERROR
    stats = status.stats
    console.print(
        f"index: build {stats.build_id}, built {stats.built_at}\n"
        f"  {stats.articles} articles, {stats.chunks} chunks, {stats.facts} benchmark facts\n"
        f"  model {stats.model_id}",
        markup=False,
    )
    if status.is_stale:
        console.print(
            "  stale: "
            + ", ".join(
                f"{label} {', '.join(ids)}"
                for label, ids in (
                    ("new", status.stale_added),
                    ("changed", status.stale_changed),
                    ("gone", status.stale_removed),
                )
                if ids
            )
            + "; run: musebot index build",
            markup=False,
        )
    else:
        console.print("  up to date with corpus/", markup=False)
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.core.evaluation import load_questions, run_evaluation

    service = make_service(_settings(args))
    questions = load_questions(Path(args.file))
    service.ensure_ready(notify=lambda message: _console(stderr=True).print(message, markup=False))
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
        return EXIT_OK
    print_eval(_console(), report, totals_only=args.totals)
    return EXIT_OK


def print_eval(console: Console, report: Any, *, totals_only: bool = False) -> None:
    from rich.table import Table

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    grid = Table(title=f"musebot eval (k={report.k})", title_justify="left")
    columns = (
        "kind", "n", f"source hit@{report.k}", "facts present", "facts in text", "cited support", "answered",
        "abstained", "false answers", "mean ms",
    )  # fmt: skip
    for column in columns:
        grid.add_column(column, justify="right" if column != "kind" else "left")
    rows = [*report.by_kind.items(), ("overall", report.overall)]
    for kind, s in rows:
        grid.add_row(
            kind, str(s.count), pct(s.source_hit_at_k), pct(s.facts_present), pct(s.facts_in_text),
            pct(s.source_precision), pct(s.answered), s.unanswerable_abstained, pct(s.false_answer_rate),
            f"{s.mean_latency_ms:.1f}",
        )  # fmt: skip
    console.print(grid)
    if totals_only:
        return
    for outcome in report.outcomes:
        wrong_abstention = outcome.question.answerable == outcome.abstained
        if outcome.missing_facts or not outcome.source_hit or outcome.false_answer or wrong_abstention:
            console.print(
                f"  miss {outcome.question.id}: {outcome.question.question!r} missing={list(outcome.missing_facts)}"
                f" sources={list(outcome.cited_sources)} abstained={outcome.abstained}",
                markup=False,
            )


def cmd_run(args: argparse.Namespace) -> int:
    from bot.core.fetching import make_url_fetcher
    from bot.discord_app.client import run_bot

    settings = _settings(args)
    service = make_service(settings)
    fetcher = make_url_fetcher(
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.max_upload_bytes,
        allow_private=settings.allow_private_urls,
    )
    from bot.loop_cli import make_question_loop

    loop = make_question_loop(service, settings)
    try:
        run_bot(settings, service, fetch_article_url=fetcher, question_loop=loop)
    finally:
        loop.close()
    return EXIT_OK


# ----- parser --------------------------------------------------------------------------------


def _add_location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus-dir", type=Path, help="articles folder (env MUSEBOT_CORPUS_DIR; default corpus/)")
    parser.add_argument("--index-dir", type=Path, help="index folder (env MUSEBOT_INDEX_DIR; default index/)")
    parser.add_argument("--data-dir", type=Path, help="question log folder (env MUSEBOT_DATA_DIR; default data/)")


def build_parser() -> argparse.ArgumentParser:
    from bot import __version__

    parser = argparse.ArgumentParser(prog="musebot", description="Cited answers about Meta's Muse Spark launch.")
    parser.add_argument("--version", action="version", version=f"musebot {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question with cited passages")
    ask.add_argument("question")
    ask.add_argument("--top-k", type=_top_k_flag, help="passages to retrieve (env MUSEBOT_TOP_K; default 5)")
    ask.add_argument("--json", action="store_true", help="print the structured answer")
    _add_location_options(ask)
    ask.set_defaults(func=cmd_ask)

    for name, help_text, func in (
        ("benchmark", "every model's score on one benchmark, with sources", cmd_benchmark),
        ("model", "every benchmark score the articles give for one model", cmd_model),
    ):
        lookup = sub.add_parser(name, help=help_text)
        lookup.add_argument("name")
        lookup.add_argument("--json", action="store_true")
        if name == "benchmark":
            lookup.add_argument("--chart", type=Path, metavar="FILE.png", help="also draw the scores as a PNG chart")
        _add_location_options(lookup)
        lookup.set_defaults(func=func)

    compare = sub.add_parser("compare", help="two models side by side on the benchmarks they share")
    compare.add_argument("a")
    compare.add_argument("b")
    compare.add_argument("--json", action="store_true")
    compare.add_argument("--chart", type=Path, metavar="FILE.png", help="also draw the comparison as a PNG chart")
    _add_location_options(compare)
    compare.set_defaults(func=cmd_compare)

    index = sub.add_parser("index", help="build, inspect and change the index")
    index_sub = index.add_subparsers(dest="index_command", required=True, metavar="ACTION")
    build = index_sub.add_parser("build", help="(re)build the index from corpus/")
    _add_location_options(build)
    build.set_defaults(func=cmd_index_build)
    status = index_sub.add_parser("status", help="articles, chunks, model, and whether the index is stale")
    status.add_argument("--json", action="store_true")
    _add_location_options(status)
    status.set_defaults(func=cmd_index_status)
    from bot.maintenance_cli import add_maintainer_commands  # index add / remove / list / verify

    add_maintainer_commands(index_sub, _add_location_options)

    evaluate = sub.add_parser("eval", help="score the bot on a question set (JSONL)")
    evaluate.add_argument("file")
    evaluate.add_argument("--top-k", type=_top_k_flag)
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument(
        "--totals", action="store_true", help="print only the figures, no question (for a sealed set)"
    )
    _add_location_options(evaluate)
    evaluate.set_defaults(func=cmd_eval)

    from bot.loop_cli import add_loop_commands  # chat / report

    add_loop_commands(sub, _add_location_options)

    run = sub.add_parser("run", help="start the Discord bot (needs DISCORD_TOKEN)")
    _add_location_options(run)
    run.set_defaults(func=cmd_run)
    return parser


def _print_error(message: str) -> None:
    """One line on stderr; the message may hold user text, so rich must not read it as markup."""
    from rich.markup import escape

    from bot.core.text import remove_control_characters

    _console(stderr=True).print(f"[red]error:[/red] {escape(remove_control_characters(message))}", highlight=False)


def _top_k_flag(raw: str) -> int:
    """--top-k as argparse checks it, so that the message names the flag (MUSEBOT_TOP_K has the same bounds)."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 20, not {raw!r}") from None
    if not 1 <= value <= 20:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 20, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    # The bot logs at the configured level; one-shot commands only say what went wrong.
    level = "WARNING"
    if args.verbose:
        level = "DEBUG"
    elif args.command == "run":
        from bot.settings import load_settings

        try:
            level = load_settings().log_level
        except MusebotError:
            level = "INFO"  # the command itself reports the bad setting
    configure_logging(level)
    try:
        return int(args.func(args) or EXIT_OK)
    except MusebotError as error:
        _print_error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except LookupError as error:
        _print_error(str(error.args[0] if error.args else error))
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
