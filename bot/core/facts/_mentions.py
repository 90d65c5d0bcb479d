"""Names in text: model names (vendor families with versions and variants, plus names learned from tables),
benchmark-like name phrases, and qualifiers ("with tools", "in Thinking mode", "pass@1", "(high)")."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.facts._patterns import word_set
from bot.core.models import Article
from bot.core.names import BENCHMARK, name_key
from bot.core.text import normalize_text

_FAMILIES = (
    "GPT", "ChatGPT", "Claude", "Gemini", "Gemma", "Llama", "LLaMA", "Grok", "DeepSeek", "Deepseek", "Qwen", "QwQ",
    "Mistral", "Magistral", "Devstral", "Codestral", "Mixtral", "Muse", "Phi", "Kimi", "GLM", "Nova", "Command",
    "Nemotron", "MiniMax", "Olmo", "OLMo", "Jamba", "Ernie", "ERNIE", "Hunyuan",
)  # fmt: skip
_VARIANT_WORDS = word_set(
    """Pro Preview Flash Flash-Lite Lite Ultra Nano Mini Max Plus Turbo Opus Sonnet Haiku Instant Maverick Scout
    Behemoth Heavy Fast Coder Codex Large Medium Small Exp Experimental Terminus Speciale Vision Omni Air Chat
    Reasoner Instruct Deep Think Spark R A mini nano pro max plus turbo flash lite preview high low medium xhigh
    instruct chat coder codex"""
)
# Capitalised words that never make "<family> <Word>" a model name.
_NOT_VARIANT = word_set(
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
_LEADING_WORDS = word_set(
    """The A An On In For At This That These Its Their Our While With And But Of As By From To Meanwhile Also
    Then Yet So Even Still"""
)
TRAILING_WORDS = word_set("Score Scores Result Results Benchmark Benchmarks Evaluation Leaderboard Rating")
_LOWER_CONTINUATION = frozenset({"verified", "diamond", "hard", "lite", "pro", "multilingual", "extended", "bench"})
_BENCH_KEYWORDS = word_set(
    """Index Exam Arena Verified Diamond Hard Test Leaderboard Benchmark Bench QA Eval Olympiad Challenge Pro
    Lite Math Code Lab"""
)
_NOT_BENCH_CAPS = word_set(
    """API APIs CEO CTO CFO GPU GPUs CPU TPU USA FAQ ELO LLM LLMs AGI ASI SOTA RLHF USD EUR IPO SEC FTC NASA NYSE
    AWS MSL FAIR MoE HTML JSON PDF URL CSV UK US EU"""
)
_NOT_BENCH_CAMEL = word_set(
    """WhatsApp ChatGPT OpenAI DeepMind GitHub GitLab YouTube LinkedIn TikTok iPhone iPad PlayStation xAI MacBook
    PowerPoint JavaScript TypeScript HuggingFace DeepSeek MiniMax SambaNova CoreWeave OpenRouter LangChain
    McKinsey PhD"""
)
_UNIT_WORDS = frozenset({"elo", "points", "point", "pts", "percent", "%"})

_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u2011": "-", "\u2010": "-", "\u00a0": " "})
_TOOLS = r"(?:tools?|tool use|search|web search|code execution|python|browsing|scaffolding|extended thinking)"
_QUALIFIER_RE = re.compile(
    rf"\b(?P<tools>(?i:(?:with|without|no)\s+(?:\w+\s+){{0,2}}?{_TOOLS}(?:\s+(?:and|or|&)\s+(?:(?!with\b|without\b)\w+\s+)?"
    rf"{_TOOLS})?))\b"
    r"|\b(?i:in|using|with)\s+(?:its\s+|the\s+)?[\"']?(?P<mode>[A-Z][\w-]*(?:\s[A-Z][\w-]*)?)[\"']?\s+mode\b"
    r"|\b(?P<pass>pass@\d+)"
    r"|\((?P<effort>high|xhigh|low|medium|max|thinking|no thinking)\)"
)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str  # as written (plain quotes and dashes)
    kind: str  # "model" | "benchmark" | "qualifier"
    strong: bool = True  # benchmark: has the look of one (vs only a capitalised phrase)
    qualifier: str = ""  # model: the setting the words name ("Contemplating" stands for the model in that mode)


class ModelMatcher:
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


def benchmark_runs(text: str, taken: list[tuple[int, int]], acronyms: dict[str, str] | None = None) -> list[Mention]:
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

    mentions: list[Mention] = []
    for run in runs:
        words = [t.group(0) for t in run]
        while words and (words[0] in _LEADING_WORDS or words[0][0].isdigit()):
            words.pop(0)
            run = run[1:]
        while words and words[-1] in TRAILING_WORDS:
            words.pop()
            run = run[:-1]
        if not words:
            continue
        start, end = run[0].start(), run[-1].end()
        if text[end - 2 : end] == "'s":  # "LMArena's text leaderboard"
            end -= 2
            words[-1] = words[-1][:-2]
        phrase = text[start:end]
        mentions.append(Mention(start, end, phrase, BENCHMARK, strong=looks_like_benchmark(words)))
    return _merge_defined_acronyms(text, mentions, acronyms if acronyms is not None else {})


_ACRONYM_RE = re.compile(r"[A-Z][A-Z0-9]{1,7}")
_ACRONYM_GLUE = frozenset({"and", "of", "the", "for", "on", "in", "&"})


def _merge_defined_acronyms(text: str, mentions: list[Mention], acronyms: dict[str, str]) -> list[Mention]:
    """ "Humanity's Last Exam (HLE)", "graphical user interface (GUI)": an acronym in parentheses spelt by the words
    just before it is not a second name in the sentence. It is the same benchmark as the name it follows (which
    then has the look of one, and the acronym is noted in ``acronyms``), or it defines a term in lower-case words,
    which is no benchmark at all."""
    out = list(mentions)
    for mention in mentions:
        expansion = _acronym_expansion(text, mention)
        if expansion is None:
            continue
        start, end = expansion
        whole = next((m for m in out if m.start == start and m.end == end), None)
        if whole is not None:
            out[out.index(whole)] = dataclasses.replace(whole, strong=whole.strong or mention.strong)
            acronyms.setdefault(mention.text, whole.text)
        elif not any(m.start <= start < m.end for m in out if m is not mention) and _is_capitalised(text[start:end]):
            continue  # a capitalised phrase that is no mention (a model, an organisation): leave the acronym be
        out.remove(mention)
    return out


def _acronym_expansion(text: str, mention: Mention) -> tuple[int, int] | None:
    """(start, end) of the words that spell ``mention`` just before it, when it is an acronym in parentheses."""
    if not _ACRONYM_RE.fullmatch(mention.text) or not re.match(r"\s*\)", text[mention.end :]):
        return None
    before = re.search(r"((?:[\w'&-]+\s+){0,9}[\w'&-]+)\s*\(\s*$", text[: mention.start])
    if before is None:
        return None
    words = list(re.finditer(r"[\w'&-]+", before.group(1)))
    letters = mention.text.lower()
    for count in range(1, len(words) + 1):
        expansion = [w.group(0) for w in words[-count:]]
        if expansion[0].lower() in _ACRONYM_GLUE:
            continue
        content = [w for w in expansion if w.lower() not in _ACRONYM_GLUE]
        initials = "".join(w[0] for w in content).lower()
        parts = "".join(p[0] for w in content for p in w.split("-") if p).lower()
        if letters in (initials, parts):
            offset = before.start(1)
            return offset + words[-count].start(), offset + words[-1].end()
    return None


def _is_capitalised(word: str) -> bool:
    first = word[0]
    return first.isupper() or any(c.isupper() for c in word[1:]) or (not first.isascii() and first.isalpha())


def looks_like_benchmark(words: list[str]) -> bool:
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


def qualifier_spans(text: str, taken: list[tuple[int, int]]) -> list[Mention]:
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
        out.append(Mention(match.start(), match.end(), label, "qualifier"))
    return out


def alias_model_names(alias_map: Mapping[str, Mapping[str, Sequence[str]]]) -> set[str]:
    names = set()
    for canonical, aliases in alias_map["models"].items():
        names.add(canonical)
        names.update(a for a in aliases if len(a) > 3)
    return names


def primary_model(article: Article, matcher: ModelMatcher) -> str | None:
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


def model_of_heading(heading: str, matcher: ModelMatcher) -> str | None:
    text = normalize_text(heading)
    if text.upper() == text:  # "APRIL 16: CLAUDE OPUS 4.7": long words in capitals read as names
        text = re.sub(r"\b[A-Z]{4,}\b", lambda m: m.group().capitalize(), text)
    found = {name_key(text[s:e]): text[s:e] for s, e in matcher.find(text)}
    return next(iter(found.values())) if len(found) == 1 else None


def benchmark_of_heading(heading: str, matcher: ModelMatcher, acronyms: Mapping[str, str]) -> str | None:
    """The benchmark a heading is, when the whole heading is one strong benchmark name and names no model."""
    text = normalize_text(heading).strip(" :.-–—")
    if not text or matcher.find(text):
        return None
    runs = [b for b in benchmark_runs(text, []) if b.strong]
    if len(runs) != 1 or runs[0].start > 0 or runs[0].end < len(text):
        return None
    name = plain_text(text)
    return acronyms.get(name, name)


def plain_text(text: str) -> str:
    """A name as written, with typographic quotes, dashes and spaces made plain ("Humanity’s" -> "Humanity's")."""
    return text.translate(_PLAIN)
