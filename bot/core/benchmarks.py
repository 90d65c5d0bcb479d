"""Benchmark facts: extracted from articles' tables and prose at index time; looked up, compared, checked for conflicts.

Extraction favours precision: a number becomes a fact only when the text ties it to a model (``GPT-5.4
(40.1)``, ``Muse Spark's 1,444``, ``Muse Spark scores 42.8``, a table cell) and to a benchmark (``on
HealthBench Hard``, ``A Terminal-Bench 2.0 score of``, a column header, the sentence before in the same
paragraph). Differences ("by 230 points"), multiples ("10x"), money, years, shares and counts are never
scores. Token counts ("58 million output tokens to complete the … Intelligence Index evaluation") become
their own measure, "<benchmark> output tokens".

Lookups (``FactTable``) work on the facts alone: no numpy, faiss or torch is imported here, so the
``benchmark`` command starts fast.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.core.errors import MusebotError
from bot.core.models import (
    Article,
    BenchmarkFact,
    BenchmarkTable,
    Chunk,
    Comparison,
    ComparisonRow,
    Conflict,
    FactChange,
    ModelTable,
    ScoreRow,
    SourceRef,
)
from bot.core.names import (
    BENCHMARK,
    MODEL,
    AliasMap,
    NameCatalog,
    canonicalize_names,
    key_tokens,
    load_default_aliases,
    merge_alias_maps,
    name_key,
)
from bot.core.text import normalize_text

log = logging.getLogger(__name__)

FACTS_SCHEMA_VERSION = 1


class UnknownNameError(MusebotError, LookupError):
    """A benchmark or model name that the articles do not give scores for; carries suggestions."""

    def __init__(self, name: str, kind: str, suggestions: Sequence[str] = (), known: Sequence[str] = ()) -> None:
        self.name = name
        self.kind = kind
        self.suggestions = tuple(suggestions)
        shown = name.strip() or "(nothing)"
        if self.suggestions:
            message = f"No {kind} called '{shown}' in the articles. Did you mean: {', '.join(self.suggestions)}?"
        elif known:
            listed = ", ".join(known[:10]) + (", …" if len(known) > 10 else "")
            message = f"No {kind} called '{shown}' in the articles. The articles give scores for: {listed}."
        else:
            message = f"No {kind} called '{shown}' in the articles; they give no benchmark scores yet."
        super().__init__(message)


# ================================================================================================ extraction


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FAMILIES = (
    "GPT", "ChatGPT", "Claude", "Gemini", "Gemma", "Llama", "LLaMA", "Grok", "DeepSeek", "Deepseek", "Qwen", "QwQ",
    "Mistral", "Magistral", "Devstral", "Codestral", "Mixtral", "Muse", "Phi", "Kimi", "GLM", "Nova", "Command",
    "Nemotron", "MiniMax", "Olmo", "OLMo", "Jamba", "Ernie", "ERNIE", "Hunyuan",
)  # fmt: skip
_VARIANT_WORDS = _words(
    """Pro Preview Flash Flash-Lite Lite Ultra Nano Mini Max Plus Turbo Opus Sonnet Haiku Instant Maverick Scout
    Behemoth Heavy Fast Coder Codex Large Medium Small Exp Experimental Terminus Speciale Vision Omni Air Chat
    Reasoner Instruct Deep Think Spark R A mini nano pro max plus turbo flash lite preview high low medium xhigh
    instruct chat coder codex"""
)
# Capitalised words that never make "<family> <Word>" a model name.
_NOT_VARIANT = _words(
    """And Or The A An Is Are Was In On For With To Of At By As API APIs App Apps AI Family Models Model Team
    Labs Users User Code"""
)
_FAMILY_RE = re.compile(r"(?<![\w-])(?:" + "|".join(_FAMILIES) + r")(?![\w])")
_O_SERIES_RE = re.compile(r"(?<![\w-])o[1-9](?:-(?:mini|pro|preview|high|low|medium))?(?![\w-])")
_MODEL_PIECE_RE = re.compile(
    r"(?P<sep>[- ]?)(?:(?P<size>\d+(?:\.\d+)?[BM](?:-A\d+B)?)(?![\w]|\.\d)"
    r"|(?P<version>[VRK]?\d{1,2}(?:\.\d+)*[a-z]?)(?![\w%]|\.\d)|(?P<word>[A-Za-z][A-Za-z]*(?:-Lite)?)(?![\w]))"
)

# Tokens of a benchmark-like name: words with inner hyphens/apostrophes ("ARC-AGI-2", "Humanity's", "τ2-bench").
_NAME_TOKEN_RE = re.compile(
    r"(?<![\d.,])[^\W\d_][\w]*(?:[-'][\w]+)*|(?<![\w.,])v\d+(?:\.\d+)*\b|(?<![\w.,])\d+(?:\.\d+)*(?:-[^\W\d_][\w-]*)?"
)
_LEADING_WORDS = _words(
    """The A An On In For At This That These Its Their Our While With And But Of As By From To Meanwhile Also
    Then Yet So Even Still"""
)
_TRAILING_WORDS = _words("Score Scores Result Results Benchmark Benchmarks Evaluation Leaderboard Rating")
_LOWER_CONTINUATION = frozenset({"verified", "diamond", "hard", "lite", "pro", "multilingual", "extended", "bench"})
_BENCH_KEYWORDS = _words(
    """Index Exam Arena Verified Diamond Hard Test Leaderboard Benchmark Bench QA Eval Olympiad Challenge Pro
    Lite Math Code Lab"""
)
_NOT_BENCH_CAPS = _words(
    """API APIs CEO CTO CFO GPU GPUs CPU TPU USA FAQ ELO LLM LLMs AGI ASI SOTA RLHF USD EUR IPO SEC FTC NASA NYSE
    AWS MSL FAIR MoE HTML JSON PDF URL CSV UK US EU"""
)
_NOT_BENCH_CAMEL = _words(
    """WhatsApp ChatGPT OpenAI DeepMind GitHub GitLab YouTube LinkedIn TikTok iPhone iPad PlayStation xAI MacBook
    PowerPoint JavaScript TypeScript HuggingFace DeepSeek MiniMax SambaNova CoreWeave OpenRouter LangChain
    McKinsey PhD"""
)
_UNIT_WORDS = frozenset({"elo", "points", "point", "pts", "percent", "%"})

_NUMBER_RE = re.compile(r"(?<![\w.,$€£¥/\-+−])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d,]\d)")
_UNIT_AFTER_RE = re.compile(
    r"\s?(?P<pct>%)|\s?(?P<percent>percent)\b|\s?(?P<elo>Elo|ELO|elo)\b|\s(?P<points>points|point|pts)\b"
    r"|(?P<mag1>\s?[MBK])(?![\w])|\s(?P<mag2>million|billion|thousand)\b"
)
_MAGNITUDES = {"m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9, "k": 1e3, "thousand": 1e3}
_TOKENS_AFTER_RE = re.compile(r"^\s+(?:(?P<kind>output|input|reasoning|thinking|total|completion|prompt)\s+)?tokens\b")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"  # noqa: E501
_DATE_BEFORE_RE = re.compile(rf"(?:\b(?:{_MONTHS})\.?|\b(?:in|since|by|from|until|of|early|late|mid)|Q[1-4])\s+$")
_DIFFERENCE_BEFORE_RE = re.compile(
    r"(?:\bby|\bby\s+(?:a|about|around|roughly|nearly|almost|some|just|only|less than|more than)|\bup|\bdown|[+±])\s*$"
)
_DIFFERENCE_AFTER_RE = re.compile(
    r"^\s*(?:points?\s+|pts\s+|percentage\s+points?\s+|%\s+)?"
    r"(?:more|fewer|higher|lower|less|ahead|behind|better|worse|above|below|gap|lead|margin|advantage|difference|"
    r"clear|short|improvement|drop|gain)\b"
)
# Words that may follow a score (after its unit); any other word makes the number something else (a count).
_NEXT_WORDS = _words(
    """on in at and or but while with without to vs versus compared against ahead behind trails trailing trail
    beats beating beat tops topping leads leading lead for from across overall this that which whereas than
    score scores sits places placing puts putting makes making ranks ranking as is was were are marks mark
    mean average respectively put edges edging outscoring outscores follows followed"""
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
    r"tops out at|topped out at|clocks in at|clocked in at|"
    rf"(?:{_COMPOUND_VERBS}) (?:at|with)"
)
_COUNT_VERBS = r"used|uses|using|consumed|consumes|consuming|needed|needs|required|requires|generated|generates|spent"
_ADVERBS = r"(?:(?:also|only|just|still|now|reportedly|then|roughly|about|around|nearly|approximately|a)\s+)*"
_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u2011": "-", "\u2010": "-", "\u00a0": " "})
_M = "\ue000"  # model span
_B = "\ue001"  # benchmark span
_Q = "\ue002"  # qualifier span
_VERB_BEFORE_RE = re.compile(rf"{_M}+(?:\s*\([^()]{{0,40}}\))?(?:\s*{_Q}+)?,?\s+{_ADVERBS}(?:{_VERBS})\s+{_ADVERBS}$")
_AT_BEFORE_RE = re.compile(rf"{_M}+\s*(?:{_Q}+\s*)?(?:at|with)\s+$")  # "GPT-5.4 at 75.1"
_LIST_BEFORE_RE = re.compile(rf"{_M}+\s*(?::|—|-|=)\s*$")  # "GPT-5.4: 57"
_COUNT_VERB_BEFORE_RE = re.compile(rf"{_M}+,?\s+{_ADVERBS}(?:{_COUNT_VERBS})\s+{_ADVERBS}$")
_POSSESSIVE_BEFORE_RE = re.compile(rf"{_M}+'s\s+(?:(?:score|result|mark|tally)\s+of\s+)?$")
_PAREN_BEFORE_RE = re.compile(rf"{_M}+(?:\s*{_Q}+)?\s*\(\s*(?:(?:score|scores|result)\s*[:=]?\s*)?$")
_LEADS_BEFORE_RE = re.compile(
    rf"{_M}+\s+(?:leads|led|tops|topped|wins|won|heads|headed)\s+(?:on\s+)?(?:the\s+)?{_B}+\s+(?:at|with)\s+$"
)
_PAREN_AFTER_RE = re.compile(rf"^\s*(?:,?\s*{_Q}+)?\s*\)")
_FOR_MODEL_AFTER_RE = re.compile(rf"^\s+(?:for|from)\s+{_M}")
# Values whose model is the sentence's subject: "scoring 52 on", "a score of", "An 80.5% score on", "X score of 59.0".
_SUBJECT_BEFORE_RE = re.compile(
    rf"(?:\b(?:scoring|scores|scored|score|posting|posts|posted|reaching|reached|achieving|achieved)\s+{_ADVERBS}"
    rf"|\b(?:score|result|mark)\s+of\s+{_ADVERBS}|\(\s*(?:score|result)s?\s*[:=]\s*|{_B}+\s*\(\s*(?:score|result)s?\s*[:=]?\s*"
    rf"|\(\s*{_B}+\s*[:=]\s*)$"
)
_PRONOUN_VERB_BEFORE_RE = re.compile(rf"\b(?:it|the model|this model)\s+{_ADVERBS}(?:{_VERBS})\s+{_ADVERBS}$", re.I)
_SUBJECT_AFTER_SCORE_RE = re.compile(r"^\s*(?:%|percent)?\s+(?:score|result|mark)\b")
_BENCH_AFTER_RE = re.compile(rf"^\s*(?:{_Q}+\s*)?(?:score\s+|result\s+)?(?:on|in|at)\s+(?:the\s+)?(?:[\w-]+\s+)?{_B}")
_BENCH_BEFORE_RE = re.compile(
    rf"{_B}+\s*(?:{_Q}+\s*)?(?:(?:score|result|mark)\s+of\s+{_ADVERBS}|\(\s*(?:score|result)s?\s*[:=]?\s*|[:=]\s*)$"
)
_ON_BENCH_LEAD_RE = re.compile(rf"^\s*(?:\w+,\s+)?(?:on|in|for|across)\s+(?:the\s+)?{_B}")
_PRONOUN_START_RE = re.compile(
    r"^\s*(?:it|its|it's|the model|this model|the new model|that model|meta's model)\b", re.I
)
_QUALIFIER_RE = re.compile(
    r"\b(?P<tools>(?i:(?:with|without|no)\s+(?:\w+\s+){0,2}?(?:tools?|tool use|search|web search|code execution|"
    r"python|browsing|scaffolding|extended thinking)))\b"
    r"|\b(?i:in|using|with)\s+(?:its\s+|the\s+)?[\"']?(?P<mode>[A-Z][\w-]*(?:\s[A-Z][\w-]*)?)[\"']?\s+mode\b"
    r"|\b(?P<pass>pass@\d+)"
    r"|\((?P<effort>high|xhigh|low|medium|max|thinking|no thinking)\)"
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?(?:[A-Z0-9$]|[a-z]+[A-Z]|o\d))")
_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "Mr.", "Mrs.", "Dr.", "Inc.", "Corp.", "U.S.", "approx.", "No.", "St.", "Jr.")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+•◦▪·]|\d{1,3}[.)])\s+")
_PIPE_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CELL_VALUE_RE = re.compile(
    r"^(?:\*\*|__|\*|_)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>%|Elo|ELO|pts|points|[MBK])?"
    r"\s*(?:\*\*|__|\*|_)?\s*[*†‡§¹²³⁴]*\s*$"
)
_MODEL_HEADERS = frozenset({"model", "models", "system", "systems", "llm", "ai model", "name", "model name"})
_BENCH_HEADERS = frozenset({"benchmark", "benchmarks", "eval", "evaluation", "task", "test", "metric", "category"})
_SCORE_HEADERS = frozenset({"score", "scores", "result", "results", "value", "accuracy", "elo", "rating", "%"})
_SKIP_HEADERS = _words(
    """rank # developer vendor provider organization org company lab maker creator release released date
    params parameters size context window price cost license open weights type notes note modality
    availability access input output year"""
)
_NOT_MODEL_ROWS = frozenset({"average", "mean", "median", "human", "humans", "baseline", "random", "chance", "total"})


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    text: str  # as written (plain quotes and dashes)
    kind: str  # "model" | "benchmark" | "qualifier"
    strong: bool = True  # benchmark: has the look of one (vs only a capitalised phrase)


@dataclass(slots=True)
class _RawFact:
    benchmark: str
    model: str
    value_text: str
    value: float
    unit: str
    qualifier: str
    article_id: str
    parts: tuple[str, ...]  # quote pieces as written in the body, the last one holds the value
    fallback: tuple[str, ...]  # shorter quote when ``parts`` is not inside one chunk
    position: int
    from_table: bool = False


@dataclass(slots=True)
class _Paragraph:
    text: str
    position: int  # offset in the body
    heading: str


@dataclass(slots=True)
class _Table:
    lines: tuple[str, ...]
    position: int
    heading: str
    intro: str  # the paragraph just before the table, "" when none
    is_pipe: bool


@dataclass(slots=True)
class _Layout:
    paragraphs: list[_Paragraph] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)


def extract_facts(
    articles: Sequence[Article], chunks: Sequence[Chunk], *, aliases: AliasMap | None = None
) -> tuple[BenchmarkFact, ...]:
    """Every benchmark score that the articles state, one fact per (benchmark, model, article, value).

    ``chunks`` are the articles' passages; each fact cites the chunk whose text holds its quote.
    ``aliases`` adds to ``bot/data/aliases.yaml`` (e.g. ``<corpus_dir>/aliases.yaml``).
    """
    return extract_facts_reusing(articles, chunks, None, aliases=aliases)[0]


def extract_facts_reusing(
    articles: Sequence[Article],
    chunks: Sequence[Chunk],
    saved: Mapping[str, object] | None,
    *,
    aliases: AliasMap | None = None,
) -> tuple[tuple[BenchmarkFact, ...], dict[str, object]]:
    """``extract_facts``, re-reading only the articles that changed since ``saved``; returns (facts, state to save).

    What one article yields depends on its own title and body and on the model names learned from every
    article's tables. Its raw facts are reused when its text, the learned names, the alias files and this
    code are all unchanged; naming, units and quotes are then settled across the corpus (``_finalize``,
    cheap) exactly as in a full extraction, so the facts are the same either way.
    """
    alias_map = merge_alias_maps(load_default_aliases(), aliases)
    version = _extraction_version(alias_map)
    old: Mapping[str, Mapping[str, object]] = {}
    if saved and saved.get("version") == version and isinstance(saved.get("articles"), dict):
        old = saved["articles"]  # type: ignore[assignment]
    keys = {article.id: _article_key(article) for article in articles}
    layouts: dict[str, _Layout] = {}

    def layout_of(article: Article) -> _Layout:
        if article.id not in layouts:
            layouts[article.id] = _layout_of(article.body)
        return layouts[article.id]

    def unchanged(article: Article) -> Mapping[str, object] | None:
        entry = old.get(article.id)
        return entry if entry is not None and entry.get("key") == keys[article.id] else None

    learned: dict[str, list[str]] = {}
    for article in articles:
        entry = unchanged(article)
        names = entry["names"] if entry is not None else sorted(_learn_table_models([layout_of(article)]))
        learned[article.id] = list(names)  # type: ignore[call-overload]
    matcher_names = set().union(*learned.values()) | _alias_model_names(alias_map)
    names_key = hashlib.sha256(json.dumps(sorted(matcher_names)).encode("utf-8")).hexdigest()[:16]
    same_names = bool(saved) and saved.get("names_key") == names_key  # type: ignore[union-attr]
    matcher: _ModelMatcher | None = None
    raw: list[_RawFact] = []
    state_articles: dict[str, dict[str, object]] = {}
    reread = 0
    for article in articles:
        entry = unchanged(article) if same_names else None
        saved_raw: Any  # the raw facts as saved in facts_state.json: a list of dicts
        if entry is not None:
            saved_raw = entry["raw"]
        else:
            reread += 1
            matcher = matcher or _ModelMatcher(matcher_names)
            primary = _primary_model(article, matcher)
            found = _facts_from_tables(article.id, layout_of(article), matcher)
            found += _facts_from_prose(article.id, layout_of(article), matcher, primary)
            saved_raw = [asdict(fact) for fact in found]  # before _finalize renames them in place
        raw.extend(_RawFact(**{**item, "parts": tuple(item["parts"]), "fallback": tuple(item["fallback"])})
                   for item in saved_raw)  # fmt: skip
        state_articles[article.id] = {"key": keys[article.id], "names": learned[article.id], "raw": saved_raw}
    log.debug("facts: %d of %d articles read, the others reused", reread, len(articles))
    state: dict[str, object] = {"version": version, "names_key": names_key, "articles": state_articles}
    return _finalize(raw, articles, chunks, alias_map), state


class FactExtractor:
    """``extract_facts`` with the corpus's aliases bound; index builds call ``extract_reusing`` so that an
    unchanged article is not read again (see ``index_store.ReusingFactExtractor``)."""

    def __init__(self, aliases: AliasMap | None = None) -> None:
        self.aliases = aliases

    def __call__(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> tuple[BenchmarkFact, ...]:
        return extract_facts(articles, chunks, aliases=self.aliases)

    def extract_reusing(
        self, articles: Sequence[Article], chunks: Sequence[Chunk], saved: Mapping[str, object] | None
    ) -> tuple[tuple[BenchmarkFact, ...], dict[str, object]]:
        return extract_facts_reusing(articles, chunks, saved, aliases=self.aliases)


def _article_key(article: Article) -> str:
    """What extraction reads of an article: its title and body."""
    return hashlib.sha256(f"{article.title}\n\n{article.body}".encode()).hexdigest()[:32]


def _extraction_version(alias_map: Mapping[str, object]) -> str:
    """Changes with this code (and the modules it reads text with) or the aliases: saved raw facts are then stale."""
    aliases = json.dumps(alias_map, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{FACTS_SCHEMA_VERSION}\n{_source_digest()}\n{aliases}".encode()).hexdigest()[:16]


@functools.cache
def _source_digest() -> str:
    from bot.core import chunking, names, text

    digest = hashlib.sha256()
    for module_file in (__file__, names.__file__, text.__file__, chunking.__file__):
        try:
            digest.update(Path(module_file).read_bytes())
        except (OSError, TypeError):
            digest.update(os.urandom(16))  # no source to compare: never reuse
    return digest.hexdigest()


# ----------------------------------------------------------------------------------------------- layout


def _layout_of(body: str) -> _Layout:
    """Paragraphs (with their heading) and tables of a body, in order, with their offsets."""
    layout = _Layout()
    heading = ""
    lines = body.split("\n")
    offsets = []
    position = 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    block: list[int] = []
    previous_paragraph = ""

    def flush() -> None:
        nonlocal previous_paragraph
        if not block:
            return
        block_lines = [lines[i] for i in block]
        start = offsets[block[0]]
        for kind, first, last in _split_block(block_lines):
            text = "\n".join(block_lines[first : last + 1])
            pos = start + sum(len(line) + 1 for line in block_lines[:first])
            if kind == "table" or kind == "pipe":
                layout.tables.append(
                    _Table(tuple(block_lines[first : last + 1]), pos, heading, previous_paragraph, kind == "pipe")
                )
            else:
                layout.paragraphs.append(_Paragraph(text, pos, heading))
                previous_paragraph = text
        block.clear()

    for i, line in enumerate(lines):
        match = _HEADING_RE.match(line)
        if match:
            flush()
            heading = match.group(2).strip()
            previous_paragraph = ""
            continue
        if not line.strip():
            flush()
            continue
        block.append(i)
    flush()
    return layout


def _split_block(lines: list[str]) -> list[tuple[str, int, int]]:
    """A block's pieces: ("pipe" | "table" | "text", first line, last line); list items one by one."""
    from bot.core.chunking import is_plain_table

    pieces: list[tuple[str, int, int]] = []
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|"):
            j = i
            while j + 1 < len(lines) and lines[j + 1].lstrip().startswith("|"):
                j += 1
            pieces.append(("pipe", i, j))
            i = j + 1
            continue
        j = i
        while j + 1 < len(lines) and not lines[j + 1].lstrip().startswith("|"):
            j += 1
        run = lines[i : j + 1]
        if is_plain_table(run):
            pieces.append(("table", i, j))
        elif len(run) >= 4 and is_plain_table(run[1:]):
            pieces.append(("text", i, i))
            pieces.append(("table", i + 1, j))
        else:
            start = i
            for k in range(i, j + 1):
                if k > start and (_LIST_ITEM_RE.match(lines[k]) or _LIST_ITEM_RE.match(lines[k - 1])):
                    pieces.append(("text", start, k - 1))
                    start = k
            pieces.append(("text", start, j))
        i = j + 1
    return pieces


def _sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(paragraph):
        candidate = paragraph[start : match.start()].rstrip()
        if candidate.endswith(_ABBREVIATIONS) or re.search(r"\b[A-Z]\.$", candidate):
            continue
        if candidate.strip():
            spans.append((start, start + len(candidate)))
        start = match.end()
    rest = paragraph[start:].rstrip()
    if rest.strip():
        spans.append((start, start + len(rest)))
    return spans


class _Normalized:
    """A text normalised character by character (NFKC, ASCII quotes and dashes), mapped back to the original."""

    def __init__(self, original: str) -> None:
        self.original = original
        chars: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(original):
            norm = normalize_text(ch) if ord(ch) > 127 else ch
            for c in norm:
                chars.append(c)
                index.append(i)
        index.append(len(original))
        self.text = "".join(chars)
        self._index = index

    def original_span(self, start: int, end: int) -> str:
        return self.original[self._index[start] : self._index[end - 1] + 1 if end > start else self._index[start]]


# ----------------------------------------------------------------------------------------------- names in text


class _ModelMatcher:
    """Finds model names: vendor families with versions and variants, plus names learned from tables."""

    def __init__(self, extra_names: Iterable[str]) -> None:
        extra = sorted({n for n in extra_names if n.strip()}, key=len, reverse=True)
        patterns = []
        for name in extra:
            pieces = [re.escape(p) for p in re.split(r"[\s\-]+", normalize_text(name).strip()) if p]
            if pieces:
                patterns.append(r"[\s\-]?".join(pieces))
        self._extra = (
            re.compile(r"(?<![\w-])(?:" + "|".join(patterns) + r")(?![\w-])", re.IGNORECASE) if patterns else None
        )

    def find(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        if self._extra is not None:
            spans.extend((m.start(), m.end()) for m in self._extra.finditer(text))
        spans.extend((m.start(), m.end()) for m in _O_SERIES_RE.finditer(text))
        for match in _FAMILY_RE.finditer(text):
            end = _extend_family(text, match.end())
            if end > match.end():
                spans.append((match.start(), end))
        return _non_overlapping(spans)

    def is_model(self, text: str) -> bool:
        text = normalize_text(text).strip()
        return any(start == 0 and end == len(text) for start, end in self.find(text))


def _extend_family(text: str, position: int) -> int:
    """End of "<family> 3.1 Pro Preview": at most one version, sizes, and variant words."""
    end = position
    versions = 0
    words = 0
    pos = position
    while True:
        match = _MODEL_PIECE_RE.match(text, pos)
        if not match or (not match.group("sep") and pos != position):
            break
        if match.group("sep") == "" and match.group("word"):
            break
        if match.group("size"):
            if versions == 0 and words == 0:
                break
        elif match.group("version"):
            version = match.group("version")
            if versions or (words and not re.fullmatch(r"[VRK]?\d(?:\.\d+)*[a-z]?", version)):
                break
            if match.group("sep") == " " and text[match.end() : match.end() + 1] in ("%",):
                break
            versions += 1
        else:
            word = match.group("word")
            is_variant = word in _VARIANT_WORDS
            is_name = word[0].isupper() and word not in _NOT_VARIANT and versions == 0 and words == 0
            if not (is_variant or is_name):
                break
            if word in {"R", "A"} and not is_name:
                break
            words += 1
        end = pos = match.end()
    return end if (versions or words) else position


def _non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    return sorted(chosen)


def _benchmark_runs(text: str, taken: list[tuple[int, int]]) -> list[_Mention]:
    """Capitalised name phrases outside model/qualifier spans, marked strong when they look like a benchmark."""
    tokens = [m for m in _NAME_TOKEN_RE.finditer(text) if all(m.end() <= s or m.start() >= e for s, e in taken)]
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for token in tokens:
        word = token.group(0)
        joined = bool(current) and text[current[-1].end() : token.start()] == " "
        is_version = bool(re.fullmatch(r"v\d+(?:\.\d+)*|\d\.\d+|(?:19|20)\d\d", word)) and not re.match(
            r"\s?(?:%|points|pts|Elo|ELO)", text[token.end() :]
        )
        is_number = word[0].isdigit()
        if word.lower() in _UNIT_WORDS:
            if current:
                runs.append(current)
            current = []
            continue
        is_name_word = (not is_number and _is_capitalised(word)) or (
            joined and word.lower() in _LOWER_CONTINUATION and not is_number
        )
        if is_number and not is_version:
            if current:
                runs.append(current)
            current = []
            continue
        if is_version and joined and current:
            current.append(token)
            continue
        if is_name_word and (joined or not current):
            current.append(token)
            continue
        if current:
            runs.append(current)
        current = [token] if is_name_word else []
    if current:
        runs.append(current)

    mentions: list[_Mention] = []
    for run in runs:
        words = [t.group(0) for t in run]
        while words and (words[0] in _LEADING_WORDS or words[0][0].isdigit()):
            words.pop(0)
            run = run[1:]
        while words and words[-1] in _TRAILING_WORDS:
            words.pop()
            run = run[:-1]
        if not words:
            continue
        start, end = run[0].start(), run[-1].end()
        if text[end - 2 : end] == "'s":  # "LMArena's text leaderboard"
            end -= 2
            words[-1] = words[-1][:-2]
        phrase = text[start:end]
        mentions.append(_Mention(start, end, phrase, BENCHMARK, strong=_looks_like_benchmark(words)))
    return mentions


def _is_capitalised(word: str) -> bool:
    first = word[0]
    return first.isupper() or any(c.isupper() for c in word[1:]) or (not first.isascii() and first.isalpha())


def _looks_like_benchmark(words: list[str]) -> bool:
    for word in words:
        bare = word.replace("'s", "")
        parts = re.split(r"-", bare)
        if "bench" in bare.lower() or bare.lower().endswith("eval") or re.search(r"[a-z]val\b", bare):
            return True
        if any(p in _BENCH_KEYWORDS for p in parts) and len(words) + len(parts) > 2:
            return True
        if (
            "-" in bare
            and any(re.search(r"[A-Z]", p) for p in parts)
            and any(re.fullmatch(r"[A-Z]{2,}|\d+|[A-Z][a-z]+", p) for p in parts[1:])
        ):
            return bare not in _NOT_BENCH_CAMEL
        if re.fullmatch(r"[A-Z]{3,}\d*", bare) and bare not in _NOT_BENCH_CAPS:
            return True
        if re.search(r"[a-z][A-Z]|[A-Z]{2,}[a-z]", bare) and bare not in _NOT_BENCH_CAMEL:
            return True
        if not bare[0].isascii() and bare[0].isalpha():  # τ²-bench
            return True
    return False


def _qualifier_spans(text: str, taken: list[tuple[int, int]]) -> list[_Mention]:
    out = []
    for match in _QUALIFIER_RE.finditer(text):
        if any(match.start() < e and match.end() > s for s, e in taken):
            continue
        if match.group("tools"):
            label = re.sub(r"\s+", " ", match.group("tools")).lower()
        elif match.group("mode"):
            label = f"{match.group('mode')} mode"
        elif match.group("pass"):
            label = match.group("pass")
        else:
            label = match.group("effort").lower()
        out.append(_Mention(match.start(), match.end(), label, "qualifier"))
    return out


def _alias_model_names(alias_map: Mapping[str, Mapping[str, Sequence[str]]]) -> set[str]:
    names = set()
    for canonical, aliases in alias_map["models"].items():
        names.add(canonical)
        names.update(a for a in aliases if len(a) > 3)
    return names


def _primary_model(article: Article, matcher: _ModelMatcher) -> str | None:
    """The model an article is about: the one its title names, else one named far more often than any other."""
    title = normalize_text(article.title)
    in_title = {name_key(title[s:e]): title[s:e] for s, e in matcher.find(title)}
    if len(in_title) == 1:
        return next(iter(in_title.values()))
    body = normalize_text(article.body)
    counts: dict[str, int] = defaultdict(int)
    spelled: dict[str, str] = {}
    for start, end in matcher.find(body):
        key = name_key(body[start:end])
        counts[key] += 1
        spelled.setdefault(key, body[start:end])
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if ranked and ranked[0][1] >= 3 and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
        return spelled[ranked[0][0]]
    return None


def _heading_model(heading: str, matcher: _ModelMatcher) -> str | None:
    text = normalize_text(heading)
    found = {name_key(text[s:e]): text[s:e] for s, e in matcher.find(text)}
    return next(iter(found.values())) if len(found) == 1 else None


# ----------------------------------------------------------------------------------------------- prose


@dataclass(slots=True)
class _Context:
    benchmark: str | None = None
    benchmark_from: int | None = None  # paragraph offset of the sentence that named it
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
    qualifier: str = ""
    tokens_kind: str | None = None  # "output" etc. when the value counts tokens


def _facts_from_prose(article_id: str, layout: _Layout, matcher: _ModelMatcher, primary: str | None) -> list[_RawFact]:
    facts: list[_RawFact] = []
    for paragraph in layout.paragraphs:
        context = _Context()
        heading_model = _heading_model(paragraph.heading, matcher) if paragraph.heading else None
        for start, end in _sentence_spans(paragraph.text):
            sentence = paragraph.text[start:end]
            facts.extend(
                _facts_from_sentence(article_id, paragraph, start, sentence, matcher, context, heading_model or primary)
            )
    return facts


def _facts_from_sentence(
    article_id: str,
    paragraph: _Paragraph,
    offset: int,
    sentence: str,
    matcher: _ModelMatcher,
    context: _Context,
    fallback_model: str | None,
) -> list[_RawFact]:
    norm = _Normalized(sentence)
    text = norm.text
    model_spans = matcher.find(text)
    models = [_Mention(s, e, _display(norm.original_span(s, e)), MODEL) for s, e in model_spans]
    qualifiers = _qualifier_spans(text, model_spans)
    taken = model_spans + [(q.start, q.end) for q in qualifiers]
    benches = [
        _Mention(b.start, b.end, _display(norm.original_span(b.start, b.end)), BENCHMARK, b.strong)
        for b in _benchmark_runs(text, taken)
    ]
    masked = list(text)
    for mentions, mark in ((models, _M), (benches, _B), (qualifiers, _Q)):
        for mention in mentions:
            masked[mention.start : mention.end] = mark * (mention.end - mention.start)
    shadow = "".join(masked)

    values = _values_in(shadow, text)
    is_pronoun_start = bool(_PRONOUN_START_RE.match(text))
    attached: set[int] = set()
    for value in values:
        _attach_model(value, shadow, models, attached)
    for previous, value in itertools.pairwise(values):
        # "scored 31.2% without tools and 47.5% with tools": the second value is the same model's, in another setting.
        if value.model is None and not value.needs_subject and previous.model:
            gap = shadow[previous.end : value.start]
            after = shadow[value.end : value.end + 40]
            if re.fullmatch(rf"\s*(?:{_Q}+\s*)?,?\s*(?:and|or)\s+", gap) and (
                _Q in gap or re.match(rf"\s*{_Q}", after)
            ):
                value.model = previous.model
    unattached = [m for i, m in enumerate(models) if i not in attached]
    strong_benches = [b for b in benches if b.strong]
    lead = _ON_BENCH_LEAD_RE.match(shadow)
    lead_bench = next((b for b in benches if lead and b.start < lead.end() <= b.end), None)

    for value in values:
        _attach_benchmark(value, shadow, benches, strong_benches, lead_bench)
        if value.model is None and value.needs_subject:
            distinct = {name_key(m.text): m.text for m in unattached}
            if len(distinct) > 1:  # several candidates: only the sentence's subject, named before the value
                window = _subject_window(text)
                distinct = {name_key(m.text): m.text for m in unattached if m.end <= value.start and m.start <= window}
                if len(distinct) != 1:
                    continue
            if len(distinct) == 1:
                value.model = next(iter(distinct.values()))
            elif is_pronoun_start and context.subject:
                value.model = context.subject
            elif fallback_model and attached and value.benchmark:
                # "A Terminal-Bench 2.0 score of 59.0 trails GPT-5.4 (75.1)": a comparison whose unnamed side is the
                # model the section or the article is about (only with the benchmark named in the sentence).
                value.model = fallback_model

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

    _assign_qualifiers(values, qualifiers, text)
    _inherit_units(values)

    sentence_benchmarks = {name_key(b.text) for b in strong_benches}
    used_context = False
    facts: list[_RawFact] = []
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
            and is_pronoun_start
            and value.model == context.subject
        ):
            parts = (paragraph.text[context.subject_from : offset + len(sentence)],)
        facts.append(
            _RawFact(
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
    if lead_bench is not None:
        context.benchmark, context.benchmark_from = lead_bench.text, offset
    elif len(named_here) == 1:
        context.benchmark, context.benchmark_from = next(iter(named_here.values())), offset
    elif len(named_here) > 1:
        context.benchmark, context.benchmark_from = None, None
    if models and models[0].start <= _subject_window(text):
        context.subject, context.subject_from = models[0].text, offset
    return facts


def _subject_window(text: str) -> int:
    """How far into a sentence its subject may start ("For instance, on the X benchmark, Muse Spark …")."""
    match = re.match(r"^(?:[^,]{0,60},\s*){0,2}", text)
    return match.end() if match else 0


def _values_in(shadow: str, text: str) -> list[_Value]:
    values: list[_Value] = []
    for match in _NUMBER_RE.finditer(shadow):
        start, end = match.span(1)
        number = match.group(1)
        before, after = shadow[:start], text[end:]
        if after[:1] and (after[0].isalnum() and not re.match(r"[MBK](?![\w])", after)):
            continue  # "10x", "1st", "3B-parameter" stay words
        if re.match(r"\s?[x×]\b|-[A-Za-z]|\s?-?fold\b", after):
            continue
        unit_match = _UNIT_AFTER_RE.match(after)
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
                magnitude = _MAGNITUDES[word]
                is_magnitude = True
                value_text = text[start : end + unit_match.end()]
            unit_end = end + unit_match.end()
        rest = shadow[unit_end:]
        if _DIFFERENCE_BEFORE_RE.search(before) or _DIFFERENCE_AFTER_RE.match(shadow[end:]):
            continue
        plain = number.replace(",", "")
        if (
            not unit
            and not is_magnitude
            and re.fullmatch(r"(?:19|20)\d\d", plain)
            and (_DATE_BEFORE_RE.search(before) or not re.match(r"\s*\)", rest))
        ):
            continue  # a year
        tokens_match = _TOKENS_AFTER_RE.match(rest)
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
    if stripped[0] in ",.;:)]—-–?!\"'" or stripped[0] in (_M, _B, _Q):
        return True
    word = re.match(r"[A-Za-z]+", stripped)
    return word is not None and word.group(0).lower() in _NEXT_WORDS


def _attach_model(value: _Value, shadow: str, models: list[_Mention], attached: set[int]) -> None:
    """The model the text ties ``value`` to, or a note that it is the sentence subject's ("a score of 59.0")."""
    before = shadow[: value.start]
    after = shadow[value.end :]
    index = None
    for pattern in (_PAREN_BEFORE_RE, _POSSESSIVE_BEFORE_RE, _LEADS_BEFORE_RE, _VERB_BEFORE_RE, _AT_BEFORE_RE,
                    _LIST_BEFORE_RE):  # fmt: skip
        match = pattern.search(before)
        if match is None or (pattern is _PAREN_BEFORE_RE and not _PAREN_AFTER_RE.match(after)):
            continue
        index = _model_at(match.start(), models)
        break
    if index is None and value.tokens_kind is not None and (match := _COUNT_VERB_BEFORE_RE.search(before)):
        index = _model_at(match.start(), models)
    if index is None and (match := _FOR_MODEL_AFTER_RE.match(after)):
        index = _model_at(value.end + match.end() - 1, models)
    if index is not None:
        value.model = models[index].text
        attached.add(index)
        return
    value.needs_subject = bool(
        _PRONOUN_VERB_BEFORE_RE.search(before)  # "it reaches 61.5%"
        or (value.unit and re.search(r"\bwith\s+$", before))  # "ranks first … with 1,502 Elo"
        or _SUBJECT_BEFORE_RE.search(before)  # "scoring 52 points", "A … score of 59.0", "(score: 52)"
        or _SUBJECT_AFTER_SCORE_RE.match(shadow[value.start + len(value.number) :])  # "An 80.5% score on"
    )


def _model_at(position: int, models: list[_Mention]) -> int | None:
    """Index of the model mention that covers ``position``."""
    return next((i for i, m in enumerate(models) if m.start <= position < m.end), None)


def _attach_benchmark(
    value: _Value,
    shadow: str,
    benches: list[_Mention],
    strong: list[_Mention],
    lead: _Mention | None,
) -> None:
    after = shadow[value.end :]
    match = _BENCH_AFTER_RE.match(after)
    if match:
        position = value.end + match.end() - 1
        bench = next((b for b in benches if b.start <= position < b.end), None)
        if bench is not None:
            value.benchmark = bench.text
            return
    before = shadow[: value.start]
    match = _BENCH_BEFORE_RE.search(before)
    if match:
        bench = next((b for b in benches if b.start <= match.start() < b.end), None)
        if bench is not None:
            value.benchmark = bench.text
            return
    match = _LEADS_BEFORE_RE.search(before)
    if match:
        position = match.start() + shadow[match.start() :].find(_B)
        bench = next((b for b in benches if b.start <= position < b.end), None)
        if bench is not None:
            value.benchmark = bench.text
            return
    if lead is not None and lead.strong:
        value.benchmark = lead.text
        return
    distinct = {name_key(b.text): b.text for b in strong}
    if len(distinct) == 1:
        value.benchmark = next(iter(distinct.values()))


def _assign_qualifiers(values: list[_Value], qualifiers: list[_Mention], text: str) -> None:
    """Each qualifier goes to the nearest value of its clause (else to the value just before it); one that opens
    the sentence ("With tools enabled, …") goes to every value that has none of its own."""
    scored = [v for v in values if v.model]
    if not scored:
        return
    first_value = min(v.start for v in scored)
    breaks = [m.start() for m in re.finditer(r"[;,](?!\d)|\s(?:while|whereas|but)\s", text)]

    def clause(position: int) -> int:
        return sum(1 for b in breaks if b < position)

    leading = [
        q for q in qualifiers if q.end <= first_value and not re.search(r"[A-Za-z]{3,}", _strip_intro(text[: q.start]))
    ]
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
    for qualifier in leading:
        for value in scored:
            value.qualifier = value.qualifier or qualifier.text


def _strip_intro(text: str) -> str:
    return re.sub(r"^\s*(?:in|with|without|using|when|on)?\s*$", "", text, flags=re.I)


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


# ----------------------------------------------------------------------------------------------- tables


@dataclass(frozen=True, slots=True)
class _Column:
    kind: str  # "model" | "benchmark" | "score" (a generic score column) | "skip"
    name: str
    unit: str = ""
    qualifier: str = ""


def _learn_table_models(layouts: Iterable[_Layout]) -> set[str]:
    """Names in the first column of tables under a "Model" header: models even when no family matches."""
    learned: set[str] = set()
    for layout in layouts:
        for table in layout.tables:
            header, rows = _table_cells(table)
            column = next((i for i, cell in enumerate(header) if _clean_cell(cell).lower() in _MODEL_HEADERS), None)
            if column is not None:
                for _line, cells in rows:
                    label = _split_label(cells[column])[0] if len(cells) > column else ""
                    if label and label.lower() not in _NOT_MODEL_ROWS and not _CELL_VALUE_RE.match(label):
                        learned.add(label)
    return learned


def _clean_cell(cell: str) -> str:
    cell = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", cell)  # [text](link)
    cell = re.sub(r"\*\*|__|`", "", cell)
    return _display(cell).strip().strip("*_ ").rstrip("*†‡§¹³⁴").strip()


def _display(text: str) -> str:
    """A name as written, with typographic quotes, dashes and spaces made plain ("Humanity’s" -> "Humanity's")."""
    return text.translate(_PLAIN)


def _is_header_line(line: str) -> bool:
    words = line.split()
    return bool(words) and (words[0].lower() in _MODEL_HEADERS | _BENCH_HEADERS or not re.search(r"\d\s*%?\s*$", line))


def _table_cells(table: _Table) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(header cells, [(row line, row cells)]) of a pipe table or a plain-text table; ([], []) when unusable."""
    if table.is_pipe:
        if len(table.lines) < 3 or not _PIPE_SEPARATOR_RE.match(table.lines[1].strip()):
            return [], []
        lines = [table.lines[0], *table.lines[2:]]
        split = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
        return split[0], list(zip(lines[1:], split[1:], strict=True))
    lines = list(table.lines)
    if not _is_header_line(lines[0]):
        return [], []
    header_line, data = lines[0].strip(), lines[1:]
    if any("\t" in line or re.search(r"\S {2,}\S", line.strip()) for line in lines):
        return re.split(r"\t+| {2,}", header_line), [(line, re.split(r"\t+| {2,}", line.strip())) for line in data]
    # Single-space columns: "<label> <value>" rows under "<Model> <what the values are>".
    rows = []
    for line in data:
        match = re.match(r"^(.*?)\s+(\S+)$", line.strip())
        rows.append((line, [match.group(1), match.group(2)] if match else [line.strip()]))
    words = header_line.split()
    if words[0].lower() in _MODEL_HEADERS | _BENCH_HEADERS:
        return [words[0], " ".join(words[1:])], rows
    return ["", header_line], rows


def _split_label(cell: str) -> tuple[str, str, str]:
    """(name, unit, qualifier) of a header or row label: "HLE (with tools)" -> ("HLE", "", "with tools").

    A parenthesis that is neither a unit nor a known setting is kept as the qualifier ("τ²-bench (retail)").
    """
    text = _clean_cell(cell)
    unit = qualifier = ""
    for inner in re.findall(r"\(([^()]*)\)", text):
        low = inner.strip().lower()
        if low in {"%", "percent", "% correct", "accuracy %", "acc %", "accuracy"}:
            unit = "%"
        elif low in {"elo", "elo rating"}:
            unit = "Elo"
        elif low in {"points", "pts"}:
            unit = "points"
        elif low:
            spans = _qualifier_spans(inner, []) or _qualifier_spans(f"({inner})", [])
            qualifier = spans[0].text if spans else re.sub(r"\s+", " ", inner.strip())
    name = re.sub(r"\s*\([^()]*\)", "", text).strip()
    if re.search(r"\s(?:Elo|ELO)$", name):
        name, unit = name[:-4].strip(), unit or "Elo"
    words = name.split()
    while len(words) > 1 and words[-1].capitalize() in _TRAILING_WORDS:
        words.pop()
    return " ".join(words), unit, qualifier


def _column_of(cell: str, matcher: _ModelMatcher) -> _Column:
    name, unit, qualifier = _split_label(cell)
    low = _clean_cell(cell).lower()
    first_word = re.findall(r"[a-z#]+", low)[:1]
    if not low or "$" in low or (first_word and first_word[0] in _SKIP_HEADERS) or low in _SKIP_HEADERS:
        return _Column("skip", name)
    if matcher.is_model(name):
        return _Column(MODEL, name, unit, qualifier)
    if name.lower() in _SCORE_HEADERS:
        return _Column("score", "", unit or ("Elo" if name.lower() == "elo" else ""), qualifier)
    return _Column(BENCHMARK, name, unit, qualifier)


def _parse_cell_value(cell: str) -> tuple[str, float, str] | None:
    match = _CELL_VALUE_RE.match(cell.strip())
    if not match:
        return None
    number, unit = match.group("num"), match.group("unit") or ""
    if unit in {"M", "B", "K"}:
        return None  # sizes and prices, not scores
    value_text = number + ("%" if unit == "%" else "")
    return value_text, float(number.replace(",", "")), {"ELO": "Elo", "pts": "points"}.get(unit, unit)


def _facts_from_tables(article_id: str, layout: _Layout, matcher: _ModelMatcher) -> list[_RawFact]:
    """Facts from models × benchmarks tables, benchmark-rows × model-columns tables, and long (model,
    benchmark, score) tables; a table with one generic score column takes its benchmark from the sentence
    that introduces it or from its heading."""
    facts: list[_RawFact | None] = []
    for table in layout.tables:
        header, rows = _table_cells(table)
        if not header or not rows:
            continue
        first = _clean_cell(header[0]).lower()
        columns = [_column_of(cell, matcher) for cell in header[1:]]
        model_columns = sum(c.kind == MODEL for c in columns)
        if model_columns >= 2 or (model_columns and first in _BENCH_HEADERS):
            for line, cells in rows:  # one benchmark per row, one model per column
                name, unit, qualifier = _split_label(cells[0])
                if not name or matcher.is_model(name) or not _is_benchmark_label(name):
                    continue
                if _column_of(cells[0], matcher).kind == "skip":  # "Context window", "Price", "Release"
                    continue
                for column, cell in zip(columns, cells[1:], strict=False):
                    if column.kind == MODEL:
                        facts.append(
                            _cell_fact(article_id, table, line, name, column.name, cell,
                                       unit or column.unit, qualifier or column.qualifier)
                        )  # fmt: skip
            continue
        label_col = _model_column(header, rows, matcher)
        if label_col is None:
            continue
        long_form = _long_form_columns(header)
        for line, cells in rows:
            if len(cells) <= label_col:
                continue
            model, _unit, model_qualifier = _split_label(cells[label_col])
            if not model or model.lower() in _NOT_MODEL_ROWS:
                continue
            if long_form is not None:
                bench_col, score_col = long_form
                if len(cells) > max(bench_col, score_col):
                    name, unit, qualifier = _split_label(cells[bench_col])
                    if _is_benchmark_label(name):
                        fact = _cell_fact(article_id, table, line, name, model, cells[score_col], unit,
                                          qualifier or model_qualifier)  # fmt: skip
                        facts.append(fact)
                continue
            for index, column in enumerate(columns, start=1):
                if index != label_col and column.kind in (BENCHMARK, "score") and len(cells) > index:
                    benchmark = _table_benchmark(column.name, table, matcher)
                    facts.append(
                        _cell_fact(article_id, table, line, benchmark, model, cells[index], column.unit,
                                   column.qualifier or model_qualifier)
                    )  # fmt: skip
    return [fact for fact in facts if fact is not None]


def _model_column(header: list[str], rows: list[tuple[str, list[str]]], matcher: _ModelMatcher) -> int | None:
    """The column that names the models: headed "Model", else the first one whose cells are mostly models."""
    for index, cell in enumerate(header):
        if _clean_cell(cell).lower() in _MODEL_HEADERS:
            return index
    for index in range(len(header)):
        labels = [_split_label(cells[index])[0] for _, cells in rows if len(cells) > index]
        if sum(1 for label in labels if matcher.is_model(label)) >= max(2, (len(labels) + 1) // 2):
            return index
    return None


def _cell_fact(
    article_id: str, table: _Table, line: str, benchmark: str, model: str, cell: str, unit: str, qualifier: str
) -> _RawFact | None:
    """The fact one table cell states; its quote is the header line and the row."""
    parsed = _parse_cell_value(cell)
    if parsed is None or not benchmark or not model:
        return None
    value_text, value, cell_unit = parsed
    offset = table.position + sum(len(row) + 1 for row in table.lines[: table.lines.index(line)])
    return _RawFact(
        benchmark=benchmark,
        model=model,
        value_text=value_text,
        value=value,
        unit=cell_unit or unit,
        qualifier=qualifier,
        article_id=article_id,
        parts=(table.lines[0], line),
        fallback=(line,),
        position=offset + max(line.find(cell.strip()), 0),
        from_table=True,
    )


def _is_benchmark_label(name: str) -> bool:
    return _looks_like_benchmark(name.split()) or bool(re.search(r"[A-Z]", name))


def _long_form_columns(header: list[str]) -> tuple[int, int] | None:
    """(benchmark column, score column) of a "| Model | Benchmark | Score |" table, else None."""
    lows = [_split_label(h)[0].lower() for h in header]
    bench = next((i for i, h in enumerate(lows) if h in _BENCH_HEADERS), None)
    score = next((i for i, h in enumerate(lows) if h in _SCORE_HEADERS), None)
    return (bench, score) if bench is not None and score is not None and bench != score else None


def _table_benchmark(label: str, table: _Table, matcher: _ModelMatcher) -> str:
    """The benchmark of a table column: its header, widened by the sentence introducing the table ("… on the
    Artificial Analysis Intelligence Index v4.0:") or the heading; a generic "Score" column takes the one
    benchmark they name."""
    label_tokens = key_tokens(label)
    for source in (table.intro, table.heading):
        if not source:
            continue
        norm = _Normalized(source)
        runs = _benchmark_runs(norm.text, matcher.find(norm.text))
        names = [_display(norm.original_span(b.start, b.end)) for b in runs if b.strong]
        if label_tokens:
            wider = [n for n in names if _contains_run(key_tokens(n), label_tokens)]
            if wider:
                return max(wider, key=len)
        elif len({name_key(n) for n in names}) == 1:
            return names[0]
    return label if label and _looks_like_benchmark(label.split()) else ""


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


# ----------------------------------------------------------------------------------------------- finishing


def _finalize(
    raw: list[_RawFact],
    articles: Sequence[Article],
    chunks: Sequence[Chunk],
    alias_map: Mapping[str, Mapping[str, Sequence[str]]],
) -> tuple[BenchmarkFact, ...]:
    model_names = canonicalize_names([f.model for f in raw], MODEL, alias_map)
    bench_names = canonicalize_names([f.benchmark for f in raw], BENCHMARK, alias_map)
    order = {article.id: i for i, article in enumerate(articles)}
    raw.sort(key=lambda f: (order.get(f.article_id, len(order)), f.position))

    kept: list[_RawFact] = []
    seen: set[tuple[str, str, str, str, float]] = set()
    for fact in raw:
        fact.model = model_names.get(fact.model, fact.model)
        fact.benchmark = bench_names.get(fact.benchmark, fact.benchmark)
        key = (fact.article_id, fact.benchmark, fact.model, fact.qualifier, round(fact.value, 6))
        if key in seen:
            continue
        seen.add(key)
        kept.append(fact)
    kept = _drop_family_restatements(kept)
    _harmonize_units(kept)

    by_article: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        by_article[chunk.article_id].append(chunk)
    for article_chunks in by_article.values():
        article_chunks.sort(key=lambda c: c.ordinal)

    facts: list[BenchmarkFact] = []
    for fact in kept:
        placed = _place_quote(fact, by_article.get(fact.article_id, []))
        if placed is None:
            log.warning("fact %s / %s = %s: quote not found in any chunk of %s; dropped",
                        fact.benchmark, fact.model, fact.value_text, fact.article_id)  # fmt: skip
            continue
        chunk_id, quote = placed
        facts.append(
            BenchmarkFact(
                benchmark=fact.benchmark,
                model=fact.model,
                value_text=fact.value_text,
                value=fact.value,
                unit=fact.unit,
                article_id=fact.article_id,
                chunk_id=chunk_id,
                quote=quote,
                qualifier=fact.qualifier,
            )
        )
    log.info("extracted %d benchmark facts from %d articles", len(facts), len(articles))
    return tuple(facts)


def _harmonize_units(facts: list[_RawFact]) -> None:
    """One unit per benchmark where the articles agree on it: "1,427 points" on an Elo benchmark is Elo, and a
    bare "57" in a table of a "points" index is points."""
    units: dict[str, set[str]] = defaultdict(set)
    for fact in facts:
        if fact.unit:
            units[fact.benchmark].add(fact.unit)
    for fact in facts:
        found = units.get(fact.benchmark, set())
        if len(found) == 2 and "points" in found:
            found = found - {"points"}
        if len(found) == 1 and fact.unit in ("", "points"):
            fact.unit = next(iter(found))


def _drop_family_restatements(facts: list[_RawFact]) -> list[_RawFact]:
    """Within one article, "Gemini 3.1 Pro (57)" in a later summary restates the table's "Gemini 3.1 Pro Preview
    57": the same fact under the family name. Only a sentence is read so; a table row, or a sentence naming both
    variants, states two facts (two variants may tie)."""
    groups: dict[tuple[str, str, str, float], list[_RawFact]] = defaultdict(list)
    for fact in facts:
        groups[(fact.article_id, fact.benchmark, fact.qualifier, round(fact.value, 6))].append(fact)
    dropped: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        for fact in group:
            tokens = key_tokens(fact.model)
            if not fact.from_table and any(
                other is not fact
                and other.parts != fact.parts
                and len(key_tokens(other.model)) > len(tokens)
                and key_tokens(other.model)[: len(tokens)] == tokens
                for other in group
            ):
                dropped.add(id(fact))
    return [f for f in facts if id(f) not in dropped]


def _place_quote(fact: _RawFact, chunks: list[Chunk]) -> tuple[str, str] | None:
    """(chunk id, quote): the first chunk whose text holds the quote (or its shorter fallback)."""
    if not chunks:
        return "", "\n".join(fact.parts)
    for parts in (fact.parts, fact.fallback):
        for chunk in chunks:
            if all(part in chunk.text for part in parts):
                return chunk.id, "\n".join(parts)
    squeeze = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    target = squeeze(fact.fallback[-1])
    for chunk in chunks:
        if target in squeeze(chunk.text):
            return chunk.id, target
    return None


# ================================================================================================ persistence


def facts_to_dicts(facts: Iterable[BenchmarkFact]) -> list[dict[str, object]]:
    return [asdict(fact) for fact in facts]


def facts_from_dicts(items: Iterable[Mapping[str, object]]) -> tuple[BenchmarkFact, ...]:
    fields = set(BenchmarkFact.__dataclass_fields__)
    out = []
    for item in items:
        data = {k: v for k, v in item.items() if k in fields}
        data["value"] = float(data["value"])  # type: ignore[arg-type]
        out.append(BenchmarkFact(**data))  # type: ignore[arg-type]
    return tuple(out)


def save_facts(path: Path, facts: Iterable[BenchmarkFact]) -> None:
    """Write facts as JSON atomically (temporary file in the same folder, then ``os.replace``)."""
    path = Path(path)
    payload = {"schema_version": FACTS_SCHEMA_VERSION, "facts": facts_to_dicts(facts)}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_facts(path: Path) -> tuple[BenchmarkFact, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = data["facts"] if isinstance(data, dict) else data
    return facts_from_dicts(items)


# ================================================================================================ lookups


def is_lower_better(benchmark: str, unit: str = "") -> bool:
    """Token counts, costs and times: less is better."""
    return unit == "tokens" or bool(re.search(r"\b(?:tokens?|cost|price|latency|time|seconds)\b", benchmark, re.I))


def _decimals(value_text: str) -> int:
    match = re.search(r"\.(\d+)", value_text)
    return len(match.group(1)) if match else 0


def _conflict_key(fact: BenchmarkFact) -> tuple[str, str, str]:
    return fact.benchmark, fact.model, fact.qualifier


def find_conflicts(facts: Iterable[BenchmarkFact]) -> tuple[Conflict, ...]:
    """(benchmark, model, qualifier) pairs that the facts give different values for."""
    groups: dict[tuple[str, str, str], list[BenchmarkFact]] = defaultdict(list)
    for fact in facts:
        groups[_conflict_key(fact)].append(fact)
    out = []
    for (benchmark, model, _qualifier), group in groups.items():
        if len({round(f.value, 6) for f in group}) > 1:
            out.append(Conflict(benchmark=benchmark, model=model, facts=tuple(group)))
    return tuple(out)


def describe_conflict(conflict: Conflict) -> str:
    """One readable line: "GDPval-AA · Muse Spark: 1,444 (a) vs 1,427 (b)"."""
    shown = " vs ".join(f"{f.value_text} ({f.article_id})" for f in conflict.facts)
    qualifier = next((f.qualifier for f in conflict.facts if f.qualifier), "")
    label = f"{conflict.benchmark} ({qualifier})" if qualifier else conflict.benchmark
    return f"{label} · {conflict.model}: {shown}"


def diff_facts(
    old: Iterable[BenchmarkFact], new: Iterable[BenchmarkFact]
) -> tuple[tuple[FactChange, ...], tuple[str, ...], tuple[str, ...]]:
    """What a re-index changed: (fact changes, conflicts introduced, conflicts resolved) as readable lines."""
    old, new = tuple(old), tuple(new)

    def by_key(facts: tuple[BenchmarkFact, ...]) -> dict[tuple[str, str, str, str], str]:
        grouped: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
        for f in facts:
            grouped[(f.benchmark, f.model, f.qualifier, f.article_id)].append(f.value_text)
        return {k: " / ".join(v) for k, v in grouped.items()}

    before, after = by_key(old), by_key(new)
    changes = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            benchmark, model, qualifier, article_id = key
            label = f"{benchmark} ({qualifier})" if qualifier else benchmark
            changes.append(FactChange(label, model, article_id, before.get(key, ""), after.get(key, "")))
    old_conflicts = {_conflict_key(c.facts[0]): describe_conflict(c) for c in find_conflicts(old)}
    new_conflicts = {_conflict_key(c.facts[0]): describe_conflict(c) for c in find_conflicts(new)}
    introduced = tuple(line for key, line in new_conflicts.items() if old_conflicts.get(key) != line)
    resolved = tuple(line for key, line in old_conflicts.items() if key not in new_conflicts)
    return tuple(changes), introduced, resolved


SourceLookup = Mapping[str, SourceRef] | Callable[[str], SourceRef | None]


class FactTable:
    """Benchmark lookups over the facts of one index build: tables, model pages, comparisons, conflicts.

    ``articles`` maps an article id to its SourceRef (or is a function doing so). Building is cheap
    (one pass over the facts); lookups are dictionary reads.
    """

    def __init__(
        self,
        facts: Iterable[BenchmarkFact],
        articles: SourceLookup | None = None,
        catalog: NameCatalog | None = None,
    ) -> None:
        self.facts = tuple(facts)
        self._articles = articles if articles is not None else {}
        self.catalog = catalog if catalog is not None else NameCatalog.from_facts(self.facts)
        self._by_benchmark: dict[str, list[BenchmarkFact]] = defaultdict(list)
        self._by_model: dict[str, list[BenchmarkFact]] = defaultdict(list)
        for fact in self.facts:
            self._by_benchmark[fact.benchmark].append(fact)
            self._by_model[fact.model].append(fact)
        self._article_order = {aid: i for i, aid in enumerate(dict.fromkeys(f.article_id for f in self.facts))}
        self._conflicts = find_conflicts(self.facts)

    # ----- names ---------------------------------------------------------------------------------

    def known_benchmarks(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_benchmark, key=str.casefold))

    def known_models(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_model, key=str.casefold))

    def _names(self, kind: str) -> tuple[str, ...]:
        return self.known_benchmarks() if kind == BENCHMARK else self.known_models()

    def _unknown(self, name: str, kind: str) -> UnknownNameError:
        return UnknownNameError(name, kind, self.catalog.suggest(name, kind), self._names(kind))

    def resolve_benchmark(self, name: str) -> str:
        resolved = self.catalog.resolve_benchmark(name)
        if resolved is None or resolved not in self._by_benchmark:
            raise self._unknown(name, BENCHMARK)
        return resolved

    def resolve_model(self, name: str) -> str:
        resolved = self.catalog.resolve_forgiving(name, MODEL)
        if resolved is None or resolved not in self._by_model:
            raise self._unknown(name, MODEL)
        return resolved

    def _benchmarks_named(self, name: str) -> tuple[str, ...]:
        """The benchmark ``name`` stands for; else the benchmarks it is the first words of ("τ²-bench" before
        "… Telecom" and "… Retail"); else none."""
        resolved = self.catalog.resolve_benchmark(name)
        if resolved is not None:
            return (resolved,) if resolved in self._by_benchmark else ()
        family = tuple(b for b in self.catalog.family(name, BENCHMARK) if b in self._by_benchmark)
        if family:
            return family
        forgiven = self.catalog.resolve_forgiving(name, BENCHMARK)
        return (forgiven,) if forgiven in self._by_benchmark else ()

    def complete(self, partial: str, kind: str, limit: int = 25) -> list[str]:
        """Names for autocomplete: prefix matches, then substring and word-prefix matches, then fuzzy ones."""
        names = self._names(kind)
        key = name_key(partial)
        if not key:
            return list(names[:limit])
        compact = key.replace(" ", "")
        query_tokens = key.split()
        ranked: list[tuple[int, str]] = []
        for name in names:
            name_tokens = key_tokens(name)
            spaced = " ".join(name_tokens)
            joined = spaced.replace(" ", "")
            if spaced.startswith(key) or joined.startswith(compact):
                rank = 0
            elif any(spaced[i:].startswith(key) for i in range(len(spaced)) if i == 0 or spaced[i - 1] == " "):
                rank = 1
            elif key in spaced or compact in joined:
                rank = 2
            elif all(any(t.startswith(q) for t in name_tokens) for q in query_tokens):
                rank = 3
            else:
                continue
            ranked.append((rank, name))
        resolved = self.catalog.resolve(partial, kind)
        out = ([resolved] if resolved in names else []) + [
            n for _, n in sorted(ranked, key=lambda r: (r[0], r[1].casefold()))
        ]
        if len(compact) >= 3:
            out += self.catalog.suggest(partial, kind, limit=limit)
        return list(dict.fromkeys(n for n in out if n in names))[:limit]

    def detect_lookup(self, question: str) -> tuple[str | None, tuple[str, ...]]:
        """(benchmark, models) a free-text question names, for answering a lookup in disguise."""
        benchmarks, models = self.catalog.find_mentions(question)
        benchmark = next((b for b in benchmarks if b in self._by_benchmark), None)
        return benchmark, tuple(m for m in models if m in self._by_model)

    # ----- lookups -------------------------------------------------------------------------------

    def _source(self, article_id: str) -> SourceRef:
        ref = self._articles(article_id) if callable(self._articles) else self._articles.get(article_id)
        return ref or SourceRef(article_id=article_id, title=article_id, outlet="")

    def _sources(self, facts: Iterable[BenchmarkFact]) -> tuple[SourceRef, ...]:
        ids = sorted({f.article_id for f in facts}, key=lambda a: (self._article_order.get(a, 0), a))
        return tuple(self._source(a) for a in ids)

    def _row(self, label: str, facts: Sequence[BenchmarkFact], lower_better: bool) -> ScoreRow:
        ordered = sorted(
            facts, key=lambda f: (f.value if lower_better else -f.value, self._article_order.get(f.article_id, 0))
        )
        return ScoreRow(label=label, facts=tuple(ordered), is_conflict=len({round(f.value, 6) for f in facts}) > 1)

    def benchmark_table(self, name: str) -> BenchmarkTable:
        """Every model's score on one benchmark, best first; rows whose sources disagree are conflicts.

        A name that starts several benchmarks ("τ²-bench" before "… Telecom" and "… Retail") shows each of
        them in turn, its rows labelled with the benchmark.
        """
        benchmarks = self._benchmarks_named(name)
        if not benchmarks:
            raise self._unknown(name, BENCHMARK)
        label_benchmark = len(benchmarks) > 1
        rows: list[ScoreRow] = []
        for benchmark in benchmarks:
            facts = self._by_benchmark[benchmark]
            lower_better = is_lower_better(benchmark, facts[0].unit if facts else "")
            groups: dict[tuple[str, str], list[BenchmarkFact]] = defaultdict(list)
            for fact in facts:
                groups[(fact.model, fact.qualifier)].append(fact)
            group_rows = [
                self._row(
                    (f"{model} ({qualifier})" if qualifier else model) + (f" — {benchmark}" if label_benchmark else ""),
                    group,
                    lower_better,
                )
                for (model, qualifier), group in groups.items()
            ]
            group_rows.sort(key=lambda r: (r.facts[0].value if lower_better else -r.facts[0].value, r.label.casefold()))
            rows.extend(group_rows)
        all_facts = [f for benchmark in benchmarks for f in self._by_benchmark[benchmark]]
        shown = name.strip() if label_benchmark else benchmarks[0]
        return BenchmarkTable(benchmark=shown, rows=tuple(rows), sources=self._sources(all_facts))

    def model_table(self, name: str) -> ModelTable:
        """Every benchmark the articles give for a model; a family name ("Gemini 3.1 Pro") shows its variants."""
        family = tuple(m for m in self.catalog.family(name) if m in self._by_model)
        if not family and (forgiven := self.catalog.resolve_forgiving(name, MODEL)) in self._by_model:
            family = tuple(m for m in self.catalog.family(forgiven) if m in self._by_model) or (forgiven,)
        if not family:
            raise self._unknown(name, MODEL)
        resolved = self.catalog.resolve_model(name)
        label_model = len(family) > 1
        groups: dict[tuple[str, str, str], list[BenchmarkFact]] = defaultdict(list)
        for model in family:
            for fact in self._by_model[model]:
                groups[(fact.benchmark, fact.qualifier, model)].append(fact)
        rank = {m: i for i, m in enumerate(family)}
        rows = []
        for (benchmark, qualifier, model), group in sorted(
            groups.items(), key=lambda item: (item[0][0].casefold(), rank[item[0][2]], item[0][1])
        ):
            label = benchmark + (f" ({qualifier})" if qualifier else "") + (f" — {model}" if label_model else "")
            rows.append(self._row(label, group, is_lower_better(benchmark, group[0].unit)))
        all_facts = [f for model in family for f in self._by_model[model]]
        shown = resolved if resolved in self._by_model else (family[0] if len(family) == 1 else name.strip())
        return ModelTable(model=shown, rows=tuple(rows), sources=self._sources(all_facts))

    def compare(self, a: str, b: str) -> Comparison:
        """Two models on the benchmarks they share (difference a − b), then what only one of them has."""
        model_a, model_b = self.resolve_model(a), self.resolve_model(b)
        by_a = self._by_measure(model_a)
        by_b = self._by_measure(model_b)
        shared = []
        for key in sorted(set(by_a) & set(by_b), key=lambda k: (k[0].casefold(), k[1])):
            facts_a, facts_b = by_a[key], by_b[key]
            lower_better = is_lower_better(key[0], facts_a[0].unit)
            row_a, row_b = self._row("", facts_a, lower_better), self._row("", facts_b, lower_better)
            shared.append(
                ComparisonRow(
                    benchmark=f"{key[0]} ({key[1]})" if key[1] else key[0],
                    a=row_a.facts,
                    b=row_b.facts,
                    difference=_difference(facts_a, facts_b),
                )
            )

        def only(mine: dict[tuple[str, str], list[BenchmarkFact]], other: dict) -> tuple[ScoreRow, ...]:
            return tuple(
                self._row(f"{k[0]} ({k[1]})" if k[1] else k[0], v, is_lower_better(k[0], v[0].unit))
                for k, v in sorted(mine.items(), key=lambda kv: (kv[0][0].casefold(), kv[0][1]))
                if k not in other
            )

        facts = [*self._by_model[model_a], *self._by_model[model_b]]
        return Comparison(
            model_a=model_a,
            model_b=model_b,
            shared=tuple(shared),
            only_a=only(by_a, by_b),
            only_b=only(by_b, by_a),
            sources=self._sources(facts),
        )

    def _by_measure(self, model: str) -> dict[tuple[str, str], list[BenchmarkFact]]:
        out: dict[tuple[str, str], list[BenchmarkFact]] = defaultdict(list)
        for fact in self._by_model[model]:
            out[(fact.benchmark, fact.qualifier)].append(fact)
        return out

    def conflicts(self) -> tuple[Conflict, ...]:
        return self._conflicts

    def facts_for(
        self, benchmark: str, models: Sequence[str] = ()
    ) -> tuple[tuple[BenchmarkFact, ...], tuple[Conflict, ...]]:
        """Facts on one benchmark, best first, with conflicts (a name that starts several: each in turn).

        When ``models`` are named, only their facts (and their variants'): none when the articles give no score
        for them, rather than other models' scores that would read as the answer.
        """
        benchmarks = self._benchmarks_named(benchmark)
        facts = [f for name in benchmarks for f in self._by_benchmark[name]]
        if models:
            wanted = {m for name in models for m in self.catalog.family(name)}
            facts = [f for f in facts if f.model in wanted]
        if not facts:
            return (), ()
        lower_better = {name: is_lower_better(name, self._by_benchmark[name][0].unit) for name in benchmarks}
        rank = {name: i for i, name in enumerate(benchmarks)}
        ordered = tuple(
            sorted(facts, key=lambda f: (rank[f.benchmark], f.value if lower_better[f.benchmark] else -f.value))
        )
        return ordered, find_conflicts(ordered)


def _difference(a: Sequence[BenchmarkFact], b: Sequence[BenchmarkFact]) -> float | None:
    values_a = {round(f.value, 6) for f in a}
    values_b = {round(f.value, 6) for f in b}
    units = {f.unit for f in (*a, *b) if f.unit}
    if len(values_a) != 1 or len(values_b) != 1 or len(units) > 1:
        return None
    digits = max(_decimals(f.value_text) for f in (*a, *b))
    return round(next(iter(values_a)) - next(iter(values_b)), digits)
