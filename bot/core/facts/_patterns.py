"""The prose grammar's vocabulary: numbers and units, what makes a number not a score, and the shapes that tie
a value to a model or a benchmark.

The patterns run over a *shadow* of the sentence in which every model, benchmark and qualifier mention is
overwritten by a marker character, so "GPT-5.4 (40.1)" reads as ``MODEL_MARK… (40.1)`` whatever the name.
"""

from __future__ import annotations

import re


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


NUMBER_RE = re.compile(r"(?<![\w.,$€£¥/\-+−])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d,]\d)")
UNIT_AFTER_RE = re.compile(
    r"\s?(?P<pct>%)|\s?(?P<percent>percent)\b|\s?(?P<elo>Elo|ELO|elo)\b|\s(?P<points>points|point|pts)\b"
    r"|(?P<mag1>\s?[MBK])(?![\w])|\s(?P<mag2>million|billion|thousand)\b"
)
MAGNITUDES = {"m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9, "k": 1e3, "thousand": 1e3}
TOKENS_AFTER_RE = re.compile(r"^\s+(?:(?P<kind>output|input|reasoning|thinking|total|completion|prompt)\s+)?tokens\b")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"  # noqa: E501
DATE_BEFORE_RE = re.compile(rf"(?:\b(?:{_MONTHS})\.?|\b(?:in|since|by|from|until|of|early|late|mid)|Q[1-4])\s+$")
DIFFERENCE_BEFORE_RE = re.compile(
    r"(?:\bby|\bby\s+(?:a|about|around|roughly|nearly|almost|some|just|only|less than|more than)|\bup|\bdown|[+±])\s*$"
)
DIFFERENCE_AFTER_RE = re.compile(
    r"^\s*(?:points?\s+|pts\s+|percentage\s+points?\s+|%\s+)?"
    r"(?:more|fewer|higher|lower|less|ahead|behind|better|worse|above|below|gap|lead|margin|advantage|difference|"
    r"clear|short|improvement|drop|gain)\b"
)
# Words that may follow a score (after its unit); any other word makes the number something else (a count).
NEXT_WORDS = word_set(
    """on in at and or but while with without to vs versus compared against ahead behind trails trailing trail
    beats beating beat tops topping leads leading lead for from across overall this that which whereas than
    score scores sits places placing puts putting makes making ranks ranking as is was were are marks mark
    mean average respectively put edges edging outscoring outscores follows followed correctly"""
)
_COMPOUND_VERBS = (
    r"trails|trailed|lags|lagged|follows|followed|sits|sat|comes in|came in|lands|landed|finishes|finished|is|was|"
    r"ranks|ranked"
)
# "<model> scores 42.8": the verb (and small words) between a model and its value.
_VERBS = (
    r"scores|scored|scoring|achieves|achieved|achieving|posts|posted|posting|reaches|reached|reaching|hits|hit|"
    r"gets|got|earns|earned|earning|records|recorded|logs|logged|notches|notched|manages|managed|registers|"
    r"registered|attains|attained|obtains|obtained|secures|secured|delivers|delivered|leads with|led with|"
    r"tops out at|topped out at|clocks in at|clocked in at|answers|answered|solves|solved|"
    rf"(?:{_COMPOUND_VERBS}) (?:at|with)"
)
_COUNT_VERBS = r"used|uses|using|consumed|consumes|consuming|needed|needs|required|requires|generated|generates|spent"
_ADVERBS = r"(?:(?:also|only|just|still|now|reportedly|then|roughly|about|around|nearly|approximately|a)\s+)*"
MODEL_MARK = "\ue000"  # model span
BENCH_MARK = "\ue001"  # benchmark span
QUALIFIER_MARK = "\ue002"  # qualifier span
VERB_BEFORE_RE = re.compile(
    rf"{MODEL_MARK}+(?:\s*\([^()]{{0,40}}\))?(?:\s*{QUALIFIER_MARK}+)?,?\s+{_ADVERBS}(?:{_VERBS})\s+{_ADVERBS}$"
)
AT_BEFORE_RE = re.compile(rf"{MODEL_MARK}+\s*(?:{QUALIFIER_MARK}+\s*)?(?:at|with)\s+$")  # "GPT-5.4 at 75.1"
LIST_BEFORE_RE = re.compile(rf"{MODEL_MARK}+\s*(?::|—|-|=)\s*$")  # "GPT-5.4: 57"
COUNT_VERB_BEFORE_RE = re.compile(rf"{MODEL_MARK}+,?\s+{_ADVERBS}(?:{_COUNT_VERBS})\s+{_ADVERBS}$")
# "<owner's> HLE score climbs to 50.4%": a level reached, not the change ("climbs by 8 points" is a difference).
_SCORE_MOVES = (
    rf"(?:{BENCH_MARK}+\s+)?(?:score|result|mark)\s+{_ADVERBS}"
    r"(?:climbs|climbed|rises|rose|jumps|jumped|improves|improved|increases|increased|goes|went|falls|fell|drops|"
    rf"dropped|reaches|reached)\s+to\s+{_ADVERBS}"
)
POSSESSIVE_BEFORE_RE = re.compile(rf"{MODEL_MARK}+'s\s+(?:(?:score|result|mark|tally)\s+of\s+|{_SCORE_MOVES})?$")
PAREN_BEFORE_RE = re.compile(rf"{MODEL_MARK}+(?:\s*{QUALIFIER_MARK}+)?\s*\(\s*(?:(?:score|scores|result)\s*[:=]?\s*)?$")
LEADS_BEFORE_RE = re.compile(
    rf"{MODEL_MARK}+\s+(?:leads|led|tops|topped|wins|won|heads|headed)\s+(?:on\s+)?(?:the\s+)?{BENCH_MARK}+\s+(?:at|with)\s+$"
)
PAREN_AFTER_RE = re.compile(rf"^\s*(?:,?\s*{QUALIFIER_MARK}+)?\s*\)")
FOR_MODEL_AFTER_RE = re.compile(rf"^\s+(?:for|from)\s+{MODEL_MARK}")
# Values whose model is the sentence's subject: "scoring 52 on", "a score of", "An 80.5% score on", "X score of 59.0".
SUBJECT_BEFORE_RE = re.compile(
    rf"(?:\b(?:scoring|scores|scored|score|posting|posts|posted|reaching|reached|achieving|achieved)\s+{_ADVERBS}"
    rf"|\b(?:score|result|mark)\s+of\s+{_ADVERBS}|\(\s*(?:score|result)s?\s*[:=]\s*|{BENCH_MARK}+\s*\(\s*(?:score|result)s?\s*[:=]?\s*"
    rf"|\(\s*{BENCH_MARK}+\s*[:=]\s*)$"
)
PRONOUN_VERB_BEFORE_RE = re.compile(rf"\b(?:it|the model|this model)\s+{_ADVERBS}(?:{_VERBS})\s+{_ADVERBS}$", re.I)
PRONOUN_SCORE_BEFORE_RE = re.compile(rf"\b(?:its|the model's)\s+{_SCORE_MOVES}$", re.I)  # "its HLE score climbs to"
# "GPT-5.4 reaches 85.4, Gemini 3.1 Pro 84.4 and Muse Spark 84.1": a list that states the verb once.
GAPPED_ITEM_RE = re.compile(rf"\s*(?:,\s*|;\s*|,?\s+and\s+)({MODEL_MARK}+)\s+")
GAPPED_AFTER_RE = re.compile(r"^\s*(?:[,;.)]|and\b|or\b|$)")
SUBJECT_AFTER_SCORE_RE = re.compile(r"^\s*(?:%|percent)?\s+(?:score|result|mark)\b")
BENCH_AFTER_RE = re.compile(
    rf"^\s*(?:{QUALIFIER_MARK}+\s*)?(?:score\s+|result\s+)?(?:on|in|at)\s+(?:the\s+)?(?:[\w-]+\s+)?{BENCH_MARK}"
)
BENCH_BEFORE_RE = re.compile(
    rf"{BENCH_MARK}+\s*(?:{QUALIFIER_MARK}+\s*)?(?:(?:score|result|mark)\s+of\s+{_ADVERBS}|\(\s*(?:score|result)s?\s*[:=]?\s*|[:=]\s*)$"
)
ON_BENCH_LEAD_RE = re.compile(rf"^\s*(?:\w+,\s+)?(?i:on|in|for|across)\s+(?:the\s+)?{BENCH_MARK}")
PRONOUN_START_RE = re.compile(r"^\s*(?:it|its|it's|the model|this model|the new model|that model|meta's model)\b", re.I)


# "Anthropic released …", "OpenAI shipped …": a maker and its verb before the model the paragraph goes on about.
RELEASED_RE = re.compile(
    r"\W*[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,2}\s+(?:has\s+|had\s+)?(?:released|launched|shipped|unveiled|"
    r"introduced|announced|debuted|rolled\s+out)\s+(?:its\s+|the\s+)?"
)


# A benchmark may carry a short description ("on CharXiv Reasoning, a test of reading scientific charts, and 80.4 on").
ON_BENCH_GAP_RE = re.compile(
    rf"\s*(?:on|in)\s+(?:the\s+)?{BENCH_MARK}+\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+"
    rf"|,\s+(?:an?|the)\s+[^,;\d{MODEL_MARK}{BENCH_MARK}{QUALIFIER_MARK}]{{1,80}},\s*(?:and\s+|or\s+)?)"
)
ON_BENCH_AFTER_RE = re.compile(rf"\s*(?:on|in)\s+(?:the\s+)?{BENCH_MARK}")


# A maker, the company or its paper as the subject of a reporting verb right before a value, no model between them;
# or a maker's own figures set out after a colon ("OpenAI's numbers: 82.7% on …").
REPORTED_BEFORE_RE = re.compile(
    rf"(?:^|[.;:]\s+|,\s+)(?:(?:[A-Z][\w&.-]*|{BENCH_MARK}+|[Tt]he (?:company|lab|card|system card|model card|paper))"
    r"\s+(?:also\s+)?(?:reports|reported|lists|listed)\s+"
    rf"|(?:[A-Z][\w&.-]*|{BENCH_MARK}+)'s\s+(?:own\s+)?(?:numbers|figures|scores|results):\s+)$"
)  # a capitalised word may have been read as a benchmark's name ("Meta")
