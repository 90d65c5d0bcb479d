"""`musebot index add | remove | list | compact | verify`: maintainer commands; the logic is in core.maintenance."""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def add_maintainer_commands(index_sub: Any, add_location_options: Callable[[argparse.ArgumentParser], None]) -> None:
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
    add_location_options(add)
    add.set_defaults(func=cmd_index_add)

    remove = index_sub.add_parser("remove", help="take articles out of corpus/ and the index, by id")
    remove.add_argument("ids", nargs="+", metavar="ID", help="article id (see: musebot index list)")
    add_location_options(remove)
    remove.set_defaults(func=cmd_index_remove)

    listing = index_sub.add_parser("list", help="the indexed articles: id, title, outlet, date, chunks, facts")
    listing.add_argument("--json", action="store_true")
    add_location_options(listing)
    listing.set_defaults(func=cmd_index_list)

    compact = index_sub.add_parser("compact", help="merge the index's segments into one (nothing is embedded)")
    add_location_options(compact)
    compact.set_defaults(func=cmd_index_compact)

    verify = index_sub.add_parser("verify", help="check corpus/ against the index and the build files (exit 1 if not)")
    verify.add_argument("--json", action="store_true")
    add_location_options(verify)
    verify.set_defaults(func=cmd_index_verify)


def _fetch_urls(urls: list[str], folder: Path, settings: Any, allow_private: bool) -> list[Path]:
    """Download each URL into `folder` under the name its path and type suggest; FetchError on the first failure."""
    from bot.core.fetching import fetch_article

    paths = []
    for n, url in enumerate(urls):
        data, filename = fetch_article(
            url,
            timeout=settings.fetch_timeout_seconds,
            max_bytes=settings.max_upload_bytes,
            allow_private=allow_private or settings.allow_private_urls,
        )
        path = folder / str(n) / filename
        path.parent.mkdir()
        path.write_bytes(data)
        paths.append(path)
    return paths


def _reask(service: Any, settings: Any, report: Any) -> Any:
    """The report with the earlier unanswered questions the new build answers (bot/core/records)."""
    from bot.loop_cli import make_question_loop

    loop = make_question_loop(service, settings)
    try:
        return loop.after_reindex(report)
    finally:
        loop.close()


def cmd_index_add(args: argparse.Namespace) -> int:
    from bot import cli

    settings = cli._settings(args)
    service = cli.make_service(settings)
    urls = [p for p in args.paths if _URL_RE.match(p)]
    paths = [Path(p) for p in args.paths if not _URL_RE.match(p)]
    with tempfile.TemporaryDirectory(prefix="musebot-fetch-") as folder:
        paths += _fetch_urls(urls, Path(folder), settings, args.allow_private)
        report = service.add_articles(paths, force=args.force)
    cli.print_change(cli._console(), _reask(service, settings, report))
    return cli.EXIT_OK


def cmd_index_remove(args: argparse.Namespace) -> int:
    from bot import cli

    settings = cli._settings(args)
    service = cli.make_service(settings)
    report = service.remove_articles(args.ids)
    cli.print_change(cli._console(), _reask(service, settings, report))
    return cli.EXIT_OK


def cmd_index_list(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.table import Table

    from bot import cli

    rows = cli.make_service(cli._settings(args)).list_articles()
    if args.json:
        sys.stdout.write(cli._to_json(list(rows)) + "\n")
        return cli.EXIT_OK
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
    cli._console().print(grid)
    return cli.EXIT_OK


def cmd_index_compact(args: argparse.Namespace) -> int:
    from bot import cli

    service = cli.make_service(cli._settings(args))
    before = service.index_stats()
    report = service.compact_index()
    cli._console().print(
        f"compacted build {before.build_id} into {report.build_id}: {before.articles} articles in one segment",
        markup=False,
    )
    return cli.EXIT_OK


def cmd_index_verify(args: argparse.Namespace) -> int:
    from bot import cli

    report = cli.make_service(cli._settings(args)).verify_index()
    if args.json:
        payload = {
            "ok": report.ok,
            "build_id": report.build_id,
            "corpus_articles": report.corpus_articles,
            "indexed_articles": report.indexed_articles,
            "problems": list(report.problems),
        }
        sys.stdout.write(cli._to_json(payload) + "\n")
    elif report.ok:
        cli._console().print(
            f"ok: build {report.build_id} holds the {report.indexed_articles} articles of corpus/, "
            "with their current text; its files are intact",
            markup=False,
        )
    else:
        console = cli._console()
        console.print(f"{len(report.problems)} problem(s) (build {report.build_id or 'none'}):", markup=False)
        for problem in report.problems:
            console.print(f"  - {problem}", markup=False)
    return cli.EXIT_OK if report.ok else cli.EXIT_ERROR
