"""The values a change is planned and reported in, its constants and its errors."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.errors import MusebotError
from bot.core.models import Article

JOURNAL_FILE = ".pending.json"
LOCK_FILE = ".corpus.lock"
STAGING_DIR = ".staging"
JOURNAL_VERSION = 1


class MaintenanceError(MusebotError):
    """A re-index request that cannot be carried out as asked; nothing was changed."""


class CorpusLockedError(MaintenanceError):
    """Another change holds the corpus lock and did not finish within the time allowed."""


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """A validated article to add, with the bytes that will be copied into corpus/."""

    article: Article
    data: bytes
    name: str  # as the maintainer gave it (path or upload name), for messages
    suffix: str  # lowercase file extension, e.g. ".md"


@dataclass(frozen=True, slots=True)
class CorpusWrite:
    article_id: str
    content_hash: str
    target: str  # path relative to corpus/
    data: bytes


@dataclass(frozen=True, slots=True)
class CorpusDelete:
    article_id: str
    path: str  # relative to corpus/


@dataclass(frozen=True, slots=True)
class ChangePlan:
    """What one add or remove does: the full article set of the next build and the corpus/ operations."""

    operation: str  # "add" or "remove"
    articles: tuple[Article, ...]
    writes: tuple[CorpusWrite, ...] = ()
    deletes: tuple[CorpusDelete, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (name, reason)

    @property
    def is_empty(self) -> bool:
        return not (self.writes or self.deletes)


@dataclass(frozen=True, slots=True)
class ArticleListing:
    id: str
    title: str
    outlet: str
    published: str
    url: str
    chunks: int
    facts: int


@dataclass(frozen=True, slots=True)
class VerifyReport:
    build_id: str | None
    corpus_articles: int
    indexed_articles: int
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems
