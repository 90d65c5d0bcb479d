"""Readers never wait for a writer: with the corpus lock held by another process, questions are answered
from the current build (builds are immutable). The lock is held for real, by a second process."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.core.index_store import IndexLockedError, read_current_build_id
from bot.core.maintenance import LOCK_FILE
from tests.core.test_maintenance import LAUNCH, WHATSAPP, Workspace

HOLD_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


@pytest.fixture
def lock_holder() -> Iterator[Callable[[Path], None]]:
    holders: list[subprocess.Popen[str]] = []

    def hold(index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(index_dir / LOCK_FILE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        holders.append(holder)
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"

    yield hold
    for holder in holders:
        holder.communicate(timeout=30)


def run_without_hanging(work: Callable[[], object]) -> object:
    """Run `work` on a thread; fail (instead of hanging the suite) if it is still blocked after a long grace."""
    result: list[object] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(work())
        except BaseException as error:  # handed back to the test
            errors.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the reader blocked on the writer's lock"
    if errors:
        raise errors[0]
    return result[0]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path)
    (workspace.corpus / "launch.md").write_text(LAUNCH, encoding="utf-8")
    workspace.service.build_index()
    return workspace


def test_ask_answers_from_the_current_build_while_another_process_holds_the_lock(
    ws: Workspace, lock_holder: Callable[[Path], None]
) -> None:
    build = read_current_build_id(ws.index)
    lock_holder(ws.index)
    answer = run_without_hanging(lambda: ws.new_service().ask("When did Meta launch Muse Spark?"))
    assert "launch" in {c.article_id for c in answer.citations}  # type: ignore[attr-defined]
    assert answer.build_id == build  # type: ignore[attr-defined]


def test_a_stale_corpus_is_served_as_built_while_another_process_holds_the_lock(
    ws: Workspace, lock_holder: Callable[[Path], None]
) -> None:
    build = read_current_build_id(ws.index)
    (ws.corpus / "whatsapp.md").write_text(WHATSAPP, encoding="utf-8")  # stale: a writer is adding it
    lock_holder(ws.index)
    service = ws.new_service()
    answer = run_without_hanging(lambda: service.ask("When did Meta launch Muse Spark?"))
    assert answer.build_id == build  # type: ignore[attr-defined]
    assert read_current_build_id(ws.index) == build  # the reader did not build


def test_without_any_build_the_reader_says_so_instead_of_waiting(
    tmp_path: Path, lock_holder: Callable[[Path], None]
) -> None:
    ws = Workspace(tmp_path)
    (ws.corpus / "launch.md").write_text(LAUNCH, encoding="utf-8")
    lock_holder(ws.index)
    with pytest.raises(IndexLockedError, match="another musebot process is changing the index; try again"):
        run_without_hanging(lambda: ws.new_service().ask("When did Meta launch Muse Spark?"))
