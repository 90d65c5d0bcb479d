"""The question loop: a log of every question (SQLite), votes, the maintainer report and the re-ask after a re-index."""

from bot.core.records._grouping import GroupingPolicy, QuestionGroup, group_questions, strip_common_subject
from bot.core.records._loop import Asked, Origin, QuestionLoop, outcome_of
from bot.core.records._privacy import UserHasher
from bot.core.records._report import LoopReport, build_report, describe_report_lines
from bot.core.records._store import DB_FILE, SCHEMA_VERSION, QuestionEntry, QuestionLog, VoteEntry, migrate

__all__ = [
    "DB_FILE",
    "SCHEMA_VERSION",
    "Asked",
    "GroupingPolicy",
    "LoopReport",
    "Origin",
    "QuestionEntry",
    "QuestionGroup",
    "QuestionLog",
    "QuestionLoop",
    "UserHasher",
    "VoteEntry",
    "build_report",
    "describe_report_lines",
    "group_questions",
    "migrate",
    "outcome_of",
    "strip_common_subject",
]
