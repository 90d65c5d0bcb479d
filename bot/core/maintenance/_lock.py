"""The corpus lock: one change at a time, across processes (flock) and threads (RLock)."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.core.files import wait_for_flock
from bot.core.maintenance._values import (
    LOCK_FILE,
    CorpusLockedError,
)

log = logging.getLogger(__package__)  # one logger for all of maintenance, as before the split

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
    try:
        acquired = wait_for_flock(fd, timeout, f"Waiting for another re-index of {path.parent} to finish")
    except OSError:
        os.close(fd)
        raise
    if not acquired:
        os.close(fd)
        raise CorpusLockedError("Another re-index is still running; wait for it to finish, then try again.")
    return fd


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
