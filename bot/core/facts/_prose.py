"""Scores stated in sentences: a number becomes a fact only when the text ties it to a model and a benchmark.

Ties are read on the sentence's shadow (see ``_patterns``): ``GPT-5.4 (40.1)``, ``Muse Spark's 1,444``, ``Muse
Spark scores 42.8``, ``on HealthBench Hard``, ``A Terminal-Bench 2.0 score of``, the benchmark of the sentence
before in the same paragraph. Differences, multiples, money, years, shares and counts are never scores. Token
counts become their own measure, "<benchmark> output tokens".
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.facts._layout import Layout, Normalized, Paragraph, sentence_spans
from bot.core.facts._mentions import (
    Mention,
    ModelMatcher,
    benchmark_of_heading,
    benchmark_runs,
    model_of_heading,
    plain_text,
    qualifier_spans,
)
from bot.core.facts._patterns import (
    AT_BEFORE_RE,
    BENCH_AFTER_RE,
    BENCH_BEFORE_RE,
    BENCH_MARK,
    COUNT_VERB_BEFORE_RE,
    DATE_BEFORE_RE,
    DIFFERENCE_AFTER_RE,
    DIFFERENCE_BEFORE_RE,
    FOR_MODEL_AFTER_RE,
    GAPPED_AFTER_RE,
    GAPPED_ITEM_RE,
    LEADS_BEFORE_RE,
    LIST_BEFORE_RE,
    MAGNITUDES,
    MODEL_MARK,
    NEXT_WORDS,
    NUMBER_RE,
    ON_BENCH_AFTER_RE,
    ON_BENCH_GAP_RE,
    ON_BENCH_LEAD_RE,
    PAREN_AFTER_RE,
    PAREN_BEFORE_RE,
    POSSESSIVE_BEFORE_RE,
    PRONOUN_SCORE_BEFORE_RE,
    PRONOUN_START_RE,
    PRONOUN_VERB_BEFORE_RE,
    QUALIFIER_MARK,
    RELEASED_RE,
    REPORTED_BEFORE_RE,
    SUBJECT_AFTER_SCORE_RE,
    SUBJECT_BEFORE_RE,
    TOKENS_AFTER_RE,
    UNIT_AFTER_RE,
    VERB_BEFORE_RE,
)
from bot.core.facts._raw import RawFact
from bot.core.names import BENCHMARK, MODEL, name_key


@dataclass(slots=True)
class _Context:
    benchmark: str | None = None
    benchmark_from: int | None = None  # paragraph offset of the sentence that named it
    heading_benchmark: str | None = None
    subject: str | None = None
    subject_from: int | None = None


@dataclass(slots=True)
class _Value:
    start: int
    end: int  # end of the number and its unit
    number: str
    value: float
    unit: str
    magnitude: bool
    value_text: str
    model: str | None = None
    benchmark: str | None = None
    needs_subject: bool = False
    pronoun: bool = False  # the subject is "it"/"its": the model the paragraph (or the article) is about
    reported: bool = False  # "Meta reports 72.2 on ScreenSpot Pro": a maker's figure for the paragraph's model
    qualifier: str = ""
    tokens_kind: str | None = None  # "output" etc. when the value counts tokens


def facts_from_prose(article_id: str, layout: Layout, matcher: ModelMatcher, primary: str | None) -> list[RawFact]:
    facts: list[RawFact] = []
    modes, acronyms = _article_terms(layout, matcher)
    for paragraph in layout.paragraphs:
        heading_model = model_of_heading(paragraph.heading, matcher) if paragraph.heading else None
        # Under a heading that is a benchmark's name ("ARC-AGI-2"), the paragraph's scores are on it until a
        # sentence names another.
        heading_bench = benchmark_of_heading(paragraph.heading, matcher, acronyms) if paragraph.heading else None
        context = _Context(benchmark=heading_bench, heading_benchmark=heading_bench)
        for start, end in sentence_spans(paragraph.text):
            sentence = paragraph.text[start:end]
            facts.extend(
                _facts_from_sentence(
                    article_id,
                    paragraph,
                    start,
                    sentence,
                    matcher,
                    context,
                    heading_model or primary,
                    modes,
                    acronyms,
                    heading_model,
                )
            )
    return facts


def _article_terms(layout: Layout, matcher: ModelMatcher) -> tuple[dict[str, str | None], dict[str, str]]:
    """What the article defines once for all its sentences: the modes it names ("in Contemplating mode"), each with
    the model it names in that mode ("Muse Spark in Contemplating mode", None when no one model is), and the
    acronyms it defines for benchmarks ("Humanity's Last Exam (HLE)")."""
    owners: dict[str, set[str]] = {}
    acronyms: dict[str, str] = {}
    for paragraph in layout.paragraphs:
        if " mode" not in paragraph.text and "(" not in paragraph.text:
            continue
        text = Normalized(paragraph.text).text
        spans = matcher.find(text)
        qualifiers = qualifier_spans(text, spans)
        if "(" in text:
            benchmark_runs(text, spans + [(q.start, q.end) for q in qualifiers], acronyms)  # notes the acronyms
        for qualifier in qualifiers:
            if not qualifier.text.endswith(" mode"):
                continue
            name = qualifier.text[: -len(" mode")]
            owner = owners.setdefault(name, set())
            owner.update(text[s:e] for s, e in spans if e <= qualifier.start and not text[e : qualifier.start].strip())
    modes = {name: next(iter(models)) if len({name_key(m) for m in models}) == 1 else None
             for name, models in owners.items()}  # fmt: skip
    return modes, acronyms


def _mode_mentions(text: str, taken: list[tuple[int, int]], modes: Mapping[str, str | None], fallback: str | None
                   ) -> list[Mention]:  # fmt: skip
    """ "Contemplating scores 38%": a mode named alone stands for its model in that mode."""
    found = []
    for name, owner in modes.items():
        model = owner or fallback
        if not model or not name[:1].isupper():
            continue
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])(?!\s+mode\b)", text):
            if all(match.end() <= s or match.start() >= e for s, e in taken):
                found.append(Mention(match.start(), match.end(), model, MODEL, qualifier=f"{name} mode"))
    return found


def _facts_from_sentence(
    article_id: str,
    paragraph: Paragraph,
    offset: int,
    sentence: str,
    matcher: ModelMatcher,
    context: _Context,
    fallback_model: str | None,
    modes: Mapping[str, str | None],
    acronyms: Mapping[str, str],
    heading_model: str | None = None,
) -> list[RawFact]:
    norm = Normalized(sentence)
    text = norm.text
    model_spans = matcher.find(text)
    models = [Mention(s, e, plain_text(norm.original_span(s, e)), MODEL) for s, e in model_spans]
    qualifiers = qualifier_spans(text, model_spans)
    models = sorted(
        models + _mode_mentions(text, model_spans + [(q.start, q.end) for q in qualifiers], modes, fallback_model),
        key=lambda m: m.start,
    )
    model_spans = [(m.start, m.end) for m in models]
    taken = model_spans + [(q.start, q.end) for q in qualifiers]
    benches = []
    for b in benchmark_runs(text, taken):
        name = plain_text(norm.original_span(b.start, b.end))
        benches.append(Mention(b.start, b.end, acronyms.get(name, name), BENCHMARK, b.strong))
    masked = list(text)
    for mentions, mark in ((models, MODEL_MARK), (benches, BENCH_MARK), (qualifiers, QUALIFIER_MARK)):
        for mention in mentions:
            masked[mention.start : mention.end] = mark * (mention.end - mention.start)
    shadow = "".join(masked)

    values = _values_in(shadow, text)
    is_pronoun_start = bool(PRONOUN_START_RE.match(text))
    attached: set[int] = set()
    for value in values:
        _attach_model(value, shadow, models, attached)
    if values and values[0].reported and shadow[: values[0].start].rstrip().endswith(":"):
        for value in values[1:]:  # "OpenAI's numbers: 82.7% on …, against 69.4% for Opus 4.7, and 85.0% on …"
            if value.model is None and not re.match(r"\s+(?:for|by|from)\b", shadow[value.end :]):
                value.reported = value.needs_subject = True
    for previous, value in itertools.pairwise(values):
        # "GPT-5.4 reaches 85.4, Gemini 3.1 Pro 84.4 and Muse Spark 84.1": a list that states its verb once. Each item
        # follows a scored one directly and has its unit.
        if value.model is None and previous.model and value.unit == previous.unit:
            match = GAPPED_ITEM_RE.fullmatch(shadow[previous.end : value.start])
            index = _model_at(previous.end + match.start(1), models) if match else None
            if index is not None and GAPPED_AFTER_RE.match(shadow[value.end :]):
                value.model, value.needs_subject = models[index].text, False
                value.qualifier = models[index].qualifier
                attached.add(index)
    for previous, value in itertools.pairwise(values):
        # "scored 31.2% without tools and 47.5% with tools": the second value is the same model's, in another setting.
        if value.model is None and not value.needs_subject and previous.model:
            gap = shadow[previous.end : value.start]
            after = shadow[value.end : value.end + 40]
            if re.fullmatch(rf"\s*(?:{QUALIFIER_MARK}+\s*)?,?\s*(?:and|or)\s+", gap) and (
                QUALIFIER_MARK in gap or re.match(rf"\s*{QUALIFIER_MARK}", after)
            ):
                value.model = previous.model
            else:
                _same_model_on_next_benchmark(previous, value, shadow)
    unattached = [m for i, m in enumerate(models) if i not in attached]
    subject = models[0] if models and _is_subject_position(shadow, text, models[0]) else None
    strong_benches = [b for b in benches if b.strong]
    lead = ON_BENCH_LEAD_RE.match(shadow)
    lead_bench = next((b for b in benches if lead and b.start < lead.end() <= b.end), None)

    for at, value in enumerate(values):
        floor = values[at - 1].end if at else None
        _attach_benchmark(value, shadow, benches, strong_benches, lead_bench, floor=floor)
        if value.model is None and value.needs_subject:
            distinct = {name_key(m.text): m.text for m in unattached}
            if len(distinct) > 1:  # several candidates: only the sentence's subject, named before the value
                window = _subject_window(text)
                distinct = {name_key(m.text): m.text for m in unattached if m.end <= value.start and m.start <= window}
                if len(distinct) != 1:
                    continue
            first_value = values[0].start
            named_after = value.pronoun and (
                is_pronoun_start or all(m.start >= min(value.start, first_value) for m in unattached)
            )
            if len(distinct) == 1 and named_after and context.subject:
                # "it reached 64.3%, ahead of GPT-5.5", "It is … since GPT-4.5, and it posted 82.7%": "it" is the
                # model the paragraph is about; one named after a value, or in a sentence that opens on "it", is
                # what it is measured against.
                value.model = context.subject
            elif len(distinct) == 1 and not named_after:
                value.model = next(iter(distinct.values()))
            elif value.pronoun and subject is not None and subject.end <= value.start:
                value.model = subject.text  # "Muse Spark scores 50.4% with tools, while without them it scores 39.9%"
            elif (is_pronoun_start or value.pronoun or value.reported) and context.subject:
                value.model = context.subject  # "Muse Spark is at its best on images. Meta reports 72.2 on …"
            elif value.reported and heading_model and value.benchmark:
                value.model = heading_model  # under "APRIL 16: CLAUDE OPUS 4.7", "Anthropic reports 64.3% on …"
            elif value.pronoun and fallback_model and value.benchmark:
                # "On Cybench, …, it solves 65.4%": "it" with no model named before is the one the article is about.
                value.model = fallback_model
            elif fallback_model and attached and value.benchmark:
                # "A Terminal-Bench 2.0 score of 59.0 trails GPT-5.4 (75.1)": a comparison whose unnamed side is the
                # model the section or the article is about (only with the benchmark named in the sentence).
                value.model = fallback_model

    for previous, value in itertools.pairwise(values):
        # "it posted 82.7% on Terminal-Bench 2.0 and 58.6% on SWE-Bench Pro": once "it" is read, its next score too.
        if value.model is None and previous.model:
            _same_model_on_next_benchmark(previous, value, shadow)

    # Token counts: "58 million output tokens to complete the full Intelligence Index evaluation".
    token_values = [v for v in values if v.tokens_kind is not None]
    if token_values:
        kind = token_values[0].tokens_kind
        named = {name_key(b.text): b.text for b in strong_benches}
        base = next(iter(named.values())) if len(named) == 1 else (context.benchmark if not named else None)
        for value in values:
            value.benchmark = None
            if base and value.magnitude and value.model:
                value.benchmark = f"{base} {kind} tokens".replace("  ", " ") if kind else f"{base} tokens"
                value.unit = "tokens"
    else:
        for value in values:
            if value.magnitude:
                value.model = None  # millions/billions outside a token count: money, users, parameters

    _assign_qualifiers(values, qualifiers, text, shadow, subject.text if subject else None)
    _inherit_units(values)

    sentence_benchmarks = {name_key(b.text) for b in strong_benches}
    used_context = False
    facts: list[RawFact] = []
    for value in values:
        if value.model is None:
            continue
        benchmark = value.benchmark
        if benchmark is None and not sentence_benchmarks and context.benchmark:
            benchmark = context.benchmark
            used_context = True
        if benchmark is None:
            continue
        sentence_text = norm.original_span(0, len(text))
        parts = (sentence_text,)
        if used_context and context.benchmark_from is not None:
            parts = (paragraph.text[context.benchmark_from : offset + len(sentence)],)
        elif (
            value.needs_subject
            and context.subject_from is not None
            and (is_pronoun_start or value.pronoun)
            and value.model == context.subject
        ):
            parts = (paragraph.text[context.subject_from : offset + len(sentence)],)
        facts.append(
            RawFact(
                benchmark=benchmark,
                model=value.model,
                value_text=norm.original_span(value.start, value.start + len(value.value_text)),
                value=value.value,
                unit=value.unit,
                qualifier=value.qualifier,
                article_id=article_id,
                parts=parts,
                fallback=(sentence_text,),
                position=paragraph.position + offset + value.start,
            )
        )

    # Context for the next sentences of the paragraph.
    named_here = {name_key(b.text): b.text for b in strong_benches}
    heading_bench = context.heading_benchmark
    if lead_bench is not None:
        context.benchmark, context.benchmark_from = lead_bench.text, offset
    elif len(named_here) == 1:
        context.benchmark, context.benchmark_from = next(iter(named_here.values())), offset
    elif len(named_here) > 1:
        context.benchmark, context.benchmark_from = None, None
    if heading_bench is not None and (
        context.benchmark is None
        or name_key(heading_bench) in named_here
        or name_key(heading_bench).startswith(name_key(context.benchmark) + " ")
    ):
        context.benchmark = heading_bench  # under "HealthBench Hard", "HealthBench, …; the Hard subset …" is it
    if subject is None and models and RELEASED_RE.fullmatch(text[: models[0].start]):
        subject = models[0]  # "Anthropic released Claude Opus 4.7 on April 16. On SWE-Bench Pro it reached …"
    named = {name_key(m.text): m.text for m in models if m.kind == MODEL}
    if subject is None and context.subject is None and not values and len(named) == 1:
        # "This is where Muse Spark leads. In Thinking mode it scored 42.8": with no subject before, "it" is the one.
        context.subject, context.subject_from = next(iter(named.values())), offset
    if subject is not None:
        context.subject, context.subject_from = subject.text, offset
    return facts


# The gap between two scores of one model, each followed by its benchmark: " on <benchmark> and ", " on <benchmark>, ".


def _same_model_on_next_benchmark(previous: _Value, value: _Value, shadow: str) -> None:
    """ "reaches 58% on HLE and 38% on FrontierScience Research": one model's scores, each with its benchmark."""
    gap = shadow[previous.end : value.start]
    if ON_BENCH_GAP_RE.fullmatch(gap) and ON_BENCH_AFTER_RE.match(shadow[value.end : value.end + 40]):
        value.model, value.qualifier = previous.model, previous.qualifier


def _is_subject_position(shadow: str, text: str, model: Mention) -> bool:
    """Whether ``model``, the sentence's first, is its subject: near the start, or after the qualifiers that open it
    ("In Thinking mode without tools Muse Spark answers …")."""
    return model.start <= _subject_window(text) or bool(
        re.fullmatch(rf"\s*(?:{QUALIFIER_MARK}+[\s,]*)+", shadow[: model.start])
    )


def _subject_window(text: str) -> int:
    """How far into a sentence its subject may start ("For instance, on the X benchmark, Muse Spark …")."""
    match = re.match(r"^(?:[^,]{0,60},\s*){0,2}", text)
    return match.end() if match else 0


def _values_in(shadow: str, text: str) -> list[_Value]:
    values: list[_Value] = []
    for match in NUMBER_RE.finditer(shadow):
        start, end = match.span(1)
        number = match.group(1)
        before, after = shadow[:start], text[end:]
        if after[:1] and (after[0].isalnum() and not re.match(r"[MBK](?![\w])", after)):
            continue  # "10x", "1st", "3B-parameter" stay words
        if re.match(r"\s?[x×]\b|-[A-Za-z]|\s?-?fold\b", after):
            continue
        unit_match = UNIT_AFTER_RE.match(after)
        unit = ""
        magnitude = 1.0
        unit_end = end
        is_magnitude = False
        value_text = number
        if unit_match:
            if unit_match.group("pct") or unit_match.group("percent"):
                unit = "%"
                if unit_match.group("pct"):
                    value_text = text[start : end + unit_match.end()]
            elif unit_match.group("elo"):
                unit = "Elo"
            elif unit_match.group("points"):
                unit = "points"
            else:
                word = (unit_match.group("mag1") or unit_match.group("mag2")).strip().lower()
                magnitude = MAGNITUDES[word]
                is_magnitude = True
                value_text = text[start : end + unit_match.end()]
            unit_end = end + unit_match.end()
        rest = shadow[unit_end:]
        if DIFFERENCE_BEFORE_RE.search(before) or DIFFERENCE_AFTER_RE.match(shadow[end:]):
            continue
        plain = number.replace(",", "")
        if (
            not unit
            and not is_magnitude
            and re.fullmatch(r"(?:19|20)\d\d", plain)
            and (DATE_BEFORE_RE.search(before) or not re.match(r"\s*\)", rest))
        ):
            continue  # a year
        tokens_match = TOKENS_AFTER_RE.match(rest)
        if not _is_allowed_next(rest) and not tokens_match:
            continue
        value = _Value(
            start=start,
            end=unit_end,
            number=number,
            value=float(plain) * magnitude,
            unit=unit,
            magnitude=is_magnitude,
            value_text=value_text,
        )
        if tokens_match:
            value.tokens_kind = tokens_match.group("kind") or ""
            value.magnitude = True
        values.append(value)
    return values


def _is_allowed_next(rest: str) -> bool:
    stripped = rest.lstrip()
    if not stripped:
        return True
    if stripped[0] in ",.;:)]—-–?!\"'" or stripped[0] in (MODEL_MARK, BENCH_MARK, QUALIFIER_MARK):
        return True
    word = re.match(r"[A-Za-z]+", stripped)
    return word is not None and word.group(0).lower() in NEXT_WORDS


def _attach_model(value: _Value, shadow: str, models: list[Mention], attached: set[int]) -> None:
    """The model the text ties ``value`` to, or a note that it is the sentence subject's ("a score of 59.0")."""
    before = shadow[: value.start]
    after = shadow[value.end :]
    index = None
    for pattern in (PAREN_BEFORE_RE, POSSESSIVE_BEFORE_RE, LEADS_BEFORE_RE, VERB_BEFORE_RE, AT_BEFORE_RE,
                    LIST_BEFORE_RE):  # fmt: skip
        match = pattern.search(before)
        if match is None or (pattern is PAREN_BEFORE_RE and not PAREN_AFTER_RE.match(after)):
            continue
        index = _model_at(match.start(), models)
        break
    if index is None and value.tokens_kind is not None and (match := COUNT_VERB_BEFORE_RE.search(before)):
        index = _model_at(match.start(), models)
    if index is None and (match := FOR_MODEL_AFTER_RE.match(after)):
        index = _model_at(value.end + match.end() - 1, models)
    if index is not None:
        value.model = models[index].text
        value.qualifier = models[index].qualifier
        attached.add(index)
        return
    value.pronoun = bool(
        PRONOUN_VERB_BEFORE_RE.search(before)  # "it reaches 61.5%"
        or PRONOUN_SCORE_BEFORE_RE.search(before)  # "its HLE score climbs to 50.4%"
    )
    value.reported = bool(REPORTED_BEFORE_RE.search(before))
    value.needs_subject = bool(
        value.pronoun
        or value.reported
        or (value.unit and re.search(r"\bwith\s+$", before))  # "ranks first … with 1,502 Elo"
        or SUBJECT_BEFORE_RE.search(before)  # "scoring 52 points", "A … score of 59.0", "(score: 52)"
        or SUBJECT_AFTER_SCORE_RE.match(shadow[value.start + len(value.number) :])  # "An 80.5% score on"
    )


def _model_at(position: int, models: list[Mention]) -> int | None:
    """Index of the model mention that covers ``position``."""
    return next((i for i, m in enumerate(models) if m.start <= position < m.end), None)


_ON_BEFORE_RE = re.compile(r"\b(?:on|in)\s+(?:the\s+)?$", re.IGNORECASE)
_NEAR_WORDS = 4  # "… on Terminal-Bench 2.0 it managed 69.4%": the words between a benchmark and its value


def _attach_benchmark(
    value: _Value,
    shadow: str,
    benches: list[Mention],
    strong: list[Mention],
    lead: Mention | None,
    *,
    floor: int | None = None,
) -> None:
    after = shadow[value.end :]
    match = BENCH_AFTER_RE.match(after)
    if match:
        position = value.end + match.end() - 1
        bench = next((b for b in benches if b.start <= position < b.end), None)
        if bench is not None:
            value.benchmark = bench.text
            return
    before = shadow[: value.start]
    match = BENCH_BEFORE_RE.search(before)
    if match:
        bench = next((b for b in benches if b.start <= match.start() < b.end), None)
        if bench is not None:
            value.benchmark = bench.text
            return
    match = LEADS_BEFORE_RE.search(before)
    if match:
        position = match.start() + shadow[match.start() :].find(BENCH_MARK)
        bench = next((b for b in benches if b.start <= position < b.end), None)
        if bench is not None:
            value.benchmark = bench.text
            return
    if floor is not None:
        # "On SWE-Bench Pro it reached 64.3%, …, while on Terminal-Bench 2.0 it managed 69.4%": a benchmark led in
        # by "on" between the value before and this one is this one's, not the sentence's lead.
        between = [b for b in benches if floor <= b.start and b.end <= value.start]
        if (
            between
            and _ON_BEFORE_RE.search(shadow[floor : between[-1].start])
            and len(shadow[between[-1].end : value.start].split()) <= _NEAR_WORDS
        ):
            value.benchmark = between[-1].text
            return
    if lead is not None and lead.strong:
        value.benchmark = lead.text
        return
    distinct = {name_key(b.text): b.text for b in strong}
    if len(distinct) == 1:
        value.benchmark = next(iter(distinct.values()))


def _assign_qualifiers(
    values: list[_Value], qualifiers: list[Mention], text: str, shadow: str, subject: str | None
) -> None:
    """Each qualifier goes to the nearest value of its clause (else to the value just before it). The qualifiers
    that open the sentence ("With tools enabled, …", "On X without tools, …") go to every value that has none
    of its own; a mode among them only to the subject's values, as a mode is one model's."""
    scored = [v for v in values if v.model]
    if not scored:
        return
    first_value = min(v.start for v in scored)
    breaks = [m.start() for m in re.finditer(r"[;,](?!\d)|\s(?:while|whereas|but)\s", text)]

    def clause(position: int) -> int:
        return sum(1 for b in breaks if b < position)

    leading: list[Mention] = []
    for qualifier in sorted(qualifiers, key=lambda q: q.start):
        prefix = list(shadow[: qualifier.start].replace(BENCH_MARK, " "))
        for earlier in leading:
            prefix[earlier.start : earlier.end] = " " * (earlier.end - earlier.start)
        if qualifier.end <= first_value and not re.search(
            rf"[A-Za-z]{{3,}}|{MODEL_MARK}", _strip_intro("".join(prefix))
        ):
            leading.append(qualifier)
    for qualifier in qualifiers:
        if qualifier in leading:
            continue
        same = [v for v in scored if clause(v.start) == clause(qualifier.start)]
        target: _Value | None
        if same:
            target = min(same, key=lambda v: max(v.start - qualifier.end, qualifier.start - v.end, 0))
        else:
            before = [v for v in scored if v.end <= qualifier.start and clause(v.start) == clause(qualifier.start) - 1]
            target = before[-1] if before else None
        if target is not None and not target.qualifier:
            target.qualifier = qualifier.text
    modes = [q for q in leading if q.text.endswith(" mode")]
    for qualifier in [q for q in leading if q not in modes] + modes:
        for value in scored:
            if qualifier in modes and subject is not None and value.model != subject:
                continue
            value.qualifier = value.qualifier or qualifier.text


def _strip_intro(text: str) -> str:
    return re.sub(r"^\s*(?:(?:in|with|without|using|when|on)\s+(?:the\s+)?)?,?\s*$", "", text, flags=re.I)


def _inherit_units(values: list[_Value]) -> None:
    """A value without a unit takes the unit its neighbours on the same benchmark state ("1,444 ELO … (1,674)")."""
    by_benchmark: dict[str | None, set[str]] = defaultdict(set)
    for value in values:
        if value.unit and value.unit != "tokens":
            by_benchmark[value.benchmark].add(value.unit)
    for value in values:
        units = by_benchmark.get(value.benchmark, set())
        if not value.unit and len(units) == 1:
            value.unit = next(iter(units))
