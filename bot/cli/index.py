"""`musebot index build | status | add | remove | list | compact | verify`; the logic is in bot/core."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import context, output

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.models import ChangeReport
    from bot.core.service import MuseService

_URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def add_commands(sub: Any) -> None:
    index = sub.add_parser("index", help="build, inspect and change the index")
    index_sub = index.add_subparsers(dest="index_command", required=True, metavar="ACTION")
    build = index_sub.add_parser("build", help="(re)build the index from corpus/")
    context.add_location_options(build)
    build.set_defaults(func=cmd_index_build)
    status = index_sub.add_parser("status", help="articles, chunks, model, and whether the index is stale")
    status.add_argument("--json", action="store_true")
    context.add_location_options(status)
    status.set_defaults(func=cmd_index_status)

    add = index_sub.add_parser(
        "add",
        help="add or update articles: files, folders of them, or http(s) URLs",
        description="Copy articles into corpus/ and index them; only new or changed text is embedded.",
    )
    add.add_argument("paths", nargs="+", metavar="PATH", help=".md / .txt / .html file, folder of them, or URL")
    add.add_argument("--force", action="store_true", help="add even when it nearly duplicates an indexed article")
    add.add_argument(
        "--allow-private",
        action="store_true",
        help="let URLs reach private or local addresses (env MUSEBOT_ALLOW_PRIVATE_URLS)",
    )
    context.add_location_options(add)
    add.set_defaults(func=cmd_index_add)

    remove = index_sub.add_parser("remove", help="take articles out of corpus/ and the index, by id")
    remove.add_argument("ids", nargs="+", metavar="ID", help="article id (see: musebot index list)")
    context.add_location_options(remove)
    remove.set_defaults(func=cmd_index_remove)

    listing = index_sub.add_parser("list", help="the indexed articles: id, title, outlet, date, chunks, facts")
    listing.add_argument("--json", action="store_true")
    context.add_location_options(listing)
    listing.set_defaults(func=cmd_index_list)

    compact = index_sub.add_parser("compact", help="merge the index's segments into one (nothing is embedded)")
    context.add_location_options(compact)
    compact.set_defaults(func=cmd_index_compact)

    verify = index_sub.add_parser("verify", help="check corpus/ against the index and the build files (exit 1 if not)")
    verify.add_argument("--json", action="store_true")
    context.add_location_options(verify)
    verify.set_defaults(func=cmd_index_verify)


def cmd_index_build(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    settings = context.load_settings(args)
    service = _service(settings)
    console = output.make_console()
    with Progress(
        TextColumn("embedding chunks"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=output.make_console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("embed", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = service.build_index(progress=progress, full=True)
    output.print_change(console, _reask(service, settings, report))  # re-ask what earlier builds could not answer
    return context.EXIT_OK


def cmd_index_status(args: argparse.Namespace) -> int:
    status = _service(context.load_settings(args)).index_status()
    console = output.make_console()
    if args.json:
        sys.stdout.write(output.to_json(status) + "\n")
        return context.EXIT_OK
    console.print(f"corpus: {status.corpus_articles} articles", markup=False)
    for error in status.corpus_errors:
        console.print(f"  skipped: {error}", markup=False)
    if status.stats is None:
        console.print(f"index: {status.problem}", markup=False)
        return context.EXIT_ERROR
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
    return context.EXIT_OK


def _fetch_urls(urls: list[str], folder: Path, settings: Settings, allow_private: bool) -> list[Path]:
    """Download each URL into `folder` under the name its path and type suggest; FetchError on the first failure."""
    from bot.core.fetching import fetch_article

    paths = []
    for n, url in enumerate(urls):
        data, filename = fetch_article(
            url,
            timeout=settings.fetching.fetch_timeout_seconds,
            max_bytes=settings.fetching.max_upload_bytes,
            allow_private=allow_private or settings.fetching.allow_private_urls,
        )
        path = folder / str(n) / filename
        path.parent.mkdir()
        path.write_bytes(data)
        paths.append(path)
    return paths


def _service(settings: Settings) -> MuseService:
    return context.make_service(settings.service_config())


def _reask(service: MuseService, settings: Settings, report: ChangeReport) -> ChangeReport:
    """The report with the earlier unanswered questions the new build answers (bot/core/records)."""
    loop = context.make_question_loop(service, settings.records)
    try:
        return loop.after_reindex(report)
    finally:
        loop.close()


def cmd_index_add(args: argparse.Namespace) -> int:
    import tempfile

    settings = context.load_settings(args)
    service = _service(settings)
    urls = [p for p in args.paths if _URL_RE.match(p)]
    paths = [Path(p) for p in args.paths if not _URL_RE.match(p)]
    with tempfile.TemporaryDirectory(prefix="musebot-fetch-") as folder:
        paths += _fetch_urls(urls, Path(folder), settings, args.allow_private)
        report = service.add_articles(paths, force=args.force)
    output.print_change(output.make_console(), _reask(service, settings, report))
    return context.EXIT_OK


def cmd_index_remove(args: argparse.Namespace) -> int:
    settings = context.load_settings(args)
    service = _service(settings)
    report = service.remove_articles(args.ids)
    output.print_change(output.make_console(), _reask(service, settings, report))
    return context.EXIT_OK


def cmd_index_list(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.table import Table

    rows = _service(context.load_settings(args)).list_articles()
    if args.json:
        sys.stdout.write(output.to_json(list(rows)) + "\n")
        return context.EXIT_OK
    grid = Table(title=f"{len(rows)} indexed articles", title_justify="left")
    grid.add_column("id", no_wrap=True, min_width=min(max((len(r.id) for r in rows), default=2), 64))
    grid.add_column("title", no_wrap=True, overflow="ellipsis", max_width=48)
    grid.add_column("outlet", no_wrap=True, overflow="ellipsis", max_width=24)
    grid.add_column("date", no_wrap=True, min_width=10)
    for column in ("chunks", "facts"):
        grid.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for row in rows:
        grid.add_row(
            escape(row.id), escape(row.title), escape(row.outlet), row.published, str(row.chunks), str(row.facts)
        )
    output.make_console().print(grid)
    return context.EXIT_OK


def cmd_index_compact(args: argparse.Namespace) -> int:
    service = _service(context.load_settings(args))
    before = service.index_stats()
    report = service.compact_index()
    output.make_console().print(
        f"compacted build {before.build_id} into {report.build_id}: {before.articles} articles in one segment",
        markup=False,
    )
    return context.EXIT_OK


def cmd_index_verify(args: argparse.Namespace) -> int:
    report = _service(context.load_settings(args)).verify_index()
    if args.json:
        payload = {
            "ok": report.ok,
            "build_id": report.build_id,
            "corpus_articles": report.corpus_articles,
            "indexed_articles": report.indexed_articles,
            "problems": list(report.problems),
        }
        sys.stdout.write(output.to_json(payload) + "\n")
    elif report.ok:
        output.make_console().print(
            f"ok: build {report.build_id} holds the {report.indexed_articles} articles of corpus/, "
            "with their current text; its files are intact",
            markup=False,
        )
    else:
        console = output.make_console()
        console.print(f"{len(report.problems)} problem(s) (build {report.build_id or 'none'}):", markup=False)
        for problem in report.problems:
            console.print(f"  - {problem}", markup=False)
    return context.EXIT_OK if report.ok else context.EXIT_ERROR
