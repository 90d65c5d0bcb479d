"""Extractive answers: the few sentences that answer, each with its [n], or a plain abstention.

No language model: every sentence shown is copied from a cited passage, so every number in the
answer appears verbatim in what it cites. Benchmark questions also get the scores the articles
state (BenchmarkFact), with both values and both sources where articles disagree.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.core.focus import Focus, ground, grounds_fact, is_comparison
from bot.core.models import Answer, BenchmarkFact, Citation, Conflict, Passage, SourceRef
from bot.core.names import name_key
from bot.core.search import TermStats
from bot.core.text import NUMBER_WORDS, normalize_text, numbers_in, split_answer_units, tokenize

log = logging.getLogger(__name__)

MAX_SENTENCES = 3
MAX_FACT_LINES = 12
# A second or third sentence must score at least this share of the best one to be shown, and be nearly as
# close to the question in meaning (cosine at most this far below the best's).
FOLLOW_UP_RATIO = 0.75
FOLLOW_UP_SIMILARITY_GAP = 0.2
SIMILARITY_WEIGHT = 1.0
SUPPORT_WEIGHT = 1.25
# A term found in more than about a quarter of the passages (idf below this) says little about
# which passage answers: "muse", "spark" and "meta" in this corpus.
DISTINCTIVE_IDF = 1.38

# What kind of value a question asks for. The first pattern that matches wins.
_MONEY_Q = re.compile(
    r"\b(cost|costs|price[sd]?|pricing|pay|paid|spend|spent|worth|valuation|valued|revenue|funding|fees?|"
    r"invest(ed|ment)?|how much money|salary|dollars?)\b",
    re.IGNORECASE,
)
_DURATION_Q = re.compile(r"\bhow long\b|\bhow many (seconds|minutes|hours|days|weeks|months|years)\b", re.I)
_PERCENT_Q = re.compile(r"\b(percentage|percent|per cent|what share|what fraction)\b|%", re.IGNORECASE)
_AGE_Q = re.compile(r"\bhow old\b|\bwhat age\b", re.IGNORECASE)
_LATENCY_Q = re.compile(r"\b(latency|time to first token|response time|in (ms|milliseconds|seconds))\b", re.I)
_DATE_Q = re.compile(r"^\s*when\b|\bwhat (year|month|date|day)\b|\bwhich (year|month)\b|\bsince when\b", re.I)
_NUMBER_Q = re.compile(
    r"\b(how (much|many|big|large|fast|far|often|old)|what number|number of|count|score[sd]?|scoring|"
    r"elo|rank(ed|ing)?|size|parameters?|budget|figures?|numbers?)\b",
    re.IGNORECASE,
)
_MONEY_A = re.compile(r"[$€£¥]\s?\d|\d\s?(dollars|usd|euros?|pounds)\b", re.IGNORECASE)
_DURATION_A = re.compile(
    r"\b(\d+(\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few)"
    r"[\s-]+(seconds?|minutes?|hours?|days?|weeks?|months?|years?|quarters?)\b",
    re.IGNORECASE,
)
# "31 years old", "a 31-year-old", "aged 31", "age 31", "Nadia Forsberg, 31, said" are ages.
_AGE_A = re.compile(
    r"\b\d+[\s-]*years?[\s-]*old\b|\baged? \d+\b|\b[A-Z][a-z]+,? \(?\d{2}\)?,? (?:who|joined|is|was|said)\b",
    re.IGNORECASE,
)
# "joined at 24" is an age at an event: an answer to "how old was she when she joined", not to "how old is she".
_AGE_AT_A = re.compile(r"\bat (?:the age of )?\d{1,2}\b(?![.,]\d|\s*(?:%|percent|am|pm|p\.m|a\.m))", re.IGNORECASE)
_EVENT_Q = re.compile(r"\b(when|at the time|back then)\b", re.IGNORECASE)
_LATENCY_A = re.compile(r"\d\s*(ms|milliseconds?|seconds?|s)\b", re.IGNORECASE)
_PERCENT_A = re.compile(r"\d\s?%|\bper ?cent\b", re.IGNORECASE)
_MONTHS = "january february march april may june july august september october november december"
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday"
_DATE_A = re.compile(
    r"\b(1[89]\d\d|20\d\d|"
    + "|".join((_MONTHS + " " + _WEEKDAYS).split())
    + r"|yesterday|today|tonight|(last|this|next) (week|month|year|quarter)|(days|weeks|months) (ago|later|after))\b",
    re.I,
)
_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how is are was were do does did can could".split()
)


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """The knobs of answer selection; the abstention threshold is calibrated on the dev, held-out and tune sets."""

    # Minimum (own term coverage + cosine similarity) of the best sentence; a question after a plain number
    # must also share a distinctive word with it. 0.80: over the three tuning sets it keeps 106 of 109 right
    # answers and turns away 6 of the 20 unanswerable questions that 0.50 answered.
    abstain_threshold: float = 0.75
    max_sentences: int = MAX_SENTENCES


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    text: str
    passage_index: int
    position: int
    support: float  # share of the question's weighted terms the sentence (and its passage) covers
    score: float
    similarity: float = 0.0  # cosine between the question and the sentence
    own: float = 0.0  # share of the question's weighted terms the sentence alone covers
    distinctive_hits: int = 0  # distinctive question terms the sentence itself contains
    typed: bool = True  # holds the kind of value the question asks for (always True for word questions)
    counts_it: bool = True  # mentions what a "how many X" question counts (True when there is no X)
    grounded: bool = True  # every identity term of the question's focus is in it (True without a focus)
    missing: tuple[str, ...] = ()  # the identity terms it lacks, as the question writes them
    grounded_identity: int = 0
    entities: frozenset[str] = frozenset()  # the compared entities it grounds (comparisons only)

    @property
    def is_candidate(self) -> bool:
        """Whether it can be the answer: about the thing asked, with the kind of value asked for."""
        return self.grounded and self.typed and self.counts_it


@dataclass(frozen=True, slots=True)
class QuestionShape:
    terms: tuple[str, ...]  # content tokens of the question
    kind: str  # "age", "latency", "date", "duration", "money", "percent", "number" or "text"
    counted: tuple[str, ...] = ()  # for "how many X": the tokens of X, which the answer must mention

    @property
    def wants_number(self) -> bool:
        return self.kind not in {"text", "date"}

    @property
    def wants_date(self) -> bool:
        return self.kind == "date"


_DESCRIBE_Q = re.compile(r"^\W*(what|who|which|why|how|explain|describe|define|tell|is|are|does|do|can)\b", re.I)


def read_question_shape(question: str, *, named_benchmark: bool = False) -> QuestionShape:
    """What kind of answer the question asks for: an amount, a duration, a date, a number, or words.

    A question that names a benchmark without asking a question word ("muse spark gpqa diamond") is after
    a score.
    """
    text = normalize_text(question)
    terms = tuple(dict.fromkeys(t for t in tokenize(text) if t not in _QUESTION_WORDS))
    kind = "text"
    for name, pattern in (
        ("age", _AGE_Q), ("latency", _LATENCY_Q), ("date", _DATE_Q), ("duration", _DURATION_Q),
        ("money", _MONEY_Q), ("percent", _PERCENT_Q), ("number", _NUMBER_Q),
    ):  # fmt: skip
        if pattern.search(text):
            kind = name
            break
    if kind == "age" and _EVENT_Q.search(text):
        kind = "age_at"
    if kind == "text" and named_benchmark and not _DESCRIBE_Q.search(text):
        kind = "number"  # "gemini 3.1 pro screenspot pro without tools": a score is what is asked
    return QuestionShape(terms=terms, kind=kind, counted=read_counted_thing(text))


# Words that end the noun phrase after "how many" / "how much": auxiliaries and most prepositions
# ("of" continues it: "tokens of training data").
_PHRASE_END = frozenset(
    "did does do is are was were has have had will would can could should may might for in on at to from by with "
    "since per during after before about into over under".split()
)
MAX_COUNTED_WORDS = 3


def read_counted_thing(question: str) -> tuple[str, ...]:
    """The search tokens of what a "how many/much X" question counts: ("output", "token") for
    "how many output tokens did it use"; () when the question does not say (e.g. "how much did Meta pay")."""
    match = re.search(r"\bhow (?:many|much)\s+(.*)", question, re.IGNORECASE)
    if not match:
        return ()
    words: list[str] = []
    for word in re.findall(r"[\w.%$-]+", match.group(1)):
        if word.lower() in _PHRASE_END or len(words) >= MAX_COUNTED_WORDS + (2 if "of" in words else 0):
            break
        words.append(word.lower())
    return tuple(dict.fromkeys(tokenize(" ".join(words))))


# A day of the month or a year is a date, not the quantity a "how much / how many" question is after.
_DATE_NUMBER_RE = re.compile(
    r"\b(?:"
    + "|".join(_MONTHS.split())
    + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}\s+(?:"
    + "|".join(_MONTHS.split())
    + r")\b|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)


def has_quantity(sentence: str) -> bool:
    if numbers_in(_DATE_NUMBER_RE.sub(" ", sentence)):
        return True
    words = set(re.findall(r"[a-z]+", sentence.lower()))
    return bool(words & NUMBER_WORDS.keys())


def has_date(sentence: str) -> bool:
    return bool(_DATE_A.search(sentence))


def holds_kind(sentence: str, kind: str) -> bool:
    """Whether a sentence states the kind of value a question asks for."""
    if kind == "age":
        return bool(_AGE_A.search(sentence))
    if kind == "age_at":
        return bool(_AGE_A.search(sentence) or _AGE_AT_A.search(sentence))
    if kind == "latency":
        return bool(_LATENCY_A.search(sentence))
    if kind == "money":
        return bool(_MONEY_A.search(sentence))
    if kind == "duration":
        return bool(_DURATION_A.search(sentence))
    if kind == "percent":
        return bool(_PERCENT_A.search(sentence))
    if kind == "date":
        return has_date(sentence)
    if kind == "number":
        return has_quantity(sentence)
    return True


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
    focus: Focus | None = None,
    titles: Mapping[str, str] | None = None,
    comparison: bool = False,
    article_tokens: Callable[[str], set[str]] | None = None,
) -> list[ScoredSentence]:
    """Every answer unit of the passages, scored against the question, best first.

    ``units[i]`` holds passage i's answer units with their cosine similarity to the question
    (precomputed unit vectors); without it, units are split from the text with no similarity.
    Units that do not hold the kind of value the question asks for sort after those that do.
    """
    scored: list[ScoredSentence] = []
    entity_tokens = set(entity_terms)
    distinctive = [t for t in shape.terms if stats.weight(t) >= DISTINCTIVE_IDF]
    # Words every passage repeats ("muse", "spark") cannot tell what is counted.
    counted = [t for t in shape.counted if stats.weight(t) >= DISTINCTIVE_IDF]
    for p_index, passage in enumerate(passages):
        passage_tokens = set(tokenize(passage.chunk.embed_text))
        heading_tokens = set(tokenize(passage.chunk.heading))
        frame = heading_tokens | set(tokenize((titles or {}).get(passage.chunk.article_id, "")))
        candidates = units[p_index] if units is not None else [(u, 0.0) for u in split_answer_units(passage.chunk.text)]
        for position, (sentence, similarity) in enumerate(candidates):
            tokens = set(tokenize(sentence))
            grounding = None
            if focus is not None and focus.terms:
                # A section heading says what its sentences are about ("Three Modes, One Model").
                grounding = ground(
                    focus,
                    tokens | heading_tokens,
                    tokens | heading_tokens | passage_tokens,
                    sentence_key=f"{name_key(sentence)} | {name_key(passage.chunk.heading)}",
                    article=functools.partial(article_tokens, passage.chunk.article_id) if article_tokens else None,
                    frame=frame,
                    heading=heading_tokens - tokens,
                    comparison=comparison,
                )
                own, context = grounding.coverage, grounding.context_coverage
            else:
                own = _coverage(shape.terms, tokens | heading_tokens, stats)
                # Context counts for something: the heading and the rest of the passage frame the sentence.
                context = _coverage(shape.terms, tokens | heading_tokens | passage_tokens, stats)
            support = 0.7 * own + 0.3 * context
            score = SUPPORT_WEIGHT * support + SIMILARITY_WEIGHT * similarity + 0.25 * passage.dense_score
            if entity_tokens:
                score += 0.15 * len(entity_tokens & tokens) / len(entity_tokens)
            scored.append(
                ScoredSentence(
                    text=sentence,
                    passage_index=p_index,
                    position=position,
                    support=support,
                    score=score,
                    similarity=similarity,
                    own=own,
                    distinctive_hits=(
                        grounding.distinctive_hits if grounding else sum(1 for t in distinctive if t in tokens)
                    ),
                    typed=holds_kind(sentence, shape.kind),
                    # Half of "contemplating queries" will do ("requests"); "tokens" is not "tokens of training data".
                    counts_it=not counted or sum(_counts(t, tokens, focus) for t in counted) * 2 >= len(counted),
                    grounded=grounding.identity_ok if grounding else True,
                    missing=tuple(t.word for t in grounding.missing) if grounding else (),
                    grounded_identity=grounding.grounded_identity if grounding else 0,
                    entities=grounding.entities if grounding else frozenset(),
                )
            )
    scored.sort(key=lambda s: (not s.is_candidate, -s.score, s.passage_index, s.position))
    return scored


def _counts(token: str, tokens: set[str], focus: Focus | None) -> bool:
    """Whether a sentence names what a "how many X" counts: X itself, or what grounds it ("physicians")."""
    if token in tokens:
        return True
    if focus is None:
        return False
    from bot.core.focus import _holds

    return any(frozenset({token}) in term.alternatives and _holds(term, tokens) for term in focus.terms)


def _is_near_duplicate(a: str, b: str) -> bool:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) > 0.7


def select_answer_sentences(
    shape: QuestionShape,
    scored: Sequence[ScoredSentence],
    policy: AnswerPolicy,
    *,
    entities: Sequence[str] = (),
) -> list[ScoredSentence]:
    """The best sentence and up to two more that score close to it and add something new.

    For a comparison (``entities``: what is compared), the best sentence about each entity the chosen
    ones do not cover comes first, so "A vs B" shows a figure for each.
    """
    if not scored:
        return []
    best = scored[0]
    chosen = [best]
    for entity in entities:
        if len(chosen) >= policy.max_sentences or any(entity in c.entities for c in chosen):
            continue
        for candidate in scored[1:]:
            if candidate.is_candidate and entity in candidate.entities and candidate not in chosen:
                if is_supported(shape, candidate, policy):
                    chosen.append(candidate)
                break
    for candidate in scored[1:]:
        if len(chosen) >= policy.max_sentences or candidate.score < FOLLOW_UP_RATIO * best.score:
            break
        if not candidate.is_candidate:
            continue
        twin = next((c for c in chosen if _is_near_duplicate(candidate.text, c.text)), None)
        if twin is not None:
            # The same sentence with the one after it ("… outside chips. Its in-house …") says more: keep that.
            if twin.text in candidate.text and candidate.score >= 0.9 * twin.score:
                chosen[chosen.index(twin)] = candidate
            continue
        if candidate.similarity < best.similarity - FOLLOW_UP_SIMILARITY_GAP:
            continue
        chosen.append(candidate)
    return chosen


def is_supported(shape: QuestionShape, best: ScoredSentence | None, policy: AnswerPolicy) -> bool:
    """Whether the best sentence really answers the question, or only resembles it.

    A question after a value (amount, date, number…) needs a sentence that states that kind of
    value and contains a distinctive word of the question ("parameter" for "parameter count"),
    not just the names every article repeats. A question after words needs enough of the
    question's terms or meaning: own term coverage plus cosine similarity.
    """
    if best is None or not best.is_candidate:
        return False
    if shape.kind in {"number", "date"} and not (best.distinctive_hits > 0 or best.own >= 0.99):
        return False  # any number or date will do, so the sentence must be about the thing
    # Enough of the question's terms, or of its meaning: own term coverage plus cosine similarity.
    return best.own + best.similarity >= policy.abstain_threshold


class _CitationBook:
    """Hands out [n] markers, one per chunk, in order of first use."""

    def __init__(self, sources: Mapping[str, SourceRef]) -> None:
        self._sources = sources
        self._by_chunk: dict[str, Citation] = {}

    def cite(self, chunk_id: str, article_id: str, quote: str, score: float = 0.0) -> int:
        existing = self._by_chunk.get(chunk_id)
        if existing is not None:
            if quote and quote.strip("… ") not in existing.quote:
                # The same passage cited for another sentence or a table value: its quote shows both.
                merged = existing.quote.rstrip(" …") + " … " + quote.lstrip("… ")
                self._by_chunk[chunk_id] = replace(existing, quote=merged)
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
                marker = book.cite(fact.chunk_id, fact.article_id, fact.quote or quote_for_chunk(fact.chunk_id))
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


# Numbers of a kind, for telling whether two sentences state different values of one quantity.
_MONEY_VALUE_RE = re.compile(r"[$€£¥]\s?\d[\d,.]*(?:\s?(?:million|billion|trillion|[MBK]\b))?", re.IGNORECASE)
_PERCENT_VALUE_RE = re.compile(r"\d[\d,.]*\s?(?:%|per ?cent\b)", re.IGNORECASE)
# A second source counts as stating the same quantity when it covers nearly as much of the question.
CONFLICT_COVERAGE_RATIO = 0.6
CONFLICT_SIMILARITY_GAP = 0.3
MAX_NEAREST = 2


def values_of_kind(sentence: str, kind: str, ignore: set[str]) -> frozenset[str]:
    """The values of the asked-for kind a sentence states, normalised ("$2.50" and "$2.5" meet)."""
    text = normalize_text(sentence)
    if kind == "money":
        raw = _MONEY_VALUE_RE.findall(text)
    elif kind == "percent":
        raw = _PERCENT_VALUE_RE.findall(text)
    elif kind == "date":
        raw = [m.group(0) for m in _DATE_A.finditer(text)]
    elif kind in {"number", "duration", "age", "age_at", "latency"}:
        raw = numbers_in(text)
    else:
        return frozenset()
    values = set()
    for value in raw:
        key = re.sub(r"[\s,]", "", value.lower()).replace("percent", "%").replace("percent", "%")
        number = re.sub(r"[^\d.]", "", key)
        if number in ignore or not key:
            continue
        values.add(re.sub(r"(\.\d*?)0+\b", r"\1", key).rstrip("."))
    return frozenset(values)


def _trimmed_quote(chunk_text: str, sentences: Sequence[str]) -> str:
    """The sentences of one passage that support the answer, with "…" where the passage goes on."""
    if not sentences:
        return chunk_text
    flat = " ".join(chunk_text.split())
    first = " ".join(sentences[0].split())
    last = " ".join(sentences[-1].split())
    quote = " … ".join(" ".join(s.split()) for s in sentences)
    if not flat.startswith(first):
        quote = "… " + quote
    if not flat.endswith(last):
        quote += " …"
    return quote


def _value_classes(sentence: str, kind: str, ignore: set[str]) -> dict[str, frozenset[str]]:
    """The values a sentence states, by unit: amounts of money, percentages, dates and plain numbers.

    A question after words ("what is its context window") still has values when the sentences state some.
    """
    if kind == "date":
        return {"date": values_of_kind(sentence, "date", ignore)}
    money = values_of_kind(sentence, "money", ignore)
    percent = values_of_kind(sentence, "percent", ignore)
    numbers = values_of_kind(sentence, "number", ignore)
    as_numbers = {re.sub(r"[^\d.]", "", v) for v in money | percent}
    plain = frozenset(v for v in numbers if v not in as_numbers)
    return {"money": money, "percent": percent, "number": plain}


def _differ(mine: dict[str, frozenset[str]], theirs: dict[str, frozenset[str]]) -> str | None:
    """The unit in which two sentences state different values (and none the same), or None."""
    if any(mine[unit] & theirs[unit] for unit in mine):
        return None
    for unit in mine:
        if mine[unit] and theirs[unit] and len(mine[unit]) <= 3 and len(theirs[unit]) <= 2:
            return unit
    return None


def _find_value_conflict(
    shape: QuestionShape,
    best: ScoredSentence,
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    policy: AnswerPolicy,
    ignore: set[str],
) -> tuple[ScoredSentence, str] | None:
    """A sentence from another article that states a different value of the same quantity, with its unit."""
    mine = _value_classes(best.text, shape.kind, ignore)
    if not any(mine.values()):
        return None
    article = passages[best.passage_index].chunk.article_id
    for other in scored:
        if not other.is_candidate or other.own < CONFLICT_COVERAGE_RATIO * best.own:
            continue
        if passages[other.passage_index].chunk.article_id == article or not is_supported(shape, other, policy):
            continue
        if other.similarity < best.similarity - CONFLICT_SIMILARITY_GAP:
            continue
        unit = _differ(mine, _value_classes(other.text, shape.kind, ignore))
        if unit is not None:
            return other, unit
    return None


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
    focus: Focus | None = None,
    article_tokens: Callable[[str], set[str]] | None = None,
) -> Answer:
    """The extractive answer for a question from its retrieved passages (and benchmark facts, if any).

    With a ``focus`` (see ``focus.read_focus``), only sentences that ground every identity term of the
    question can answer, and only facts that hold them are shown; when none does, the answer is an
    abstention that may show the nearest thing the articles do state, labelled as a different thing.
    """
    shape = read_question_shape(question, named_benchmark=bool(focus and focus.benchmarks))
    comparison = focus is not None and is_comparison(question, focus)
    titles = {p.chunk.article_id: sources[p.chunk.article_id].title for p in passages if p.chunk.article_id in sources}
    scored = score_sentences(
        shape, passages, stats, units=units, entity_terms=entity_terms, focus=focus, titles=titles,
        comparison=comparison, article_tokens=article_tokens,
    )  # fmt: skip
    best = scored[0] if scored else None
    book = _CitationBook(sources)
    if focus is not None and facts:
        facts = [
            f for f in facts if grounds_fact(focus, set(tokenize(f"{f.model} {f.benchmark} {f.qualifier} {f.unit}")))
        ]
        kept = {(f.benchmark, f.model) for f in facts}
        conflicts = [c for c in conflicts if (c.benchmark, c.model) in kept]
    unknown = focus.unknown if focus is not None else ()

    chosen: list[ScoredSentence] = []
    if not unknown and is_supported(shape, best, policy):
        compared = tuple(t.word for t in focus.entities) if focus is not None and comparison else ()
        chosen = select_answer_sentences(shape, scored, policy, entities=compared)
    ignore = {t for term in (focus.terms if focus else ()) for alt in term.alternatives for t in alt}
    found = _find_value_conflict(shape, chosen[0], scored, passages, policy, ignore) if chosen else None
    rival, rival_unit = found if found is not None else (None, "")
    if rival is not None and rival not in chosen:
        chosen = [*chosen, rival]  # the other source's figure, even past max_sentences: both must show
    by_chunk: dict[str, list[str]] = {}
    for sentence in chosen:
        by_chunk.setdefault(passages[sentence.passage_index].chunk.id, []).append(sentence.text)
    lines: list[str] = []
    markers: dict[int, int] = {}
    for number, sentence in enumerate(chosen):
        passage = passages[sentence.passage_index]
        quote = _trimmed_quote(passage.chunk.text, by_chunk[passage.chunk.id])
        marker = book.cite(passage.chunk.id, passage.chunk.article_id, quote, passage.score)
        markers[number] = marker
        lines.append(f"{sentence.text} [{marker}]")
    if rival is not None and chosen and rival in chosen:
        mine = _value_classes(chosen[0].text, shape.kind, ignore)[rival_unit]
        theirs = _value_classes(rival.text, shape.kind, ignore)[rival_unit]
        first, second = markers[0], markers[chosen.index(rival)]
        lines.append(
            f"The articles differ: {' / '.join(sorted(mine))} [{first}] vs {' / '.join(sorted(theirs))} [{second}]."
        )
    said = "\n".join(lines)
    # The table adds nothing when the sentences already state every value and no source disagrees.
    repeats = bool(lines) and not conflicts and all(fact.value_text in said for fact in facts)
    fact_quote = {f.chunk_id: f.quote for f in facts}
    fact_lines = (
        _fact_lines(facts, conflicts, book, lambda chunk_id: fact_quote.get(chunk_id, ""))
        if facts and not repeats
        else []
    )
    scores = {"best_support": best.support if best else 0.0, "best_score": best.score if best else 0.0}
    if not lines and not fact_lines:
        return _abstention(question, passages, scored, sources, focus, unknown, build_id, scores)
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


def _abstention(
    question: str,
    passages: Sequence[Passage],
    scored: Sequence[ScoredSentence],
    sources: Mapping[str, SourceRef],
    focus: Focus | None,
    unknown: Sequence[object],
    build_id: str,
    scores: dict[str, float],
) -> Answer:
    """ "The articles don't say", with the nearest facts they do state when some sentence comes close.

    The nearest sentences share part of the focus (a name or a distinctive word) but miss what the
    question turns on; they are labelled as a different thing and never given as the answer.
    """
    closest = ""
    if passages:
        top = passages[0].chunk
        source = sources.get(top.article_id)
        closest = top.heading or (source.title if source else "")
    nearest: list[ScoredSentence] = []
    for sentence in scored:
        if len(nearest) >= MAX_NEAREST:
            break
        related = sentence.grounded_identity > 0 or sentence.distinctive_hits > 0
        if related and sentence.typed and not any(_is_near_duplicate(sentence.text, n.text) for n in nearest):
            nearest.append(sentence)
    missing_words: list[str] = []
    for term in unknown:
        missing_words.append(getattr(term, "word", str(term)))
    if not missing_words and nearest:
        missing_words = list(nearest[0].missing)
    book = _CitationBook(sources)
    for sentence in nearest:
        passage = passages[sentence.passage_index]
        book.cite(passage.chunk.id, passage.chunk.article_id, _trimmed_quote(passage.chunk.text, [sentence.text]),
                  passage.score)  # fmt: skip
    # An abstention states no number, not even one echoed from the question: "gemini 3" stays in `missing`.
    said = [w for w in missing_words if not any(ch.isdigit() for ch in w)]
    quoted = " or ".join(f"“{w}”" for w in said)
    if unknown and said:
        text = f"The indexed articles don't say: none of them mentions {quoted}."
    elif missing_words and nearest:
        about = quoted or "that exact name or version"
        text = f"The indexed articles don't say: nothing they state on this is about {about}."
    else:
        text = "The indexed articles don't say." + (f" The closest they come is “{closest}”." if closest else "")
    log.debug("abstained: best support %.2f", scores["best_support"])
    return Answer(
        question=question,
        text=text,
        citations=(),
        abstained=True,
        closest_topic=closest,
        build_id=build_id,
        scores=scores,
        nearest=book.citations,
        nearest_text=tuple(s.text for s in nearest),
        missing=tuple(missing_words),
    )
