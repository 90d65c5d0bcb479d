"""Follow-ups: a question read in the context of the last few turns of its conversation. Pure; no I/O.

"and GPT-5.4?" after "Muse Spark on HealthBench Hard?" is "GPT-5.4 on HealthBench Hard?"; "when did he join?"
after an answer about Alexandr Wang is "when did Alexandr Wang join?". Names are found by the caller's
`find_mentions` (the catalog of models and benchmarks); people by their capitalised names. A question that
names its own subject is left as it is. `is_chatter` tells a "thanks!" from a question.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mention:
    kind: str  # "model" | "benchmark"
    name: str  # as the catalog spells it
    start: int  # span in the text it was found in
    end: int


@dataclass(frozen=True, slots=True)
class Turn:
    question: str  # as understood (after any rewrite)
    answer: str  # the answer's text ("" when it abstained)


@dataclass(frozen=True, slots=True)
class ConversationPolicy:
    max_turns: int = 4  # the context: this many earlier turns of the same conversation, no more
    expire_seconds: float = 30 * 60.0  # a conversation idle this long starts afresh
    max_conversations: int = 5000  # memory bound: the least recently used are forgotten first


FindMentions = Callable[[str], Sequence[Mention]]

_ELLIPSIS_RE = re.compile(
    r"^\s*(?:(?:and|but|also|ok(?:ay)?|so)[\s,]+)?(?:what|how)\s+about\s+(?P<a>.+?)\s*[?.!]*\s*$"
    r"|^\s*(?:and|also|same\s+for|vs\.?|versus|compared\s+(?:to|with))[\s,]+(?P<b>.+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_LEADING_PREPOSITION_RE = re.compile(r"^(?:on|in|for|with|at|of|to)\s+", re.IGNORECASE)
_PERSON_PRONOUN_RE = re.compile(r"\b(he|him|his|she|her|hers)\b", re.IGNORECASE)
_THING_PRONOUN_RE = re.compile(r"\b(it|its|it's)\b", re.IGNORECASE)
_QUESTION_WORD_RE = re.compile(
    r"\b(what|who|whom|whose|when|where|why|how|which|is|are|was|were|does|do|did|can|could|will|would|should|has|"
    r"have|had|tell|explain|describe|show|list|compare)\b",
    re.IGNORECASE,
)
_NAME_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}\b")
# Capitalised words that start names of things, not of people.
_NOT_PEOPLE = frozenset(
    "The This That These Those In On At For With From By And But Or If As An A It Its Meta Muse Spark Llama Scale "
    "Labs Lab Superintelligence Intelligence Index Hard Diamond Pro Opus Claude Gemini Grok Contemplating Thinking "
    "Mode App Chief Officer Health Bench Arena Vision Voice Maverick Behemoth Facebook Instagram WhatsApp Google "
    "Microsoft Apple Amazon Nvidia Anthropic OpenAI Monday Tuesday Wednesday Thursday Friday Saturday Sunday January "
    "February March April May June July August September October November December Artificial Analysis Research "
    "According Unlike Meanwhile However Overall Today Yesterday Last Next Before After During While When Where".split()
)
_CHATTER_WORDS = frozenset(
    "thanks thank thx ty tysm you u ok okay k kk cool great nice awesome perfect got it lol haha hah wow good to know "
    "cheers appreciated appreciate much very so that makes sense helpful interesting neat sweet amazing bye yes yep "
    "yeah no nope sure right ah oh i see alright np gotcha excellent legend bot musebot that's thats fine fair enough "
    "love this brilliant super ta will do noted understood hmm hm".split()
)
_WORD_RE = re.compile(r"[a-z0-9']+", re.IGNORECASE)


def locate_mentions(text: str, grams: Sequence[tuple[str, str, Sequence[str]]]) -> list[Mention]:
    """Mentions with their spans in `text`, from (kind, name, key tokens) as the catalog reports them in order."""
    found = []
    cursor = 0
    for kind, name, tokens in grams:
        pattern = r"[\W_]*".join(re.escape(token) for token in tokens) if tokens else re.escape(name)
        match = re.compile(pattern, re.IGNORECASE).search(text, cursor) or re.compile(
            re.escape(name), re.IGNORECASE
        ).search(text)
        if match is None:
            continue
        found.append(Mention(kind, name, match.start(), match.end()))
        cursor = match.end()
    return found


def is_chatter(text: str) -> bool:
    """A reply that asks nothing: thanks, ok, an emoji. Never answered with an abstention."""
    if "?" in text:
        return False
    words = [word.lower() for word in _WORD_RE.findall(text)]
    return len(words) <= 8 and all(word in _CHATTER_WORDS for word in words)


def find_people(text: str, mentions: Sequence[Mention] = ()) -> list[tuple[int, int]]:
    """Spans of what read as people's names ("Alexandr Wang"): two or three capitalised words, not a known name."""
    spans = []
    for match in _NAME_RE.finditer(text):
        words = re.split(r"[ -]", match.group())
        if any(word in _NOT_PEOPLE for word in words):
            continue
        if any(m.start < match.end() and match.start() < m.end for m in mentions):
            continue
        spans.append((match.start(), match.end()))
    return spans


def _person_in(turn: Turn, find_mentions: FindMentions) -> str:
    for text in (turn.question, turn.answer):
        spans = find_people(text, find_mentions(text))
        if spans:
            start, end = spans[0]
            return text[start:end]
    return ""


def _subject_in(turn: Turn, find_mentions: FindMentions) -> str:
    """What "it" refers to: the model the last question named, else its first name, else the answer's model."""
    for text in (turn.question, turn.answer):
        mentions = list(find_mentions(text))
        models = [m for m in mentions if m.kind == "model"]
        if models or mentions:
            chosen = (models or mentions)[0]
            return text[chosen.start : chosen.end]
    return ""


def _replace_pronouns(question: str, pattern: re.Pattern[str], name: str) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group(1).lower()
        if word in ("his", "its", "hers"):
            return f"{name}'s"
        if word == "it's":
            return f"{name} is"
        return name

    return pattern.sub(replace, question)


def _finish(text: str) -> str:
    text = " ".join(text.split()).rstrip(" ?.!")
    return (text[:1].upper() + text[1:] + "?") if text else text


def _substitute(
    previous: str, previous_mentions: Sequence[Mention], rest: str, rest_mentions: Sequence[Mention]
) -> str:
    """The previous question with its names replaced by the new ones of the same kind; "" if none match."""
    replacements: list[tuple[Mention, str]] = []
    used: set[int] = set()
    for new in rest_mentions:
        for index, old in enumerate(previous_mentions):
            if index not in used and old.kind == new.kind and old.name != new.name:
                replacements.append((old, rest[new.start : new.end]))
                used.add(index)
                break
    if not replacements:
        return ""
    text = previous
    for old, new_text in sorted(replacements, key=lambda item: item[0].start, reverse=True):
        text = text[: old.start] + new_text + text[old.end :]
    return text


def rewrite_follow_up(question: str, history: Sequence[Turn], find_mentions: FindMentions) -> str:
    """The question as understood in the conversation: rewritten when it leans on the last turn, else as asked."""
    if not history:
        return question
    last = history[-1]
    mentions = list(find_mentions(question))
    match = _ELLIPSIS_RE.match(question)
    bare = not _QUESTION_WORD_RE.search(question) and bool(mentions) and len(question.split()) <= 5
    if match or bare:
        rest = (match.group("a") or match.group("b")) if match else question.strip().rstrip("?.! ")
        rest_mentions = list(find_mentions(rest))
        previous_mentions = list(find_mentions(last.question))
        if rest_mentions:
            substituted = _substitute(last.question, previous_mentions, rest, rest_mentions)
            if substituted:
                return _finish(substituted)
            return _finish(f"{last.question.rstrip(' ?.!')}, for {_LEADING_PREPOSITION_RE.sub('', rest)}")
        person = _person_in(last, find_mentions)
        people = find_people(rest)
        if people and person and person not in rest:
            start, end = people[0]
            spans = find_people(last.question, previous_mentions)
            if spans:
                old_start, old_end = spans[0]
                return _finish(last.question[:old_start] + rest[start:end] + last.question[old_end:])
        subject = _subject_in(last, find_mentions)
        if subject and _THING_PRONOUN_RE.search(rest):
            return _finish(_replace_pronouns(rest, _THING_PRONOUN_RE, subject))
        if subject and subject.lower() not in rest.lower():
            return _finish(f"{_LEADING_PREPOSITION_RE.sub('', rest)} of {subject}")
        return question
    rewritten = question
    own_people = find_people(question, mentions)
    if _PERSON_PRONOUN_RE.search(question) and not own_people:
        person = _person_in(last, find_mentions)
        if person:
            rewritten = _replace_pronouns(rewritten, _PERSON_PRONOUN_RE, person)
    if _THING_PRONOUN_RE.search(rewritten) and not any(m.kind == "model" for m in mentions):
        subject = _subject_in(last, find_mentions)
        if subject:
            rewritten = _replace_pronouns(rewritten, _THING_PRONOUN_RE, subject)
    return _finish(rewritten) if rewritten != question else question


class Conversations:
    """The last few turns of each conversation (a reply chain, a thread, a chat session), expiring when idle.

    Keys are the caller's: a Discord message or thread id, "chat" for the terminal. Not thread-safe: the Discord
    cog uses it from the event loop only.
    """

    def __init__(self, policy: ConversationPolicy = ConversationPolicy()) -> None:
        self.policy = policy
        self._turns: OrderedDict[Hashable, tuple[float, tuple[Turn, ...]]] = OrderedDict()

    def history(self, key: Hashable, now: float) -> tuple[Turn, ...]:
        entry = self._turns.get(key)
        if entry is None:
            return ()
        seen_at, turns = entry
        if now - seen_at > self.policy.expire_seconds:
            del self._turns[key]
            return ()
        return turns

    def add(self, key: Hashable, turn: Turn, now: float, *, history: Sequence[Turn] = ()) -> None:
        """Record a turn under `key`, after `history` (the conversation it continues, if it came from another key)."""
        turns = (*(history or self.history(key, now)), turn)[-self.policy.max_turns :]
        self._turns[key] = (now, turns)
        self._turns.move_to_end(key)
        while len(self._turns) > self.policy.max_conversations:
            self._turns.popitem(last=False)
