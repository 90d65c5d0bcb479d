"""Add, update and remove articles without ever losing one; list what is indexed; verify corpus/ against index/.

A change is one transaction, serialised by `corpus_lock` (a flock on `index/.corpus.lock`, re-entrant
within a process), that runs through the service's one build path:

1. recover what an interrupted change left behind (below);
2. plan against the current build: which files to write into corpus/, which to delete, what to skip;
3. stage the new files under `corpus/.staging/<token>/` (the corpus loader ignores dot-folders) and
   write the journal `index/.pending.json` atomically;
4. build: embed the new chunks, write a new immutable build and move CURRENT to it;
5. apply the journal to corpus/ (delete replaced or removed files, move staged ones in), then drop it.

Recovery reads the journal and the build CURRENT names: when that build holds every written
article with its new content hash and none of the removed ones, the change committed and the
journal is applied again (each step is idempotent); otherwise it is rolled back by deleting the
staged files. Either way corpus/ ends as the serving build describes it. The build id is not
needed for the decision, so a crash between moving CURRENT and noting the new id cannot mislead it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import errno
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import stat
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core.corpus import (
    MAX_ARTICLE_BYTES,
    SUPPORTED_EXTENSIONS,
    ArticleError,
    compute_content_hash,
    is_article_file_name,
    load_article,
    load_corpus,
    parse_article,
)
from bot.core.errors import MusebotError
from bot.core.files import fsync_dir, replace_atomically, write_durably
from bot.core.models import Article, ChangeReport

log = logging.getLogger(__name__)

JOURNAL_FILE = ".pending.json"
LOCK_FILE = ".corpus.lock"
STAGING_DIR = ".staging"
JOURNAL_VERSION = 1
NEAR_DUPLICATE_THRESHOLD = 0.8  # Jaccard similarity of word 5-gram sets
SHINGLE_WORDS = 5
_WORD_RE = re.compile(r"\w+")


class MaintenanceError(MusebotError):
    """A re-index request that cannot be carried out as asked; nothing was changed."""


class CorpusLockedError(MaintenanceError):
    """Another change holds the corpus lock and did not finish within the time allowed."""


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """A validated article to add, with the bytes that will be copied into corpus/."""

    article: Article
    data: bytes
    name: str  # as the maintainer gave it (path or upload name), for messages
    suffix: str  # lowercase file extension, e.g. ".md"


@dataclass(frozen=True, slots=True)
class CorpusWrite:
    article_id: str
    content_hash: str
    target: str  # path relative to corpus/
    data: bytes


@dataclass(frozen=True, slots=True)
class CorpusDelete:
    article_id: str
    path: str  # relative to corpus/


@dataclass(frozen=True, slots=True)
class ChangePlan:
    """What one add or remove does: the full article set of the next build and the corpus/ operations."""

    operation: str  # "add" or "remove"
    articles: tuple[Article, ...]
    writes: tuple[CorpusWrite, ...] = ()
    deletes: tuple[CorpusDelete, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (name, reason)

    @property
    def is_empty(self) -> bool:
        return not (self.writes or self.deletes)


@dataclass(frozen=True, slots=True)
class ArticleListing:
    id: str
    title: str
    outlet: str
    published: str
    url: str
    chunks: int
    facts: int


@dataclass(frozen=True, slots=True)
class VerifyReport:
    build_id: str | None
    corpus_articles: int
    indexed_articles: int
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------------------------------------
# The lock: one change at a time, across processes (flock) and threads (RLock)


@dataclass(slots=True)
class _ProcessLock:
    threads: threading.RLock = dataclasses.field(default_factory=threading.RLock)
    depth: int = 0
    fd: int | None = None


_process_locks: dict[str, _ProcessLock] = {}
_process_locks_guard = threading.Lock()
_live_journals: set[str] = set()  # tokens of changes in progress in this process: never "recovered"


def _acquire_flock(path: Path, timeout: float | None) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = None if timeout is None else time.monotonic() + timeout
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                os.close(fd)
                raise
        if deadline is not None and time.monotonic() >= deadline:
            os.close(fd)
            raise CorpusLockedError("Another re-index is still running; wait for it to finish, then try again.")
        if not announced:
            log.info("Waiting for another re-index of %s to finish", path.parent)
            announced = True
        time.sleep(0.05)


@contextlib.contextmanager
def corpus_lock(index_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the right to change corpus/ and CURRENT together. Re-entrant in the thread that holds it."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with _process_locks_guard:
        entry = _process_locks.setdefault(str(index_dir.resolve()), _ProcessLock())
    if not entry.threads.acquire(timeout=-1 if timeout is None else timeout):
        raise CorpusLockedError("Another re-index is still running; wait for it to finish, then try again.")
    try:
        if entry.depth == 0:
            entry.fd = _acquire_flock(index_dir / LOCK_FILE, timeout)
        entry.depth += 1
        try:
            yield
        finally:
            entry.depth -= 1
            if entry.depth == 0 and entry.fd is not None:
                os.close(entry.fd)  # releases the flock
                entry.fd = None
    finally:
        entry.threads.release()


# ---------------------------------------------------------------------------------------------
# Reading what the maintainer gives


def _files_in_folder(given: Path) -> list[Path]:
    """The article files inside a folder, as real paths; never through a link that leaves the folder.

    Walks without following symbolic links. A link inside the folder must point inside it too (its
    target is then found and read as itself), or the whole add is refused.
    """
    root = given.resolve()
    found: list[Path] = []
    for folder, subfolders, files in os.walk(given, followlinks=False):
        here = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        linked = [here / d for d in subfolders if (here / d).is_symlink()]  # os.walk does not enter these
        for path in [*(here / f for f in sorted(files) if not f.startswith(".")), *linked]:
            is_link = path.is_symlink()
            if not is_link and not is_article_file_name(path.relative_to(given)):
                continue
            target = path.resolve()
            if is_link and not target.is_relative_to(root):
                raise MaintenanceError(
                    f"{path} is a symbolic link to {target}, outside the folder {given}; nothing was added. "
                    "Copy the article into the folder instead of linking to it."
                )
            if target.is_file() and is_article_file_name(target.relative_to(root)):
                found.append(target)
    return sorted(dict.fromkeys(found))


def collect_article_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and the article files (.md, .txt, .html…) inside folders, recursively.

    In folders, hidden files and what the corpus loader skips (``README.md``) are left out, and a symbolic
    link must stay inside the folder. A symbolic link given as a file is refused: name the file it points to.
    """
    found: list[Path] = []
    for given in paths:
        path = Path(given).expanduser()
        if path.is_symlink() and not path.is_dir():
            raise MaintenanceError(
                f"{given} is a symbolic link (to {path.resolve()}); nothing was added. Give the file it points to."
            )
        if path.is_dir():
            inside = _files_in_folder(path)
            if not inside:
                raise MaintenanceError(f"{given}: the folder has no .md, .txt or .html files; nothing was added.")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise MaintenanceError(f"{given}: no such file or folder; check the path. Nothing was added.")
    return list(dict.fromkeys(found))


def read_article_upload(data: bytes, filename: str) -> ArticleInput:
    """Validate an uploaded (or fetched) article: name, type, size, encoding, text. ArticleError otherwise."""
    article = parse_article(data, filename)
    return ArticleInput(article=article, data=data, name=filename, suffix=Path(filename).suffix.lower())


def _read_article_file(path: Path) -> ArticleInput:
    try:
        # O_NOFOLLOW: a link swapped in after the folder was checked is not followed.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        hint = "give the file it points to" if error.errno == errno.ELOOP else "check the path and its permissions"
        raise ArticleError(str(path), f"cannot be read ({error.strerror or error})", hint) from error
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ArticleError(str(path), "is not a regular file", "give an article file (.md, .txt or .html)")
        if info.st_size > MAX_ARTICLE_BYTES:  # refused before reading it into memory
            raise ArticleError(
                str(path),
                f"the file is {info.st_size / 1024 / 1024:.1f} MB, over the {MAX_ARTICLE_BYTES // 1024 // 1024} MB "
                "limit",
                "keep only the article text (no embedded images or scripts)",
            )
        try:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
        except OSError as error:
            raise ArticleError(
                str(path), f"cannot be read ({error.strerror or error})", "check its permissions"
            ) from error
    item = read_article_upload(data, path.name)
    return dataclasses.replace(item, name=str(path))


def read_article_files(paths: Sequence[Path]) -> tuple[ArticleInput, ...]:
    """Read and validate every article; one MaintenanceError naming each bad file if any is unusable."""
    inputs: list[ArticleInput] = []
    problems: list[str] = []
    for path in collect_article_paths(paths):
        try:
            inputs.append(_read_article_file(path))
        except ArticleError as error:
            problems.append(str(error))
    by_id: dict[str, str] = {}
    for item in inputs:
        if item.article.id in by_id:
            problems.append(
                f"{item.name} and {by_id[item.article.id]} are both the article '{item.article.id}'; add one of them."
            )
        by_id.setdefault(item.article.id, item.name)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise MaintenanceError(f"Nothing was added. {shown}")
    return tuple(inputs)


# ---------------------------------------------------------------------------------------------
# Near-duplicates (syndicated copies): word 5-gram sets, no model needed


def shingle_set(text: str, size: int = SHINGLE_WORDS) -> frozenset[int]:
    words = _WORD_RE.findall(text.casefold())
    if len(words) <= size:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + size])) for i in range(len(words) - size + 1))


SIGNATURE_SIZE = 64  # MinHash values per article: the estimate's spread at a Jaccard of 0.8 is about 0.05
SIGNATURE_SLACK = 0.25  # candidates are those estimated within this of the threshold: a miss is > 4 spreads off


def shingle_signature(text: str) -> tuple[int, ...]:
    """A MinHash of the text's word 5-gram set: the share of equal values estimates the Jaccard similarity.

    Stable across processes (blake2b, not hash()), so an index can keep it beside each article.
    """
    import hashlib

    import numpy as np

    words = _WORD_RE.findall(text.casefold())
    grams = [words[i : i + SHINGLE_WORDS] for i in range(max(1, len(words) - SHINGLE_WORDS + 1))] if words else []
    if not grams:
        return (0,) * SIGNATURE_SIZE
    keys = np.frombuffer(
        b"".join(hashlib.blake2b(" ".join(g).encode("utf-8"), digest_size=8).digest() for g in grams), dtype=np.uint64
    )
    masks, multipliers = _signature_constants()
    with np.errstate(over="ignore"):
        mixed = (keys[None, :] ^ masks[:, None]) * multipliers[:, None]  # wraps modulo 2**64, as meant
    return tuple(int(v) for v in mixed.min(axis=1))


def _signature_constants() -> tuple[Any, Any]:
    import numpy as np

    rng = np.random.default_rng(20260408)
    masks = rng.integers(0, 2**63, SIGNATURE_SIZE, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    multipliers = rng.integers(0, 2**63, SIGNATURE_SIZE, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    return masks, multipliers


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def find_near_duplicate(
    article: Article, others: Sequence[Article], threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> tuple[str, float] | None:
    """(id, similarity) of the most similar of `others` when it reaches `threshold`, else None."""
    mine = shingle_set(article.body)
    best: tuple[str, float] | None = None
    for other in others:
        theirs = shingle_set(other.body)
        if min(len(mine), len(theirs)) < threshold * max(len(mine), len(theirs)):
            continue  # Jaccard <= min/max of the set sizes: cannot reach the threshold
        score = jaccard(mine, theirs)
        if score >= threshold and (best is None or score > best[1]):
            best = (other.id, score)
    return best


# ---------------------------------------------------------------------------------------------
# Planning


def _normalized_url(url: str) -> str:
    url = url.strip().lower()
    url = re.sub(r"^https?://(www\.)?", "", url)
    return url.split("#", 1)[0].rstrip("/")


def find_article_file(corpus_dir: Path, article: Article) -> str | None:
    """The file in corpus/ that holds `article` (relative path), or None when there is none."""
    corpus_dir = Path(corpus_dir)
    root = corpus_dir.resolve()
    candidates: list[Path] = []
    if article.source_path:
        candidates.append(Path(article.source_path))
    candidates += [corpus_dir / f"{article.id}{suffix}" for suffix in SUPPORTED_EXTENSIONS]
    for candidate in candidates:
        with contextlib.suppress(OSError, ValueError, ArticleError):
            resolved = candidate.resolve()
            if resolved.is_file() and resolved.is_relative_to(root) and load_article(resolved).id == article.id:
                return resolved.relative_to(root).as_posix()
    if not corpus_dir.is_dir():
        return None
    for loaded in load_corpus(corpus_dir).articles:  # slow path: the file was renamed by hand
        if loaded.id == article.id:
            return Path(loaded.source_path).resolve().relative_to(root).as_posix()
    return None


def _choose_target(corpus_dir: Path, article_id: str, suffix: str, freed: set[str], taken: set[str]) -> str:
    """`<id><suffix>`, or `<id>-2<suffix>`… when a file that stays in corpus/ already has that name."""
    for n in range(1, 1000):
        name = f"{article_id}{suffix}" if n == 1 else f"{article_id}-{n}{suffix}"
        if not is_article_file_name(name):  # never write a file the corpus loader would skip
            raise MaintenanceError(f"{name} cannot hold an article in corpus/; give the article another `id:`.")
        if name not in taken and (name in freed or not (Path(corpus_dir) / name).exists()):
            return name
    raise MaintenanceError(f"corpus/ has too many files named {article_id}*; tidy it up and try again.")


def plan_additions(
    inputs: Sequence[ArticleInput],
    base: Mapping[str, Article],
    corpus_dir: Path,
    *,
    force: bool = False,
    threshold: float = NEAR_DUPLICATE_THRESHOLD,
    similar: Callable[[Article], Collection[str] | None] | None = None,
) -> ChangePlan:
    """Add new articles; replace one with the same id or URL whose text changed; skip identical and near copies.

    `similar(article)` may name the indexed articles that can be near copies of it (a superset, e.g. by
    MinHash); the others are then not compared, so an add does not re-read every article. None compares all.
    """
    articles = dict(base)
    writes: list[CorpusWrite] = []
    deletes: list[CorpusDelete] = []
    skipped: list[tuple[str, str]] = []
    taken: set[str] = set()
    for item in inputs:
        new = item.article
        by_url = {_normalized_url(a.url): a.id for a in articles.values() if a.url}
        old_id = new.id if new.id in articles else by_url.get(_normalized_url(new.url)) if new.url else None
        old = articles.get(old_id) if old_id else None
        # Hashed again on both sides: a build made before the hash covered the front matter holds an older hash.
        if old is not None and compute_content_hash(old) == compute_content_hash(new):
            skipped.append((item.name, f"same text as the indexed article {old.id}; nothing to update"))
            continue
        if not force:
            maybe = similar(new) if similar is not None else None
            others = [
                a for a in articles.values() if a.id != old_id and (maybe is None or a.id in maybe or a.id not in base)
            ]
            twin = find_near_duplicate(new, others, threshold)
            if twin is not None:
                skipped.append(
                    (
                        item.name,
                        f"near-duplicate of {twin[0]} ({twin[1]:.0%} of their 5-word phrases are shared); "
                        "add it with --force to keep both",
                    )
                )
                continue
        freed: set[str] = set()
        if old is not None:
            path = find_article_file(corpus_dir, old)
            if path is not None:
                deletes.append(CorpusDelete(article_id=old.id, path=path))
                freed.add(path)
            del articles[old.id]
        target = _choose_target(corpus_dir, new.id, item.suffix, freed, taken)
        taken.add(target)
        writes.append(CorpusWrite(article_id=new.id, content_hash=new.content_hash, target=target, data=item.data))
        articles[new.id] = dataclasses.replace(new, source_path=str(Path(corpus_dir) / target))
    deletes = [d for d in deletes if d.path not in taken]  # overwritten in place, not deleted
    return ChangePlan(
        operation="add",
        articles=tuple(articles[key] for key in sorted(articles)),
        writes=tuple(writes),
        deletes=tuple(deletes),
        skipped=tuple(skipped),
    )


def plan_removal(ids: Sequence[str], base: Mapping[str, Article], corpus_dir: Path) -> ChangePlan:
    """Remove articles by id; MaintenanceError listing unknown ids with the closest known ones."""
    wanted = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if not wanted:
        raise MaintenanceError("Name at least one article id to remove; see: musebot index list")
    unknown = [i for i in wanted if i not in base]
    if unknown:
        hints = []
        for article_id in unknown:
            close = difflib.get_close_matches(article_id, list(base), n=3, cutoff=0.5)
            close = close or [known for known in base if article_id in known][:3]
            hints.append(f"'{article_id}'" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        raise MaintenanceError(
            f"No indexed article has the id {'; '.join(hints)}. Nothing was removed; see: musebot index list"
        )
    if len(wanted) == len(base):
        raise MaintenanceError("That would remove every article; add the new ones first, then remove the old.")
    deletes = []
    for article_id in wanted:
        path = find_article_file(corpus_dir, base[article_id])
        if path is not None:
            deletes.append(CorpusDelete(article_id=article_id, path=path))
    return ChangePlan(
        operation="remove",
        articles=tuple(a for key, a in sorted(base.items()) if key not in wanted),
        deletes=tuple(deletes),
        skipped=(),
    )


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


# ---------------------------------------------------------------------------------------------
# Listing and verifying


def list_indexed_articles(index: Any) -> tuple[ArticleListing, ...]:
    """One row per article of a LoadedIndex, newest first, with how many chunks and facts it gave."""
    chunks: dict[str, int] = {}
    facts: dict[str, int] = {}
    for chunk in index.chunks:
        chunks[chunk.article_id] = chunks.get(chunk.article_id, 0) + 1
    for fact in index.facts:
        facts[fact.article_id] = facts.get(fact.article_id, 0) + 1
    rows = [
        ArticleListing(
            id=a.id,
            title=a.title,
            outlet=a.outlet,
            published=a.published,
            url=a.url,
            chunks=chunks.get(a.id, 0),
            facts=facts.get(a.id, 0),
        )
        for a in index.articles.values()
    ]
    return tuple(sorted(rows, key=lambda r: (r.published, r.id), reverse=True))


def verify_index(corpus_dir: Path, index_dir: Path) -> VerifyReport:
    """Is every corpus/ article indexed with its current text, and vice versa, and is the build intact?

    Read-only: it reports, and the message of each problem says what to run.
    """
    import numpy as np

    from bot.core.index_store import IndexStoreError, article_content_hash, load_index

    problems: list[str] = []
    journal = load_journal(index_dir)
    if journal is not None:
        problems.append(
            f"an interrupted {_describe(journal)} is pending; run any musebot index add/remove to settle it"
        )
    corpus = load_corpus(corpus_dir) if Path(corpus_dir).is_dir() else None
    if corpus is None:
        problems.append(f"{corpus_dir} does not exist; create it or set MUSEBOT_CORPUS_DIR")
    else:
        problems += [f"corpus file unusable: {error}" for error in corpus.errors]
    try:
        index = load_index(index_dir, expected_model_id=None)
    except IndexStoreError as error:
        problems.append(str(error))
        index = None
    build_id = index.build_id if index is not None else None
    indexed: Mapping[str, str] = index.manifest["articles"] if index is not None else {}
    if index is not None:
        for article_id, article in index.articles.items():
            if article_content_hash(article) != indexed.get(article_id):
                problems.append(f"articles.json and the manifest disagree on {article_id}; run: musebot index build")
        if "files" not in index.manifest:
            problems.append("the build has no file checksums (it predates them); run: musebot index build")
        norms = np.linalg.norm(index.vectors, axis=1) if len(index.vectors) else np.ones(0)
        if not np.all(np.abs(norms - 1.0) < 1e-3):
            problems.append("vectors.npy has rows that are not unit length; run: musebot index build")
    if corpus is not None and index is not None:
        in_corpus = {a.id: a for a in corpus.articles}
        for article_id in sorted(in_corpus.keys() - indexed.keys()):
            name = Path(in_corpus[article_id].source_path).name
            problems.append(f"{name} ({article_id}) is in corpus/ but not in the index; run: musebot index build")
        for article_id in sorted(indexed.keys() - in_corpus.keys()):
            problems.append(
                f"{article_id} is indexed but has no file in corpus/; run: musebot index remove {article_id}"
            )
        for article_id in sorted(in_corpus.keys() & indexed.keys()):
            if article_content_hash(in_corpus[article_id]) != indexed[article_id]:
                name = Path(in_corpus[article_id].source_path).name
                problems.append(
                    f"{name} ({article_id}) changed since it was indexed; run: musebot index add {name} "
                    "(or musebot index build)"
                )
    return VerifyReport(
        build_id=build_id,
        corpus_articles=len(corpus.articles) if corpus is not None else 0,
        indexed_articles=len(indexed),
        problems=tuple(problems),
    )
