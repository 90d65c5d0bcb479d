"""Planning a change: which files to write into corpus/, which to delete, and what to skip."""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from bot.core.corpus import (
    SUPPORTED_EXTENSIONS,
    ArticleError,
    compute_content_hash,
    is_article_file_name,
    load_article,
    load_corpus,
)
from bot.core.maintenance._duplicates import (
    NEAR_DUPLICATE_THRESHOLD,
    find_near_duplicate,
)
from bot.core.maintenance._values import (
    ArticleInput,
    ChangePlan,
    CorpusDelete,
    CorpusWrite,
    MaintenanceError,
)
from bot.core.models import Article

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
