"""The question log: one SQLite file (WAL) written by one background thread, read by short-lived connections.

Recording must never slow or break an answer, so `record()` only builds a row and puts it on a queue; the
writer thread inserts it (batched into one transaction with whatever else is waiting). When the database is
locked, unreadable or not a database, the writer logs one warning for the streak of failures, drops the rows
and carries on; the answer has long gone out. Reads (the report, the re-ask) open their own connection: WAL
lets them run beside the writer, and beside the writer of another process (the CLI while the bot runs).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import MusebotError

log = logging.getLogger(__name__)

DB_FILE = "questions.sqlite3"
SECONDS_PER_DAY = 86_400.0
PRUNE_EVERY_SECONDS = 6 * 3600.0
# Rows wait this long on the queue so that one transaction writes many: a write per answer costs a warm
# /ask ~4 ms of CPU under load (benchmarks/recording.py); batched it costs well under 0.3 ms. Votes and
# flushes are written at once.
BATCH_SECONDS = 1.0
BUSY_TIMEOUT_MS = 2000  # the writer thread waits this long for another process's write; no answer waits on it
OUTCOMES = ("answered", "abstained", "near-miss")
FRONT_ENDS = ("discord", "cli", "chat")

# Versioned migrations: MIGRATIONS[n] takes the schema from version n to n + 1 (PRAGMA user_version).
# Append only; never edit a step that has shipped.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at REAL NOT NULL,
        front_end TEXT NOT NULL,
        question TEXT NOT NULL,
        understood TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'abstained', 'near-miss')),
        chunk_ids TEXT NOT NULL DEFAULT '[]',
        build_id TEXT NOT NULL DEFAULT '',
        guild_id INTEGER,
        channel_id INTEGER,
        user_hash TEXT,
        answered_build TEXT,
        answered_at REAL
    );
    CREATE INDEX questions_asked_at ON questions (asked_at);
    CREATE TABLE votes (
        record_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        user_hash TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        comment TEXT NOT NULL DEFAULT '',
        voted_at REAL NOT NULL,
        PRIMARY KEY (record_id, user_hash)
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class QuestionEntry:
    """One asked question, as recorded."""

    id: int
    asked_at: float  # Unix seconds
    front_end: str  # "discord" | "cli" | "chat"
    question: str  # as typed
    understood: str  # as answered, when a follow-up was rewritten; "" otherwise
    outcome: str  # "answered" | "abstained" | "near-miss"
    chunk_ids: tuple[str, ...] = ()
    build_id: str = ""
    guild_id: int | None = None
    channel_id: int | None = None
    user_hash: str | None = None  # salted hash of the Discord user id; never the id or a name
    answered_build: str | None = None  # set when a later build answered it (the re-ask after a re-index)

    @property
    def asked(self) -> str:
        """The question the bot answered: the rewritten follow-up, else the question as typed."""
        return self.understood or self.question


@dataclass(frozen=True, slots=True)
class VoteEntry:
    record_id: int
    vote: int  # +1 / -1
    comment: str
    voted_at: float
    question: str


def new_record_id(now: float | None = None) -> int:
    """Time-ordered and unique without asking the database: milliseconds, then 16 random bits (fits in 63 bits)."""
    millis = int((time.time() if now is None else now) * 1000)
    return (millis << 16) | secrets.randbits(16)


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION, one step per transaction; returns the version found."""
    found = connection.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(f"schema version {found} is newer than this musebot ({SCHEMA_VERSION})")
    for version in range(found, SCHEMA_VERSION):
        with connection:
            connection.executescript(f"BEGIN; {MIGRATIONS[version]}; PRAGMA user_version = {version + 1}; COMMIT;")
    return found


def _connect(path: Path, *, timeout: float) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


Write = Callable[[sqlite3.Connection], object]


class QuestionLog:
    """The recorded questions and votes of one data dir. Thread-safe; writes never block the caller."""

    def __init__(self, data_dir: Path, *, retention_days: int = 90, clock: Callable[[], float] = time.time) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILE
        self.retention_days = retention_days
        self.clock = clock
        self._pending: list[tuple[Write, Future[object]]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._urgent = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._connection: sqlite3.Connection | None = None
        self._failing = False  # in a streak of failures: warned once already
        self._pruned_at = 0.0
        self._closed = False

    # ----- writing (the writer thread) -----------------------------------------------------------

    def _submit(self, write: Write, *, urgent: bool = True) -> Future[object]:
        future: Future[object] = Future()
        with self._lock:
            if self._closed:
                future.set_result(None)
                return future
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="musebot-question-log", daemon=True)
                self._thread.start()
            self._pending.append((write, future))
            first = len(self._pending) == 1
            self._urgent = self._urgent or urgent
        # A record wakes the writer once per batch (no thread switch per answer); a vote or a flush at once.
        if urgent or first:
            self._wake.set()
        return future

    def _run(self) -> None:
        # The writer yields the cores to the answers: lowest priority for this thread (Linux nice is per thread).
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        while True:
            self._wake.wait()
            self._wake.clear()
            if not (self._urgent or self._stopping):
                self._wake.wait(BATCH_SECONDS)  # gather: cut short by anything urgent
                self._wake.clear()
            with self._lock:
                batch, self._pending = self._pending, []
                self._urgent = False
                stopping = self._stopping
            if batch:
                self._write_batch(batch)
            if stopping:
                if self._connection is not None:
                    with contextlib.suppress(sqlite3.Error):
                        self._connection.close()
                    self._connection = None
                return

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            connection = _connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable at checkpoints, fast
                migrate(connection)
            except sqlite3.Error:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _write_batch(self, writes: Sequence[tuple[Write, Future[object]]]) -> None:
        try:
            connection = self._open()
            self._prune_if_due(connection)
            results = []
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                for write, _future in writes:
                    results.append(write(connection))
        except (sqlite3.Error, OSError) as error:
            if not self._failing:
                log.warning("The question log %s cannot be written (%s); answers go on unrecorded", self.path, error)
            self._failing = True
            if self._connection is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._connection.close()
                self._connection = None
            for _write, future in writes:
                future.set_result(None)
            return
        if self._failing:
            log.info("The question log %s is writable again", self.path)
        self._failing = False
        for (_write, future), result in zip(writes, results, strict=True):
            future.set_result(result)

    def _prune_if_due(self, connection: sqlite3.Connection) -> None:
        now = self.clock()
        if now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        cutoff = now - self.retention_days * SECONDS_PER_DAY
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM votes WHERE record_id IN (SELECT id FROM questions WHERE asked_at < ?)",
                               (cutoff,))  # fmt: skip
            deleted = connection.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
        if deleted:
            log.info("Pruned %d questions older than %d days from the question log", deleted, self.retention_days)

    def record(self, entry: QuestionEntry) -> int:
        """Queue one question for writing; returns its id at once (the id is made here, not by the database)."""
        row = (
            entry.id, entry.asked_at, entry.front_end, entry.question, entry.understood, entry.outcome,
            json.dumps(list(entry.chunk_ids)), entry.build_id, entry.guild_id, entry.channel_id, entry.user_hash,
        )  # fmt: skip
        self._submit(
            lambda connection: connection.execute(
                "INSERT OR IGNORE INTO questions (id, asked_at, front_end, question, understood, outcome, chunk_ids,"
                " build_id, guild_id, channel_id, user_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            ),
            urgent=False,
        )
        return entry.id

    def save_vote(self, record_id: int, user_hash: str, vote: int, comment: str = "") -> Future[object]:
        """One vote per user per answer: a second vote replaces the first. The future is True when stored,
        False when the answer is not in the log (pruned, or recording was off), None when the log failed."""
        if vote not in (-1, 1):
            raise ValueError(f"a vote is +1 or -1, not {vote}")
        now = self.clock()

        def write(connection: sqlite3.Connection) -> bool:
            if connection.execute("SELECT 1 FROM questions WHERE id = ?", (record_id,)).fetchone() is None:
                return False
            connection.execute(
                "INSERT INTO votes (record_id, user_hash, vote, comment, voted_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (record_id, user_hash) DO UPDATE SET vote = excluded.vote,"
                " comment = excluded.comment, voted_at = excluded.voted_at",
                (record_id, user_hash, vote, comment, now),
            )
            return True

        return self._submit(write)

    def mark_answered(self, record_ids: Iterable[int], build_id: str) -> Future[object]:
        ids = [(build_id, self.clock(), record_id) for record_id in record_ids]
        return self._submit(
            lambda connection: connection.executemany(
                "UPDATE questions SET answered_build = ?, answered_at = ? WHERE id = ?", ids
            )
        )

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far is written (or dropped); False if that took longer than `timeout`."""
        if self._thread is None:
            return True
        try:
            self._submit(lambda connection: None).result(timeout)
        except TimeoutError:
            return False
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, then stop the writer (a CLI command calls this before it exits)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._stopping = True
            thread = self._thread
        if thread is not None:
            self._wake.set()
            thread.join(timeout)

    # ----- reading (short-lived connections) --------------------------------------------------------

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection | None]:
        if not self.path.exists():
            yield None
            return
        try:
            connection = _connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as error:
            raise self._unreadable(error) from error
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema version {version}, expected {SCHEMA_VERSION}")
            yield connection
        except sqlite3.Error as error:
            raise self._unreadable(error) from error
        finally:
            connection.close()

    def _unreadable(self, error: sqlite3.Error) -> MusebotError:
        return MusebotError(
            f"The question log {self.path} cannot be read ({error}); move it aside and a new one starts"
        )

    def load_questions(self, since: float) -> list[QuestionEntry]:
        """Every question asked since `since` (Unix seconds), oldest first."""
        with self._reader() as connection:
            if connection is None:
                return []
            rows = connection.execute(
                "SELECT id, asked_at, front_end, question, understood, outcome, chunk_ids, build_id, guild_id,"
                " channel_id, user_hash, answered_build FROM questions WHERE asked_at >= ? ORDER BY asked_at, id",
                (since,),
            ).fetchall()
        return [
            QuestionEntry(
                id=row[0],
                asked_at=row[1],
                front_end=row[2],
                question=row[3],
                understood=row[4],
                outcome=row[5],
                chunk_ids=tuple(json.loads(row[6] or "[]")),
                build_id=row[7],
                guild_id=row[8],
                channel_id=row[9],
                user_hash=row[10],
                answered_build=row[11],
            )
            for row in rows
        ]

    def load_votes(self, since: float) -> list[VoteEntry]:
        """Every vote on a question asked since `since`, newest first, with the question it was about."""
        with self._reader() as connection:
            if connection is None:
                return []
            rows = connection.execute(
                "SELECT v.record_id, v.vote, v.comment, v.voted_at, CASE WHEN q.understood != '' THEN q.understood"
                " ELSE q.question END FROM votes v JOIN questions q ON q.id = v.record_id WHERE q.asked_at >= ?"
                " ORDER BY v.voted_at DESC",
                (since,),
            ).fetchall()
        return [VoteEntry(*row) for row in rows]

    def load_vote(self, record_id: int, user_hash: str) -> tuple[int, str] | None:
        """(vote, comment) of one user on one answer, or None."""
        with self._reader() as connection:
            if connection is None:
                return None
            row = connection.execute(
                "SELECT vote, comment FROM votes WHERE record_id = ? AND user_hash = ?", (record_id, user_hash)
            ).fetchone()
        return (row[0], row[1]) if row else None
