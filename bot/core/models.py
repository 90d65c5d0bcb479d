"""Values that flow through the pipeline: corpus → chunks → passages → answers and benchmark facts."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, whatever format it arrived in.

    ``body`` is normalised Markdown-ish text: ``#``-headings, paragraphs separated by blank
    lines, tables as pipe tables (HTML/Markdown) or kept as the plain lines they were written in.
    """

    id: str
    title: str
    outlet: str
    body: str
    author: str = ""
    url: str = ""
    published: str = ""
    source_path: str = ""
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of one article; the unit that is embedded, searched and quoted."""

    id: str  # "<article-id>#<n>", stable across re-indexes of unchanged text
    article_id: str
    ordinal: int
    heading: str  # nearest section heading, "" when none
    text: str  # the passage as written in the article (what gets quoted)
    embed_text: str  # title + heading + text: what the model reads


@dataclass(frozen=True, slots=True)
class Passage:
    """A chunk returned by retrieval, with how it scored."""

    chunk: Chunk
    score: float  # fused score used for ranking
    dense_score: float  # cosine similarity with the query, 0 when not in the dense top-k
    bm25_score: float  # BM25 score, 0 when not in the BM25 top-k


@dataclass(frozen=True, slots=True)
class Citation:
    """What an [n] marker points at."""

    marker: int
    article_id: str
    chunk_id: str
    title: str
    outlet: str
    url: str
    quote: str  # the passage (or the sentences of it) that supports the claim
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class BenchmarkFact:
    """One score that one article states for one model on one benchmark."""

    benchmark: str  # canonical display name, e.g. "HealthBench Hard"
    model: str  # canonical display name, e.g. "GPT-5.4"
    value_text: str  # as written in the article, e.g. "1,444" or "80.5%"
    value: float  # numeric value, e.g. 1444.0
    unit: str  # "%", "points", "Elo", "tokens" or ""
    article_id: str
    chunk_id: str
    quote: str  # the exact text (sentence or table row) the value came from; contains value_text
    qualifier: str = ""  # mode/setting where the text gives one, e.g. "with tools"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two or more articles giving different values for the same (benchmark, model)."""

    benchmark: str
    model: str
    facts: tuple[BenchmarkFact, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """An extractive answer: sentences with [n] markers, and what the markers cite."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    abstained: bool = False
    conflicts: tuple[Conflict, ...] = ()
    facts: tuple[BenchmarkFact, ...] = ()  # set when the question was a benchmark lookup
    closest_topic: str = ""  # on abstention: what the articles do cover that came closest
    build_id: str = ""
    scores: dict[str, float] = field(default_factory=dict, compare=False)
    # On abstention: what the articles do state that comes nearest (a different thing, never the answer),
    # the sentences themselves (nearest_text[i] is cited by nearest[i]), and the terms nothing matched.
    nearest: tuple[Citation, ...] = ()
    nearest_text: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceRef:
    """How a table or answer names an article."""

    article_id: str
    title: str
    outlet: str
    url: str = ""
    published: str = ""
    author: str = ""

    @property
    def byline(self) -> str:
        """The outlet and author, as a question may name them ("what does PocketLab say"); "" when unknown."""
        return _byline(self.outlet, self.author)


# Read for every passage an answer weighs (~20 times an ask), and most articles share their outlet and author.
@functools.lru_cache(maxsize=1 << 12)
def _byline(outlet: str, author: str) -> str:
    from bot.core.corpus import UNKNOWN_OUTLET

    outlet = "" if outlet == UNKNOWN_OUTLET else outlet
    return " ".join(part for part in (outlet, author) if part)


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One line of a lookup: a model (in a benchmark table) or a benchmark (in a model table)."""

    label: str
    facts: tuple[BenchmarkFact, ...]  # one per source that states it, best value first
    is_conflict: bool = False  # sources give different values


@dataclass(frozen=True, slots=True)
class BenchmarkTable:
    """Every model's score on one benchmark, best first."""

    benchmark: str
    rows: tuple[ScoreRow, ...]
    sources: tuple[SourceRef, ...]
    note: str = ""  # what of the lookup the rows do not answer ("No score for Gemini 3 …"), shown above them


@dataclass(frozen=True, slots=True)
class ModelTable:
    """Every benchmark the articles give for one model (or a family of variants)."""

    model: str
    rows: tuple[ScoreRow, ...]
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    benchmark: str
    a: tuple[BenchmarkFact, ...]
    b: tuple[BenchmarkFact, ...]
    difference: float | None  # a - b when each side has one value in the same unit


@dataclass(frozen=True, slots=True)
class Comparison:
    model_a: str
    model_b: str
    shared: tuple[ComparisonRow, ...]
    only_a: tuple[ScoreRow, ...]
    only_b: tuple[ScoreRow, ...]
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True, slots=True)
class IndexStats:
    build_id: str
    built_at: str  # ISO 8601, UTC
    articles: int
    chunks: int
    facts: int
    model_id: str
    stale: bool = False


@dataclass(frozen=True, slots=True)
class FactChange:
    benchmark: str
    model: str
    article_id: str
    before: str  # value as written, "" when added
    after: str  # value as written, "" when removed


@dataclass(frozen=True, slots=True)
class ChangeReport:
    """What a build or re-index changed, for the CLI and for /reindex replies."""

    build_id: str
    added: tuple[str, ...] = ()  # article ids
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (name, reason)
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_embedded: int = 0
    fact_changes: tuple[FactChange, ...] = ()
    conflicts_introduced: tuple[str, ...] = ()  # readable lines
    conflicts_resolved: tuple[str, ...] = ()
    recovered: tuple[str, ...] = ()  # half-made builds cleaned up before this one
    now_answered: tuple[str, ...] = ()  # earlier unanswered questions this build answers (the question loop)

    @property
    def is_noop(self) -> bool:
        return not (self.added or self.updated or self.removed)
