"""Model and benchmark names: one key for every way of writing a name, aliases, mentions in questions.

A ``NameCatalog`` knows the canonical names that occur in the extracted facts. It resolves what
people type ("gpt5.4", "Opus 4.6", "hb hard", "terminal bench") to those names through

- a normalisation key: case-folded, hyphens/underscores/dots between letters as spaces, letters split
  from digits, so "GPT-5.4", "gpt5.4" and "GPT 5.4" are one key ("gpt 5.4");
- aliases learned from the names themselves: a model without its family prefix ("Opus 4.6"), a
  benchmark without its version ("Terminal-Bench"), the last words of a long name ("Intelligence
  Index"), acronyms ("hbh", "hb hard", "aaii");
- aliases written by maintainers in ``bot/data/aliases.yaml`` and, optionally, in
  ``<corpus_dir>/aliases.yaml`` (see ``load_alias_file``).

A learned alias is only used when it points at exactly one name. Different variants of one model
("Gemini 3.1 Pro" and "Gemini 3.1 Pro Preview") stay different names; ``family`` groups them. A benchmark
name that is the first words of exactly one longer benchmark name stands for it ("τ²-bench" -> "τ²-bench
Telecom"); when it starts several, ``family`` groups them the same way.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

# Re-exported: alias files have their own module, and older callers import them from here.
from bot.core.aliases import (
    AliasMap as AliasMap,
)
from bot.core.aliases import (
    default_alias_path as default_alias_path,
)
from bot.core.aliases import (
    load_alias_file as load_alias_file,
)
from bot.core.aliases import (
    load_corpus_aliases as load_corpus_aliases,
)
from bot.core.aliases import (
    load_default_aliases as load_default_aliases,
)
from bot.core.aliases import (
    merge_alias_maps as merge_alias_maps,
)
from bot.core.models import BenchmarkFact
from bot.core.text import STOPWORDS, normalize_text

log = logging.getLogger(__name__)

MODEL = "model"
BENCHMARK = "benchmark"
KINDS = (MODEL, BENCHMARK)


# Model families and the company that makes each: "Claude Opus 4.6" is also "Anthropic Claude Opus 4.6".
FAMILY_VENDORS = {
    "gpt": "openai", "o": "openai", "chatgpt": "openai", "claude": "anthropic", "gemini": "google",
    "gemma": "google", "llama": "meta", "muse": "meta", "grok": "xai", "deepseek": "deepseek",
    "qwen": "alibaba", "qwq": "alibaba", "mistral": "mistral", "magistral": "mistral", "devstral": "mistral",
    "codestral": "mistral", "mixtral": "mistral", "phi": "microsoft", "kimi": "moonshot", "glm": "zhipu",
    "nova": "amazon", "command": "cohere", "nemotron": "nvidia", "minimax": "minimax",
}  # fmt: skip

# Greek letters as their names ("τ²-bench" = "tau2 bench"); NFKC has already turned "µ", "ϑ", "ϕ" into letters.
_GREEK = str.maketrans(
    {
        letter: f" {spelled} "
        for letter, spelled in zip(
            "αβγδεζηθικλμνξοπρσςτυφχψω",
            "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma sigma tau "
            "upsilon phi chi psi omega".split(),
            strict=True,
        )
    }
)
_VERSION_TOKEN_RE = re.compile(r"^(?:v?\d+(?:\.\d+)*)$")
_EXPLICIT_VERSION_RE = re.compile(r"(?:\bv\s?\d+(?:\.\d+)*|\d+\.\d+)\s*$", re.IGNORECASE)
_CAMEL_PART_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+(?:\.\d+)*")
_QUESTION_WORDS = frozenset({"score", "scores", "result", "results", "number", "numbers", "benchmark", "benchmarks"})


# ---------------------------------------------------------------------------------------------- keys


@functools.lru_cache(maxsize=1 << 14)  # pure, and called ~75 times per fact by a corpus-wide extraction
def name_key(text: str) -> str:
    """The normalisation key of a name: "GPT-5.4", "gpt5.4" and "GPT 5.4" all give "gpt 5.4".

    Case-folded; superscript and subscript digits are digits and Greek letters their names, so "τ²-bench",
    "τ2 bench" and "tau2-bench" are all "tau 2 bench"; apostrophes dropped ("humanitys"); hyphens, underscores,
    slashes and dots between letters become spaces; letters are split from digits; a trailing ".0"
    of a version is dropped ("Terminal-Bench 2.0" = "terminal bench 2").
    """
    return " ".join(_key_tokens(text))


def key_tokens(text: str) -> list[str]:
    """The tokens of ``name_key``."""
    return list(_key_tokens(text))


@functools.lru_cache(maxsize=1 << 14)  # pure; a question's words are keyed twice each, names once per fact
def _key_tokens(text: str) -> tuple[str, ...]:
    t = normalize_text(text).casefold().translate(_GREEK)  # normalize_text is NFKC: "²" and "₂" are "2"
    t = t.replace("'", "")
    t = re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", " ", t)
    t = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", t)  # dots only survive between digits
    t = re.sub(r"[^\w.]+|_", " ", t)
    tokens = []
    for token in t.split():
        if re.fullmatch(r"\d+\.0", token):
            token = token[:-2]
        tokens.append(token)
    return tuple(tokens)


def compact_key(text: str) -> str:
    """The key without spaces: "HealthBench Hard" and "health bench hard" share "healthbenchhard"."""
    return name_key(text).replace(" ", "")


def split_words(name: str) -> list[str]:
    """Words of a name for acronyms: CamelCase and hyphens split ("HealthBench Hard" -> Health, Bench, Hard)."""
    words: list[str] = []
    for piece in re.split(r"[\s\-_/]+", normalize_text(name)):
        piece = piece.replace("'s", "").replace("'", "")
        parts = _CAMEL_PART_RE.findall(piece)
        words.extend(parts or ([piece] if piece else []))
    return words


# ---------------------------------------------------------------------------------------------- learned aliases


# The words of a token count measured on a benchmark ("Intelligence Index output tokens"): typed alone they look
# the measure up, but in a question ("max output tokens per reply") they name no benchmark.
MEASURE_WORDS = frozenset({"output", "input", "reasoning", "token", "tokens"})


def learned_aliases(name: str, kind: str) -> tuple[set[str], set[str]]:
    """(strong, weak) alias keys that ``name`` implies.

    Strong aliases are safe enough to merge two spellings found in articles ("Opus 4.6" into "Claude
    Opus 4.6", "… Index" into "… Index v4.0"); weak ones only help people find a name.
    """
    tokens = key_tokens(name)
    strong: set[str] = set()
    weak: set[str] = set()
    if not tokens:
        return strong, weak
    if kind == MODEL:
        family = tokens[0]
        rest = tokens[1:]
        vendor = FAMILY_VENDORS.get(family)
        # "Claude Opus 4.6" -> "Opus 4.6": the rest must start with a word and carry a version.
        if rest and rest[0].isalpha() and len(rest[0]) >= 3 and any(t[0].isdigit() for t in rest):
            strong.add(" ".join(rest))
        if vendor and vendor != family:
            strong.add(" ".join([vendor, *tokens]))
        # "Claude Opus 4.6" is also written "Claude 4.6 Opus".
        if len(tokens) == 3 and tokens[1].isalpha() and tokens[2][0].isdigit():
            weak.add(" ".join([tokens[0], tokens[2], tokens[1]]))
        return strong - {" ".join(tokens)}, weak - {" ".join(tokens)}

    base = list(tokens)
    # A version at the end: "v4.0", " 2.0" are versions of one benchmark; a bare "-2" may name another one.
    is_explicit = bool(_EXPLICIT_VERSION_RE.search(normalize_text(name)))
    while len(base) > 1 and _VERSION_TOKEN_RE.match(base[-1]):
        base.pop()
        if len(base) > 1 and base[-1] == "v":
            base.pop()
        (strong if is_explicit else weak).add(" ".join(base))
    # Without a hyphenated last part: "GDPval-AA" -> "gdpval", "MMMU-Pro" -> "mmmu" (only to find the name).
    last_part = re.match(r"^(.+?)-[^\s-]+$", normalize_text(name).strip())
    if last_part and len(key_tokens(last_part.group(1))) >= 1:
        weak.add(name_key(last_part.group(1)))
    words = [w for w in split_words(name) if not _VERSION_TOKEN_RE.match(w.lower()) and w.lower() != "v"]
    lowered = [w.lower() for w in words]
    title_case = all(re.fullmatch(r"[A-Z][a-z]+", w) for w in words)
    # The last words of a long name: "Artificial Analysis Intelligence Index" -> "Intelligence Index".
    if len(base) >= 3:
        for start in range(1, len(base) - 1):
            suffix = base[start:]
            if suffix[0] not in STOPWORDS and not suffix[0][0].isdigit():
                weak.add(" ".join(suffix))
    # Acronyms: all words ("hbh", "aaii"), or the first words then the rest ("hb hard", "aa intelligence index").
    if len(words) >= 2 and title_case:
        acronym = "".join(w[0] for w in lowered)
        if len(acronym) >= 3 and acronym not in STOPWORDS:
            weak.add(acronym)
        for cut in range(2, len(words)):
            head = "".join(w[0] for w in lowered[:cut])
            tail = " ".join(key_tokens(" ".join(words[cut:])))
            if len(head) >= 2:
                weak.add(f"{head} {tail}")
    full = " ".join(tokens)
    return strong - {full}, weak - {full} - strong


# ---------------------------------------------------------------------------------------------- the catalog


# (benchmarks, models, (kind, name, the key tokens that named it) per match) of one text
_Mentions = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str, tuple[str, ...]], ...]]


class NameCatalog:
    """Canonical model and benchmark names with every key that resolves to them.

    ``models`` and ``benchmarks`` are the canonical names (as facts carry them). ``aliases`` defaults
    to ``bot/data/aliases.yaml``; ``extra_aliases`` (e.g. ``load_corpus_aliases(corpus_dir)``) adds to it.
    An alias whose canonical name is not among the known names is ignored.
    """

    def __init__(
        self,
        models: Iterable[str] = (),
        benchmarks: Iterable[str] = (),
        aliases: AliasMap | None = None,
        extra_aliases: AliasMap | None = None,
    ) -> None:
        alias_map = merge_alias_maps(load_default_aliases() if aliases is None else aliases, extra_aliases)
        self._names: dict[str, tuple[str, ...]] = {
            MODEL: tuple(dict.fromkeys(n for n in models if n)),
            BENCHMARK: tuple(dict.fromkeys(n for n in benchmarks if n)),
        }
        self._exact: dict[str, dict[str, str]] = {}
        self._alias: dict[str, dict[str, str]] = {}
        self._lookup_only: dict[str, dict[str, str]] = {}  # aliases a lookup may use, a question's mention not
        self._max_tokens = 1
        self._starts: dict[str, dict[str, tuple[str, ...]]] = {}  # compact first words -> the names they start
        self._suggestions: dict[str, list[tuple[str, str, list[str], str]]] = {}
        self._forgiving: dict[str, list[tuple[str, list[str], str]]] = {}
        # An /ask looks 3 times: (benchmarks, models, (kind, name, the key tokens that named it) per match)
        self._mentions: dict[str, _Mentions] = {}
        for kind, section in ((MODEL, "models"), (BENCHMARK, "benchmarks")):
            exact: dict[str, str] = {}
            for name in self._names[kind]:
                exact.setdefault(name_key(name), name)
                exact.setdefault(compact_key(name), name)
            candidates: dict[str, set[str]] = defaultdict(set)
            by_key = {name_key(n): n for n in self._names[kind]}
            for canonical, spellings in alias_map[section].items():
                target = by_key.get(name_key(canonical))
                if target is None:
                    continue
                for spelling in spellings:
                    exact.setdefault(name_key(spelling), target)  # maintainers' aliases win over learned ones
                    exact.setdefault(compact_key(spelling), target)
            for name in self._names[kind]:
                strong, weak = learned_aliases(name, kind)
                for key in strong | weak:
                    candidates[key].add(name)
            alias: dict[str, str] = {}
            lookup_only: dict[str, str] = {}
            for key, names in candidates.items():
                if len(names) == 1 and key not in exact and self._is_usable_alias(key):
                    table = lookup_only if set(key.split()) <= MEASURE_WORDS else alias
                    table[key] = next(iter(names))
                    table.setdefault(key.replace(" ", ""), table[key])
            self._exact[kind] = exact
            self._alias[kind] = alias
            self._lookup_only[kind] = lookup_only
            starts: dict[str, list[str]] = defaultdict(list)
            for name in self._names[kind]:
                tokens = key_tokens(name)
                for cut in range(1, len(tokens) + 1):  # at word boundaries: "tau2" starts "tau 2 bench", "ta" does not
                    starts["".join(tokens[:cut])].append(name)
            self._starts[kind] = {key: tuple(dict.fromkeys(names)) for key, names in starts.items()}
            for key in (*exact, *alias):
                self._max_tokens = max(self._max_tokens, len(key.split()))

    @staticmethod
    def _is_usable_alias(key: str) -> bool:
        tokens = key.split()
        if not tokens or (len(tokens) == 1 and (key in STOPWORDS or len(key) < 3 or key[0].isdigit())):
            return False
        return not all(t in STOPWORDS or t in _QUESTION_WORDS or t[0].isdigit() for t in tokens)

    @classmethod
    def from_facts(
        cls, facts: Iterable[BenchmarkFact], aliases: AliasMap | None = None, extra_aliases: AliasMap | None = None
    ) -> NameCatalog:
        """A catalog of the names that the facts carry."""
        facts = list(facts)
        return cls((f.model for f in facts), (f.benchmark for f in facts), aliases, extra_aliases)

    # ----- names ---------------------------------------------------------------------------------

    @property
    def models(self) -> tuple[str, ...]:
        return self._names[MODEL]

    @property
    def benchmarks(self) -> tuple[str, ...]:
        return self._names[BENCHMARK]

    def names(self, kind: str) -> tuple[str, ...]:
        return self._names[_check_kind(kind)]

    # ----- resolution ----------------------------------------------------------------------------

    def resolve(self, text: str, kind: str) -> str | None:
        """The canonical name ``text`` stands for, or None.

        A benchmark may also be named by its first words when they start no other benchmark ("τ²-bench" ->
        "τ²-bench Telecom"). Models may not: "GPT-5.4" is a different model from "GPT-5.4 Pro" (see ``family``).
        """
        kind = _check_kind(kind)
        key = name_key(text)
        if not key:
            return None
        for table in (self._exact[kind], self._alias[kind], self._lookup_only[kind]):
            for candidate in (key, key.replace(" ", "")):
                if candidate in table:
                    return table[candidate]
        if kind == BENCHMARK and self._is_usable_alias(key):
            longer = self._longer_names(key.replace(" ", ""), kind)
            if len(longer) == 1:
                return longer[0]
        return None

    def resolve_forgiving(self, text: str, kind: str) -> str | None:
        """``resolve``, or else the one name that ``text`` spells with a typing error or two ("healthbnch hrd",
        "terminl bench", "mmmu pr"), words run together or split. A digit is never forgiven: "terminal bench 3"
        is not "Terminal-Bench 2.0". None when no name, or more than one, is that close.
        """
        resolved = self.resolve(text, kind)
        if resolved is not None:
            return resolved
        kind = _check_kind(kind)
        key = name_key(text)
        compact = key.replace(" ", "")
        letters = re.sub(r"\d+(?:\.\d+)*", "", compact)
        if len(letters) < 4:
            return None
        digits = re.findall(r"\d+(?:\.\d+)*", key)
        best: dict[str, int] = {}
        for their_letters, their_digits, name in self._forgiving_keys(kind):
            if digits and digits != their_digits[: len(digits)]:
                continue
            # Two errors in a name of eight letters or more ("simpvlqa" for SimpleVQA), one in a shorter one.
            budget = 1 if max(len(letters), len(their_letters)) < 8 else 2
            if abs(len(their_letters) - len(letters)) > budget:
                continue  # more edits than the budget, whatever the letters
            distance = _edit_distance(letters, their_letters, budget)
            if distance <= budget and distance < best.get(name, budget + 1):
                best[name] = distance
        if not best:
            return self._clipped_words(key, kind)
        closest = min(best.values())
        winners = [name for name, distance in best.items() if distance == closest]
        return winners[0] if len(winners) == 1 else None

    def _clipped_words(self, key: str, kind: str) -> str | None:
        """The one name whose words the typed words start, word for word ("intelligenc inde outpu token" for
        "Intelligence Index output tokens"); a number must be the name's own. None when none or several are."""
        typed = key.split()
        if len(typed) < 2:
            return None
        found = {
            name
            for their_key, _compact, _tokens, name in self._suggestion_keys(kind)
            if len(words := their_key.split()) == len(typed)
            and all(
                w == t if len(t) < 3 or t[0].isdigit() else w.startswith(t) for w, t in zip(words, typed, strict=True)
            )
        }
        return next(iter(found)) if len(found) == 1 else None

    def _forgiving_keys(self, kind: str) -> list[tuple[str, list[str], str]]:
        """(letters without spaces or digits, the digits, name) of every key a typing error may mean; made once."""
        cached = self._forgiving.get(kind)
        if cached is None:
            cached = [
                (re.sub(r"\d+(?:\.\d+)*|\s", "", key), re.findall(r"\d+(?:\.\d+)*", key), name)
                for key, _compact, _tokens, name in self._suggestion_keys(kind)
            ]
            self._forgiving[kind] = cached
        return cached

    def _longer_names(self, compact: str, kind: str) -> tuple[str, ...]:
        """Names whose first words (and not all of them) are ``compact``, a key without spaces."""
        return tuple(n for n in self._starts[kind].get(compact, ()) if compact_key(n) != compact)

    def resolve_model(self, text: str) -> str | None:
        return self.resolve(text, MODEL)

    def resolve_benchmark(self, text: str) -> str | None:
        return self.resolve(text, BENCHMARK)

    def family(self, text: str, kind: str = MODEL) -> tuple[str, ...]:
        """The name ``text`` stands for with its variants ("Gemini 3.1 Pro" -> itself and "… Preview").

        When ``text`` is no name but the first words of some ("gemini", "claude opus", "τ²-bench" before
        "… Telecom" and "… Retail"), all of those.
        """
        kind = _check_kind(kind)
        resolved = self.resolve(text, kind)
        compact = compact_key(resolved or text)
        if not compact:
            return ()
        members = list(self._starts[kind].get(compact, ()))
        if resolved and resolved not in members:
            members.insert(0, resolved)
        members.sort(key=lambda m: (m != resolved, len(key_tokens(m)), m.casefold()))
        return tuple(members)

    def suggest(self, text: str, kind: str, limit: int = 5) -> list[str]:
        """Names close to ``text`` ("did you mean"), best first; [] when nothing is close.

        Scores are the best of: character similarity of the keys (with and without spaces), and the share of
        the typed words that start a word of the name (or of one of its aliases).
        """
        kind = _check_kind(kind)
        key = name_key(text)
        if not key:
            return []
        compact = key.replace(" ", "")
        words = [t for t in key.split() if t not in STOPWORDS] or key.split()
        weight = 0.6 + 0.4 * min(1.0, len(compact) / 4)
        scores: dict[str, float] = {}
        for candidate_key, candidate_compact, candidate_tokens, name in self._suggestion_keys(kind):
            hits = sum(1 for t in words if any(c.startswith(t) or t.startswith(c) for c in candidate_tokens))
            score = 0.9 * weight * hits / len(words)
            for a, b in ((key, candidate_key), (compact, candidate_compact)):
                matcher = difflib.SequenceMatcher(None, a, b)
                if matcher.real_quick_ratio() > score and matcher.quick_ratio() > score:
                    score = max(score, matcher.ratio())
            if score > scores.get(name, 0.0):
                scores[name] = score
        ranked = sorted(((s, n) for n, s in scores.items() if s >= 0.6), key=lambda item: (-item[0], item[1]))
        return [name for _, name in ranked[:limit]]

    def _suggestion_keys(self, kind: str) -> list[tuple[str, str, list[str], str]]:
        cached = self._suggestions.get(kind)
        if cached is None:
            pairs = [(name_key(n), n) for n in self.names(kind)]
            pairs += [(k, n) for k, n in self._alias[kind].items() if " " in k or len(k) > 3]
            cached = [(k, k.replace(" ", ""), k.split(), n) for k, n in pairs]
            self._suggestions[kind] = cached
        return cached

    # ----- free text -----------------------------------------------------------------------------

    def find_mentions(self, text: str) -> tuple[list[str], list[str]]:
        """(benchmarks, models) named anywhere in ``text``, in the order they appear.

        Longest match first over token n-grams of the normalised text, so "gpt 5.4 pro" is not read
        as "GPT-5.4". A benchmark whose words all occur in the text (in any order) replaces a shorter
        one it contains: "output tokens … intelligence index" is the token count, not the index.
        """
        cached = self._mentions.get(text)
        if cached is None:
            if len(self._mentions) >= 256:
                self._mentions.clear()
            cached = self._mentions[text] = self._find_mentions(text)
        return list(cached[0]), list(cached[1])

    def mention_grams(self, text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """(kind, name, the key tokens of ``text`` that named it) for each mention, in order."""
        self.find_mentions(text)
        return self._mentions[text][2]

    def _find_mentions(self, text: str) -> _Mentions:
        tokens = key_tokens(text)
        used = [False] * len(tokens)
        found: list[tuple[int, str, str, list[str]]] = []
        for n in range(min(self._max_tokens, len(tokens)), 0, -1):
            for i in range(len(tokens) - n + 1):
                if any(used[i : i + n]):
                    continue
                gram = tokens[i : i + n]
                if n == 1 and (gram[0] in STOPWORDS or gram[0][0].isdigit()):
                    continue
                hit = self._lookup_gram(gram)
                if hit is None:
                    continue
                kind, name = hit
                for j in range(i, i + n):
                    used[j] = True
                found.append((i, kind, name, gram))
        found.sort()
        present = {_stem(t) for t in tokens}
        benchmarks = tuple(
            dict.fromkeys(self._widen(name, grams, present) for _, kind, name, grams in found if kind == BENCHMARK)
        )
        models = tuple(dict.fromkeys(name for _, kind, name, _grams in found if kind == MODEL))
        return benchmarks, models, tuple((kind, name, tuple(grams)) for _, kind, name, grams in found)

    def _lookup_gram(self, gram: list[str]) -> tuple[str, str] | None:
        spaced, joined = " ".join(gram), "".join(gram)
        for table_name in ("_exact", "_alias"):
            for kind in (BENCHMARK, MODEL):
                table = getattr(self, table_name)[kind]
                for candidate in (spaced, joined):
                    if candidate in table:
                        return kind, table[candidate]
        # The first words of one benchmark ("tau2 bench" for "τ²-bench Telecom"); in free text only when they
        # are several words and most of the name, so "terminal" or "artificial analysis" alone name nothing.
        if len(gram) >= 2 and self._is_usable_alias(spaced):
            longer = self._longer_names(joined, BENCHMARK)
            if len(longer) == 1 and 2 * len(gram) >= len(key_tokens(longer[0])):
                return BENCHMARK, longer[0]
        return None

    def _widen(self, name: str, gram: list[str], present: set[str]) -> str:
        """A longer benchmark name whose words all occur in the question and include the words matched."""
        matched = {_stem(t) for t in gram}
        wider = [
            other
            for other in self.benchmarks
            if other != name and matched < (words := {_stem(t) for t in key_tokens(other)}) and words <= present
        ]
        return max(wider, key=lambda w: len(key_tokens(w))) if wider else name

    def rewrite_query(self, text: str) -> str:
        """``text`` followed by the canonical names it mentions, so lexical search matches any spelling."""
        benchmarks, models = self.find_mentions(text)
        # Only names spelt differently from the question: repeating "Muse Spark" would double common words.
        said = name_key(text)
        names = [n for n in (*benchmarks, *models) if name_key(n) not in said]
        return f"{text} {' '.join(names)}" if names else text


def _edit_distance(a: str, b: str, limit: int) -> int:
    from bot.core.lexicon import edit_distance

    return edit_distance(a, b, limit)


def _stem(token: str) -> str:
    return token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be 'model' or 'benchmark', not {kind!r}")
    return kind


# ---------------------------------------------------------------------------------------------- canonical names


def canonicalize_names(raw_names: Sequence[str], kind: str, aliases: AliasMap | None = None) -> dict[str, str]:
    """Map every spelling found in the articles to one canonical display name.

    Spellings with the same key are one name (the most frequent spelling is shown, the longest on a
    tie). A name that is a strong learned alias of exactly one more specific name is merged into it
    ("Opus 4.6" -> "Claude Opus 4.6"; "Artificial Analysis Intelligence Index" -> "… v4.0"); a name
    that maintainers list as an alias takes their canonical name.
    """
    return canonicalize_spellings(Counter(raw_names), kind, aliases)


def canonicalize_spellings(spelled: Mapping[str, int], kind: str, aliases: AliasMap | None = None) -> dict[str, str]:
    """``canonicalize_names`` of names given as {spelling: how often the articles write it}: what it reads of them
    (an add keeps the counts of the corpus, instead of passing every fact's name again)."""
    kind = _check_kind(kind)
    section = "models" if kind == MODEL else "benchmarks"
    alias_map = merge_alias_maps(aliases if aliases is not None else load_default_aliases())
    maintainer: dict[str, str] = {}
    for canonical, names in alias_map[section].items():
        for alias in (canonical, *names):
            maintainer.setdefault(name_key(alias), canonical)

    def group_key(raw: str) -> str:
        key = name_key(raw)
        return name_key(maintainer[key]) if key in maintainer else key

    # Each distinct spelling is keyed once: a corpus-wide settling passes every fact's name (90k at 10,000 articles).
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for raw, n in spelled.items():
        if name_key(raw):
            counts[group_key(raw)][raw] = n
    display: dict[str, str] = {}
    for key, spellings in counts.items():
        given = next((c for c in alias_map[section] if name_key(c) == key), None)
        display[key] = given or max(spellings, key=lambda s: (spellings[s], len(s), s))

    final: dict[str, str] = {}  # key -> key of the name it merges into
    strong_of: dict[str, set[str]] = defaultdict(set)
    for key in sorted(display, key=lambda k: (-len(k.split()), k)):
        targets = strong_of.get(key, set())
        if len(targets) == 1:
            final[key] = next(iter(targets))
            continue
        final[key] = key
        strong, _weak = learned_aliases(display[key], kind)
        for alias in strong:
            strong_of[alias].add(key)

    mapping: dict[str, str] = {}
    for raw in spelled:
        if name_key(raw):
            key = group_key(raw)
            mapping[raw] = display[final.get(key, key)]
    return mapping
