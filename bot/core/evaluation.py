"""Runs a question set (dev_qa.jsonl format) through the service and scores the answers."""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import MusebotError
from bot.core.models import Answer, BenchmarkTable

log = logging.getLogger(__name__)

KINDS = ("fact", "number", "comparison", "conflict", "benchmark_lookup", "unanswerable")


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    id: str
    question: str
    answerable: bool
    expected_facts: tuple[str, ...]
    expected_sources: tuple[str, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class EvalOutcome:
    question: EvalQuestion
    text: str  # answer text plus cited passages: what a reader sees
    cited_sources: tuple[str, ...]
    abstained: bool
    seconds: float
    source_hit: bool
    facts_present: bool
    missing_facts: tuple[str, ...]
    false_answer: bool  # a number stated for an unanswerable question
    facts_in_text: bool = False  # every expected fact in the answer text itself (quotes excluded)
    source_precision: float | None = None  # share of the cited articles that support the answer


@dataclass(frozen=True, slots=True)
class EvalSummary:
    count: int
    source_hit_at_k: float | None
    facts_present: float | None
    abstention_accuracy: float | None
    unanswerable_abstained: str
    false_answer_rate: float | None
    mean_latency_ms: float
    median_latency_ms: float
    facts_in_text: float | None = None
    source_precision: float | None = None
    answered: float | None = None  # share of answerable questions not abstained on


@dataclass(frozen=True, slots=True)
class EvalReport:
    overall: EvalSummary
    by_kind: dict[str, EvalSummary]
    outcomes: tuple[EvalOutcome, ...] = field(repr=False)
    k: int = 5


def load_questions(path: Path) -> tuple[EvalQuestion, ...]:
    """Read a JSONL question set; a malformed line is an error naming the line."""
    questions: list[EvalQuestion] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise MusebotError(f"Cannot read {path}: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(
                EvalQuestion(
                    id=str(row.get("id", number)),
                    question=str(row["question"]),
                    answerable=bool(row.get("answerable", True)),
                    expected_facts=tuple(str(f) for f in row.get("expected_facts", [])),
                    expected_sources=tuple(str(s) for s in row.get("expected_sources", [])),
                    kind=str(row.get("kind", "fact")),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise MusebotError(f"{path}:{number}: not a question line ({error}); see the eval README") from error
    if not questions:
        raise MusebotError(f"{path} holds no questions")
    return tuple(questions)


def _squash(text: str) -> str:
    """Lower case, thousands separators dropped, typographic quotes unified, whitespace collapsed."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.lower())
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text)


def is_fact_present(fact: str, text: str) -> bool:
    """An expected fact ('a|b' = either) appears in the text, ignoring case and thousands separators."""
    haystack = _squash(text)
    for alternative in fact.split("|"):
        needle = _squash(alternative.strip())
        if not needle:
            continue
        # A number must not match inside a longer number (52 is not in 152).
        pattern = re.escape(needle)
        if needle[0].isdigit():
            pattern = r"(?<![\d.])" + pattern
        if needle[-1].isdigit():
            pattern += r"(?![\d]|\.\d)"
        if re.search(pattern, haystack):
            return True
    return False


def answer_view(answer: Answer) -> tuple[str, tuple[str, ...]]:
    text = answer.text + "\n" + "\n".join(c.quote for c in answer.citations)
    return text, tuple(dict.fromkeys(c.article_id for c in answer.citations))


def table_view(table: BenchmarkTable) -> tuple[str, tuple[str, ...]]:
    lines = []
    sources: list[str] = []
    for row in table.rows:
        for fact in row.facts:
            lines.append(f"{row.label}: {fact.value_text} — {fact.quote}")
            sources.append(fact.article_id)
    return "\n".join(lines), tuple(dict.fromkeys(sources))


def score_outcome(
    question: EvalQuestion,
    text: str,
    sources: Sequence[str],
    abstained: bool,
    seconds: float,
    k: int,
    answer_text: str | None = None,
) -> EvalOutcome:
    missing = tuple(f for f in question.expected_facts if not is_fact_present(f, text))
    own_text = text if answer_text is None else answer_text
    in_text = all(is_fact_present(f, own_text) for f in question.expected_facts)
    hit = not question.expected_sources or any(s in question.expected_sources for s in sources[:k])
    false_answer = (not question.answerable) and not abstained and bool(re.search(r"\d", text))
    precision = None
    if question.answerable and question.expected_sources and sources and not abstained:
        precision = sum(s in question.expected_sources for s in sources) / len(sources)
    return EvalOutcome(
        question=question,
        text=text,
        cited_sources=tuple(sources),
        abstained=abstained,
        seconds=seconds,
        source_hit=hit,
        facts_present=not missing,
        missing_facts=missing,
        false_answer=false_answer,
        facts_in_text=in_text,
        source_precision=precision,
    )


def _summarise(outcomes: Sequence[EvalOutcome]) -> EvalSummary:
    answerable = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    latencies = [o.seconds * 1000 for o in outcomes] or [0.0]

    def rate(items: Iterable[bool]) -> float | None:
        values = list(items)
        return sum(values) / len(values) if values else None

    abstained = sum(o.abstained for o in unanswerable)
    return EvalSummary(
        count=len(outcomes),
        source_hit_at_k=rate(o.source_hit for o in answerable if o.question.expected_sources),
        facts_present=rate(o.facts_present for o in answerable if o.question.expected_facts),
        abstention_accuracy=rate(o.abstained for o in unanswerable),
        unanswerable_abstained=f"{abstained}/{len(unanswerable)}",
        false_answer_rate=rate(o.false_answer for o in unanswerable),
        mean_latency_ms=statistics.fmean(latencies),
        median_latency_ms=statistics.median(latencies),
        facts_in_text=rate(o.facts_in_text for o in answerable if o.question.expected_facts),
        source_precision=(
            statistics.fmean(precisions)
            if (precisions := [o.source_precision for o in answerable if o.source_precision is not None])
            else None
        ),
        answered=rate(not o.abstained for o in answerable),
    )


def run_evaluation(
    questions: Sequence[EvalQuestion],
    ask: Callable[[str], Answer],
    lookup: Callable[[str], BenchmarkTable],
    *,
    k: int = 5,
) -> EvalReport:
    """Ask every question (benchmark_lookup questions go to the lookup, as in the benchmark command)."""
    outcomes: list[EvalOutcome] = []
    for question in questions:
        start = time.perf_counter()
        if question.kind == "benchmark_lookup":
            try:
                text, sources = table_view(lookup(question.question))
            except LookupError:
                text, sources = "", ()
            abstained = not text
            own_text = text
        else:
            answer = ask(question.question)
            text, sources = answer_view(answer)
            abstained = answer.abstained
            own_text = answer.text
        seconds = time.perf_counter() - start
        outcome = score_outcome(question, text, sources, abstained, seconds, k, answer_text=own_text)
        if not outcome.facts_present or not outcome.source_hit or outcome.false_answer:
            log.info("eval miss %s: missing=%s sources=%s", question.id, outcome.missing_facts, sources)
        outcomes.append(outcome)
    by_kind = {
        kind: _summarise([o for o in outcomes if o.question.kind == kind])
        for kind in dict.fromkeys(o.question.kind for o in outcomes)
    }
    return EvalReport(overall=_summarise(outcomes), by_kind=by_kind, outcomes=tuple(outcomes), k=k)
