"""Typing errors and chat spellings read as the corpus writes them, before the question is read."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core.answer.focus import GENERIC_WORDS, WORD_PIECE_RE, question_words
from bot.core.names import name_key
from bot.core.text import STOPWORDS, tokenize

if TYPE_CHECKING:
    from bot.core.lexicon import Lexicon
    from bot.core.names import NameCatalog

log = logging.getLogger(__name__)


def words_to_embed(question: str, lexicon: Lexicon | None) -> list[str]:
    """Question words the corpus never uses and no typo correction explains: the model's vectors of these
    (embedded with the question, in one batch) find their neighbours among the corpus's words."""
    if lexicon is None or lexicon.vectors is None:
        return []
    words: list[str] = []
    for word, tokens in question_words(question):
        tokens = [t for t in tokens if t not in STOPWORDS and t not in GENERIC_WORDS]
        if not tokens or tokens[0][0].isdigit() or lexicon.has(tokens[0]) or tokens[0] in lexicon.acronyms:
            continue
        if word.lower() not in words:
            words.append(word.lower())
    return words[:8]


def correct_question(
    question: str,
    lexicon: Lexicon | None,
    is_common_word: Callable[[str], bool],
    catalog: NameCatalog | None = None,
) -> str:
    """The question with each word that nobody writes replaced by the one corpus word it misspells
    ("healthbnch" -> "healthbench"), and run-together words split ("terminalbench" -> "terminal bench").
    A model or benchmark name typed with errors across words ("healthbnch hrd") becomes the name.
    Real words, numbers and words with several possible corrections are left as typed."""
    if lexicon is None:
        return question
    question = expand_chat_words(question, lexicon)
    if catalog is not None:
        question = _correct_names(question, lexicon, is_common_word, catalog)
    out: list[str] = []
    last = 0
    for match in WORD_PIECE_RE.finditer(question):
        word = match.group(0)
        tokens = tokenize(word)
        replacement = None
        if (
            len(tokens) == 1
            and word.isalpha()
            and not lexicon.has(tokens[0])
            and tokens[0] not in STOPWORDS
            and not is_common_word(word.lower())
            and not lexicon.derivations(tokens[0])  # "energised" is a word: the corpus writes "energisation"
        ):
            corrected = lexicon.corrections(tokens[0])
            if not corrected and word.lower() != tokens[0]:
                # "glases" stems to "glas", too short to correct; as typed it is one letter from "glass".
                corrected = lexicon.corrections(word.lower())
            split = lexicon.splits(tokens[0])
            if len(corrected) == 1 and (row := lexicon.row_of(corrected[0])) is not None:
                replacement = lexicon.words[row]
            elif split and not corrected:
                replacement = " ".join(lexicon.words[r] for t in split if (r := lexicon.row_of(t)) is not None)
        out.append(question[last : match.start()])
        out.append(replacement or word)
        last = match.end()
    out.append(question[last:])
    return "".join(out)


# Chat shorthand for ordinary words ("how many ppl", "on avg"), read in full unless the corpus writes it so.
CHAT_WORDS = {
    "ppl": "people", "avg": "average", "approx": "approximately", "govt": "government", "yr": "year",
    "yrs": "years", "mo": "month", "mos": "months", "hr": "hour", "hrs": "hours", "mins": "minutes",
    "secs": "seconds", "info": "information", "pic": "picture", "pics": "pictures", "msg": "message",
    "dept": "department", "mgmt": "management", "intl": "international", "natl": "national", "bn": "billion",
    "thru": "through", "tho": "though", "bc": "because", "cuz": "because", "abt": "about", "ur": "your",
    "u": "you", "r": "are", "ppls": "people's", "wich": "which", "wat": "what", "wht": "what", "wen": "when",
    "hw": "how", "bout": "about",
    # Contractions typed without their apostrophe ("what percent picked the one theyd keep"); not those that
    # spell another word ("were", "well", "ill", "its", "shed").
    "theyd": "they'd", "theyre": "they're", "theyve": "they've", "youd": "you'd", "youre": "you're",
    "youve": "you've", "weve": "we've", "ive": "I've", "im": "I'm", "dont": "don't", "doesnt": "doesn't",
    "didnt": "didn't", "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't", "werent": "weren't",
    "cant": "can't", "wont": "won't", "wouldnt": "wouldn't", "couldnt": "couldn't", "shouldnt": "shouldn't",
    "hasnt": "hasn't", "havent": "haven't", "hadnt": "hadn't", "thats": "that's", "theres": "there's",
    "whos": "who's", "shes": "she's", "itll": "it'll",
}  # fmt: skip


_CHAT_WORD_RE = re.compile(r"(?<![\w.$])(" + "|".join(sorted(CHAT_WORDS, key=len, reverse=True)) + r")(?![\w.])", re.I)


def expand_chat_words(question: str, lexicon: Lexicon) -> str:
    """ "how many ppl use it on avg" -> "how many people use it on average"; a word the corpus uses is kept."""

    def full(match: re.Match[str]) -> str:
        word = match.group(0)
        tokens = tokenize(word, keep_stopwords=True)
        return word if tokens and lexicon.has(tokens[0]) else CHAT_WORDS[word.lower()]

    return _CHAT_WORD_RE.sub(full, question)


def _is_misspelt(word: str, lexicon: Lexicon, is_common_word: Callable[[str], bool]) -> bool:
    tokens = tokenize(word)
    return bool(tokens) and word.isalpha() and not lexicon.has(tokens[0]) and not is_common_word(word.lower())


def _correct_names(question: str, lexicon: Lexicon, is_common_word: Callable[[str], bool], catalog: NameCatalog) -> str:
    """Runs of up to three words holding a misspelt word that spell exactly one known name, replaced by it."""
    words = question.split()
    flags = [_is_misspelt(w.strip("?!.,;:'\"()"), lexicon, is_common_word) for w in words]
    if not any(flags):
        return question
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            if not any(flags[start : start + size]):
                continue
            window = " ".join(w.strip("?!.,;:'\"()") for w in words[start : start + size])
            for kind in ("benchmark", "model"):
                name = catalog.resolve_forgiving(window, kind)
                # A typing error keeps the first letter of a word of the name: "clade opus" is Claude Opus, but
                # "gpus" is not Opus.
                if name is not None and catalog.resolve(window, kind) is None and _starts_like(window, name):
                    rest = _correct_names(" ".join(words[start + size :]), lexicon, is_common_word, catalog)
                    head = " ".join(words[:start])
                    return " ".join(part for part in (head, name, rest) if part)
    return question


def _starts_like(typed: str, name: str) -> bool:
    """Whether the typed words start with the first letter of a word of the name."""
    first = typed.strip()[:1].lower()
    return bool(first) and any(word.startswith(first) for word in name_key(name).split())
