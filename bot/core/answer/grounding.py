"""Whether a sentence is about exactly what the question asks: every identity term grounded, enough wording."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Collection, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from bot.core.answer.focus import PERIOD_NOUNS, Focus, FocusTerm, Grounding, is_period
from bot.core.answer.policy import NEIGHBOUR_CREDIT
from bot.core.names import MEASURE_WORDS, name_key
from bot.core.text import CALENDAR_WORDS, MONTH_NAMES, YEAR_RE, tokenize

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


# Words that make a question a comparison: then naming one of the entities is enough for one sentence.
_COMPARISON_WORDS = frozenset({"vs", "versus", "than", "compare", "compared", "comparison", "against", "beat", "beats"})


_YEAR_WORDS = frozenset(tokenize("year years"))
_MONTH_WORDS = frozenset(tokenize("month months"))
_MONTH_TOKENS = frozenset(t for m in MONTH_NAMES for t in tokenize(m))


def holds(term: FocusTerm, tokens: Collection[str]) -> float:
    """1 when the tokens ground the term, NEIGHBOUR_CREDIT when only a neighbour does, else 0.
    "Which year" is grounded by a year ("2032"), "which month" by a month's name."""
    for alt in term.alternatives:  # a loop, not any(): this runs ~200 times per question
        if alt and alt <= tokens:  # type: ignore[operator]
            return 1.0
    if term.role == "qualifier":
        if term.word in _YEAR_WORDS and any(YEAR_RE.fullmatch(t) for t in tokens):
            return 1.0
        if term.word in _MONTH_WORDS and not _MONTH_TOKENS.isdisjoint(tokens):
            return 1.0
    for alt in term.loose:
        if alt and alt <= tokens:  # type: ignore[operator]
            return NEIGHBOUR_CREDIT
    return 0.0


# "which is bigger, the oklo campus or the terrapower reactors": a comparative, then a choice.
_CHOICE_RE = re.compile(r"\b(?:which|who)\b.*?\b(?:\w{3,}er|more|less|better|worse)\b.*?\bor\b", re.IGNORECASE)


def is_comparison(question: str, focus: Focus) -> bool:
    words = set(re.findall(r"[a-z]+", question.lower()))
    return bool(words & _COMPARISON_WORDS or _CHOICE_RE.search(question)) and len(focus.entities) >= 2


def ground(
    focus: Focus,
    sentence: AbstractSet[str],
    context: AbstractSet[str],
    *,
    frame: AbstractSet[str] | None = None,
    heading: AbstractSet[str] | None = None,
    comparison: bool = False,
    context_credit: float = 0.5,
    sentence_key: str = "",
    article: Callable[[], AbstractSet[str]] | None = None,
    preceding: AbstractSet[str] | None = None,
    antecedent: AbstractSet[str] | None = None,
    previous: str = "",
    article_all: Callable[[], AbstractSet[str]] | None = None,
    preceding_key: str = "",
    texts: tuple[str, str] = ("", ""),
    byline: AbstractSet[str] = frozenset(),
    subject: AbstractSet[str] = frozenset(),
) -> Grounding:
    """How well one sentence (its tokens with its heading's) grounds the focus.

    ``context`` is the whole passage, ``frame`` its heading and article title. A model the question names
    may be carried by the passage instead of the sentence ("It scores 42.8"), and a benchmark by the
    heading or the sentence before, but only when the sentence names no other one: then the figure is that
    other one's. A name
    may be carried by the frame (an article about "the API"). Numbers and qualifiers must be in the
    sentence itself. In a comparison, one of the entities compared is enough for one sentence.
    ``preceding`` is the part of the passage up to the sentence: what a sentence refers back to comes
    before it ("She joined at 24" after "Nadia Forsberg leads …"), so only that part may carry a name.
    ``antecedent`` is what a pronoun of the sentence can point back to (the sentences just before it, or
    None when it has no pronoun): "Meta financed it with Blue Owl" after "Hyperion is the giant" is about
    Hyperion, though it names others. ``previous`` is the sentence just before, in the same paragraph: a
    date or qualifier it sets ("On April 8, … . The stock closed at $612.42") frames the sentence, unless
    the sentence states its own ("… and $629.86 on April 10"). ``preceding_key`` is the name key of the
    heading and the passage up to the sentence: a name with its number said there ("Orbit 2.5") carries in.
    ``texts`` are the sentence and its heading as written: a benchmark's words must be said together there
    ("SWE-Bench Pro", not "SWE-Bench Verified … Gemini 3.1 Pro"). ``byline`` holds the tokens of the article's
    outlet and author (in ``frame`` too) ``subject`` holds those of the name the article opens with,
    its subject.
    """
    previous_tokens: set[str] | None = None
    preceding = context if preceding is None else preceding
    total = focus.total_weight
    heading = heading or set()
    frame = frame or set()
    bare = sentence - heading if heading else sentence  # the sentence's own tokens, not its heading's
    own = 0.0
    with_context = 0.0
    missing: list[FocusTerm] = []
    grounded_identity = 0
    distinctive_hits = 0
    names_other_model: bool | None = None
    names_other_benchmark: bool | None = None
    names_other: bool | None = None
    entities_seen = 0
    entity_words: set[str] = set()
    entity_missing: list[FocusTerm] = []
    for term, is_entity in zip(focus.terms, focus.entity_flags, strict=True):
        credit = holds(term, sentence)
        if not credit and term.word == "without" and sentence_key and _NO_RE.search(sentence_key):
            credit = 1.0  # "without tools" is "(no tools)": "no" is too small a word to be a search token
        if credit and term.siblings and bare & term.siblings and not holds(term, bare):
            credit = 0.0  # the heading says it, the sentence says a rival: the figure is the rival's
        if (
            credit
            and term.role == "qualifier"
            and focus.asks_score
            and sentence_key
            and not any(t.word == "without" for t in focus.terms)
            and _negates(term, sentence_key)
        ):
            credit = 0.0  # "with tools": "Without tools, Meta reports 43.9" is the other setting's figure
        if credit and term.phrase and sentence_key:
            credit = 1.0 if says_phrase(term.phrase, sentence_key) else 0.0
        if credit and term.role == "benchmark" and texts[0] and not _said_together(term, texts):
            credit = 0.0
        if term.role == "benchmark" and credit and not holds(term, bare):
            # Named only by the heading: it frames the sentence unless the sentence names another benchmark.
            if names_other_benchmark is None:
                names_other_benchmark = _names_other_benchmark(focus, term, sentence)
            if names_other_benchmark:
                credit = 0.0
        if credit:
            own += credit * term.weight
            with_context += credit * term.weight
            if term.is_identity:
                grounded_identity += 1
            if is_entity:
                entities_seen += 1
                entity_words.add(term.word)
            if term.weight >= focus.distinctive_idf:
                distinctive_hits += 1
            continue
        carried = False
        if term.named_by and any(alt <= sentence for alt in term.named_by):
            # "Maverick has 128" after "Llama 4 changed the architecture": the short name stands for the whole
            # one, unless the sentence says the family with another number ("Llama 3 Maverick").
            family = term.phrase.split()[0] if term.phrase else term.word.split()[0]
            if family not in sentence_key.split():
                carried = bool(said_last(term.phrase, preceding_key) if term.phrase else holds(term, preceding))
        if carried:
            pass
        elif term.role == "model":
            if names_other_model is None:
                names_other_model = any(tokens <= sentence for tokens in focus.model_tokens.values() if tokens) or bool(
                    (bare & focus.model_names) - focus.asked_tokens
                )
            # Carried by the passage only when the sentence names no other model ("Maverick has 17B"); a score
            # on a named benchmark must be said of the model, or under a heading or title that names it.
            where = frame if focus.asks_score else context
            carried = not names_other_model and bool(holds(term, where))
        elif term.role in {"name", "rare"}:
            # The heading, the article's title or the passage around it can say who or what a sentence is
            # about ("She joined at 24" after "Nadia Forsberg leads …"; an article about "the API"), but not
            # when the sentence names someone else, or a rival of the term ("Thinking" for "Contemplating").
            if names_other is None:
                names_other = _names_other(focus, bare)
            if holds(term, byline):
                # The outlet or author is who says the whole article, whoever each sentence is about; "we" and
                # "our" name them in the sentence itself ("We have marked down our holding in Fernleaf").
                carried = True
                if _FIRST_PERSON_RE.search(texts[0]):
                    own += term.weight
            elif (
                previous
                and term.word not in sentence_key.split()
                and any(
                    t.phrase.startswith(f"{term.word} ") and says_phrase(t.phrase, name_key(previous))
                    for t in focus.terms
                )
            ):
                # "Llama 4 changed the architecture. Scout and Maverick were …": the family with its number,
                # said just before, frames the sentence as it frames the number.
                carried = True
            elif not names_other and not bare & term.siblings:
                # The passage before the sentence carries a name into it ("She joined …", "The 28-year-old …");
                # what comes after it does not.
                carried = bool(holds(term, frame) or holds(term, preceding))
                if not carried and term.common and article is not None:
                    carried = bool(holds(term, article()))
                if not carried and subject:
                    # The name the article opens with ("Harrowgate & Pell, a 300-lawyer firm …, spent …") is what
                    # its sentences are about when they name no one else ("The team drew 1,850 contracts").
                    carried = bool(holds(term, subject))
            elif antecedent and not bare & term.siblings:
                carried = bool(holds(term, antecedent))
            if not carried and term.heads & sentence and not bare & term.siblings:
                # "… cut 600 roles across the lab" in an article about Meta Superintelligence Labs: the name's
                # head noun refers back to it.
                carried = bool(holds(term, preceding) or (article_all is not None and holds(term, article_all())))
        elif term.role == "benchmark" and previous:
            # "On Humanity's Last Exam … . Give it tools, and Meta reports 58.4%": the benchmark the sentence
            # before names frames this one, unless this one names another.
            if names_other_benchmark is None:
                names_other_benchmark = _names_other_benchmark(focus, term, sentence)
            if previous_tokens is None:
                previous_tokens = set(tokenize(previous))
            carried = not names_other_benchmark and bool(holds(term, previous_tokens))
        elif term.role in {"number", "qualifier"}:
            if is_period(term) and holds(term, frame) and not _names_other_period(term, bare, texts[0]):
                # "Revenue came in at $56.31 billion" in "Meta Q1 2026 call recap": the year or quarter of the title
                # or heading frames a sentence that states no other one.
                carried = True
            elif (
                term.role == "qualifier"
                and not is_period(term)
                and holds(term, frame)
                and not (sentence | (frame - byline)) & term.siblings
            ):
                # "Our application took eleven days" in "Getting started with the … API preview": the title or
                # heading's qualifier frames a sentence that names none of its rivals, where the frame names none
                # either ("Thinking, Contemplating, tools on …" frames no one mode); the outlet's name is no rival
                # ("Frame & Lens Weekly" for glasses).
                carried = True
            elif term.role == "qualifier" and holds(term, byline) and not bare & term.siblings:
                # The outlet's name is no setting of the sentence ("Quayside Weekly"), unless the sentence says
                # a rival of it ("monthly").
                carried = True
            if not carried and previous:
                if previous_tokens is None:
                    previous_tokens = set(tokenize(previous))
                carried = _set_by_previous(term, sentence, previous, previous_tokens)
                if not carried and term.role == "qualifier" and antecedent is not None:
                    # "Instant mode is fast. Across easy prompts it started answering in 2.1 seconds": "it" is the
                    # mode the sentence before names, unless this one names a rival of it.
                    carried = not bare & term.siblings and _names_variant(term.word, previous)
                if not carried and term.role == "qualifier" and _names_variant(term.word, previous):
                    # "Contemplating mode helped. Meta says that setting puts 12 agents to work …, and it rescued six
                    # puzzles that Thinking mode had missed": "that setting" is the mode just named, whatever rival
                    # the sentence names after it.
                    carried = _refers_back_first(texts[0], term.siblings)
            if (
                not carried
                and term.phrase
                and preceding_key
                and (term.phrase.split()[0] not in sentence or _family_only_compared(term.phrase, texts[0]))
            ):
                # "Orbit 2.5 … . The context window holds 400,000 tokens": a name with its number that the passage
                # says before carries into a sentence that names no other one.
                if names_other is None:
                    names_other = _names_other(focus, bare)
                carried = not names_other and said_last(term.phrase, preceding_key)
        if carried:
            with_context += term.weight
            if is_entity:
                entities_seen += 1
                entity_words.add(term.word)
        elif term.is_identity:
            (entity_missing if comparison and is_entity else missing).append(term)
        else:
            with_context += context_credit * holds(term, context) * term.weight
    if comparison and not entities_seen:
        missing.extend(entity_missing)
    return Grounding(
        identity_ok=not missing,
        missing=tuple(missing),
        coverage=own / total,
        context_coverage=with_context / total,
        grounded_identity=grounded_identity,
        distinctive_hits=distinctive_hits,
        entities=frozenset(entity_words),
    )


# "five times the compute of the MTIA 300", "faster than the MTIA 300": a name of the family with another number
# that the sentence only measures against.
_COMPARED_RE = (
    r"\b(?:times|more|less|fewer|higher|lower|faster|slower|bigger|smaller|better|worse)\b[^.;]{{0,40}}?"
    r"\b(?:of|than|over)\s+(?:the\s+|its\s+)?{family}[\s-]+\d[\w.]*"
)


def _family_only_compared(phrase: str, sentence: str) -> bool:
    """Whether every time the sentence says the phrase's family ("mtia" of "mtia 400") with a number, it is the
    baseline of a comparison ("five times the compute of the MTIA 300"), not what the sentence is about."""
    family = phrase.split()[0]
    if not sentence or not family.isalpha():
        return False
    text = sentence.lower()
    said = len(re.findall(rf"\b{re.escape(family)}[\s-]+\d", text))
    compared = len(re.findall(_COMPARED_RE.format(family=re.escape(family)), text))
    return said > 0 and said == compared


@functools.lru_cache(maxsize=1 << 12)
def _positions(text: str) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for at, token in enumerate(tokenize(text)):
        found.setdefault(token, []).append(at)
    return {token: tuple(places) for token, places in found.items()}


def _said_together(term: FocusTerm, texts: tuple[str, str]) -> bool:
    """Whether one of the term's forms of several words has them side by side (one word may come between)
    in the sentence or in its heading. A token count's measure words and its benchmark's are two runs ("58
    million output tokens to complete the full Intelligence Index evaluation")."""
    for alternative in term.alternatives:
        if len(alternative) < 2:
            if alternative and any(alternative <= _positions(text).keys() for text in texts if text):
                return True
            continue
        measure = alternative & _MEASURE_TOKENS
        runs = [alternative - measure, measure] if measure and measure != alternative else [alternative]
        for text in texts:
            places = _positions(text) if text else {}
            if alternative <= places.keys() and all(_side_by_side(run, places) for run in runs if run):
                return True
    return False


_MEASURE_TOKENS = frozenset(t for word in MEASURE_WORDS for t in tokenize(word))  # as search tokens


def _side_by_side(tokens: frozenset[str], places: Mapping[str, tuple[int, ...]]) -> bool:
    """Whether every one of ``tokens`` is said within a window of len(tokens) + 1 words (one word may come
    between), whichever comes first."""
    if len(tokens) < 2:
        return True
    spots = sorted((at, token) for token in tokens for at in places[token])
    width = len(tokens)
    for i, (start, _token) in enumerate(spots):
        seen = {t for at, t in spots[i:] if at - start <= width}
        if seen == tokens:
            return True
    return False


_NO_RE = re.compile(r"\b(?:no|without)\b")


def _negates(term: FocusTerm, key: str) -> bool:
    """Whether a sentence (its name key) holds a qualifier only as the setting without it ("without tools",
    "no tools"), and nowhere else."""
    tokens = [t for alt in term.alternatives for t in alt]
    said = [m for t in tokens for m in re.finditer(rf"\b{re.escape(t)}", key)]
    return bool(said) and all(re.search(r"\b(?:no|without)\s+(?:[a-z]+\s+)?$", key[: m.start()]) for m in said)


def says_phrase(phrase: str, key: str) -> bool:
    """Whether a name key holds a number phrase whole: "gemini 3" in "gemini 3 pro", not in "gemini 3.1"."""
    return bool(re.search(rf"(?<![\w.]){re.escape(phrase)}(?![\w]|\.\d)", key))


def said_last(phrase: str, key: str) -> bool:
    """Whether a name key's last mention of a family's number is the phrase's: "lumen 3" in "lumen 2 came
    first. lumen 3 changed the design", not in "lumen 3 came first. lumen 2 changed it"."""
    family, _, number = phrase.partition(" ")
    said = re.findall(rf"(?<![\w.]){re.escape(family)} (\d[\w]*(?:\.\d+)*)", key)
    return bool(said) and said[-1] == number


def _names_other(focus: Focus, sentence: AbstractSet[str]) -> bool:
    """Whether a sentence names someone or something the question does not; a question after a name ("which
    companies …") is answered by sentences that name others, so for it this is always False."""
    return not focus.asks_for_name and bool((sentence & focus.other_names) - focus.asked_tokens)


def _names_other_benchmark(focus: Focus, term: FocusTerm, sentence: AbstractSet[str]) -> bool:
    return any(
        tokens and tokens <= sentence for tokens in focus.benchmark_tokens.values()
        if not any(tokens <= alt for alt in term.alternatives)
    )  # fmt: skip


_PERIODS = frozenset(tokenize("day days week weeks month months year years quarter quarters today yesterday"))


def _set_by_previous(
    term: FocusTerm, sentence: AbstractSet[str], previous: str, previous_tokens: AbstractSet[str]
) -> bool:
    """Whether the sentence before sets a number or qualifier the sentence itself does not contradict."""
    if term.siblings & sentence or sentence & _PERIODS:
        return False  # "… in Europe" before, "in Asia" here; "over the whole week": the sentence's own setting
    if term.role == "qualifier":
        # A time carries over ("On April 8 … . The stock closed …"); a platform or a region is the sentence's own.
        return term.word in CALENDAR_WORDS and bool(holds(term, previous_tokens))
    if term.phrase:
        word = term.phrase.split()[0]
        if word in sentence:
            return False  # "April 10" here: the sentence gives its own date
        return says_phrase(term.phrase, name_key(previous))
    shape = len(term.word.split(".")[0])
    if any(t[:1].isdigit() and len(t.split(".")[0]) == shape for t in sentence):
        return False  # a number of the same size here ("2026" for "2025"): the sentence's own
    return bool(holds(term, previous_tokens))


_VARIANT_AFTER = r"\s+(?:mode|tier|version|plan|setting|edition)\b"


def _names_other_period(term: FocusTerm, sentence: AbstractSet[str], text: str) -> bool:
    """Whether the sentence states a time of its own of the term's kind ("the first quarter of 2025").

    A year it counts from ("the fastest growth since 2021") is not the time of its fact.
    """
    if YEAR_RE.fullmatch(term.word):
        if text:
            return bool(_OWN_YEAR_RE.search(text))
        return any(YEAR_RE.fullmatch(t) for t in sentence)
    return bool(sentence & PERIOD_NOUNS) or "q" in sentence


_OWN_YEAR_RE = re.compile(r"(?<!\bsince )(?<!\bsince the end of )\b(?:19|20)\d\d\b", re.IGNORECASE)


# "that setting", "this mode", "the same tier": a variant the sentence before names, pointed back to.
_DEMONSTRATIVE_VARIANT_RE = re.compile(
    r"\b(?:that|this|the same)\s+(?:mode|tier|version|plan|setting|edition)\b", re.IGNORECASE
)


def _refers_back_first(sentence: str, siblings: AbstractSet[str]) -> bool:
    """Whether the sentence points back to a variant ("that setting") before it names any rival of it."""
    pointer = _DEMONSTRATIVE_VARIANT_RE.search(sentence)
    if pointer is None:
        return False
    before = set(tokenize(sentence[: pointer.start()]))
    return not before & siblings


_FIRST_PERSON_RE = re.compile(r"\b(?:we|our|us|ours)\b", re.IGNORECASE)


def _names_variant(word: str, text: str) -> bool:
    """Whether ``text`` names ``word`` as a variant: "Instant mode", "the Pro tier"."""
    return bool(re.search(rf"\b{re.escape(word)}{_VARIANT_AFTER}", text, re.IGNORECASE))


def grounds_fact(focus: Focus, tokens: set[str], quoted: AbstractSet[str] = frozenset(), label: str = "") -> bool:
    """Whether a benchmark fact (its model, benchmark and qualifier tokens) holds every identity term
    that is not a model or benchmark name (those are matched by the lookup itself). A name may be in what the
    fact was read from (``quoted``): "the Artificial Analysis Coding Index" frames its scores; a qualifier, a
    number or a name typed as a model's setting ("muse spark contemplating") must be the fact's own ("31.2%
    without tools and 47.5% with search" are two settings). ``label`` is the fact's model, benchmark and
    qualifier as written: "HLE (no tools)" is no score with tools."""
    key = name_key(label) if label else ""
    if (
        key
        and not any(t.word == "without" for t in focus.terms)
        and any(t.role == "qualifier" and _negates(t, key) for t in focus.identity)
    ):
        return False
    return all(
        holds(t, tokens) >= 1.0 or (t.role == "name" and not t.setting and holds(t, quoted) >= 1.0)
        for t in focus.identity
        if t.role not in {"model", "benchmark"}
    )
