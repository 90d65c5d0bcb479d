"""The index's errors: one family under IndexStoreError, each message saying what to run."""

from __future__ import annotations

from bot.core.errors import MusebotError

REBUILD_HINT = "run: musebot index build"


class IndexStoreError(MusebotError, ValueError):
    """The index cannot be used as it is; the message says what to run."""


class IndexMissingError(IndexStoreError):
    """No build has been made in this index folder yet."""


class IndexModelMismatchError(IndexStoreError):
    """The build's vectors come from another embedding model than the one configured."""


class IndexDamagedError(IndexStoreError):
    """A file is missing or unreadable, the schema is another version, or the counts disagree."""


class IndexLockedError(IndexStoreError):
    """Another process is writing a build and did not finish within the timeout."""


class IndexBuildError(IndexStoreError):
    """The input to a build is inconsistent (duplicate ids, chunks of an unknown article, bad vectors)."""


def damaged(index_dir: object, build_id: str, detail: str) -> IndexDamagedError:
    return IndexDamagedError(f"The index in {index_dir} (build {build_id}) is damaged: {detail}; {REBUILD_HINT}")
