"""What a question asks for (an amount, a date, a number, words) and whether a sentence states it."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.text import MONTH_NAMES, NUMBER_WORDS, WEEKDAY_NAMES, normalize_text, numbers_in, tokenize

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.core.answer.focus import FocusTerm

log = logging.getLogger(__name__)


# What kind of value a question asks for. The first pattern that matches wins.
_MONEY_Q = re.compile(
    r"\b(cost|costs|costing|price[sd]?|pricing|pay|pays|paying|paid|spend|spends|spending|spent|worth|valuation|"
    r"valued|revenues?|funding|fees?|fines?(?![-\w])|charges?|charged|invest(ed|ing|ments?)?|how much money|"
    r"salary|salaries|dollars?|(?:close|closed|closing|trade|traded|trading|open|opened) at"
    r"|(?:stock|share) price)\b"
    # "how much is the Kylie frame", "how much are they": a price, unless a quantity of something else is named.
    r"|\bhow much (?:is|are|was|were)\b(?![^?]*\b(?:more|less|faster|slower|better|worse|bigger|smaller|higher|"
    r"lower|compute|memory|power|energy|data|time|storage|traffic|usage|share)\b)"
    # "value of the scale ai deal", "size of the funding round", "deal value": what a deal is worth.
    r"|\b(?:value|size) of (?:the |its |their |that |this )?(?:[\w.'’&-]+ ){0,4}?(?:deal|stake|acquisition|"
    r"takeover|purchase|buyout|round|contract)s?\b|\b(?:deal|acquisition|takeover|purchase|buyout) (?:value|size)\b",
    re.IGNORECASE,
)


# A weight: "how heavy", "how much does it weigh", "what's the weight of" (not a model's "open weights").
_WEIGHT_Q = re.compile(
    r"\bhow heavy\b|\bweigh(?:s|ed|ing)?\b|\b(?:the|its|their|total) weight\b|\bhow much weight\b|"
    r"\bhow many (?:grams|kilograms|kilos|ounces|pounds)\b",
    re.IGNORECASE,
)
_WEIGHT_A = re.compile(
    r"(?P<number>\d[\d,.]*)[\s-]?(?P<unit>g|grams?|kg|kilograms?|kilos?|oz|ounces?|lbs?|pounds?)\b(?!\s*sterling)",
    re.IGNORECASE,
)

# The words of a weight question that the weight itself says: "Our pair weighed 66 grams" answers "how heavy".
WEIGHT_WORDS = frozenset({"heavy", "weigh", "weighs", "weighed", "weighing", "weight"})
_WEIGHT_SAID = "heavy weigh weight g gram kg kilogram kilo oz ounce lb pound"
WEIGHT_TOKENS = tuple(frozenset({token}) for token in dict.fromkeys(tokenize(_WEIGHT_SAID)))
_WEIGHT_UNITS = {"g": "g", "gr": "g", "kg": "kg", "ki": "kg", "oz": "oz", "ou": "oz", "lb": "lb", "po": "lb"}


_DURATION_Q = re.compile(r"\bhow long\b|\bhow many (seconds|minutes|hours|days|weeks|months|years)\b", re.I)


# A quantity said in points, whatever it prices: "what spread over SOFR is the loan priced at" asks for "2.5
# percentage points", not for an amount of money.
_POINTS_Q = re.compile(r"\b(?:spread|margin|basis points?|percentage points?)\b", re.IGNORECASE)


_SHARE_Q = re.compile(r"\b(?:what|which)\s+(?:[a-z]+\s+){0,2}?(?:share|percentage|fraction|proportion)\b", re.I)


_PERCENT_Q = re.compile(r"\b(percentage|percent|per cent|what share|what fraction)\b|%", re.IGNORECASE)


_AGE_Q = re.compile(r"\bhow old\b|\bwhat age\b", re.IGNORECASE)


_LATENCY_Q = re.compile(
    r"\b(latency|time to first token|response time|in (ms|milliseconds|seconds)|(start|begin)s? (answering|responding|"
    r"replying)|how (long|quick|quickly|fast) (does|do|did) (it|\w+ mode) take to (answer|respond|reply))\b",
    re.I,
)


_DATE_Q = re.compile(r"^\s*when\b|\bwhat (year|month|date|day)\b|\bwhich (year|month)\b|\bsince when\b", re.I)


_CALENDAR_Q = re.compile(r"\b(?:what|which|on what)\s+(?:date|day)\b", re.I)
# A day of the calendar: a month's name, or a year.
_CALENDAR_A = re.compile(r"\b(?:1[89]\d\d|20\d\d|" + "|".join(MONTH_NAMES) + r")\b", re.I)


_NUMBER_Q = re.compile(
    r"\b(how (much|many|big|large|fast|quick|quickly|far|often|old)|what number|number of|count|score[sd]?|scoring|"
    r"elo|rank(ed|ing)?|size|parameters?|budget|figures?|numbers?)\b",
    re.IGNORECASE,
)


# "how much did HBM prices go up": a change, which articles give as a share as often as an amount.
_CHANGE_Q = re.compile(
    r"\bhow much (?:[\w'’-]+\s+){0,6}?(?:go(?:es)?|went|gone|goes) (?:up|down)\b"
    r"|\bhow much (?:[\w'’-]+\s+){0,6}?(?:rise|rose|risen|increase[sd]?|grow|grew|grown|jump(?:ed)?|climb(?:ed)?|"
    r"fall|fell|fallen|drop(?:ped)?|decline[sd]?|gain(?:ed)?|slip(?:ped)?)\b",
    re.IGNORECASE,
)


_MONEY_A = re.compile(r"[$€£¥]\s?\d|\d\s?(dollars|usd|euros?|pounds)\b", re.IGNORECASE)


# The price of nothing: "free", "costs nothing", "at no cost". It answers "what does it cost", not a rate
# ("per million tokens"), which a free product does not have.
_FREE_A = re.compile(r"\bfree\b|\bcosts? nothing\b|\b(at )?no (extra )?(cost|charge)\b", re.IGNORECASE)


_RATE_Q = re.compile(r"\bper (million|thousand|\w*token|request|query|queries|call|seat|user)s?\b", re.IGNORECASE)


_DURATION_A = re.compile(
    r"\b(\d+(\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few)"
    r"[\s-]+(seconds?|minutes?|hours?|days?|weeks?|months?|years?|quarters?)\b",
    re.IGNORECASE,
)


# "31 years old", "a 31-year-old", "aged 31", "age 31", "Nadia Forsberg, 31, said", "Lena Okafor, 41, an
# associate professor" are ages.
_AGE_A = re.compile(
    r"\b\d+[\s-]*years?[\s-]*old\b|\baged? \d+\b|\b[A-Z][a-z]+,? \(?\d{2}\)?,? (?:who|joined|is|was|said)\b"
    r"|\b[A-Z][a-z]+, \d{2}, (?:an?|the|now)\s"
    r"|\b(?:was|is|were|turned)\s+(?:just\s+)?\d{1,2}\s+(?:when|at the time|as|and)\b",  # "He was 28 when he joined"
    re.IGNORECASE,
)
# "Wang, who is 28, now runs …", "director Ramon Dizon-Ocampo, 44, said …": a person's age beside the name, where
# no other figure follows at once (a list of scores: "Muse Spark, 52, GPT-5.4, 57").
_AGE_BESIDE_A = re.compile(
    r"\bwho (?:is|was|turns|turned) (?:now |just )?\d{1,2}(?=\s*[,;)]|\s+(?:and|but|when)\b|\.(?:\s|$))"
    r"|(?-i:\b[A-Z][a-z]+ [A-Z][a-z]+(?:-[A-Z][a-z]+)?), \d{2}, (?![^.;]{0,20}\d)",
    re.IGNORECASE,
)


def _ages_beside(sentence: str) -> list[re.Match[str]]:
    """The ages beside a name (`_AGE_BESIDE_A`) with no figure just before them either ("…, 52, Heron Max, 57, …" is
    a list of scores)."""
    return [
        match
        for match in _AGE_BESIDE_A.finditer(sentence)
        if not re.search(r"\d", sentence[max(0, match.start() - 20) : match.start()])
    ]


def _age_beside(sentence: str) -> bool:
    return bool(_ages_beside(sentence))


def _without_ages_beside(text: str) -> str:
    for match in reversed(_ages_beside(text)):
        text = text[: match.start()] + " " + text[match.end() :]
    return text


# "joined at 24" is an age at an event: an answer to "how old was she when she joined", not to "how old is she".
_AGE_AT_A = re.compile(r"\bat (?:the age of )?\d{1,2}\b(?![.,]\d|\s*(?:%|percent|am|pm|p\.m|a\.m))", re.IGNORECASE)


_EVENT_Q = re.compile(r"\b(when|at the time|back then)\b", re.IGNORECASE)


_LATENCY_A = re.compile(r"\d\s*(ms|milliseconds?|seconds?|s)\b", re.IGNORECASE)


# A share in digits or in words: "41%", "per cent", "one in ten", "one-in-five", "two out of three".
_PERCENT_A = re.compile(
    r"\d\s?%|\bper ?cent\b|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine)[\s-](?:in|out[\s-]of)[\s-]"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|a hundred|\d+)\b",
    re.IGNORECASE,
)


_DATE_A = re.compile(
    r"\b(1[89]\d\d|20\d\d|"
    + "|".join(MONTH_NAMES + WEEKDAY_NAMES)
    + r"|yesterday|today|tonight|(last|this|next) (week|month|year|quarter)|(days|weeks|months) (ago|later|after))\b",
    re.I,
)


# A heading that opens on a date ("JULY 25, 2025: A NEW LAB", "April 8 — launch day"): a timeline's entry,
# whose date is that of every sentence under it.
_DATED_HEADING_RE = re.compile(
    r"^\W*(?:(?:" + "|".join(MONTH_NAMES) + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
    r"|\d{1,2}\s+(?:" + "|".join(MONTH_NAMES) + r")(?:\s+(?:19|20)\d\d)?)\b",
    re.IGNORECASE,
)


def dated_heading(heading: str) -> bool:
    """Whether a section heading opens on a calendar date: a timeline entry's."""
    return bool(_DATED_HEADING_RE.match(normalize_text(heading)))


_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how is are was were do does did can could".split()
)


@dataclass(frozen=True, slots=True)
class QuestionShape:
    terms: tuple[str, ...]  # content tokens of the question
    kind: str  # "age", "latency", "date", "weight", "duration", "money", "percent", "number" or "text"
    counted: tuple[str, ...] = ()  # for "how many X": the tokens of X, which the answer must mention
    rate: bool = False  # a price per unit ("per million tokens"): "free" does not state it
    calendar: bool = False  # "what date …", "which day …": a day of the calendar, not "two months later"

    @property
    def wants_number(self) -> bool:
        return self.kind not in {"text", "date"}

    @property
    def wants_date(self) -> bool:
        return self.kind == "date"


_DESCRIBE_Q = re.compile(r"^\W*(what|who|which|why|how|explain|describe|define|tell|is|are|does|do|can)\b", re.I)


_HOW_MANY_Q = re.compile(r"\bhow many\b(?!\s+(?:dollars|euros|pounds|usd|cents)\b)", re.IGNORECASE)


# The thing a question asks about, said as a noun: "what's the die size of …", "what elo did … get", "X's
# knowledge cutoff date", "battery life of …". A sentence that says none of its words (or a neighbour of one)
# states something else about the subject, whatever value it holds.
_COPULA = r"^\W*(?:what|which)(?:'s|s|\s+is|\s+was|\s+are|\s+were)\s+"
_HOW_COPULA = r"^\W*how\s+(?:long|big|large|wide|tall|heavy|fast|high)\s+(?:is|was|are|were)\s+"
_HEAD_RES = (
    # "what's the die size of the mtia 300", "what is the context window in contemplating mode"
    re.compile(
        _COPULA + r"(?:the|a|an)\s+(?P<head>[a-z][a-z0-9-]*(?:\s+[a-z][a-z0-9-]*){0,2}?)\s+(?:of|for|on|in|at)\b"
    ),
    # "what was grok 4 heavy's hallucination rate", "what is meta's annual serving bill for llama 4"
    re.compile(
        _COPULA + r".*?[a-z0-9](?:'s|s')\s+(?P<head>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,2}?)"
        r"\s*(?:\?|$|\s+(?:on|in|for|at|of)\b)"
    ),
    # "how long is muse spark's context window", "how big is the context window of orbit 2.5"
    re.compile(_HOW_COPULA + r".*?[a-z0-9](?:'s|s')\s+(?P<head>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,2}?)\s*(?:\?|$)"),
    re.compile(
        _HOW_COPULA + r"(?:the|a|an)\s+(?P<head>[a-z][a-z0-9-]*(?:\s+[a-z][a-z0-9-]*){0,2}?)\s+(?:of|for|on|in)\b"
    ),
)
# Words that say what kind of value is wanted rather than what it is of: the value itself says them.
_KIND_WORDS = frozenset(
    "share percentage percent fraction proportion price prices cost costs amount total count age year years month "
    "months week weeks time day days date dates name names place kind sort type way ways role roles job jobs title "
    "titles position positions".split()
)


def asked_head(question: str) -> frozenset[str]:
    """The words of what a question asks about (lower case), when it says it as a noun; "how many", "how much",
    "when", "who" and "where" questions name their thing otherwise."""
    text = normalize_text(question).lower().replace("’", "'")
    if re.match(r"^\W*(?:when|who|whom|whose|where|why)\b", text) or re.search(r"\bhow (?:many|much)\b", text):
        return frozenset()
    if re.match(r"^\W*how\b", text) and not re.match(_HOW_COPULA, text):
        return frozenset()  # "how long did it take": the value answers; "how long is X's context window" names it
    for pattern in _HEAD_RES:
        match = pattern.search(text)
        if match:
            words = match.group("head").split()
            if words[-1] in _KIND_WORDS:
                return frozenset()  # "previous job", "launch date": the value says what kind it is
            return frozenset(words)
    return frozenset()


def read_question_shape(question: str, *, named_benchmark: bool = False) -> QuestionShape:
    """What kind of answer the question asks for: an amount, a duration, a date, a number, or words.

    A question that names a benchmark without asking a question word ("muse spark gpqa diamond") is after
    a score.
    """
    text = normalize_text(question)
    terms = tuple(dict.fromkeys(t for t in tokenize(text) if t not in _QUESTION_WORDS))
    kind = "text"
    for name, pattern in (
        ("age", _AGE_Q), ("latency", _LATENCY_Q), ("date", _DATE_Q), ("weight", _WEIGHT_Q), ("duration", _DURATION_Q),
        ("money", _MONEY_Q), ("percent", _PERCENT_Q), ("number", _NUMBER_Q),
    ):  # fmt: skip
        if pattern.search(text):
            kind = name
            break
    if kind == "duration" and re.match(r"^\W*how long\b", text) and asked_head(text):
        kind = "number"  # "how long is muse spark's context window": a size, not a time
    if kind == "money" and _SHARE_Q.search(text):
        kind = "percent"  # "what minimum share of reserved demand do customers pay for": a share, not an amount
    if kind == "money" and _POINTS_Q.search(text):
        kind = "number"  # "what spread is it priced at": points over a rate
    if kind == "money" and _CHANGE_Q.search(text):
        kind = "number"  # "how much did prices go up": by a share or by an amount
    if kind == "money" and _HOW_MANY_Q.search(text):
        kind = "number"  # "how many paying subscribers": a count of payers, not an amount
    if kind == "age" and _EVENT_Q.search(text):
        kind = "age_at"
    if kind == "text" and named_benchmark and not _DESCRIBE_Q.search(text):
        kind = "number"  # "gemini 3.1 pro screenspot pro without tools": a score is what is asked
    return QuestionShape(
        terms=terms, kind=kind, counted=read_counted_thing(text), rate=bool(_RATE_Q.search(text)),
        calendar=kind == "date" and bool(_CALENDAR_Q.search(text)),
    )  # fmt: skip


# Words that end the noun phrase after "how many" / "how much": auxiliaries, most prepositions ("of"
# continues it: "tokens of training data") and the verbs a count's subject most often takes ("how many
# people use whatsapp").
_PHRASE_END = frozenset(
    "did does do is are was were has have had will would can could should may might for in on at to from by with "
    "since per during after before about into over under use uses work works live lives own owns visit visits "
    "get gets got".split()
)


MAX_COUNTED_WORDS = 3


def read_counted_thing(question: str) -> tuple[str, ...]:
    """The search tokens of what a "how many/much X" question counts: ("output", "token") for
    "how many output tokens did it use"; () when the question does not say (e.g. "how much did Meta pay")."""
    # "how many agents …" and "the number of agents …" ask the same.
    match = re.search(r"\b(?:how (?:many|much)|number of|count of)\s+(.*)", question, re.IGNORECASE)
    if not match or re.match(r"times\b", match.group(1), re.IGNORECASE):
        return ()  # "how many times has it been downloaded" counts the downloads, not "times"
    words: list[str] = []
    for word in re.findall(r"[\w.%$-]+", match.group(1)):
        if word.lower() in _PHRASE_END or len(words) >= MAX_COUNTED_WORDS + (2 if "of" in words else 0):
            # "how many people use it" counts its users; "how many people work there", its workers.
            if words and words[-1] in _PERSONS and word.lower() in _AGENT_NOUNS:
                words.append(_AGENT_NOUNS[word.lower()])
            break
        words.append(word.lower())
    return tuple(dict.fromkeys(tokenize(" ".join(words))))


_PERSONS = frozenset("people ppl persons".split())
_AGENT_NOUNS = {"use": "users", "uses": "users", "work": "workers", "works": "workers", "visit": "visitors",
                "visits": "visitors", "own": "owners", "owns": "owners"}  # fmt: skip


# A day of the month or a year is a date, not the quantity a "how much / how many" question is after.
_DATE_NUMBER_RE = re.compile(
    r"\b(?:"
    + "|".join(MONTH_NAMES)
    + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}\s+(?:"
    + "|".join(MONTH_NAMES)
    + r")\b|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)


def without_dates(text: str) -> str:
    """The text with its days of the month and years blanked: they are no quantities."""
    return _DATE_NUMBER_RE.sub(" ", text)


# "16 agents", "3,400 people strong", "128 routed experts": a number and, within two words after it, a noun.
_COUNT_RE = re.compile(r"(\d+(?:[.,]\d+)*)\s+((?:[\w’'-]+\s+){0,2}?)([\w’'-]+)")


def counted_forms(counted: Sequence[str], terms: Sequence[FocusTerm]) -> frozenset[str]:
    """The tokens that name what a "how many X" question counts: X's own, and the single words that ground
    it or are very close to it ("staff" for "employees")."""
    forms = set(counted)
    for term in terms:
        if any(frozenset({token}) in term.alternatives for token in counted):
            forms.update(next(iter(alt)) for alt in (*term.alternatives, *term.close) if len(alt) == 1)
    return frozenset(forms)


@functools.lru_cache(maxsize=1 << 12)  # pure; read for every sentence of a "how many" question
def numbers_counted(sentence: str, counted: frozenset[str]) -> frozenset[str]:
    """The numbers a sentence says of what a "how many X" question counts (X's tokens), normalised as
    ``values_of_kind`` does: "16" of "up to 16 agents in parallel"."""
    said = set()
    for match in _COUNT_RE.finditer(normalize_text(sentence)):
        words = [*match.group(2).split(), match.group(3)]
        if any(t in counted for w in words for t in tokenize(w)[:1]):
            said.add(re.sub(r"(\.\d*?)0+\b", r"\1", re.sub(r"[^\d.]", "", match.group(1))).rstrip("."))
    return frozenset(said)


# A number that says how much time, what share, what money or how many of some other noun ("nearly two months",
# "rose about 3%", "$2.99", "a 1,000-prompt subset"; not "33% fewer errors"): it counts nothing a "how many X"
# question asks about.
_CLAIMED_RE = re.compile(
    r"(?P<money>[$€£¥]\s?)?(?P<number>\d[\d,.]*|\b(?:" + "|".join(NUMBER_WORDS) + r"))\b"
    r"(?:(?P<share>\s?%|\s+per ?cent\b)(?!\s+(?:fewer|more|less)\b)|-(?P<compound>[a-z]+)\b"
    r"|\s+(?P<unit>seconds?|minutes?|hours?|days?|weeks?|months?|years?|quarters?|times)\b)?",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1 << 12)  # pure; read for every candidate of a "how many" question
def counts_only_other(sentence: str, counted: frozenset[str]) -> bool:
    """Whether every number a sentence states counts something other than X (its tokens ``counted``): time,
    a share, money or a noun of its own. A sentence with a plain number ("nine members") may count X."""
    text = _without_non_quantities(normalize_text(sentence))
    found = False
    for match in _CLAIMED_RE.finditer(text):
        found = True
        noun = match.group("compound") or match.group("unit")
        if noun and not set(tokenize(noun)) & counted:
            continue  # "two months", "a 1,000-prompt subset": time or another noun, unless it is X
        if not noun and (match.group("money") or match.group("share")):
            continue
        return False
    return found


# "has not published", "declined to say", "has yet to disclose": a sentence saying a value is not given.
WITHHELD_RE = re.compile(
    r"\b(?:has|have|had|is|are|was|were)\s+(?:not|n[o’']t)\s+(?:yet\s+|publicly\s+)?(?:published|disclosed|released|"
    r"revealed|announced|given|shared|reported|confirmed|provided|made public|put out|said)\b"
    r"|\b(?:did|does|do|would|will)\s+(?:not|n[o’']t)\s+(?:say|disclose|reveal|give|share|confirm|provide|publish)\b"
    r"|\bdeclined\s+to\s+(?:say|comment|disclose|give|share|confirm)\b|\b(?:has|have)\s+yet\s+to\b"
    r"|\bundisclosed\b|\bleaves?\s+(?:that|the)\s+cell\s+empty\b"
    r"|\b(?:has|have|had)\s+(?:announced|published|disclosed|given|released|set)\s+no\b"
    r"|\b(?:has|have|had)\s+no\s+[^.;:]{0,60}?\b(?:figures?|scores?|results?|numbers?)\s+(?:in|on|for|yet)\b",
    re.IGNORECASE,
)


# The version in a name ("Gemini 3.1", "GPT-5.4", "Terminal-Bench 2.0") counts nothing.
_NAME_VERSION_RE = re.compile(r"\b[A-Z][\w]*[- ]v?\d+(?:\.\d+)*(?![\d.,]*\s?(?:%|percent|billion|million|GW|MW))\b")


def without_name_versions(text: str) -> str:
    """The text with the versions in its names blanked ("ARC-AGI-2", "Gemini 3.1"): they state no value."""
    return _NAME_VERSION_RE.sub(" ", text)


def names_new_version(sentence: str, question: str) -> bool:
    """Whether a sentence names something with a version the question does not ("Gemini 3 Flash", "Llama 3.1"
    for "which gemini model …", "which llama version …")."""
    asked = set(numbers_in(question))
    return any(set(numbers_in(name)) - asked for name in _NAME_VERSION_RE.findall(normalize_text(sentence)))


def _without_non_quantities(text: str) -> str:
    """The text with the numbers that count nothing blanked: versions of names, days and years, ages."""
    return _without_ages_beside(_AGE_A.sub(" ", _DATE_NUMBER_RE.sub(" ", without_name_versions(text))))


def has_quantity(sentence: str) -> bool:
    """Whether a sentence states a count or amount: a number that is no day, year or age ("Lena Duarte, 41,
    an engineer" counts no engineers)."""
    if numbers_in(_without_non_quantities(sentence)):
        return True
    words = set(re.findall(r"[a-z]+", sentence.lower()))
    return bool(words & NUMBER_WORDS.keys())


def has_date(sentence: str) -> bool:
    return bool(_DATE_A.search(sentence))


_HYPOTHETICAL_RE = re.compile(r"\W*(?:if|unless|should)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 14)  # pure; a passage's sentences are read again by every question it answers
@functools.lru_cache(maxsize=1 << 13)  # pure; read for every answer unit of every question
def holds_kind(sentence: str, kind: str, *, rate: bool = False, calendar: bool = False) -> bool:
    """Whether a sentence states the kind of value a question asks for (``rate``: a price per unit;
    ``calendar``: a date on the calendar, not one relative to something else)."""
    if kind == "date" and _HYPOTHETICAL_RE.match(sentence):
        return False  # "If GPT-5.5 launches in April, …": a date supposed, not one that happened
    if kind == "date" and calendar:
        return bool(_CALENDAR_A.search(sentence))
    if kind == "money" and not rate and _FREE_A.search(sentence):
        return True
    if kind == "age":
        return bool(_AGE_A.search(sentence) or _age_beside(sentence))
    if kind == "age_at":
        return bool(_AGE_A.search(sentence) or _age_beside(sentence) or _AGE_AT_A.search(sentence))
    if kind == "latency":
        return bool(_LATENCY_A.search(sentence))
    if kind == "money":
        return bool(_MONEY_A.search(sentence))
    if kind == "weight":
        return bool(_WEIGHT_A.search(sentence))
    if kind == "duration":
        return bool(_DURATION_A.search(sentence))
    if kind == "percent":
        return bool(_PERCENT_A.search(sentence))
    if kind == "date":
        return has_date(sentence)
    if kind == "number":
        return has_quantity(sentence)
    return True


# Numbers of a kind, for telling whether two sentences state different values of one quantity.
_MONEY_VALUE_RE = re.compile(r"[$€£¥]\s?\d[\d,.]*(?:\s?(?:million|billion|trillion|[MBK]\b))?", re.IGNORECASE)


_PERCENT_VALUE_RE = re.compile(r"\d[\d,.]*\s?(?:%|per ?cent\b)", re.IGNORECASE)


def values_of_kind(sentence: str, kind: str, ignore: set[str]) -> frozenset[str]:
    """The values of the asked-for kind a sentence states, normalised ("$2.50" and "$2.5" meet)."""
    return frozenset(values_as_written(sentence, kind, ignore))


def values_as_written(sentence: str, kind: str, ignore: set[str]) -> dict[str, str]:
    """`values_of_kind`, each with the first way the sentence writes it ("52000" -> "52,000"): what an answer
    quotes must be what its source says."""
    text = normalize_text(sentence)
    if kind == "money":
        raw = _MONEY_VALUE_RE.findall(text)
    elif kind == "percent":
        raw = _PERCENT_VALUE_RE.findall(text)
    elif kind == "date":
        raw = [m.group(0) for m in _DATE_A.finditer(text)]
    elif kind == "weight":
        weights: dict[str, str] = {}
        for match in _WEIGHT_A.finditer(text):
            number = re.sub(r"(\.\d*?)0+$", r"\1", match.group("number").replace(",", "")).rstrip(".")
            if number not in ignore:  # "66 g" and "66 grams" meet; "66 oz" is another weight
                unit = match.group("unit").lower()
                weights.setdefault(f"{number}{_WEIGHT_UNITS.get(unit[:2], unit)}", match.group(0).strip())
        return weights
    elif kind in {"number", "duration", "age", "age_at", "latency"}:
        raw = numbers_in(text)
    else:
        return {}
    values: dict[str, str] = {}
    for value in raw:
        key = re.sub(r"[\s,]", "", value.lower()).replace("percent", "%").replace("percent", "%")
        number = re.sub(r"[^\d.]", "", key)
        if number in ignore or not key:
            continue
        values.setdefault(re.sub(r"(\.\d*?)0+\b", r"\1", key).rstrip("."), value.strip())
    return values
