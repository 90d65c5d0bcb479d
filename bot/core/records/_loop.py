"""QuestionLoop: what the front ends call to ask (in context, recorded), vote, report and re-ask after a re-index.

It wraps the service rather than changing it: `MuseService.ask` stays the one answering path, and this layer
adds the record (queued, never awaited), the conversation rewrite and the "now answered" re-ask.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from bot.core.conversation import Mention, Turn, locate_mentions, rewrite_follow_up
from bot.core.errors import MusebotError
from bot.core.models import Answer, ChangeReport
from bot.core.records._grouping import DEFAULT_GROUPING, GroupingPolicy, group_questions
from bot.core.records._privacy import UserHasher
from bot.core.records._report import LoopReport, build_report, unanswered_of
from bot.core.records._store import SECONDS_PER_DAY, QuestionEntry, QuestionLog, new_record_id

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)

MAX_REASKED = 200  # groups re-asked after one re-index: bounds how long the re-index reply waits


class Answers(Protocol):
    """What the loop needs of the service (MuseService; the Discord tests' fake)."""

    def ask(self, question: str, *, top_k: int | None = None) -> Answer: ...


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a question came from. The user id is hashed before it is stored and is never logged."""

    front_end: str  # "discord" | "cli" | "chat"
    guild_id: int | None = None
    channel_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Asked:
    answer: Answer  # its `question` is the question as understood
    typed: str  # the question as typed
    understood: str  # the rewritten follow-up, "" when the question was answered as typed
    record_id: int | None  # None when recording is off


def outcome_of(answer: Answer) -> str:
    if not answer.abstained:
        return "answered"
    return "near-miss" if answer.nearest else "abstained"


class QuestionLoop:
    def __init__(
        self,
        service: Answers,
        question_log: QuestionLog | None,
        *,
        retention_days: int = 90,
        embed: Callable[[Sequence[str]], np.ndarray] | None = None,
        find_mentions: Callable[[str], Sequence[Mention]] | None = None,
        grouping: GroupingPolicy = DEFAULT_GROUPING,
        clock: Callable[[], float] = time.time,
        data_dir: Path | None = None,
    ) -> None:
        self.service = service
        self.question_log = question_log
        self.retention_days = retention_days
        # By default, what the service offers: its model's vectors and its catalog's names (MuseService has both).
        if embed is None:
            embed = getattr(service, "embed_texts", None)
        names = getattr(service, "name_mentions", None)
        if find_mentions is None and names is not None:

            def find_mentions(text: str) -> Sequence[Mention]:
                return locate_mentions(text, names(text))

        self.embed = embed
        self.find_mentions = find_mentions or (lambda text: ())
        self.grouping = grouping
        self.clock = clock
        if data_dir is None and question_log is not None:
            data_dir = question_log.data_dir
        self.hasher = UserHasher(data_dir) if data_dir is not None else None

    @property
    def is_recording(self) -> bool:
        return self.question_log is not None

    def hash_user(self, user_id: int) -> str | None:
        if self.hasher is None:
            return None
        try:
            return self.hasher.hash(user_id)
        except OSError as error:
            log.warning("Cannot read or make the user id salt in %s: %s", self.hasher.path, error)
            return None

    def understand(self, question: str, history: Sequence[Turn] = ()) -> str:
        """The question as the conversation reads it (itself when it stands alone)."""
        return rewrite_follow_up(question, history, self.find_mentions) if history else question

    def ask(self, question: str, origin: Origin, *, history: Sequence[Turn] = (), top_k: int | None = None) -> Asked:
        understood = self.understand(question.strip(), history)
        answer = self.service.ask(understood, top_k=top_k)
        rewritten = understood if understood != question.strip() else ""
        return Asked(
            answer=answer,
            typed=question,
            understood=rewritten,
            record_id=self._record(answer, question, rewritten, origin),
        )

    def _record(self, answer: Answer, question: str, understood: str, origin: Origin) -> int | None:
        if self.question_log is None:
            return None
        now = self.clock()
        entry = QuestionEntry(
            id=new_record_id(now),
            asked_at=now,
            front_end=origin.front_end,
            question=question.strip(),
            understood=understood,
            outcome=outcome_of(answer),
            chunk_ids=tuple(dict.fromkeys(c.chunk_id for c in answer.citations)),
            build_id=answer.build_id,
            guild_id=origin.guild_id,
            channel_id=origin.channel_id,
            user_hash=self.hash_user(origin.user_id) if origin.user_id is not None else None,
        )
        return self.question_log.record(entry)

    def save_vote(self, record_id: int, user_id: int, vote: int, comment: str = "") -> Future[object]:
        """Store (or replace) one user's vote on one recorded answer; the future says whether it was stored."""
        user_hash = self.hash_user(user_id)
        if self.question_log is None or user_hash is None:
            done: Future[object] = Future()
            done.set_result(None)
            return done
        return self.question_log.save_vote(record_id, user_hash, vote, comment.strip())

    def report(self, since_days: int) -> LoopReport:
        if self.question_log is None:
            return LoopReport(since_days, 0, 0, 0, (), (), 0, (), (), recording=False)
        self.question_log.flush()
        return build_report(
            self.question_log, since_days=since_days, embed=self.embed, policy=self.grouping, now=self.clock()
        )

    def after_reindex(self, report: ChangeReport) -> ChangeReport:
        """Re-ask the recorded unanswered questions (one per group) on the new build; mark and list those it answers."""
        if self.question_log is None or report.is_noop or not report.build_id:
            return report
        self.question_log.flush()
        since = self.clock() - self.retention_days * SECONDS_PER_DAY
        try:
            open_questions = unanswered_of(self.question_log.load_questions(since))
        except MusebotError as error:  # a broken log must not fail the re-index that has already happened
            log.warning("Could not re-ask the unanswered questions: %s", error)
            return report
        groups = group_questions([e.asked for e in open_questions], self.embed, self.grouping)
        answered: list[str] = []
        marked: list[int] = []
        for group in groups[:MAX_REASKED]:
            answer = self.service.ask(group.question)
            if answer.abstained or (answer.build_id and answer.build_id != report.build_id):
                continue
            count = len(group.members)
            answered.append(f"{group.question}" + (f" (asked {count}×)" if count > 1 else ""))
            marked += [open_questions[i].id for i in group.members]
        if marked:
            self.question_log.mark_answered(marked, report.build_id)
            self.question_log.flush()
            log.info("Build %s answers %d earlier questions", report.build_id, len(marked))
        return dataclasses.replace(report, now_answered=tuple(answered))

    def close(self) -> None:
        if self.question_log is not None:
            self.question_log.close()
