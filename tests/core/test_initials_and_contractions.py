"""A short word the corpus never writes may be the initials of words it does ("cto": "chief technology
officer"); a contraction ("don't", "I'm") is never what a question is about, nor is "one" in "one of"."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.answer.focus import _CONTRACTION_RE, find_clippings
from bot.core.service import MuseService
from bot.core.text import tokenize


def test_initials_are_read_as_the_words_a_passage_writes_out() -> None:
    texts = ["Hana Okonkwo is chief technology officer at Brindle Systems, a small firm in Leeds."]

    assert find_clippings("cto", texts) == (frozenset(tokenize("chief technology officer")),)
    assert find_clippings("cfo", texts) == ()  # no run of words spells it


def test_a_contraction_is_no_question_word() -> None:
    assert all(_CONTRACTION_RE.fullmatch(w) for w in ("don't", "doesn’t", "I'm", "they've", "we'll"))
    assert not any(_CONTRACTION_RE.fullmatch(w) for w in ("meta's", "post", "o'brien"))


ARTICLES = {
    "brindle.md": """---
title: "A real backlog"
date: 2026-04-13
---

Hana Okonkwo is chief technology officer at Brindle Systems, a 12-person software firm in Leeds, and she let us
watch her team try Quill for a week.
""",
    "tents.md": """---
title: "Tents for a data centre"
date: 2026-04-10
---

Construction trackers estimate a Kestrel tent hall can be working in four to seven months, against 14 to 20
months for a conventional concrete shell.
""",
    "search.md": """---
title: "Search tests an answer mode"
date: 2026-04-30
---

There is no separate switch to keep a public post out of the answers; the only way is to change the post's
audience so it is no longer public.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("initials-and-contractions", ARTICLES)


@pytest.mark.slow
def test_a_role_asked_by_its_initials_is_answered(service: MuseService) -> None:
    answer = service.ask("who is the cto at brindle systems")

    assert not answer.abstained, answer.text
    assert "Hana Okonkwo" in answer.text


@pytest.mark.slow
def test_a_question_with_dont_is_answered(service: MuseService) -> None:
    answer = service.ask("If I don't want a public post in the answers, what can I do?")

    assert not answer.abstained, answer.text
    assert "no longer public" in answer.text


@pytest.mark.slow
def test_one_of_them_is_no_count(service: MuseService) -> None:
    answer = service.ask("how fast can one of kestrel's tent halls be up and running")

    assert not answer.abstained, answer.text
    assert "four to seven months" in answer.text
