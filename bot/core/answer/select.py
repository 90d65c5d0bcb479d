"""Every answer unit of the retrieved passages scored against the question's focus; the few that answer."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.core.answer.focus import Focus, FocusTerm, Grounding
from bot.core.answer.grounding import ground, holds, says_phrase
from bot.core.answer.policy import (
    DISTINCTIVE_IDF,
    FOLLOW_UP_RATIO,
    FOLLOW_UP_SIMILARITY_GAP,
    NAME_ANSWER_BONUS,
    SIMILARITY_WEIGHT,
    SUPPORT_WEIGHT,
    AnswerPolicy,
)
from bot.core.answer.shape import (
    WITHHELD_RE,
    QuestionShape,
    counted_forms,
    counts_only_other,
    dated_heading,
    has_date,
    holds_kind,
    numbers_counted,
    values_of_kind,
)
from bot.core.models import Chunk, Passage
from bot.core.names import name_key
from bot.core.search import TermStats
from bot.core.text import CALENDAR_WORDS, MONTH_NAMES, YEAR_RE, split_answer_units, split_sentences, tokenize
from bot.core.text import token_set as _token_set

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


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
    defines: bool = False  # spells out the acronym a question asks the meaning of

    @property
    def is_candidate(self) -> bool:
        """Whether it can be the answer: about the thing asked, with the kind of value asked for."""
        return self.grounded and self.typed and self.counts_it


def _coverage(terms: Sequence[str], tokens: AbstractSet[str], stats: TermStats) -> float:
    total = sum(stats.weight(t) for t in terms)
    if total == 0:
        return 0.0
    return sum(stats.weight(t) for t in terms if t in tokens) / total


def _clean_sentence(sentence: str) -> str:
    return re.sub(r"^\s*(?:[-*•]|\d+\.)\s+", "", sentence).strip()


# "in New Albany", "near Lake Tahoe", "Richland Parish, Louisiana": a place, for "where …".
_PLACE_RE = re.compile(
    r"\b(?:in|at|near|outside|from)\s+(?:the\s+)?[A-Z][a-z]+|\b[A-Z][a-z]+(?: [A-Z][a-z]+)?, [A-Z][a-z]+\b"
)


_CAPITALISED_RE = re.compile(r"(?<=[a-z,;:] )[A-Z][\w’'-]+")


def names_someone_new(sentence: str, asked: AbstractSet[str]) -> bool:
    """Whether a sentence names (a capitalised word where no sentence starts) something the question does not."""
    return any(t not in asked for word in _CAPITALISED_RE.findall(sentence) for t in tokenize(word)[:1])


# A person's name (two capitalised words or more) with the role a word before it or an apposition after it gives:
# "Judge Vince Chhabria", "manager Loretta Fields", "Davante Lewis, the commissioner".
_ROLE_BEFORE_NAME_RE = re.compile(r"(?<![\w’'-])(?=([A-Za-z]+)\s+([A-Z][a-z][\w’'-]*(?:\s+[A-Z][\w’'-]+)+))")
_NAME_THEN_ROLE_RE = re.compile(
    r"([A-Z][a-z][\w’'-]*(?:\s+[A-Z][\w’'-]+)+),\s+(?:(?:the|a|an|its|their|who|which)\s+)?(?:[a-z]+\s+){0,2}?([a-z]+)"
)
ROLE_STEM_CHARS = 4  # "manages" (manag) names the role of "manager": a shared stem of this length or more


def named_in_role(sentence: str, roles: AbstractSet[str], asked: AbstractSet[str]) -> frozenset[str] | None:
    """The tokens of someone the question does not name to whom a sentence gives one of the question's role words
    ("who manages the store": "manager Loretta Fields"; "which commissioner voted no": "Commissioner Davante
    Lewis"), or None."""
    if not roles:
        return None
    for pattern, role_group, name_group in ((_ROLE_BEFORE_NAME_RE, 1, 2), (_NAME_THEN_ROLE_RE, 2, 1)):
        for match in pattern.finditer(sentence):
            name = tokenize(match.group(name_group))
            if not name or set(name) <= asked:
                continue
            role = tokenize(match.group(role_group))[:1]
            if role and any(_same_stem(role[0], word) for word in roles):
                return frozenset(name)
    return None


def _same_stem(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= ROLE_STEM_CHARS and longer.startswith(shorter)


def _names_a_place(sentence: str, asked: AbstractSet[str]) -> bool:
    """Whether a sentence names a place the question does not: "in New Albany", "Richland Parish, Louisiana"."""
    return any(
        not set(tokenize(match.split()[-1])) <= asked and match.split()[-1].lower() not in CALENDAR_WORDS
        for match in _PLACE_RE.findall(sentence)
    )


@functools.lru_cache(maxsize=1 << 12)  # pure; every question a passage answers reads its sentences again
def _unit_tokens(
    sentence: str, heading: str, passage: str, title: str
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """A sentence's tokens, with its heading's, and with its whole passage's and the article's title (which, with
    the outlet and author, frames the whole passage)."""
    tokens = _token_set(sentence)
    with_heading = tokens | _token_set(heading)
    return tokens, with_heading, with_heading | _token_set(passage) | _token_set(title)


# "by the end of this year", "launched last year": a year said relative to when the article was written.
_RELATIVE_YEAR_RE = re.compile(r"\b(this|last|next)\s+year\b", re.IGNORECASE)
_YEAR_OFFSETS = {"this": 0, "last": -1, "next": 1}


@functools.lru_cache(maxsize=1 << 12)  # pure; every question that retrieves the passage reads it again
def relative_years(sentence: str, published: str) -> frozenset[str]:
    """The years a sentence names relative to its article's date ("this year" in an article of 2026-04-14 is
    2026), as search tokens; none when the article has no dated year."""
    found = re.search(rf"\b{YEAR_RE.pattern}\b", published)  # "2026-04-14", "April 16, 2026"
    if found is None or "year" not in sentence.lower():
        return frozenset()
    year = found.group()
    return frozenset(str(int(year) + _YEAR_OFFSETS[m.group(1).lower()]) for m in _RELATIVE_YEAR_RE.finditer(sentence))


@functools.lru_cache(maxsize=1 << 12)  # pure; read again by every question that retrieves the passage
def _unit_context(
    sentence: str, heading: str, text: str, embed_text: str, title: str, earlier: str
) -> tuple[
    frozenset[str], frozenset[str], frozenset[str], frozenset[str], frozenset[str] | None, str, str, str, frozenset[str]
]:
    """What frames one answer unit of a passage, whatever the question (one lookup, not one per part): its tokens,
    with its heading's, with its passage's and title's (`_unit_tokens`); what comes before it (with ``earlier``,
    the section's passage before); its pronoun's antecedent; the sentence before; the name keys of what precedes
    it and of the sentence with its heading; the heading's tokens the sentence does not say."""
    tokens, with_heading, with_passage = _unit_tokens(sentence, heading, embed_text, title)
    before = _preceding_tokens(text, sentence)
    preceding = (with_passage if before is None else with_heading | before) | _token_set(earlier)
    return (
        tokens,
        with_heading,
        with_passage,
        preceding,
        _antecedent_tokens(text, sentence),
        previous_sentence(text, sentence),
        _preceding_key(text, heading, sentence),
        f"{name_key(sentence)} | {name_key(heading)}",
        _token_set(heading) - tokens,
    )


# Where one clause of a sentence ends and another, about something else, begins: "… on April 9, and finished
# the week at $629.86 on April 10", "… for Alphabet and 19.6 times for Microsoft; …".
_CLAUSE_BREAK_RE = re.compile(
    r";|,\s+(?:and|but|while|whereas|against)\s+|\s+(?:while|whereas)\s+|\bcompares?\s+with\b"
    r"|\bcompared\s+(?:with|to)\b|\bversus\b|\bvs\.?\s",
    re.IGNORECASE,
)
# "April 9", "Apr. 9": a month, written out or clipped to its first three letters, and a day.
_MONTHS = sorted({*MONTH_NAMES, *(m[:3] for m in MONTH_NAMES), "sept"}, key=len, reverse=True)
_MONTH_DAY_RE = re.compile(rf"\b(?:{'|'.join(_MONTHS)})\.?\s+\d{{1,2}}\b", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 12)  # pure; the same sentences are read for every question that retrieves them
def _clauses(sentence: str) -> tuple[tuple[frozenset[str], str, frozenset[str], str], ...]:
    """A sentence's clauses, each with its tokens, its name key and the days it names ("april 9")."""
    out = []
    for part in split_sentences(sentence):
        for clause in _CLAUSE_BREAK_RE.split(part):
            if clause and clause.strip():
                days = frozenset(name_key(m.group(0).replace(".", "")) for m in _MONTH_DAY_RE.finditer(clause))
                out.append((frozenset(tokenize(clause)), name_key(clause), days, clause))
    return tuple(out)


@functools.lru_cache(maxsize=1 << 12)
def _clause_values(clause: str, kind: str) -> frozenset[str]:
    return values_of_kind(clause, kind, set())


# A clause that opens on a pronoun is about what the clause before named: "… Maverick is not small. It is …".
_REFERS_BACK_RE = re.compile(r"\s*(?:it|its|it's|he|she|his|her|they|their)\b", re.IGNORECASE)


def said_of_another(sentence: str, focus: Focus, kind: str) -> bool:
    """Whether every value of the asked kind in ``sentence`` belongs to something other than what is asked.

    A sentence can name the thing asked and a rival of it (another model, person, firm or day) in clauses of
    their own: "Shares added 2.6% on April 9, and finished the week at $629.86 on April 10" gives no closing
    price for April 9. Then some value must sit in a clause that names the thing asked, or that names no
    rival ("He was 28 when he joined"), not only in clauses that name a rival.
    """
    anchors = [t for t in focus.terms if t.role in {"model", "name"} or (t.role == "number" and t.phrase)]
    if not anchors:
        return False
    asked = focus.asked_tokens
    clauses = _clauses(sentence)
    if len(clauses) < 2:
        return False
    asked_days = {name_key(t.phrase) for t in anchors if t.phrase and _MONTH_DAY_RE.search(t.phrase)}
    rival_models = [tokens for tokens in focus.model_tokens.values() if tokens and not tokens <= asked]
    value_kind = kind if kind in {"money", "percent", "date"} else "number"  # an age, a latency: a number
    anchored_value = rival_value = named = False
    before_anchored = False  # the clause before named the thing asked: "It …" here is about it
    for tokens, key, days, clause in clauses:
        refers_back = before_anchored and bool(_REFERS_BACK_RE.match(clause))
        # A number of the question ("april 9", "gpt-5.4") is no value stated.
        if not any(re.sub(r"[^\d.]", "", v) not in asked for v in _clause_values(clause, value_kind)):
            before_anchored = any(holds(t, tokens) >= 1.0 for t in anchors)
            named = named or before_anchored
            continue
        has_anchor = refers_back or any(
            holds(t, tokens) >= 1.0 and (not t.phrase or says_phrase(t.phrase, key)) for t in anchors
        )
        before_anchored = has_anchor
        has_rival = (
            any(r <= tokens for r in rival_models)
            or bool((tokens & focus.other_names) - asked)
            or bool(asked_days and days - asked_days)
        )
        named = named or has_anchor
        if has_anchor or not has_rival:
            anchored_value = True  # "He was 28 when he joined": a clause that names no rival may be about it
        else:
            rival_value = True
    return named and rival_value and not anchored_value


def score_sentences(
    shape: QuestionShape,
    passages: Sequence[Passage],
    stats: TermStats,
    *,
    units: Sequence[Sequence[tuple[str, float]]] | None = None,
    entity_terms: Sequence[str] = (),
    focus: Focus | None = None,
    titles: Mapping[str, str] | None = None,
    bylines: Mapping[str, str] | None = None,
    published: Mapping[str, str] | None = None,
    comparison: bool = False,
    article_tokens: Callable[[str], set[str]] | None = None,
    article_words: Callable[[str], set[str]] | None = None,
    article_subject: Callable[[str], AbstractSet[str]] | None = None,
    article_voice: Callable[[str], AbstractSet[str]] | None = None,
    section_before: Callable[[Chunk], str] | None = None,
    memo: dict[tuple[int, str], list[tuple[ScoredSentence, bool]]] | None = None,
) -> list[ScoredSentence]:
    """Every answer unit of the passages, scored against the question, best first.

    ``units[i]`` holds passage i's answer units with their cosine similarity to the question
    (precomputed unit vectors); without it, units are split from the text with no similarity.
    ``section_before(chunk)`` is the text of the same section's passage just before ``chunk`` ("" when none): a
    passage boundary falls where the chunker's size says, so what the section said before still frames it.
    Units that do not hold the kind of value the question asks for sort after those that do.
    ``memo`` keeps each passage's scored units for another call with the same question and arguments, where the
    passages at the same places are the same (an answer read again with other articles' passages after them).
    """
    scored: list[ScoredSentence] = []
    entity_tokens = set(entity_terms)
    distinctive = [t for t in shape.terms if stats.weight(t) >= DISTINCTIVE_IDF]
    # Words every passage repeats ("muse", "spark") cannot tell what is counted.
    counted = [t for t in shape.counted if stats.weight(t) >= DISTINCTIVE_IDF]
    asked_tokens = focus.asked_tokens if focus else frozenset()
    count_of = frozenset(shape.counted) if shape.kind == "number" else frozenset()
    role_words = (  # "judge", "commissioner": the question's words, not those most passages say ("meta", "ai")
        frozenset(
            t
            for term in focus.terms
            if term.role == "word"  # not a name: "Louisiana" is no role of "Louisiana Public Service Commission"
            for alt in term.alternatives
            for t in alt
            if stats.weight(t) >= stats.idf_at_share(ROLE_WORD_SHARE)
        )
        if focus is not None and focus.asks_for_name
        else frozenset()
    )
    in_role: set[tuple[int, int]] = set()
    for p_index, passage in enumerate(passages):
        kept = memo.get((p_index, passage.chunk.id)) if memo is not None else None
        if kept is not None:
            scored.extend(s for s, _ in kept)
            in_role.update((p_index, s.position) for s, named in kept if named)
            continue
        first = len(scored)
        heading_tokens = _token_set(passage.chunk.heading)
        title = (titles or {}).get(passage.chunk.article_id, "")
        frame = heading_tokens | _token_set(title)
        byline = _token_set((bylines or {}).get(passage.chunk.article_id, ""))
        article = functools.partial(article_tokens, passage.chunk.article_id) if article_tokens else None
        article_all = functools.partial(article_words, passage.chunk.article_id) if article_words else None
        subject = article_subject(passage.chunk.article_id) if article_subject else frozenset()
        if article_voice is not None:
            byline |= article_voice(passage.chunk.article_id)  # "…, Managing Partner, Tidewater Basin Ventures"
        earlier_text = section_before(passage.chunk) if section_before is not None else ""
        candidates = units[p_index] if units is not None else [(u, 0.0) for u in split_answer_units(passage.chunk.text)]
        for position, (sentence, similarity) in enumerate(candidates):
            (
                tokens, with_heading, with_passage, preceding, antecedent, previous, preceding_key, sentence_key,
                heading_rest,
            ) = _unit_context(sentence, passage.chunk.heading, passage.chunk.text, passage.chunk.embed_text, title,
                              earlier_text)  # fmt: skip
            dated = relative_years(sentence, (published or {}).get(passage.chunk.article_id, ""))
            if dated:  # "this year" in an article of 2026 says 2026
                tokens, with_heading, with_passage = tokens | dated, with_heading | dated, with_passage | dated
                preceding, heading_rest = preceding | dated, heading_rest - dated
            grounding = None
            if focus is not None and focus.terms:
                # A section heading says what its sentences are about ("Three Modes, One Model").
                grounding = ground(
                    focus,
                    with_heading,
                    with_passage,
                    sentence_key=sentence_key,
                    article=article,
                    article_all=article_all,
                    subject=subject,
                    frame=frame,
                    preceding=preceding,
                    antecedent=antecedent,
                    previous=previous,
                    preceding_key=preceding_key,
                    texts=(sentence, passage.chunk.heading),
                    byline=byline,
                    heading=heading_rest,
                    comparison=comparison,
                )
                if grounding.identity_ok and shape.kind != "text" and not comparison:
                    grounding = _grounded_where_valued(
                        grounding, focus, sentence, shape, passage.chunk.heading, heading_tokens, with_passage,
                        preceding, frame=frame, antecedent=antecedent, previous=previous, byline=byline,
                        preceding_key=preceding_key,
                        heading=heading_rest,
                    )  # fmt: skip
                own, context = grounding.coverage, grounding.context_coverage
            else:
                own = _coverage(shape.terms, with_heading, stats)
                # Context counts for something: the heading and the rest of the passage frame the sentence.
                context = _coverage(shape.terms, with_passage, stats)
            support = OWN_SHARE * own + CONTEXT_SHARE * context
            score = SUPPORT_WEIGHT * support + SIMILARITY_WEIGHT * similarity + 0.25 * passage.dense_score
            if entity_tokens:
                score += 0.15 * len(entity_tokens & tokens) / len(entity_tokens)
            defines = (
                focus is not None
                and focus.asks_definition
                and any(
                    len(alt) >= 2 and alt <= tokens
                    for term in focus.terms
                    if term.role in {"name", "benchmark"}
                    for alt in term.alternatives
                )
            )
            if defines:
                score += DEFINITION_BONUS  # "what does JEPA stand for": the sentence spelling it out answers
            if count_of and numbers_counted(sentence, count_of):
                score += COUNT_BONUS  # "how many agents": "runs up to 16 agents", not "took 48 seconds … agents"
            if focus is not None and focus.asks_for_place:
                if _names_a_place(sentence, asked_tokens):
                    score += NAME_ANSWER_BONUS  # "where …": a sentence naming a place answers
            elif focus is not None and focus.asks_for_name and names_someone_new(sentence, asked_tokens):
                score += NAME_ANSWER_BONUS  # "who …", "which company …": a sentence naming someone new answers
                person = named_in_role(sentence, role_words, asked_tokens)
                if person is not None and all(
                    set(tokenize(w)[:1]) <= asked_tokens | person or w.lower() in CALENDAR_WORDS
                    for w in _CAPITALISED_RE.findall(sentence)
                ):
                    # "which commissioner …": "The lone no vote came from Commissioner Davante Lewis", naming no
                    # one else new (not "Judge William Alsup … in Bartz v. Anthropic", another case), goes on with
                    # the sentence before.
                    score += ROLE_ANSWER_BONUS
                    in_role.add((p_index, position))
            if shape.kind == "date" and not has_date(sentence) and dated_heading(passage.chunk.heading):
                # A timeline entry: "JULY 25, 2025: A NEW LAB — Mark Zuckerberg announces …" states its date.
                sentence = f"{' '.join(passage.chunk.heading.split())} — {sentence}"
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
                    # "Has not published a score for it" answers a question after a value: that it was not given.
                    typed=(
                        holds_kind(sentence, shape.kind, rate=shape.rate, calendar=shape.calendar)
                        or (shape.kind != "text" and _withholds(sentence))
                    )
                    and not (
                        focus is not None
                        and not comparison
                        and shape.kind != "text"
                        and (grounding is None or grounding.identity_ok)
                        and said_of_another(sentence, focus, shape.kind)
                    ),
                    # Half of "contemplating queries" will do ("requests"); "tokens" is not "tokens of training data".
                    counts_it=not counted or sum(_counts(t, tokens, focus) for t in counted) * 2 >= len(counted),
                    grounded=grounding.identity_ok if grounding else True,
                    missing=tuple(t.word for t in grounding.missing) if grounding else (),
                    grounded_identity=grounding.grounded_identity if grounding else 0,
                    entities=grounding.entities if grounding else frozenset(),
                    defines=bool(defines),
                )
            )
        if memo is not None:
            memo[(p_index, passage.chunk.id)] = [(s, (p_index, s.position) in in_role) for s in scored[first:]]
    if in_role:
        # "… voted 4-1 to let Entergy build three plants. The lone no vote came from Commissioner Davante Lewis":
        # the sentence that names the role follows the one the question's other words describe, and is held to
        # that sentence's share of them.
        own_at = {(s.passage_index, s.position): s.own for s in scored}
        for at, s in enumerate(scored):
            lifted = own_at.get((s.passage_index, s.position - 1), 0.0) - s.own
            if (s.passage_index, s.position) in in_role and lifted > 0:
                scored[at] = replace(
                    s,
                    own=s.own + lifted,
                    support=s.support + OWN_SHARE * lifted,
                    score=s.score + SUPPORT_WEIGHT * OWN_SHARE * lifted,
                )
    if count_of and focus is not None:
        count_of = counted_forms(sorted(count_of), focus.terms)
    if count_of:
        # "how many partners": "nearly two months after launch … early partners" counts months, not partners.
        scored = [
            replace(s, counts_it=False) if s.is_candidate and counts_only_other(s.text, count_of) else s for s in scored
        ]
    if count_of and any(s.is_candidate and numbers_counted(s.text, count_of) for s in scored):
        # "how many partners": once a sentence says a number of partners ("about 40 partners were admitted"),
        # one whose number counts something else ("two channels … select partners only") does not answer.
        scored = [
            s if not s.is_candidate or numbers_counted(s.text, count_of) else replace(s, counts_it=False)
            for s in scored
        ]
    scored.sort(key=answer_order)
    return scored


@functools.lru_cache(maxsize=1 << 12)
def _withholds(sentence: str) -> bool:
    return bool(WITHHELD_RE.search(sentence))


def _grounded_where_valued(
    grounding: Grounding,
    focus: Focus,
    unit: str,
    shape: QuestionShape,
    heading_text: str,
    heading_tokens: frozenset[str],
    context: AbstractSet[str],
    preceding: AbstractSet[str],
    **framing: Any,
) -> Grounding:
    """A unit of two sentences grounds a question after a value only if a sentence stating such a value grounds
    it (with what comes before): in "On ARC-AGI-1 it scored 93.0%. Its predecessor, Opus 4.5, had managed 37.6%
    on ARC-AGI-2", Opus 4.5 is named, and ARC-AGI-1 has a score, but no score is Opus 4.5's on ARC-AGI-1.
    ``framing`` holds the rest of `ground`'s arguments for the unit."""
    parts = split_sentences(unit)
    if len(parts) < 2:
        return grounding
    preceding_key = framing.pop("preceding_key", "")
    antecedent = framing.pop("antecedent", None)
    earlier: frozenset[str] = frozenset()
    said = last = ""
    first_missing: tuple[FocusTerm, ...] | None = None
    for part in parts:
        if (
            said
            and focus.models
            and _POINTS_BACK_RE.match(part)
            and _first_model(last, focus) not in {None, *focus.models}
        ):
            # "GPT-5.5 shipped … after Muse Spark. It posted 58.6% on SWE-Bench Pro": "it" is the model the
            # sentence before is about, the first it names, not one it mentions later.
            if first_missing is None:
                first_missing = tuple(t for t in focus.terms if t.role == "model")
        elif holds_kind(part, shape.kind, rate=shape.rate, calendar=shape.calendar):
            # What the unit says before this sentence frames it ("Maverick is not small. It is …"); what it says
            # after does not, and a benchmark must be said in the sentence itself.
            found = ground(
                focus, _token_set(part) | earlier | heading_tokens, context, preceding=preceding | earlier,
                sentence_key=f"{name_key(f'{said} {part}')} | {name_key(heading_text)}", texts=(part, heading_text),
                preceding_key=f"{preceding_key} {name_key(said)}",
                antecedent=(antecedent or frozenset()) | earlier if earlier or antecedent is not None else None,
                **framing,
            )  # fmt: skip
            if found.identity_ok:
                return grounding
            first_missing = found.missing if first_missing is None else first_missing
        earlier = earlier | _token_set(part)
        said = f"{said} {part}"
        last = part
    if first_missing is None:
        return grounding  # no one sentence states the value: the unit is read as a whole
    return replace(grounding, identity_ok=False, missing=first_missing)


_POINTS_BACK_RE = re.compile(r"\W*(?:it|its|it's|it’s|they|their)\b", re.IGNORECASE)


def _first_model(text: str, focus: Focus) -> str | None:
    """The catalog model a sentence names first (its subject, most often), or None."""
    tokens = tokenize(text)
    first: tuple[int, str] | None = None
    for model, parts in focus.model_tokens.items():
        if parts and parts <= set(tokens):
            at = max(tokens.index(p) for p in parts)  # "Glint 2.0 … Glint 2.5": where its version is said
            if first is None or at < first[0]:
                first = (at, model)
    return first[1] if first else None


def answer_order(sentence: ScoredSentence) -> tuple[bool, float, int, int]:
    """How scored sentences are ranked: those that can answer first, then by score, then where they stand."""
    return (not sentence.is_candidate, -sentence.score, sentence.passage_index, sentence.position)


# The helpers below are pure functions of a passage and one of its sentences, read again by every question
# that retrieves the passage: kept.
@functools.lru_cache(maxsize=1 << 12)
def _offset(text: str, sentence: str) -> int:
    """Where ``sentence`` starts in its passage; -1 for a unit not written as such (a table row read as one).
    A sentence a hard wrap broke over lines is found across the line break."""
    at = text.find(sentence[:60])
    if at < 0 and " " in sentence[:60]:
        found = re.search(r"\s+".join(map(re.escape, sentence[:60].split())), text)
        at = found.start() if found else -1
    return at


@functools.lru_cache(maxsize=1 << 12)
def _preceding_tokens(text: str, sentence: str) -> frozenset[str] | None:
    """The tokens of the passage up to where ``sentence`` starts; None for a unit not written as such (a table
    row read as a sentence), which the whole passage frames."""
    at = _offset(text, sentence)
    if at < 0:
        # A table row: what is written before the table and its header frame it, not the prose after it.
        table = re.search(r"^\|.*\n(?:\|[\s:|-]*\n)?", text, re.MULTILINE)
        return frozenset(tokenize(text[: table.end()])) if table else None
    return frozenset(tokenize(text[:at]))


@functools.lru_cache(maxsize=1 << 12)
def _preceding_key(text: str, heading: str, sentence: str) -> str:
    at = _offset(text, sentence)
    return name_key(f"{heading} {text[:at] if at >= 0 else text}")


OWN_SHARE = 0.7  # of a sentence's support, what it covers of the question itself
CONTEXT_SHARE = 0.3  # and what its passage covers
SURE_SIMILARITY = 0.75  # a sentence this close to a date question, naming what it asks about, is about it
ROLE_WORD_SHARE = 0.5  # a role word is in at most this share of the passages
ROLE_ANSWER_BONUS = 0.8  # a sentence naming someone in the role a "who"/"which" question asks about, on top of
# the bonus for naming someone new: it outranks the sentences that only describe what the role did
COUNT_BONUS = 0.3  # a sentence that says a number of what a "how many" question counts
DEFINITION_BONUS = 1.0  # the sentence that spells an acronym out is the answer to what it stands for
_PRONOUN_RE = re.compile(r"\b(it|its|he|she|his|her|him|they|their|them)\b", re.IGNORECASE)
ANTECEDENT_CHARS = 300  # how far back a pronoun's antecedent may be: a sentence or two


@functools.lru_cache(maxsize=1 << 12)
def _antecedent_tokens(text: str, sentence: str) -> frozenset[str] | None:
    """The tokens of the sentences just before ``sentence`` when it has a pronoun that may point back to them."""
    if not _PRONOUN_RE.search(sentence):
        return None
    at = _offset(text, sentence)
    return frozenset(tokenize(text[max(0, at - ANTECEDENT_CHARS) : at])) if at > 0 else None


@functools.lru_cache(maxsize=1 << 12)
def previous_sentence(text: str, sentence: str) -> str:
    """The sentence just before ``sentence`` in its paragraph ("" at a paragraph's start or for a table row)."""
    at = _offset(text, sentence)
    if at <= 0:
        return ""
    paragraph = text[:at].rsplit("\n\n", 1)[-1]
    if not paragraph.strip() or paragraph.lstrip().startswith(("|", "#")):
        return ""
    sentences = split_sentences(paragraph)
    return sentences[-1] if sentences else ""


def _next_sentence(text: str, sentence: str) -> str:
    """The sentence just after ``sentence`` in its paragraph ("" at a paragraph's end or for a table row)."""
    at = _offset(text, sentence)
    if at < 0:
        return ""
    rest = text[at:].split("\n\n", 1)[0]
    sentences = split_sentences(rest)
    return sentences[1] if len(sentences) > 1 and not rest.lstrip().startswith(("|", "#")) else ""


_PERSON_PRONOUN_RE = re.compile(r"\b(he|she|his|her|him|they|their|them)\b", re.IGNORECASE)


def with_named_neighbour(sentence: ScoredSentence, passage_text: str, asked: AbstractSet[str]) -> ScoredSentence:
    """For a question after a name, an answer sentence that names no one new, with the sentence beside it
    that does: the one before when it points back to someone ("The memo came from Janelle Gale. AI-driven
    impact, she wrote, …"), else the one after ("… was not done by Meta alone. Specialists from SecureBio …")."""
    if names_someone_new(sentence.text, asked):
        return sentence
    if _PERSON_PRONOUN_RE.search(sentence.text):
        before = previous_sentence(passage_text, sentence.text)
        if before and names_someone_new(before, asked):
            return replace(sentence, text=f"{before} {sentence.text}")
    after = _next_sentence(passage_text, sentence.text)
    if after and names_someone_new(after, asked):
        return replace(sentence, text=f"{sentence.text} {after}")
    return sentence


def _counts(token: str, tokens: AbstractSet[str], focus: Focus | None) -> bool:
    """Whether a sentence names what a "how many X" counts: X itself, or what grounds it ("physicians")."""
    if token in tokens:
        return True
    if focus is None:
        return False
    # What is counted is the quantity's identity: its own word, a correction or acronym, or a very close
    # neighbour ("staff" for "employees"), not any word the model puts near it ("company").
    return any(
        frozenset({token}) in term.alternatives
        and any(alt and alt <= tokens for alt in (*term.alternatives, *term.close))
        for term in focus.terms
    )


def is_near_duplicate(a: str, b: str) -> bool:
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
        twin = next((c for c in chosen if is_near_duplicate(candidate.text, c.text)), None)
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
    if best.defines:
        return True  # "TTFT?": the sentence that spells it out answers, however little else it shares
    if shape.kind == "weight":
        return True  # "Our pair weighed 66 grams", of the glasses its passage names: a weight is only ever one
    # Any number or date will do, so the sentence must be about the thing: a word of it that the corpus uses
    # little, or, for a date, a name of it and the question's meaning ("released on April 8" for "what date
    # did it launch").
    about_it = best.distinctive_hits > 0 or best.own >= 0.99
    sure_date = shape.kind == "date" and best.grounded_identity > 0 and best.similarity >= SURE_SIMILARITY
    if shape.kind in {"number", "date"} and not (about_it or sure_date):
        return False
    # Enough of the question's terms, or of its meaning: own term coverage plus cosine similarity.
    return best.own + best.similarity >= policy.abstain_threshold
