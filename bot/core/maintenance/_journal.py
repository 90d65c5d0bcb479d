"""The journal and the transaction: stage, build, apply, and recover what an interrupted change left."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core.corpus import (
    load_corpus,
)
from bot.core.files import fsync_dir, replace_atomically, write_durably
from bot.core.maintenance._lock import (
    _live_journals,
    corpus_lock,
)
from bot.core.maintenance._values import (
    JOURNAL_FILE,
    JOURNAL_VERSION,
    STAGING_DIR,
    ChangePlan,
    MaintenanceError,
)
from bot.core.models import Article, ChangeReport

log = logging.getLogger(__package__)  # one logger for all of maintenance, as before the split

# ---------------------------------------------------------------------------------------------
# The journal


def _journal_path(index_dir: Path) -> Path:
    return Path(index_dir) / JOURNAL_FILE


def load_journal(index_dir: Path) -> dict[str, Any] | None:
    """The pending change, or None. A journal that cannot be read is treated as none (it was never completed)."""
    path = _journal_path(index_dir)
    try:
        journal = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("Ignoring an unreadable journal %s", path)
        return None
    return journal if isinstance(journal, dict) and journal.get("version") == JOURNAL_VERSION else None


def _stage(plan: ChangePlan, corpus_dir: Path, index_dir: Path, base_build: str | None) -> dict[str, Any]:
    """Write the plan's new files under corpus/.staging/<token>/, then the journal that describes them."""
    token = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    staging = Path(corpus_dir) / STAGING_DIR / token
    staging.mkdir(parents=True)
    writes = []
    try:
        for n, write in enumerate(plan.writes):
            staged = staging / f"{n:04d}-{Path(write.target).name}"
            write_durably(staged, write.data)
            writes.append(
                {
                    "id": write.article_id,
                    "hash": write.content_hash,
                    "staged": staged.relative_to(corpus_dir).as_posix(),
                    "target": write.target,
                }
            )
        fsync_dir(staging)
        journal = {
            "version": JOURNAL_VERSION,
            "operation": plan.operation,
            "token": token,
            "pid": os.getpid(),
            "started_at": f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
            "corpus_dir": str(Path(corpus_dir).resolve()),
            "base_build": base_build,
            "writes": writes,
            "deletes": [{"id": d.article_id, "path": d.path} for d in plan.deletes],
        }
        replace_atomically(_journal_path(index_dir), (json.dumps(journal, indent=1) + "\n").encode("utf-8"))
    except BaseException:  # e.g. a full disk: leave nothing for the next run to report as an interrupted change
        _discard_staging(corpus_dir, token)
        raise
    return journal


def _inside(root: Path, relative: str) -> Path:
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise MaintenanceError(f"The re-index journal names a path outside corpus/ ({relative}); delete it by hand.")
    return path


def _apply_journal(journal: Mapping[str, Any]) -> None:
    """Make corpus/ match the committed build: delete, then move staged files in. Safe to run twice."""
    corpus_dir = Path(journal["corpus_dir"])
    for delete in journal["deletes"]:
        _inside(corpus_dir, delete["path"]).unlink(missing_ok=True)
    for write in journal["writes"]:
        staged = _inside(corpus_dir, write["staged"])
        target = _inside(corpus_dir, write["target"])
        if staged.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
    fsync_dir(corpus_dir)


def _discard_staging(corpus_dir: Path, token: str | None = None) -> list[str]:
    """Remove one staging folder (or all of them); returns the article files that were thrown away."""
    root = Path(corpus_dir) / STAGING_DIR
    folders = [root / token] if token else (sorted(root.iterdir()) if root.is_dir() else [])
    thrown: list[str] = []
    for folder in folders:
        if folder.is_dir():
            thrown += sorted(p.name.split("-", 1)[-1] for p in folder.iterdir())
            shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        root.rmdir()  # only when empty
    return thrown


def _is_committed(journal: Mapping[str, Any], current_articles: Mapping[str, str] | None) -> bool:
    """True when the serving build holds every written article (new hash) and none of the removed ones."""
    if current_articles is None:
        return False
    written = {w["id"] for w in journal["writes"]}
    return all(current_articles.get(w["id"]) == w["hash"] for w in journal["writes"]) and not any(
        d["id"] in current_articles for d in journal["deletes"] if d["id"] not in written
    )


def _current_manifest_articles(index_dir: Path) -> Mapping[str, str] | None:
    """{article id: content hash} of the build CURRENT names, read from its manifest alone."""
    from bot.core.index_store import BUILDS_DIR, read_current_build_id

    build_id = read_current_build_id(index_dir)
    if build_id is None:
        return None
    try:
        manifest = json.loads((Path(index_dir) / BUILDS_DIR / build_id / "manifest.json").read_bytes())
        return dict(manifest["articles"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _describe(journal: Mapping[str, Any]) -> str:
    ids = [w["id"] for w in journal["writes"]] + [d["id"] for d in journal["deletes"]]
    return f"{journal.get('operation', 'change')} of {', '.join(dict.fromkeys(ids)) or 'nothing'}"


def recover_interrupted_change(
    corpus_dir: Path, index_dir: Path, *, timeout: float | None = None, own_failure: bool = False
) -> tuple[str, ...]:
    """Finish or undo what a killed re-index left (journal, staged files, half-made builds); says what it did.

    Waits for a change in progress at most `timeout` seconds when given (then CorpusLockedError).
    `own_failure`: settling a change that just failed in this process, whose error is reported already.
    """
    from bot.core.index_store import recover_partial_builds

    with corpus_lock(index_dir, timeout):
        notes: list[str] = []
        journal = load_journal(index_dir)
        if journal is not None and journal.get("token") in _live_journals:
            return ()  # called from inside a change of this very process (e.g. by its build)
        if journal is not None:
            if _is_committed(journal, _current_manifest_articles(index_dir)):
                _apply_journal(journal)
                notes.append(f"finished an interrupted {_describe(journal)} (its build was already serving)")
            else:
                notes.append(f"rolled back an interrupted {_describe(journal)} (the previous build kept serving)")
            _journal_path(index_dir).unlink(missing_ok=True)
            fsync_dir(Path(index_dir))
            log.log(logging.INFO if own_failure else logging.WARNING, "Recovered: %s", notes[-1])
        stray = _discard_staging(Path(journal["corpus_dir"]) if journal else corpus_dir)
        if stray and journal is None:
            notes.append(f"deleted files staged by an interrupted change that never started: {', '.join(stray)}")
        notes += [f"removed half-made build {path}" for path in recover_partial_builds(index_dir)]
        return tuple(notes)


# ---------------------------------------------------------------------------------------------
# The transaction


def run_corpus_change(
    make_plan: Callable[[Mapping[str, Article]], ChangePlan],
    *,
    corpus_dir: Path,
    index_dir: Path,
    load_current: Callable[[], Any],
    build: Callable[[Sequence[Article]], ChangeReport],
) -> ChangeReport:
    """Plan against the build CURRENT names (re-read under the lock), stage, build, then apply to corpus/.

    `load_current()` returns the serving LoadedIndex (or None when there is none usable: the corpus
    is the base then); `build(articles)` is the service's one build path and returns its report.
    """
    corpus_dir = Path(corpus_dir)
    with corpus_lock(index_dir):
        recovered = recover_interrupted_change(corpus_dir, index_dir)
        current = load_current()
        if current is not None:
            base: Mapping[str, Article] = current.articles
        else:
            base = {a.id: a for a in load_corpus(corpus_dir).articles} if corpus_dir.is_dir() else {}
        plan = make_plan(base)
        if plan.is_empty:
            return ChangeReport(
                build_id=current.build_id if current is not None else "", skipped=plan.skipped, recovered=recovered
            )
        journal = _stage(plan, corpus_dir, index_dir, current.build_id if current is not None else None)
        _live_journals.add(journal["token"])
        try:
            report = build(plan.articles)
        except BaseException:
            # The build failed (or was interrupted) in this process: settle the journal now, by the same rule.
            _live_journals.discard(journal["token"])
            with contextlib.suppress(Exception):
                recover_interrupted_change(corpus_dir, index_dir, own_failure=True)
            raise
        finally:
            _live_journals.discard(journal["token"])
        _apply_journal(journal)
        _journal_path(index_dir).unlink(missing_ok=True)
        _discard_staging(corpus_dir, journal["token"])
        fsync_dir(Path(index_dir))
        return dataclasses.replace(report, skipped=plan.skipped, recovered=recovered + report.recovered)
