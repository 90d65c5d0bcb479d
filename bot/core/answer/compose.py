"""The extractive answer: the chosen sentences with [n] citations, quotes trimmed to them, benchmark facts,
value conflicts between sources, or an abstention that shows the nearest fact as a different thing.

No language model: every sentence shown is copied from a cited passage, so every number in the
answer appears verbatim in what it cites.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.answer.focus import Focus, FocusTerm
from bot.core.answer.grounding import grounds_fact, holds, is_comparison
from bot.core.answer.policy import (
    CONFLICT_CLOSE_GAP,
    CONFLICT_COVERAGE_RATIO,
    CONFLICT_FULL_COVERAGE_GAP,
    CONFLICT_SIMILARITY_GAP,
    DEFAULT_POLICY,
    MAX_FACT_LINES,
    MAX_NEAREST,
    AnswerPolicy,
)
from bot.core.answer.select import (
    ScoredSentence,
    answer_order,
    is_near_duplicate,
    is_supported,
    names_someone_new,
    previous_sentence,
    said_of_another,
    score_sentences,
    select_answer_sentences,
    with_named_neighbour,
)
from bot.core.answer.shape import (
    WEIGHT_TOKENS,
    WEIGHT_WORDS,
    WITHHELD_RE,
    QuestionShape,
    asked_head,
    has_date,
    names_new_version,
    numbers_counted,
    read_question_shape,
    values_as_written,
    values_of_kind,
    without_dates,
    without_name_versions,
)
from bot.core.models import Answer, BenchmarkFact, Chunk, Citation, Conflict, Passage, SourceRef
from bot.core.search import TermStats
from bot.core.text import (
    CALENDAR_WORDS,
    DIGIT_WORDS,
    MONTH_NAMES,
    YEAR_RE,
    normalize_text,
    numbers_in,
    split_sentences,
    tokenize,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


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


# What a score counts, when a question asks "how many points": the nouns a benchmark table's figures are.
_SCORE_NOUNS = frozenset(tokenize("point points score scores percent percentage mark marks"))


def _value_classes(
    sentence: str, kind: str, ignore: set[str], counted: AbstractSet[str] = frozenset()
) -> dict[str, frozenset[str]]:
    """The values a sentence states, by unit: amounts of money, percentages, dates and plain numbers.

    A question after words ("what is its context window") still has values when the sentences state some.
    """
    if kind == "date":
        return _date_values(sentence)
    money = values_of_kind(sentence, "money", ignore)
    percent = values_of_kind(sentence, "percent", ignore)
    # The day of a date says when, not how many: "On October 17, … announced" and "answered on October 16" are
    # no two counts.
    numbers = values_of_kind(_DAY_RE.sub(" ", normalize_text(sentence)), "number", ignore)
    as_numbers = {re.sub(r"[^\d.]", "", v) for v in money | percent}
    # A year says when, not how many: "cut 600 roles in 2025" and "700 jobs in 2025" differ in the count.
    plain = frozenset(v for v in numbers if v not in as_numbers and not YEAR_RE.fullmatch(v))
    if kind == "duration":
        # A length of time is a number of units of time: "a 300-lawyer firm" states none.
        plain &= frozenset(re.sub(r"[^\d.]", "", m.group(1)) for m in _DIGIT_DURATION_RE.finditer(sentence))
    if kind in _SPELLED_KINDS:
        # "nine months" and "eleven months" differ as 9 and 11 do; what a word counts must be what is asked
        # ("six puzzles" is no count of agents).
        nouns = _TIME_UNITS if kind != "number" else counted
        plain |= frozenset(v for v, (_w, noun) in _spelled_values(sentence).items() if noun in nouns)
    return {"money": money, "percent": percent, "number": plain}


# A count or length said in words ("nine months", "twelve agents"): a value of a question after a count, a length
# of time or an age, like its digits. "one" is left out: it is as often a pronoun ("the one that …") as a count.
_SPELLED_KINDS = frozenset({"number", "duration", "age", "age_at"})
_DIGIT_DURATION_RE = re.compile(
    r"\b(\d[\d,]*(?:\.\d+)?)[\s-]+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b", re.I
)
_TIME_UNITS = frozenset(tokenize("seconds minutes hours days weeks months years decades"))
_SPELLED_RE = re.compile(
    r"\b(?P<word>" + "|".join(w for w in DIGIT_WORDS if w not in {"one", "hundred", "dozen"}) + r")"
    r"(?:[\s-](?P<unit>one|two|three|four|five|six|seven|eight|nine))?"
    r"(?=[\s-]+(?P<noun>(?!of\b|or\b|and\b|to\b|in\b|at\b|on\b|by\b|percent\b|per\b)[a-z]+))",
    re.IGNORECASE,
)


def _time_units(sentence: str) -> frozenset[str]:
    """The units of time a sentence counts in ("month" of "nine months", "week" of "2 weeks")."""
    units = {m.group(0).split()[-1].split("-")[-1] for m in _DIGIT_DURATION_RE.finditer(sentence)}
    units |= {noun for _w, noun in _spelled_values(sentence).values() if noun in _TIME_UNITS}
    return frozenset(t for unit in units for t in tokenize(unit))


@functools.lru_cache(maxsize=1 << 12)
def _spelled_values(sentence: str) -> dict[str, tuple[str, str]]:
    """The counts a sentence says in words, as digits, each with the words as written and the search token of
    what it counts ("9" -> ("nine months", "month"))."""
    found: dict[str, tuple[str, str]] = {}
    text = normalize_text(sentence)
    for match in _SPELLED_RE.finditer(text):
        value = int(DIGIT_WORDS[match.group("word").lower()])
        if match.group("unit"):
            if value < 20 or value % 10:
                continue  # "five three": no number
            value += int(DIGIT_WORDS[match.group("unit").lower()])
        noun = tokenize(match.group("noun"))
        found.setdefault(str(value), (text[match.start() : match.end("noun")], noun[0] if noun else ""))
    return found


_MONTH = "|".join(MONTH_NAMES)
_DAY_RE = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:%|percent|billion|million))", re.I)
_MONTH_YEAR_RE = re.compile(rf"\b({_MONTH})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?\s+((?:19|20)\d\d)\b", re.I)


def _as_written(values: AbstractSet[str], sentence: str) -> list[str]:
    """Values as the sentence writes them ("52,000" for 52000, "$14.3 billion"), in order."""
    written: dict[str, str] = {}
    written.update({v: w for v, (w, _noun) in _spelled_values(sentence).items() if v in values})
    for kind in ("number", "percent", "money"):  # a later kind's surface wins: "$14.3 billion", not "14.3"
        written.update(values_as_written(sentence, kind, set()))
    return [written.get(value, value) for value in sorted(values)]


def _date_values(sentence: str) -> dict[str, frozenset[str]]:
    """The dates a sentence states, by how precise they are: days ("april 8"), months ("april 2026"), years."""
    text = normalize_text(sentence)
    days = frozenset(f"{m.group(1).capitalize()} {int(m.group(2))}" for m in _DAY_RE.finditer(text))
    months = frozenset(f"{m.group(1).capitalize()} {m.group(2)}" for m in _MONTH_YEAR_RE.finditer(text))
    years = frozenset(re.findall(r"\b(?:19|20)\d\d\b", text))
    return {"day": days, "month": months, "year": years}


def _differ(mine: dict[str, frozenset[str]], theirs: dict[str, frozenset[str]], kind: str = "") -> str | None:
    """The unit in which two sentences state different values (and none the same), or None; the unit the
    question asks for first ("how much": money), so a year or count both mention does not hide it. Dates
    are compared at the most precise level both state: "April 8" and "April 9" differ, though both say 2026.
    """
    if kind == "date":
        for unit in ("day", "month", "year"):
            if mine.get(unit) and theirs.get(unit):
                return None if mine[unit] & theirs[unit] else unit
        return None
    for unit in sorted(mine, key=lambda u: u != kind):
        if mine[unit] & theirs[unit]:
            if unit == kind:
                return None  # they agree on what is asked
            continue
        if mine[unit] and theirs[unit] and len(mine[unit]) <= 3 and len(theirs[unit]) <= 2:
            return unit
    return None


def _counted_values(
    values: dict[str, frozenset[str]], sentence: str, shape: QuestionShape, counted: frozenset[str]
) -> dict[str, frozenset[str]]:
    """For "how many agents …", of a sentence's several numbers only those it says of agents: "16 agents"
    and "took 48 seconds on the 25 puzzles" state no two values of one count."""
    if shape.kind != "number" or not shape.counted or len(values.get("number", ())) < 2:
        return values  # one number is the count, whatever the sentence calls what it counts
    spelled = {v for v, (_w, noun) in _spelled_values(sentence).items() if noun in counted}
    said = numbers_counted(sentence, counted) | spelled
    return {**values, "number": frozenset(v for v in values["number"] if v in said)}


@functools.lru_cache(maxsize=1 << 10)
def _passage_tokens(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _find_value_conflict(
    shape: QuestionShape,
    best: ScoredSentence,
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    policy: AnswerPolicy,
    ignore: set[str],
    weak: AbstractSet[str] = frozenset(),
    focus: Focus | None = None,
    restating: AbstractSet[str] = frozenset(),
    akin: AbstractSet[str] = frozenset(),
) -> tuple[ScoredSentence, frozenset[str], frozenset[str]] | None:
    """A sentence from another article that states a different value of the same quantity, with the values
    each states of it.

    ``weak`` holds the question's names that are also ordinary words ("API"): another article may leave
    one unsaid ("GPT-5.4 lists at $3 per million input tokens") and still state the same quantity. So may a
    model its passage names ("… more than 1,000 physicians helped curate the training data behind the model's
    answers"), when the sentence's value is not said of another model. A sentence that restates the answer's
    may leave out a date or setting it says in other words ("on launch day" for "on April 8"), when it states
    no other date or setting of its own.
    """
    models = {t.word: frozenset(t.alternatives[0]) for t in focus.terms if t.role == "model"} if focus else {}
    # What is counted, in the question's words and in those that ground them ("physicians" for "doctors").
    counted = frozenset(shape.counted) | frozenset(
        t
        for term in (focus.terms if focus else ())
        if any(frozenset({c}) in term.alternatives for c in shape.counted)
        for alt in (*term.alternatives, *term.close)
        for t in alt
    )
    mine = _counted_values(_value_classes(best.text, shape.kind, ignore, counted), best.text, shape, counted)
    mine_scored = _scored_values(mine, best.text, focus)
    if not any(mine.values()):
        return None
    article = passages[best.passage_index].chunk.article_id
    # What an amount measures: the distinctive words of the question ("capex", "stock"). When the answer says
    # one, a rival amount in a sentence that says none is another quantity (revenue beside capital spending).
    measured = (
        [t for t in focus.terms if t.role == "word" and t.weight >= focus.distinctive_idf]
        if focus is not None and shape.kind in {"money", "number", "percent"}
        else []
    )
    if not any(holds(t, _passage_tokens(best.text)) for t in measured):
        measured = []
    settings = {t.word: t for t in focus.terms if t.role in {"qualifier", "number"}} if focus else {}
    for other in scored:
        carried = False
        if (
            other.text in restating
            and not other.is_candidate
            and other.typed
            and other.counts_it
            and other.missing
            and all(word in settings for word in other.missing)
            and not any(
                settings[word].siblings & _passage_tokens(other.text)
                for word in other.missing
                if not set(word.split()) & CALENDAR_WORDS  # "launch day" is no rival of "april": no other date is
            )
            and not has_date(other.text)
        ):
            other = replace(other, grounded=True, missing=())
        if not other.is_candidate and other.typed and other.counts_it and other.missing:
            unsaid = set(other.missing) - weak
            passage_tokens = _passage_tokens(passages[other.passage_index].chunk.embed_text)
            if all(word in models and models[word] <= passage_tokens for word in unsaid) and not (
                unsaid and focus is not None and said_of_another(other.text, focus, shape.kind)
            ):
                other = replace(other, grounded=True, missing=())
            elif focus is not None and _says_a_word(other.text, focus) and _said_before(other, unsaid, passages, focus):
                # "Our scorecard gave 47.1 for Claude Opus 4.6 at low effort on SWE-Bench Pro. … The score reported
                # for low effort is 44.9.": the names its passage says just before it are what it is about.
                other = replace(other, grounded=True, missing=())
                carried = True  # a word or setting of the question's, in it, says it is the same thing
        if not other.is_candidate:
            continue
        # Close to the answer's sentence and grounding the whole question: the same quantity in other words,
        # however little of the question's wording it shares.
        # It must differ in the kind of value asked for (below). Dates have their own test ("closer").
        close = (other.text in akin or carried) and shape.kind != "date"
        too_little = other.own < CONFLICT_COVERAGE_RATIO * best.own
        if not close and too_little and other.similarity < best.similarity - CONFLICT_CLOSE_GAP:
            continue  # it covers too little of the question, and is not as close to it in meaning either
        if passages[other.passage_index].chunk.article_id == article:
            continue
        if (
            measured
            and not any(holds(t, _passage_tokens(other.text)) for t in measured)
            # Close to the answer's sentence and counting the same thing ("16 agents … at once" beside "12 agents
            # … in parallel"), it states the same count in other words.
            and not (close and counted and shape.kind == "number" and numbers_counted(other.text, counted))
        ):
            continue
        # A date beside a name of what was asked, in a sentence closer to the question in meaning than the answer
        # itself, is a date of it too, in whatever words ("released on April 9" beside "came out on April 8").
        closer = shape.kind == "date" and other.grounded_identity > 0 and other.similarity >= best.similarity
        # A restatement of the answer's sentence is about what the answer is about.
        if not (closer or close or other.text in restating or is_supported(shape, other, policy)):
            continue
        gap = CONFLICT_FULL_COVERAGE_GAP if other.own >= 0.9 * best.own else CONFLICT_SIMILARITY_GAP
        if not close and other.similarity < best.similarity - gap:
            continue
        if shape.kind == "duration" and not close and not _time_units(best.text) & _time_units(other.text):
            continue  # "eleven months" and "spent two weeks testing": no one length in two units
        theirs = _counted_values(_value_classes(other.text, shape.kind, ignore, counted), other.text, shape, counted)
        theirs_scored = _scored_values(theirs, other.text, focus)
        ours = mine
        if _one_score(mine_scored, mine) and _one_score(theirs_scored, theirs):
            # Both say which of their figures is the asked benchmark's: those are compared, not a row's others.
            ours, theirs = mine_scored, theirs_scored
        unit = _differ(ours, theirs, shape.kind)
        asked = (
            unit == shape.kind
            or (shape.kind == "number" and unit == "percent")  # "by how much": a share
            or (shape.kind in _SPELLED_KINDS and unit == "number")  # "how long", "how old": a count of months, years
        )
        if unit is not None and (asked or not close or is_supported(shape, other, policy)):
            return other, ours[unit], theirs[unit]
    return None


# One cell of a table row read as a sentence: "Claude Opus 4.6 (low effort) — SWE-bench Verified: 74.9; SWE-Bench
# Pro: 47.1" holds "SWE-Bench Pro: 47.1".
_ROW_CELL_RE = re.compile(r"(?:^|;|\s[—–-]\s)\s*(?P<label>[^;:—]+?):\s*(?P<value>[^;]+)")
# A score said in prose beside its benchmark: "gave it 77.1 on ARC-AGI-2, 94.3 on GPQA Diamond and 68.5 on …".
_PROSE_CELL_RE = re.compile(
    r"(?P<value>\d[\d.,]*\s?%?)\s+(?:on|in)\s+(?:the\s+)?(?P<label>[^,;]+?)(?=\s*(?:,|;|\band\b|\bwith\b|$|\.(?:\s|$)))"
)


def _scored_values(values: dict[str, frozenset[str]], sentence: str, focus: Focus | None) -> dict[str, frozenset[str]]:
    """Of a table row's several scores, the ones in the asked benchmark's cells: the row's other benchmarks state
    no value of what is asked."""
    if focus is None or not values.get("number") or focus.compared:
        return values  # "contemplating vs thinking": each side's row is its own
    benchmarks = [t for t in focus.terms if t.role == "benchmark"]
    text = normalize_text(sentence)
    cells = list(_ROW_CELL_RE.finditer(text))
    if len(cells) >= 2:
        # A row is of the model its head names, exactly: "Muse Spark Instant mode — …" is not Muse Spark's plain
        # row, and a row of GPT-5.4 states nothing of a question that names no model.
        parts = re.split(r"\s[—–-]\s", text, maxsplit=1)
        head = _passage_tokens(parts[0]) if len(parts) == 2 else frozenset()
        models = [t for t in focus.terms if t.role == "model"]
        if not models or not all(holds(t, head) >= 1.0 for t in models) or head - focus.asked_tokens:
            return values
    else:
        cells = list(_PROSE_CELL_RE.finditer(text))
    if not benchmarks or len(cells) < 2:
        return values
    asked = {
        v
        for cell in cells
        if all(holds(t, _passage_tokens(cell.group("label"))) >= 1.0 for t in benchmarks)
        for v in values_of_kind(cell.group("value"), "number", set())
    }
    return {**values, "number": frozenset(v for v in values["number"] if v in asked)} if asked else values


_PRONOUN_RE = re.compile(r"\b(?:it|its|they|their|it's)\b", re.IGNORECASE)


def _one_score(scored: dict[str, frozenset[str]], values: dict[str, frozenset[str]]) -> bool:
    """Whether a sentence's figures come down to the asked benchmark's: its row or prose cells say which, or it
    states one number only ("The score reported for low effort is 44.9")."""
    return scored is not values or sum(len(v) for v in values.values()) == 1


def _says_a_word(sentence: str, focus: Focus) -> bool:
    """Whether a sentence itself says one of the question's words or settings, not only its names."""
    tokens = _passage_tokens(sentence)
    return any(holds(t, tokens) >= 1.0 for t in focus.terms if t.role in {"word", "qualifier"})


def _said_before(sentence: ScoredSentence, unsaid: AbstractSet[str], passages: Sequence[Passage], focus: Focus) -> bool:
    """Whether every name a sentence leaves unsaid (a model, a benchmark, a person or firm) is said before it in its
    passage (or its heading), and the sentence names no one else."""
    terms = [t for t in focus.terms if t.word in unsaid]
    if len(terms) != len(unsaid) or not all(t.role in {"model", "benchmark", "name"} for t in terms):
        return False
    text = passages[sentence.passage_index].chunk.text
    at = text.find(sentence.text)
    if at <= 0 or said_of_another(sentence.text, focus, "number"):
        return False
    if _PRONOUN_RE.search(sentence.text):
        return False  # "On SWE-Bench Pro it reached 64.3%": "it" is whatever was named last, not the asked one
    before = _passage_tokens(f"{passages[sentence.passage_index].chunk.heading} {text[:at]}")
    return all(holds(t, before) >= 1.0 for t in terms)


def _facts_of_focus(
    focus: Focus, facts: Sequence[BenchmarkFact], comparison: bool, chunk_text: Callable[[str], str] | None
) -> list[BenchmarkFact]:
    """The facts that hold the focus. In a comparison of models, a setting typed beside one of them ("opus 4.6
    at max effort vs muse spark") is that model's: another model's facts need not hold it."""

    def fact_tokens(fact: BenchmarkFact) -> set[str]:
        return set(tokenize(f"{fact.model} {fact.benchmark} {fact.qualifier} {fact.unit}"))

    def read_from(fact: BenchmarkFact) -> frozenset[str]:
        return _passage_tokens(chunk_text(fact.chunk_id) if chunk_text is not None else fact.quote)

    def label(fact: BenchmarkFact) -> str:
        return f"{fact.model} {fact.benchmark} {fact.qualifier}"

    kept = [f for f in facts if grounds_fact(focus, fact_tokens(f), read_from(f), label(f))]
    if not comparison or len(focus.models) < 2 or not kept:
        return kept
    settings = [t for t in focus.identity if t.role == "qualifier"]
    plain = replace(focus, terms=tuple(t for t in focus.terms if t not in settings))
    with_setting = {f.model for f in kept}
    others = [
        f for f in facts
        if f.model not in with_setting and f.model in focus.models
        and grounds_fact(plain, fact_tokens(f), read_from(f), label(f))
    ]  # fmt: skip
    return [*kept, *others]


# "who leads …", "which company …": the answer is a person or an organisation, whose name is capitalised ("which
# carrier …" may be answered by "a caption").
_ASKS_WHO_RE = re.compile(
    r"^\W*(?:who|whom|whose)\b|\b(?:what|which) (?:company|firm|companies|firms|person|people|lab|labs|startup|"
    r"startups|model|models|analyst|executive|bank|fund|investor|outlet)\b",
    re.IGNORECASE,
)

DIFFER = "The articles differ:"  # how an answer says that two sources state different values

_PRICE_RE = re.compile(r"[$€£]\s?(\d[\d,]*(?:\.\d+)?)")


def _unbind_others_scores(
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    focus: Focus,
    chunk_facts: Callable[[str], Sequence[BenchmarkFact]],
) -> list[ScoredSentence]:
    """The sentences, with those whose every score the fact reader bound to another model or benchmark no
    longer answering: "the ECI put Muse Spark at 154, above GPT-5.2" gives no ECI score for GPT-5.2."""
    asked_models = set(focus.models)
    asked_benchmarks = set(focus.benchmarks)
    # Numbers of names ("GPT-5.2", "ARC-AGI-1") are no scores; nor are prices.
    name_numbers = {t for tokens in (*focus.model_tokens.values(), *focus.benchmark_tokens.values()) for t in tokens}
    name_numbers |= {t for t in focus.asked_tokens if t[:1].isdigit()}
    out: list[ScoredSentence] = []
    changed = False
    for sentence in scored:
        if sentence.is_candidate:
            facts = [
                f for f in chunk_facts(passages[sentence.passage_index].chunk.id)
                if f.value_text in sentence.text and f.quote and (f.quote in sentence.text or sentence.text in f.quote)
            ]  # fmt: skip
            prices = {m.replace(",", "") for m in _PRICE_RE.findall(sentence.text)}
            values = {v.replace(",", "") for v in numbers_in(without_dates(sentence.text)) if v not in name_numbers}
            values -= prices
            bound = {re.sub(r"[^\d.]", "", f.value_text) for f in facts}
            asked = any(f.model in asked_models and f.benchmark in asked_benchmarks for f in facts)
            if facts and not asked and values and values <= bound:
                sentence = replace(sentence, typed=False)
                changed = True
        out.append(sentence)
    if changed:
        out.sort(key=answer_order)
    return out


def build_answer(
    question: str,
    passages: Sequence[Passage],
    stats: TermStats,
    sources: Mapping[str, SourceRef],
    *,
    policy: AnswerPolicy = DEFAULT_POLICY,
    facts: Sequence[BenchmarkFact] = (),
    conflicts: Sequence[Conflict] = (),
    chunk_text: Callable[[str], str] | None = None,
    units: Sequence[Sequence[tuple[str, float]]] | None = None,
    entity_terms: Sequence[str] = (),
    build_id: str = "",
    focus: Focus | None = None,
    article_tokens: Callable[[str], set[str]] | None = None,
    article_words: Callable[[str], set[str]] | None = None,
    article_subject: Callable[[str], AbstractSet[str]] | None = None,
    article_voice: Callable[[str], AbstractSet[str]] | None = None,
    read_as: str | None = None,
    chunk_facts: Callable[[str], Sequence[BenchmarkFact]] | None = None,
    rivals_from: int | None = None,
    section_before: Callable[[Chunk], str] | None = None,
    restating: AbstractSet[str] = frozenset(),
    akin: AbstractSet[str] = frozenset(),
    memo: dict[tuple[int, str], list[tuple[ScoredSentence, bool]]] | None = None,
) -> Answer:
    """The extractive answer for a question from its retrieved passages (and benchmark facts, if any).

    ``read_as`` is the question with its typing errors and chat spellings read ("how many people …" for
    "how many ppl …"): what it asks for is read from that; the answer repeats the question as typed.

    With a ``focus`` (see ``focus.read_focus``), only sentences that ground every identity term of the
    question can answer, and only facts that hold them are shown; when none does, the answer is an
    abstention that may show the nearest thing the articles do state, labelled as a different thing.

    Passages from index ``rivals_from`` on were found for another article's statement of the answer's value:
    their sentences can show that the articles differ, but not be the answer. ``restating`` holds other
    articles' sentences that restate the answer's (see `_asking.rival_passages`): one may say the question's
    date or setting in other words and still state the same quantity. ``akin`` holds other articles' sentences
    close to the answer's: one that grounds the question states the same quantity, whatever its wording.
    ``memo`` carries the scored units of the passages from one call to the next for the same question (see
    `score_sentences`).
    """
    shape = read_question_shape(read_as or question, named_benchmark=bool(focus and focus.benchmarks))
    if focus is not None and shape.kind == "weight":
        # "how heavy is it": a sentence with a weight says it, in whatever words ("Our pair weighed 66 grams").
        focus = replace(
            focus,
            terms=tuple(
                replace(t, alternatives=(*t.alternatives, *WEIGHT_TOKENS), loose=()) if t.word in WEIGHT_WORDS else t
                for t in focus.terms
            ),
        )
    comparison = focus is not None and is_comparison(question, focus)
    # What frames every sentence of an article: its title, outlet and author ("the PocketLab test").
    cited_by = {p.chunk.article_id: sources[p.chunk.article_id] for p in passages if p.chunk.article_id in sources}
    titles = {article: f"{ref.title} {ref.byline}" for article, ref in cited_by.items()}
    bylines = {article: ref.byline for article, ref in cited_by.items()}
    dates = {article: ref.published for article, ref in cited_by.items()}
    scored = score_sentences(
        shape, passages, stats, units=units, entity_terms=entity_terms, focus=focus, titles=titles, bylines=bylines,
        published=dates,
        comparison=comparison, article_tokens=article_tokens, article_words=article_words,
        article_subject=article_subject, article_voice=article_voice,
        section_before=section_before, memo=memo,
    )  # fmt: skip
    if focus is not None and _WHO_WROTE_RE.search(read_as or question):
        by_line = _byline_answer(question, passages, sources, focus, build_id)
        if by_line is not None:
            return by_line
    names_someone = focus is not None and (
        bool(focus.models) or any(t.role in {"name", "rare"} or t.phrase for t in focus.terms)
    )
    if focus is not None and chunk_facts is not None and focus.benchmarks and names_someone:
        scored = _unbind_others_scores(scored, passages, focus, chunk_facts)
    if focus is not None and focus.benchmarks and shape.kind == "number" and not shape.counted:
        # "muse spark gpqa diamond": "GPQA Diamond has only 198 questions" counts the test's questions, no score.
        counting = [x for x in scored if x.typed and _only_counts(x.text)]
        if counting:
            scored = sorted((replace(x, typed=False) if x in counting else x for x in scored), key=answer_order)
    rivals = scored
    if rivals_from is not None:
        scored = [x for x in scored if x.passage_index < rivals_from]
    best = scored[0] if scored else None
    book = _CitationBook(sources)
    if shape.counted and not set(shape.counted) <= _SCORE_NOUNS:
        facts, conflicts = [], []  # "how many tasks are in swe-bench pro": a count of something a score is not
    if focus is not None and facts:
        facts = _facts_of_focus(focus, facts, comparison, chunk_text)
        kept = {(f.benchmark, f.model) for f in facts}
        conflicts = [c for c in conflicts if (c.benchmark, c.model) in kept]
    unknown = focus.unknown if focus is not None else ()

    about = focus.asked_tokens if focus is not None else None
    chosen: list[ScoredSentence] = []
    if not unknown and is_supported(shape, best, policy):
        compared = tuple(t.word for t in focus.entities) if focus is not None and comparison else ()
        chosen = select_answer_sentences(shape, scored, policy, entities=compared)
        defines = focus is not None and focus.asks_definition
        head = _head_terms(read_as or question, focus) if not (facts or comparison or defines) else ()
        if head and chosen and not _says_head(chosen[0], head, passages):
            # "what's the die size of the mtia 300": a sentence about the part that says nothing of its die is
            # no answer; one below it that does may be.
            saying = [x for x in chosen if _says_head(x, head, passages)]
            if not saying:
                below = [x for x in scored if _says_head(x, head, passages)]
                best_saying = below[0] if below else None
                supported = is_supported(shape, best_saying, policy)
                saying = select_answer_sentences(shape, below, policy) if supported else []
            chosen = saying
        asked = focus.asked_tokens if focus is not None else frozenset()
        if focus is not None and focus.asks_for_name:
            # Down the answer sentences to the first that names someone: a neighbour may complete one before it.
            for at, sentence in enumerate(chosen):
                if names_someone_new(sentence.text, asked):
                    break
                named = with_named_neighbour(sentence, passages[sentence.passage_index].chunk.text, asked)
                if named.text != sentence.text:
                    chosen[at] = named
                    break
            if _ASKS_WHO_RE.search(read_as or question) and not any(
                names_someone_new(sentence.text, asked) or names_new_version(sentence.text, question)
                for sentence in chosen
            ):
                chosen = []  # "who leads FAIR": "The Fundamental AI Research lab stays separate" names no one
    if chosen and not facts and says_withheld(question, shape, chosen[0].text, about):
        # "Anthropic has not published a HealthBench Hard score for Opus 4.6": the articles say they don't say.
        scores = {"best_support": chosen[0].support, "best_score": chosen[0].score}
        return _abstention(question, passages, scored, sources, focus, unknown, build_id, scores, withheld=chosen[0])
    ignore = {t for term in (focus.terms if focus else ()) for alt in term.alternatives for t in alt}
    weak = {t.word for t in focus.terms if t.common} if focus is not None else set()
    found = (
        _find_value_conflict(shape, chosen[0], rivals, passages, policy, ignore, weak, focus, restating, akin)
        if chosen
        else None
    )
    rival, mine, theirs = found if found is not None else (None, frozenset(), frozenset())
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
        first, second = markers[0], markers[chosen.index(rival)]
        mine_said = " / ".join(_as_written(mine, chosen[0].text))
        theirs_said = " / ".join(_as_written(theirs, rival.text))
        lines.append(f"{DIFFER} {mine_said} [{first}] vs {theirs_said} [{second}].")
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
        # No sentence states the value; one may say that it was not given ("has not disclosed how many …").
        withheld = next(
            (
                x for x in scored[:MAX_NEAREST * 2]
                if x.grounded and x.counts_it and x.own + x.similarity >= policy.abstain_threshold
                and says_withheld(question, shape, x.text, about)
            ),
            None,
        )  # fmt: skip
        return _abstention(question, passages, scored, sources, focus, unknown, build_id, scores, withheld=withheld)
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


# "who wrote the split times review", "who is the author of issue 41": the article's byline answers.
_WHO_WROTE_RE = re.compile(
    r"^\W*who\s+(?:wrote|writes|authored|penned|reported)\b|\bwho(?:'s|’s|\s+is|\s+was)\s+the\s+(?:author|writer)\b"
    r"|^\W*(?:what|which)\s+(?:reporter|writer|journalist|author)\b",
    re.IGNORECASE,
)


# What a question calls an article, and how it asks who wrote it: said by no title.
_ARTICLE_WORDS = frozenset(
    tokenize("wrote write writes written authored author review article piece story post column report newsletter "
             "issue interview guide essay letter thread feature explainer analysis edition")
)  # fmt: skip


# A number with the items of a test it counts ("198 questions", "2,500 expert-written questions").
_COUNTED_RE = re.compile(r"(?<![\w.])(\d[\d,.]*)\s+(?:[a-z]+-[a-z]+\s+)?([a-z]{3,}s)\b")
# What a test is made of: a number of them is its size, not anyone's score on it.
_TEST_ITEMS = frozenset(
    "questions tasks problems items prompts puzzles repositories issues exercises cases samples examples games "
    "challenges environments".split()
)


def _only_counts(sentence: str) -> bool:
    """Whether every number of a sentence counts the items of a test, as no score is said."""
    numbers = numbers_in(without_dates(sentence))
    if not numbers:
        return False
    counted = {m.group(1).replace(",", "") for m in _COUNTED_RE.finditer(sentence) if m.group(2) in _TEST_ITEMS}
    return all(n.replace(",", "") in counted for n in numbers)


def _byline_answer(
    question: str, passages: Sequence[Passage], sources: Mapping[str, SourceRef], focus: Focus, build_id: str
) -> Answer | None:
    """The author of the article the question names by its outlet, title or address, from its byline: the first
    retrieved article whose title, outlet and address hold every name and number of the question."""
    from bot.core.corpus import UNKNOWN_OUTLET

    names = [t for t in focus.terms if not (set(t.alternatives[0]) & _ARTICLE_WORDS)]
    if not any(t.is_identity for t in names) or any(not t.known for t in names):
        return None
    for passage in passages:
        ref = sources.get(passage.chunk.article_id)
        if ref is None or not ref.author:
            continue
        said = _passage_tokens(f"{ref.title} {ref.outlet} {ref.url} {ref.article_id}")
        if all(holds(t, said) >= 1.0 for t in names):
            book = _CitationBook(sources)
            marker = book.cite(passage.chunk.id, ref.article_id, f"By {ref.author}", passage.score)
            outlet = f" ({ref.outlet})" if ref.outlet and ref.outlet != UNKNOWN_OUTLET else ""
            text = f"{ref.author} wrote “{ref.title}”{outlet}, by its byline. [{marker}]"
            return Answer(question=question, text=text, citations=book.citations, build_id=build_id,
                          scores={"best_support": 1.0, "best_score": passage.score})  # fmt: skip
    return None


def _head_terms(question: str, focus: Focus | None) -> tuple[FocusTerm, ...]:
    """The question's wording terms that say what it asks about ("die size"), when it says so as a noun."""
    if focus is None:
        return ()
    words = asked_head(question)
    return tuple(t for t in focus.terms if t.role == "word" and t.word in words)


def _says_head(sentence: ScoredSentence, head: Sequence[FocusTerm], passages: Sequence[Passage]) -> bool:
    """Whether a sentence, its heading or the sentence before it says one of the head's words, or a neighbour of
    one ("The old framework had two risk areas. The new one looks at three: …")."""
    chunk = passages[sentence.passage_index].chunk
    before = previous_sentence(chunk.text, sentence.text)
    tokens = _passage_tokens(sentence.text) | _passage_tokens(chunk.heading) | _passage_tokens(before)
    return any(holds(t, tokens) for t in head)


def shows_difference(answer: Answer) -> bool:
    """Whether an answer shows two sources' different values of what was asked (in prose or in a table)."""
    return bool(answer.conflicts) or any(line.startswith(DIFFER) for line in answer.text.splitlines())


_WITHHELD_WH_RE = re.compile(
    r"\b(?:has|have|had|did|does|do|would|will)\s+(?:not|n[o’']t)\s+(?:yet\s+|publicly\s+)?(?:said|say|disclosed|"
    r"disclose|revealed|reveal|named|name|confirmed|confirm|identified|identify)\s+(?:which|what|who|whom|where)\b"
    # "neither Meta nor the builder would say which banks …"
    r"|\bneither\b[^.;]{0,60}?\bnor\b[^.;]{0,60}?\b(?:would|will|did|could)\s+(?:say|name|disclose|confirm)\s+"
    r"(?:which|what|who|whom|where)\b"
    # "It has announced no public pricing and no rate limits"
    r"|\b(?:has|have|had)\s+(?:announced|published|disclosed|given|released|named|set)\s+no\b"
    r"|\bdeclined\s+to\s+(?:say|name|disclose|identify|confirm)\s+(?:which|what|who|whom|where)\b",
    re.IGNORECASE,
)


def says_withheld(question: str, shape: QuestionShape, sentence: str, about: AbstractSet[str] | None = None) -> bool:
    """Whether ``sentence`` answers a question after a value only by saying that value was not given: it
    says so, and states no number the question does not. ``about`` holds the tokens of the question's focus
    terms (all its tokens without one)."""
    if not (shape.wants_number or shape.wants_date):
        # "what chips was it trained on": "Meta has not said which chips were used" says it was not given.
        return bool(_WITHHELD_WH_RE.search(sentence))
    if not WITHHELD_RE.search(sentence):
        return False
    asked = set(numbers_in(question))
    if not [n for n in numbers_in(without_name_versions(sentence)) if n not in asked]:
        return True  # "Grok 4.2 has no ARC-AGI-2 figure": the versions of names are no values
    # "Meta AI has about 1 billion users. It has not said how many people use Vibes itself.": the part that
    # names what the question asks about, and no other part does, says it was not given.
    parts = split_sentences(sentence)
    wanted = set(tokenize(question)) if about is None else set(about)
    for at, part in enumerate(parts):
        if not WITHHELD_RE.search(part) or [n for n in numbers_in(part) if n not in asked]:
            continue
        others = {t for i, other in enumerate(parts) if i != at for t in tokenize(other)}
        if (wanted & set(tokenize(part))) - others:
            return True
    return False


def _abstention(
    question: str,
    passages: Sequence[Passage],
    scored: Sequence[ScoredSentence],
    sources: Mapping[str, SourceRef],
    focus: Focus | None,
    unknown: Sequence[object],
    build_id: str,
    scores: dict[str, float],
    *,
    withheld: ScoredSentence | None = None,
) -> Answer:
    """ "The articles don't say", with the nearest facts they do state when some sentence comes close.

    ``withheld`` is a sentence saying the value asked for has not been given: it comes first among them.

    The nearest sentences share part of the focus (a name or a distinctive word) but miss what the
    question turns on; they are labelled as a different thing and never given as the answer.
    """
    closest = ""
    if passages:
        top = passages[0].chunk
        source = sources.get(top.article_id)
        closest = top.heading or (source.title if source else "")
    nearest: list[ScoredSentence] = [withheld] if withheld is not None else []
    for sentence in scored:
        if len(nearest) >= MAX_NEAREST:
            break
        related = sentence.grounded_identity > 0 or sentence.distinctive_hits > 0
        if related and sentence.typed and not any(is_near_duplicate(sentence.text, n.text) for n in nearest):
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
    if withheld is not None:
        text = "The indexed articles don't give it: they say it has not been made public."
    elif unknown and said:
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
