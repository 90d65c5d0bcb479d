"""What a question is about: its names, numbers, qualifiers and wording, read against the corpus.

A question is read into its focus: the models and benchmarks it names, and every other term that
says what is asked. Some terms are its identity (a number or version, a name the articles write with
a capital, a region, platform, tier or unit, or a word the articles never use): a sentence that
lacks one of them states a neighbouring fact, not the answer. The other terms are its wording: a
sentence may say them in other words, and it must cover enough of them.

Each term lists the ways it can be grounded in a sentence: the word, a correction of a typing error
into the corpus's words, an acronym the articles define, or a neighbour the model places close to it
among the corpus's words (wording terms only, and only very close ones for identity terms).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.core.answer.policy import DEFAULT_GROUNDING, DISTINCTIVE_IDF, GroundingPolicy
from bot.core.names import name_key
from bot.core.text import DIGIT_WORDS, STOPWORDS, YEAR_RE, normalize_text, tokenize

if TYPE_CHECKING:
    import numpy as np

    from bot.core.lexicon import Lexicon
    from bot.core.names import NameCatalog

log = logging.getLogger(__name__)


# Words that ask rather than say what is asked about: they need not be in the answer.
GENERIC_WORDS = frozenset(
    tokenize(
        """score scores scored scoring result results number numbers figure figures value values stat stats
        performance perform performed do did done rate rating much many big large long old amount name named
        called call exactly actually really currently now yet still already ever approximately roughly around
        approx like kind type sort thing things info information detail details say says said according article
        articles reported mention mentioned anything something someone anyone there any get got go
        happen happened happening tell told know known wondering wonder question answer lol hey hi ok okay
        thanks thank plz pls u ur r ya yeah yes yo guys dude mean means meaning currently today date day
        tbh btw imo imho idk fyi ngl lmao smh rn iirc afaik
        time when much elo point points pts compare compared comparison
        didnt doesnt dont isnt wasnt werent arent cant couldnt wouldnt shouldnt wont havent hasnt hadnt
        whats hows whos wheres whens thats theres youre theyre im ive id ill""",
        keep_stopwords=True,
    )
)


# Words that pick some of a count, not a name with a version: "the first two reactors", "the last three".
_ORDER_WORDS = frozenset("first last next top other only all".split())


# Nouns that name a variant: the word before one ("instant mode", "lite version") says which.
VARIANT_NOUNS = frozenset(
    "mode modes version versions tier tiers plan plans edition editions setting settings variant variants "
    "effort subscription".split()
)


# Words whose siblings are different facts: "per hour" is not "per minute", "in Europe" not "in Asia".
# They must be in the sentence as written (or an acronym / a very close neighbour: "EU" for "Europe").
_QUALIFIER_TEXT = """eu europe european us usa america american uk britain british china chinese india indian japan
        japanese asia asian africa african canada canadian australia australian germany german france french
        brazil korea korean global worldwide international
        mobile desktop web browser ios android iphone ipad mac linux phone phones tablet glasses
        second seconds minute minutes hour hours hourly daily weekly monthly annual annually quarterly year years
        day days
        week weeks month months quarter quarters decade
        lite light mini nano pro max ultra flash plus turbo preview premium enterprise basic standard
        free input output tomorrow yesterday without
        january february march april may june july august september october november december
        monday tuesday wednesday thursday friday saturday sunday"""
QUALIFIER_WORDS = frozenset(tokenize(_QUALIFIER_TEXT, keep_stopwords=True))
# Effort levels a score is run at ("Gemini 3.1 Pro (high)", "low effort"): a setting only when typed right after a
# model's name; elsewhere "high" and "low" are ordinary words ("a record high").
_EFFORT_WORDS = frozenset(tokenize("low medium high xhigh", keep_stopwords=True))
# The words as written: "pros" (professionals) is no "pro" tier, though both are the search token "pro".
QUALIFIER_SURFACES = frozenset(_QUALIFIER_TEXT.split())


# The regions among them: a word the corpus never uses is one of these when its closest corpus word is ("spain"
# near "europe"); a platform or unit is not inferred so ("window" near "desktop" is no platform).
REGION_WORDS = frozenset(
    tokenize(
        """eu europe european us usa america american uk britain british china chinese india indian japan
        japanese asia asian africa african canada canadian australia australian germany german france french
        brazil korea korean""",
        keep_stopwords=True,
    )
)


# Spellings of one qualifier: "monthly" is said "a month", "EU" is "Europe". (Neighbours above
# identity_neighbour cover more; these are the ones single-word vectors place too far apart.)
_QUALIFIER_FORMS = {
    "monthly": ("month",), "daily": ("day",), "hourly": ("hour",), "weekly": ("week",), "annual": ("year",),
    "annually": ("year",), "yearly": ("year",), "quarterly": ("quarter",), "month": ("monthly",), "day": ("daily",),
    "week": ("weekly",), "hour": ("hourly",), "year": ("annual", "annually", "yearly"), "quarter": ("quarterly",),
    "european": ("europe", "eu"),
    "europe": ("eu", "european"), "eu": ("europe", "european", "european union"),
    "american": ("us", "america", "united states"), "america": ("us", "american", "united states"),
    "us": ("america", "american", "usa", "united states"), "usa": ("us", "america", "united states"),
    "uk": ("britain", "british", "united kingdom"), "britain": ("uk", "british", "united kingdom"),
    "mobile": ("phone", "phones"),
    "phone": ("mobile",), "worldwide": ("global",), "global": ("worldwide",),
}  # fmt: skip


_WORDS_OF_DIGITS = {digit: word for word, digit in DIGIT_WORDS.items()}


_ASKS_NAME_RE = re.compile(
    r"^\W*(who|whom|whose|which|where)\b|\b(who|which \w+)\s*\??\s*$"
    r"|\bwhat (company|firm|companies|firms|partners?|customers?|people|person)\b",
    re.IGNORECASE,
)


_ASKS_PLACE_RE = re.compile(r"^\W*where\b|\b(in )?what (city|country|state|place|location)\b", re.IGNORECASE)


_ASKS_SCORE_RE = re.compile(r"\b(scores?|scored|scoring|results?|benchmarks?|elo|percent)\b|%", re.IGNORECASE)


# "what year", "which country", "day of the week": the words that say what kind of answer is wanted.
_SAID_SMALL = frozenset({"without"})  # words the articles may say with a stopword only ("no tools")
_ASKS_DEFINITION_RE = re.compile(
    r"\bstands?\s+for\b|\bmean(?:s|ing)?\b|\bshort\s+for\b|\babbreviat|\bacronym\b|\bspelled\s+out\b", re.I
)
_PERIOD_WORDS = frozenset({"day", "days"})
_EVERY = frozenset({"every", "per", "each", "a", "one"})
_COMPARING = frozenset({"compared", "compare", "comparing", "comparison", "along", "together", "paired"})
_ASKS_FOR_RE = re.compile(
    r"\b(?:what|which|how many|how long|in what|of what|of which)\s+(year|month|day|week|date|hour|country|countries"
    r"|city|cities|state|region|place|location|nation|percentage|percent|fraction|proportion)s?\b"
    r"|(?<=\bday )of the (week|month|year)\b"
)


WORD_PIECE_RE = re.compile(r"[\w.$%'’²³]+", re.UNICODE)  # "gpt-5" is two words: the number is its own term


@dataclass(frozen=True, slots=True)
class FocusTerm:
    word: str  # as the question writes it, lower case
    role: str  # "model", "benchmark", "number", "qualifier", "name", "rare" or "word"
    weight: float  # idf of the term in the corpus
    alternatives: tuple[frozenset[str], ...]  # the term is grounded where every token of one of them is
    known: bool  # the corpus holds one of the alternatives somewhere
    loose: tuple[frozenset[str], ...] = ()  # the model's neighbours: they ground the term at partial credit
    close: tuple[frozenset[str], ...] = ()  # the loose ones close enough to name what is counted ("staff")
    phrase: str = ""  # a number with the word before it ("gemini 3"): the sentence must say them together
    common: bool = False  # a name that is also an ordinary word ("API"): the article around it may carry it
    siblings: frozenset[str] = frozenset()  # names or qualifiers the model puts near it ("thinking" for
    # "contemplating"): a sentence that says one of them instead is about that one, whatever its heading says
    heads: frozenset[str] = frozenset()  # the head noun of a name in several words ("lab" of "Meta
    # Superintelligence Labs"): "the lab" in a sentence refers back to the name
    named_by: tuple[frozenset[str], ...] = ()  # the last word of the name this term starts ("maverick" of
    # "llama 4 maverick"): a sentence that says it is about the whole name, once the passage has said the rest
    setting: bool = False  # typed right after a model's name ("muse spark contemplating"): a setting of it

    @property
    def is_identity(self) -> bool:
        return self.role != "word"


@dataclass(frozen=True, slots=True)
class Focus:
    terms: tuple[FocusTerm, ...]
    models: tuple[str, ...]  # canonical model names the question names
    benchmarks: tuple[str, ...]
    model_tokens: Mapping[str, frozenset[str]]  # every catalog model -> its tokens (to see another model named)
    benchmark_tokens: Mapping[str, frozenset[str]] = field(default_factory=dict)  # the same for benchmarks
    corpus_names: frozenset[str] = frozenset()  # distinctive names of the corpus (to see another one named)
    model_names: frozenset[str] = frozenset()  # names the corpus writes with a version: models, products
    other_names: frozenset[str] = frozenset()  # names rarer than the corpus's subject (to see another named)
    asks_for_name: bool = False  # "who …", "which companies …": the answer is itself a name
    asks_for_place: bool = False  # "where …": the answer names a place
    asks_definition: bool = False  # "what does JEPA stand for": the answer spells out an acronym
    compared: frozenset[str] = frozenset()  # the words either side of "vs" ("vega vs altair")
    asks_score: bool = False  # names a benchmark or asks for a score: the model must be named with it
    distinctive_idf: float = DISTINCTIVE_IDF  # this corpus's idf of a term a quarter of the passages hold
    _entities: tuple[FocusTerm, ...] = field(default=(), init=False, repr=False, compare=False)
    asked_tokens: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    # every token that grounds one of its terms: a name among them is no one else
    total_weight: float = field(default=1.0, init=False, repr=False, compare=False)  # of all terms (1 when none)
    entity_flags: tuple[bool, ...] = field(default=(), init=False, repr=False, compare=False)  # terms[i] in entities

    def __post_init__(self) -> None:
        # Read for every term of every sentence scored: worked out once.
        object.__setattr__(self, "_entities", self._find_entities())
        object.__setattr__(self, "total_weight", sum(t.weight for t in self.terms) or 1.0)
        object.__setattr__(self, "entity_flags", tuple(t in self._entities for t in self.terms))
        tokens = frozenset(t for term in self.terms for alt in term.alternatives for t in alt)
        object.__setattr__(self, "asked_tokens", tokens)

    @property
    def identity(self) -> tuple[FocusTerm, ...]:
        return tuple(t for t in self.terms if t.is_identity)

    @property
    def unknown(self) -> tuple[FocusTerm, ...]:
        """Identity terms the corpus never uses in any form: the articles cannot answer the question."""
        return tuple(t for t in self.terms if t.is_identity and not t.known)

    @property
    def entities(self) -> tuple[FocusTerm, ...]:
        """The models (and names that are part of a model's name, "opus") a question is about."""
        return self._entities

    def _find_entities(self) -> tuple[FocusTerm, ...]:
        model_words = _model_words(self.model_tokens)
        found = tuple(
            t for t in self.terms
            if t.role == "model" or (t.role == "name" and any(alt <= model_words for alt in t.alternatives))
        )  # fmt: skip
        sides = tuple(t for t in self.terms if t.word in self.compared)
        if len(sides) >= 2 and any(t in found for t in sides) and any(t not in found for t in sides):
            # "muse spark instant vs thinking": a setting the catalog names a model by ("Muse Spark Instant") and
            # another are compared, of the one model both sides share.
            return sides
        if len(found) >= 2:
            return found
        # "hyperion vs prometheus": without two models, the names the question sets side by side are compared.
        names = tuple(t for t in self.terms if (t.role == "name" or t.word in self.compared) and t not in found)
        return tuple(t for t in self.terms if t in found or t in names) if len(found) + len(names) >= 2 else found

    def phrase(self) -> str:
        """The focus in the question's own words, for "the articles don't give …"."""
        return " ".join(t.word for t in self.terms)


@dataclass(frozen=True, slots=True)
class Grounding:
    identity_ok: bool
    missing: tuple[FocusTerm, ...]  # identity terms the sentence lacks
    coverage: float  # weighted share of the terms grounded in the sentence (and its heading)
    context_coverage: float  # the same, with the rest of the passage counted at half
    grounded_identity: int  # identity terms the sentence itself grounds
    distinctive_hits: int  # terms that tell passages apart (idf >= DISTINCTIVE_IDF) the sentence grounds
    entities: frozenset[str] = frozenset()  # the entities (models, names) it grounds, by their word


_CHAT_ABBREVIATIONS = ((re.compile(r"\bw/o\b", re.I), "without"), (re.compile(r"\bw/(?=\s|$)", re.I), "with"))


def expand_chat_abbreviations(question: str) -> str:
    """ "w/o tools" is "without tools"; "w/ meta" is "with meta"."""
    for pattern, full in _CHAT_ABBREVIATIONS:
        question = pattern.sub(full, question)
    return question


def question_words(question: str) -> list[tuple[str, list[str]]]:
    """(word as typed, its search tokens) for each word of the question."""
    out = []
    for match in WORD_PIECE_RE.finditer(normalize_text(expand_chat_abbreviations(question))):
        piece = match.group(0).strip(".'’-")
        if piece:
            out.append((piece, tokenize(piece)))
    return out


def sides_not_neighbours(terms: Sequence[FocusTerm], compared: AbstractSet[str]) -> list[FocusTerm]:
    """ "contemplating vs thinking": one side of a comparison is no neighbour standing for the other, however
    close the model puts the two words."""
    sides = [alt for t in terms if t.word in compared for alt in t.alternatives]
    kept_terms = []
    for term in terms:
        if term.word in compared:
            loose = tuple(alt for alt in term.loose if not any(s <= alt for s in sides if s not in term.alternatives))
            if len(loose) != len(term.loose):
                term = replace(term, loose=loose, close=tuple(alt for alt in term.close if alt in loose))
        kept_terms.append(term)
    return kept_terms


# "don't", "isn't", "I'm", "they've": a verb or pronoun with its ending clipped, never what a question is about.
_CONTRACTION_RE = re.compile(r"[A-Za-z]+(?:n[’']t|[’'](?:m|re|ve|ll|d))", re.IGNORECASE)


def read_focus(
    question: str,
    *,
    idf: Callable[[str], float],
    lexicon: Lexicon | None,
    catalog: NameCatalog | None = None,
    word_vectors: Mapping[str, np.ndarray] | None = None,
    is_common_word: Callable[[str], bool] | None = None,
    policy: GroundingPolicy = DEFAULT_GROUNDING,
    distinctive_idf: float = DISTINCTIVE_IDF,
    clippings: Callable[[str, str, bool], tuple[frozenset[str], ...]] | None = None,
    written_after: Callable[[str, str], tuple[bool, bool]] | None = None,
) -> Focus:
    """The focus of ``question``: the names it mentions and its other terms, each with its groundings.

    ``word_vectors`` holds the model's vectors of question words the corpus does not use (the service
    embeds them with the question); ``is_common_word`` says whether such a word is ordinary English
    (one word piece of the model's vocabulary) rather than a name the corpus has never seen.
    ``clippings`` reads a word the corpus never writes as the words it clips ("capex" -> capital
    expenditures), from the passages retrieved for the question (`find_clippings`). ``written_after(before,
    word)`` says whether those passages write ``word`` capitalised right after ``before``, and elsewhere
    (`written_after`).
    """
    from bot.core.names import key_tokens

    terms: list[FocusTerm] = []
    models: tuple[str, ...] = ()
    benchmarks: tuple[str, ...] = ()
    model_tokens: dict[str, frozenset[str]] = {}
    benchmark_tokens: dict[str, frozenset[str]] = {}
    used_keys: set[str] = set()
    if catalog is not None:
        found_benchmarks, found_models = catalog.find_mentions(question)
        grams = catalog.mention_grams(question)
        benchmarks, models = tuple(found_benchmarks), tuple(found_models)
        model_tokens, benchmark_tokens = _catalog_tokens(catalog)
        used_keys = {k for _kind, _name, gram in grams for k in gram}
        for role, names in (("benchmark", benchmarks), ("model", models)):
            for name in names:
                canonical = frozenset(tokenize(name))
                typed = [
                    frozenset(tokenize(" ".join(gram)))
                    for kind, matched, gram in grams
                    if kind == role and (matched == name or frozenset(tokenize(matched)) <= canonical)
                ]
                terms.append(_name_term(name, role, (canonical, *typed), idf, lexicon))
    expansions = lexicon.expansions() if lexicon is not None else {}
    typed_words = question_words(question)
    kept_at = [
        i
        for i, (w, _toks) in enumerate(typed_words)
        if not (set(key_tokens(w)) and set(key_tokens(w)) <= used_keys) and not _CONTRACTION_RE.fullmatch(w)
    ]
    pieces = [typed_words[i] for i in kept_at]
    model_keys = {k for kind, _name, gram in grams for k in gram if kind == "model"} if catalog is not None else set()
    named_before = -2  # the typed position of the last word of a model's name, its version or its variant
    seen: set[str] = set()
    index = 0
    last_name_piece = -2
    placed: dict[str, int] = {}  # a term's word -> the index of its (last) piece
    # "what year", "which day": the word says what kind of answer is wanted, not which fact.
    asks_for = set(tokenize(" ".join(w for m in _ASKS_FOR_RE.findall(normalize_text(question).lower()) for w in m)))
    scores_asked = bool(benchmarks) or bool(_ASKS_SCORE_RE.search(question))
    while index < len(pieces):
        word, tokens = pieces[index]
        index += 1
        # "every day", "per day": a period is a setting of the fact, though "what day" asks for a date.
        period = word.lower() in _PERIOD_WORDS and index >= 2 and pieces[index - 2][0].lower() in _EVERY
        tokens = [t for t in tokens if period or (t not in STOPWORDS and t not in GENERIC_WORDS and t not in asks_for)]
        after_name = bool(terms) and terms[-1].role == "name"
        if len(tokens) == 2 and tokens[0] == "v" and tokens[1][:1].isdigit() and not after_name:
            # "livecodebench v5": the version is the number, which another version ("v6") does not ground. After a
            # name ("deepseek v4") the name stays the identity: its passage may say it with its version.
            tokens = tokens[1:]
        if not tokens or tokens[0] in seen:
            continue
        if word.lower() == "one" and index < len(pieces) and pieces[index][0].lower() == "of":
            continue  # "one of meta's tent halls": one picked from them, not a count
        token = tokens[0]
        # The words an acronym stands for, written out: one term that the acronym also grounds.
        for length in (5, 4, 3, 2):
            # Small words ("of") are not search tokens, so "mixture of experts" is the run (mixtur, expert).
            span = pieces[index - 1 : index - 1 + length]
            run = tuple(toks[0] for _, toks in span if toks)
            if len(run) >= 2 and run in expansions and span[-1][1]:
                acronym = expansions[run]
                terms.append(
                    FocusTerm(" ".join(w for w, _ in span), "name", max(idf(t) for t in run),
                              (frozenset(run), frozenset({acronym})), True, heads=frozenset(run[-1:]))
                )  # fmt: skip
                seen.update(run)
                index += length - 1
                break
        else:
            seen.add(token)
            typed_capital = word[:1].isupper() and not question.lstrip().startswith(word)
            after = pieces[index][0].lower() if index < len(pieces) else ""
            # "instant mode", "the lite version", "pro tier": the word naming a variant is the question's point.
            names_variant = after in VARIANT_NOUNS and token not in VARIANT_NOUNS
            at = kept_at[index - 1]
            if at and set(key_tokens(typed_words[at - 1][0])) <= model_keys and key_tokens(typed_words[at - 1][0]):
                named_before = at - 1
            after_model = named_before == at - 1
            if (
                named_before == at - 1
                and written_after is not None
                and not (at + 1 < len(typed_words) and typed_words[at + 1][0].lower() in {"vs", "versus"})
                and lexicon is not None
                and _is_variant(written_after(typed_words[at - 1][0], word), token in lexicon.proper)
            ):
                # "gemini 3.1 pro deep think": a word typed right after a model's name, that the passages write
                # capitalised right after it ("Gemini 3.1 Pro Deep Think", "… Pro (Deep Think)"), names a variant: a
                # different model, whose figures the plain one's are not.
                names_variant = True
                named_before = at
            if after_model and token in _EFFORT_WORDS and scores_asked:
                names_variant = True  # "gemini 3.1 pro low gpqa diamond": the effort a score was run at
            if (
                index >= 2
                and pieces[index - 2][0].lower() in {"with", "without"}
                and scores_asked
                and (index < 3 or pieces[index - 3][0].lower() not in _COMPARING)
            ):
                names_variant = True  # "GPQA Diamond with tools": the setting a score was run in

            after_word = pieces[index][0] if index < len(pieces) else ""
            if (generation := _generation(word, after_word)) is not None:
                terms.append(generation)
                placed[generation.word] = index
                index += 1
                continue
            if (period_term := _fiscal_period(word)) is not None:
                terms.append(period_term)
                placed[period_term.word] = index - 1
                continue
            term = _word_term(
                word, token, idf, lexicon, word_vectors or {}, is_common_word, typed_capital or names_variant, policy,
                variant=names_variant, distinctive_idf=distinctive_idf, clippings=clippings,
                before=pieces[index - 2][0].lower() if index >= 2 else "",
            )  # fmt: skip
            before = pieces[index - 2][0] if index >= 2 else ""
            if (
                term.role == "qualifier"
                and token in _PER_UNITS
                and before.lower() in _PER_WORDS
                and not (before.lower() in {"a", "an"} and after in _SINCE_WORDS)  # "a year earlier": a time
            ):
                # "per year", "a month": a rate's unit, which a year or a month's name ("in 2024") does not say.
                term = replace(term, word=f"{before.lower()} {term.word}")
            if (
                len(word) == 1
                and word.isalpha()
                and term.role in {"word", "rare"}
                and re.search(rf"(?<![\w'’]){re.escape(before)}\s+{re.escape(word)}(?![\w/&'’.-])", question)
                and terms
                and placed.get(terms[-1].word) == index - 2
                and terms[-1].role in {"word", "name", "qualifier"}
                and not terms[-1].phrase
            ):
                # "series b", "plan c": a letter after a word names one of a series, as a number does ("gemini 3"):
                # a sentence about the "Series C" round is not about it.
                previous = terms.pop()
                label = f"{previous.word} {word.lower()}"
                term = FocusTerm(label, "qualifier", max(previous.weight, term.weight),
                                 tuple(alt | {token} for alt in previous.alternatives), previous.known,
                                 phrase=name_key(label))  # fmt: skip
            if term.role == "number" and before.lower() in {"which", "what"}:
                continue  # "which two firms": how many answers are wanted, not a number the answer says
            is_year = bool(YEAR_RE.fullmatch(term.word))  # "capex 2025": a year is no version
            if (
                term.role == "number"
                and before.isalpha()
                and before.lower() not in STOPWORDS | GENERIC_WORDS | _ORDER_WORDS
                and not is_year
            ):
                # "gemini 3", not just "3": a sentence about "Gemini 3.1" that also says "3 times" is not it.
                label = f"{before.lower()} {term.word}"
                term = FocusTerm(label, term.role, term.weight, term.alternatives, term.known, phrase=name_key(label))
                named_before = kept_at[index - 1]
            if term.role == "name" and terms and terms[-1].role == "name" and last_name_piece == index - 2:
                # One person or firm in several words: "nadia forsberg" is grounded by "Forsberg".
                previous = terms.pop()
                term = FocusTerm(f"{previous.word} {term.word}", "name", max(previous.weight, term.weight),
                                 previous.alternatives + term.alternatives, previous.known or term.known)  # fmt: skip
            if (
                term.role == "word"
                and not term.known
                and terms
                and terms[-1].role == "word"
                and not terms[-1].known
                and placed.get(terms[-1].word) == index - 2
                and min(len(term.word), len(terms[-1].word)) >= 3  # "p/e" is a ratio
            ):
                # "morgan stanley": two words in a row that the corpus never uses, nor anything near them, are
                # a name it never mentions, typed in lower case.
                previous = terms.pop()
                term = FocusTerm(f"{previous.word} {term.word}", "name", max(previous.weight, term.weight),
                                 (previous.alternatives[0] | term.alternatives[0],), False)  # fmt: skip
            if term.role == "name":
                last_name_piece = index - 1
            if after_model and term.role in {"name", "qualifier"}:
                term = replace(term, setting=True)
            terms.append(term)
            placed[term.word] = index - 1
    terms = _short_names(terms, placed)
    asks_score = bool(benchmarks) or bool(_ASKS_SCORE_RE.search(question))
    if asks_score and not benchmarks:
        # "orbit 2.5 osworld score": in a question after a score that names no benchmark the articles know, a
        # word they never use is the benchmark asked for, however near one of theirs the model puts it.
        terms = [
            replace(t, role="rare")
            if t.role == "word" and not t.known and not t.word[:1].isdigit() and not _ASKS_SCORE_RE.fullmatch(t.word)
            else t
            for t in terms
        ]
    # "vega vs altair": the words either side of "vs" are what is compared, names or not.
    beside = {i + step for i, (w, _) in enumerate(pieces) if w.lower() in {"vs", "versus"} for step in (-1, 1)}
    # "instant mode vs thinking": the word naming the variant before its noun is the side.
    beside |= {i - 1 for i in list(beside) if 0 < i < len(pieces) and pieces[i][0].lower() in VARIANT_NOUNS}
    compared = frozenset(
        t.word for t in terms
        if {placed.get(t.word, -9), placed.get(t.word, -9) - len(t.word.split()) + 1} & beside
    )  # fmt: skip
    terms = sides_not_neighbours(terms, compared)
    return Focus(
        compared=compared,
        terms=tuple(terms),
        models=models,
        benchmarks=benchmarks,
        model_tokens=model_tokens,
        benchmark_tokens=benchmark_tokens,
        corpus_names=lexicon.distinctive_names(idf, distinctive_idf) if lexicon is not None else frozenset(),
        distinctive_idf=distinctive_idf,
        model_names=(lexicon.versioned & lexicon.distinctive_names(idf, policy.other_name_idf))
        if lexicon is not None
        else frozenset(),
        other_names=lexicon.distinctive_names(idf, policy.other_name_idf) if lexicon is not None else frozenset(),
        asks_for_name=bool(_ASKS_NAME_RE.search(normalize_text(question))),
        asks_for_place=bool(_ASKS_PLACE_RE.search(normalize_text(question))),
        asks_definition=bool(_ASKS_DEFINITION_RE.search(normalize_text(question)))
        or _names_bare_acronym(question, terms),
        asks_score=asks_score,
    )


# "TTFT", "whats MoE", "CoT in the safety piece?": an acronym asked about alone, perhaps with where it was read.
_BARE_ACRONYM_RE = re.compile(
    r"^\s*(?:what(?:'s|’s|s|\s+is|\s+are)\s+)?(?:an?\s+|the\s+)?(?P<word>[\w-]+)\s*\??\s*"
    r"(?:\bin\s+the\s+.{0,60}?\b(?:piece|article|story|section|report|part|post|review|table)\s*\??\s*)?$",
    re.IGNORECASE,
)


def _names_bare_acronym(question: str, terms: Sequence[FocusTerm]) -> bool:
    """Whether the question is an acronym alone ("TTFT", "whats MoE in the llama 4 section"): what it
    stands for is what is asked."""
    match = _BARE_ACRONYM_RE.match(normalize_text(question))
    if match is None:
        return False
    word = match.group("word").lower()
    return any(
        t.word.lower() == word and t.role in {"name", "benchmark"} and any(len(alt) >= 2 for alt in t.alternatives)
        for t in terms
    )


def _short_names(terms: list[FocusTerm], placed: Mapping[str, int]) -> list[FocusTerm]:
    """A family, its number and a name after them ("llama 4 maverick"): the family and the number are said
    by the passage before a sentence that says only the name ("Scout has 16 experts; Maverick has 128")."""
    out = list(terms)
    for at, term in enumerate(terms[:-1]):
        tail = terms[at + 1]
        if not term.phrase or tail.role != "name" or placed.get(tail.word, -9) != placed.get(term.word, -9) + 1:
            continue
        family = next(
            (i for i, t in enumerate(terms[:at]) if t.role == "name" and term.phrase.startswith(f"{t.word} ")), None
        )
        for i in (at, *(() if family is None else (family,))):
            out[i] = replace(out[i], named_by=tail.alternatives)
    return out


# What every question's focus reads of one build's catalog (its models' tokens, its benchmarks' core tokens, every
# model word), kept for the last catalog read: one build answers question after question, and on a corpus of
# thousands of names this is thousands of tokenisations a question. Kept by the identity of the name tuples
# (a new build's catalog has its own), never changed once made: every Focus shares them and only reads them.
_TokenMap = dict[str, frozenset[str]]
_CATALOG_TOKENS: list[tuple[tuple[str, ...], tuple[str, ...], _TokenMap, _TokenMap]] = []
_MODEL_WORDS: list[tuple[Mapping[str, frozenset[str]], frozenset[str]]] = []


def _catalog_tokens(catalog: NameCatalog) -> tuple[_TokenMap, _TokenMap]:
    models, benchmarks = catalog.models, catalog.benchmarks
    kept = _CATALOG_TOKENS[-1] if _CATALOG_TOKENS else None
    if kept is not None and kept[0] is models and kept[1] is benchmarks:
        return kept[2], kept[3]
    model_tokens = {m: frozenset(tokenize(m)) for m in models}
    benchmark_tokens = {b: _core_tokens(b) for b in benchmarks}
    _CATALOG_TOKENS[:] = [(models, benchmarks, model_tokens, benchmark_tokens)]
    return model_tokens, benchmark_tokens


def _model_words(model_tokens: Mapping[str, frozenset[str]]) -> frozenset[str]:
    kept = _MODEL_WORDS[-1] if _MODEL_WORDS else None
    if kept is not None and kept[0] is model_tokens:
        return kept[1]
    words = frozenset(t for tokens in model_tokens.values() for t in tokens)
    _MODEL_WORDS[:] = [(model_tokens, words)]
    return words


def _core_tokens(benchmark: str) -> frozenset[str]:
    """Enough of a benchmark's name to see it named in a sentence: its last two words, without a version."""
    words = [t for t in tokenize(benchmark) if not t[0].isdigit() and t != "v"]
    return frozenset(words[-2:])


def _name_term(
    name: str, role: str, alternatives: Sequence[frozenset[str]], idf: Callable[[str], float], lexicon: Lexicon | None
) -> FocusTerm:
    alternatives = tuple(dict.fromkeys(a for a in alternatives if a))
    if lexicon is not None:
        # "Humanity's Last Exam" is "HLE" where an article defines it so, and the other way round.
        more = [frozenset({acronym}) for alt in alternatives if (acronym := lexicon.acronym_of(alt))]
        more += [frozenset(lexicon.acronyms[t]) for alt in alternatives if len(alt) == 1 for t in alt
                 if t in lexicon.acronyms]  # fmt: skip
        alternatives = tuple(dict.fromkeys((*alternatives, *more)))
    weight = max((idf(t) for t in alternatives[0]), default=1.0) if alternatives else 1.0
    known = lexicon is None or any(all(lexicon.has(t) for t in alt) for alt in alternatives)
    return FocusTerm(name, role, weight, tuple(alternatives), known)


def _derivations(
    word: str, token: str, lexicon: Lexicon, word_vectors: Mapping[str, np.ndarray], policy: GroundingPolicy
) -> tuple[str, ...]:
    """The corpus's words of this word's family that the model reads as meaning the same."""
    found = lexicon.derivations(token)
    vector = word_vectors.get(word.lower()) if found else None
    if vector is None:
        return ()
    return tuple(
        d for d in found if (own := lexicon.vector_of(d)) is not None and float(own @ vector) >= policy.derivation
    )


def _word_term(
    word: str,
    token: str,
    idf: Callable[[str], float],
    lexicon: Lexicon | None,
    word_vectors: Mapping[str, np.ndarray],
    is_common_word: Callable[[str], bool] | None,
    typed_capital: bool,
    policy: GroundingPolicy,
    *,
    variant: bool = False,
    distinctive_idf: float = DISTINCTIVE_IDF,
    clippings: Callable[[str, str, bool], tuple[frozenset[str], ...]] | None = None,
    before: str = "",
) -> FocusTerm:
    weight = idf(token)
    common = False
    if token[0].isdigit() or token in DIGIT_WORDS:
        # "2" and "two" are one number; a different digit is a different thing.
        other = _WORDS_OF_DIGITS.get(token) or DIGIT_WORDS.get(token)
        forms = (frozenset({token}), *((frozenset({other}),) if other else ()))
        if token in {"1", "one"}:
            forms += (frozenset(tokenize("single")),)  # "one prompt" is "a single prompt"
        known = lexicon is None or any(lexicon.has(t) for f in forms for t in f)
        return FocusTerm(word.lower(), "number", weight, forms, known)
    alternatives: list[frozenset[str]] = [frozenset({token})]
    if lexicon is None:
        role = "qualifier" if token in QUALIFIER_WORDS else "word"
        return FocusTerm(word.lower(), role, weight, tuple(alternatives), True)
    in_corpus = lexicon.has(token)
    if word.lower() == "us" and word.upper() != word:
        return FocusTerm(word.lower(), "word", 0.0, (frozenset({token}),), True)
    corrected: tuple[str, ...] = ()
    derived = () if in_corpus else _derivations(word, token, lexicon, word_vectors, policy)
    alternatives += [frozenset({d}) for d in derived]
    # A typing error is a word nobody writes; a real word ("weather") is not corrected into another ("whether").
    if not in_corpus and not derived and not (is_common_word(word.lower()) if is_common_word else False):
        corrected = lexicon.corrections(token)
        if word.lower().endswith(("'s", "’s")):
            corrected = tuple(c for c in corrected if c in lexicon.proper)  # an owner is misspelt as a name
        alternatives += [frozenset({c}) for c in corrected]
        split = lexicon.splits(token)
        if split:
            alternatives.append(frozenset(split))
        if corrected or split:
            weight = max([idf(c) for c in corrected] + ([min(idf(s) for s in split)] if split else []))

    if not in_corpus and len(alternatives) == 1 and clippings is not None:
        # A clipped word ("capex", "infra", "on prem"): the words it clips, where the passages write them.
        common_word = bool(is_common_word and is_common_word(word.lower()))
        clipped = clippings(word.lower(), before, common_word)
        if clipped:
            alternatives += clipped
            weight = max(min(idf(t) for t in alt) for alt in clipped)
    acronym = lexicon.acronyms.get(token)
    if not acronym and not in_corpus and not corrected and word.isalpha() and len(word) <= 5:
        # "msl" for the Meta Superintelligence Labs the articles name in full and never abbreviate.
        acronym = lexicon.initials.get(token)
    if acronym:
        alternatives.append(frozenset(acronym))
    elif (short := lexicon.abbreviation_of(token)) is not None:
        alternatives.append(frozenset({short}))  # "gigawatts" is said "GW" too
    known_tokens = [token, *corrected]
    # "us" is a country only when written so ("US", "U.S."); "tell us" is not.
    surface = word.lower().strip("?!.,;:'’\"")
    is_qualifier = variant or (
        any(t in QUALIFIER_WORDS and (t != token or surface in QUALIFIER_SURFACES) for t in known_tokens)
        and (word.lower() != "us" or word.upper() == word)
    )
    if not is_qualifier and not in_corpus and not corrected:
        # A word the corpus never uses whose closest corpus word is a region, platform, unit or tier is one
        # too ("spain" near "europe"): its siblings are different facts.
        vector = word_vectors.get(word.lower())
        closest = lexicon.neighbours(vector, policy.wording_neighbour, 1) if vector is not None else ()
        is_qualifier = bool(closest) and closest[0][0] in REGION_WORDS
    if is_qualifier:
        for t in known_tokens:
            alternatives += [frozenset(tokenize(form)) for form in _QUALIFIER_FORMS.get(t, ())]
    is_name = any(t in lexicon.proper for t in known_tokens) and max(idf(t) for t in known_tokens) >= distinctive_idf
    # "evercore's price target": an owner the articles never name is someone they say nothing of.
    owner = not in_corpus and not corrected and len(alternatives) == 1 and word.lower().endswith(("'s", "’s"))
    # "without" is said "no" too, a word too small to be a search token (grounding.ground reads it).
    known = in_corpus or bool(corrected) or len(alternatives) > 1 or token in _SAID_SMALL
    if is_qualifier:
        role, threshold = "qualifier", policy.identity_neighbour
    elif is_name or (typed_capital and weight >= distinctive_idf) or bool(acronym) or owner:
        role, threshold = "name", policy.identity_neighbour
        common = bool(is_common_word and is_common_word(word.lower()))
        # "Epoch AI" is in "ECI", the Epoch Capabilities Index the corpus abbreviates: the acronym of a name
        # that starts with this one says it.
        alternatives += [
            frozenset({short}) for short, phrase in lexicon.acronyms.items() if len(phrase) >= 2 and phrase[0] == token
        ]
    else:
        role, threshold = "word", policy.wording_neighbour
    vector = lexicon.vector_of(token) if in_corpus else word_vectors.get(word.lower())
    if vector is None and corrected:
        vector = lexicon.vector_of(corrected[0])
    loose: list[frozenset[str]] = []
    close: list[frozenset[str]] = []
    if vector is not None and role in {"word", "rare", "qualifier"}:
        for neighbour, sim in lexicon.neighbours(vector, threshold, policy.max_neighbours):
            if neighbour != token and not neighbour[0].isdigit() and frozenset({neighbour}) not in alternatives:
                loose.append(frozenset({neighbour}))
                if sim >= policy.counted_neighbour:
                    close.append(frozenset({neighbour}))
        known = known or bool(loose)
        if not known and role == "word" and not lexicon.neighbours(vector, policy.isolation, 1):
            role = "rare"  # nothing in the corpus is even near it ("osworld"): the articles never discuss it
    siblings: frozenset[str] = frozenset()
    if vector is not None and role in {"name", "qualifier"}:
        own = {t for alt in alternatives for t in alt}
        siblings = frozenset(
            t for t, _sim in lexicon.neighbours(vector, policy.sibling, 12)
            if t not in own and (t in lexicon.capitalised or t in QUALIFIER_WORDS) and not t[0].isdigit()
        )  # fmt: skip
    if not known and role == "word" and not (is_common_word(word.lower()) if is_common_word else True):
        role = "rare"  # a word of several word pieces nothing in the corpus says in any form: the question's point
    if not in_corpus and role == "word":
        # An ordinary word the articles never use ("credit", "gains") has no idf of its own; the largest one
        # would let it outweigh everything the sentence does match. One of its family the articles do use
        # ("abstentions" for "abstained") weighs what that word weighs.
        weight = min(idf(d) for d in derived) if derived else min(weight, policy.unseen_word_weight)
    return FocusTerm(
        word.lower(),
        role,
        weight,
        tuple(dict.fromkeys(alternatives)),
        known,
        tuple(loose),
        close=tuple(close),
        common=common,
        siblings=siblings,
        heads=frozenset(acronym[-1:]) if acronym and len(acronym) >= 2 and role == "name" else frozenset(),
    )


# "q1", "h2": a quarter or half of a year, which reports also write out ("first-quarter results", "Q1 2026").
FISCAL_PERIOD_RE = re.compile(r"(?P<part>[qh])(?P<n>[1-4])", re.IGNORECASE)
_ORDINALS = ("first", "second", "third", "fourth")
PERIOD_NOUNS = frozenset(tokenize("quarter quarters half", keep_stopwords=True))


_PER_UNITS = frozenset(tokenize("year month week day hour"))
_PER_WORDS = frozenset({"per", "a", "an", "each", "every"})
_SINCE_WORDS = frozenset({"earlier", "ago", "later", "before", "after", "prior", "back", "since", "on", "from"})


def _fiscal_period(word: str) -> FocusTerm | None:
    """ "q1" as a qualifier grounded by "Q1", "1Q" or "first quarter"; None for any other word."""
    match = FISCAL_PERIOD_RE.fullmatch(word)
    if match is None or (match.group("part").lower() == "h" and match.group("n") not in "12"):
        return None
    part, n = match.group("part").lower(), int(match.group("n"))
    noun = "quarter" if part == "q" else "half"
    alternatives = tuple(
        dict.fromkeys(frozenset(tokenize(form)) for form in (f"{part}{n}", f"{_ORDINALS[n - 1]} {noun}"))
    )
    # Known whatever the lexicon holds ("q" is too short a word for it): grounding still needs it said.
    return FocusTerm(word.lower(), "qualifier", 1.0, alternatives, True)


_GENERATION_NOUNS = frozenset({"generation", "gen"})
_ORDINAL_NUMBERS = {**{word: n for n, word in enumerate(_ORDINALS, start=1)}, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


def _generation(word: str, after: str) -> FocusTerm | None:
    """ "first generation" (or "gen 1") as a qualifier grounded by "first-generation" or "Gen 1" (not "Gen 2");
    else None."""
    n = _ORDINAL_NUMBERS.get(word.lower())
    if n is None and word.lower() in _GENERATION_NOUNS and after in {"1", "2", "3", "4"}:
        n = int(after)  # "ray-ban meta gen 2": the "second-generation Ray-Ban Meta"
    elif n is None or after.lower() not in _GENERATION_NOUNS:
        return None
    ordinal = _ORDINALS[n - 1]
    forms = (f"{ordinal} generation", f"{ordinal} gen", f"gen {n}", f"generation {n}", f"gen{n}")
    alternatives = tuple(dict.fromkeys(frozenset(tokenize(form)) for form in forms))
    return FocusTerm(f"{word.lower()} {after.lower()}", "qualifier", 1.0, alternatives, True)


def is_period(term: FocusTerm) -> bool:
    """A year or a quarter the question asks about ("2026", "q1"): the time a fact is of."""
    return bool(YEAR_RE.fullmatch(term.word) or FISCAL_PERIOD_RE.fullmatch(term.word))


def _is_variant(written: tuple[bool, bool], is_name: bool) -> bool:
    """A word written capitalised after a model's name is its variant, unless the corpus names something by it
    alone too ("Maverick has 128 experts" after "Llama 4 Maverick"): then it is that name."""
    after, elsewhere = written
    return after and not (elsewhere and is_name)


def written_after(before: str, word: str, texts: Sequence[str]) -> tuple[bool, bool]:
    """Whether ``texts`` write ``word`` with a capital (not in capitals) right after ``before``, perhaps in
    brackets ("Gemini 3.1 Pro Deep Think", "Gemini 3.1 Pro (Deep Think)"); and whether they write it with a
    capital anywhere else too ("Maverick has 128 experts")."""
    if not word[:1].isalpha() or len(word) < 2:
        return False, False
    title = word[:1].upper() + word[1:].lower()
    after = re.compile(rf"(?<![\w.-]){re.escape(before)}\s*\(?\s*$", re.IGNORECASE)
    alone = re.compile(rf"(?<![\w-]){re.escape(title)}(?![\w-])")
    seen_after = seen_elsewhere = False
    for text in texts:
        for match in alone.finditer(text):
            if after.search(text[max(0, match.start() - len(before) - 4) : match.start()]):
                seen_after = True
            else:
                seen_elsewhere = True
    return seen_after, seen_elsewhere


_LETTERS_RE = re.compile(r"[^\W\d_]+")
MIN_CLIPPING = 4  # letters: "prem" clips "premises"; "ms" clips nothing


@functools.lru_cache(maxsize=1 << 12)  # pure; the same passages are read for every question that retrieves them
def _words_of(text: str) -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    """A text's words in lower case, and where the words that start with each two letters stand."""
    words = tuple(w.lower() for w in _LETTERS_RE.findall(text))
    starting: dict[str, list[int]] = {}
    for at, w in enumerate(words):
        starting.setdefault(w[:2], []).append(at)
    return words, {start: tuple(places) for start, places in starting.items()}


def _initials_of(word: str, texts: Sequence[str]) -> tuple[frozenset[str], ...]:
    """The run of words whose initials ``word`` is, where ``texts`` write it out and never as letters ("cto":
    "chief technology officer"); each word of the run is a content word of three letters or more."""
    if not 2 <= len(word) <= 3:
        return ()
    for text in texts:
        words, _starting = _words_of(text)
        for at in range(len(words) - len(word) + 1):
            run = words[at : at + len(word)]
            if all(w[0] == ch and len(w) >= 3 and w not in STOPWORDS for w, ch in zip(run, word, strict=True)):
                tokens = frozenset(t for w in run for t in tokenize(w)[:1])
                if len(tokens) == len(word):
                    return (tokens,)
    return ()


def find_clippings(
    word: str,
    texts: Sequence[str],
    *,
    before: str = "",
    common: bool = False,
    closeness: Callable[[str, Sequence[str]], int] | None = None,
) -> tuple[frozenset[str], ...]:
    """The words that ``word`` clips in ``texts``, as search tokens: two words written together whose starts
    spell it ("capex": "capital expenditures"), or one word it starts ("infra": "infrastructure").

    An ordinary word (``common``: "weather") clips a longer one ("weatherproof") only after the word the
    question writes before it ("on prem": "on-premises"). Of several single words, ``closeness`` (the
    model) picks the one closest to ``word``; without it, a single word counts only when it is the only one.
    """
    if not word.isalpha():
        return ()
    if len(word) < MIN_CLIPPING:
        return _initials_of(word, texts)
    pairs: dict[frozenset[str], None] = {}
    singles: dict[str, None] = {}
    for text in texts:
        words, starting = _words_of(text)
        where = starting.get(word[:2], ())  # every cut keeps at least the first two letters
        for at in where:
            if at + 1 >= len(words):
                break
            first, second = words[at], words[at + 1]
            for cut in range(2, min(len(first), len(word) - 2) + 1):
                if first.startswith(word[:cut]) and second.startswith(word[cut:]) and first != second:
                    tokens = frozenset(t for w in (first, second) for t in tokenize(w)[:1])
                    if len(tokens) == 2:
                        pairs[tokens] = None
                    break
        for at in where:
            candidate = words[at]
            clips = candidate.startswith(word) and len(candidate) > len(word) and len(word) * 5 >= 2 * len(candidate)
            if clips and (not common or (before and at > 0 and words[at - 1] == before)):
                singles[candidate] = None
    if not singles and not pairs and word.endswith("s") and len(word) > MIN_CLIPPING:
        # "params": the plural of a clipping ("param" of "parameters").
        return find_clippings(word[:-1], texts, before=before, common=common, closeness=closeness)
    found = list(pairs)
    if singles:
        options = sorted(singles)
        if len(options) == 1:
            found.append(frozenset(tokenize(options[0])[:1]))
        elif closeness is not None:
            found.append(frozenset(tokenize(options[closeness(word, options)])[:1]))
    return tuple(f for f in found if f)
