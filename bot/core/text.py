"""Text helpers shared by search, answering and benchmark extraction: tokens, numbers, sentences."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

MONTH_NAMES = "january february march april may june july august september october november december".split()
WEEKDAY_NAMES = "monday tuesday wednesday thursday friday saturday sunday".split()
CALENDAR_WORDS = frozenset(MONTH_NAMES + WEEKDAY_NAMES)  # a month or a day of the week, in lower case
YEAR_RE = re.compile(r"(?:19|20)\d\d")  # a year (fullmatch: the whole number; search with \b around it)


STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her
    here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves pls please tell
    show give know get got s t im ive whats hows thats does also vs versus""".split()
)

# Bump when tokenize() or split_answer_units() changes: a build's BM25 index and answer units are
# only valid with the text pipeline that made them (an older build is then rebuilt).
TOKENIZER_VERSION = 10  # 5: "St." and "Jr." end no sentence; 6: hard-wrapped lines read as one sentence;
# 7: "people" is the plural of "person"; 8: "on La. 80, …": a short abbreviation before a number ends no sentence;
# 9: British and American spellings meet ("centres"/"centers", "colour"/"color", "organise"/"organize");
# 10: the corpus reader keeps a byline that says who the author is ("lead developer at …") in the text, reads a
# "outlet | name, role | date" header line and takes the date of a dateline ("Riga, May 2, 2026.")

# C0/C1 controls except tab and newline, line and paragraph separators, the BOM, and direction controls
# (LRM/RLM, Arabic letter mark, embeddings and overrides U+202A-E, isolates U+2066-9), which can reorder how
# a title or a quote reads. The one list, also for what reaches Discord (bot/discord_app/markdown.py).
CONTROL_CHARACTERS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Invisible format characters that break matching: soft hyphen, zero-width space/joiners, word joiner.
INVISIBLE_CHARACTERS = "\u00ad\u200b-\u200d\u2060"
_CONTROL_CHARACTERS_RE = re.compile(f"[{CONTROL_CHARACTERS}{INVISIBLE_CHARACTERS}]")


def remove_control_characters(text: str) -> str:
    """The text without control, invisible-format and direction-control characters (tab and newline stay)."""
    return _CONTROL_CHARACTERS_RE.sub("", text)


# Lone surrogates: what Python makes of bytes that are not UTF-8 (argv and file names are decoded with
# surrogateescape). No tokenizer, JSON encoder or terminal takes them.
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def replace_undecodable_characters(text: str) -> str:
    """The text with each lone surrogate (an undecodable byte) replaced by U+FFFD, as `errors="replace"` decodes."""
    return _LONE_SURROGATE_RE.sub("\ufffd", text)


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})

# A number as articles write it: 1,444 / 14.3 / 80.5% / 10x / $14.3 / 58M.
NUMBER_RE = re.compile(r"(?<![\w.])\$?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?(%|x\b|[MBK]\b))?", re.IGNORECASE)
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)
_CAMEL_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")

# Small numbers said in words, as the digits they stand for: "two" is "2" in a version ("arc agi two") and in
# a count ("two sites").
DIGIT_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90", "hundred": "100",
    "dozen": "12",
}  # fmt: skip

NUMBER_WORDS = {
    **{word: int(digits) for word, digits in DIGIT_WORDS.items()},  # "Thirteen authors", "a dozen households"
    "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000, "double": 2, "half": 0.5,
}  # fmt: skip


def normalize_text(text: str) -> str:
    """NFKC, typographic quotes and dashes to ASCII, non-breaking spaces to spaces."""
    return _normalize_short(text) if len(text) <= _CACHED_LENGTH else _normalize(text)


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


# Answers re-read the same passages' sentences for every question: short texts are cached (whole articles are not).
_CACHED_LENGTH = 2000
_normalize_short = functools.lru_cache(maxsize=1 << 13)(_normalize)


def canonical_number(raw: str) -> str:
    """'1,444' -> '1444', '59.0' -> '59.0' (kept: articles write it so), '$14.3' -> '14.3'."""
    return raw.lstrip("$").replace(",", "")


# Common irregular past forms (and a plural), so that "built" meets "build" and "paid" meets "pay".
_IRREGULAR = {
    "built": "build", "took": "take", "taken": "take", "made": "make", "paid": "pay", "spent": "spend",
    "bought": "buy", "sold": "sell", "led": "lead", "won": "win", "began": "begin", "begun": "begin",
    "grew": "grow", "grown": "grow", "ran": "run", "gave": "give", "given": "give", "became": "become",
    "said": "say", "told": "tell", "brought": "bring", "thought": "think", "left": "leave", "held": "hold",
    "went": "go", "gone": "go", "came": "come", "saw": "see", "seen": "see", "knew": "know", "known": "know",
    "found": "find", "chose": "choose", "chosen": "choose", "wrote": "write", "written": "write",
    "beat": "beat", "beaten": "beat", "fell": "fall", "fallen": "fall", "rose": "rise", "risen": "rise",
    "trained": "train", "used": "use", "released": "release", "launched": "launch",
    "people": "person",  # an irregular plural: "how many people" meets "a six-person team"
}  # fmt: skip


def _stem(word: str) -> str:
    """A light suffix stripper: 'codenamed'/'codename', 'trained'/'training'/'trains' meet; so do British and
    American spellings of a stem ('centres'/'centers', 'colour'/'color', 'organised'/'organized')."""
    word = _IRREGULAR.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return _american(word[: -len(suffix)])
    return _american(word)


# British endings of a stem, with the American ones they meet: "centr" (centre, centred) and "center", "colour"
# and "color", "organis" and "organiz", "analys" and "analyz", "catalogu" and "catalog", "licenc" and "licens".
# Both sides of a match are stems made here, so a rare word changed too ("acre" -> "acer") meets only itself.
_BRITISH_STEM = (
    (re.compile(r"(?<=[a-z]{2})([bcdfgkmpstv])r$"), r"\1er"),
    (re.compile(r"(?<=[a-z]{3})our$"), "or"),
    (re.compile(r"(?<=[a-z]{3})isation$"), "ization"),
    (re.compile(r"(?<=[a-z]{3}[^aeiou])is$"), "iz"),
    (re.compile(r"(?<=[a-z]{3})ys$"), "yz"),
    (re.compile(r"(?<=[a-z]{3})ogu$"), "og"),
    (re.compile(r"(?<=[a-z]{2})enc$"), "ens"),
)


def _american(stem: str) -> str:
    for pattern, replacement in _BRITISH_STEM:
        if pattern.search(stem):
            return pattern.sub(replacement, stem)
    return stem


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Search tokens: lower case, numbers without thousands separators, letters split from digits.

    "GPT-5.4", "gpt5.4" and "GPT 5.4" all give ["gpt", "5.4"]; "HealthBench" gives
    ["healthbench", "health", "bench"] so that either spelling matches.
    """
    if len(text) <= _CACHED_LENGTH:
        return list(_text_tokens_short(text, keep_stopwords))
    return list(_text_tokens(text, keep_stopwords))


@functools.lru_cache(maxsize=1 << 12)  # a passage's set is a few KB: 4,096 of them at most
def token_set(text: str) -> frozenset[str]:
    """The distinct search tokens of a text, kept: the same passages and sentences are read by question after
    question."""
    return frozenset(tokenize(text))


def _text_tokens(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(normalize_text(text)):
        tokens.extend(_piece_tokens(match.group(0), keep_stopwords))
    return tuple(tokens)


_text_tokens_short = functools.lru_cache(maxsize=1 << 14)(_text_tokens)  # also every passage of a build


@functools.lru_cache(maxsize=1 << 16)
def _piece_tokens(piece: str, keep_stopwords: bool) -> tuple[str, ...]:
    """The tokens of one word or number; cached, since an index build tokenises every passage (3x faster)."""
    if piece[0].isdigit():
        return (piece.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", piece) else piece,)
    lower = piece.lower()
    if not keep_stopwords and lower in STOPWORDS:
        return ()
    parts = _CAMEL_RE.findall(piece)
    if len(parts) > 1:
        return (_stem(lower), *(_stem(part.lower()) for part in parts if part.lower() not in STOPWORDS))
    return (_stem(lower),)


# A date written inside a line of text ("April 26, 2026", "2026-04-26"): what a byline says besides who wrote it.
DATE_IN_TEXT_RE = re.compile(
    r"\b(?:" + "|".join(MONTH_NAMES) + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b|\b\d{4}-\d\d-\d\d\b", re.I
)


def numbers_in(text: str) -> list[str]:
    """The numbers a text states, as written (e.g. ['1,444', '80.5', '10']), in order."""
    return [match.group(1) for match in NUMBER_RE.finditer(normalize_text(text))]


# Words whose full stop ends no sentence, for every splitter of the project.
ABBREVIATIONS = ("e.g.", "i.e.", "vs.", " v.", "Mr.", "Mrs.", "Dr.", "Inc.", "Corp.", "U.S.", "approx.", "No.",
                 "St.", "Jr.")  # fmt: skip
# A Markdown heading line, for the chunker and the fact extractor alike.
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_INITIAL_RE = re.compile(r"\b[A-Z]\.$")  # "J. Smith": not a sentence end
# "on La. 80, the manager …", "Rt. 9": a two-letter capitalised abbreviation before a number (a road, a form)
# ends no sentence.
_ABBREVIATION_BEFORE_NUMBER_RE = re.compile(r"(?<![\w.])[A-Z][a-z]\.\s+\d")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9$])")
# The fact extractor also ends a sentence before a bracket and before names such as "iPhone" or "o3"
# (a score sentence often starts with a model name); answer units keep the plainer rule above.
SCORE_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?(?:[A-Z0-9$]|[a-z]+[A-Z]|o\d))")


_STRUCTURE_RE = re.compile(r"^(?:[|#>]|[-*+•]\s|\d{1,3}[.)]\s)")
_LAST_WORD_RE = re.compile(r"(\w+)\W*$")
WRAPPED_LINE_CHARS = 40  # a line cut off mid-sentence is a long one; a shorter one is a label or a heading


def _continues(first: str, last: str, length: int, following: str) -> bool:
    """Whether ``following`` goes on with the sentence a line breaks off (a hard-wrapped paragraph): the line
    so far starts with ``first``, ends with ``last`` and is ``length`` characters long."""
    if _STRUCTURE_RE.match(first) or _STRUCTURE_RE.match(following) or length < WRAPPED_LINE_CHARS:
        return False
    if following[:1].islower():
        return True  # no sentence starts in lower case: "… with Harbor Fund, and the / utility, Tejo Power …"
    if last.rstrip("\"'”’)]")[-1:] in ".!?":
        return False
    word = _LAST_WORD_RE.search(last)
    # "… ran Orbit 2.5 on / CodeArena": a line that stops on a comma or a lower-case word runs on.
    return last.endswith((",", ";", "(", "-", "–", "—")) or bool(word and word.group(1).islower())


def unwrap_lines(paragraph: str) -> list[str]:
    """The lines of a paragraph, stripped, with lines a hard wrap broke mid-sentence joined again."""
    lines: list[list[str]] = []  # each line as its parts, joined once at the end (a huge file stays linear)
    length = 0
    for raw in paragraph.splitlines():
        line = raw.strip()
        if not line:
            lines.append([])
        elif lines and lines[-1] and _continues(lines[-1][0], lines[-1][-1], length, line):
            lines[-1].append(line)
            length += len(line) + 1
        else:
            lines.append([line])
            length = len(line)
    return [" ".join(parts) for parts in lines]


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences; table rows and list items stay whole lines, and a sentence that a
    hard wrap broke over lines is read whole."""
    sentences: list[str] = []
    for line in unwrap_lines(paragraph):
        if not line:
            continue
        if line.startswith("|") or len(line) < 40:
            sentences.append(line)
            continue
        start = 0
        for match in _SENTENCE_END_RE.finditer(line):
            end = match.start()  # tested in place: a line of many "e.g." would otherwise be copied again and again
            if (
                line.endswith(ABBREVIATIONS, start, end)
                or _INITIAL_RE.search(line, max(start, end - 3), end)
                or _ABBREVIATION_BEFORE_NUMBER_RE.match(line, max(start, end - 3))
            ):
                continue
            candidate = line[start:end].strip()
            if candidate:
                sentences.append(candidate)
            start = match.end()
        rest = line[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


_ANAPHORA_RE = re.compile(r"^(it|its|it's|this|that|these|those|they|their|he|she|his|her)\b", re.IGNORECASE)
MAX_LIST_ITEMS = 6
_LIST_MARK_RE = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+")


def _is_unit_candidate(sentence: str) -> bool:
    if sentence.startswith(("#", "|")):
        return False
    return len(sentence) >= 15 and len(sentence.split()) >= 3


def _table_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def describe_table_rows(lines: list[str]) -> list[str]:
    """Each data row of a pipe table as a sentence with its column headers:
    "Claude Opus 4.6 — Input: $5.00; Output: $25.00". Values are copied as written."""
    rows = [_table_cells(line) for line in lines if not re.fullmatch(r"[\s|:-]*", line)]
    if len(rows) < 2:
        return []
    header, units = rows[0], []
    for row in rows[1:]:
        pairs = [
            f"{name}: {value}" for name, value in zip(header[1:], row[1:], strict=False)
            if value and value not in {"-", "—", "–", "n/a", "N/A"}
        ]  # fmt: skip
        if row[0] and pairs:
            units.append(f"{row[0]} — " + "; ".join(pairs))
    return units


def split_answer_units(text: str) -> list[str]:
    """The sentences of a passage that can be quoted as an answer, in order.

    List markers are dropped, headings are not units, a table row becomes a sentence with its
    column headers, and a sentence that opens
    with a pronoun carries the sentence before it, so that each unit reads on its own.
    """
    table_units: list[str] = []
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.lstrip().startswith("|"):
            table.append(line)
        elif table:
            table_units += describe_table_rows(table)
            table = []
    raw = split_sentences(text)
    is_item = [bool(_LIST_MARK_RE.match(s)) for s in raw]
    sentences = [_LIST_MARK_RE.sub("", s).strip() for s in raw]
    units: list[str] = []
    for position, sentence in enumerate(sentences):
        if not _is_unit_candidate(sentence):
            continue
        previous = sentences[position - 1] if position > 0 else ""
        if previous and _ANAPHORA_RE.match(sentence) and _is_unit_candidate(previous):
            sentence = f"{previous} {sentence}"
        if sentence.endswith(":"):
            # "available through two channels:" says little without the list that follows it.
            items = list(itertools.takewhile(lambda i: is_item[i], range(position + 1, len(sentences))))
            if items:
                sentence = sentence + " " + "; ".join(sentences[i] for i in items[:MAX_LIST_ITEMS])
        units.append(sentence)
    return units + table_units
