"""Reading what the maintainer gives: article files, folders of them, or an upload's bytes."""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from bot.core.corpus import (
    MAX_ARTICLE_BYTES,
    ArticleError,
    is_article_file_name,
    parse_article,
)
from bot.core.maintenance._values import (
    ArticleInput,
    MaintenanceError,
)

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
