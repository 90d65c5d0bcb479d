"""The maintainer report: what the bot could not answer (grouped), what people disliked, and how much it is used."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from bot.core.records._grouping import DEFAULT_GROUPING, GroupingPolicy, group_questions
from bot.core.records._store import SECONDS_PER_DAY, QuestionEntry, QuestionLog, VoteEntry

MAX_GROUPS = 15
MAX_DOWNVOTES = 10
MAX_ARTICLES = 5


@dataclass(frozen=True, slots=True)
class UnansweredGroup:
    question: str  # the most recent wording
    count: int
    near_misses: int  # how many of them got "what the articles state nearby"
    last_asked: str  # ISO date
    examples: tuple[str, ...] = ()  # other wordings, a few


@dataclass(frozen=True, slots=True)
class Downvote:
    question: str
    comment: str
    voted: str  # ISO date


@dataclass(frozen=True, slots=True)
class DayVolume:
    day: str  # YYYY-MM-DD, UTC
    asked: int
    answered: int


@dataclass(frozen=True, slots=True)
class LoopReport:
    since_days: int
    asked: int
    answered: int
    now_answered: int  # unanswered when asked, answered by a later build
    unanswered: tuple[UnansweredGroup, ...]
    downvotes: tuple[Downvote, ...]
    upvotes: int
    per_day: tuple[DayVolume, ...]
    top_articles: tuple[tuple[str, int], ...]  # (article id, times cited)
    recording: bool = True

    @property
    def share_answered(self) -> float | None:
        return self.answered / self.asked if self.asked else None


def _day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")


def unanswered_of(entries: Sequence[QuestionEntry]) -> list[QuestionEntry]:
    """Abstained or near-miss, and not answered by a later build since."""
    return [e for e in entries if e.outcome != "answered" and not e.answered_build]


def build_report(
    question_log: QuestionLog,
    *,
    since_days: int,
    embed: Callable[[Sequence[str]], np.ndarray] | None,
    policy: GroupingPolicy = DEFAULT_GROUPING,
    now: float | None = None,
    recording: bool = True,
) -> LoopReport:
    now = time.time() if now is None else now
    since = now - since_days * SECONDS_PER_DAY
    entries = question_log.load_questions(since)
    votes: list[VoteEntry] = question_log.load_votes(since)
    open_questions = unanswered_of(entries)
    groups = group_questions([e.asked for e in open_questions], embed, policy)
    unanswered = []
    for group in groups[:MAX_GROUPS]:
        members = [open_questions[i] for i in group.members]
        wordings = list(dict.fromkeys(m.asked for m in members if m.asked != group.question))
        unanswered.append(
            UnansweredGroup(
                question=group.question,
                count=len(members),
                near_misses=sum(1 for m in members if m.outcome == "near-miss"),
                last_asked=_day(max(m.asked_at for m in members)),
                examples=tuple(wordings[:3]),
            )
        )
    days: dict[str, list[int]] = {}
    for entry in entries:
        counts = days.setdefault(_day(entry.asked_at), [0, 0])
        counts[0] += 1
        counts[1] += entry.outcome == "answered"
    articles = Counter(
        article for e in entries if e.outcome == "answered" for article in {c.split("#", 1)[0] for c in e.chunk_ids}
    )
    downvotes = [Downvote(v.question, v.comment, _day(v.voted_at)) for v in votes if v.vote < 0]
    return LoopReport(
        since_days=since_days,
        asked=len(entries),
        answered=sum(1 for e in entries if e.outcome == "answered"),
        now_answered=sum(1 for e in entries if e.outcome != "answered" and e.answered_build),
        unanswered=tuple(unanswered),
        downvotes=tuple(downvotes[:MAX_DOWNVOTES]),
        upvotes=sum(1 for v in votes if v.vote > 0),
        per_day=tuple(DayVolume(day, asked, answered) for day, (asked, answered) in sorted(days.items())),
        top_articles=tuple(articles.most_common(MAX_ARTICLES)),
        recording=recording,
    )


def describe_report_lines(report: LoopReport) -> list[str]:
    """The report as short plain lines (the CLI prints them; /report renders the same facts)."""
    share = f"{report.share_answered:.0%}" if report.share_answered is not None else "—"
    lines = [f"last {report.since_days} days: {report.asked} questions, {share} answered"]
    if not report.recording:
        lines.append("recording is off (MUSEBOT_RECORD=false): nothing new is logged")
    if report.now_answered:
        lines.append(f"now answered by a later build: {report.now_answered}")
    lines.append("")
    lines.append(f"not answered ({sum(g.count for g in report.unanswered)} questions, {len(report.unanswered)} groups)"
                 if report.unanswered else "not answered: none")  # fmt: skip
    for group in report.unanswered:
        near = f", {group.near_misses} near-miss" if group.near_misses else ""
        lines.append(f"  {group.count}× “{group.question}” (last {group.last_asked}{near})")
        for example in group.examples:
            lines.append(f"      also: “{example}”")
    lines.append("")
    lines.append(f"👎 {len(report.downvotes)} · 👍 {report.upvotes}")
    for vote in report.downvotes:
        comment = f" — “{vote.comment}”" if vote.comment else ""
        lines.append(f"  👎 “{vote.question}”{comment} ({vote.voted})")
    if report.per_day:
        lines.append("")
        lines.append(
            "per day: " + ", ".join(f"{d.day[5:]} {d.asked} ({d.answered} answered)" for d in report.per_day[-7:])
        )
    if report.top_articles:
        lines.append("top cited: " + ", ".join(f"{article} ({n})" for article, n in report.top_articles))
    return lines
