"""Follow-ups read against the previous turn, chatter told from questions, and conversations that expire."""

from __future__ import annotations

import re

import pytest

from bot.core.conversation import (
    ConversationPolicy,
    Conversations,
    Mention,
    Turn,
    find_people,
    is_chatter,
    locate_mentions,
    rewrite_follow_up,
)

NAMES = {"Muse Spark": "model", "GPT-5.4": "model", "Gemini 3.1 Pro": "model", "HealthBench Hard": "benchmark",
         "GPQA Diamond": "benchmark"}  # fmt: skip


def find_mentions(text: str) -> list[Mention]:
    found = []
    for name, kind in NAMES.items():
        for match in re.finditer(re.escape(name), text, re.IGNORECASE):
            found.append(Mention(kind, name, match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


HEALTHBENCH = Turn("Muse Spark on HealthBench Hard?", "Muse Spark scores 42.8 on HealthBench Hard [1].")
WANG = Turn("Who leads Meta Superintelligence Labs?", "The lab is led by Alexandr Wang, Meta's Chief AI Officer [1].")


@pytest.mark.parametrize(
    ("history", "question", "understood"),
    [
        ((HEALTHBENCH,), "and GPT-5.4?", "GPT-5.4 on HealthBench Hard?"),
        ((HEALTHBENCH,), "what about gpt-5.4", "Gpt-5.4 on HealthBench Hard?"),
        ((HEALTHBENCH,), "GPT-5.4?", "GPT-5.4 on HealthBench Hard?"),
        ((HEALTHBENCH,), "and on GPQA Diamond?", "Muse Spark on GPQA Diamond?"),
        ((HEALTHBENCH,), "how about its price?", "Muse Spark's price?"),
        ((HEALTHBENCH,), "and the price?", "The price of Muse Spark?"),
        ((HEALTHBENCH,), "is it open source?", "Is Muse Spark open source?"),
        ((WANG,), "when did he join?", "When did Alexandr Wang join?"),
        ((WANG,), "what is his background?", "What is Alexandr Wang's background?"),
        ((HEALTHBENCH, WANG), "when did she join Meta?", "When did Alexandr Wang join Meta?"),
    ],
)
def test_follow_ups_are_read_against_the_last_turn(history: tuple[Turn, ...], question: str, understood: str) -> None:
    assert rewrite_follow_up(question, history, find_mentions) == understood


@pytest.mark.parametrize(
    "question",
    ["How did GPT-5.4 do on GPQA Diamond?", "What did Meta announce?", "Is GPT-5.4 better than it?"],
)
def test_questions_that_stand_alone_are_left_as_asked(question: str) -> None:
    assert rewrite_follow_up(question, (HEALTHBENCH,), find_mentions) == question


def test_without_history_nothing_is_rewritten() -> None:
    assert rewrite_follow_up("and GPT-5.4?", (), find_mentions) == "and GPT-5.4?"
    assert rewrite_follow_up("when did he join?", (HEALTHBENCH,), find_mentions) == "when did he join?"


@pytest.mark.parametrize("text", ["thanks!", "Thank you so much", "ok cool", "👍", "great, got it", "lol"])
def test_chatter(text: str) -> None:
    assert is_chatter(text)


@pytest.mark.parametrize("text", ["and GPT-5.4?", "thanks, but what about GPQA?", "what is the price", "GPT-5.4"])
def test_not_chatter(text: str) -> None:
    assert not is_chatter(text)


def test_people_are_capitalised_names_that_are_not_models_or_labs() -> None:
    text = "Alexandr Wang leads Meta Superintelligence Labs; Muse Spark is its model. Mark Zuckerberg agreed."
    assert [text[a:b] for a, b in find_people(text, find_mentions(text))] == ["Alexandr Wang", "Mark Zuckerberg"]


def test_locate_mentions_finds_the_spans_the_catalog_named() -> None:
    text = "How did gpt 5.4 do on healthbench-hard?"
    grams = [("model", "GPT-5.4", ("gpt", "5.4")), ("benchmark", "HealthBench Hard", ("healthbench", "hard"))]
    assert [(m.name, text[m.start : m.end]) for m in locate_mentions(text, grams)] == [
        ("GPT-5.4", "gpt 5.4"),
        ("HealthBench Hard", "healthbench-hard"),
    ]


def test_conversations_keep_the_last_turns_of_each_key_and_expire() -> None:
    conversations = Conversations(ConversationPolicy(max_turns=2, expire_seconds=60, max_conversations=2))
    conversations.add("a", Turn("q1", "a1"), now=0)
    conversations.add("a", Turn("q2", "a2"), now=10)
    conversations.add("a", Turn("q3", "a3"), now=20)
    assert [t.question for t in conversations.history("a", now=30)] == ["q2", "q3"]
    assert conversations.history("b", now=30) == ()
    conversations.add("b", Turn("q4", "a4"), now=30, history=conversations.history("a", now=30))
    assert [t.question for t in conversations.history("b", now=31)] == ["q3", "q4"], "a reply continues its chain"
    assert conversations.history("a", now=200) == (), "idle past expiry: forgotten"
    conversations.add("c", Turn("q5", "a5"), now=40)
    conversations.add("d", Turn("q6", "a6"), now=41)
    assert conversations.history("b", now=42) == (), "the least recently used go first"
