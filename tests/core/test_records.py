"""The question log on a real SQLite file: migrations, retention, votes, the report, the re-ask; grouping calibrated."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from bot.core.embedding import Embedder
from bot.core.models import Answer, ChangeReport, Citation
from bot.core.records import (
    SCHEMA_VERSION,
    GroupingPolicy,
    Origin,
    QuestionLog,
    QuestionLoop,
    group_questions,
    migrate,
    outcome_of,
    strip_common_subject,
)

DAY = 86_400.0
NOW = 1_780_000_000.0


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class CannedService:
    """Answers what it has been told to; abstains on anything else."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}
        self.build = "build-1"
        self.asked: list[str] = []

    def ask(self, question: str, *, top_k: int | None = None) -> Answer:
        self.asked.append(question)
        if question in self.known:
            citation = Citation(1, "a1", "a1#0", "T", "O", "", "q")
            return Answer(question, self.known[question], (citation,), build_id=self.build)
        return Answer(question, "", (), abstained=True, build_id=self.build)


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def test_migrations_are_versioned_and_run_once(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "q.sqlite3", isolation_level=None)
    assert migrate(connection) == 0
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert migrate(connection) == SCHEMA_VERSION  # nothing left to do
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(sqlite3.DatabaseError, match="newer"):
        migrate(connection)


def test_records_outcomes_hashes_users_and_prunes_by_retention(tmp_path: Path) -> None:
    clock = Clock()
    service = CannedService()
    service.known["answered?"] = "yes [1]"
    question_log = QuestionLog(tmp_path, retention_days=90, clock=clock)
    loop = QuestionLoop(service, question_log, clock=clock, retention_days=90)
    old = loop.ask("old question?", Origin("cli"))
    clock.now += 91 * DAY
    asked = loop.ask("answered?", Origin("discord", guild_id=1, channel_id=2, user_id=424242))
    loop.ask("unknown?", Origin("chat"))
    question_log.close()

    # Re-opened later: the writer prunes what is older than the retention on its first write.
    later = QuestionLog(tmp_path, retention_days=90, clock=clock)
    later.save_vote(asked.record_id, "someone", 1).result(5)
    later.close()
    query = "SELECT id, front_end, outcome, chunk_ids, guild_id, user_hash FROM questions"
    stored = rows(tmp_path / "questions.sqlite3", query)
    assert old.record_id not in {row[0] for row in stored}
    assert {(row[1], row[2]) for row in stored} == {("discord", "answered"), ("chat", "abstained")}
    discord_row = next(row for row in stored if row[1] == "discord")
    assert discord_row[3] == '["a1#0"]'
    assert discord_row[4] == 1
    assert len(discord_row[5]) == 32
    assert "424242" not in discord_row[5]
    assert (tmp_path / "user-id-salt").stat().st_mode & 0o077 == 0


def test_one_vote_per_user_per_answer_and_unknown_records_are_refused(tmp_path: Path) -> None:
    question_log = QuestionLog(tmp_path)
    loop = QuestionLoop(CannedService(), question_log)
    asked = loop.ask("unknown?", Origin("discord", user_id=7))
    assert loop.save_vote(asked.record_id, 7, 1).result(5) is True
    assert loop.save_vote(asked.record_id, 7, -1, " too vague ").result(5) is True
    assert loop.save_vote(123, 7, 1).result(5) is False
    assert question_log.load_vote(asked.record_id, loop.hash_user(7)) == (-1, "too vague")
    assert len(question_log.load_votes(0)) == 1
    question_log.close()


def test_a_corrupt_log_warns_once_and_asking_goes_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "questions.sqlite3").write_bytes(b"not a database at all" * 50)
    question_log = QuestionLog(tmp_path)
    loop = QuestionLoop(CannedService(), question_log)
    for n in range(3):
        assert loop.ask(f"question {n}?", Origin("cli")).answer.abstained
    assert question_log.flush()
    question_log.close()
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "question log" in r.getMessage()]
    assert len(warnings) == 1
    with pytest.raises(Exception, match="move it aside"):
        question_log.load_questions(0)


def test_report_groups_counts_and_reask_marks_what_a_new_build_answers(tmp_path: Path) -> None:
    clock = Clock()
    service = CannedService()
    question_log = QuestionLog(tmp_path, clock=clock)
    loop = QuestionLoop(service, question_log, clock=clock)
    for question in ("What is the price?", "what is the price", "Who made it?"):
        clock.now += 60
        loop.ask(question, Origin("cli"))
    report = loop.report(7)
    assert [(g.question, g.count) for g in report.unanswered] == [("what is the price", 2), ("Who made it?", 1)]
    assert report.share_answered == 0

    service.build = "build-2"
    service.known["what is the price"] = "$5 [1]"
    changed = loop.after_reindex(ChangeReport(build_id="build-2", added=("a1",)))
    assert changed.now_answered == ("what is the price (asked 2×)",)
    assert loop.after_reindex(ChangeReport(build_id="build-2")) == ChangeReport(build_id="build-2"), "no-op: no re-ask"
    after = loop.report(7)
    assert [g.question for g in after.unanswered] == ["Who made it?"]
    assert after.now_answered == 2
    marked = rows(tmp_path / "questions.sqlite3", "SELECT answered_build FROM questions WHERE question LIKE 'what%'")
    assert marked == [("build-2",), ("build-2",)]
    question_log.close()


def test_outcomes() -> None:
    near = Citation(1, "a", "a#0", "T", "O", "", "q")
    assert outcome_of(Answer("q", "t", ())) == "answered"
    assert outcome_of(Answer("q", "", (), abstained=True)) == "abstained"
    assert outcome_of(Answer("q", "", (), abstained=True, nearest=(near,))) == "near-miss"


# Grouping: the threshold is calibrated on these (tests fail if the model or the threshold drifts).
PARAPHRASES = [
    ["what is the parameter count of muse spark", "how many parameters does Muse Spark have?",
     "Muse Spark parameter count", "how big is muse spark in parameters"],
    ["how much does the Muse Spark API cost?", "what is the price of muse spark api", "Muse Spark API pricing?",
     "how much will muse spark cost per token"],
    ["when will muse spark be open sourced?", "will Meta release Muse Spark weights?", "is muse spark open weight",
     "will muse spark be open source"],
    ["what is the context window of muse spark", "how long a context does Muse Spark support?",
     "muse spark context length"],
    ["what GPUs was muse spark trained on", "what hardware trained Muse Spark?",
     "how many GPUs were used to train muse spark"],
    ["when does muse spark launch in europe", "is Muse Spark available in the EU?",
     "muse spark availability in europe"],
    ["who leads meta superintelligence labs", "who runs MSL at Meta?", "head of meta superintelligence labs"],
    ["how did muse spark do on HealthBench Hard", "Muse Spark HealthBench Hard score"],
    ["how did muse spark do on GPQA Diamond", "Muse Spark GPQA score"],
    ["what is Muse Spark's energy use", "how much power does muse spark use"],
]  # fmt: skip


def test_the_grouping_threshold_joins_paraphrases_and_never_different_questions(real_embedder: Embedder) -> None:
    texts = [text for group in PARAPHRASES for text in group]
    labels = [n for n, group in enumerate(PARAPHRASES) for _ in group]
    vectors = real_embedder.embed([strip_common_subject(text) for text in texts])
    threshold = GroupingPolicy().same_question
    same = different = joined_same = joined_different = 0
    for i, j in itertools.combinations(range(len(texts)), 2):
        similar = float(vectors[i] @ vectors[j]) >= threshold
        if labels[i] == labels[j]:
            same, joined_same = same + 1, joined_same + similar
        else:
            different, joined_different = different + 1, joined_different + similar
    assert (same, different) == (33, 402)
    assert joined_different == 0
    assert joined_same >= 25

    groups = group_questions(texts, real_embedder.embed)
    for group in groups:
        assert len({labels[i] for i in group.members}) == 1, [texts[i] for i in group.members]
    assert len(groups) < len(texts) * 0.6


def test_grouping_without_a_model_joins_equal_text_only() -> None:
    groups = group_questions(["Price?", "price", "Muse Spark price?", "who?"], None)
    assert [(g.question, len(g.members)) for g in groups] == [("Muse Spark price?", 3), ("who?", 1)]
    fake = group_questions(["a", "b"], lambda texts: np.eye(2, dtype=np.float32))
    assert len(fake) == 2
