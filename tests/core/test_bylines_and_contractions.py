""" "Who wrote the Split Times review" is answered from the article's byline, when its title, outlet or address
names what the question names; a contraction typed without its apostrophe ("theyd") is read as one."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.service import MuseService

ARTICLES = {
    "review.md": """---
title: "Three weeks with the Tarnwick glasses"
outlet: The Lap Counter
author: Ines Kowalczyk
url: https://lapcounter.example/reviews/tarnwick
date: 2026-05-20
---

We wore the Tarnwick glasses on every run for three weeks. The battery lasted about seven hours.
""",
    "survey.md": """---
title: "What students keep"
outlet: Campus Ledger
author: Tomas Brandt
date: 2026-05-02
---

Asked which chatbot they would keep if they could keep only one, 54% of students picked Quill.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("bylines-and-contractions", ARTICLES)


@pytest.mark.slow
def test_who_wrote_a_review_is_its_byline(service: MuseService) -> None:
    answer = service.ask("who wrote the lap counter review of the tarnwick glasses")

    assert not answer.abstained, answer.text
    assert answer.text.startswith("Ines Kowalczyk")
    assert answer.citations[0].article_id == "three-weeks-with-the-tarnwick-glasses"


@pytest.mark.slow
def test_an_outlet_no_article_has_gets_no_byline(service: MuseService) -> None:
    answer = service.ask("who wrote the tarnwick review for the harbor gazette")

    assert "Ines Kowalczyk" not in answer.text.split("\n")[0], answer.text


@pytest.mark.slow
def test_a_contraction_without_its_apostrophe_is_read(service: MuseService) -> None:
    answer = service.ask("what percent of students picked the chatbot theyd keep")

    assert not answer.abstained, answer.text
    assert "54%" in answer.text
