"""Durable file writes shared by the index, the model export and the re-index journal; what a failed write means."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from bot.core.errors import MusebotError

_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
_FORBIDDEN = frozenset({errno.EACCES, errno.EPERM})


class StorageError(MusebotError):
    """A file or folder could not be written: the disk is full, the place is read-only or forbidden, or a file
    stands where a folder should be. The message names the place and what to do."""


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in ``path`` survive a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and fsync it (the caller owns atomicity, e.g. a folder renamed later)."""
    try:
        with path.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        if error.filename is None:  # a failed write or fsync names no file: name it, so the message can
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise


def replace_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file and os.replace: readers see the old content or the new, never half."""
    temp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}")
    try:
        write_durably(temp, data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def find_file_in_the_way(path: Path) -> Path | None:
    """The nearest of `path` and its parents that exists and is not a folder (a file where a folder should be)."""
    for candidate in (path, *path.parents):
        if candidate.is_symlink() or candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def describe_storage_error(error: OSError, folder: Path, elsewhere: str) -> str | None:
    """What to tell the user about an OSError of the storage itself, or None for any other OSError (a bug).

    `folder` is the configured folder the failed path is in (named for a full or read-only disk) and
    `elsewhere` says how to choose another one, e.g. "another index folder (--index-dir)".
    """
    path = Path(os.fsdecode(error.filename)) if error.filename else folder
    if error.errno in _DISK_FULL:
        return f"No space left on the disk that holds {folder}; free some space, then try again."
    if error.errno == errno.EROFS:
        return f"{folder} is on a read-only file system; make it writable or use {elsewhere}, then try again."
    if error.errno in _FORBIDDEN:
        return f"No permission to write {path}; give this user write access or use {elsewhere}, then try again."
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = find_file_in_the_way(path)
        if blocker is not None:
            return f"{blocker} is a file, not a folder; move it away or use {elsewhere}, then try again."
    if error.errno == errno.EISDIR and path.is_dir():
        return f"{path} is a folder where musebot keeps a file; move it away or use {elsewhere}, then try again."
    return None


def wait_for_flock(fd: int, timeout: float | None, waiting: str) -> bool:
    """Take an exclusive flock on ``fd``, waiting up to ``timeout`` seconds (None: as long as it takes).

    False when the time ran out; ``waiting`` is logged once if it has to wait. Other errors are raised.
    """
    import errno
    import fcntl
    import logging
    import time

    deadline = None if timeout is None else time.monotonic() + timeout
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
        if deadline is not None and time.monotonic() >= deadline:
            return False
        if not announced:
            logging.getLogger(__name__).info("%s", waiting)
            announced = True
        time.sleep(0.05)


def digest_of_files(paths: Iterable[Path | None]) -> str:
    """A version of some code: sha256 of the files' bytes. A file that cannot be read (or None) adds random
    bytes, so nothing is ever reused on its account."""
    import hashlib

    digest = hashlib.sha256()
    for path in paths:
        try:
            if path is None:
                raise OSError("no source file")
            digest.update(path.read_bytes())
        except OSError:
            digest.update(os.urandom(16))
    return digest.hexdigest()
