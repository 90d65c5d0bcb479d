"""Where things live in index/, ids, the writer's lock, crash leftovers, the CURRENT pointer and pruning.

index/CURRENT                      the build id in use, replaced atomically
index/builds/<build-id>/           a manifest naming segments (and their tombstones) + corpus-wide files
index/segments/<segment-id>/       immutable once a build names it; shared by every build that lists it
index/{builds,segments}/*.partial  being written; removed by the next writer if left behind
index/.lock                        fcntl.flock held while a build is written
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core.files import fsync_dir, replace_atomically, wait_for_flock, write_durably
from bot.core.index._errors import IndexLockedError

log = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
BUILDS_DIR = "builds"
SEGMENTS_DIR = "segments"
LOCK_FILE = ".lock"
PARTIAL_SUFFIX = ".partial"
DELETING_SUFFIX = ".deleting"
KEEP_BUILDS = 3
ID_RE = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6}$")


def builds_dir(index_dir: Path) -> Path:
    return Path(index_dir) / BUILDS_DIR


def segments_dir(index_dir: Path) -> Path:
    return Path(index_dir) / SEGMENTS_DIR


def new_id() -> str:
    """A UTC timestamp to the microsecond plus 6 random hex, e.g. 20260408T120301.123456Z-a1b2c3; sorts by time."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(3)}"


def built_at(build_id: str) -> str:
    """ISO 8601 UTC time of a build, from its id."""
    return datetime.strptime(build_id[:15], "%Y%m%dT%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")


def fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def write_json(path: Path, value: object, indent: int | None = None) -> None:
    write_durably(path, (json.dumps(value, ensure_ascii=False, indent=indent) + "\n").encode("utf-8"))


def read_optional_json(path: Path) -> dict[str, Any] | None:
    """An optional JSON object; None when absent or unreadable."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


@contextlib.contextmanager
def exclusive_lock(index_dir: Path, timeout: float | None) -> Iterator[None]:
    """Hold `index/.lock` exclusively; wait for another builder, up to `timeout` seconds when given."""
    lock_path = Path(index_dir) / LOCK_FILE
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not wait_for_flock(fd, timeout, f"Waiting for another index build in {index_dir} to finish"):
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            raise IndexLockedError(
                f"Another index build{f' (pid {holder})' if holder else ''} is running in {index_dir}; "
                "wait for it to finish, then try again."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def remove_leftovers(index_dir: Path) -> list[str]:
    """Half-made builds and segments, half-deleted ones, CURRENT temp files. Call with the lock held."""
    index_dir = Path(index_dir)
    removed: list[str] = []
    for folder in (builds_dir(index_dir), segments_dir(index_dir)):
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.name.endswith((PARTIAL_SUFFIX, DELETING_SUFFIX)):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(f"{folder.name}/{entry.name}")
    for entry in sorted(index_dir.glob(f"{CURRENT_FILE}.tmp-*")):
        entry.unlink(missing_ok=True)
        removed.append(entry.name)
    if removed:
        log.warning("Removed what an interrupted index build left behind: %s", ", ".join(removed))
    return removed


def recover_partial_builds(index_dir: Path) -> list[str]:
    """Remove `*.partial` builds and segments and temp files left by a crash; returns them (relative to index/).

    Does nothing (returns []) while another process holds the lock: its `.partial` is live.
    """
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        return []
    try:
        with exclusive_lock(index_dir, timeout=0):
            return remove_leftovers(index_dir)
    except IndexLockedError:
        return []


def read_current_build_id(index_dir: Path) -> str | None:
    """The build id CURRENT names, or None when there is no index yet. Cheap enough to poll."""
    try:
        text = (Path(index_dir) / CURRENT_FILE).read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return None
    return text.strip() or None


def write_current(index_dir: Path, build_id: str) -> None:
    replace_atomically(index_dir / CURRENT_FILE, f"{build_id}\n".encode("ascii"))


def _delete_folder(folder: Path) -> None:
    # Rename first so a crash mid-delete never leaves something that looks like a build or segment.
    target = folder.with_name(f"{folder.name}{DELETING_SUFFIX}")
    os.replace(folder, target)
    shutil.rmtree(target, ignore_errors=True)


def _segments_named_by(build: Path) -> set[str]:
    manifest = read_optional_json(build / "manifest.json") or {}
    segments = manifest.get("segments")
    return {str(s.get("id")) for s in segments if isinstance(s, dict)} if isinstance(segments, list) else set()


def prune_builds(index_dir: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` complete builds (never the one CURRENT names), then every segment
    no remaining build lists. Call with the lock held."""
    current = read_current_build_id(index_dir)
    builds = builds_dir(index_dir)
    complete = sorted(entry.name for entry in builds.iterdir() if entry.is_dir() and ID_RE.match(entry.name))
    doomed = [name for name in complete[:-keep] if name != current] if keep > 0 else []
    for name in doomed:
        _delete_folder(builds / name)
    if doomed:
        fsync_dir(builds)
    segments = segments_dir(index_dir)
    if segments.is_dir():
        kept = set().union(*(_segments_named_by(builds / name) for name in complete if name not in doomed))
        unused = [e for e in sorted(segments.iterdir()) if e.is_dir() and ID_RE.match(e.name) and e.name not in kept]
        for entry in unused:
            _delete_folder(entry)
        if unused:
            fsync_dir(segments)
    return doomed
