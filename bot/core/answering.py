"""Extractive answers: the few sentences that answer, each with its [n], or a plain abstention.

No language model: every sentence shown is copied from a cited passage, so every number in the
answer appears verbatim in what it cites. Benchmark questions also get the scores the articles
state (BenchmarkFact), with both values and both sources where articles disagree.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.models import Answer, BenchmarkFact, Citation, Conflict, Passage, SourceRef
from bot.core.search import TermStats
from bot.core.text import NUMBER_WORDS, normalize_text, numbers_in, split_answer_units, tokenize

log = logging.getLogger(__name__)

MAX_SENTENCES = 3
MAX_FACT_LINES = 12
# A second or third sentence must score at least this share of the best one to be shown.
FOLLOW_UP_RATIO = 0.75
SIMILARITY_WEIGHT = 1.0

_QUANTITY_RE = re.compile(
    r"\b(how (much|many|long|big|large|fast|far|often|old)|what (percentage|percent|share|number)|"
    r"number of|count|cost|price|priced|pricing|score[sd]?|scoring|result|elo|rank(ed|ing)?|"
    r"per cent|percentage|size|parameters?|tokens?|budget|revenue|valuation|figures?|numbers?)\b",
    re.IGNORECASE,
)
_DATE_RE = re.compile(r"^\s*when\b|\bwhat (year|month|date|day)\b|\bwhich (year|month)\b", re.IGNORECASE)
_MONTHS = "january february march april may june july august september october november december"
_DATE_TOKEN_RE = re.compile(r"\b(1[89]\d\d|20\d\d|" + "|".join(_MONTHS.split()) + r"|yesterday|today)\b", re.I)
_QUESTION_WORDS = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
    ]
)


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """The knobs of answer selection; the abstention threshold is calibrated on the dev set."""

    abstain_threshold: float = 0.30  # minimum support (0..1) of the best sentence
    max_sentences: int = MAX_SENTENCES


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    text: str
    passage_index: int
    position: int
    support: float  # share of the question's weighted terms the sentence (and its passage) covers
    score: float
    similarity: float = 0.0  # cosine between the question and the sentence


@dataclass(frozen=True, slots=True)
class QuestionShape:
    terms: tuple[str, ...]  # content tokens of the question
    wants_number: bool
    wants_date: bool


def read_question_shape(question: str) -> QuestionShape:
    """What kind of answer the question asks for: a number, a date, or words."""
    text = normalize_text(question)
    terms = tuple(dict.fromkeys(t for t in tokenize(text) if t not in _QUESTION_WORDS))
    return QuestionShape(
        terms=terms,
        wants_number=bool(_QUANTITY_RE.search(text)),
        wants_date=bool(_DATE_RE.search(text)),
    )


def has_quantity(sentence: str) -> bool:
    if numbers_in(sentence):
        return True
    words = set(re.findall(r"[a-z]+", sentence.lower()))
    return bool(words & NUMBER_WORDS.keys())


def has_date(sentence: str) -> bool:
    return bool(_DATE_TOKEN_RE.search(sentence))


def _coverage(terms: Sequence[str], tokens: set[str], stats: TermStats) -> float:
    total = sum(stats.weight(t) for t in terms)
    if total == 0:
        return 0.0
    return sum(stats.weight(t) for t in terms if t in tokens) / total


def _clean_sentence(sentence: str) -> str:
    return re.sub(r"^\s*(?:[-*•]|\d+\.)\s+", "", sentence).strip()


def score_sentences(
    shape: QuestionShape,
    passages: Sequence[Passage],
    stats: TermStats,
    *,
    units: Sequence[Sequence[tuple[str, float]]] | None = None,
    entity_terms: Sequence[str] = (),
) -> list[ScoredSentence]:
    """Every answer unit of the passages, scored against the question, best first.

    ``units[i]`` holds passage i's answer units with their cosine similarity to the question
    (precomputed unit vectors); without it, units are split from the text with no similarity.
    """
    scored: list[ScoredSentence] = []
    entity_tokens = set(entity_terms)
    for p_index, passage in enumerate(passages):
        passage_tokens = set(tokenize(passage.chunk.embed_text))
        heading_tokens = set(tokenize(passage.chunk.heading))
        candidates = units[p_index] if units is not None else [(u, 0.0) for u in split_answer_units(passage.chunk.text)]
        for position, (sentence, similarity) in enumerate(candidates):
            tokens = set(tokenize(sentence))
            own = _coverage(shape.terms, tokens, stats)
            # Context counts for something: the heading and the rest of the passage frame the sentence.
            context = _coverage(shape.terms, tokens | heading_tokens | passage_tokens, stats)
            support = 0.7 * own + 0.3 * context
            score = support + SIMILARITY_WEIGHT * similarity + 0.25 * passage.dense_score
            if entity_tokens:
                score += 0.15 * len(entity_tokens & tokens) / len(entity_tokens)
            if shape.wants_number:
                score += 0.15 if has_quantity(sentence) else -0.2
            if shape.wants_date:
                score += 0.15 if has_date(sentence) else -0.2
            scored.append(ScoredSentence(sentence, p_index, position, support, score, similarity))
    scored.sort(key=lambda s: (-s.score, s.passage_index, s.position))
    return scored


def _is_near_duplicate(a: str, b: str) -> bool:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) > 0.7


def select_answer_sentences(
    shape: QuestionShape, scored: Sequence[ScoredSentence], policy: AnswerPolicy
) -> list[ScoredSentence]:
    """The best sentence and up to two more that score close to it and add something new."""
    if not scored:
        return []
    best = scored[0]
    chosen = [best]
    for candidate in scored[1:]:
        if len(chosen) >= policy.max_sentences:
            break
        if candidate.score < FOLLOW_UP_RATIO * best.score:
            break
        if any(_is_near_duplicate(candidate.text, c.text) for c in chosen):
            continue
        if (shape.wants_number or shape.wants_date) and not (has_quantity(candidate.text) or has_date(candidate.text)):
            continue
        chosen.append(candidate)
    return chosen


def is_supported(shape: QuestionShape, best: ScoredSentence | None, policy: AnswerPolicy) -> bool:
    """Whether the best sentence really answers: enough of the question's terms, and the right kind of value."""
    if best is None or best.support < policy.abstain_threshold:
        return False
    if shape.wants_date and not has_date(best.text):
        return False
    return not (shape.wants_number and not shape.wants_date and not has_quantity(best.text))


class _CitationBook:
    """Hands out [n] markers, one per chunk, in order of first use."""

    def __init__(self, sources: Mapping[str, SourceRef]) -> None:
        self._sources = sources
        self._by_chunk: dict[str, Citation] = {}

    def cite(self, chunk_id: str, article_id: str, quote: str, score: float = 0.0) -> int:
        existing = self._by_chunk.get(chunk_id)
        if existing is not None:
            return existing.marker
        source = self._sources.get(article_id) or SourceRef(article_id=article_id, title=article_id, outlet="")
        marker = len(self._by_chunk) + 1
        self._by_chunk[chunk_id] = Citation(
            marker=marker,
            article_id=article_id,
            chunk_id=chunk_id,
            title=source.title,
            outlet=source.outlet,
            url=source.url,
            quote=quote,
            score=score,
        )
        return marker

    @property
    def citations(self) -> tuple[Citation, ...]:
        return tuple(sorted(self._by_chunk.values(), key=lambda c: c.marker))


def _fact_lines(
    facts: Sequence[BenchmarkFact],
    conflicts: Sequence[Conflict],
    book: _CitationBook,
    quote_for_chunk: Callable[[str], str],
) -> list[str]:
    """'HealthBench Hard: Muse Spark 42.8 [1]; GPT-5.4 40.1 [1].' One line per benchmark."""
    by_benchmark: dict[str, dict[str, list[BenchmarkFact]]] = {}
    for fact in facts:
        by_benchmark.setdefault(fact.benchmark, {}).setdefault(fact.model, []).append(fact)
    conflicting = {(c.benchmark, c.model) for c in conflicts}
    lines: list[str] = []
    for benchmark, models in by_benchmark.items():
        parts: list[str] = []
        for model, model_facts in models.items():
            values: dict[str, list[int]] = {}
            for fact in model_facts:
                marker = book.cite(fact.chunk_id, fact.article_id, quote_for_chunk(fact.chunk_id))
                markers = values.setdefault(fact.value_text, [])
                if marker not in markers:
                    markers.append(marker)
            shown = [f"{value} {''.join(f'[{m}]' for m in markers)}" for value, markers in values.items()]
            if (benchmark, model) in conflicting and len(shown) > 1:
                parts.append(f"{model} {' vs '.join(shown)} (the articles differ)")
            else:
                parts.append(f"{model} {' / '.join(shown)}")
        lines.append(f"{benchmark}: " + "; ".join(parts) + ".")
        if len(lines) >= MAX_FACT_LINES:
            break
    return lines


def build_answer(
    question: str,
    passages: Sequence[Passage],
    stats: TermStats,
    sources: Mapping[str, SourceRef],
    *,
    policy: AnswerPolicy = AnswerPolicy(),
    facts: Sequence[BenchmarkFact] = (),
    conflicts: Sequence[Conflict] = (),
    chunk_text: Callable[[str], str] | None = None,
    units: Sequence[Sequence[tuple[str, float]]] | None = None,
    entity_terms: Sequence[str] = (),
    build_id: str = "",
) -> Answer:
    """The extractive answer for a question from its retrieved passages (and benchmark facts, if any)."""
    shape = read_question_shape(question)
    scored = score_sentences(shape, passages, stats, units=units, entity_terms=entity_terms)
    best = scored[0] if scored else None
    book = _CitationBook(sources)
    quote_for_chunk = chunk_text or (lambda _chunk_id: "")

    lines: list[str] = []
    if is_supported(shape, best, policy):
        for sentence in select_answer_sentences(shape, scored, policy):
            passage = passages[sentence.passage_index]
            marker = book.cite(passage.chunk.id, passage.chunk.article_id, passage.chunk.text, passage.score)
            lines.append(f"{sentence.text} [{marker}]")
    fact_lines = _fact_lines(facts, conflicts, book, quote_for_chunk) if facts else []
    scores = {"best_support": best.support if best else 0.0, "best_score": best.score if best else 0.0}
    if not lines and not fact_lines:
        closest = ""
        if passages:
            top = passages[0].chunk
            source = sources.get(top.article_id)
            closest = top.heading or (source.title if source else "")
        log.debug("abstained: best support %.2f", scores["best_support"])
        return Answer(
            question=question,
            text="The indexed articles don't say." + (f" The closest they come is “{closest}”." if closest else ""),
            citations=(),
            abstained=True,
            closest_topic=closest,
            build_id=build_id,
            scores=scores,
        )
    text = "\n".join(lines) + "\n\n" + "\n".join(fact_lines) if fact_lines and lines else "\n".join(lines or fact_lines)
    if any(c for c in conflicts):
        text += "\n\nThe articles give different figures here; each is shown with its source."
    return Answer(
        question=question,
        text=text,
        citations=book.citations,
        conflicts=tuple(conflicts),
        facts=tuple(facts),
        build_id=build_id,
        scores=scores,
    )
